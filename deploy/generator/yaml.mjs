// A small YAML writer for the rule files: block maps and lists of plain data (objects, arrays,
// strings, numbers, booleans). The output is deterministic (keys in insertion order).
// Strings that YAML could read as something else are double-quoted (JSON string syntax is valid
// YAML); PromQL expressions and other multi-line or quote-heavy text use literal blocks (`|-`),
// which YAML takes verbatim, so no escaping can go wrong.

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to YAML`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new Error(`cannot write ${typeof value} to YAML`);
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

/** True when a string is better written as a literal block. */
function wantsBlock(value) {
  return typeof value === 'string' && (value.includes('\n') || value.length > 60);
}

function block(value, indent) {
  if (/[ \t]$/m.test(value) || /^\s/.test(value)) return JSON.stringify(value); // literal blocks would lose these
  const pad = ' '.repeat(indent);
  return '|-\n' + value.split('\n').map((l) => (l ? pad + l : '')).join('\n');
}

function isEmpty(v) {
  return (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

function write(value, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !isEmpty(item)) {
        const lines = [];
        write(item, indent + 2, lines);
        lines[0] = pad + '- ' + lines[0].slice(indent + 2);
        out.push(...lines);
      } else {
        out.push(pad + '- ' + inline(item, indent + 2));
      }
    }
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const k = scalar(key);
    if (v !== null && typeof v === 'object' && !isEmpty(v)) {
      out.push(`${pad}${k}:`);
      write(v, Array.isArray(v) ? indent : indent + 2, out);
    } else {
      out.push(`${pad}${k}: ${inline(v, indent + 2)}`);
    }
  }
}

function inline(v, indent) {
  if (Array.isArray(v)) return '[]';
  if (v !== null && typeof v === 'object') return '{}';
  if (wantsBlock(v)) return block(v, indent);
  return scalar(v);
}

/** YAML text of a plain object, ending with a newline. */
export function toYaml(value, { header } = {}) {
  const out = [];
  if (header) out.push(...header.split('\n').map((l) => (l ? `# ${l}` : '#')));
  write(value, 0, out);
  return out.join('\n') + '\n';
}
