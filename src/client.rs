//! The transport-free half of a Prometheus client: base URLs (Headlamp's Kubernetes service
//! proxy included), request URLs, and turning an HTTP status and body into a result or a clear
//! error. The `wasm` module supplies the `fetch` transport.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;

use crate::response::{self, ResponseError};

/// Characters left as they are in a query parameter or path segment (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a request did not give a result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// Bad options or arguments.
    #[error("{0}")]
    InvalidArgument(String),
    /// The response arrived but is an error or not a Prometheus response.
    #[error("{error}")]
    Response {
        /// What the body said.
        error: ResponseError,
        /// The HTTP status.
        status: u16,
        /// Seconds from `Retry-After`.
        retry_after: Option<f64>,
    },
    /// A non-Prometheus HTTP error with a readable message (a Kubernetes API `Status`, a redirect).
    #[error("{message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// What went wrong.
        message: String,
        /// Seconds from `Retry-After`.
        retry_after: Option<f64>,
    },
    /// The request failed before a response (connection refused, reset, DNS, CORS).
    #[error("request to {url} failed: {message}")]
    Network {
        /// The URL requested.
        url: String,
        /// The transport's message.
        message: String,
    },
    /// No complete response within the timeout.
    #[error("request to {url} timed out after {timeout_ms} ms")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout.
        timeout_ms: u32,
    },
    /// The caller aborted the request.
    #[error("request to {url} was aborted")]
    Aborted {
        /// The URL requested.
        url: String,
    },
}

impl ClientError {
    /// The API error kind.
    pub fn kind(&self) -> &str {
        match self {
            Self::InvalidArgument(_) => "invalid_argument",
            Self::Response { error, .. } => error.kind(),
            Self::Http { .. } => "http",
            Self::Network { .. } => "network",
            Self::Timeout { .. } => "timeout",
            Self::Aborted { .. } => "aborted",
        }
    }

    /// The backend's own `errorType`, when [`ClientError::kind`] is a translation of it.
    pub fn raw_error_type(&self) -> Option<&str> {
        match self {
            Self::Response { error, .. } => error.raw_error_type(),
            _ => None,
        }
    }

    /// The HTTP status, when there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Response { status, .. } | Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Seconds to wait before retrying, when the server said.
    pub fn retry_after(&self) -> Option<f64> {
        match self {
            Self::Response { retry_after, .. } | Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// Where and how to reach Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// Base URL without a trailing slash: an absolute http(s) URL or a path from the page origin.
    pub base_url: String,
    /// Headers sent with every request.
    pub headers: Vec<(String, String)>,
    /// Request timeout.
    pub timeout_ms: u32,
    /// Largest response body accepted; larger ones fail with `too_large`.
    pub max_bytes: usize,
}

/// Options of `new PrometheusClient(...)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// Base URL.
    pub base_url: String,
    /// Extra headers.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Timeout in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u32>,
    /// Largest response body accepted, in bytes (default [`response::DEFAULT_MAX_BYTES`]).
    #[serde(default)]
    pub max_bytes: Option<f64>,
}

/// A port given as a number or a name (`9090`, `"http-web"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Port {
    /// A port number.
    Number(u16),
    /// A named port.
    Name(String),
}

/// Options of `PrometheusClient.headlampServiceProxy(...)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceProxyOptions {
    /// Headlamp's cluster name.
    pub cluster: String,
    /// The service's namespace.
    pub namespace: String,
    /// The service's name.
    pub service: String,
    /// Its port.
    pub port: Port,
    /// `http` (default) or `https`.
    #[serde(default)]
    pub scheme: Option<String>,
    /// A path under the service, e.g. `/select/0/prometheus`.
    #[serde(default)]
    pub path: Option<String>,
    /// Headlamp backend origin; default relative to the page.
    #[serde(default)]
    pub origin: Option<String>,
    /// Extra headers.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Timeout in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u32>,
    /// Largest response body accepted, in bytes.
    #[serde(default)]
    pub max_bytes: Option<f64>,
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

impl ClientConfig {
    /// Checks options.
    pub fn new(opts: ClientOptions) -> Result<Self, ClientError> {
        // Checked first, and the URL is not echoed: error messages end up in logs and on screen.
        if has_userinfo(&opts.base_url) {
            return Err(ClientError::InvalidArgument(
                "baseUrl: must not carry credentials (user:password@); pass them in `headers` (e.g. Authorization)".into(),
            ));
        }
        let base = opts.base_url.trim_end_matches('/');
        let absolute = ["http://", "https://"]
            .iter()
            .any(|scheme| base.len() > scheme.len() && base.starts_with(scheme));
        if !(absolute || opts.base_url.starts_with('/')) {
            return Err(ClientError::InvalidArgument(format!(
                "baseUrl: {:?} is neither an http(s) URL nor a path starting with /",
                opts.base_url
            )));
        }
        if base.contains(['?', '#']) {
            return Err(ClientError::InvalidArgument(
                "baseUrl: must not have a query or fragment".into(),
            ));
        }
        let timeout_ms = opts.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        if timeout_ms == 0 {
            return Err(ClientError::InvalidArgument(
                "timeoutMs: must be more than 0".into(),
            ));
        }
        let max_bytes = match opts.max_bytes {
            None => response::DEFAULT_MAX_BYTES,
            Some(m) if m.is_finite() && m >= 0.0 => m.min(usize::MAX as f64) as usize,
            Some(m) => {
                return Err(ClientError::InvalidArgument(format!(
                    "maxBytes: {m} is not a number of bytes"
                )))
            }
        };
        Ok(Self {
            base_url: base.to_owned(),
            headers: opts.headers.into_iter().collect(),
            timeout_ms,
            max_bytes,
        })
    }

    /// A client for a Prometheus service reached through Headlamp's Kubernetes API proxy:
    /// `/clusters/<cluster>/api/v1/namespaces/<ns>/services/<scheme:><svc>:<port>/proxy<path>`.
    pub fn headlamp_service_proxy(opts: ServiceProxyOptions) -> Result<Self, ClientError> {
        let invalid =
            |field: &str, why: &str| ClientError::InvalidArgument(format!("{field}: {why}"));
        let dns_label = |field: &str, value: &str| {
            let ok = !value.is_empty()
                && value.len() <= 253
                && value.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if ok {
                Ok(())
            } else {
                Err(invalid(
                    field,
                    &format!("{value:?} is not a Kubernetes object name"),
                ))
            }
        };
        if opts.cluster.is_empty() {
            return Err(invalid("cluster", "must not be empty"));
        }
        dns_label("namespace", &opts.namespace)?;
        dns_label("service", &opts.service)?;
        let port = match &opts.port {
            Port::Number(0) => return Err(invalid("port", "must not be 0")),
            Port::Number(n) => n.to_string(),
            Port::Name(name)
                if !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
            {
                name.clone()
            }
            Port::Name(name) => {
                return Err(invalid(
                    "port",
                    &format!("{name:?} is not a port number or name"),
                ))
            }
        };
        let scheme = match opts.scheme.as_deref() {
            None | Some("http") => "",
            Some("https") => "https:",
            Some(other) => {
                return Err(invalid(
                    "scheme",
                    &format!("{other:?} is neither http nor https"),
                ))
            }
        };
        let path = match opts.path.as_deref().map(|p| p.trim_end_matches('/')) {
            None | Some("") => String::new(),
            // `.` and `..` would be resolved by the browser and could leave the proxy path.
            Some(p)
                if p.split('/')
                    .any(|segment| segment == "." || segment == "..") =>
            {
                return Err(invalid(
                    "path",
                    &format!("{p:?} must not contain . or .. segments"),
                ))
            }
            Some(p) if p.starts_with('/') => p
                .split('/')
                .skip(1)
                .map(|segment| format!("/{}", encode(segment)))
                .collect(),
            Some(p) => return Err(invalid("path", &format!("{p:?} must start with /"))),
        };
        let origin = opts.origin.as_deref().unwrap_or("").trim_end_matches('/');
        let base_url = format!(
            "{origin}/clusters/{}/api/v1/namespaces/{}/services/{scheme}{}:{port}/proxy{path}",
            encode(&opts.cluster),
            opts.namespace,
            opts.service,
        );
        Self::new(ClientOptions {
            base_url,
            headers: opts.headers,
            timeout_ms: opts.timeout_ms,
            max_bytes: opts.max_bytes,
        })
    }

    /// URL of an instant query.
    pub fn query_url(&self, promql: &str, time: Option<f64>) -> Result<String, ClientError> {
        let mut url = format!("{}/api/v1/query?query={}", self.base_url, encode(promql));
        if let Some(time) = time {
            url.push_str(&format!("&time={}", finite("time", time)?));
        }
        Ok(url)
    }

    /// URL of a range query. Refuses more than 11,000 points, as Prometheus would.
    pub fn query_range_url(
        &self,
        promql: &str,
        start: f64,
        end: f64,
        step: f64,
    ) -> Result<String, ClientError> {
        let (start, end, step) = (
            finite("start", start)?,
            finite("end", end)?,
            finite("step", step)?,
        );
        if step <= 0.0 {
            return Err(ClientError::InvalidArgument(
                "step: must be more than 0 seconds".into(),
            ));
        }
        if end < start {
            return Err(ClientError::InvalidArgument(
                "end: must not be before start".into(),
            ));
        }
        let points = ((end - start) / step).floor() + 1.0;
        if points > 11_000.0 {
            return Err(ClientError::InvalidArgument(format!(
                "step: {points} points per series is more than Prometheus' 11,000; use a step of at least {}s",
                ((end - start) / 10_999.0).ceil()
            )));
        }
        Ok(format!(
            "{}/api/v1/query_range?query={}&start={start}&end={end}&step={step}",
            self.base_url,
            encode(promql)
        ))
    }

    /// Refuses a response whose `Content-Length` is over [`ClientConfig::max_bytes`], so its
    /// body need not be read at all. A body without the header is checked once read.
    pub fn check_content_length(
        &self,
        status: u16,
        content_length: Option<&str>,
        retry_after: Option<&str>,
    ) -> Result<(), ClientError> {
        match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(size) if size > self.max_bytes as u64 => Err(ClientError::Response {
                error: ResponseError::TooLarge {
                    size: usize::try_from(size).unwrap_or(usize::MAX),
                    max: self.max_bytes,
                },
                status,
                retry_after: parse_retry_after(retry_after),
            }),
            _ => Ok(()),
        }
    }

    /// URL of the active scrape targets.
    pub fn targets_url(&self) -> String {
        format!("{}/api/v1/targets?state=active", self.base_url)
    }
}

/// Whether an absolute URL has `user:password@` (or `user@`) before its host.
fn has_userinfo(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn finite(field: &str, value: f64) -> Result<f64, ClientError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ClientError::InvalidArgument(format!(
            "{field}: {value} is not a finite number of unix seconds"
        )))
    }
}

/// Reads `Retry-After` given in seconds (an HTTP date is left unread).
pub fn parse_retry_after(header: Option<&str>) -> Option<f64> {
    header
        .and_then(|h| h.trim().parse::<u32>().ok())
        .map(f64::from)
}

/// Turns a response into a value with `parse`, or the clearest error it supports.
pub fn interpret<T>(
    status: u16,
    body: &[u8],
    retry_after: Option<&str>,
    max_bytes: usize,
    parse: impl Fn(&[u8], usize) -> Result<T, ResponseError>,
) -> Result<T, ClientError> {
    let retry_after = parse_retry_after(retry_after);
    if status == 0 || (300..400).contains(&status) {
        return Err(ClientError::Http {
            status,
            message: format!(
                "the server answered with a redirect (HTTP {status}); kubeprom only talks to the configured baseUrl, so check it points at Prometheus' API"
            ),
            retry_after,
        });
    }
    match parse(body, max_bytes) {
        Ok(value) if (200..300).contains(&status) => Ok(value),
        Ok(_) => Err(ClientError::Http {
            status,
            message: format!("HTTP {status} with a successful Prometheus body"),
            retry_after,
        }),
        Err(ResponseError::Malformed { message }) if !(200..300).contains(&status) => {
            if let Some(message) = kubernetes_status(body) {
                return Err(ClientError::Http {
                    status,
                    message,
                    retry_after,
                });
            }
            let error = ResponseError::Malformed {
                message: format!("HTTP {status}: {message}"),
            };
            Err(ClientError::Response {
                error,
                status,
                retry_after,
            })
        }
        Err(error) => Err(ClientError::Response {
            error,
            status,
            retry_after,
        }),
    }
}

/// The message of a Kubernetes API `Status` object, which the API server answers with when its
/// proxy refuses (403 without `services/proxy` rights, 404 for a missing service, 503 with no
/// ready endpoints).
fn kubernetes_status(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Status {
        kind: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        reason: String,
    }
    let status: Status = serde_json::from_slice(body).ok()?;
    (status.kind == "Status").then(|| {
        let hint = match status.reason.as_str() {
            "Forbidden" => " (the user needs the `get` verb on `services/proxy` in that namespace)",
            "ServiceUnavailable" => " (the service has no ready endpoints)",
            _ => "",
        };
        format!("Kubernetes API: {}{hint}", status.message)
    })
}

/// The query parser for [`interpret`], whose parsers give results that do not borrow the body:
/// this one owns its labels.
pub fn parse_query(
    body: &[u8],
    max_bytes: usize,
) -> Result<response::QueryResult<'static>, ResponseError> {
    response::parse_query_response(body, max_bytes).map(response::QueryResult::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy(path: Option<&str>, scheme: Option<&str>) -> Result<ClientConfig, ClientError> {
        ClientConfig::headlamp_service_proxy(ServiceProxyOptions {
            cluster: "my cluster".into(),
            namespace: "monitoring".into(),
            service: "prometheus-operated".into(),
            port: Port::Number(9090),
            scheme: scheme.map(Into::into),
            path: path.map(Into::into),
            origin: None,
            headers: Default::default(),
            timeout_ms: None,
            max_bytes: None,
        })
    }

    #[test]
    fn service_proxy_paths() {
        assert_eq!(
            proxy(None, None).unwrap().base_url,
            "/clusters/my%20cluster/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy"
        );
        assert_eq!(
            proxy(Some("/select/0/prometheus/"), Some("https")).unwrap().base_url,
            "/clusters/my%20cluster/api/v1/namespaces/monitoring/services/https:prometheus-operated:9090/proxy/select/0/prometheus"
        );
        assert!(proxy(Some("select"), None).is_err());
        for escape in ["/..", "/a/../../secrets", "/./x", "/a/."] {
            let err = proxy(Some(escape), None).unwrap_err();
            assert_eq!(err.kind(), "invalid_argument", "{escape}");
        }
        assert!(proxy(Some("/a..b/.x/%2e%2e"), None)
            .unwrap()
            .base_url
            .ends_with("/proxy/a..b/.x/%252e%252e"));
        assert!(proxy(None, Some("ftp")).is_err());
    }

    #[test]
    fn urls_encode_queries() {
        let c = ClientConfig::new(ClientOptions {
            base_url: "http://127.0.0.1:9090/".into(),
            headers: Default::default(),
            timeout_ms: None,
            max_bytes: None,
        })
        .unwrap();
        assert_eq!(
            c.query_url("up{a=\"b c\"}", Some(10.5)).unwrap(),
            "http://127.0.0.1:9090/api/v1/query?query=up%7Ba%3D%22b%20c%22%7D&time=10.5"
        );
        assert!(c.query_range_url("up", 0.0, 100_000.0, 1.0).is_err());
        assert!(c.query_range_url("up", 0.0, 3600.0, 15.0).is_ok());
        assert!(ClientConfig::new(ClientOptions {
            base_url: "prometheus:9090".into(),
            headers: Default::default(),
            timeout_ms: None,
            max_bytes: None,
        })
        .is_err());
    }

    #[test]
    fn credentials_in_the_base_url_are_refused_without_echoing_them() {
        for url in [
            "http://admin:s3cret@prometheus:9090",
            "https://s3cret@prometheus:9090/prefix",
            "http://a:b@[::1]:9090",
        ] {
            let err = ClientConfig::new(ClientOptions {
                base_url: url.into(),
                headers: Default::default(),
                timeout_ms: None,
                max_bytes: None,
            })
            .unwrap_err();
            assert_eq!(err.kind(), "invalid_argument");
            assert!(!err.to_string().contains("s3cret") && !err.to_string().contains("a:b"));
        }
        // An @ in the path or query is not userinfo.
        for url in ["http://prometheus:9090/a@b", "/proxy/user@host"] {
            assert!(ClientConfig::new(ClientOptions {
                base_url: url.into(),
                headers: Default::default(),
                timeout_ms: None,
                max_bytes: None,
            })
            .is_ok());
        }
    }

    #[test]
    fn max_bytes_is_checked_from_content_length() {
        let config = |max_bytes| {
            ClientConfig::new(ClientOptions {
                base_url: "/prometheus".into(),
                headers: Default::default(),
                timeout_ms: None,
                max_bytes,
            })
        };
        assert_eq!(config(None).unwrap().max_bytes, response::DEFAULT_MAX_BYTES);
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(config(Some(bad)).unwrap_err().kind(), "invalid_argument");
        }
        let c = config(Some(1000.0)).unwrap();
        assert!(c.check_content_length(200, Some("1000"), None).is_ok());
        assert!(c.check_content_length(200, None, None).is_ok());
        assert!(c.check_content_length(200, Some("many"), None).is_ok());
        let err = c
            .check_content_length(200, Some(" 209715200"), Some("5"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.status(), err.retry_after()),
            ("too_large", Some(200), Some(5.0))
        );
        assert!(err.to_string().contains("209715200") && err.to_string().contains("1000"));
        // A body read without the header meets the same limit in `interpret`.
        let body = vec![b' '; 1001];
        let err = interpret(200, &body, None, c.max_bytes, parse_query).unwrap_err();
        assert_eq!(err.kind(), "too_large");
    }

    #[test]
    fn interprets_statuses() {
        let ok = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(interpret(200, ok, None, 1 << 20, parse_query).is_ok());
        let err = interpret(
            422,
            br#"{"status":"error","errorType":"execution","error":"boom"}"#,
            None,
            1 << 20,
            parse_query,
        )
        .unwrap_err();
        assert_eq!((err.kind(), err.status()), ("execution", Some(422)));
        let err = interpret(
            502,
            b"<html><title>502 Bad Gateway</title></html>",
            None,
            1 << 20,
            parse_query,
        )
        .unwrap_err();
        assert_eq!((err.kind(), err.status()), ("malformed", Some(502)));
        let forbidden = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"services \"prometheus\" is forbidden: User \"bob\" cannot get resource \"services/proxy\"","reason":"Forbidden","code":403}"#;
        let err = interpret(403, forbidden, None, 1 << 20, parse_query).unwrap_err();
        assert_eq!((err.kind(), err.status()), ("http", Some(403)));
        assert!(err.to_string().contains("services/proxy"));
        let err = interpret(503, b"overloaded", Some("7"), 1 << 20, parse_query).unwrap_err();
        assert_eq!(err.retry_after(), Some(7.0));
        assert_eq!(
            interpret(302, b"", None, 1 << 20, parse_query)
                .unwrap_err()
                .kind(),
            "http"
        );
    }
}
