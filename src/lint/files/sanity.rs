//! The checks on rule files beyond their queries: what Prometheus refuses to load, and the
//! few conventions whose breach silently loses an alert.
//!
//! Each check is an id and a severity ([`Check`]), which its findings carry; summaries and docs
//! are only in [`FILE_RULES`], so the wasm module, which never lists the rules, carries none.

use crate::lint::{RuleInfo, Severity};

/// What the findings of one check carry.
pub(super) struct Check {
    pub id: &'static str,
    pub severity: Severity,
}

/// A rule has neither or both of `alert` and `record`.
pub(super) const ALERT_OR_RECORD: Check = Check {
    id: "rule-alert-or-record",
    severity: Severity::Error,
};

/// A rule without `expr`.
pub(super) const MISSING_EXPR: Check = Check {
    id: "rule-missing-expr",
    severity: Severity::Error,
};

/// A recording rule's name is not a classic metric name.
pub(super) const RECORD_NAME: Check = Check {
    id: "record-name-invalid",
    severity: Severity::Warning,
};

/// `for`, `keep_firing_for` or a group's `interval` is not a duration.
pub(super) const BAD_DURATION: Check = Check {
    id: "rule-duration-invalid",
    severity: Severity::Error,
};

/// A recording rule with fields only alerts have.
pub(super) const RECORD_ALERT_FIELD: Check = Check {
    id: "recording-rule-alert-field",
    severity: Severity::Error,
};

/// An alert without a `severity` label.
pub(super) const ALERT_SEVERITY: Check = Check {
    id: "alert-without-severity",
    severity: Severity::Warning,
};

/// Two rules of a group with the same name and labels.
pub(super) const DUPLICATE_RULE: Check = Check {
    id: "duplicate-rule",
    severity: Severity::Warning,
};

/// A group without a name, or with the name of another group of the file.
pub(super) const GROUP_NAME: Check = Check {
    id: "group-name-invalid",
    severity: Severity::Error,
};

/// Every check of the file lint beyond the query rules, with what it checks and why.
pub const FILE_RULES: &[RuleInfo] = &[
    RuleInfo {
        id: ALERT_OR_RECORD.id,
        severity: ALERT_OR_RECORD.severity,
        summary: "A rule must have exactly one of `alert` and `record`.",
        docs: "Prometheus refuses to load a rule file with a rule that has neither an `alert` nor a \
               `record` name, or both: the rule is either an alert or a recording rule.",
    },
    RuleInfo {
        id: MISSING_EXPR.id,
        severity: MISSING_EXPR.severity,
        summary: "A rule must have an `expr`.",
        docs: "Prometheus refuses to load a rule file with a rule whose `expr` is missing or empty.",
    },
    RuleInfo {
        id: RECORD_NAME.id,
        severity: RECORD_NAME.severity,
        summary: "A recording rule's `record` must be a metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`.",
        docs:
            "The series a recording rule writes is named by `record`. Prometheus before 3.0 \
               refuses other names, and with 3.0's UTF-8 names every query must select it as \
               `{\"the name\"}`. The `level:metric:operations` convention uses colons, which are valid.",
    },
    RuleInfo {
        id: BAD_DURATION.id,
        severity: BAD_DURATION.severity,
        summary: "`for`, `keep_firing_for` and a group's `interval` must be durations such as `5m`.",
        docs: "Prometheus refuses to load a rule file whose durations do not parse: a number with a \
               unit (`ms s m h d w y`, largest first, such as `1h30m`), or `0`.",
    },
    RuleInfo {
        id: RECORD_ALERT_FIELD.id,
        severity: RECORD_ALERT_FIELD.severity,
        summary: "A recording rule cannot have `for`, `keep_firing_for` or `annotations`.",
        docs: "Those fields only mean something for alerts; Prometheus refuses to load a recording \
               rule that has them. Make the rule an alert, or drop the fields.",
    },
    RuleInfo {
        id: ALERT_SEVERITY.id,
        severity: ALERT_SEVERITY.severity,
        summary: "An alert should carry a `severity` label.",
        docs: "Alertmanager routes and silences by labels, and nearly every routing tree (the \
               kube-prometheus and kubernetes-mixin ones among them) routes on `severity`; an alert \
               without it goes to the default receiver or nowhere. Set `labels: {severity: warning}` \
               (or `critical`, `info`).",
    },
    RuleInfo {
        id: DUPLICATE_RULE.id,
        severity: DUPLICATE_RULE.severity,
        summary: "Two rules of a group have the same name and the same labels.",
        docs: "Two recording rules with the same `record` and labels write the same series, and the \
               second evaluation's samples collide with the first's; two such alerts are the same \
               alert twice. Give them different labels, or merge them.",
    },
    RuleInfo {
        id: GROUP_NAME.id,
        severity: GROUP_NAME.severity,
        summary: "Every group must have a name, unique in its file.",
        docs: "Prometheus refuses to load a rule file with a group whose `name` is missing or \
               empty, or in which two groups have the same `name`.",
    },
];
