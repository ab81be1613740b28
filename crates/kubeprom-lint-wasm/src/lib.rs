//! The `#[wasm_bindgen]` boundary of kubeprom's PromQL linter: a module of its own, loaded
//! beside the core module, so pages that never lint never download promql-parser.

use wasm_bindgen::prelude::*;

use kubeprom_wasm_support::{invalid, options, to_js};

pub use kubeprom_wasm_support::set_error_class;

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LintOptionsJs {
    scrape_interval: Option<String>,
}

/// Findings on a PromQL query, with UTF-16 positions and safe rewrites.
#[wasm_bindgen(js_name = lintQuery)]
pub fn lint_query(promql: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let Some(promql) = promql.as_string() else {
        return Err(invalid("promql: expected a string"));
    };
    let opts: LintOptionsJs = options(opts, "options")?;
    let scrape_interval = opts
        .scrape_interval
        .map(|text| {
            kubeprom::lint::parse_duration(&text)
                .map_err(|e| invalid(format!("scrapeInterval: {e}")))
        })
        .transpose()?;
    let findings =
        kubeprom::lint::lint_query(&promql, &kubeprom::lint::LintOptions { scrape_interval });
    Ok(to_js(&findings))
}
