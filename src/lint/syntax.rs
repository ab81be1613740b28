//! A positioned PromQL parser: the same tree shape as promql-parser's `Expr`, with spans.
//!
//! promql-parser decides whether a query is valid and what it means; this parser only says where
//! each piece is. It follows promql-parser 0.11's grammar (`promql.y`) and tree construction
//! (a unary `+` disappears, `-` on a number literal folds into the literal), so the two trees
//! can be walked side by side. It also bounds nesting, which promql-parser does not.

use super::lexer::{keyword, Keyword, Tok, Token};
use super::text::Span;

/// Deepest expression tree the linter accepts. Real dashboard queries stay far below; the bound
/// keeps every recursive walk (ours and promql-parser's) within a small stack, as in wasm.
pub(super) const MAX_DEPTH: usize = 64;

/// Largest number of seconds a number may spell where a duration is expected; larger values
/// (and NaN, Inf) make promql-parser panic in `Duration::from_secs_f64`.
const MAX_DURATION_SECONDS: f64 = 1e12;

/// A positioned expression.
#[derive(Debug)]
pub(super) struct Node {
    /// The whole expression, modifiers (`offset`, `@`) included.
    pub span: Span,
    /// Height of the tree under this node, 1 for a leaf.
    pub depth: usize,
    pub kind: Kind,
}

/// What a [`Node`] is; one variant per promql-parser `Expr` variant.
#[derive(Debug)]
///
/// The variants are boxed to keep `Node` small: the parser recurses once per nesting level and
/// moves nodes through every frame, which in unoptimized (and wasm) builds sets the stack size
/// needed for the deepest accepted query.
pub(super) enum Kind {
    Aggregate(Box<Aggregate>),
    Unary(Box<Node>),
    Binary(Box<Binary>),
    Paren(Box<Node>),
    Subquery(Box<Subquery>),
    Number,
    Str,
    Vector(Box<Selector>),
    Matrix(Box<Matrix>),
    Call(Box<Call>),
}

/// `(a, b, c)` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
#[derive(Debug)]
pub(super) struct LabelList {
    /// From `(` to `)` inclusive.
    pub parens: Span,
    pub labels: Vec<Label>,
}

impl LabelList {
    /// Between the parentheses.
    pub fn inner(&self) -> Span {
        Span::new(self.parens.start + 1, self.parens.end.saturating_sub(1))
    }

    pub fn spans(&self) -> Vec<Span> {
        self.labels.iter().map(|l| l.span).collect()
    }
}

/// One label name in a [`LabelList`].
#[derive(Debug)]
pub(super) struct Label {
    pub span: Span,
    pub name: String,
}

/// A keyword with its label list, such as `by (pod)`.
#[derive(Debug)]
pub(super) struct Grouping {
    pub keyword: Span,
    pub list: LabelList,
}

#[derive(Debug)]
pub(super) struct Aggregate {
    pub op: Span,
    pub grouping: Option<Grouping>,
    pub args: Vec<Node>,
}

#[derive(Debug)]
pub(super) struct Binary {
    pub lhs: Box<Node>,
    pub op: Span,
    pub rhs: Box<Node>,
}

#[derive(Debug)]
pub(super) struct Subquery {
    pub expr: Box<Node>,
    /// The range duration token.
    pub range: Span,
}

/// `name{matchers}`, `name` or `{matchers}`.
#[derive(Debug)]
pub(super) struct Selector {
    pub name: Option<Span>,
    /// From `{` to `}` inclusive.
    pub braces: Option<Span>,
    /// In source order, which is promql-parser's flattened order (`matchers`, then
    /// `or_matchers`).
    pub matchers: Vec<MatcherNode>,
    /// Whether `or` separates matchers.
    pub has_or: bool,
}

impl Selector {
    /// Name and braces, without modifiers.
    pub fn span(&self) -> Option<Span> {
        match (self.name, self.braces) {
            (Some(n), Some(b)) => Some(n.to(b)),
            (Some(n), None) => Some(n),
            (None, Some(b)) => Some(b),
            (None, None) => None,
        }
    }

    pub fn matcher_spans(&self) -> Vec<Span> {
        self.matchers.iter().map(|m| m.span).collect()
    }

    /// Between the braces.
    pub fn inner(&self) -> Option<Span> {
        self.braces
            .map(|b| Span::new(b.start + 1, b.end.saturating_sub(1)))
    }
}

/// One label matcher such as `container!=""`.
#[derive(Debug)]
pub(super) struct MatcherNode {
    pub span: Span,
}

#[derive(Debug)]
pub(super) struct Matrix {
    pub selector: Selector,
    /// The range duration token.
    pub range: Span,
}

#[derive(Debug)]
pub(super) struct Call {
    pub name: Span,
    pub args: Vec<Node>,
}

/// Where and why the positioned parser gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// The error is a limit of this linter (depth, duration size), not a PromQL syntax error:
    /// the query must not be handed to promql-parser.
    pub fatal: bool,
}

/// Finds a number used as a duration (after `[`, `:` in brackets, or `offset`) that
/// promql-parser could not turn into a `Duration` without panicking. Runs over the raw tokens so
/// it holds even where [`parse`] gives up earlier than promql-parser would.
pub(super) fn check_durations(src: &str, tokens: &[Token]) -> Option<SyntaxError> {
    let mut prev: [Option<Tok>; 2] = [None, None];
    let mut prev_is_offset = [false, false];
    for t in tokens {
        if t.kind == Tok::Number {
            let after_offset = prev_is_offset[0]
                || (matches!(prev[0], Some(Tok::Add | Tok::Sub)) && prev_is_offset[1]);
            let in_range = matches!(prev[0], Some(Tok::LBracket | Tok::Colon));
            if after_offset || in_range {
                let text = t.span.text(src);
                if !duration_number_ok(text) {
                    return Some(SyntaxError {
                        span: t.span,
                        message: format!("duration out of range: {text}"),
                        fatal: true,
                    });
                }
            }
        }
        let is_offset = t.kind == Tok::Ident && keyword(t.span.text(src)) == Some(Keyword::Offset);
        prev = [Some(t.kind), prev[0]];
        prev_is_offset = [is_offset, prev_is_offset[0]];
    }
    None
}

fn duration_number_ok(text: &str) -> bool {
    promql_parser::util::parse_str_radix(text)
        .map(|v| v.is_finite() && (0.0..=MAX_DURATION_SECONDS).contains(&v))
        .unwrap_or(true)
}

/// Parses a token stream (from [`super::lexer::lex`]) of `src`.
pub(super) fn parse(src: &str, tokens: &[Token]) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
    };
    let node = p.expr(0)?;
    let t = p.peek();
    if t.kind != Tok::Eof {
        return Err(p.unexpected(t, "an operator or the end of the query"));
    }
    Ok(node)
}

struct Parser<'a> {
    src: &'a str,
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

const EOF: Token = Token {
    kind: Tok::Eof,
    span: Span { start: 0, end: 0 },
};

/// Binding power of a binary operator, and whether it is right-associative.
fn binary_precedence(kind: Tok, text: &str) -> Option<(u8, bool)> {
    Some(match kind {
        Tok::EqlC | Tok::Neq | Tok::Lss | Tok::Lte | Tok::Gtr | Tok::Gte => (3, false),
        Tok::Add | Tok::Sub => (4, false),
        Tok::Mul | Tok::Div | Tok::Mod => (5, false),
        Tok::Pow => (6, true),
        Tok::Ident => match keyword(text)? {
            Keyword::Or => (1, false),
            Keyword::And | Keyword::Unless => (2, false),
            Keyword::Atan2 => (5, false),
            _ => return None,
        },
        _ => return None,
    })
}

/// Unary minus binds like `*` in promql.y (`%prec MUL`): its operand extends over `^` only.
const UNARY_OPERAND_PRECEDENCE: u8 = 6;

impl<'a> Parser<'a> {
    fn peek(&self) -> Token {
        self.tokens.get(self.pos).copied().unwrap_or(EOF)
    }

    fn peek2(&self) -> Token {
        self.tokens.get(self.pos + 1).copied().unwrap_or(EOF)
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn text(&self, t: Token) -> &'a str {
        t.span.text(self.src)
    }

    fn kw(&self, t: Token) -> Option<Keyword> {
        if t.kind == Tok::Ident {
            keyword(self.text(t))
        } else {
            None
        }
    }

    fn describe(&self, t: Token) -> String {
        if t.kind == Tok::Eof {
            "end of input".to_owned()
        } else {
            let text = self.text(t);
            let short: String = text.chars().take(40).collect();
            format!("\"{short}\"")
        }
    }

    fn unexpected(&self, t: Token, expected: &str) -> SyntaxError {
        let span = if t.kind == Tok::Eof {
            Span::new(self.src.len(), self.src.len())
        } else {
            t.span
        };
        SyntaxError {
            span,
            message: format!("unexpected {}; expected {expected}", self.describe(t)),
            fatal: false,
        }
    }

    fn expect(&mut self, kind: Tok, expected: &str) -> Result<Token, SyntaxError> {
        let t = self.peek();
        if t.kind == kind {
            Ok(self.bump())
        } else {
            Err(self.unexpected(t, expected))
        }
    }

    fn too_deep(span: Span) -> SyntaxError {
        SyntaxError {
            span,
            message: format!("the query nests deeper than {MAX_DEPTH} levels"),
            fatal: true,
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Self::too_deep(self.peek().span));
        }
        Ok(())
    }

    fn leaf(span: Span, kind: Kind) -> Node {
        Node {
            span,
            depth: 1,
            kind,
        }
    }

    fn expr(&mut self, min_prec: u8) -> Result<Node, SyntaxError> {
        self.enter()?;
        let result = self.expr_inner(min_prec);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min_prec: u8) -> Result<Node, SyntaxError> {
        let mut lhs = self.unary()?;
        loop {
            let t = self.peek();
            match t.kind {
                Tok::LBracket => {
                    lhs = self.range(lhs)?;
                    continue;
                }
                Tok::At => {
                    lhs = self.at(lhs)?;
                    continue;
                }
                Tok::Ident if self.kw(t) == Some(Keyword::Offset) => {
                    lhs = self.offset(lhs)?;
                    continue;
                }
                _ => {}
            }
            let Some((prec, right)) = binary_precedence(t.kind, self.text(t)) else {
                break;
            };
            if prec < min_prec {
                break;
            }
            let op = self.bump();
            self.binary_modifiers()?;
            let rhs = self.expr(if right { prec } else { prec + 1 })?;
            let span = lhs.span.to(rhs.span);
            let children = [&lhs, &rhs];
            let depth = 1 + children.iter().map(|c| c.depth).max().unwrap_or(0);
            if depth > MAX_DEPTH {
                return Err(Self::too_deep(op.span));
            }
            lhs = Node {
                span,
                depth,
                kind: Kind::Binary(Box::new(Binary {
                    lhs: Box::new(lhs),
                    op: op.span,
                    rhs: Box::new(rhs),
                })),
            };
        }
        Ok(lhs)
    }

    /// `bool`, `on|ignoring (...)`, `group_left|group_right [(...)]`, `fill*(n)`, in the
    /// order promql.y accepts them.
    fn binary_modifiers(&mut self) -> Result<(), SyntaxError> {
        if self.kw(self.peek()) == Some(Keyword::Bool) {
            self.bump();
        }
        if matches!(
            self.kw(self.peek()),
            Some(Keyword::On) | Some(Keyword::Ignoring)
        ) {
            self.bump();
            self.label_list()?;
            if matches!(
                self.kw(self.peek()),
                Some(Keyword::GroupLeft) | Some(Keyword::GroupRight)
            ) {
                self.bump();
                if self.peek().kind == Tok::LParen {
                    self.label_list()?;
                }
            }
        } else if matches!(
            self.kw(self.peek()),
            Some(Keyword::GroupLeft) | Some(Keyword::GroupRight)
        ) {
            let t = self.peek();
            return Err(SyntaxError {
                span: t.span,
                message: format!(
                    "unexpected <{}>: group modifiers need on(...) or ignoring(...) first",
                    self.text(t).to_ascii_lowercase()
                ),
                fatal: false,
            });
        }
        let mut fills = 0;
        while self.peek().kind == Tok::FillKw && fills < 2 {
            self.bump();
            self.expect(Tok::LParen, "\"(\" after fill")?;
            if matches!(self.peek().kind, Tok::Add | Tok::Sub) {
                self.bump();
            }
            self.expect(Tok::Number, "a number as fill value")?;
            self.expect(Tok::RParen, "\")\"")?;
            fills += 1;
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        let t = self.peek();
        match t.kind {
            Tok::Sub => {
                self.bump();
                let operand = self.expr(UNARY_OPERAND_PRECEDENCE)?;
                let span = t.span.to(operand.span);
                if matches!(operand.kind, Kind::Number) {
                    // promql-parser folds `-1` into the literal.
                    return Ok(Node {
                        span,
                        depth: operand.depth,
                        kind: Kind::Number,
                    });
                }
                let depth = operand.depth + 1;
                if depth > MAX_DEPTH {
                    return Err(Self::too_deep(span));
                }
                Ok(Node {
                    span,
                    depth,
                    kind: Kind::Unary(Box::new(operand)),
                })
            }
            Tok::Add => {
                self.bump();
                // promql-parser drops a unary `+` altogether.
                self.expr(UNARY_OPERAND_PRECEDENCE)
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, SyntaxError> {
        let t = self.peek();
        match t.kind {
            Tok::Number | Tok::Duration => {
                self.bump();
                Ok(Self::leaf(t.span, Kind::Number))
            }
            Tok::Str => {
                self.bump();
                Ok(Self::leaf(t.span, Kind::Str))
            }
            Tok::LParen => {
                self.bump();
                let inner = self.expr(0)?;
                let close = self.expect(Tok::RParen, "\")\"")?;
                let span = t.span.to(close.span);
                let depth = inner.depth + 1;
                if depth > MAX_DEPTH {
                    return Err(Self::too_deep(span));
                }
                Ok(Node {
                    span,
                    depth,
                    kind: Kind::Paren(Box::new(inner)),
                })
            }
            Tok::LBrace => {
                let selector = self.selector(None)?;
                let span = selector.span().unwrap_or(t.span);
                Ok(Self::leaf(span, Kind::Vector(Box::new(selector))))
            }
            Tok::MetricIdent => {
                self.bump();
                let selector = self.selector(Some(t.span))?;
                let span = selector.span().unwrap_or(t.span);
                Ok(Self::leaf(span, Kind::Vector(Box::new(selector))))
            }
            Tok::Ident => self.word(t),
            _ => Err(self.unexpected(t, "an expression")),
        }
    }

    /// An identifier or keyword in expression position.
    fn word(&mut self, t: Token) -> Result<Node, SyntaxError> {
        let next = self.peek2();
        let kw = self.kw(t);
        match kw {
            Some(Keyword::Aggregator)
                if next.kind == Tok::LParen
                    || matches!(self.kw(next), Some(Keyword::By) | Some(Keyword::Without)) =>
            {
                return self.aggregate();
            }
            Some(Keyword::Start) | Some(Keyword::End) | None if next.kind == Tok::LParen => {
                return self.call();
            }
            _ => {}
        }
        let metric_name = matches!(
            kw,
            None | Some(Keyword::Aggregator)
                | Some(Keyword::By)
                | Some(Keyword::Without)
                | Some(Keyword::And)
                | Some(Keyword::Or)
                | Some(Keyword::Unless)
                | Some(Keyword::Offset)
                | Some(Keyword::Start)
                | Some(Keyword::End)
        );
        if !metric_name {
            return Err(self.unexpected(t, "an expression"));
        }
        self.bump();
        let selector = self.selector(Some(t.span))?;
        let span = selector.span().unwrap_or(t.span);
        Ok(Self::leaf(span, Kind::Vector(Box::new(selector))))
    }

    fn selector(&mut self, name: Option<Span>) -> Result<Selector, SyntaxError> {
        let mut selector = Selector {
            name,
            braces: None,
            matchers: Vec::new(),
            has_or: false,
        };
        if self.peek().kind != Tok::LBrace {
            return Ok(selector);
        }
        let open = self.bump();
        loop {
            let t = self.peek();
            match t.kind {
                Tok::RBrace => {
                    self.bump();
                    selector.braces = Some(open.span.to(t.span));
                    return Ok(selector);
                }
                Tok::Ident | Tok::Str => {
                    let matcher = self.matcher()?;
                    selector.matchers.push(matcher);
                }
                _ => return Err(self.unexpected(t, "a label matcher or \"}\"")),
            }
            let sep = self.peek();
            match sep.kind {
                Tok::Comma => {
                    self.bump();
                }
                Tok::BraceOr => {
                    self.bump();
                    selector.has_or = true;
                    if self.peek().kind == Tok::RBrace {
                        return Err(self.unexpected(self.peek(), "a label matcher after \"or\""));
                    }
                }
                Tok::RBrace => {}
                _ => return Err(self.unexpected(sep, "\",\" or \"}\"")),
            }
        }
    }

    fn matcher(&mut self) -> Result<MatcherNode, SyntaxError> {
        let name = self.bump();
        let op = self.peek();
        if !matches!(op.kind, Tok::Eql | Tok::Neq | Tok::EqlRegex | Tok::NeqRegex) {
            if name.kind == Tok::Str {
                // `{"metric_name"}`
                return Ok(MatcherNode { span: name.span });
            }
            return Err(SyntaxError {
                span: name.span,
                message: format!(
                    "invalid label matcher, expected label matching operator after '{}'",
                    self.text(name)
                ),
                fatal: false,
            });
        }
        self.bump();
        let value = self.expect(Tok::Str, "a quoted label value")?;
        Ok(MatcherNode {
            span: name.span.to(value.span),
        })
    }

    fn label_list(&mut self) -> Result<LabelList, SyntaxError> {
        let open = self.expect(Tok::LParen, "\"(\" and a list of labels")?;
        let mut labels = Vec::new();
        loop {
            let t = self.peek();
            match t.kind {
                Tok::RParen => {
                    self.bump();
                    return Ok(LabelList {
                        parens: open.span.to(t.span),
                        labels,
                    });
                }
                Tok::Ident | Tok::MetricIdent | Tok::FillKw => {
                    self.bump();
                    labels.push(Label {
                        span: t.span,
                        name: self.text(t).to_owned(),
                    });
                }
                Tok::Str => {
                    self.bump();
                    let name =
                        promql_parser::util::unquote_string(self.text(t)).unwrap_or_default();
                    labels.push(Label { span: t.span, name });
                }
                _ => return Err(self.unexpected(t, "a label name or \")\"")),
            }
            let sep = self.peek();
            match sep.kind {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {}
                _ => return Err(self.unexpected(sep, "\",\" or \")\"")),
            }
        }
    }

    fn grouping(&mut self) -> Result<Option<Grouping>, SyntaxError> {
        if matches!(
            self.kw(self.peek()),
            Some(Keyword::By) | Some(Keyword::Without)
        ) {
            let keyword = self.bump().span;
            let list = self.label_list()?;
            return Ok(Some(Grouping { keyword, list }));
        }
        Ok(None)
    }

    fn aggregate(&mut self) -> Result<Node, SyntaxError> {
        let op = self.bump();
        let mut grouping = self.grouping()?;
        let (body, args) = self.call_body()?;
        let mut end = body.end;
        if grouping.is_none() {
            grouping = self.grouping()?;
            if let Some(g) = &grouping {
                end = g.list.parens.end;
            }
        }
        let span = Span::new(op.span.start, end);
        let children: Vec<&Node> = args.iter().collect();
        let depth = 1 + children.iter().map(|c| c.depth).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(span));
        }
        Ok(Node {
            span,
            depth,
            kind: Kind::Aggregate(Box::new(Aggregate {
                op: op.span,
                grouping,
                args,
            })),
        })
    }

    fn call(&mut self) -> Result<Node, SyntaxError> {
        let name = self.bump();
        let (body, args) = self.call_body()?;
        let span = name.span.to(body);
        let depth = 1 + args.iter().map(|c| c.depth).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(span));
        }
        Ok(Node {
            span,
            depth,
            kind: Kind::Call(Box::new(Call {
                name: name.span,
                args,
            })),
        })
    }

    /// `( expr, expr, ... )`; returns the span of the parentheses and the arguments.
    fn call_body(&mut self) -> Result<(Span, Vec<Node>), SyntaxError> {
        let open = self.expect(Tok::LParen, "\"(\"")?;
        let mut args = Vec::new();
        if self.peek().kind == Tok::RParen {
            let close = self.bump();
            return Ok((open.span.to(close.span), args));
        }
        loop {
            args.push(self.expr(0)?);
            let t = self.peek();
            match t.kind {
                Tok::Comma => {
                    self.bump();
                    if self.peek().kind == Tok::RParen {
                        return Err(SyntaxError {
                            span: t.span,
                            message: "trailing commas not allowed in function call args".into(),
                            fatal: false,
                        });
                    }
                }
                Tok::RParen => {
                    self.bump();
                    return Ok((open.span.to(t.span), args));
                }
                _ => return Err(self.unexpected(t, "\",\" or \")\"")),
            }
        }
    }

    /// A duration token where promql.y expects `duration` (range, subquery step, offset).
    fn duration(&mut self) -> Result<Token, SyntaxError> {
        let t = self.peek();
        match t.kind {
            Tok::Duration => Ok(self.bump()),
            Tok::Number => {
                let text = self.text(t);
                if !duration_number_ok(text) {
                    return Err(SyntaxError {
                        span: t.span,
                        message: format!("duration out of range: {text}"),
                        fatal: true,
                    });
                }
                Ok(self.bump())
            }
            Tok::RBracket => Err(SyntaxError {
                span: t.span,
                message: "missing unit character in duration".into(),
                fatal: false,
            }),
            _ => Err(self.unexpected(t, "a duration")),
        }
    }

    /// `[range]` or `[range:step]` after `lhs`.
    fn range(&mut self, lhs: Node) -> Result<Node, SyntaxError> {
        let open = self.bump();
        let range = self.duration()?;
        if self.peek().kind == Tok::Colon {
            self.bump();
            if self.peek().kind != Tok::RBracket {
                self.duration()?;
            }
            let close = self.expect(Tok::RBracket, "\"]\"")?;
            let span = lhs.span.to(close.span);
            let depth = lhs.depth + 1;
            if depth > MAX_DEPTH {
                return Err(Self::too_deep(span));
            }
            return Ok(Node {
                span,
                depth,
                kind: Kind::Subquery(Box::new(Subquery {
                    expr: Box::new(lhs),
                    range: range.span,
                })),
            });
        }
        let close = self.expect(Tok::RBracket, "\"]\" or \":\"")?;
        match lhs.kind {
            Kind::Vector(selector) => Ok(Node {
                span: lhs.span.to(close.span),
                depth: lhs.depth,
                kind: Kind::Matrix(Box::new(Matrix {
                    selector: *selector,
                    range: range.span,
                })),
            }),
            _ => Err(SyntaxError {
                span: open.span.to(close.span),
                message: "ranges only allowed for vector selectors".into(),
                fatal: false,
            }),
        }
    }

    fn offset(&mut self, mut lhs: Node) -> Result<Node, SyntaxError> {
        self.bump();
        if matches!(self.peek().kind, Tok::Add | Tok::Sub) {
            self.bump();
        }
        let d = self.duration()?;
        lhs.span = lhs.span.to(d.span);
        Ok(lhs)
    }

    fn at(&mut self, mut lhs: Node) -> Result<Node, SyntaxError> {
        self.bump();
        let t = self.peek();
        let end = match t.kind {
            Tok::Number | Tok::Duration => self.bump().span,
            Tok::Add | Tok::Sub => {
                self.bump();
                let n = self.peek();
                if !matches!(n.kind, Tok::Number | Tok::Duration) {
                    return Err(self.unexpected(n, "a timestamp"));
                }
                self.bump().span
            }
            Tok::Ident if matches!(self.kw(t), Some(Keyword::Start) | Some(Keyword::End)) => {
                self.bump();
                self.expect(Tok::LParen, "\"(\"")?;
                self.expect(Tok::RParen, "\")\"")?.span
            }
            _ => return Err(self.unexpected(t, "a timestamp, start() or end()")),
        };
        lhs.span = lhs.span.to(end);
        Ok(lhs)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn parse_str(src: &str) -> Result<Node, SyntaxError> {
        let tokens = lex(src).map_err(|e| SyntaxError {
            span: e.span,
            message: e.message,
            fatal: false,
        })?;
        parse(src, &tokens)
    }

    fn shape(n: &Node, src: &str) -> String {
        let t = n.span.text(src);
        match &n.kind {
            Kind::Aggregate(a) => format!(
                "agg[{}]({})",
                t,
                a.args
                    .iter()
                    .map(|c| shape(c, src))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Kind::Unary(c) => format!("neg({})", shape(c, src)),
            Kind::Binary(b) => format!(
                "bin[{}]({},{})",
                b.op.text(src),
                shape(&b.lhs, src),
                shape(&b.rhs, src)
            ),
            Kind::Paren(c) => format!("paren({})", shape(c, src)),
            Kind::Subquery(s) => format!("sub[{}]({})", s.range.text(src), shape(&s.expr, src)),
            Kind::Number => format!("num[{t}]"),
            Kind::Str => format!("str[{t}]"),
            Kind::Vector(_) => format!("vec[{t}]"),
            Kind::Matrix(m) => format!("mat[{t}|{}]", m.range.text(src)),
            Kind::Call(c) => format!(
                "call[{}]({})",
                c.name.text(src),
                c.args
                    .iter()
                    .map(|c| shape(c, src))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }

    fn sh(src: &str) -> String {
        match parse_str(src) {
            Ok(n) => shape(&n, src),
            Err(e) => format!("ERR {} @{}..{}", e.message, e.span.start, e.span.end),
        }
    }

    #[test]
    fn precedence_matches_promql() {
        assert_eq!(sh("a + b * c"), "bin[+](vec[a],bin[*](vec[b],vec[c]))");
        assert_eq!(sh("a - b - c"), "bin[-](bin[-](vec[a],vec[b]),vec[c])");
        assert_eq!(sh("a ^ b ^ c"), "bin[^](vec[a],bin[^](vec[b],vec[c]))");
        assert_eq!(sh("-a ^ b"), "neg(bin[^](vec[a],vec[b]))");
        assert_eq!(sh("-a * b"), "bin[*](neg(vec[a]),vec[b])");
        assert_eq!(
            sh("a or b and c"),
            "bin[or](vec[a],bin[and](vec[b],vec[c]))"
        );
        assert_eq!(sh("a > b + 1"), "bin[>](vec[a],bin[+](vec[b],num[1]))");
        assert_eq!(
            sh("a atan2 b + c"),
            "bin[+](bin[atan2](vec[a],vec[b]),vec[c])"
        );
    }

    #[test]
    fn postfix_modifiers_bind_tightest() {
        assert_eq!(sh("a + b[5m]"), "bin[+](vec[a],mat[b[5m]|5m])");
        assert_eq!(sh("-a offset 5m"), "neg(vec[a offset 5m])");
        assert_eq!(
            sh("rate(x{a=\"b\"}[5m] offset 1h)"),
            "call[rate](mat[x{a=\"b\"}[5m] offset 1h|5m])"
        );
        assert_eq!(sh("sum(x)[5m:1m] @ end()"), "sub[5m](agg[sum(x)](vec[x]))");
    }

    #[test]
    fn folds_like_promql_parser() {
        assert_eq!(sh("-1"), "num[-1]");
        assert_eq!(sh("- -1"), "num[- -1]");
        assert_eq!(sh("-(1)"), "neg(paren(num[1]))");
        assert_eq!(sh("+a"), "vec[a]");
    }

    #[test]
    fn aggregations_and_groupings() {
        assert_eq!(
            sh("sum by (pod) (rate(x[5m]))"),
            "agg[sum by (pod) (rate(x[5m]))](call[rate](mat[x[5m]|5m]))"
        );
        assert_eq!(
            sh("sum(x) without (a,)"),
            "agg[sum(x) without (a,)](vec[x])"
        );
        assert_eq!(sh("topk(5, x)"), "agg[topk(5, x)](num[5],vec[x])");
        let src = "sum by (le, \"pod\") (x)";
        let n = parse_str(src).unwrap();
        let Kind::Aggregate(a) = &n.kind else {
            panic!("not an aggregate")
        };
        let g = a.grouping.as_ref().unwrap();
        let names: Vec<&str> = g.list.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["le", "pod"]);
        assert_eq!(g.list.inner().text(src), "le, \"pod\"");
    }

    #[test]
    fn keywords_as_metric_names() {
        assert_eq!(sh("sum"), "vec[sum]");
        assert_eq!(sh("by{a=\"1\"}"), "vec[by{a=\"1\"}]");
        assert_eq!(sh("fill + 1"), "bin[+](vec[fill],num[1])");
        assert!(sh("on").starts_with("ERR"));
    }

    #[test]
    fn binary_modifiers() {
        assert_eq!(
            sh("a / on(pod) group_left(node) b"),
            "bin[/](vec[a],vec[b])"
        );
        assert_eq!(sh("a > bool 1"), "bin[>](vec[a],num[1])");
        assert_eq!(sh("a + fill(0) b"), "bin[+](vec[a],vec[b])");
        assert!(sh("a / group_left b").starts_with("ERR"));
    }

    #[test]
    fn selector_spans() {
        let src = "x{a=\"1\", b=~\"2\" or c!=\"3\"} offset 5m";
        let n = parse_str(src).unwrap();
        assert_eq!(n.span.text(src), src);
        let Kind::Vector(s) = &n.kind else {
            panic!("not a selector")
        };
        assert!(s.has_or);
        assert_eq!(
            s.span().unwrap().text(src),
            "x{a=\"1\", b=~\"2\" or c!=\"3\"}"
        );
        let texts: Vec<&str> = s.matchers.iter().map(|m| m.span.text(src)).collect();
        assert_eq!(texts, ["a=\"1\"", "b=~\"2\"", "c!=\"3\""]);
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        assert_eq!(sh("sum(x"), "ERR unclosed left parenthesis @3..4");
        assert_eq!(sh("sum(x))"), "ERR unexpected right parenthesis ')' @6..7");
        assert_eq!(
            sh("rate(x[5m]) +"),
            "ERR unexpected end of input; expected an expression @13..13"
        );
        assert_eq!(
            sh("a b"),
            "ERR unexpected \"b\"; expected an operator or the end of the query @2..3"
        );
        assert_eq!(
            sh("f(a,)"),
            "ERR trailing commas not allowed in function call args @3..4"
        );
        assert_eq!(sh("x[]"), "ERR missing unit character in duration @2..3");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 5),
            ")".repeat(MAX_DEPTH + 5)
        );
        let err = parse_str(&deep).unwrap_err();
        assert!(err.fatal);
        let chain = vec!["a"; MAX_DEPTH + 5].join(" + ");
        assert!(parse_str(&chain).unwrap_err().fatal);
        let negs = format!("{}a", "-".repeat(MAX_DEPTH + 5));
        assert!(parse_str(&negs).unwrap_err().fatal);
        let ok = vec!["a"; MAX_DEPTH - 2].join(" + ");
        assert!(parse_str(&ok).is_ok());
    }

    #[test]
    fn huge_durations_are_refused_before_promql_parser_sees_them() {
        for q in [
            "x[1e999]",
            "x offset nan",
            "x offset Inf",
            "x[99999999999999999999]",
        ] {
            let err = parse_str(q).unwrap_err();
            assert!(err.fatal, "{q}");
            assert!(err.message.starts_with("duration out of range"), "{q}");
        }
        assert!(parse_str("x[300]").is_ok());
    }
}
