//! YAML (and JSON, which is YAML) read into `serde_json::Value`s, keeping where every scalar
//! starts: the linter takes JSON values, and the report needs lines and columns of the file.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// Most values a file may expand to through aliases (a few aliases can otherwise make billions).
const MAX_NODES: usize = 1_000_000;

/// Deepest nesting read; serde_json's own limit for JSON.
const MAX_DEPTH: usize = 128;

/// Where a scalar is in the file and how it is written.
#[derive(Debug, Clone, Copy)]
pub struct ScalarPos {
    /// Its first character: the quote of a quoted scalar, the first content character else.
    pub start: Marker,
    /// Just past it.
    pub end: Marker,
    /// How it is written.
    pub style: ScalarStyle,
}

/// One document of a file, with the position of each scalar by JSON pointer.
#[derive(Debug)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// Scalars reached by a path of their own (not through an alias), by JSON pointer.
    pub scalars: HashMap<String, ScalarPos>,
}

/// The documents of a YAML stream, or the parser's message with its line and column.
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            format!("{}:{}: {}", m.line(), m.col() + 1, e.info())
        })?;
        builder.event(event, span.start, span.end)?;
    }
    Ok(builder.documents)
}

/// A collection being built: its pointer, and for a mapping the key awaiting its value.
enum Open {
    Seq {
        pointer: String,
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        pointer: String,
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    documents: Vec<Document>,
    stack: Vec<Open>,
    scalars: HashMap<String, ScalarPos>,
    anchors: HashMap<usize, Value>,
    nodes: usize,
    root: Option<Value>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, start: Marker, end: Marker) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(format!("more than {MAX_NODES} values"));
        }
        match event {
            Event::DocumentStart(_) => {
                self.root = None;
                self.scalars.clear();
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let value = self.root.take().unwrap_or(Value::Null);
                self.documents.push(Document {
                    value,
                    scalars: std::mem::take(&mut self.scalars),
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(Open::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    *key = Some(text.into_owned());
                    return Ok(());
                }
                let pointer = self.child_pointer();
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let value = if plain {
                    resolve_plain(&text)
                } else {
                    Value::String(text.into_owned())
                };
                self.scalars
                    .insert(pointer, ScalarPos { start, end, style });
                self.push(value, anchor)?;
            }
            Event::Alias(id) => {
                let value = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.nodes += count(&value);
                if self.nodes > MAX_NODES {
                    return Err(format!("aliases expand to more than {MAX_NODES} values"));
                }
                if let Some(Open::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    *key = Some(match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    });
                    return Ok(());
                }
                self.push(value, 0)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open_check(start)?;
                let pointer = self.child_pointer();
                self.stack.push(Open::Seq {
                    pointer,
                    items: Vec::new(),
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open_check(start)?;
                let pointer = self.child_pointer();
                self.stack.push(Open::Map {
                    pointer,
                    map: Map::new(),
                    key: None,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq { items, anchor, .. }) => self.push(Value::Array(items), anchor)?,
                Some(Open::Map { map, anchor, .. }) => self.push(Value::Object(map), anchor)?,
                None => {}
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Refuses a collection nested too deep, or used as a mapping key (which JSON cannot hold).
    fn open_check(&self, start: Marker) -> Result<(), String> {
        let at = format!("{}:{}", start.line(), start.col() + 1);
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("{at}: nested more than {MAX_DEPTH} deep"));
        }
        if let Some(Open::Map { key: None, .. }) = self.stack.last() {
            return Err(format!(
                "{at}: a collection as a mapping key is not supported"
            ));
        }
        Ok(())
    }

    /// The pointer of the value the next event gives.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Open::Seq { pointer, items, .. }) => format!("{pointer}/{}", items.len()),
            Some(Open::Map { pointer, key, .. }) => {
                let key = key.as_deref().unwrap_or("");
                format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
            }
        }
    }

    fn push(&mut self, value: Value, anchor: usize) -> Result<(), String> {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Open::Seq { items, .. }) => items.push(value),
            Some(Open::Map { map, key, .. }) => {
                if let Some(k) = key.take() {
                    if k == "<<" {
                        merge(map, value);
                    } else {
                        map.insert(k, value);
                    }
                }
            }
        }
        Ok(())
    }
}

/// A `<<` merge key: the merged mapping's (or mappings') keys that the mapping lacks.
fn merge(map: &mut Map<String, Value>, value: Value) {
    let sources = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    for source in sources {
        if let Value::Object(source) = source {
            for (k, v) in source {
                map.entry(k).or_insert(v);
            }
        }
    }
}

/// How many values `v` holds, itself included.
fn count(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

/// A plain scalar under YAML 1.2's core schema: null, booleans, numbers, else a string.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let radix = |digits: &str, radix: u32| i64::from_str_radix(digits, radix).ok();
    let int = if let Some(hex) = text.strip_prefix("0x") {
        radix(hex, 16)
    } else if let Some(oct) = text.strip_prefix("0o") {
        radix(oct, 8)
    } else if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(n) = int {
        return Value::Number(n.into());
    }
    let looks_numeric = unsigned
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && unsigned
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if looks_numeric {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    // .inf and .nan have no JSON form; they stay text, as nothing linted reads them.
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_scalars_and_their_places() {
        let docs = parse("a:\n  expr: |-\n    up\n  n: 0\n  s: '0'\n---\nb: [x, ~]\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].value,
            serde_json::json!({"a": {"expr": "up", "n": 0, "s": "0"}})
        );
        let p = docs[0].scalars["/a/expr"];
        assert_eq!((p.start.line(), p.start.col()), (3, 4));
        assert_eq!(docs[1].value, serde_json::json!({"b": ["x", null]}));
        assert!(docs[1].scalars.contains_key("/b/0"));
    }

    #[test]
    fn anchors_merges_and_bombs() {
        let docs = parse("base: &b {severity: warning}\nx:\n  <<: *b\n  y: 1\n").unwrap();
        assert_eq!(docs[0].value["x"]["severity"], "warning");
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn errors_say_where() {
        let e = parse("a: [1, 2\n").unwrap_err();
        assert!(e.starts_with("2:"), "{e}");
    }
}
