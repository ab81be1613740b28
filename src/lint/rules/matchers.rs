//! Label matchers that do not filter what they seem to.

use promql_parser::label::MatchOp;

use super::super::text::remove_list_item;
use super::super::tree::Cursor;
use super::super::{RuleInfo, Severity};
use super::Ctx;

/// Whether a (fully anchored) PromQL regex matches every string.
fn matches_everything(pattern: &str) -> bool {
    let mut p = pattern.trim();
    loop {
        let before = p;
        p = p.strip_prefix('^').unwrap_or(p);
        p = p.strip_suffix('$').unwrap_or(p);
        p = p.strip_prefix("(?s)").unwrap_or(p);
        if let Some(inner) = p
            .strip_prefix("(?:")
            .or_else(|| p.strip_prefix("(?s:"))
            .or_else(|| p.strip_prefix('('))
            .and_then(|s| s.strip_suffix(')'))
        {
            p = inner;
        }
        if p == before {
            break;
        }
    }
    matches!(p, ".*" | ".*?" | "(.*)")
}

/// A regex matcher that matches every value, a missing label included.
pub(super) const REGEX_ALWAYS_MATCHES: RuleInfo = RuleInfo {
    id: "regex-always-matches",
    severity: Severity::Info,
    summary: "A regex matcher such as pod=~\".*\" that matches everything.",
    docs: "PromQL regexes are anchored at both ends, and `.*` matches the empty string, which \
           is also the value of a missing label: `label=~\".*\"` keeps every series, those \
           without the label too, so it filters nothing. Remove it (the fix does, when the \
           selector keeps another matcher or its name), or use `label=~\".+\"` to require the \
           label.\n\n\
           Flagged: `sum by (namespace) (kube_pod_info{namespace=~\".*\"})`\n\n\
           Instead: `sum by (namespace) (kube_pod_info)`",
};

/// Reports [`REGEX_ALWAYS_MATCHES`] on each matcher whose regex matches every string.
pub(super) fn regex_always_matches(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((vs, sel)) = c.selector() else {
        return;
    };
    let or_free = vs.matchers.or_matchers.is_empty();
    for (i, m) in super::super::tree::all_matchers(vs).enumerate() {
        if !matches!(m.op, MatchOp::Re(_)) || !matches_everything(&m.value) || m.name == "__name__"
        {
            continue;
        }
        let node = sel.and_then(|s| s.matchers.get(i));
        let span = node.map(|n| n.span).unwrap_or_else(|| ctx.span(c, parents));
        let fix = if or_free {
            sel.and_then(|s| remove_list_item(&s.matcher_spans(), i, s.inner()?))
        } else {
            None
        };
        let label = crate::query::label_name_text(&m.name);
        ctx.report(
            &REGEX_ALWAYS_MATCHES,
            span,
            format!(
                "{label}=~\"{}\" matches every series, including those without a {label} label, \
                 so it filters nothing. Remove it, or use {label}=~\".+\" to require the label.",
                m.value
            ),
            fix,
        );
    }
}

/// The literal prefix of a `prefix-.*` style regex, if that is all the regex is. The prefix
/// may hold Grafana variables (`$workload-.*`, `${workload}-.*`): once Grafana substitutes
/// them it is a literal name like any other.
fn literal_prefix(pattern: &str) -> Option<&str> {
    let p = pattern.strip_prefix('^').unwrap_or(pattern);
    let p = p.strip_suffix('$').unwrap_or(p);
    let prefix = [".*", ".+"].iter().find_map(|s| p.strip_suffix(s))?;
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut rest = prefix;
    while let Some(c) = rest.chars().next() {
        rest = if c == '$' {
            strip_variable(rest)?
        } else if name_char(c) {
            &rest[1..]
        } else {
            return None;
        };
    }
    (!prefix.is_empty()).then_some(prefix)
}

/// `s` after the Grafana variable it starts with (`$name`, `${name}` or `${name:format}`).
fn strip_variable(s: &str) -> Option<&str> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let after = s.strip_prefix('$')?;
    if let Some(braced) = after.strip_prefix('{') {
        let end = braced.find('}')?;
        let inner = &braced[..end];
        let (name, _format) = inner.split_once(':').unwrap_or((inner, ""));
        return (!name.is_empty() && name.chars().all(is_name)).then_some(&braced[end + 1..]);
    }
    let len = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
    (len > 0).then_some(&after[len..])
}

/// A workload's pods selected by name prefix.
pub(super) const POD_PREFIX_REGEX: RuleInfo = RuleInfo {
    id: "pod-prefix-regex",
    severity: Severity::Warning,
    summary: "pod=~\"name-.*\" to select a workload's pods, which also matches other \
              workloads sharing the prefix.",
    docs: "Selecting a workload's pods by name prefix, `pod=~\"web-.*\"`, also selects the \
           pods of every other workload whose name starts the same way (`web-api-...`, \
           `web-worker-...`). Select them by owner instead: join on `namespace, pod` with \
           `kube_pod_owner`, or with kubernetes-mixin's \
           `namespace_workload_pod:kube_pod_owner:relabel`, which follows ReplicaSets to their \
           Deployment. A Grafana variable in the prefix (`$workload-.*`) stands for such a name and \
           is flagged too. There is no one-place rewrite, so no fix.\n\n\
           Flagged: `sum by (namespace, pod) (container_memory_working_set_bytes{namespace=\"shop\", pod=~\"web-.*\", container!=\"\"})`\n\n\
           Instead: `sum by (namespace, pod) (container_memory_working_set_bytes{namespace=\"shop\", container!=\"\"} * on (namespace, pod) group_left () namespace_workload_pod:kube_pod_owner:relabel{namespace=\"shop\", workload=\"web\", workload_type=\"deployment\"})`",
};

/// Reports [`POD_PREFIX_REGEX`] on each `pod` matcher whose regex is a literal prefix followed
/// by `.*` or `.+`.
pub(super) fn pod_prefix_regex(c: &Cursor, parents: &[Cursor], ctx: &mut Ctx) {
    let Some((vs, sel)) = c.selector() else {
        return;
    };
    for (i, m) in super::super::tree::all_matchers(vs).enumerate() {
        if m.name != "pod" || !matches!(m.op, MatchOp::Re(_)) {
            continue;
        }
        let Some(prefix) = literal_prefix(&m.value) else {
            continue;
        };
        let node = sel.and_then(|s| s.matchers.get(i));
        let span = node.map(|n| n.span).unwrap_or_else(|| ctx.span(c, parents));
        ctx.report(
            &POD_PREFIX_REGEX,
            span,
            format!(
                "pod=~\"{}\" selects every pod whose name starts with {prefix}, including the \
                 pods of other workloads ({prefix}api-..., {prefix}worker-...). Select a \
                 workload's pods by owner instead, e.g. join with \
                 namespace_workload_pod:kube_pod_owner:relabel or kube_pod_owner.",
                m.value
            ),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, fixed, marked};
    use super::{literal_prefix, matches_everything, POD_PREFIX_REGEX, REGEX_ALWAYS_MATCHES};

    #[test]
    fn always_matching_patterns() {
        for p in [".*", "^.*$", "(.*)", "(?:.*)", "(?s).*", ".*?", " .* "] {
            assert!(matches_everything(p), "{p}");
        }
        for p in [".+", "a.*", ".*a", "", "$pod", ".*|a"] {
            assert!(!matches_everything(p), "{p}");
        }
    }

    #[test]
    fn regex_always_matches() {
        let rule = REGEX_ALWAYS_MATCHES.id;
        let q = "sum(x{job=\"a\", pod=~\".*\"})";
        assert_eq!(marked(q, rule), ["pod=~\".*\""]);
        assert_eq!(fixed(q, rule), "sum(x{job=\"a\"})");
        // The only matcher of a nameless selector cannot go: no fix.
        let f = findings("{job=\"a\", pod=~\".*\"} + x{pod=~\"^.*$\"}", rule);
        assert_eq!(f.len(), 2);
        assert!(findings("x{pod=~\".+\"}", rule).is_empty());
        assert!(findings("x{pod!~\".*\"}", rule).is_empty());
    }

    #[test]
    fn pod_prefix() {
        let rule = POD_PREFIX_REGEX.id;
        assert_eq!(
            marked("sum(x{namespace=\"a\",pod=~\"web-.*\"})", rule),
            ["pod=~\"web-.*\""]
        );
        assert_eq!(marked("x{pod=~\"^web-.*\"}", rule).len(), 1);
        assert_eq!(
            marked("x{namespace=\"$namespace\", pod=~\"$workload-.*\"}", rule),
            ["pod=~\"$workload-.*\""]
        );
        for ok in [
            "x{pod=~\"$pod\"}",
            "x{pod=~\"${pod:regex}\"}",
            "x{pod=~\"web-[a-z0-9]{5}\"}",
            "x{pod=\"web-.*\"}",
            "x{pod=~\".*\"}",
        ] {
            assert!(findings(ok, rule).is_empty(), "{ok}");
        }
        assert_eq!(literal_prefix("web-.*"), Some("web-"));
        assert_eq!(literal_prefix("^api.+$"), Some("api"));
        assert_eq!(literal_prefix("a|b.*"), None);
        assert_eq!(literal_prefix("$workload-.*"), Some("$workload-"));
        assert_eq!(literal_prefix("${workload}-.+"), Some("${workload}-"));
        assert_eq!(
            literal_prefix("${workload:raw}-$shard-.*"),
            Some("${workload:raw}-$shard-")
        );
        assert_eq!(literal_prefix("$.*"), None);
        assert_eq!(literal_prefix("${}-.*"), None);
        assert_eq!(literal_prefix("${a-.*"), None);
    }
}
