//! What a UI shows first, picked before any pod crosses to JS: the top pods by value, or the
//! pods of the visible page, out of an aggregation of the whole cluster.

use std::collections::BinaryHeap;

use serde::Deserialize;

use super::{Aggregation, PodValue};

/// Which end of the order [`PodSelection::top`] keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Largest first (the busiest pods).
    #[default]
    Desc,
    /// Smallest first.
    Asc,
}

/// A pod by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct PodRef {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
}

/// Which pods of an aggregation to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSelection {
    /// Only these pods (a page of a pod list), in namespace and pod order like every result.
    pub pods: Option<Vec<PodRef>>,
    /// Then only the first `n` by value in `order`, pods without a value (NaN) last and ties
    /// by namespace and pod, so the choice never depends on response order.
    pub top: Option<(usize, Order)>,
}

impl PodSelection {
    /// Whether the selection keeps every pod.
    pub fn is_all(&self) -> bool {
        self.pods.is_none() && self.top.is_none()
    }
}

/// Keeps the selected pods of `aggregation` (the rest are dropped, not counted as duplicates);
/// returns how many pods there were before.
pub fn select_pods(aggregation: &mut Aggregation, selection: &PodSelection) -> usize {
    select_in(&mut aggregation.pods, selection)
}

/// A pod as the selection reads it: its name and value.
pub(super) trait Selectable {
    /// Namespace and pod name.
    fn name(&self) -> (&str, &str);
    /// The value `top` orders by.
    fn value(&self) -> f64;
}

impl Selectable for PodValue {
    fn name(&self) -> (&str, &str) {
        (&self.namespace, &self.pod)
    }
    fn value(&self) -> f64 {
        self.value
    }
}

/// Keeps the selected entries of `pods`; returns how many there were before.
///
/// Pods arrive sorted by namespace and pod, which both steps use: a page is found by binary
/// search, and a pod's index is its name order for ties.
pub(super) fn select_in<P: Selectable>(pods: &mut Vec<P>, selection: &PodSelection) -> usize {
    let total = pods.len();
    if let Some(wanted) = &selection.pods {
        let mut keep = vec![false; total];
        for want in wanted {
            let found = pods
                .binary_search_by(|p| p.name().cmp(&(want.namespace.as_str(), want.pod.as_str())));
            if let Ok(at) = found {
                keep[at] = true;
            }
        }
        let mut flags = keep.into_iter();
        pods.retain(|_| flags.next().unwrap_or(false));
    }
    if let Some((n, order)) = selection.top {
        // The best `n` keys, (rank of the value) << 32 | index, largest rank on top so it
        // leaves first: sorting them sorts by value, then name. A heap rather than a sort: a
        // sort of a new element type adds kilobytes of code to the wasm module, a heap a few
        // hundred bytes, and it never orders more than `n` pods.
        let mut best: BinaryHeap<u128> = BinaryHeap::with_capacity(n.min(total) + 1);
        for (at, pod) in pods.iter().enumerate() {
            best.push((u128::from(value_rank(pod.value(), order)) << 32) | at as u128);
            if best.len() > n {
                best.pop();
            }
        }
        let mut slots: Vec<Option<P>> = std::mem::take(pods).into_iter().map(Some).collect();
        *pods = best
            .into_sorted_vec()
            .into_iter()
            .filter_map(|key| slots[(key & u128::from(u32::MAX)) as usize].take())
            .collect();
    }
    total
}

/// A value's place in `order` as an integer: the order of `f64::total_cmp` on its bits (with
/// `-0.0` read as `0.0`), reversed for descending, and NaN last either way.
fn value_rank(value: f64, order: Order) -> u64 {
    if value.is_nan() {
        return u64::MAX;
    }
    let bits = (value + 0.0).to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    match order {
        Order::Asc => ascending,
        // Never u64::MAX: that would need an ascending rank of 0, which only a NaN has.
        Order::Desc => !ascending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods(values: &[(&str, f64)]) -> Aggregation {
        Aggregation {
            pods: values
                .iter()
                .map(|(name, value)| PodValue {
                    namespace: "ns".into(),
                    pod: (*name).into(),
                    value: *value,
                    unit: String::new(),
                    containers: vec![],
                    series: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn names(a: &Aggregation) -> Vec<&str> {
        a.pods.iter().map(|p| p.pod.as_str()).collect()
    }

    #[test]
    fn top_pods_by_value_with_nan_last_and_ties_by_name() {
        let all = [
            ("a", 5.0),
            ("b", f64::NAN),
            ("c", 9.0),
            ("d", 5.0),
            ("e", 1.0),
            ("f", -0.0),
        ];
        let mut agg = pods(&all);
        let total = select_pods(
            &mut agg,
            &PodSelection {
                top: Some((3, Order::Desc)),
                ..Default::default()
            },
        );
        assert_eq!((total, names(&agg)), (6, vec!["c", "a", "d"]));
        let mut agg = pods(&all);
        select_pods(
            &mut agg,
            &PodSelection {
                top: Some((10, Order::Asc)),
                ..Default::default()
            },
        );
        assert_eq!(names(&agg), ["f", "e", "a", "d", "c", "b"]);
        // -0.0 and 0.0 are one value: ties by name.
        let mut agg = pods(&[("z", 0.0), ("y", -0.0), ("x", -1.0), ("w", f64::INFINITY)]);
        agg.pods.sort_by(|a, b| a.pod.cmp(&b.pod));
        select_pods(
            &mut agg,
            &PodSelection {
                top: Some((4, Order::Desc)),
                ..Default::default()
            },
        );
        assert_eq!(names(&agg), ["w", "y", "z", "x"]);
        let mut agg = pods(&all);
        select_pods(
            &mut agg,
            &PodSelection {
                top: Some((0, Order::Desc)),
                ..Default::default()
            },
        );
        assert!(agg.pods.is_empty());
    }

    /// Selection then sorting keeps exactly what sorting everything and truncating would.
    #[test]
    fn top_n_equals_sorting_all() {
        let mut x: u64 = 0x853c_49e6_748f_ea9b;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..500 {
            let len = (next() % 40) as usize;
            let values: Vec<(String, f64)> = (0..len)
                .map(|i| {
                    let v = match next() % 5 {
                        0 => f64::NAN,
                        1 => (next() % 3) as f64,
                        _ => (next() % 1000) as f64 / 10.0,
                    };
                    (format!("p{i:02}"), v)
                })
                .collect();
            let refs: Vec<(&str, f64)> = values.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            let n = (next() % 45) as usize;
            for order in [Order::Desc, Order::Asc] {
                let mut sorted = pods(&refs);
                select_pods(
                    &mut sorted,
                    &PodSelection {
                        top: Some((usize::MAX, order)),
                        ..Default::default()
                    },
                );
                sorted.pods.truncate(n);
                let mut picked = pods(&refs);
                select_pods(
                    &mut picked,
                    &PodSelection {
                        top: Some((n, order)),
                        ..Default::default()
                    },
                );
                assert_eq!(names(&picked), names(&sorted));
            }
        }
    }

    #[test]
    fn a_page_of_pods_keeps_only_those_that_exist() {
        let mut agg = pods(&[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
        let page = ["c", "a", "zz"].map(|p| PodRef {
            namespace: "ns".into(),
            pod: p.into(),
        });
        let total = select_pods(
            &mut agg,
            &PodSelection {
                pods: Some(page.to_vec()),
                top: None,
            },
        );
        assert_eq!((total, names(&agg)), (3, vec!["a", "c"]));
    }
}
