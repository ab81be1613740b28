// The query box: lints what the user types with kubeprom's linter, underlines each finding,
// lists them with a one-click fix, and runs the query against the demo's Prometheus.
import { lintQuery, KubepromError } from '../index.js';

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 200;
const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/** The classic double count: cAdvisor's pod-level cgroup series summed with the containers'. */
export const EXAMPLE_QUERY = 'sum by (pod) (container_memory_working_set_bytes{namespace="shop"})';

function describe(e) {
  return e instanceof KubepromError ? `${e.kind}: ${e.message}` : String(e?.message ?? e);
}

/**
 * Splits `text` at every finding boundary and wraps the covered pieces in <mark>s. Offsets are
 * UTF-16 code units, which is what JS strings index, so `slice` cuts exactly at them.
 */
function renderBackdrop(backdrop, text, findings) {
  const cuts = new Set([0, text.length]);
  for (const f of findings) {
    cuts.add(Math.max(0, Math.min(text.length, f.start)));
    cuts.add(Math.max(0, Math.min(text.length, f.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i], points[i + 1]];
    const piece = text.slice(from, to);
    const covering = findings.map((f, index) => ({ f, index })).filter(({ f }) => f.start <= from && to <= f.end && f.start < f.end);
    if (!covering.length) {
      nodes.push(document.createTextNode(piece));
      continue;
    }
    const mark = document.createElement('mark');
    const worst = covering.reduce((a, b) => (SEVERITY_ORDER[b.f.severity] < SEVERITY_ORDER[a.f.severity] ? b : a));
    mark.className = worst.f.severity;
    mark.dataset.findings = covering.map((c) => c.index).join(' ');
    mark.dataset.rules = covering.map((c) => c.f.rule).join(' ');
    mark.textContent = piece;
    nodes.push(mark);
  }
  // A trailing newline needs something after it, or the backdrop is one line shorter than the textarea.
  nodes.push(document.createTextNode(text.endsWith('\n') ? ' ' : ''));
  backdrop.replaceChildren(...nodes);
}

export function setupLintBox(client) {
  const box = $('promql');
  const backdrop = $('promql-backdrop');
  const list = $('findings');
  const summary = $('lint-summary');
  let timer;
  let findings = [];

  function highlight(index) {
    for (const m of backdrop.querySelectorAll('mark')) {
      m.classList.toggle('current', index !== undefined && m.dataset.findings.split(' ').includes(String(index)));
    }
  }

  function lint() {
    clearTimeout(timer);
    const text = box.value;
    const scrapeInterval = $('scrape-interval').value.trim();
    try {
      findings = text.trim() ? lintQuery(text, scrapeInterval ? { scrapeInterval } : {}) : [];
    } catch (e) {
      findings = [];
      renderBackdrop(backdrop, text, []);
      list.replaceChildren();
      summary.className = 'error';
      summary.textContent = `Cannot lint: ${describe(e)}`;
      return;
    }
    renderBackdrop(backdrop, text, findings);
    summary.className = '';
    summary.textContent = !text.trim()
      ? 'Type a PromQL query.'
      : findings.length
        ? `${findings.length} finding${findings.length === 1 ? '' : 's'}.`
        : 'No findings.';
    list.replaceChildren(...findings.map((f, index) => findingItem(f, index)));
  }

  function findingItem(f, index) {
    const li = document.createElement('li');
    Object.assign(li.dataset, { rule: f.rule, severity: f.severity, index: String(index), start: String(f.start), end: String(f.end) });
    const severity = document.createElement('span');
    severity.className = `severity ${f.severity}`;
    severity.textContent = f.severity;
    const rule = document.createElement('span');
    rule.className = 'rule';
    rule.textContent = f.rule;
    const message = document.createElement('span');
    message.className = 'message';
    message.textContent = f.message;
    const show = document.createElement('button');
    show.type = 'button';
    show.className = 'show';
    show.textContent = 'Show';
    show.setAttribute('aria-label', `Select the text of finding ${f.rule}`);
    show.addEventListener('click', () => {
      box.focus();
      box.setSelectionRange(f.start, f.end);
      highlight(index);
    });
    li.append(severity, rule, message, show);
    if (f.fix !== undefined && f.fix !== null) {
      const fix = document.createElement('button');
      fix.type = 'button';
      fix.className = 'fix';
      fix.textContent = 'Fix';
      fix.title = f.fix;
      fix.setAttribute('aria-label', `Apply the fix for ${f.rule}: ${f.fix}`);
      fix.addEventListener('click', () => {
        box.value = f.fix;
        lint();
        box.focus();
        summary.textContent = `Applied the fix for ${f.rule}. ${summary.textContent}`;
      });
      li.append(fix);
    }
    li.addEventListener('mouseenter', () => highlight(index));
    li.addEventListener('mouseleave', () => highlight());
    return li;
  }

  box.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lint, DEBOUNCE_MS);
  });
  $('scrape-interval').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(lint, DEBOUNCE_MS);
  });
  box.addEventListener('scroll', () => {
    backdrop.scrollTop = box.scrollTop;
    backdrop.scrollLeft = box.scrollLeft;
  });
  // The textarea can be resized; keep the backdrop the same height.
  new ResizeObserver(() => {
    backdrop.style.height = `${box.offsetHeight}px`;
  }).observe(box);

  $('lint-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    lint();
    const out = $('run-result');
    out.className = '';
    out.textContent = 'Running…';
    try {
      const result = await client.query(box.value);
      const n = result.series.length;
      out.dataset.count = String(n);
      out.textContent = `${n} ${result.resultType === 'matrix' || result.resultType === 'vector' ? `series` : result.resultType} returned${result.warnings.length ? `; warnings: ${result.warnings.join('; ')}` : ''}.`;
    } catch (e) {
      delete out.dataset.count;
      out.className = 'error';
      out.textContent = describe(e);
    }
  });

  box.value = EXAMPLE_QUERY;
  lint();
}
