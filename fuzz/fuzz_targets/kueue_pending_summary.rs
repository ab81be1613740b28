//! `kueuePendingSummary` on arbitrary bodies and options: never a panic, every error one of
//! the documented kinds, and the summaries always render as valid text exposition.
#![no_main]

use kubeprom::kueue::{pending_summary, to_exposition, SummaryOptions};
use kubeprom_fuzz::read_exposition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 10 {
        return;
    }
    let (head, body) = data.split_at(10);
    let mut now = [0u8; 8];
    now.copy_from_slice(&head[..8]);
    let mut opts = SummaryOptions::new(f64::from_le_bytes(now));
    opts.head_limit = usize::from(head[8]);
    opts.cluster_queue = if head[9] % 2 == 0 {
        "cq".into()
    } else {
        "c\"q}\n\\".into()
    };
    match pending_summary(body, &opts) {
        Ok(report) => {
            assert!(
                !report.summaries.is_empty(),
                "the cluster queue is always summarised"
            );
            assert_eq!(report.summaries[0].cluster_queue, opts.cluster_queue);
            for s in &report.summaries {
                assert!(s.head.len() <= opts.head_limit);
                assert_eq!(s.wait.count(), s.pending);
            }
            let text = to_exposition(&report.summaries);
            if let Err(e) = read_exposition(&text) {
                panic!("invalid exposition: {e}\n{text}");
            }
        }
        Err(e) => {
            assert!(matches!(e.kind(), "malformed" | "invalid_argument"));
            if opts.now.is_finite() {
                assert_eq!(e.kind(), "malformed");
            }
        }
    }
});
