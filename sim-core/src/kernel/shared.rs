//! A table entry shared copy-on-write between the kernel and its snapshots.
//!
//! Every snapshot for stepping back holds a copy of the kernel's process and
//! thread tables. With each entry behind a reference count, that copy shares
//! every entry, and the first write to one afterwards copies just that entry
//! (as memory pages are shared: `mem/`). A snapshot then costs the entries
//! that changed before the next one, not the whole tables
//! ([`super::Kernel::bytes_beside`]).

use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use crate::ordmap::OrdMap;

/// The two reference counts in front of every `Rc` allocation.
const RC_HEADER: usize = 2 * std::mem::size_of::<usize>();

/// A value shared by clones until one of them writes it: reading derefs to
/// the value, writing ([`DerefMut`]) copies it first if it is shared.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Shared<T>(Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Rc::new(value))
    }

    /// Whether `other` is this very entry (not a copy of it).
    pub fn same(&self, other: &Shared<T>) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Bytes of the shared allocation (the value and its counts), not of
    /// what the value owns.
    pub fn alloc_bytes(&self) -> usize {
        std::mem::size_of::<T>() + RC_HEADER
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    /// Copies the value first if a snapshot shares it: the snapshot keeps
    /// what it held.
    fn deref_mut(&mut self) -> &mut T {
        Rc::make_mut(&mut self.0)
    }
}

/// Whether an entry is the very one `table` holds under its key, for
/// entries asked in increasing key order: one pass over `table` (sorted)
/// for a whole table's worth of questions, not a search each.
pub(super) fn same_in<'a, K: Ord, T>(
    table: Option<&'a OrdMap<K, Shared<T>>>,
) -> impl FnMut(&K, &Shared<T>) -> bool + 'a {
    let mut rest = table.into_iter().flat_map(OrdMap::iter).peekable();
    move |key, entry| {
        while rest.next_if(|(k, _)| *k < key).is_some() {}
        rest.peek().is_some_and(|(k, e)| *k == key && e.same(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;

    #[test]
    fn a_write_copies_only_a_shared_entry_and_the_clone_keeps_its_value() {
        let mut live = Shared::new(vec![1, 2, 3]);
        let kept = live.clone();
        assert!(live.same(&kept));
        live.push(4);
        assert!(!live.same(&kept), "the write copied the shared entry");
        assert_eq!(*kept, [1, 2, 3]);
        assert_eq!(*live, [1, 2, 3, 4]);
        // No longer shared: the next write is in place.
        let before: *const Vec<i32> = &*live;
        live.push(5);
        assert!(std::ptr::eq(before, &*live));
    }
}
