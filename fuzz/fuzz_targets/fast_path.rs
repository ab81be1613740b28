//! `aggregate_pods_from_bytes` (what ships: the scanner, then the aggregation over columns)
//! against the plain reading (serde alone, then the `BTreeMap` oracle of
//! tests/oracle/aggregate.rs) on arbitrary bodies: the same numbers and the same error kinds,
//! bit for bit; and the streamed scanner, in chunks of a size the input picks, against the
//! plain reading's result whenever it reads the body. Any difference, or a panic, fails.
#![no_main]

use kubeprom::aggregate::{aggregate_pods_from_bytes, AggregateOptions, Stat};
use kubeprom::response::scan::ResultStream;
use kubeprom::response::{parse_query_response_serde, QueryResult, DEFAULT_MAX_BYTES};
use kubeprom_fuzz::oracle::aggregate_pods_oracle;
use libfuzzer_sys::fuzz_target;

const UNITS: &[Option<&str>] = &[None, Some("MiB"), Some("millicores"), Some("parsecs")];
const STATS: [Stat; 7] = Stat::ALL;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let opts = AggregateOptions {
        unit: UNITS[usize::from(first & 3)].map(str::to_owned),
        stat: STATS[usize::from(first >> 2) % STATS.len()],
        keep_series: first & 0x80 != 0,
        ..Default::default()
    };
    let fast = aggregate_pods_from_bytes(body, DEFAULT_MAX_BYTES, &opts);
    let plain = parse_query_response_serde(body, DEFAULT_MAX_BYTES).map(|r| {
        let aggregation = aggregate_pods_oracle(&r, &opts);
        (r, aggregation)
    });
    match (fast, plain) {
        (Ok(fast), Ok((result, Ok(aggregation)))) => {
            assert_eq!(fast.result_type, result.result_type);
            assert_eq!(fast.warnings, result.warnings);
            assert_eq!(fast.infos, result.infos);
            // Debug output compares NaN as NaN and keeps the sign of zero.
            assert_eq!(
                format!("{:?}", fast.aggregation),
                format!("{:?}", aggregation),
                "the shipped path and the plain reading differ"
            );
        }
        (Err(fast), Ok((_, Err(plain)))) => assert_eq!(fast.kind(), plain.kind()),
        (Err(fast), Err(plain)) => {
            assert_eq!(fast.kind(), plain.kind(), "fast: {fast}\nplain: {plain}")
        }
        (fast, plain) => panic!(
            "one path failed, the other did not:\nfast: {:?}\nplain: {:?}",
            fast.map(|f| f.result_type),
            plain.map(|p| p.1.map(|a| a.pods.len()))
        ),
    }

    let mut stream = ResultStream::new(None);
    for part in body.chunks(1 + usize::from(first) % 61) {
        stream.push(part);
    }
    if let Some(streamed) = stream.finish() {
        let plain = parse_query_response_serde(body, DEFAULT_MAX_BYTES)
            .expect("the stream read a body the plain reading refuses");
        let streamed = QueryResult {
            scanned: false,
            ..streamed
        };
        assert_eq!(
            format!("{streamed:?}"),
            format!("{plain:?}"),
            "the streamed and the plain reading differ"
        );
    }
});
