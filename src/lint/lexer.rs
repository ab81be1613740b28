//! A PromQL tokenizer that keeps byte positions.
//!
//! promql-parser's AST carries no positions and its errors carry none either, so the linter
//! tokenizes the query itself. This lexer follows promql-parser 0.11's lexer state by state
//! (same token boundaries, same accepted inputs, same error messages) so that the two agree on
//! every input; a differential property test checks that.

use super::text::Span;

/// Token kinds, at the granularity the positioned parser needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// A name without `:`; keywords are told apart by their text (see [`keyword`]).
    Ident,
    /// A name with `:` (recording rule names); never a keyword.
    MetricIdent,
    /// `fill`, `fill_left` or `fill_right` followed by `(`: a binary operator modifier.
    FillKw,
    Number,
    Duration,
    Str,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    At,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    /// `==`
    EqlC,
    /// `=`
    Eql,
    Neq,
    Lss,
    Lte,
    Gtr,
    Gte,
    EqlRegex,
    NeqRegex,
    /// `or` inside braces (`{a="1" or b="2"}`)
    BraceOr,
    Eof,
}

/// One token: its kind and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Tok,
    pub span: Span,
}

/// A lexing failure: promql-parser's message and the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LexError {
    pub span: Span,
    pub message: String,
}

/// Keywords, by lower-cased text. Case-insensitive, like promql-parser. The `fill*` modifiers
/// are not here: they are keywords only where the lexer makes them [`Tok::FillKw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    And,
    Or,
    Unless,
    Atan2,
    Aggregator,
    Offset,
    By,
    Without,
    On,
    Ignoring,
    GroupLeft,
    GroupRight,
    Bool,
    Smoothed,
    Anchored,
    Start,
    End,
}

/// The keyword an identifier's text spells, if any.
pub(super) fn keyword(text: &str) -> Option<Keyword> {
    let lower = text.to_ascii_lowercase();
    Some(match lower.as_str() {
        "and" => Keyword::And,
        "or" => Keyword::Or,
        "unless" => Keyword::Unless,
        "atan2" => Keyword::Atan2,
        "sum" | "avg" | "count" | "min" | "max" | "group" | "stddev" | "stdvar" | "topk"
        | "bottomk" | "count_values" | "quantile" | "limitk" | "limit_ratio" => Keyword::Aggregator,
        "offset" => Keyword::Offset,
        "by" => Keyword::By,
        "without" => Keyword::Without,
        "on" => Keyword::On,
        "ignoring" => Keyword::Ignoring,
        "group_left" => Keyword::GroupLeft,
        "group_right" => Keyword::GroupRight,
        "bool" => Keyword::Bool,
        "smoothed" => Keyword::Smoothed,
        "anchored" => Keyword::Anchored,
        "start" => Keyword::Start,
        "end" => Keyword::End,
        _ => return None,
    })
}

const ESCAPE_SYMBOLS: &str = r"abfnrtv\01234567xuU";

fn is_alpha(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_alpha_numeric(c: char) -> bool {
    is_alpha(c) || c.is_ascii_digit()
}

struct Lexer<'a> {
    src: &'a str,
    /// Current byte position.
    pos: usize,
    /// Start of the token being scanned.
    start: usize,
    /// Byte positions of the unclosed `(`.
    parens: Vec<usize>,
    brace_open: bool,
    bracket_open: bool,
    got_colon: bool,
    tokens: Vec<Token>,
}

/// Tokenizes `src`, ending with an [`Tok::Eof`] token.
pub(super) fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        start: 0,
        parens: Vec::new(),
        brace_open: false,
        bracket_open: false,
        got_colon: false,
        tokens: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn peek_at(&self, byte: usize) -> Option<char> {
        self.src.get(byte..).and_then(|s| s.chars().next())
    }

    fn pop(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn accept(&mut self, f: impl Fn(char) -> bool) -> bool {
        match self.peek() {
            Some(c) if f(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, f: impl Fn(char) -> bool) {
        while self.accept(&f) {}
    }

    fn emit(&mut self, kind: Tok) {
        self.tokens.push(Token {
            kind,
            span: Span::new(self.start, self.pos),
        });
        self.start = self.pos;
    }

    fn error(&self, message: impl Into<String>) -> LexError {
        let end = if self.pos > self.start {
            self.pos
        } else {
            // Point at the next char when nothing was consumed yet.
            self.start + self.peek().map_or(0, char::len_utf8)
        };
        LexError {
            span: Span::new(self.start, end),
            message: message.into(),
        }
    }

    /// The error for the single char that was just popped.
    fn char_error(&self, c: char, message: impl Into<String>) -> LexError {
        let start = self.pos - c.len_utf8();
        LexError {
            span: Span::new(start, self.pos),
            message: message.into(),
        }
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            self.start = self.pos;
            if self.brace_open {
                self.inside_braces()?;
                continue;
            }
            if self.bracket_open {
                self.inside_brackets()?;
                continue;
            }
            let Some(c) = self.pop() else {
                if let Some(&open) = self.parens.last() {
                    return Err(LexError {
                        span: Span::new(open, open + 1),
                        message: "unclosed left parenthesis".into(),
                    });
                }
                self.emit(Tok::Eof);
                return Ok(());
            };
            match c {
                '#' => self.skip_comment(),
                '@' => self.emit(Tok::At),
                ',' => self.emit(Tok::Comma),
                '*' => self.emit(Tok::Mul),
                '/' => self.emit(Tok::Div),
                '%' => self.emit(Tok::Mod),
                '+' => self.emit(Tok::Add),
                '-' => self.emit(Tok::Sub),
                '^' => self.emit(Tok::Pow),
                '=' => match self.peek() {
                    Some('=') => {
                        self.pop();
                        self.emit(Tok::EqlC);
                    }
                    Some('~') => {
                        self.pop();
                        return Err(self.error("unexpected character after '=': '~'"));
                    }
                    _ => self.emit(Tok::Eql),
                },
                '!' => match self.pop() {
                    Some('=') => self.emit(Tok::Neq),
                    Some(ch) => {
                        return Err(self.error(format!("unexpected character after '!': '{ch}'")))
                    }
                    None => return Err(self.error("'!' can not be at the end")),
                },
                '<' => {
                    if self.accept(|c| c == '=') {
                        self.emit(Tok::Lte);
                    } else {
                        self.emit(Tok::Lss);
                    }
                }
                '>' => {
                    if self.accept(|c| c == '=') {
                        self.emit(Tok::Gte);
                    } else {
                        self.emit(Tok::Gtr);
                    }
                }
                c if c.is_ascii_whitespace() => {
                    self.accept_run(|c| c.is_ascii_whitespace());
                }
                c if c.is_ascii_digit() => {
                    self.pos -= 1;
                    self.number_or_duration()?;
                }
                '.' => match self.peek() {
                    Some(d) if d.is_ascii_digit() => {
                        self.pos -= 1;
                        self.number_or_duration()?;
                    }
                    Some(ch) => {
                        return Err(
                            self.char_error(c, format!("unexpected character after '.': '{ch}'"))
                        )
                    }
                    None => return Err(self.char_error(c, "unexpected character: '.'")),
                },
                c if is_alpha(c) || c == ':' => self.keyword_or_identifier(),
                '"' | '\'' | '`' => self.string(c)?,
                '(' => {
                    self.parens.push(self.start);
                    self.emit(Tok::LParen);
                }
                ')' => {
                    if self.parens.pop().is_none() {
                        return Err(self.char_error(c, "unexpected right parenthesis ')'"));
                    }
                    self.emit(Tok::RParen);
                }
                '{' => {
                    self.brace_open = true;
                    self.emit(Tok::LBrace);
                }
                '}' => return Err(self.char_error(c, "unexpected right brace '}'")),
                '[' => {
                    self.got_colon = false;
                    self.bracket_open = true;
                    self.emit(Tok::LBracket);
                }
                ']' => return Err(self.char_error(c, "unexpected right bracket ']'")),
                other => {
                    return Err(self.char_error(other, format!("unexpected character: {other:?}")))
                }
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.pop() {
            if c == '\r' || c == '\n' {
                break;
            }
        }
    }

    fn inside_braces(&mut self) -> Result<(), LexError> {
        let Some(c) = self.pop() else {
            return Err(self.error("unexpected end of input inside braces"));
        };
        match c {
            '#' => self.skip_comment(),
            ',' => self.emit(Tok::Comma),
            'o' | 'O' => {
                if matches!(self.peek(), Some('r') | Some('R')) {
                    self.pop();
                    if self.peek() == Some(' ') {
                        self.emit(Tok::BraceOr);
                        return Ok(());
                    }
                }
                self.accept_run(is_alpha_numeric);
                self.emit(Tok::Ident);
            }
            c if c.is_ascii_whitespace() => self.accept_run(|c| c.is_ascii_whitespace()),
            c if is_alpha(c) => {
                self.accept_run(is_alpha_numeric);
                self.emit(Tok::Ident);
            }
            '"' | '\'' | '`' => self.string(c)?,
            '=' => {
                if self.accept(|c| c == '~') {
                    self.emit(Tok::EqlRegex);
                } else {
                    self.emit(Tok::Eql);
                }
            }
            '!' => match self.pop() {
                Some('~') => self.emit(Tok::NeqRegex),
                Some('=') => self.emit(Tok::Neq),
                Some(ch) => {
                    return Err(self.error(format!(
                        "unexpected character after '!' inside braces: '{ch}'"
                    )))
                }
                None => return Err(self.error("'!' can not be at the end")),
            },
            '{' => return Err(self.char_error(c, "unexpected left brace '{' inside braces")),
            '}' => {
                self.brace_open = false;
                self.emit(Tok::RBrace);
            }
            other => {
                return Err(self.char_error(
                    other,
                    format!("unexpected character inside braces: '{other}'"),
                ))
            }
        }
        Ok(())
    }

    fn inside_brackets(&mut self) -> Result<(), LexError> {
        let Some(c) = self.pop() else {
            return Err(self.error("unexpected end of input inside brackets"));
        };
        match c {
            c if c.is_ascii_whitespace() => self.accept_run(|c| c.is_ascii_whitespace()),
            ':' => {
                if self.got_colon {
                    return Err(self.char_error(c, "unexpected second colon(:) in brackets"));
                }
                let before = self.start.checked_sub(1).and_then(|b| self.peek_at(b));
                if before == Some('[') {
                    return Err(
                        self.char_error(c, "expect duration before first colon(:) in brackets")
                    );
                }
                self.got_colon = true;
                self.emit(Tok::Colon);
            }
            c if c.is_ascii_digit() => {
                self.pos -= 1;
                self.number_or_duration()?;
            }
            ']' => {
                self.bracket_open = false;
                self.got_colon = false;
                self.emit(Tok::RBracket);
            }
            '[' => return Err(self.char_error(c, "unexpected left brace '[' inside brackets")),
            other => {
                return Err(self.char_error(
                    other,
                    format!("unexpected character inside brackets: '{other}'"),
                ))
            }
        }
        Ok(())
    }

    /// Scans from the current position (a digit or `.`), like promql-parser's
    /// `accept_number_or_duration`.
    fn number_or_duration(&mut self) -> Result<(), LexError> {
        if self.scan_number() {
            self.emit(Tok::Number);
            return Ok(());
        }
        if self.accept_remaining_duration() {
            self.emit(Tok::Duration);
            return Ok(());
        }
        self.pop();
        let text = Span::new(self.start, self.pos).text(self.src);
        Err(self.error(format!("bad number or duration syntax: {text}")))
    }

    fn scan_number(&mut self) -> bool {
        let mut hex = false;
        if self.accept(|c| c == '0') && self.accept(|c| c == 'x' || c == 'X') {
            hex = true;
        }
        let digit = |c: char| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        };
        self.accept_run(digit);
        if self.accept(|c| c == '.') {
            self.accept_run(digit);
        }
        if self.accept(|c| c == 'e' || c == 'E') {
            self.accept(|c| c == '+' || c == '-');
            self.accept_run(|c| c.is_ascii_digit());
        }
        !matches!(self.peek(), Some(c) if is_alpha(c) || c == '.')
    }

    fn accept_remaining_duration(&mut self) -> bool {
        if !self.accept(|c| "smhdwy".contains(c)) {
            return false;
        }
        self.accept(|c| c == 's');
        while self.accept(|c| c.is_ascii_digit()) {
            self.accept_run(|c| c.is_ascii_digit());
            if !self.accept(|c| "smhdw".contains(c)) {
                return false;
            }
            self.accept(|c| c == 's');
        }
        !matches!(self.peek(), Some(c) if is_alpha_numeric(c))
    }

    fn keyword_or_identifier(&mut self) {
        self.accept_run(|c| is_alpha_numeric(c) || c == ':');
        let text = Span::new(self.start, self.pos).text(self.src);
        let lower = text.to_ascii_lowercase();
        if lower == "inf" || lower == "nan" {
            self.emit(Tok::Number);
            return;
        }
        match lower.as_str() {
            "fill" | "fill_left" | "fill_right" => {
                // fill* are names unless a `(` follows (after ASCII whitespace).
                let rest = self.src.get(self.pos..).unwrap_or("");
                let next = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
                if next.starts_with('(') {
                    self.emit(Tok::FillKw);
                } else {
                    // Not followed by `(`: promql-parser lexes it as a plain identifier.
                    self.emit(Tok::Ident);
                }
            }
            _ if text.contains(':') => self.emit(Tok::MetricIdent),
            _ => self.emit(Tok::Ident),
        }
    }

    fn string(&mut self, quote: char) -> Result<(), LexError> {
        while let Some(c) = self.pop() {
            if c == '\\' {
                match self.pop() {
                    Some(e) if e == quote || ESCAPE_SYMBOLS.contains(e) => continue,
                    Some(e) => {
                        return Err(self.char_error(e, format!("unknown escape sequence '{e}'")))
                    }
                    None => return Err(self.error("escape sequence not terminated")),
                }
            }
            if c == quote {
                self.emit(Tok::Str);
                return Ok(());
            }
        }
        Err(self.error(format!("unterminated quoted string {quote}")))
    }
}
