//! kubeprom: a Kubernetes metrics core shared by Headlamp and Grafana plugins.
//!
//! Plain Rust, with no wasm or server dependency: the `kubeprom-wasm` and `kubeprom-lint-wasm`
//! crates (under `crates/`) are its JS boundary, the Kueue exporter a service built on it.
//! - [`query`]: correct PromQL for pods, queues and operators from a [`query::QuerySpec`].
//! - [`response`]: Prometheus HTTP API responses parsed straight from bytes.
//! - [`aggregate`]: per-pod values that count each container once.
//! - [`client`]: request building and response handling for a Prometheus client.
//! - [`crosscheck`]: Prometheus' pod usage checked against metrics-server's, with likely causes.
//! - [`quantity`]: Kubernetes resource quantities (`250m`, `200Mi`) as numbers.
//! - [`recommend`]: CPU and memory requests and limits from usage history.
//! - [`view`]: values as text, with the same rules for every plugin.
//! - `lint` (feature `lint`): findings on user PromQL.

pub mod aggregate;
pub mod client;
pub mod crosscheck;
pub mod kueue;
#[cfg(feature = "lint")]
pub mod lint;
mod order;
pub mod quantity;
pub mod query;
pub mod recommend;
pub mod response;
pub mod units;
pub mod view;
