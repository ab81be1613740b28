//! One sort for the crate's orderings.
//!
//! Every `sort_by` call site with its own closure is a new copy of std's sort in the wasm
//! module, the stable ones the largest. Sorting indices through one `dyn` comparator makes
//! them share a single copy; the aggregation's sorts go through it too, at no measurable cost
//! (the README has the figures).

use std::cmp::Ordering;

/// The order of `len` items by `compare` on their indices: the indices sorted, equal items in
/// their original order (so the sort is stable).
pub(crate) fn sorted_indices(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
    order
}

/// Sorts `items` by `compare`, stably, through [`sorted_indices`].
pub(crate) fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order = sorted_indices(items.len(), &|a, b| compare(&items[a], &items[b]));
    // `order[i]` is the index of the item that goes to position `i`: each cycle of the
    // permutation is applied by swaps, and its positions marked done.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let from = order[at];
            order[at] = usize::MAX;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_std() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut items: Vec<(u8, u32)> = (0..500)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state % 7) as u8, i)
            })
            .collect();
        let mut want = items.clone();
        want.sort_by_key(|&(k, _)| k);
        sort_by(&mut items, |a, b| a.0.cmp(&b.0));
        assert_eq!(items, want, "equal keys keep their order");
        let mut one = vec![3];
        sort_by(&mut one, |a: &i32, b| a.cmp(b));
        assert_eq!(one, [3]);
        // Every permutation of four distinct items comes out sorted (the cycles of each applied).
        let mut perm = [0u8, 1, 2, 3];
        for _ in 0..24 {
            let mut copy = perm;
            sort_by(&mut copy, |a, b| a.cmp(b));
            assert_eq!(copy, [0, 1, 2, 3], "{perm:?}");
            next_permutation(&mut perm);
        }
    }

    fn next_permutation(p: &mut [u8]) {
        let Some(i) = (0..p.len() - 1).rev().find(|&i| p[i] < p[i + 1]) else {
            p.reverse();
            return;
        };
        let j = (i + 1..p.len()).rev().find(|&j| p[j] > p[i]).unwrap();
        p.swap(i, j);
        p[i + 1..].reverse();
    }
}
