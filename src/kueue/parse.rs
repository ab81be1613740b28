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
//! shape.
//!
//! Every visitor here accepts any JSON value and reports a value of the wrong type as a
//! problem instead of a serde error, so a bad field costs one item, not the document. Only
//! text that is not JSON at all (or nests deeper than serde_json's recursion limit) aborts
//! the parse; a [`Tracker`] remembers where the parser was so that error names a path too.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerReference<'a> {
    /// `apiVersion` of the owner, e.g. `batch/v1`.
    pub api_version: Cow<'a, str>,
    /// `kind` of the owner, e.g. `Job`.
    pub kind: Cow<'a, str>,
    /// `name` of the owner.
    pub name: Cow<'a, str>,
    /// `uid` of the owner.
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
    let tracker = Tracker::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    let envelope = EnvelopeSeed { tracker: &tracker }
        .deserialize(&mut de)
        .and_then(|envelope| de.end().map(|()| envelope))
        .map_err(|e| not_json(&tracker, &e))?;
    into_page(envelope)
}

fn not_json(tracker: &Tracker, e: &serde_json::Error) -> KueueError {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "truncated JSON",
        _ => "not valid JSON",
    };
    let path = tracker.path();
    if path.is_empty() {
        KueueError::malformed("", format!("{what}: {e}"))
    } else {
        KueueError::malformed(path, format!("{what} (parsing stopped here): {e}"))
    }
}

/// Where the parser is, for errors that abort it. Paths are built only on error.
#[derive(Default)]
struct Tracker {
    item: Cell<Option<usize>>,
    field: Cell<&'static str>,
}

impl Tracker {
    fn path(&self) -> String {
        match (self.item.get(), self.field.get()) {
            (Some(i), "") => format!("items[{i}]"),
            (Some(i), field) => format!("items[{i}].{field}"),
            (None, field) => field.to_owned(),
        }
    }
}

/// The JSON type of a value, for "expected X, found Y" messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        })
    }
}

/// Implements the `visit_*` methods of the JSON types a visitor does not want, each answering
/// `Ok(Err($wrong(JsonKind)))` (containers are skipped over first).
macro_rules! reject_scalars {
    ($wrong:path) => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Bool)))
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Number)))
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Number)))
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Number)))
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::String)))
        }
    };
}

macro_rules! reject_null {
    ($wrong:path) => {
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Null)))
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Err($wrong(JsonKind::Null)))
        }
    };
}

macro_rules! reject_array {
    ($wrong:path) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq)?;
            Ok(Err($wrong(JsonKind::Array)))
        }
    };
}

macro_rules! reject_object {
    ($wrong:path) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_map(map)?;
            Ok(Err($wrong(JsonKind::Object)))
        }
    };
}

/// Any JSON value, kept only when it is a scalar (containers are skipped).
#[derive(Debug, Clone, PartialEq)]
enum Scalar<'de> {
    Null,
    Bool,
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'de, str>),
    Array,
    Object,
}

impl Scalar<'_> {
    fn kind(&self) -> JsonKind {
        match self {
            Scalar::Null => JsonKind::Null,
            Scalar::Bool => JsonKind::Bool,
            Scalar::Int(_) | Scalar::UInt(_) | Scalar::Float(_) => JsonKind::Number,
            Scalar::Str(_) => JsonKind::String,
            Scalar::Array => JsonKind::Array,
            Scalar::Object => JsonKind::Object,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool)
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::UInt(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Scalar::Object)
    }
}

/// Reads an object key as its index in a list of known names, with the name (`None`: some
/// other key), without allocating.
struct KeyIn(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIn {
    type Value = Option<(usize, &'static str)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn {
    type Value = Option<(usize, &'static str)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().copied().enumerate().find(|(_, k)| *k == v))
    }
}

/// A problem inside one item: path relative to the item, and a message.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    path: String,
    message: String,
}

impl Problem {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Prefixes the path with the field (or index) the problem was found under.
    fn under(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_owned()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

/// Payload of the `reject_*` macros where only the JSON type matters.
fn kind_only(kind: JsonKind) -> JsonKind {
    kind
}

fn not_object(kind: JsonKind) -> Problem {
    Problem::new("", format!("expected an object, found {kind}"))
}

fn not_array(kind: JsonKind) -> Problem {
    Problem::new("", format!("expected an array, found {kind}"))
}

/// A field that may appear at most once.
struct Once<T> {
    value: Option<T>,
    duplicated: bool,
}

impl<T> Default for Once<T> {
    fn default() -> Self {
        Once {
            value: None,
            duplicated: false,
        }
    }
}

impl<T> Once<T> {
    fn set(&mut self, value: T) {
        self.duplicated |= self.value.is_some();
        self.value = Some(value);
    }

    /// The value, or a problem when it is missing or was given twice.
    fn take(self, path: &str) -> Result<T, Problem> {
        if self.duplicated {
            return Err(Problem::new(path, "duplicate field"));
        }
        self.value
            .ok_or_else(|| Problem::new(path, "missing field"))
    }

    /// Like [`Once::take`] for a field that may be absent.
    fn take_optional(self, path: &str) -> Result<Option<T>, Problem> {
        if self.duplicated {
            return Err(Problem::new(path, "duplicate field"));
        }
        Ok(self.value)
    }
}

fn string<'de>(value: Scalar<'de>, path: &str) -> Result<Cow<'de, str>, Problem> {
    match value {
        Scalar::Str(s) => Ok(s),
        Scalar::Null => Err(Problem::new(path, "missing field (null)")),
        other => Err(Problem::new(
            path,
            format!("expected a string, found {}", other.kind()),
        )),
    }
}

fn non_empty_string<'de>(value: Scalar<'de>, path: &str) -> Result<Cow<'de, str>, Problem> {
    let s = string(value, path)?;
    if s.is_empty() {
        Err(Problem::new(path, "must not be empty"))
    } else {
        Ok(s)
    }
}

fn int32(value: &Scalar<'_>, path: &str) -> Result<i32, Problem> {
    let out_of_range =
        |v: &dyn fmt::Display| Problem::new(path, format!("{v} is out of the int32 range"));
    match *value {
        Scalar::Int(v) => i32::try_from(v).map_err(|_| out_of_range(&v)),
        Scalar::UInt(v) => i32::try_from(v).map_err(|_| out_of_range(&v)),
        Scalar::Float(v) => Err(Problem::new(
            path,
            format!("expected an integer, found {v}"),
        )),
        Scalar::Null => Err(Problem::new(path, "missing field (null)")),
        ref other => Err(Problem::new(
            path,
            format!("expected an integer, found {}", other.kind()),
        )),
    }
}

fn position(value: &Scalar<'_>, path: &str) -> Result<u32, Problem> {
    let v = int32(value, path)?;
    u32::try_from(v)
        .map_err(|_| Problem::new(path, format!("{v} is negative; positions start at 0")))
}

// ---------------------------------------------------------------------------------------------
// Envelope

struct EnvelopeSeed<'t> {
    tracker: &'t Tracker,
}

#[derive(Default)]
struct Envelope<'de> {
    kind: Once<Scalar<'de>>,
    api_version: Once<Scalar<'de>>,
    items: Once<Result<Items<'de>, JsonKind>>,
    // Fields of a Kubernetes `Status`, to say what the server meant instead.
    message: Option<Scalar<'de>>,
    reason: Option<Scalar<'de>>,
    code: Option<Scalar<'de>>,
}

/// The envelope's answer: `Err` when the document is not an object.
type EnvelopeResult<'de> = Result<Envelope<'de>, JsonKind>;

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_> {
    type Value = EnvelopeResult<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

const ENVELOPE_KEYS: &[&str] = &["kind", "apiVersion", "items", "message", "reason", "code"];

impl<'de> Visitor<'de> for EnvelopeSeed<'_> {
    type Value = EnvelopeResult<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a PendingWorkloadsSummary object")
    }

    reject_scalars!(kind_only);
    reject_null!(kind_only);
    reject_array!(kind_only);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let t = self.tracker;
        let mut env = Envelope::default();
        while let Some(key) = map.next_key_seed(KeyIn(ENVELOPE_KEYS))? {
            t.field.set(key.map_or("", |(_, name)| name));
            match key.map(|(i, _)| i) {
                Some(0) => env.kind.set(map.next_value()?),
                Some(1) => env.api_version.set(map.next_value()?),
                Some(2) => {
                    let items = map.next_value_seed(ItemsSeed { tracker: t })?;
                    t.item.set(None);
                    env.items.set(items);
                }
                Some(3) => env.message = Some(map.next_value()?),
                Some(4) => env.reason = Some(map.next_value()?),
                Some(5) => env.code = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            t.field.set("");
        }
        Ok(Ok(env))
    }
}

/// Turns the envelope into a page, or says why the document is not a summary.
fn into_page(envelope: EnvelopeResult<'_>) -> Result<PendingPage<'_>, KueueError> {
    let env = envelope.map_err(|kind| {
        KueueError::malformed(
            "",
            format!("expected a PendingWorkloadsSummary object, found {kind}"),
        )
    })?;
    env.into_page()
}

impl<'de> Envelope<'de> {
    fn into_page(self) -> Result<PendingPage<'de>, KueueError> {
        let malformed = |p: Problem| KueueError::malformed(p.path, p.message);
        let kind = self.kind.take_optional("kind").map_err(malformed)?;
        if let Some(kind) = kind {
            let kind = string(kind, "kind").map_err(malformed)?;
            if kind == "Status" {
                return Err(KueueError::malformed(
                    "kind",
                    Envelope::status_message(&self.reason, &self.code, &self.message),
                ));
            }
            if kind != "PendingWorkloadsSummary" {
                return Err(KueueError::malformed(
                    "kind",
                    format!("expected \"PendingWorkloadsSummary\", found {kind:?}"),
                ));
            }
        }
        let api_version = self
            .api_version
            .take_optional("apiVersion")
            .map_err(malformed)?
            .map(|v| string(v, "apiVersion"))
            .transpose()
            .map_err(malformed)?;
        if let Some(v) = &api_version {
            let group = v.split('/').next().unwrap_or_default();
            if group != VISIBILITY_GROUP || !v.contains('/') {
                return Err(KueueError::malformed(
                    "apiVersion",
                    format!("expected \"{VISIBILITY_GROUP}/<version>\", found {v:?}"),
                ));
            }
        }
        let items = match self.items.take("items").map_err(malformed)? {
            Ok(items) => items,
            Err(kind) => {
                return Err(KueueError::malformed(
                    "items",
                    format!("expected an array, found {kind}"),
                ))
            }
        };
        if items.workloads.is_empty() {
            if let Some(first) = items.skipped.first() {
                return Err(KueueError::malformed(
                    first.path.clone(),
                    format!(
                        "{} (none of the {} items could be read)",
                        first.message,
                        items.skipped.len()
                    ),
                ));
            }
        }
        Ok(PendingPage {
            api_version,
            workloads: items.workloads,
            skipped: items.skipped,
        })
    }

    fn status_message(
        reason: &Option<Scalar<'_>>,
        code: &Option<Scalar<'_>>,
        message: &Option<Scalar<'_>>,
    ) -> String {
        let text = |s: &Option<Scalar<'_>>| match s {
            Some(Scalar::Str(s)) => Some(s.to_string()),
            Some(Scalar::Int(i)) => Some(i.to_string()),
            Some(Scalar::UInt(u)) => Some(u.to_string()),
            _ => None,
        };
        let mut out = String::from(
            "the server answered with a Kubernetes Status, not a PendingWorkloadsSummary",
        );
        let details: Vec<String> = [text(reason), text(code), text(message)]
            .into_iter()
            .flatten()
            .collect();
        if !details.is_empty() {
            out.push_str(": ");
            out.push_str(&details.join(", "));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Items

#[derive(Default)]
struct Items<'de> {
    workloads: Vec<PendingWorkload<'de>>,
    skipped: Vec<SkippedItem>,
}

struct ItemsSeed<'t> {
    tracker: &'t Tracker,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = Result<Items<'de>, JsonKind>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = Result<Items<'de>, JsonKind>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of pending workloads")
    }

    reject_scalars!(kind_only);
    reject_object!(kind_only);

    // Go writes a nil slice as null.
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Items::default()))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Items::default()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let t = self.tracker;
        let mut items = Items {
            workloads: Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096)),
            skipped: Vec::new(),
        };
        let mut index = 0usize;
        loop {
            t.item.set(Some(index));
            t.field.set("");
            let Some(item) = seq.next_element_seed(ItemSeed { tracker: t })? else {
                break;
            };
            match item {
                Ok(workload) => items.workloads.push(workload),
                Err(problem) => {
                    let problem = problem.under(&format!("items[{index}]"));
                    items.skipped.push(SkippedItem {
                        index,
                        path: problem.path,
                        message: problem.message,
                    });
                }
            }
            index += 1;
        }
        Ok(Ok(items))
    }
}

struct ItemSeed<'t> {
    tracker: &'t Tracker,
}

const ITEM_KEYS: &[&str] = &[
    "metadata",
    "priority",
    "localQueueName",
    "positionInClusterQueue",
    "positionInLocalQueue",
];

#[derive(Default)]
struct ItemFields<'de> {
    metadata: Once<Result<MetaFields<'de>, Problem>>,
    priority: Once<Scalar<'de>>,
    local_queue_name: Once<Scalar<'de>>,
    position_in_cluster_queue: Once<Scalar<'de>>,
    position_in_local_queue: Once<Scalar<'de>>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = Result<PendingWorkload<'de>, Problem>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = Result<PendingWorkload<'de>, Problem>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pending workload object")
    }

    reject_scalars!(not_object);
    reject_null!(not_object);
    reject_array!(not_object);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let t = self.tracker;
        let mut fields = ItemFields::default();
        while let Some(key) = map.next_key_seed(KeyIn(ITEM_KEYS))? {
            t.field.set(key.map_or("", |(_, name)| name));
            match key.map(|(i, _)| i) {
                Some(0) => fields
                    .metadata
                    .set(map.next_value_seed(MetaSeed { tracker: t })?),
                Some(1) => fields.priority.set(map.next_value()?),
                Some(2) => fields.local_queue_name.set(map.next_value()?),
                Some(3) => fields.position_in_cluster_queue.set(map.next_value()?),
                Some(4) => fields.position_in_local_queue.set(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        t.field.set("");
        Ok(fields.validate())
    }
}

impl<'de> ItemFields<'de> {
    /// Checks the fields in a fixed order (metadata first) and reports the first problem.
    fn validate(self) -> Result<PendingWorkload<'de>, Problem> {
        let meta = self
            .metadata
            .take("metadata")?
            .and_then(MetaFields::validate)
            .map_err(|p| p.under("metadata"))?;
        let priority = int32(&self.priority.take("priority")?, "priority")?;
        let local_queue_name = non_empty_string(
            self.local_queue_name.take("localQueueName")?,
            "localQueueName",
        )?;
        let position_in_cluster_queue = position(
            &self
                .position_in_cluster_queue
                .take("positionInClusterQueue")?,
            "positionInClusterQueue",
        )?;
        let position_in_local_queue = position(
            &self.position_in_local_queue.take("positionInLocalQueue")?,
            "positionInLocalQueue",
        )?;
        Ok(PendingWorkload {
            name: meta.name,
            namespace: meta.namespace,
            creation_timestamp: meta.creation_timestamp,
            owner_references: meta.owner_references,
            priority,
            local_queue_name,
            position_in_cluster_queue,
            position_in_local_queue,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// metadata

struct MetaSeed<'t> {
    tracker: &'t Tracker,
}

const META_KEYS: &[&str] = &["name", "namespace", "creationTimestamp", "ownerReferences"];

/// The metadata fields of a workload, validated.
struct Meta<'de> {
    name: Cow<'de, str>,
    namespace: Cow<'de, str>,
    creation_timestamp: f64,
    owner_references: Vec<OwnerReference<'de>>,
}

#[derive(Default)]
struct MetaFields<'de> {
    name: Once<Scalar<'de>>,
    namespace: Once<Scalar<'de>>,
    creation_timestamp: Once<Scalar<'de>>,
    owner_references: Once<Result<Vec<OwnerReference<'de>>, Problem>>,
}

impl<'de> MetaFields<'de> {
    /// Paths in problems are relative to `metadata`.
    fn validate(self) -> Result<Meta<'de>, Problem> {
        let name = non_empty_string(self.name.take("name")?, "name")?;
        let namespace = non_empty_string(self.namespace.take("namespace")?, "namespace")?;
        let stamp = string(
            self.creation_timestamp.take("creationTimestamp")?,
            "creationTimestamp",
        )?;
        let creation_timestamp =
            parse_rfc3339(&stamp).map_err(|m| Problem::new("creationTimestamp", m))?;
        let owner_references = match self.owner_references.take_optional("ownerReferences")? {
            Some(refs) => refs?,
            None => Vec::new(),
        };
        Ok(Meta {
            name,
            namespace,
            creation_timestamp,
            owner_references,
        })
    }
}

impl<'de> DeserializeSeed<'de> for MetaSeed<'_> {
    type Value = Result<MetaFields<'de>, Problem>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed<'_> {
    type Value = Result<MetaFields<'de>, Problem>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ObjectMeta object")
    }

    reject_scalars!(not_object);
    reject_null!(not_object);
    reject_array!(not_object);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let t = self.tracker;
        let mut meta = MetaFields::default();
        while let Some(key) = map.next_key_seed(KeyIn(META_KEYS))? {
            t.field.set(match key {
                Some((0, _)) => "metadata.name",
                Some((1, _)) => "metadata.namespace",
                Some((2, _)) => "metadata.creationTimestamp",
                Some((3, _)) => "metadata.ownerReferences",
                _ => "metadata",
            });
            match key.map(|(i, _)| i) {
                Some(0) => meta.name.set(map.next_value()?),
                Some(1) => meta.namespace.set(map.next_value()?),
                Some(2) => meta.creation_timestamp.set(map.next_value()?),
                Some(3) => meta
                    .owner_references
                    .set(map.next_value_seed(OwnerRefsSeed)?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        t.field.set("metadata");
        Ok(Ok(meta))
    }
}

// ---------------------------------------------------------------------------------------------
// metadata.ownerReferences

struct OwnerRefsSeed;

impl<'de> DeserializeSeed<'de> for OwnerRefsSeed {
    type Value = Result<Vec<OwnerReference<'de>>, Problem>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OwnerRefsSeed {
    type Value = Result<Vec<OwnerReference<'de>>, Problem>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of owner references")
    }

    reject_scalars!(not_array);
    reject_object!(not_array);

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Vec::new()))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Ok(Vec::new()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut refs = Vec::new();
        let mut first_problem = None;
        let mut index = 0usize;
        while let Some(r) = seq.next_element_seed(OwnerRefSeed)? {
            match r {
                Ok(r) => refs.push(r),
                Err(p) => {
                    if first_problem.is_none() {
                        first_problem = Some(p.under(&format!("ownerReferences[{index}]")));
                    }
                }
            }
            index += 1;
        }
        Ok(match first_problem {
            Some(p) => Err(p),
            None => Ok(refs),
        })
    }
}

struct OwnerRefSeed;

const OWNER_KEYS: &[&str] = &["apiVersion", "kind", "name", "uid"];

impl<'de> DeserializeSeed<'de> for OwnerRefSeed {
    type Value = Result<OwnerReference<'de>, Problem>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OwnerRefSeed {
    type Value = Result<OwnerReference<'de>, Problem>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an owner reference object")
    }

    reject_scalars!(not_object);
    reject_null!(not_object);
    reject_array!(not_object);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields: [Once<Scalar<'de>>; 4] = Default::default();
        while let Some(key) = map.next_key_seed(KeyIn(OWNER_KEYS))? {
            match key.and_then(|(i, _)| fields.get_mut(i)) {
                Some(field) => field.set(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(owner_reference(fields))
    }
}

fn owner_reference(fields: [Once<Scalar<'_>>; 4]) -> Result<OwnerReference<'_>, Problem> {
    fn read<'de>(f: Once<Scalar<'de>>, key: &str) -> Result<Cow<'de, str>, Problem> {
        f.take(key).and_then(|v| string(v, key))
    }
    let [api_version, kind, name, uid] = fields;
    Ok(OwnerReference {
        api_version: read(api_version, "apiVersion")?,
        kind: read(kind, "kind")?,
        name: read(name, "name")?,
        uid: read(uid, "uid")?,
    })
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
        let cases: Vec<(String, &str, &str)> = vec![
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
                "missing field (null)",
            ),
            (
                item_with(r#""2023-12-05T15:42:03Z""#, "1701790923"),
                "metadata.creationTimestamp",
                "expected a string, found a number",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": "high""#),
                "priority",
                "expected an integer, found a string",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 2147483648"#),
                "priority",
                "out of the int32 range",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 1.5"#),
                "priority",
                "expected an integer",
            ),
            (
                item_with(
                    r#""positionInLocalQueue": 0"#,
                    r#""positionInLocalQueue": -1"#,
                ),
                "positionInLocalQueue",
                "negative",
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
                "expected a string, found an array",
            ),
            (
                item_with(
                    r#""uid": "5863cf0e-b0e7-43bf-a445-f41fa1abedfa""#,
                    r#""uid": 7"#,
                ),
                "metadata.ownerReferences[0].uid",
                "expected a string",
            ),
            (
                item_with(r#""kind": "Job","#, ""),
                "metadata.ownerReferences[0].kind",
                "missing field",
            ),
            (
                item_with(r#""priority": 0"#, r#""priority": 0, "priority": 1"#),
                "priority",
                "duplicate field",
            ),
            ("42".to_owned(), "", "expected an object, found a number"),
            ("null".to_owned(), "", "expected an object, found null"),
            (
                r#"{"metadata": "x"}"#.to_owned(),
                "metadata",
                "expected an object, found a string",
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
                "expected a PendingWorkloadsSummary object, found an array",
            ),
            ("null", "", "found null"),
            ("{}", "items", "missing field"),
            (
                r#"{"items": {}}"#,
                "items",
                "expected an array, found an object",
            ),
            (r#"{"items": [], "items": []}"#, "items", "duplicate field"),
            (
                r#"{"kind": "WorkloadList", "items": []}"#,
                "kind",
                "\"WorkloadList\"",
            ),
            (r#"{"kind": 3, "items": []}"#, "kind", "expected a string"),
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
