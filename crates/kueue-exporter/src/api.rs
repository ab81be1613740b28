//! The Kubernetes calls the exporter makes, and what went wrong with them.
//!
//! Every call is a GET through kube's client (authentication, TLS and kubeconfig handling are
//! kube's). The RBAC each needs is in [`Action`]; deploy/kueue-exporter/rbac.yaml grants
//! exactly those.

use std::fmt;
use std::time::Duration;

use axum::http::Request;
use kube::Client;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

/// Bytes escaped in a path segment or query value: all but RFC 3986's unreserved characters
/// (Kubernetes names are DNS labels, so in practice nothing is escaped).
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// API group of ClusterQueue and LocalQueue.
pub const KUEUE_GROUP: &str = "kueue.x-k8s.io";
/// API group of the pending-workloads endpoints.
pub use kubeprom::kueue::VISIBILITY_GROUP;

/// Why a call failed, as counted in `kubeprom_kueue_exporter_errors_total{kind}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// No connection, or it broke (DNS, refused, reset, TLS).
    Unreachable,
    /// 401: the credentials were not accepted (or the client cannot use them at all, e.g. a
    /// token file that is not a valid header value).
    Unauthorized,
    /// 403: RBAC does not allow the call.
    Forbidden,
    /// 404: the queue (or the API version) is not there.
    NotFound,
    /// The answer is not what the API documents.
    Malformed,
    /// No full answer within `--request-timeout`.
    Timeout,
    /// 5xx (503 when the visibility API server behind the aggregation layer is down) or 429.
    ServerError,
    /// Any other 4xx.
    ClientError,
}

impl FaultKind {
    /// The `kind` label value.
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::Unreachable => "unreachable",
            FaultKind::Unauthorized => "unauthorized",
            FaultKind::Forbidden => "forbidden",
            FaultKind::NotFound => "not_found",
            FaultKind::Malformed => "malformed",
            FaultKind::Timeout => "timeout",
            FaultKind::ServerError => "server_error",
            FaultKind::ClientError => "client_error",
        }
    }
}

/// A failed call: its kind and one line saying what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Fault {
    /// What kind of failure.
    pub kind: FaultKind,
    /// One line for the log.
    pub message: String,
}

impl Fault {
    /// A fault of `kind` with `message`.
    pub fn new(kind: FaultKind, message: impl Into<String>) -> Self {
        Fault {
            kind,
            message: message.into(),
        }
    }
}

/// What a call asks the API server to do, in RBAC terms (for the 403 message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// RBAC verb.
    pub verb: &'static str,
    /// API group.
    pub group: &'static str,
    /// Resource, with `/subresource` if any.
    pub resource: &'static str,
    /// Namespace of a namespaced call.
    pub namespace: Option<String>,
    /// The object's name for a `get`.
    pub name: Option<String>,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        write!(f, " (apiGroup {}", self.group)?;
        if let Some(ns) = &self.namespace {
            write!(f, ", namespace {ns}")?;
        }
        f.write_str(")")
    }
}

/// Discovery of a group's versions (`GET /apis/GROUP`): allowed to every authenticated user by
/// the default `system:discovery` role, so not in the exporter's ClusterRole.
#[derive(Debug, Deserialize)]
struct ApiGroup {
    #[serde(default)]
    versions: Vec<GroupVersion>,
    #[serde(rename = "preferredVersion")]
    preferred_version: Option<GroupVersion>,
}

#[derive(Debug, Deserialize)]
struct GroupVersion {
    version: String,
}

/// The served versions of a group, the preferred one first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions(pub Vec<String>);

impl Versions {
    /// Whether `version` is served.
    pub fn serves(&self, version: &str) -> bool {
        self.0.iter().any(|v| v == version)
    }
    /// The preferred version, if any is served.
    pub fn preferred(&self) -> Option<&str> {
        self.0.first().map(String::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct ObjectList {
    #[serde(default)]
    items: Vec<Object>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Debug, Default, Deserialize)]
struct ListMeta {
    #[serde(rename = "continue", default)]
    continue_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Object {
    metadata: ObjectMeta,
    #[serde(default)]
    spec: Option<LocalQueueSpec>,
}

#[derive(Debug, Deserialize)]
struct ObjectMeta {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LocalQueueSpec {
    #[serde(rename = "clusterQueue", default)]
    cluster_queue: Option<String>,
}

/// A LocalQueue: where it is and which cluster queue it feeds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalQueue {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.clusterQueue`.
    pub cluster_queue: String,
}

/// The exporter's Kubernetes client: kube's client plus the per-request timeout.
#[derive(Clone)]
pub struct Kube {
    client: Client,
    timeout: Duration,
}

impl Kube {
    /// Wraps a kube client; every request gets at most `timeout`.
    pub fn new(client: Client, timeout: Duration) -> Self {
        Kube { client, timeout }
    }

    /// `GET path` (path and query), the body as text.
    async fn get(&self, path: &str, action: &Action) -> Result<String, Fault> {
        let request = Request::get(path)
            .body(Vec::new())
            .map_err(|e| Fault::new(FaultKind::ClientError, format!("bad request {path}: {e}")))?;
        match tokio::time::timeout(self.timeout, self.client.request_text(request)).await {
            Err(_) => Err(Fault::new(
                FaultKind::Timeout,
                format!(
                    "{action}: no complete answer within {:?} (--request-timeout)",
                    self.timeout
                ),
            )),
            Ok(Ok(text)) => Ok(text),
            Ok(Err(e)) => Err(classify(e, action)),
        }
    }

    /// The versions of `group` the API server serves, preferred first. A group that is not
    /// served at all is a `not_found` fault.
    pub async fn versions(&self, group: &'static str) -> Result<Versions, Fault> {
        let action = Action {
            verb: "get",
            group,
            resource: "(discovery)",
            namespace: None,
            name: None,
        };
        let text = self.get(&format!("/apis/{group}"), &action).await?;
        let g: ApiGroup = serde_json::from_str(&text).map_err(|e| {
            Fault::new(
                FaultKind::Malformed,
                format!("discovery of {group}: not an APIGroup: {e}"),
            )
        })?;
        let mut versions: Vec<String> = Vec::new();
        if let Some(p) = g.preferred_version {
            versions.push(p.version);
        }
        for v in g.versions {
            if !versions.contains(&v.version) {
                versions.push(v.version);
            }
        }
        if versions.is_empty() {
            return Err(Fault::new(
                FaultKind::NotFound,
                format!("the API server serves no version of {group}"),
            ));
        }
        Ok(Versions(versions))
    }

    /// Names of all ClusterQueues (`list clusterqueues`), sorted.
    pub async fn cluster_queues(&self, version: &str) -> Result<Vec<String>, Fault> {
        let action = Action {
            verb: "list",
            group: KUEUE_GROUP,
            resource: "clusterqueues",
            namespace: None,
            name: None,
        };
        let base = format!("/apis/{KUEUE_GROUP}/{version}/clusterqueues");
        let mut names: Vec<String> = self
            .list(&base, &action)
            .await?
            .into_iter()
            .map(|o| o.metadata.name)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// All LocalQueues in all namespaces (`list localqueues`), sorted.
    pub async fn local_queues(&self, version: &str) -> Result<Vec<LocalQueue>, Fault> {
        let action = Action {
            verb: "list",
            group: KUEUE_GROUP,
            resource: "localqueues",
            namespace: None,
            name: None,
        };
        let base = format!("/apis/{KUEUE_GROUP}/{version}/localqueues");
        let mut out = Vec::new();
        for o in self.list(&base, &action).await? {
            let Some(namespace) = o.metadata.namespace else {
                return Err(Fault::new(
                    FaultKind::Malformed,
                    format!("{action}: LocalQueue {} has no namespace", o.metadata.name),
                ));
            };
            out.push(LocalQueue {
                namespace,
                name: o.metadata.name,
                cluster_queue: o.spec.and_then(|s| s.cluster_queue).unwrap_or_default(),
            });
        }
        out.sort();
        Ok(out)
    }

    /// Every item of a list, following `continue` tokens.
    async fn list(&self, base: &str, action: &Action) -> Result<Vec<Object>, Fault> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                None => format!("{base}?limit=500"),
                Some(t) => format!(
                    "{base}?limit=500&continue={}",
                    utf8_percent_encode(t, ESCAPED)
                ),
            };
            let text = self.get(&path, action).await?;
            let list: ObjectList = serde_json::from_str(&text).map_err(|e| {
                Fault::new(FaultKind::Malformed, format!("{action}: not a list: {e}"))
            })?;
            items.extend(list.items);
            match list.metadata.continue_token.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(items),
            }
        }
    }

    /// One page of a queue's pending workloads (`get .../pendingworkloads`).
    pub async fn pending_page(
        &self,
        target: &PendingTarget,
        version: &str,
        limit: u32,
        offset: usize,
    ) -> Result<String, Fault> {
        let seg = |s: &str| utf8_percent_encode(s, ESCAPED).to_string();
        let (path, action) = match target {
            PendingTarget::ClusterQueue(name) => (
                format!(
                    "/apis/{VISIBILITY_GROUP}/{version}/clusterqueues/{}/pendingworkloads",
                    seg(name)
                ),
                Action {
                    verb: "get",
                    group: VISIBILITY_GROUP,
                    resource: "clusterqueues/pendingworkloads",
                    namespace: None,
                    name: Some(name.clone()),
                },
            ),
            PendingTarget::LocalQueue { namespace, name } => (
                format!(
                    "/apis/{VISIBILITY_GROUP}/{version}/namespaces/{}/localqueues/{}/pendingworkloads",
                    seg(namespace),
                    seg(name)
                ),
                Action {
                    verb: "get",
                    group: VISIBILITY_GROUP,
                    resource: "localqueues/pendingworkloads",
                    namespace: Some(namespace.clone()),
                    name: Some(name.clone()),
                },
            ),
        };
        self.get(&format!("{path}?limit={limit}&offset={offset}"), &action)
            .await
    }
}

/// Whose pending workloads to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingTarget {
    /// A cluster queue.
    ClusterQueue(String),
    /// A local queue.
    LocalQueue {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

fn classify(e: kube::Error, action: &Action) -> Fault {
    match e {
        kube::Error::Api(status) => {
            let code = status.code;
            let detail = if status.message.is_empty() {
                status.reason.clone()
            } else {
                status.message.clone()
            };
            let (kind, what) = match code {
                401 => (
                    FaultKind::Unauthorized,
                    "the API server did not accept the exporter's credentials".to_owned(),
                ),
                403 => (
                    FaultKind::Forbidden,
                    format!(
                        "RBAC denies the exporter `{}` on `{}` in apiGroup {}: add it to its \
                         ClusterRole (deploy/kueue-exporter/rbac.yaml)",
                        action.verb, action.resource, action.group
                    ),
                ),
                404 => (
                    FaultKind::NotFound,
                    match action.name {
                        Some(_) => "not found (deleted since it was listed?)".to_owned(),
                        None => "not found (is Kueue installed?)".to_owned(),
                    },
                ),
                429 | 500..=599 => (
                    FaultKind::ServerError,
                    format!("the API server answered {code}"),
                ),
                _ => (
                    FaultKind::ClientError,
                    format!("the API server answered {code}"),
                ),
            };
            Fault::new(kind, format!("{action}: {what}: {detail}"))
        }
        kube::Error::FromUtf8(e) => Fault::new(
            FaultKind::Malformed,
            format!("{action}: the answer is not UTF-8: {e}"),
        ),
        // The client could not use the credentials at all (nothing was sent): a credentials
        // fault, not a network one.
        kube::Error::Auth(e) => credentials_fault(&e, action),
        kube::Error::HyperError(e) => Fault::new(
            FaultKind::Unreachable,
            format!("{action}: API server unreachable: {}", chain(&e)),
        ),
        kube::Error::Service(e) => match e.downcast_ref::<kube::client::AuthError>() {
            Some(auth) => credentials_fault(auth, action),
            None => Fault::new(
                FaultKind::Unreachable,
                format!("{action}: API server unreachable: {}", chain(e.as_ref())),
            ),
        },
        other => Fault::new(
            FaultKind::Unreachable,
            format!("{action}: request failed: {}", chain(&other)),
        ),
    }
}

fn credentials_fault(e: &kube::client::AuthError, action: &Action) -> Fault {
    // kube sends a token file's bytes as they are; client-go trims them. A token written with
    // `kubectl create token NAME > FILE` ends with a newline, which no header may hold.
    let hint = if matches!(e, kube::client::AuthError::InvalidBearerToken(_)) {
        " (does the token file end with a newline? it must hold the token alone)"
    } else {
        ""
    };
    Fault::new(
        FaultKind::Unauthorized,
        format!(
            "{action}: the exporter's credentials cannot be used: {}{hint}",
            chain(e)
        ),
    )
}

/// An error and its sources on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_like_rbac() {
        let a = Action {
            verb: "get",
            group: VISIBILITY_GROUP,
            resource: "localqueues/pendingworkloads",
            namespace: Some("team-a".into()),
            name: Some("q".into()),
        };
        assert_eq!(
            a.to_string(),
            "get localqueues/pendingworkloads \"q\" (apiGroup visibility.kueue.x-k8s.io, namespace team-a)"
        );
    }

    #[test]
    fn statuses_classify_by_code() {
        let action = Action {
            verb: "list",
            group: KUEUE_GROUP,
            resource: "clusterqueues",
            namespace: None,
            name: None,
        };
        for (code, kind) in [
            (401, FaultKind::Unauthorized),
            (403, FaultKind::Forbidden),
            (404, FaultKind::NotFound),
            (429, FaultKind::ServerError),
            (500, FaultKind::ServerError),
            (503, FaultKind::ServerError),
            (409, FaultKind::ClientError),
        ] {
            let status = kube::core::Status::failure("nope", "Reason").with_code(code);
            let f = classify(kube::Error::Api(status.boxed()), &action);
            assert_eq!(f.kind, kind, "{code}");
            assert!(f.message.contains("nope"), "{}", f.message);
        }
        let status = kube::core::Status::failure("denied", "Forbidden").with_code(403);
        let f = classify(kube::Error::Api(status.boxed()), &action);
        assert!(
            f.message
                .contains("`list` on `clusterqueues` in apiGroup kueue.x-k8s.io"),
            "{}",
            f.message
        );
    }
}
