//! From "UTF-16 offset in the value of a scalar" to "line and column of the file".
//!
//! Exact for the styles where a character of the value is a character of the file: plain and
//! quoted scalars on one line (escapes decoded, so JSON strings too), and literal blocks (`|`),
//! whose value line `k` is the file's line `k` after the first, less the block's indentation.
//! Folded blocks (`>`) and scalars broken over lines join lines into spaces, so a finding in them
//! points at the scalar's start, and says so.

use saphyr_parser::ScalarStyle;

use crate::yaml::ScalarPos;

/// A place in the file, 1-based; `exact` is false when it is the scalar's start instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub col: usize,
    pub exact: bool,
}

/// The place of UTF-16 offset `offset` of `value`, the scalar at `pos` in `lines` (the file).
pub fn place(lines: &[&str], pos: &ScalarPos, value: &str, offset: usize) -> Place {
    let start = Place {
        line: pos.start.line(),
        col: pos.start.col() + 1,
        exact: offset == 0,
    };
    let exact = match pos.style {
        ScalarStyle::Literal => literal(lines, pos, value, offset),
        ScalarStyle::Folded => None,
        _ if pos.start.line() != pos.end.line() => None,
        ScalarStyle::Plain => inline(lines, pos, value, offset, 0, Escapes::None),
        ScalarStyle::SingleQuoted => inline(lines, pos, value, offset, 1, Escapes::Single),
        ScalarStyle::DoubleQuoted => inline(lines, pos, value, offset, 1, Escapes::Double),
    };
    exact.unwrap_or(start)
}

/// The characters and UTF-16 length of `value` up to UTF-16 offset `offset`.
fn chars_before(value: &str, offset: usize) -> (usize, &str) {
    let mut units = 0;
    for (i, c) in value.char_indices() {
        if units >= offset {
            return (units, &value[..i]);
        }
        units += c.len_utf16();
    }
    (units, value)
}

fn literal(lines: &[&str], pos: &ScalarPos, value: &str, offset: usize) -> Option<Place> {
    let (_, before) = chars_before(value, offset);
    let k = before.matches('\n').count();
    let col_chars = before.rsplit('\n').next().unwrap_or("").chars().count();
    let line_no = pos.start.line() + k;
    let indent = pos.start.col();
    // Check that the file's line holds the value's line where it is assumed to be.
    let file_line = lines.get(line_no.checked_sub(1)?)?;
    let value_line = value.split('\n').nth(k)?;
    let content: String = file_line.chars().skip(indent).collect();
    if !content.starts_with(value_line) {
        return None;
    }
    Some(Place {
        line: line_no,
        col: indent + col_chars + 1,
        exact: true,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escapes {
    None,
    Single,
    Double,
}

/// Walks the scalar's source characters, decoding them, until `offset` units of value.
fn inline(
    lines: &[&str],
    pos: &ScalarPos,
    value: &str,
    offset: usize,
    quote: usize,
    escapes: Escapes,
) -> Option<Place> {
    let line = lines.get(pos.start.line().checked_sub(1)?)?;
    let mut src = line.chars().skip(pos.start.col() + quote).peekable();
    let mut col = pos.start.col() + quote;
    let mut units = 0;
    let mut decoded = String::new();
    while units < offset {
        let c = src.next()?;
        let (ch, raw) = match (escapes, c) {
            (Escapes::Single, '\'') => {
                src.next().filter(|&n| n == '\'')?;
                ('\'', 2)
            }
            (Escapes::Double, '\\') => double_escape(&mut src)?,
            (_, c) => (c, 1),
        };
        decoded.push(ch);
        units += ch.len_utf16();
        col += raw;
    }
    // What was walked must be the start of the value, or the walk went wrong.
    if !value.starts_with(&decoded) {
        return None;
    }
    Some(Place {
        line: pos.start.line(),
        col: col + 1,
        exact: true,
    })
}

/// The character a double-quoted escape stands for, and how many source characters it takes
/// (the backslash included). A `\u` surrogate pair is one character of two escapes.
fn double_escape(
    src: &mut std::iter::Peekable<impl Iterator<Item = char>>,
) -> Option<(char, usize)> {
    let c = src.next()?;
    let hex = |src: &mut std::iter::Peekable<_>, n: usize| -> Option<u32> {
        let digits: String = (0..n).map_while(|_| Iterator::next(src)).collect();
        (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok())?
    };
    let ch = match c {
        'x' => return char::from_u32(hex(src, 2)?).map(|ch| (ch, 4)),
        'u' => {
            let first = hex(src, 4)?;
            if (0xD800..0xDC00).contains(&first) {
                // The low half follows as its own escape.
                if src.next()? != '\\' || src.next()? != 'u' {
                    return None;
                }
                let low = hex(src, 4)?;
                let code = 0x10000 + ((first - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
                return char::from_u32(code).map(|ch| (ch, 12));
            }
            return char::from_u32(first).map(|ch| (ch, 6));
        }
        'U' => return char::from_u32(hex(src, 8)?).map(|ch| (ch, 10)),
        'n' => '\n',
        't' | '\t' => '\t',
        'r' => '\r',
        'b' => '\u{8}',
        'f' => '\u{c}',
        '0' => '\0',
        'a' => '\u{7}',
        'v' => '\u{b}',
        'e' => '\u{1b}',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        ' ' => ' ',
        c => c,
    };
    Some((ch, 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn at(text: &str, pointer: &str, offset: usize) -> Place {
        let docs = parse(text).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let pos = &docs[0].scalars[pointer];
        let value = docs[0]
            .value
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap();
        place(&lines, pos, value, offset)
    }

    #[test]
    fn literal_blocks_map_line_by_line() {
        let text = "r:\n  expr: |\n    sum(\n      é_x)\n";
        assert_eq!(
            at(text, "/r/expr", 0),
            Place {
                line: 3,
                col: 5,
                exact: true
            }
        );
        // "sum(\n  é_x)": offset 7 is "é", 9 is "x".
        assert_eq!(
            at(text, "/r/expr", 7),
            Place {
                line: 4,
                col: 7,
                exact: true
            }
        );
        assert_eq!(
            at(text, "/r/expr", 9),
            Place {
                line: 4,
                col: 9,
                exact: true
            }
        );
    }

    #[test]
    fn quoted_scalars_decode_escapes() {
        let text = "{\"e\": \"a\\\"\\u00e9b\", \"s\": 'it''s x', \"p\": plain x}";
        // a " é b: offset 3 is b, after a, \", \u00e9.
        assert_eq!(
            at(text, "/e", 3),
            Place {
                line: 1,
                col: 17,
                exact: true
            }
        );
        assert_eq!(
            at(text, "/s", 5),
            Place {
                line: 1,
                col: 33,
                exact: true
            }
        );
        assert_eq!(
            at(text, "/p", 6),
            Place {
                line: 1,
                col: 48,
                exact: true
            }
        );
    }

    #[test]
    fn folded_and_broken_scalars_point_at_their_start() {
        let text = "e: >\n  a\n  b\np: x\n  y\n";
        assert_eq!(
            at(text, "/e", 2),
            Place {
                line: 2,
                col: 3,
                exact: false
            }
        );
        assert_eq!(
            at(text, "/p", 2),
            Place {
                line: 4,
                col: 4,
                exact: false
            }
        );
    }
}
