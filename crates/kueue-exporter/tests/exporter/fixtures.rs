//! The realistic visibility-API captures of tests/data/kueue (written by generate.py), moved
//! in time so their waits are fresh, and the numbers the exporter must show, computed here
//! from the JSON with no code of the crate.

use std::collections::BTreeMap;

use serde_json::Value;

/// The captures are shared with the core's tests, at the repository's top level.
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/kueue");

/// Upper bounds of the pending-age histogram as the exporter's README documents them.
pub const BUCKETS: [f64; 18] = [
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0,
    43200.0, 86400.0, 172_800.0, 345_600.0, 604_800.0,
];

/// One cluster queue's fixture.
#[derive(Debug, Clone)]
pub struct Queue {
    /// Cluster queue name.
    pub name: String,
    /// Items as served (timestamps shifted), in queue order, including the unreadable one.
    pub items: Vec<Value>,
    /// Indexes of the items generate.py made unreadable.
    pub bad: Vec<usize>,
}

/// `generate.py`'s `now`; the fixtures' waits are measured to it.
pub fn fixture_now() -> i64 {
    expected()["now"].as_i64().unwrap()
}

/// tests/data/kueue/expected.json.
pub fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/expected.json")).unwrap())
        .unwrap()
}

/// The two cluster-queue fixtures (gpu-a100 in v1beta2, cpu-batch in v1beta1), with every
/// readable creationTimestamp moved `shift` seconds later.
pub fn queues(shift: i64) -> Vec<Queue> {
    let exp = expected();
    ["cq-gpu-a100-v1beta2.json", "cq-cpu-batch-v1beta1.json"]
        .iter()
        .map(|file| {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/{file}")).unwrap())
                    .unwrap();
            let meta = &exp["fixtures"][file];
            let bad = meta["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["index"].as_u64().unwrap() as usize)
                .collect();
            let mut items = doc["items"].as_array().unwrap().clone();
            for item in &mut items {
                let ts = &mut item["metadata"]["creationTimestamp"];
                if let Some(t) = ts.as_str().and_then(unix) {
                    *ts = Value::String(rfc3339(t + shift));
                }
            }
            Queue {
                name: meta["clusterQueue"].as_str().unwrap().to_owned(),
                items,
                bad,
            }
        })
        .collect()
}

/// Expected numbers for one queue (a cluster queue, or one local queue of it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// Readable pending workloads.
    pub pending: u64,
    /// Count per priority.
    pub by_priority: BTreeMap<i64, u64>,
    /// Creation times (Unix seconds) of the readable ones.
    pub created: Vec<i64>,
    /// (workload, position) in queue order.
    pub positions: Vec<(String, u64)>,
}

impl Expect {
    /// Age of the oldest at `now`.
    pub fn oldest_age(&self, now: f64) -> f64 {
        self.created
            .iter()
            .map(|c| (now - *c as f64).max(0.0))
            .fold(0.0, f64::max)
    }
    /// Workloads with an age `<= le` at `now`.
    pub fn bucket(&self, le: f64, now: f64) -> u64 {
        self.created
            .iter()
            .filter(|c| (now - **c as f64).max(0.0) <= le)
            .count() as u64
    }
}

/// Expected numbers of a cluster queue and of its local queues `(namespace, name)`, from the
/// items as served; local-queue positions are `position_field`'s.
pub fn expect(
    q: &Queue,
    local_position_field: &str,
) -> (Expect, BTreeMap<(String, String), Expect>) {
    let mut cq = Expect::default();
    let mut lqs: BTreeMap<(String, String), Expect> = BTreeMap::new();
    for (i, item) in q.items.iter().enumerate() {
        if q.bad.contains(&i) {
            continue;
        }
        let name = item["metadata"]["name"].as_str().unwrap().to_owned();
        let ns = item["metadata"]["namespace"].as_str().unwrap().to_owned();
        let lq = item["localQueueName"].as_str().unwrap().to_owned();
        let created = unix(item["metadata"]["creationTimestamp"].as_str().unwrap()).unwrap();
        let priority = item["priority"].as_i64().unwrap();
        for (e, pos) in [
            (&mut cq, item["positionInClusterQueue"].as_u64().unwrap()),
            (
                lqs.entry((ns.clone(), lq.clone())).or_default(),
                item[local_position_field].as_u64().unwrap(),
            ),
        ] {
            e.pending += 1;
            *e.by_priority.entry(priority).or_default() += 1;
            e.created.push(created);
            e.positions.push((name.clone(), pos));
        }
    }
    for e in std::iter::once(&mut cq).chain(lqs.values_mut()) {
        e.positions.sort_by_key(|p| p.1);
    }
    (cq, lqs)
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` (what Kubernetes writes) to Unix seconds; None for anything else or
/// an impossible date.
pub fn unix(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || se > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Unix seconds to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[test]
fn dates_round_trip() {
    // `date -u -d 2023-12-05T15:42:03Z +%s`
    assert_eq!(unix("2023-12-05T15:42:03Z"), Some(1_701_790_923));
    assert_eq!(unix("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    assert_eq!(unix("2025-10-32T25:61:00Z"), None);
    for t in [
        0,
        1_701_790_923,
        1_709_164_800,
        1_760_000_000,
        4_102_444_800,
    ] {
        assert_eq!(unix(&rfc3339(t)), Some(t));
    }
}
