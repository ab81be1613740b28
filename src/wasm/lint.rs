//! The linter's export: alone in the `lint-module` build, beside the core's in a `lint` build.

use wasm_bindgen::prelude::*;

use super::{invalid, options, to_js};

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
            crate::lint::parse_duration(&text).map_err(|e| invalid(format!("scrapeInterval: {e}")))
        })
        .transpose()?;
    let findings = crate::lint::lint_query(&promql, &crate::lint::LintOptions { scrape_interval });
    Ok(to_js(&findings))
}
