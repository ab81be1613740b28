//! A real Prometheus scrapes the exposition from a loopback HTTP server; the numbers queried
//! back must equal the ones generate.py computed from the fixture.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::*;

const GPU: &[u8] = include_bytes!("../../tests/data/kueue/cq-gpu-a100-v1beta2.json");
const EXPECTED: &str = include_str!("../../tests/data/kueue/expected.json");
const HOSTILE_CQ: &str = "cq \"a\"\\ {x=\"1\"}\nnext";

/// Kills and reaps the Prometheus this test started when the test ends, however it ends.
struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `body` as the answer to every request, from a background thread.
fn serve(body: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {TEXT_CONTENT_TYPE}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body.as_bytes());
        }
    });
    port
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/api/v1/query` result vector, or None while Prometheus is not answering yet.
fn query(port: u16, promql: &str) -> Option<Vec<Value>> {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!(
        "GET /api/v1/query?query={} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        percent_encode(promql)
    );
    conn.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    conn.read_to_string(&mut response).ok()?;
    let (_, body) = response.split_once("\r\n\r\n")?;
    let v: Value = serde_json::from_str(body).ok()?;
    v["data"]["result"].as_array().cloned()
}

fn value_of(sample: &Value) -> f64 {
    sample["value"][1].as_str().unwrap().parse().unwrap()
}

fn temp_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "kubeprom-kueue-scrape-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn prometheus_scrapes_the_exposition() {
    let expected: Value = serde_json::from_str(EXPECTED).unwrap();
    let want = &expected["fixtures"]["cq-gpu-a100-v1beta2.json"];
    let mut opts = SummaryOptions::new(expected["now"].as_f64().unwrap());
    opts.cluster_queue = "gpu-a100".into();
    let mut summaries = pending_summary(GPU, &opts).unwrap().summaries;
    opts.cluster_queue = HOSTILE_CQ.into();
    summaries.extend(summarize(&[], &opts).unwrap());
    let text = to_exposition(&summaries);
    let samples = text.lines().filter(|l| !l.starts_with('#')).count();

    let target = serve(text);
    let web = free_port();
    let dir = temp_dir();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: kueue\n    static_configs:\n      \
             - targets: ['127.0.0.1:{target}']\n"
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{web}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "prometheus is required for this test and could not be started ({e}); \
                 install it (Debian: apt-get install prometheus) and put it on PATH"
            )
        });
    let _prometheus = Started(child);

    // Wait for a scrape that Prometheus accepted whole.
    let deadline = Instant::now() + Duration::from_secs(60);
    let scraped = loop {
        let got = query(web, "scrape_samples_scraped{job=\"kueue\"}");
        if let Some(s) = got.as_ref().and_then(|r| r.first()) {
            let up = query(web, "up{job=\"kueue\"}").unwrap();
            assert_eq!(value_of(&up[0]), 1.0, "the scrape failed");
            break value_of(s);
        }
        assert!(
            Instant::now() < deadline,
            "no scrape within 60 s; see {}",
            dir.join("prometheus.log").display()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(scraped, samples as f64);

    let sums = want["summaries"].as_array().unwrap();
    let pending = query(web, "kubeprom_kueue_pending_workloads").unwrap();
    assert_eq!(pending.len(), 2);
    for s in &pending {
        let cq = s["metric"]["cluster_queue"].as_str().unwrap();
        if cq == "gpu-a100" {
            assert_eq!(value_of(s), sums[0]["pending"].as_f64().unwrap());
        } else {
            // Escapes in the exposition were read back to the exact label value.
            assert_eq!(cq, HOSTILE_CQ);
            assert_eq!(value_of(s), 0.0);
        }
    }

    let lqs = query(web, "kubeprom_kueue_local_queue_pending_workloads").unwrap();
    assert_eq!(lqs.len(), sums.len() - 1);
    for s in &sums[1..] {
        let promql = format!(
            "kubeprom_kueue_local_queue_oldest_pending_workload_age_seconds\
             {{namespace=\"{}\",local_queue=\"{}\"}}",
            s["namespace"].as_str().unwrap(),
            s["localQueue"].as_str().unwrap()
        );
        let got = query(web, &promql).unwrap();
        assert_eq!(
            value_of(&got[0]),
            s["wait"]["max"].as_f64().unwrap(),
            "{promql}"
        );
    }

    let bucket = query(
        web,
        "kubeprom_kueue_pending_workload_age_seconds_bucket{cluster_queue=\"gpu-a100\",le=\"3600\"}",
    )
    .unwrap();
    let want_bucket = sums[0]["wait"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["le"] == 3600)
        .unwrap();
    assert_eq!(value_of(&bucket[0]), want_bucket["count"].as_f64().unwrap());

    let head = &sums[0]["head"][0];
    let position = query(
        web,
        &format!(
            "kubeprom_kueue_pending_workload_position{{workload=\"{}\"}}",
            head["name"].as_str().unwrap()
        ),
    )
    .unwrap();
    assert_eq!(value_of(&position[0]), head["position"].as_f64().unwrap());

    let _ = std::fs::remove_dir_all(&dir);
}
