//! What one poll of a 100,000-workload cluster queue costs the exporter: parse (in pages of
//! 1,000, the exporter's default, and as one page), summarise, render text and OpenMetrics.
//!
//! `cargo bench --bench exporter`. Prints the median of several runs and
//! the peak heap (a counting allocator) of each step; the README quotes the numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use kubeprom::kueue::{
    kueue_families, render_openmetrics, render_text, PagedPending, SummaryOptions,
};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const N: usize = 100_000;
const NOW: f64 = 1_760_000_000.0;

/// A realistic page: 40 namespaces with 3 local queues each, 5 priorities, Jobs, JobSets and
/// RayJobs as owners, waits from seconds to a week.
fn items(from: usize, to: usize) -> String {
    let mut out = String::from(
        r#"{"kind":"PendingWorkloadsSummary","apiVersion":"visibility.kueue.x-k8s.io/v1beta2","metadata":{},"items":["#,
    );
    let owners = [
        ("batch/v1", "Job", "job"),
        ("jobset.x-k8s.io/v1alpha2", "JobSet", "jobset"),
        ("ray.io/v1", "RayJob", "rayjob"),
    ];
    for i in from..to {
        if i > from {
            out.push(',');
        }
        let (api, kind, prefix) = owners[i % 3];
        let ns = format!("team-{:02}", i % 40);
        let lq = ["default", "batch", "interactive"][i / 40 % 3];
        // Older workloads first: queue order roughly follows age within a priority.
        let age = 604_800 - (i as u64 * 6) % 604_800;
        let created = NOW as u64 - age;
        let (y, mo, d, h, mi, s) = civil(created);
        let _ = write!(
            out,
            r#"{{"metadata":{{"name":"{prefix}-w{i:06}-{:05x}","namespace":"{ns}","creationTimestamp":"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z","ownerReferences":[{{"apiVersion":"{api}","kind":"{kind}","name":"w{i:06}","uid":"{:08x}-1111-4222-8333-{:012x}"}}]}},"priority":{},"localQueueName":"{lq}","positionInClusterQueue":{i},"positionInLocalQueue":{}}}"#,
            i * 7919 % 0xfffff,
            i * 2_654_435_761 % 0xffff_ffff,
            i,
            [1000, 500, 100, 0, -10][i % 5],
            i / 120
        );
    }
    out.push_str("]}");
    out
}

/// Unix seconds to civil UTC (H. Hinnant's algorithm).
fn civil(t: u64) -> (u64, u64, u64, u64, u64, u64) {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y as u64,
        m as u64,
        d as u64,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
    )
}

/// Median seconds over `runs`, and the peak heap above what was live before, in bytes.
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, usize) {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let base = CURRENT.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        peak = peak.max(PEAK.load(Ordering::Relaxed) - base);
        drop(out);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], peak)
}

fn mib(b: usize) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn main() {
    let pages: Vec<String> = (0..N).step_by(1000).map(|f| items(f, f + 1000)).collect();
    let whole = items(0, N);
    let page_bytes: usize = pages.iter().map(String::len).sum();
    println!(
        "one queue, {N} pending workloads: {:.1} MiB as one page, {} pages of 1000",
        mib(whole.len()),
        pages.len()
    );
    let mut opts = SummaryOptions::new(NOW);
    opts.cluster_queue = "gpu-a100".into();
    let runs = 7;

    let (t, peak) = measure(runs, || {
        let mut p = PagedPending::new();
        for page in &pages {
            p.add_page(page.as_bytes()).unwrap();
        }
        p
    });
    println!("parse, 100 pages of 1000:      {:7.1} ms   peak heap {:6.1} MiB (bodies, {:.1} MiB, not counted)", t * 1e3, mib(peak), mib(page_bytes));
    let (t, peak) = measure(runs, || {
        let mut p = PagedPending::new();
        p.add_page(whole.as_bytes()).unwrap();
        p
    });
    println!(
        "parse, one page of 100000:     {:7.1} ms   peak heap {:6.1} MiB",
        t * 1e3,
        mib(peak)
    );

    let mut paged = PagedPending::new();
    for page in &pages {
        paged.add_page(page.as_bytes()).unwrap();
    }
    assert_eq!(paged.workloads().len(), N);
    let (t, peak) = measure(runs, || paged.summarize(&opts).unwrap());
    println!(
        "summarise:                     {:7.1} ms   peak heap {:6.1} MiB",
        t * 1e3,
        mib(peak)
    );
    let summaries = paged.summarize(&opts).unwrap();
    assert_eq!(summaries[0].pending, N as u64);
    let (t, peak) = measure(runs, || render_text(&kueue_families(&summaries)));
    let text = render_text(&kueue_families(&summaries));
    println!(
        "render text 0.0.4:             {:7.1} ms   peak heap {:6.1} MiB ({} series, {:.0} KiB)",
        t * 1e3,
        mib(peak),
        text.lines().filter(|l| !l.starts_with('#')).count(),
        text.len() as f64 / 1024.0
    );
    let (t, peak) = measure(runs, || render_openmetrics(&kueue_families(&summaries)));
    println!(
        "render OpenMetrics:            {:7.1} ms   peak heap {:6.1} MiB",
        t * 1e3,
        mib(peak)
    );
    drop(paged);

    let (t, peak) = measure(runs, || {
        let mut p = PagedPending::new();
        for page in &pages {
            p.add_page(page.as_bytes()).unwrap();
        }
        render_text(&kueue_families(&p.summarize(&opts).unwrap()))
    });
    println!(
        "whole poll (pages → text):     {:7.1} ms   peak heap {:6.1} MiB",
        t * 1e3,
        mib(peak)
    );
}
