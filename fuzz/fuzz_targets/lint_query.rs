//! `lintQuery` on arbitrary text: never a panic, offsets inside the query (UTF-16), and every
//! offered fix parses with promql-parser.
#![no_main]

use std::time::Duration;

use kubeprom::lint::{lint_query, LintOptions};
use kubeprom_fuzz::{matchers, substitute_range_variables, utf16_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(promql) = std::str::from_utf8(rest) else {
        return;
    };
    let opts = LintOptions {
        scrape_interval: (first != 0).then(|| Duration::from_secs(u64::from(first))),
    };
    let findings = lint_query(promql, &opts);
    let len = utf16_len(promql);
    for f in &findings {
        assert!(
            f.start <= f.end && f.end <= len,
            "{f:?} outside {len} units of {promql:?}"
        );
        if let Some(fix) = &f.fix {
            if let Err(e) = matchers(&substitute_range_variables(fix)) {
                panic!(
                    "fix of {} does not parse: {e}\nquery: {promql:?}\nfix: {fix:?}",
                    f.rule
                );
            }
        }
    }
    // Findings are sorted by position.
    assert!(findings.windows(2).all(|w| w[0].start <= w[1].start));
});
