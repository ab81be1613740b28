//! Byte spans, UTF-16 offsets, text edits and Grafana template masking.
//!
//! Everything inside the linter works on byte offsets into the query; only the public
//! [`Finding`](super::Finding) carries UTF-16 offsets, because that is what a JS editor indexes.

/// A half-open byte range `start..end` into the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text under the span, or "" when the span does not fit `src` (never panics).
    pub fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// Maps byte offsets of one string to UTF-16 code unit offsets.
pub(super) struct Utf16Map {
    /// `(byte offset, utf16 offset)` at every char start, plus the end; empty for ASCII text.
    table: Vec<(usize, usize)>,
    len: usize,
}

impl Utf16Map {
    pub fn new(src: &str) -> Self {
        let table = if src.is_ascii() {
            Vec::new()
        } else {
            let mut table = Vec::with_capacity(src.len() + 1);
            let mut u16_pos = 0;
            for (byte, ch) in src.char_indices() {
                table.push((byte, u16_pos));
                u16_pos += ch.len_utf16();
            }
            table.push((src.len(), u16_pos));
            table
        };
        Utf16Map {
            table,
            len: src.len(),
        }
    }

    /// The UTF-16 offset of byte offset `byte`; offsets inside a char round down to its start.
    pub fn convert(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        if self.table.is_empty() {
            return byte;
        }
        match self.table.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(i) => self.table[i].1,
            Err(i) => self.table[i.saturating_sub(1)].1,
        }
    }
}

/// A replacement of one byte span of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            span: Span::new(at, at),
            text: text.into(),
        }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Edit {
            span,
            text: text.into(),
        }
    }

    pub fn delete(span: Span) -> Self {
        Edit {
            span,
            text: String::new(),
        }
    }

    /// `src` with this edit applied, or `None` when the span does not fit `src`.
    pub fn apply(&self, src: &str) -> Option<String> {
        let head = src.get(..self.span.start)?;
        let tail = src.get(self.span.end..)?;
        let mut out = String::with_capacity(head.len() + self.text.len() + tail.len());
        out.push_str(head);
        out.push_str(&self.text);
        out.push_str(tail);
        Some(out)
    }
}

/// The edit that removes item `index` of a comma-separated list, with its separator.
///
/// `items` are the spans of the list items in order; `inner` is the span between the list's
/// delimiters (inside `(...)` or `{...}`), used when the last remaining item goes.
pub(super) fn remove_list_item(items: &[Span], index: usize, inner: Span) -> Option<Edit> {
    let item = *items.get(index)?;
    if items.len() == 1 {
        // Also drops a trailing comma, which `{,}` or `(,)` would not allow.
        return Some(Edit::delete(inner));
    }
    if let Some(next) = items.get(index + 1) {
        Some(Edit::delete(Span::new(item.start, next.start)))
    } else {
        let prev = items.get(index.checked_sub(1)?)?;
        Some(Edit::delete(Span::new(prev.end, item.end)))
    }
}

/// The separator a list already uses between its items: `", "` unless it is written tight.
pub(super) fn list_separator(items: &[Span], src: &str) -> &'static str {
    match items {
        [first, second, ..] => {
            let between = Span::new(first.end, second.start).text(src);
            if between.contains(", ") || between.contains(" ,") {
                ", "
            } else if between == "," {
                ","
            } else {
                ", "
            }
        }
        _ => ", ",
    }
}

/// A query with its Grafana template variables in `[...]` replaced by same-length durations.
pub(super) struct Masked {
    pub text: String,
    /// Byte spans of the replaced variables (identical in the original and the masked text).
    pub variables: Vec<Span>,
}

impl Masked {
    /// Whether `span` touches a replaced template variable.
    pub fn is_templated(&self, span: Span) -> bool {
        self.variables
            .iter()
            .any(|v| v.start < span.end.max(span.start + 1) && span.start < v.end)
    }
}

/// Replaces Grafana variables used as range durations (`[$__rate_interval]`, `[${__interval}]`,
/// `[5m:$__interval]`) by durations of the same byte length, so that dashboard queries parse and
/// every offset stays valid in the original text. Variables elsewhere are left alone: they are
/// not PromQL, and the parse error says so.
pub(super) fn mask_template_variables(src: &str) -> Masked {
    if !src.contains('$') {
        return Masked {
            text: src.to_owned(),
            variables: Vec::new(),
        };
    }
    let bytes = src.as_bytes();
    let mut out: Vec<u8> = bytes.to_vec();
    let mut variables = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut in_brackets = false;
    let mut in_comment = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_comment {
            if b == b'\n' || b == b'\r' {
                in_comment = false;
            }
            i += 1;
            continue;
        }
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' | b'`' if !in_brackets => quote = Some(b),
            b'#' if !in_brackets => in_comment = true,
            b'[' => in_brackets = true,
            b']' => in_brackets = false,
            b'$' if in_brackets => {
                let len = variable_len(&bytes[i..]);
                if len >= 2 {
                    let span = Span::new(i, i + len);
                    let replacement = placeholder_duration(len);
                    out[i..i + len].copy_from_slice(replacement.as_bytes());
                    variables.push(span);
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes, so this cannot fail; fall back to the
    // original text rather than panic if it ever did.
    match String::from_utf8(out) {
        Ok(text) => Masked { text, variables },
        Err(_) => Masked {
            text: src.to_owned(),
            variables: Vec::new(),
        },
    }
}

/// Length in bytes of a Grafana variable reference at the start of `bytes` (`$name` or
/// `${name}` / `${name:format}`), or 0.
fn variable_len(bytes: &[u8]) -> usize {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    match bytes.get(1) {
        Some(b'{') => {
            let mut j = 2;
            while let Some(&b) = bytes.get(j) {
                if b == b'}' {
                    return if j > 2 { j + 1 } else { 0 };
                }
                if !(is_name(b) || b == b':' || b == b'.') {
                    return 0;
                }
                j += 1;
            }
            0
        }
        Some(&b) if is_name(b) => {
            let mut j = 1;
            while bytes.get(j).is_some_and(|&b| is_name(b)) {
                j += 1;
            }
            j
        }
        _ => 0,
    }
}

/// A PromQL duration of exactly `len >= 2` bytes: leading zeros, then `1m`.
fn placeholder_duration(len: usize) -> String {
    let mut s = "0".repeat(len.saturating_sub(2));
    s.push_str("1m");
    s
}

/// The byte offset of the first Grafana template variable (`$var`, `${var}`) that masking left
/// in place: outside strings, comments and `[...]` ranges, where no placeholder can stand in
/// for it because it could be a number, a label name or a whole selector.
pub(super) fn bare_template_variable(src: &str) -> Option<usize> {
    let masked = mask_template_variables(src);
    let bytes = masked.text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'\'' | b'`' => quote = Some(b),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                    continue;
                }
                b'$' if variable_len(&bytes[i..]) >= 2 => return Some(i),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_surrogate_pairs_and_multibyte_chars() {
        let src = "aé😀b";
        let map = Utf16Map::new(src);
        assert_eq!(map.convert(0), 0);
        assert_eq!(map.convert(1), 1); // é starts
        assert_eq!(map.convert(3), 2); // 😀 starts (é is 2 bytes, 1 unit)
        assert_eq!(map.convert(7), 4); // b (😀 is 4 bytes, 2 units)
        assert_eq!(map.convert(8), 5);
        assert_eq!(map.convert(100), 5);
        assert_eq!(map.convert(2), 1, "inside é rounds down to its start");
    }

    #[test]
    fn ascii_map_is_identity() {
        let map = Utf16Map::new("abc");
        assert_eq!(map.convert(2), 2);
        assert_eq!(map.convert(9), 3);
    }

    #[test]
    fn masks_only_variables_inside_brackets() {
        let src = r#"rate(x{pod="$pod"}[$__rate_interval]) + rate(y[${__interval}]) > $t"#;
        let m = mask_template_variables(src);
        assert_eq!(m.text.len(), src.len());
        assert!(m.text.contains(r#"pod="$pod""#));
        assert!(m.text.contains(&format!("[{}1m]", "0".repeat(14))));
        assert!(m.text.contains(&format!("[{}1m]", "0".repeat(11))));
        assert!(m.text.ends_with("> $t"));
        assert_eq!(m.variables.len(), 2);
        assert_eq!(m.variables[0].text(src), "$__rate_interval");
        assert_eq!(m.variables[1].text(src), "${__interval}");
        assert!(promql_parser::parser::parse(m.text.trim_end_matches(" > $t")).is_ok());
    }

    #[test]
    fn masks_subquery_step_and_ignores_bare_dollar() {
        let m = mask_template_variables("max_over_time(x[1h:$step]) [$]");
        assert!(m.text.starts_with("max_over_time(x[1h:0001m])"));
        assert!(m.text.ends_with("[$]"));
        assert_eq!(m.variables.len(), 1);
    }

    #[test]
    fn list_item_removal_keeps_the_list_well_formed() {
        // (a, b, c)
        let src = "(a, b, c)";
        let items = [Span::new(1, 2), Span::new(4, 5), Span::new(7, 8)];
        let inner = Span::new(1, 8);
        let apply = |i| {
            remove_list_item(&items, i, inner)
                .unwrap()
                .apply(src)
                .unwrap()
        };
        assert_eq!(apply(0), "(b, c)");
        assert_eq!(apply(1), "(a, c)");
        assert_eq!(apply(2), "(a, b)");
        let one = [Span::new(1, 2)];
        let e = remove_list_item(&one, 0, Span::new(1, 3)).unwrap();
        assert_eq!(e.apply("(a,)").unwrap(), "()");
        assert!(remove_list_item(&one, 3, inner).is_none());
    }

    #[test]
    fn separator_follows_the_existing_style() {
        let src = "(a,b)";
        assert_eq!(
            list_separator(&[Span::new(1, 2), Span::new(3, 4)], src),
            ","
        );
        let src = "(a, b)";
        assert_eq!(
            list_separator(&[Span::new(1, 2), Span::new(4, 5)], src),
            ", "
        );
        assert_eq!(list_separator(&[Span::new(1, 2)], src), ", ");
    }

    #[test]
    fn edits_never_panic_on_bad_spans() {
        assert!(Edit::insert(99, "x").apply("abc").is_none());
        assert!(Edit::delete(Span::new(1, 2)).apply("é").is_none());
        assert_eq!(Span::new(5, 9).text("abc"), "");
    }
}
