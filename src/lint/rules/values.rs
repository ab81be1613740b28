//! Whether an expression's sample values, or only its series, reach the query's result.
//!
//! Many PromQL idioms read series for their labels or their presence and never for their
//! values: `count(x)` counts series, `absent(x)` tests that there are none, the right-hand side
//! of `and` filters by labels, `timestamp(x)` reads when a sample was taken. A rule about
//! values (a raw counter added up) has nothing to say inside them, however the values are
//! combined underneath: in `count(sum by (cpu) (node_cpu_seconds_total))` the sum's values are
//! never read. [`values_matter`] follows the path from the query's root down to one expression
//! and decides, one operator at a time, whether the values below can change what is above.

use promql_parser::parser::Expr;

use super::super::tree::Cursor;

/// Functions whose result does not depend on the values of their argument: they test presence
/// (`absent`, `absent_over_time`, `present_over_time`), count samples (`count_over_time`) or
/// read sample times (`timestamp`).
const VALUE_BLIND_FUNCTIONS: &[&str] = &[
    "absent",
    "absent_over_time",
    "present_over_time",
    "count_over_time",
    "timestamp",
];

/// Whether the sample values of `c` can change the query's result. `parents` is the chain of
/// expressions from the root down to `c`'s parent, as the walk passes it to every check.
///
/// Relevance is decided top-down and can come back: in `count(x > 5)` the count reads no
/// values, but the filter below it does, so `x`'s values matter again.
pub(super) fn values_matter(c: &Cursor, parents: &[Cursor]) -> bool {
    let mut matter = true;
    for (i, parent) in parents.iter().enumerate() {
        let child = parents.get(i + 1).unwrap_or(c);
        matter = child_values_matter(parent, child.expr, matter);
    }
    matter
}

/// Whether the values of `child`, an operand of `parent`, matter, given whether `parent`'s own
/// values do.
fn child_values_matter(parent: &Cursor, child: &Expr, parent_matters: bool) -> bool {
    match parent.expr {
        Expr::Aggregate(a) => {
            if a.param.as_deref().is_some_and(|p| std::ptr::eq(p, child)) {
                // topk's k, quantile's φ, count_values' label name.
                return parent_matters;
            }
            match a.op.to_string().as_str() {
                // One result per group whatever the values: the number of series, or 1.
                "count" | "group" => false,
                // Which series come out depends on the values: topk and bottomk select by
                // value, and count_values turns each distinct value into a label, so even
                // `count(count_values("v", x))` reads x's values.
                "topk" | "bottomk" | "count_values" => true,
                // sum, avg, min, max, stddev, stdvar, quantile compute from the values;
                // limitk and limit_ratio pick series without looking at them but pass them on.
                _ => parent_matters,
            }
        }
        Expr::Call(call) => {
            // Every other function passes its argument's values on, transformed or not
            // (label_replace and label_join only rewrite labels, sort only orders).
            !VALUE_BLIND_FUNCTIONS.contains(&call.func.name) && parent_matters
        }
        Expr::Binary(b) => {
            let is_rhs = std::ptr::eq(&*b.rhs, child);
            let op = b.op.to_string();
            if b.op.is_set_operator() {
                // `and` and `unless` keep or drop the left-hand series by the labels of the
                // right-hand ones; `or` passes the samples of both sides through.
                return parent_matters && (op == "or" || !is_rhs);
            }
            if b.op.is_comparison_operator() && !b.return_bool() {
                // A filter: which series pass depends on both sides' values, even where the
                // values that pass are never read.
                return true;
            }
            let other = if is_rhs { &*b.lhs } else { &*b.rhs };
            if op == "*" && is_zero(other) {
                // `0 * x` keeps x's labels and drops its (finite) values: the way to join on
                // labels alone.
                return false;
            }
            parent_matters
        }
        // Parentheses, unary minus and subqueries pass their operand's values on.
        _ => parent_matters,
    }
}

/// Whether `e` is the number 0, in parentheses or not.
fn is_zero(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(n) => n.val == 0.0,
        Expr::Paren(p) => is_zero(&p.expr),
        _ => false,
    }
}

/// Whether only the presence of `c`'s series (by their labels) reaches the result, not their
/// number or values: `c` is on the right-hand side of `and`/`unless`, or inside absent(),
/// absent_over_time(), present_over_time() or timestamp().
///
/// This is narrower than "values do not matter": `count(x)` reads no values but counts every
/// series, so an extra series (cAdvisor's pod-level cgroup) still changes it.
pub(super) fn only_presence_matters(c: &Cursor, parents: &[Cursor]) -> bool {
    let mut child = *c;
    for p in parents.iter().rev() {
        if let Expr::Binary(b) = p.expr {
            let op = b.op.to_string();
            if (op == "and" || op == "unless") && std::ptr::eq(&*b.rhs, child.expr) {
                return true;
            }
        }
        if let Expr::Call(call) = p.expr {
            if matches!(
                call.func.name,
                "absent" | "absent_over_time" | "present_over_time" | "timestamp"
            ) {
                return true;
            }
        }
        child = *p;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::super::syntax::Node;
    use super::super::super::{lexer, syntax};
    use super::*;

    /// Whether the values of the first selector named `name` in `q` matter.
    fn matter(q: &str, name: &str) -> bool {
        let expr = promql_parser::parser::parse(q).unwrap();
        let tokens = lexer::lex(q).unwrap();
        let node: Option<Node> = syntax::parse(q, &tokens).ok();
        fn find<'a>(c: Cursor<'a>, name: &str, path: &mut Vec<Cursor<'a>>) -> Option<bool> {
            if let Expr::VectorSelector(vs) = c.expr {
                if vs.name.as_deref() == Some(name) {
                    return Some(values_matter(&c, path));
                }
            }
            path.push(c);
            for child in c.children() {
                if let Some(found) = find(child, name, path) {
                    return Some(found);
                }
            }
            path.pop();
            None
        }
        find(Cursor::new(&expr, node.as_ref()), name, &mut Vec::new())
            .unwrap_or_else(|| panic!("no selector {name} in {q}"))
    }

    #[test]
    fn counting_and_presence_read_no_values() {
        for q in [
            "count(x)",
            "count by (instance) (sum by (instance, cpu) (x))",
            "group by (node) (x)",
            "absent(x)",
            "absent(sum(x))",
            "timestamp(x)",
            "count_over_time(sum(x)[5m:])",
            "y and x",
            "y unless on (pod) x",
            "label_replace(y, \"a\", \"$1\", \"b\", \"(.*)\") + on (pod) group_left 0 * x",
            "count by (node) (x * on (pod) group_left (node) topk by (pod) (1, y))",
        ] {
            assert!(!matter(q, "x"), "{q}");
        }
    }

    #[test]
    fn filters_selections_and_passing_operators_read_values() {
        for q in [
            "x",
            "sum(x)",
            "count(x > 5)",
            "count(sum(x) > 5)",
            "count(topk(3, x))",
            "count(count_values(\"v\", x))",
            "y or x",
            "x and y",
            "sort_desc(label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\"))",
            "y * on (pod) group_left topk by (pod) (1, x)",
            "max_over_time(sum(x)[1h:])",
            "x * 2",
        ] {
            assert!(matter(q, "x"), "{q}");
        }
        // A bool comparison yields 0 or 1 per series: its operands matter only if it does.
        assert!(!matter("count(x > bool 5)", "x"));
    }
}
