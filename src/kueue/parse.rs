//! Reading a `PendingWorkloadsSummary` body with serde, item by item.
//!
//! The Go types (kubernetes-sigs/kueue `apis/visibility/v1beta1|v1beta2/types.go`) are
//!
//! ```text
//! PendingWorkloadsSummary { TypeMeta (kind, apiVersion), metadata, items: []PendingWorkload }
//! PendingWorkload { metadata: ObjectMeta, priority: int32, localQueueName: string,
//!                   positionInClusterQueue: int32, positionInLocalQueue: int32 }
//! ```
//!
//! where Kueue fills only `name`, `namespace`, `creationTimestamp` and `ownerReferences`
//! (`apiVersion`, `kind`, `name`, `uid`) of the item metadata. Both versions have the same
//! shape, and the derived types below mirror it.
//!
//! The envelope keeps each item as its raw JSON text, and each item is read on its own, so a
//! bad field costs one item, not the document. serde_json's errors carry a line and column
//! only; [`path_at`] turns that position back into the JSON path of the field.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::error::KueueError;
use super::timestamp::parse_rfc3339;

/// The API group whose versions serve `PendingWorkloadsSummary`.
pub const VISIBILITY_GROUP: &str = "visibility.kueue.x-k8s.io";

/// One pending workload as the visibility API lists it, with every field validated.
///
/// Strings borrow from the response body unless they contained JSON escapes.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingWorkload<'a> {
    /// `metadata.name` of the Workload object (not of the Job that owns it).
    pub name: Cow<'a, str>,
    /// `metadata.namespace`, which is also the namespace of its local queue.
    pub namespace: Cow<'a, str>,
    /// `metadata.creationTimestamp` as Unix seconds.
    pub creation_timestamp: f64,
    /// `metadata.ownerReferences` (the Job, JobSet, RayJob, ... the workload stands for).
    pub owner_references: Vec<OwnerReference<'a>>,
    /// `priority`: the workload's priority (higher is admitted first).
    pub priority: i32,
    /// `localQueueName`: the local queue, in `namespace`, the workload was submitted to.
    pub local_queue_name: Cow<'a, str>,
    /// `positionInClusterQueue`, from 0.
    pub position_in_cluster_queue: u32,
    /// `positionInLocalQueue`, from 0.
    ///
    /// In a cluster-queue response Kueue counts this per local queue *name*, so two local
    /// queues of the same name in different namespaces share one sequence of positions.
    pub position_in_local_queue: u32,
}

/// One entry of a workload's `metadata.ownerReferences`, as far as Kueue copies it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference<'a> {
    /// `apiVersion` of the owner, e.g. `batch/v1`.
    #[serde(borrow)]
    pub api_version: Cow<'a, str>,
    /// `kind` of the owner, e.g. `Job`.
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    /// `name` of the owner.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// `uid` of the owner.
    #[serde(borrow)]
    pub uid: Cow<'a, str>,
}

/// An item of `items` that could not be read; the other items are still used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedItem {
    /// Index of the item in `items`.
    pub index: usize,
    /// JSON path of the first bad field, e.g. `items[3].metadata.creationTimestamp`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// A parsed response: the workloads that could be read and the items that could not.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingPage<'a> {
    /// `apiVersion` of the response, e.g. `visibility.kueue.x-k8s.io/v1beta2`, when present.
    pub api_version: Option<Cow<'a, str>>,
    /// Valid items, in response order.
    pub workloads: Vec<PendingWorkload<'a>>,
    /// Invalid items, in response order.
    pub skipped: Vec<SkippedItem>,
}

/// Parses the body of `.../clusterqueues/NAME/pendingworkloads` or
/// `.../namespaces/NS/localqueues/NAME/pendingworkloads` (any version of the visibility API).
///
/// Errors with [`KueueError::Malformed`] when the body is not JSON, is not a
/// `PendingWorkloadsSummary` (a Kubernetes `Status` is named as such), has no `items`, or has
/// items none of which can be read. Otherwise bad items are listed in
/// [`PendingPage::skipped`].
pub fn parse_pending_workloads(body: &[u8]) -> Result<PendingPage<'_>, KueueError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        KueueError::malformed(
            path_at(body, e.valid_up_to()),
            "not valid JSON: invalid UTF-8",
        )
    })?;
    let Object(summary) = serde_json::from_slice::<Object<Summary>>(body).map_err(|e| {
        let problem = Problem::of(text, &e);
        let message = match e.classify() {
            serde_json::error::Category::Eof => format!("truncated JSON: {}", problem.message),
            serde_json::error::Category::Syntax => format!("not valid JSON: {}", problem.message),
            _ if problem.path.is_empty() => {
                format!("not a PendingWorkloadsSummary: {}", problem.message)
            }
            _ => problem.message,
        };
        KueueError::malformed(problem.path, message)
    })?;
    summary.into_page()
}

/// The envelope. Every field may be absent, so that a Kubernetes `Status` in its place is
/// recognised as one before `items` is asked for.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    api_version: Option<Cow<'a, str>>,
    /// `None`: absent; `Some(None)`: null, which is how Go writes an empty slice.
    #[serde(borrow, default, deserialize_with = "present")]
    items: Option<Option<Vec<&'a RawValue>>>,
    // A `Status`'s fields, kept raw: only their text goes into the error.
    #[serde(borrow, default)]
    reason: Option<&'a RawValue>,
    #[serde(borrow, default)]
    code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

/// One element of `items`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(borrow)]
    metadata: Object<ObjectMeta<'a>>,
    priority: i32,
    #[serde(borrow)]
    local_queue_name: Cow<'a, str>,
    position_in_cluster_queue: u32,
    position_in_local_queue: u32,
}

/// The part of an item's `metadata` Kueue fills.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectMeta<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    namespace: Cow<'a, str>,
    #[serde(borrow)]
    creation_timestamp: Cow<'a, str>,
    #[serde(borrow, default)]
    owner_references: Option<Vec<Object<OwnerReference<'a>>>>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON object read as `T`. Derived structs also accept an array of their fields in
/// order; the visibility API never sends one, so it is an error here.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

impl<'a> Summary<'a> {
    fn into_page(self) -> Result<PendingPage<'a>, KueueError> {
        match self.kind.as_deref() {
            None | Some("PendingWorkloadsSummary") => {}
            Some("Status") => return Err(KueueError::malformed("kind", self.status_message())),
            Some(other) => {
                return Err(KueueError::malformed(
                    "kind",
                    format!("expected \"PendingWorkloadsSummary\", found {other:?}"),
                ))
            }
        }
        if let Some(v) = &self.api_version {
            if v.split_once('/').map(|(group, _)| group) != Some(VISIBILITY_GROUP) {
                return Err(KueueError::malformed(
                    "apiVersion",
                    format!("expected \"{VISIBILITY_GROUP}/<version>\", found {v:?}"),
                ));
            }
        }
        let items = self
            .items
            .ok_or_else(|| KueueError::malformed("items", "missing field"))?
            .unwrap_or_default();
        let mut page = PendingPage {
            api_version: self.api_version,
            workloads: Vec::with_capacity(items.len()),
            skipped: Vec::new(),
        };
        for (index, raw) in items.into_iter().enumerate() {
            match read_item(raw.get()) {
                Ok(workload) => page.workloads.push(workload),
                Err(problem) => page.skipped.push(SkippedItem {
                    index,
                    path: join(&format!("items[{index}]"), &problem.path),
                    message: problem.message,
                }),
            }
        }
        match (page.workloads.is_empty(), page.skipped.first()) {
            (true, Some(first)) => Err(KueueError::malformed(
                first.path.clone(),
                format!(
                    "{} (none of the {} items could be read)",
                    first.message,
                    page.skipped.len()
                ),
            )),
            _ => Ok(page),
        }
    }

    fn status_message(&self) -> String {
        let details: Vec<String> = [self.reason, self.code, self.message]
            .into_iter()
            .flatten()
            .filter_map(
                |raw| match serde_json::from_slice::<Cow<str>>(raw.get().as_bytes()) {
                    Ok(text) => Some(text.into_owned()),
                    Err(_) => raw.get().parse::<i64>().ok().map(|n| n.to_string()),
                },
            )
            .collect();
        let mut out = String::from(
            "the server answered with a Kubernetes Status, not a PendingWorkloadsSummary",
        );
        if !details.is_empty() {
            out.push_str(": ");
            out.push_str(&details.join(", "));
        }
        out
    }
}

/// Reads one item; the problem's path is relative to the item.
fn read_item(text: &str) -> Result<PendingWorkload<'_>, Problem> {
    let Object(item) = serde_json::from_slice::<Object<Item>>(text.as_bytes())
        .map_err(|e| Problem::of(text, &e))?;
    let Object(meta) = item.metadata;
    let name = non_empty(meta.name, "metadata.name")?;
    let namespace = non_empty(meta.namespace, "metadata.namespace")?;
    let creation_timestamp = parse_rfc3339(&meta.creation_timestamp)
        .map_err(|m| Problem::new("metadata.creationTimestamp", m))?;
    Ok(PendingWorkload {
        name,
        namespace,
        creation_timestamp,
        owner_references: meta
            .owner_references
            .into_iter()
            .flatten()
            .map(|Object(owner)| owner)
            .collect(),
        priority: item.priority,
        local_queue_name: non_empty(item.local_queue_name, "localQueueName")?,
        position_in_cluster_queue: item.position_in_cluster_queue,
        position_in_local_queue: item.position_in_local_queue,
    })
}

fn non_empty<'a>(value: Cow<'a, str>, path: &str) -> Result<Cow<'a, str>, Problem> {
    match value.is_empty() {
        true => Err(Problem::new(path, "must not be empty")),
        false => Ok(value),
    }
}

/// A problem at a JSON path (relative to what was being read), and what is wrong there.
struct Problem {
    path: String,
    message: String,
}

impl Problem {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Problem {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// Where in `text` serde_json stopped with `e`, as a path, and its message without the
    /// line and column. A missing field is named by its own path: serde_json stops after the
    /// object that lacks it.
    fn of(text: &str, e: &serde_json::Error) -> Self {
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(at) if e.line() > 0 => full[..at].to_owned(),
            _ => full,
        };
        let mut path = path_at(text.as_bytes(), offset(text, e.line(), e.column()));
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            path = join(&path, field);
        }
        Problem { path, message }
    }
}

/// The byte offset of serde_json's one-based line and column (the column counts bytes).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(at, _)| at + 1),
    };
    (line_start + column).min(text.len())
}

/// `parent.child`, `parent[i]`, or whichever of the two is not empty.
fn join(parent: &str, child: &str) -> String {
    match (
        parent.is_empty(),
        child.is_empty() || child.starts_with('['),
    ) {
        (true, _) => child.to_owned(),
        (false, true) => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

/// The JSON path of the value being read when a parser stopped at byte `end` of `text`: the
/// key last read in each enclosing object (between two fields, the one before) and the index
/// in each enclosing array. Text that is not JSON still gives the path of its valid start.
/// Iterative, so any nesting depth is fine.
fn path_at(text: &[u8], end: usize) -> String {
    enum Frame<'t> {
        /// The key last read, and whether the next string is a key (after `{` or `,`).
        Object(Option<&'t [u8]>, bool),
        Array(Option<usize>),
    }
    let text = &text[..end.min(text.len())];
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        if let Some(Frame::Array(index @ None)) = stack.last_mut() {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b']') {
                *index = Some(0);
            }
        }
        match byte {
            b'{' => stack.push(Frame::Object(None, true)),
            b'[' => stack.push(Frame::Array(None)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object(_, want_key)) => *want_key = true,
                Some(Frame::Array(Some(index))) => *index += 1,
                _ => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object(key, want_key @ true)) = stack.last_mut() {
                    *key = Some(&text[start..i.min(text.len())]);
                    *want_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in stack {
        match frame {
            Frame::Object(Some(key), _) => {
                path = join(&path, &String::from_utf8_lossy(key));
            }
            Frame::Array(Some(index)) => path = join(&path, &format!("[{index}]")),
            _ => {}
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = r#"{
        "metadata": {
            "name": "job-sample-job-jrjfr-8d56e",
            "namespace": "default",
            "creationTimestamp": "2023-12-05T15:42:03Z",
            "ownerReferences": [
                {"apiVersion": "batch/v1", "kind": "Job", "name": "sample-job-jrjfr",
                 "uid": "5863cf0e-b0e7-43bf-a445-f41fa1abedfa"}
            ]
        },
        "priority": 0,
        "localQueueName": "user-queue",
        "positionInClusterQueue": 0,
        "positionInLocalQueue": 0
    }"#;

    fn body(items: &str) -> String {
        format!(
            r#"{{"kind":"PendingWorkloadsSummary","apiVersion":"visibility.kueue.x-k8s.io/v1beta2",
                "metadata":{{"creationTimestamp":null}},"items":[{items}]}}"#
        )
    }

    /// `ITEM` with one field replaced (by text substitution, so any JSON can go in).
    fn item_with(from: &str, to: &str) -> String {
        assert!(ITEM.contains(from), "{from}");
        ITEM.replacen(from, to, 1)
    }

    #[test]
    fn reads_the_documented_example() {
        let text = body(ITEM);
        let page = parse_pending_workloads(text.as_bytes()).unwrap();
        assert_eq!(
            page.api_version.as_deref(),
            Some("visibility.kueue.x-k8s.io/v1beta2")
        );
        assert!(page.skipped.is_empty());
        let w = &page.workloads[0];
        assert_eq!(w.name, "job-sample-job-jrjfr-8d56e");
        assert!(
            matches!(w.name, Cow::Borrowed(_)),
            "strings borrow from the body"
        );
        assert_eq!(w.namespace, "default");
        assert_eq!(w.creation_timestamp, 1_701_790_923.0);
        assert_eq!(w.priority, 0);
        assert_eq!(w.local_queue_name, "user-queue");
        assert_eq!(w.owner_references.len(), 1);
        assert_eq!(w.owner_references[0].kind, "Job");
        assert_eq!(w.owner_references[0].name, "sample-job-jrjfr");
    }

    #[test]
    fn escaped_strings_and_extra_fields() {
        let item = item_with(
            r#""name": "job-sample-job-jrjfr-8d56e","#,
            r#""name": "job-\u0073ample", "uid": "x", "labels": {"a": [1, {"b": null}]},"#,
        );
        let item = item.replacen('{', r#"{"unknownField": [1, 2, {"x": "y"}], "#, 1);
        let text = body(&item);
        let page = parse_pending_workloads(text.as_bytes()).unwrap();
        assert_eq!(page.workloads[0].name, "job-sample");
    }

    #[test]
    fn empty_and_null_items() {
        for items in [r#""items":[]"#, r#""items":null"#] {
            let text = format!(r#"{{"kind":"PendingWorkloadsSummary",{items}}}"#);
            let page = parse_pending_workloads(text.as_bytes()).unwrap();
            assert!(page.workloads.is_empty() && page.skipped.is_empty());
        }
    }

    #[test]
    fn bad_items_are_skipped_with_their_path() {
        let cases: Vec<(String, &str, &str)> =
            vec![
            (
                item_with("2023-12-05T15:42:03Z", "2023-13-45T15:42:03Z"),
                "metadata.creationTimestamp",
                "invalid RFC 3339",
            ),
            (
                item_with(r#""creationTimestamp": "2023-12-05T15:42:03Z","#, ""),
                "metadata.creationTimestamp",
                "missing field",
            ),
            (
                item_with(r#""2023-12-05T15:42:03Z""#, "null"),
                "metadata.creationTimestamp",
                "invalid type: null, expected a string",
            ),
            (
                item_with(r#""2023-12-05T15:42:03Z""#, "1701790923"),
                "metadata.creationTimestamp",
                "invalid type: integer `1701790923`, expected a string",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": "high""#),
                "priority",
                "invalid type: string \"high\", expected i32",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 2147483648"#),
                "priority",
                "invalid value: integer `2147483648`, expected i32",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 1.5"#),
                "priority",
                "invalid type: floating point `1.5`, expected i32",
            ),
            (
                item_with(
                    r#""positionInLocalQueue": 0"#,
                    r#""positionInLocalQueue": -1"#,
                ),
                "positionInLocalQueue",
                "invalid value: integer `-1`, expected u32",
            ),
            (
                item_with(r#""localQueueName": "user-queue","#, ""),
                "localQueueName",
                "missing field",
            ),
            (
                item_with(
                    r#""localQueueName": "user-queue""#,
                    r#""localQueueName": """#,
                ),
                "localQueueName",
                "must not be empty",
            ),
            (
                item_with(r#""namespace": "default""#, r#""namespace": ["default"]"#),
                "metadata.namespace",
                "invalid type: sequence, expected a string",
            ),
            (
                item_with(
                    r#""uid": "5863cf0e-b0e7-43bf-a445-f41fa1abedfa""#,
                    r#""uid": 7"#,
                ),
                "metadata.ownerReferences[0].uid",
                "invalid type: integer `7`, expected a string",
            ),
            (
                item_with(r#""kind": "Job","#, ""),
                "metadata.ownerReferences[0].kind",
                "missing field `kind`",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 0, "priority": 1"#),
                "priority",
                "duplicate field `priority`",
            ),
            ("42".to_owned(), "", "invalid type: integer `42`, expected an object"),
            ("null".to_owned(), "", "invalid type: null, expected an object"),
            (
                r#"{"metadata": "x"}"#.to_owned(),
                "metadata",
                "invalid type: string \"x\", expected an object",
            ),
            (
                // A derived struct would read an array as its fields in order.
                r#"[{"name": "a", "namespace": "b", "creationTimestamp": "2023-12-05T15:42:03Z"},
                    0, "q", 0, 0]"#
                    .to_owned(),
                "",
                "invalid type: sequence, expected an object",
            ),
        ];
        for (bad, path, message) in &cases {
            let text = body(&format!("{ITEM}, {bad}, {ITEM}"));
            let page =
                parse_pending_workloads(text.as_bytes()).unwrap_or_else(|e| panic!("{bad}: {e}"));
            assert_eq!(page.workloads.len(), 2, "{bad}");
            assert_eq!(page.skipped.len(), 1, "{bad}");
            let s = &page.skipped[0];
            assert_eq!(s.index, 1);
            let want = if path.is_empty() {
                "items[1]".to_owned()
            } else {
                format!("items[1].{path}")
            };
            assert_eq!(s.path, want, "{bad}");
            assert!(s.message.contains(message), "{bad}: {}", s.message);
        }
    }

    #[test]
    fn envelope_errors() {
        let cases: &[(&str, &str, &str)] = &[
            ("", "", "truncated JSON"),
            (
                "<html><body>502 Bad Gateway</body></html>",
                "",
                "not valid JSON",
            ),
            (
                "[]",
                "",
                "not a PendingWorkloadsSummary: invalid type: sequence, expected an object",
            ),
            ("null", "", "invalid type: null, expected an object"),
            ("{}", "items", "missing field"),
            (
                r#"{"items": {}}"#,
                "items",
                "invalid type: map, expected a sequence",
            ),
            (
                r#"{"items": [], "items": []}"#,
                "items",
                "duplicate field `items`",
            ),
            (
                r#"{"kind": "WorkloadList", "items": []}"#,
                "kind",
                "\"WorkloadList\"",
            ),
            (
                r#"{"kind": 3, "items": []}"#,
                "kind",
                "invalid type: integer `3`, expected a string",
            ),
            (
                r#"{"apiVersion": "kueue.x-k8s.io/v1beta1", "items": []}"#,
                "apiVersion",
                "visibility.kueue.x-k8s.io/<version>",
            ),
            (
                r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                   "message":"clusterqueue.visibility.kueue.x-k8s.io \"x\" not found",
                   "reason":"NotFound","code":404}"#,
                "kind",
                "Kubernetes Status, not a PendingWorkloadsSummary: NotFound, 404, clusterqueue",
            ),
            (r#"{"items": []} trailing"#, "", "trailing characters"),
        ];
        for (text, path, message) in cases {
            let err = parse_pending_workloads(text.as_bytes()).expect_err(text);
            assert_eq!(err.kind(), "malformed");
            assert_eq!(err.path(), *path, "{text}: {err}");
            assert!(err.to_string().contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn truncated_body_names_where_it_stopped() {
        let text = body(&format!("{ITEM}, {ITEM}"));
        let cut = text
            .find("\"priority\": 0,\n        \"localQueueName\"")
            .unwrap();
        let second = text[cut + 1..].find("\"priority\"").unwrap() + cut + 1;
        let err = parse_pending_workloads(&text.as_bytes()[..second + 14]).unwrap_err();
        assert_eq!(err.path(), "items[1].priority", "{err}");
        assert!(err.to_string().contains("truncated JSON"), "{err}");
    }

    #[test]
    fn all_items_bad_is_malformed() {
        let bad = item_with("2023-12-05T15:42:03Z", "not a date");
        let err = parse_pending_workloads(body(&format!("{bad}, {bad}")).as_bytes()).unwrap_err();
        assert_eq!(err.path(), "items[0].metadata.creationTimestamp");
        assert!(err.to_string().contains("none of the 2 items"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        let mut text = body(ITEM).into_bytes();
        let at = text.windows(7).position(|w| w == b"default").unwrap();
        text[at] = 0xff;
        let err = parse_pending_workloads(&text).unwrap_err();
        assert_eq!(err.kind(), "malformed");
        assert_eq!(err.path(), "items[0].metadata.namespace", "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            r#"{{"items":[{{"metadata":{{"labels":{}{}}}}}]}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let err = parse_pending_workloads(deep.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), "malformed");
    }
}
