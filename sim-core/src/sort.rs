//! Two small sorts shared by the engine and the page.
//!
//! The standard library's sorts are fast but large: each element type gets its
//! own copy of pattern-defeating quicksort with its small-sort and pivot code
//! (~3–4 KB of wasm per type), and the page's first load is on a budget. Every
//! list sorted here is short (processes, breakpoints, panels, saved
//! scenarios), so a heapsort and an insertion sort do as well.

use std::cmp::Ordering;

/// Sorts in place, O(n log n), no allocation. Not stable: use it where equal
/// elements are indistinguishable (integers, tuples of them, strings), so the
/// result is the one any correct sort gives.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// [`sort`] with a comparison; unstable, so `cmp` should be a total order
/// whose equal elements are interchangeable.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    // A max-heap: sift `node` down within `v[..end]`.
    let mut sift = |v: &mut [T], mut node: usize, end: usize| loop {
        let mut child = 2 * node + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && cmp(&v[child], &v[child + 1]) == Ordering::Less {
            child += 1;
        }
        if cmp(&v[node], &v[child]) != Ordering::Less {
            break;
        }
        v.swap(node, child);
        node = child;
    };
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// A stable sort by key for short or nearly sorted lists (the assembler's
/// errors in source order, lines by address): linear on sorted input.
pub fn stable_sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && key(&v[j - 1]) > key(&v[j]) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sort_agrees_with_the_standard_library(mut v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut want = v.clone();
            want.sort_unstable();
            sort(&mut v);
            prop_assert_eq!(v, want);
        }

        #[test]
        fn stable_sort_keeps_equal_keys_in_order(mut v in proptest::collection::vec((0u8..4, any::<u16>()), 0..100)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            stable_sort_by_key(&mut v, |p| p.0);
            prop_assert_eq!(v, want);
        }
    }

    #[test]
    fn sort_by_orders_descending_with_a_reversed_comparison() {
        let mut v = vec![3, 1, 4, 1, 5, 9, 2, 6];
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, [9, 6, 5, 4, 3, 2, 1, 1]);
    }
}
