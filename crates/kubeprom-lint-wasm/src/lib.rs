//! The `#[wasm_bindgen]` boundary of kubeprom's PromQL linter: a module of its own, loaded
//! beside the core module, so pages that never lint never download promql-parser.

mod json;

use wasm_bindgen::prelude::*;

use kubeprom_wasm_support::{invalid, one_option, to_js};

pub use kubeprom_wasm_support::set_error_class;

/// Findings on a PromQL query, with UTF-16 positions and safe rewrites.
#[wasm_bindgen(js_name = lintQuery)]
pub fn lint_query(promql: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let Some(promql) = promql.as_string() else {
        return Err(invalid("promql: expected a string"));
    };
    let findings = kubeprom::lint::lint_query(&promql, &lint_options(&opts)?);
    Ok(to_js(&findings))
}

/// The file lint of a Grafana dashboard (a parsed JSON object; the shim parses JSON text).
#[wasm_bindgen(js_name = lintDashboard)]
pub fn lint_dashboard(dashboard: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let opts = lint_options(&opts)?;
    let value = json::from_js(&dashboard).map_err(|e| invalid(format!("dashboard: {e}")))?;
    kubeprom::lint::lint_dashboard(&value, &opts)
        .map(|report| to_js(&report))
        .map_err(|e| invalid(format!("dashboard: {e}")))
}

/// The file lint of a Prometheus rule file or `PrometheusRule` (parsed: YAML is the caller's).
#[wasm_bindgen(js_name = lintRules)]
pub fn lint_rules(rules: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let opts = lint_options(&opts)?;
    let value = json::from_js(&rules).map_err(|e| invalid(format!("rules: {e}")))?;
    kubeprom::lint::lint_rules(&value, &opts)
        .map(|report| to_js(&report))
        .map_err(|e| invalid(format!("rules: {e}")))
}

/// `{ scrapeInterval? }`, read by hand: a serde reader for one string would bring
/// serde-wasm-bindgen's deserializer into a module that otherwise only serializes.
fn lint_options(opts: &JsValue) -> Result<kubeprom::lint::LintOptions, JsValue> {
    let interval = one_option(
        opts,
        "scrapeInterval",
        "options: expected an object such as { scrapeInterval: '30s' }",
    )?;
    let scrape_interval = if interval.is_undefined() {
        None
    } else {
        let text = interval
            .as_string()
            .ok_or_else(|| invalid("scrapeInterval: expected a string such as \"30s\""))?;
        let duration = kubeprom::lint::parse_duration(&text)
            .map_err(|e| invalid(format!("scrapeInterval: {e}")))?;
        Some(duration)
    };
    Ok(kubeprom::lint::LintOptions { scrape_interval })
}
