//! The `#[wasm_bindgen]` boundary of kubeprom's core: JS values in, the plain-Rust API of the
//! `kubeprom` crate, JS values and `KubepromError`s out. Conversion only.
//!
//! - [`core`]: catalog, query building, response parsing, per-pod aggregation, the Prometheus
//!   client (over `fetch`) and Kueue summaries;
//! - [`bytes`]: from response bytes to per-pod values in one call;
//! - [`groups`]: the per-pod rules for other groups (queues, controllers, targets);
//! - [`recommend`]: right-sizing's queries and recommendations;
//! - `kept`: parsed results kept in wasm behind the JS results, released with them;
//! - `packed`: results and pods crossing as flat arrays and one string table, made into
//!   objects by `unpack.js` (the JS half, shipped beside the glue).

pub mod bytes;
pub mod core;
pub mod groups;
mod kept;
mod packed;
pub mod recommend;

pub use self::bytes::*;
pub use self::core::*;
pub use self::groups::*;
pub use self::recommend::*;
pub use kubeprom_wasm_support::set_error_class;
