//! Sorting for the whole workspace through one instantiation of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparison, so each call site carries
//! its own copy of the sort (3 KB of wasm each; with sorted-vector maps built from iterators,
//! about 60 KB of the designer's module). Here the sort runs once, over positions, with the
//! comparison behind a `dyn`; each caller only moves its items into the order found. Stable,
//! like `sort_by`.

use std::cmp::Ordering;

use litemap::LiteMap;

/// Sorts `items` stably by `cmp`.
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let mut order = positions(items.len(), &|a, b| cmp(&items[a], &items[b]));
    // Position `i` takes the item at `order[i]`: follow each cycle of the permutation, swapping,
    // and mark the positions done.
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = std::mem::replace(&mut order[at], DONE);
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

const DONE: usize = usize::MAX;

/// Sorts `items` stably by their natural order.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// A sorted-vector map of `entries`, sorted once; for a key given twice the later value wins,
/// as with inserting one by one.
pub fn map<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> LiteMap<K, V> {
    let mut entries: Vec<(K, V)> = entries.into_iter().collect();
    sort_by(&mut entries, |a, b| a.0.cmp(&b.0));
    let mut unique: Vec<(K, V)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match unique.last_mut() {
            Some(last) if last.0 == k => last.1 = v,
            _ => unique.push((k, v)),
        }
    }
    LiteMap::from_sorted_store_unchecked(unique)
}

/// The positions `0..n` in the order `cmp` gives them (stable): the one sort instantiated.
#[inline(never)]
fn positions(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_like_the_standard_sort() {
        let mut items: Vec<(u8, char)> = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        let mut want = items.clone();
        want.sort_by_key(|i| i.0);
        sort_by(&mut items, |a, b| a.0.cmp(&b.0));
        assert_eq!(items, want);
        let mut words = vec!["pear".to_string(), "apple".into(), "fig".into()];
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);
        let mut empty: Vec<String> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn any_permutation() {
        // Every order of five distinct items, sorted back.
        let mut seen = 0;
        for n in 0..5usize.pow(5) {
            let mut items: Vec<usize> = (0..5).map(|d| n / 5usize.pow(d) % 5).collect();
            let mut unique = items.clone();
            unique.sort();
            unique.dedup();
            if unique.len() < 5 {
                continue;
            }
            seen += 1;
            sort(&mut items);
            assert_eq!(items, [0, 1, 2, 3, 4]);
        }
        assert_eq!(seen, 120);
    }

    #[test]
    fn maps_keep_the_last_value_of_a_key() {
        let m = map([("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)]);
        let entries: Vec<(&str, i32)> = m.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(entries, [("a", 5), ("b", 3), ("c", 4)]);
    }
}
