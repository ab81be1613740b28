//! `/metrics`, `/healthz` and `/readyz`.

use std::sync::{Arc, Mutex};

use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kubeprom::kueue::{
    render_openmetrics, render_text, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE,
};

use crate::poll::lock;
use crate::state::State;

/// The exporter's routes over the shared state.
pub fn router(state: Arc<Mutex<State>>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// Whether the scraper asked for OpenMetrics (Prometheus does, ranked first, by default).
pub fn wants_openmetrics(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            let is_om = parts
                .next()
                .is_some_and(|t| t.eq_ignore_ascii_case("application/openmetrics-text"));
            // q=0 means "not acceptable".
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            is_om && !refused
        })
}

async fn metrics(Extract(state): Extract<Arc<Mutex<State>>>, headers: HeaderMap) -> Response {
    let families = lock(&state).families();
    let (content_type, body) = if wants_openmetrics(&headers) {
        (OPENMETRICS_CONTENT_TYPE, render_openmetrics(&families))
    } else {
        (TEXT_CONTENT_TYPE, render_text(&families))
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(Extract(state): Extract<Arc<Mutex<State>>>) -> Response {
    if lock(&state).ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: no poll has listed the cluster queues yet\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_negotiation() {
        let h = |v: &'static str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_static(v));
            m
        };
        // Prometheus 2.42's scrape Accept header.
        assert!(wants_openmetrics(&h(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        )));
        assert!(!wants_openmetrics(&h("text/plain;version=0.0.4")));
        assert!(!wants_openmetrics(&h("*/*")));
        assert!(!wants_openmetrics(&h("application/openmetrics-text;q=0")));
        assert!(!wants_openmetrics(&HeaderMap::new()));
    }
}
