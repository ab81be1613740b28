//! The per-pod aggregation over a [`QueryResult`]'s columns.
//!
//! Its rules are those of the module above; the order they imply (duplicates kept by label
//! set, pods by namespace and pod, containers by tier and name, sums by timestamp) is what a
//! plain reading with a `BTreeMap` per step would give, and `tests/oracle/aggregate.rs` is that
//! reading: the tests and fuzz targets hold this code to it bit for bit. The bookkeeping here
//! is cheaper: duplicates are found with a hash map and ordered by one sort, and per-timestamp
//! sums are merged over sorted arrays, because trees of long label sets and of timestamps cost
//! most of the time on large instant vectors and range results.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use rustc_hash::FxBuildHasher as FastHash;

use super::grouping::{
    Combine, GroupValue, GroupedAggregation, Grouping, PartValue, Tier, MAX_GROUP_LABELS,
};
use super::table::PodTable;
use super::SCRAPE_IDENTITY_LABELS;
use super::{owned_label_sets, stat, AggregateOptions, Aggregation};
use crate::query::QueryError;
use crate::response::{parse_query_response, Label, QueryResult, Series};
use crate::response::{ResponseError, ResultType};
use crate::units::{conversion, Conversion};

/// What [`aggregate_pods_from_bytes`] gives: per-pod values and what the response said besides.
#[derive(Debug, Clone, PartialEq)]
pub struct BytesAggregation {
    /// The result type of the response.
    pub result_type: ResultType,
    /// Per-pod values with what was left out.
    pub aggregation: Aggregation,
    /// Warnings attached to the response: results may be partial.
    pub warnings: Vec<String>,
    /// Informational notes attached to the response.
    pub infos: Vec<String>,
}

/// Why [`aggregate_pods_from_bytes`] failed: the body, or the options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FromBytesError {
    /// The body is not a usable query result.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The options are wrong (an unknown unit, units of different dimensions).
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl FromBytesError {
    /// The API error kind.
    pub fn kind(&self) -> &str {
        match self {
            Self::Response(e) => e.kind(),
            Self::Query(e) => e.kind(),
        }
    }

    /// The backend's own `errorType`, when [`FromBytesError::kind`] is a translation of it.
    pub fn raw_error_type(&self) -> Option<&str> {
        match self {
            Self::Response(e) => e.raw_error_type(),
            Self::Query(_) => None,
        }
    }
}

/// Response bytes to per-pod values in one step: [`parse_query_response`] then
/// [`aggregate_pods`]; a body error is reported before an options error.
pub fn aggregate_pods_from_bytes(
    body: &[u8],
    max_bytes: usize,
    opts: &AggregateOptions,
) -> Result<BytesAggregation, FromBytesError> {
    let columns = parse_query_response(body, max_bytes)?;
    let aggregation = aggregate_pods(&columns, opts)?;
    Ok(BytesAggregation {
        result_type: columns.result_type,
        aggregation,
        warnings: columns.warnings,
        infos: columns.infos,
    })
}

/// Aggregates `result` per pod (the rules are in the [module above](super)).
pub fn aggregate_pods(
    result: &QueryResult,
    opts: &AggregateOptions,
) -> Result<Aggregation, QueryError> {
    Ok(aggregate_pod_table(result, opts)?.to_aggregation())
}

/// [`aggregate_pods`] with the names borrowed from `result`: what a caller reads when it turns
/// the pods into something else at once.
pub fn aggregate_pod_table<'r>(
    result: &'r QueryResult,
    opts: &AggregateOptions,
) -> Result<PodTable<'r>, QueryError> {
    struct Pods<'r>(PodTable<'r>);
    impl<'r> GroupSink<'r> for Pods<'r> {
        fn reserve(&mut self, groups: usize) {
            self.0.reserve(groups);
        }
        fn group(&mut self, group: Emitted<'_, 'r>) {
            self.0.push(
                (group.key[0], group.key[1]),
                group.value,
                group.parts,
                group.series,
            );
        }
    }
    let unit = conversion(opts.source_unit.as_deref(), opts.unit.as_deref())?.unit;
    let mut pods = Pods(PodTable::new(unit, opts.keep_series));
    let tally = aggregate_with(result, &Grouping::pods(), opts, &mut pods)?;
    let mut table = pods.0;
    table.unattributed = tally.unattributed;
    table.dropped_duplicates = tally.dropped_duplicates;
    table.skipped_samples = tally.skipped_samples;
    Ok(table)
}

/// Aggregates `result` per group of `grouping`: the per-pod rules for any group labels and part
/// label (queues and their statuses, controllers, scrape targets).
pub fn aggregate_groups(
    result: &QueryResult,
    grouping: &Grouping,
    opts: &AggregateOptions,
) -> Result<GroupedAggregation, QueryError> {
    struct Groups {
        width: usize,
        groups: Vec<GroupValue>,
    }
    impl GroupSink<'_> for Groups {
        fn reserve(&mut self, groups: usize) {
            self.groups.reserve(groups);
        }
        fn group(&mut self, group: Emitted) {
            self.groups.push(GroupValue {
                key: group.key[..self.width]
                    .iter()
                    .map(|k| (*k).to_owned())
                    .collect(),
                value: group.value,
                unit: group.unit.to_owned(),
                parts: group
                    .parts
                    .iter()
                    .map(|&(part, value)| PartValue {
                        part: part.to_owned(),
                        value,
                    })
                    .collect(),
                series: group
                    .series
                    .map(|(timestamps, values)| (timestamps.to_vec(), values.to_vec())),
            })
        }
    }
    let mut groups = Groups {
        width: grouping.group().len(),
        groups: Vec::new(),
    };
    let tally = aggregate_with(result, grouping, opts, &mut groups)?;
    Ok(GroupedAggregation {
        groups: groups.groups,
        unattributed: owned_label_sets(&tally.unattributed),
        dropped_duplicates: tally.dropped_duplicates,
        skipped_samples: tally.skipped_samples,
    })
}

/// What the aggregation left out, besides the groups it emitted.
struct Tally<'r> {
    /// Label sets of the series without a group label, in label order.
    unattributed: Vec<&'r [Label<'r>]>,
    dropped_duplicates: usize,
    skipped_samples: usize,
}

/// A group key: the group labels' values, unused slots empty.
type GroupKey<'s> = [&'s str; MAX_GROUP_LABELS];

/// One group as [`aggregate_with`] emits it, borrowed for the call.
struct Emitted<'e, 'r> {
    key: &'e GroupKey<'r>,
    value: f64,
    unit: &'static str,
    /// The parts and their values, in the rules' order.
    parts: &'e [(&'r str, f64)],
    /// With `keep_series`: the group's combined series, timestamps and values.
    series: Option<(&'e [f64], &'e [f64])>,
}

/// Where [`aggregate_with`] puts its groups, in key order. A `dyn` trait so that pods and other
/// groups share one copy of the aggregation in the wasm module.
trait GroupSink<'r> {
    /// Called once, before the groups, with their number.
    fn reserve(&mut self, groups: usize);
    fn group(&mut self, group: Emitted<'_, 'r>);
}

/// The one aggregation.
fn aggregate_with<'r>(
    result: &'r QueryResult,
    grouping: &Grouping,
    opts: &AggregateOptions,
    sink: &mut dyn GroupSink<'r>,
) -> Result<Tally<'r>, QueryError> {
    let convert = conversion(opts.source_unit.as_deref(), opts.unit.as_deref())?;
    let combine = grouping.combine();
    let identity = Identity::of(grouping);
    let mut out = Tally {
        unattributed: Vec::new(),
        dropped_duplicates: 0,
        skipped_samples: 0,
    };

    // Duplicate scrapes: one series per label set without scrape identity labels, found with a
    // hash map (comparing long label sets inside a tree is slow on large instant vectors). The
    // label sets' order still decides what depends on order (series order within a group,
    // unattributed order): by sorting.
    // FxHash, not SipHash or foldhash: both multiply into 128 bits, which wasm does in several
    // steps, and hashing every label of 50k series was a tenth of the time; flooding is no
    // concern for a response the caller asked for.
    let hasher = FastHash;
    // Each key is hashed once and stored once, in `kept`; the map holds the newest series per
    // hash and `kept` chains older ones with the same hash.
    let mut newest: HashMap<u64, usize, FastHash> =
        HashMap::with_capacity_and_hasher(result.series.len(), FastHash);
    // Each series' group and part are found here, while its labels are in cache from the
    // hashing, rather than in a second pass over every label set of the body.
    let wanted = Wanted::of(grouping);
    let mut kept: Vec<Kept> = Vec::with_capacity(result.series.len());
    for series in &result.series {
        let key = Key::of(series, &identity);
        let hash = {
            let mut state = hasher.build_hasher();
            // Values only: equal keys have equal values, and the names, the same in nearly
            // every series, would add bytes to hash without telling series apart.
            key.pairs().for_each(|(_, value)| value.hash(&mut state));
            state.finish()
        };
        let head = newest.get(&hash).copied();
        let mut at = head;
        while let Some(i) = at {
            if kept[i].key.pairs().eq(key.pairs()) {
                break;
            }
            at = kept[i].older;
        }
        match at {
            Some(at) => {
                out.dropped_duplicates += 1;
                if prefer(series, kept[at].series) {
                    kept[at].series = series;
                    kept[at].found = wanted.find(series);
                }
            }
            None => {
                newest.insert(hash, kept.len());
                kept.push(Kept {
                    found: wanted.find(series),
                    key,
                    series,
                    older: head,
                });
            }
        }
    }
    drop(newest);

    // Each kept series' group, tier and part, found in one pass over its labels; then one
    // sort puts them in the rules' order (groups by key, parts by tier and value, series by
    // key) instead of a tree and a list per group and per part.
    struct Entry<'s> {
        rank: u32,
        tier: Tier,
        part: &'s str,
        kept: usize,
    }
    let mut group_ids: HashMap<GroupKey, u32, FastHash> =
        HashMap::with_capacity_and_hasher(kept.len(), FastHash);
    let mut group_keys: Vec<GroupKey> = Vec::new();
    let mut entries: Vec<Entry> = Vec::with_capacity(kept.len());
    let mut unattributed: Vec<(&Key, &Series)> = Vec::new();
    for (at, one) in kept.iter().enumerate() {
        let Some((group, part)) = one.found else {
            unattributed.push((&one.key, one.series));
            continue;
        };
        let next = group_keys.len() as u32;
        let id = *group_ids.entry(group).or_insert_with(|| {
            group_keys.push(group);
            next
        });
        entries.push(Entry {
            rank: id,
            tier: grouping.tier(part),
            part,
            kept: at,
        });
    }
    drop(group_ids);
    let by_key = key_order(&group_keys, grouping.group().len());
    let mut rank = vec![0u32; by_key.len()];
    for (r, &id) in by_key.iter().enumerate() {
        rank[id] = r as u32;
    }
    // Groups in order by counting (a few series each), then each group's few series by sorting.
    let mut starts = vec![0usize; rank.len() + 1];
    for entry in &mut entries {
        entry.rank = rank[entry.rank as usize];
        starts[entry.rank as usize + 1] += 1;
    }
    for r in 1..starts.len() {
        starts[r] += starts[r - 1];
    }
    let mut slots: Vec<Option<Entry>> = (0..entries.len()).map(|_| None).collect();
    for entry in entries {
        let at = &mut starts[entry.rank as usize];
        slots[*at] = Some(entry);
        *at += 1;
    }
    let mut entries: Vec<Entry> = slots.into_iter().flatten().collect();
    for group_entries in entries.chunk_by_mut(|a, b| a.rank == b.rank) {
        crate::order::sort_by(group_entries, |a, b| {
            (a.tier, a.part)
                .cmp(&(b.tier, b.part))
                .then_with(|| kept[a.kept].key.pairs().cmp(kept[b.kept].key.pairs()))
        });
    }

    crate::order::sort_by(&mut unattributed, |a, b| a.0.pairs().cmp(b.0.pairs()));
    out.unattributed = unattributed
        .into_iter()
        .map(|(_, series)| &series.labels[..])
        .collect();

    let unit_factor = Conversion {
        factor: 1.0,
        unit: "",
    };
    let mut part_sum = Merged::new(combine);
    let mut group_sum = Merged::new(combine);
    let mut timestamps = Vec::new();
    let mut group_timestamps = Vec::new();
    let mut parts: Vec<(&str, f64)> = Vec::new();
    sink.reserve(group_keys.len());
    for group_entries in entries.chunk_by(|a, b| a.rank == b.rank) {
        let key = &group_keys[by_key[group_entries[0].rank as usize]];
        // Sorted by tier within the group: the first is the finest.
        let best = group_entries[0].tier;
        group_sum.clear();
        parts.clear();
        for same in group_entries.chunk_by(|a, b| (a.tier, a.part) == (b.tier, b.part)) {
            if same[0].tier != best {
                out.dropped_duplicates += same.len();
                continue;
            }
            part_sum.clear();
            for entry in same {
                let s = kept[entry.kept].series;
                out.skipped_samples +=
                    part_sum.add(result.timestamps_of(s), result.values_of(s), convert);
            }
            part_sum.timestamps_into(&mut timestamps);
            group_sum.add(&timestamps, &part_sum.values, unit_factor);
            parts.push((same[0].part, stat(&part_sum.values, opts.stat)));
        }
        let series = opts.keep_series.then(|| {
            group_sum.timestamps_into(&mut group_timestamps);
            (&group_timestamps[..], &group_sum.values[..])
        });
        sink.group(Emitted {
            key,
            value: stat(&group_sum.values, opts.stat),
            unit: convert.unit,
            parts: &parts,
            series,
        });
    }
    Ok(out)
}

/// A series kept by the dedupe: its key, its group and part (`None`: a group label is
/// missing), and the index of an older kept series with the same key hash.
struct Kept<'s, 'i> {
    key: Key<'s, 'i>,
    series: &'s Series<'s>,
    found: Option<(GroupKey<'s>, &'s str)>,
    older: Option<usize>,
}

/// The indices of `keys` (distinct group keys of `width` labels) in key order.
///
/// The first label's values (namespaces: few) are ranked exactly, and the second is compared
/// by its first 16 bytes before the whole keys are: string compares read the label values
/// where the body holds them, scattered over megabytes, and were most of this sort's time.
fn key_order(keys: &[GroupKey], width: usize) -> Vec<usize> {
    let mut first_ids: HashMap<&str, u32, FastHash> = HashMap::default();
    let mut firsts: Vec<&str> = Vec::new();
    let ids: Vec<u32> = keys
        .iter()
        .map(|key| {
            let next = firsts.len() as u32;
            *first_ids.entry(key[0]).or_insert_with(|| {
                firsts.push(key[0]);
                next
            })
        })
        .collect();
    let by_first = crate::order::sorted_indices(firsts.len(), &|a, b| firsts[a].cmp(firsts[b]));
    let mut first_rank = vec![0u32; firsts.len()];
    for (rank, &id) in by_first.iter().enumerate() {
        first_rank[id] = rank as u32;
    }
    // Padded with zeros, a prefix orders as the string does wherever two prefixes differ (a
    // shorter string is a prefix of the longer one there, or they differ at a real byte).
    let prefix = |text: &str| {
        let mut bytes = [0u8; 16];
        let n = text.len().min(16);
        bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
        u128::from_be_bytes(bytes)
    };
    let sort_keys: Vec<(u32, u128)> = keys
        .iter()
        .zip(&ids)
        .map(|(key, &id)| {
            let second = if width > 1 { prefix(key[1]) } else { 0 };
            (first_rank[id as usize], second)
        })
        .collect();
    crate::order::sorted_indices(keys.len(), &|a, b| {
        sort_keys[a]
            .cmp(&sort_keys[b])
            .then_with(|| keys[a].cmp(&keys[b]))
    })
}

/// The labels a grouping reads from each series, by name: the group labels (each with its
/// alternatives) and the part label.
struct Wanted<'g> {
    /// `(name, group slot, preference)`; the part label has slot `MAX_GROUP_LABELS`.
    names: Vec<(&'g str, usize, usize)>,
    width: usize,
}

impl<'g> Wanted<'g> {
    fn of(grouping: &'g Grouping) -> Self {
        let mut names = Vec::new();
        for (slot, label) in grouping.group().iter().enumerate() {
            for (preference, name) in label.names().iter().enumerate() {
                names.push((name.as_str(), slot, preference));
            }
        }
        if let Some(part) = grouping.part() {
            names.push((part, MAX_GROUP_LABELS, 0));
        }
        Self {
            names,
            width: grouping.group().len(),
        }
    }

    /// The series' group key and part (empty without one), or `None` when a group label is
    /// missing. A name repeated in a malformed label set counts where it first appears.
    fn find<'s>(&self, series: &'s Series<'s>) -> Option<(GroupKey<'s>, &'s str)> {
        let mut found: [Option<(&'s str, usize)>; MAX_GROUP_LABELS + 1] =
            [None; MAX_GROUP_LABELS + 1];
        for (name, value) in &series.labels {
            let name = name.as_ref();
            for &(wanted, slot, preference) in &self.names {
                if same_name(name, wanted) {
                    let slot = &mut found[slot];
                    if slot.is_none_or(|(_, seen)| preference < seen) {
                        *slot = Some((value.as_ref(), preference));
                    }
                }
            }
        }
        let mut key: GroupKey<'s> = [""; MAX_GROUP_LABELS];
        for (k, f) in key.iter_mut().zip(&found[..self.width]) {
            *k = f.as_ref()?.0;
        }
        let part = found[MAX_GROUP_LABELS].map_or("", |(value, _)| value);
        Some((key, part))
    }
}

/// The identity labels of a grouping, checked for every label of every series: by
/// [`is_scrape_identity`] when they are the default ones (pods), else by name.
struct Identity<'g> {
    default: bool,
    grouping: &'g Grouping,
}

impl<'g> Identity<'g> {
    fn of(grouping: &'g Grouping) -> Self {
        Self {
            default: grouping
                .identity()
                .iter()
                .map(String::as_str)
                .eq(SCRAPE_IDENTITY_LABELS.iter().copied()),
            grouping,
        }
    }

    fn contains(&self, name: &str) -> bool {
        if self.default {
            is_scrape_identity(name)
        } else {
            self.grouping.is_identity(name)
        }
    }
}

/// A series' labels without the scrape identity labels, ordered by name: the dedupe key. Borrowed from the series when its names already ascend, as Prometheus sends
/// them; only other orders pay for a sorted copy.
enum Key<'s, 'i> {
    Ascending(&'s [Label<'s>], &'i Identity<'i>),
    Sorted(Vec<(&'s str, &'s str)>),
}

impl<'s, 'i> Key<'s, 'i> {
    fn of(series: &'s Series<'s>, identity: &'i Identity<'i>) -> Self {
        if series.names_ascending {
            return Key::Ascending(&series.labels, identity);
        }
        let mut pairs: Vec<(&str, &str)> = series
            .labels
            .iter()
            .filter(|(name, _)| !identity.contains(name))
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .collect();
        crate::order::sort_by(&mut pairs, Ord::cmp);
        Key::Sorted(pairs)
    }

    /// The key's pairs in order; compared and hashed as a sorted `Vec` of them would be.
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let (ascending, sorted, identity): (&[Label], &[(&str, &str)], _) = match self {
            Key::Ascending(labels, identity) => (*labels, &[][..], Some(*identity)),
            Key::Sorted(pairs) => (&[][..], &pairs[..], None),
        };
        ascending
            .iter()
            .filter(move |(name, _)| !identity.is_some_and(|i| i.contains(name)))
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .chain(sorted.iter().copied())
    }
}

fn is_scrape_identity(name: &str) -> bool {
    SCRAPE_IDENTITY_LABELS
        .iter()
        .any(|identity| same_name(identity, name))
}

/// Whether two label names are equal. Most names differ in length or first byte (`container`
/// and `namespace` only in the latter), and only the others are compared whole: this runs for
/// every label of every series, and a string compare is a call (it took a sixth of
/// bytes-to-pods time on a 50k-series vector).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// Which copy of a duplicated series is kept: the one with more samples, then the smaller
/// label set, so the choice does not depend on response order.
fn prefer(candidate: &Series, kept: &Series) -> bool {
    (candidate.len(), Reverse(&candidate.labels)) > (kept.len(), Reverse(&kept.labels))
}

/// A sum (or maximum) of series by timestamp, as a `BTreeMap<u64, f64>` would hold it, kept as
/// two sorted arrays.
///
/// For a sum, each key gets `0.0 + x` for its first sample and `+= x` for later ones, in series
/// order and sample order within a series, exactly as `*map.entry(k).or_insert(0.0) += x` does;
/// series arrive in time order, so a merge gives the same sums without a tree. A maximum starts
/// at the first sample.
struct Merged {
    combine: Combine,
    keys: Vec<u64>,
    values: Vec<f64>,
    scratch_keys: Vec<u64>,
    scratch_values: Vec<f64>,
}

/// A timestamp as a sort key: finite non-negative unix seconds order like their bits.
#[inline]
fn time_key(t: f64) -> u64 {
    t.max(0.0).to_bits()
}

impl Combine {
    /// The entry of a key's first sample.
    #[inline]
    fn first(self, x: f64) -> f64 {
        match self {
            Combine::Sum => 0.0 + x,
            Combine::Max => x,
        }
    }

    /// The entry after a later sample.
    #[inline]
    fn with(self, entry: f64, x: f64) -> f64 {
        match self {
            Combine::Sum => entry + x,
            Combine::Max => entry.max(x),
        }
    }
}

impl Merged {
    fn new(combine: Combine) -> Self {
        Self {
            combine,
            keys: Vec::new(),
            values: Vec::new(),
            scratch_keys: Vec::new(),
            scratch_values: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
    }

    /// The summed timestamps, into a buffer reused from group to group.
    fn timestamps_into(&self, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.keys.iter().map(|&bits| f64::from_bits(bits)));
    }

    /// Adds a series (values times `convert.factor`), skipping NaN samples; returns how many.
    fn add(&mut self, timestamps: &[f64], values: &[f64], convert: Conversion) -> usize {
        if self.keys.len() == timestamps.len()
            && timestamps
                .iter()
                .zip(&self.keys)
                .all(|(&t, &key)| time_key(t) == key)
        {
            return self.add_in_place(values, convert);
        }
        if self.keys.is_empty()
            && timestamps
                .windows(2)
                .all(|w| time_key(w[0]) < time_key(w[1]))
        {
            return self.add_to_empty(timestamps, values, convert);
        }
        let sorted = timestamps
            .windows(2)
            .all(|w| time_key(w[0]) <= time_key(w[1]));
        if !sorted {
            return self.add_unsorted(timestamps, values, convert);
        }
        let mut skipped = 0;
        let (mut keys, mut sums) = (
            std::mem::take(&mut self.scratch_keys),
            std::mem::take(&mut self.scratch_values),
        );
        keys.clear();
        sums.clear();
        keys.reserve(self.keys.len().max(timestamps.len()));
        sums.reserve(self.keys.len().max(timestamps.len()));
        let mut old = 0;
        for (&t, &v) in timestamps.iter().zip(values) {
            if v.is_nan() {
                skipped += 1;
                continue;
            }
            let key = time_key(t);
            let x = v * convert.factor;
            while old < self.keys.len() && self.keys[old] < key {
                keys.push(self.keys[old]);
                sums.push(self.values[old]);
                old += 1;
            }
            if keys.last() == Some(&key) {
                // A repeated time within this series: its sum is the last pushed entry.
                if let Some(last) = sums.last_mut() {
                    *last = self.combine.with(*last, x);
                }
            } else if old < self.keys.len() && self.keys[old] == key {
                keys.push(key);
                sums.push(self.combine.with(self.values[old], x));
                old += 1;
            } else {
                keys.push(key);
                sums.push(self.combine.first(x));
            }
        }
        keys.extend_from_slice(&self.keys[old..]);
        sums.extend_from_slice(&self.values[old..]);
        self.scratch_keys = std::mem::replace(&mut self.keys, keys);
        self.scratch_values = std::mem::replace(&mut self.values, sums);
        skipped
    }

    /// A series at exactly the times already summed, as every series of a range query with
    /// the same step: the merge would add each sample to the entry at its own index and copy
    /// the entries of skipped samples unchanged, which is what this does without the copy.
    fn add_in_place(&mut self, values: &[f64], convert: Conversion) -> usize {
        // One loop per combination: this is the hot loop of range results, and a branch on
        // `combine` per sample is not reliably hoisted out of it.
        let mut skipped = 0;
        let pairs = self.values.iter_mut().zip(values);
        match self.combine {
            Combine::Sum => {
                for (sum, &v) in pairs {
                    if v.is_nan() {
                        skipped += 1;
                    } else {
                        *sum += v * convert.factor;
                    }
                }
            }
            Combine::Max => {
                for (max, &v) in pairs {
                    if v.is_nan() {
                        skipped += 1;
                    } else {
                        *max = max.max(v * convert.factor);
                    }
                }
            }
        }
        skipped
    }

    /// The first series of a sum, its times strictly increasing: the merge would push
    /// `0.0 + x` for each sample that is not NaN, in order, which is what this does.
    fn add_to_empty(&mut self, timestamps: &[f64], values: &[f64], convert: Conversion) -> usize {
        let mut skipped = 0;
        self.keys.reserve(timestamps.len());
        self.values.reserve(timestamps.len());
        for (&t, &v) in timestamps.iter().zip(values) {
            if v.is_nan() {
                skipped += 1;
            } else {
                self.keys.push(time_key(t));
                self.values.push(self.combine.first(v * convert.factor));
            }
        }
        skipped
    }

    /// Series out of time order: a map, as the rules state it.
    #[cold]
    fn add_unsorted(&mut self, timestamps: &[f64], values: &[f64], convert: Conversion) -> usize {
        // Inserted one by one: collecting into a map sorts the pairs first, and that sort would
        // be one more copy of std's stable sort in the wasm module for this one cold path.
        let mut points: BTreeMap<u64, f64> = BTreeMap::new();
        for (&key, &value) in self.keys.iter().zip(&self.values) {
            points.insert(key, value);
        }
        let mut skipped = 0;
        for (&t, &v) in timestamps.iter().zip(values) {
            if v.is_nan() {
                skipped += 1;
                continue;
            }
            let x = v * convert.factor;
            points
                .entry(time_key(t))
                .and_modify(|entry| *entry = self.combine.with(*entry, x))
                .or_insert_with(|| self.combine.first(x));
        }
        self.keys = points.keys().copied().collect();
        self.values = points.into_values().collect();
        skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key order equals the plain order of the keys on the values that could trip its
    /// shortcuts: values sharing 16 or more leading bytes, a value that is a prefix of another,
    /// NUL bytes where the padding puts zeros, empty values, many and few distinct first values.
    #[test]
    fn key_order_is_the_keys_order() {
        let values = [
            "",
            "\0",
            "a",
            "a\0",
            "a\0b",
            "ab",
            "api-7d9f8c6b5-x2k4p",
            "api-7d9f8c6b5-x2k4q",
            "api-7d9f8c6b5-x2k4",
            "prometheus-kube-prometheus-0",
            "prometheus-kube-prometheus-1",
            "prometheus-kube-prometheus-",
            "prometheus-kube-prometheut",
            "é",
            "z",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values[(state % values.len() as u64) as usize]
        };
        for width in 1..=MAX_GROUP_LABELS {
            let mut keys: Vec<GroupKey> = Vec::new();
            for _ in 0..400 {
                let mut key: GroupKey = [""; MAX_GROUP_LABELS];
                for slot in key.iter_mut().take(width) {
                    *slot = next();
                }
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            let order = key_order(&keys, width);
            let mut want: Vec<usize> = (0..keys.len()).collect();
            want.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
            assert_eq!(order, want, "width {width}");
        }
    }
}
