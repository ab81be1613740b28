//! promql-parser's `Expr` and the positioned [`Node`] tree, walked side by side.

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, VectorSelector};

use super::syntax::{Kind, Node, Selector};

/// One expression: its meaning (promql-parser) and, when the two trees agree, its position.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor<'a> {
    pub expr: &'a Expr,
    pub node: Option<&'a Node>,
}

fn same_shape(expr: &Expr, node: &Node) -> bool {
    matches!(
        (expr, &node.kind),
        (Expr::Aggregate(_), Kind::Aggregate(_))
            | (Expr::Unary(_), Kind::Unary(_))
            | (Expr::Binary(_), Kind::Binary(_))
            | (Expr::Paren(_), Kind::Paren(_))
            | (Expr::Subquery(_), Kind::Subquery(_))
            | (Expr::NumberLiteral(_), Kind::Number)
            | (Expr::StringLiteral(_), Kind::Str)
            | (Expr::VectorSelector(_), Kind::Vector(_))
            | (Expr::MatrixSelector(_), Kind::Matrix(_))
            | (Expr::Call(_), Kind::Call(_))
    )
}

impl<'a> Cursor<'a> {
    /// Pairs `expr` with `node`, dropping the position when the shapes disagree.
    pub fn new(expr: &'a Expr, node: Option<&'a Node>) -> Self {
        Cursor {
            expr,
            node: node.filter(|n| same_shape(expr, n)),
        }
    }

    /// Sub-expressions in source order.
    pub fn children(&self) -> Vec<Cursor<'a>> {
        let kind = self.node.map(|n| &n.kind);
        match self.expr {
            Expr::Aggregate(a) => {
                let args: &[Node] = match kind {
                    Some(Kind::Aggregate(n)) => &n.args,
                    _ => &[],
                };
                match (&a.param, args) {
                    (Some(p), [pn, en]) => {
                        vec![Cursor::new(p, Some(pn)), Cursor::new(&a.expr, Some(en))]
                    }
                    (Some(p), _) => vec![Cursor::new(p, None), Cursor::new(&a.expr, None)],
                    (None, [en]) => vec![Cursor::new(&a.expr, Some(en))],
                    (None, _) => vec![Cursor::new(&a.expr, None)],
                }
            }
            Expr::Unary(u) => {
                let n = match kind {
                    Some(Kind::Unary(n)) => Some(&**n),
                    _ => None,
                };
                vec![Cursor::new(&u.expr, n)]
            }
            Expr::Binary(b) => {
                let (l, r) = match kind {
                    Some(Kind::Binary(n)) => (Some(&*n.lhs), Some(&*n.rhs)),
                    _ => (None, None),
                };
                vec![Cursor::new(&b.lhs, l), Cursor::new(&b.rhs, r)]
            }
            Expr::Paren(p) => {
                let n = match kind {
                    Some(Kind::Paren(n)) => Some(&**n),
                    _ => None,
                };
                vec![Cursor::new(&p.expr, n)]
            }
            Expr::Subquery(s) => {
                let n = match kind {
                    Some(Kind::Subquery(n)) => Some(&*n.expr),
                    _ => None,
                };
                vec![Cursor::new(&s.expr, n)]
            }
            Expr::Call(c) => {
                let nodes: &[Node] = match kind {
                    Some(Kind::Call(n)) if n.args.len() == c.args.args.len() => &n.args,
                    _ => &[],
                };
                c.args
                    .args
                    .iter()
                    .enumerate()
                    .map(|(i, e)| Cursor::new(e, nodes.get(i)))
                    .collect()
            }
            Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::VectorSelector(_)
            | Expr::MatrixSelector(_)
            | Expr::Extension(_) => Vec::new(),
        }
    }

    /// Looks through any parentheses.
    pub fn unparen(self) -> Cursor<'a> {
        let mut c = self;
        while matches!(c.expr, Expr::Paren(_)) {
            match c.children().first() {
                Some(inner) => c = *inner,
                None => break,
            }
        }
        c
    }

    /// The vector selector of a `VectorSelector` or `MatrixSelector`, with its position.
    pub fn selector(&self) -> Option<(&'a VectorSelector, Option<&'a Selector>)> {
        match (self.expr, self.node.map(|n| &n.kind)) {
            (Expr::VectorSelector(vs), Some(Kind::Vector(s))) => Some((vs, Some(&**s))),
            (Expr::VectorSelector(vs), _) => Some((vs, None)),
            (Expr::MatrixSelector(ms), Some(Kind::Matrix(m))) => Some((&ms.vs, Some(&m.selector))),
            (Expr::MatrixSelector(ms), _) => Some((&ms.vs, None)),
            _ => None,
        }
    }

    /// The function name of a call.
    pub fn call_name(&self) -> Option<&'static str> {
        match self.expr {
            Expr::Call(c) => Some(c.func.name),
            _ => None,
        }
    }
}

/// The metric name of a selector: its name, or an exact `__name__` matcher.
pub(super) fn metric_name(vs: &VectorSelector) -> Option<&str> {
    if let Some(name) = &vs.name {
        return Some(name);
    }
    all_matchers(vs)
        .find(|m| m.name == "__name__" && m.op == MatchOp::Equal)
        .map(|m| m.value.as_str())
}

/// Every matcher of a selector in source order (promql-parser splits `or` groups out).
pub(super) fn all_matchers(vs: &VectorSelector) -> impl Iterator<Item = &Matcher> {
    vs.matchers
        .matchers
        .iter()
        .chain(vs.matchers.or_matchers.iter().flatten())
}

/// The alternatives of a selector: one group of ANDed matchers, or several joined by `or`.
pub(super) fn matcher_groups(vs: &VectorSelector) -> Vec<&[Matcher]> {
    if vs.matchers.or_matchers.is_empty() {
        vec![vs.matchers.matchers.as_slice()]
    } else {
        vs.matchers
            .or_matchers
            .iter()
            .map(Vec::as_slice)
            .chain(Some(vs.matchers.matchers.as_slice()).filter(|m| !m.is_empty()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lexer, syntax};
    use super::*;

    #[test]
    fn pairs_every_node_of_a_typical_query() {
        let src = r#"histogram_quantile(0.9, sum by (le) (rate(x_bucket{a="b"}[5m]))) > bool -1"#;
        let expr = promql_parser::parser::parse(src).unwrap();
        let tokens = lexer::lex(src).unwrap();
        let node = syntax::parse(src, &tokens).unwrap();
        fn count(c: Cursor, paired: &mut usize, total: &mut usize) {
            *total += 1;
            if c.node.is_some() {
                *paired += 1;
            }
            for child in c.children() {
                count(child, paired, total);
            }
        }
        let (mut paired, mut total) = (0, 0);
        count(Cursor::new(&expr, Some(&node)), &mut paired, &mut total);
        assert_eq!(total, 7);
        assert_eq!(paired, total);
    }

    #[test]
    fn metric_name_from_name_matcher() {
        let Expr::VectorSelector(vs) =
            promql_parser::parser::parse(r#"{__name__="up", job="a"}"#).unwrap()
        else {
            panic!("not a selector")
        };
        assert_eq!(metric_name(&vs), Some("up"));
        let Expr::VectorSelector(vs) = promql_parser::parser::parse(r#"{a="1" or b="2"}"#).unwrap()
        else {
            panic!("not a selector")
        };
        assert_eq!(matcher_groups(&vs).len(), 2);
        assert_eq!(all_matchers(&vs).count(), 2);
    }
}
