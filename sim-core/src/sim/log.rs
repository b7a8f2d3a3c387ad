//! Chunked, bounded logs: the retired instructions (most of a trace, so kept
//! compact: 16 bytes each) and the other trace events. Fixed-size chunks mean
//! appending never copies the log and the oldest entries go a chunk at a
//! time, without moving the rest: a run at full speed neither exhausts
//! memory nor stalls to compact it. Indices are absolute (since cycle 0).

use std::collections::VecDeque;

use crate::event::EventKind;
use crate::trace::{self, Actor, TraceEvent, TraceKind};

/// Instructions per chunk of an [`InstrLog`].
const CHUNK: usize = 1 << 16;
/// Retired instructions kept at most (262,144: 4 MiB): the recent past, for
/// stepping back and the event log; older ones are replayed when needed.
pub const MAX_INSTRS: usize = 4 * CHUNK;
/// Events per chunk of a [`TraceLog`].
pub const TRACE_CHUNK: usize = 1 << 12;

/// A chunked log of `T` with absolute indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log<T> {
    chunks: VecDeque<Vec<T>>,
    /// Entries per chunk: every chunk but the last is full.
    chunk: usize,
    /// Entries dropped from the front.
    dropped: usize,
    /// Entries kept.
    kept: usize,
    /// Chunks dropped from the front or cut off by [`Log::truncate`], for
    /// the next new ones: a long run then allocates no chunks at all.
    /// (Freeing a chunk of 1 MiB and allocating the next made the allocator
    /// consolidate its free lists every time.) A cut chunk is emptied only
    /// when reused: a seek back that cuts the whole log (4 MiB of events)
    /// does not wait for it.
    spare: Spare<T>,
}

/// Chunks kept for reuse: not part of the log's value (clones and
/// comparisons ignore them).
#[derive(Debug)]
struct Spare<T>(Vec<Vec<T>>);

impl<T> Clone for Spare<T> {
    fn clone(&self) -> Self {
        Spare(Vec::new())
    }
}

impl<T> PartialEq for Spare<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Spare<T> {}

/// One retired instruction. Most of a trace is these, so they are kept apart
/// from the other events in 16 bytes each; [`super::Sim::full_trace`] merges them back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InstrMark {
    pub cycle: u64,
    pub eip: u32,
    pub cycles: u16,
    pub len: u8,
}

impl InstrMark {
    pub fn new(cycle: u64, eip: u32, len: u8, cycles: u32) -> Self {
        InstrMark {
            cycle,
            eip,
            len,
            cycles: cycles.min(u32::from(u16::MAX)) as u16,
        }
    }

    pub fn actor(&self) -> Actor {
        trace::actor_of_eip(self.eip)
    }

    pub fn to_event(self) -> TraceEvent {
        TraceEvent {
            cycle: self.cycle,
            actor: self.actor(),
            kind: TraceKind::Machine(EventKind::InstructionRetired {
                eip: self.eip,
                len: self.len,
                cycles: u32::from(self.cycles),
            }),
        }
    }
}

/// Every retired instruction, oldest first (the oldest may be dropped).
pub type InstrLog = Log<InstrMark>;
/// The other trace events, oldest first (the oldest may be dropped).
pub type TraceLog = Log<TraceEvent>;

impl Default for InstrLog {
    fn default() -> Self {
        Log::with_chunk(CHUNK)
    }
}

impl Default for TraceLog {
    fn default() -> Self {
        Log::with_chunk(TRACE_CHUNK)
    }
}

impl<T> Log<T> {
    pub fn with_chunk(chunk: usize) -> Self {
        Log {
            chunks: VecDeque::new(),
            chunk: chunk.max(1),
            dropped: 0,
            kept: 0,
            spare: Spare(Vec::new()),
        }
    }

    /// The same entries in chunks of `chunk`.
    pub fn rechunk(&mut self, chunk: usize) {
        let mut log = Log::with_chunk(chunk);
        log.dropped = self.dropped;
        log.extend(std::mem::take(&mut self.chunks).into_iter().flatten());
        *self = log;
    }

    /// Heap bytes of the chunks (each allocated whole), not counting what
    /// the entries own.
    pub fn bytes(&self) -> usize {
        (self.chunks.iter().chain(&self.spare.0))
            .map(Vec::capacity)
            .sum::<usize>()
            * std::mem::size_of::<T>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
    }

    /// Entries since the start (dropped ones included).
    pub fn len(&self) -> usize {
        self.dropped + self.kept
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries still kept.
    pub fn kept(&self) -> usize {
        self.kept
    }

    /// Absolute index of the oldest entry still kept.
    pub fn first_index(&self) -> usize {
        self.dropped
    }

    #[inline]
    pub fn push(&mut self, x: T) {
        match self.chunks.back_mut() {
            Some(c) if c.len() < self.chunk => c.push(x),
            _ => self.push_in_new_chunk(x),
        }
        self.kept += 1;
    }

    #[cold]
    fn push_in_new_chunk(&mut self, x: T) {
        let mut c = self.spare.0.pop().unwrap_or_default();
        c.clear();
        if c.capacity() != self.chunk {
            c = Vec::with_capacity(self.chunk);
        }
        c.push(x);
        self.chunks.push_back(c);
    }

    /// Drops whole chunks from the front while more than `max` entries are
    /// kept, but never an entry at or after absolute index `keep_from`.
    pub fn drop_front(&mut self, max: usize, keep_from: usize) {
        while self.kept > max {
            let Some(first) = self.chunks.front() else {
                break;
            };
            if self.dropped + first.len() > keep_from || self.chunks.len() == 1 {
                break;
            }
            let n = first.len();
            if let Some(mut c) = self.chunks.pop_front() {
                c.clear();
                self.spare.0.push(c);
            }
            self.dropped += n;
            self.kept -= n;
        }
    }

    /// Keeps the first `len` entries (absolute count). A `len` past the end
    /// (a seek forward beyond what was logged) empties the log, which then
    /// numbers on from `len`.
    pub fn truncate(&mut self, len: usize) {
        if len <= self.dropped || len > self.len() {
            self.spare.0.extend(self.chunks.drain(..));
            self.dropped = len;
            self.kept = 0;
            return;
        }
        let keep = (len - self.dropped).min(self.kept);
        let (full, rest) = (keep / self.chunk, keep % self.chunk);
        let whole = full + usize::from(rest > 0);
        if self.chunks.len() > whole {
            self.spare.0.extend(self.chunks.drain(whole..));
        }
        if rest > 0 {
            if let Some(last) = self.chunks.back_mut() {
                last.truncate(rest);
            }
        }
        self.kept = keep;
    }

    /// The entry with absolute index `i`, if kept.
    pub fn get(&self, i: usize) -> Option<&T> {
        let k = i.checked_sub(self.dropped)?;
        self.chunks.get(k / self.chunk)?.get(k % self.chunk)
    }

    /// Entries from absolute index `from` on (or from the oldest kept).
    pub fn iter_from(&self, from: usize) -> impl DoubleEndedIterator<Item = &T> {
        // Every chunk but the last is full: jump straight to the right one.
        let skip = from.saturating_sub(self.dropped);
        let (chunk, offset) = (skip / self.chunk, skip % self.chunk);
        let first = self
            .chunks
            .get(chunk)
            .map_or(&[][..], |c| &c[offset.min(c.len())..]);
        first
            .iter()
            .chain(self.chunks.iter().skip(chunk + 1).flatten())
    }

    /// Every entry kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// Newest first.
    pub fn iter_rev(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().rev().flat_map(|c| c.iter().rev())
    }
}

impl<T> Extend<T> for Log<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for x in items {
            self.push(x);
        }
    }
}

impl<T: Clone> Log<T> {
    /// The newest `n` entries, oldest first.
    pub fn tail(&self, n: usize) -> Vec<T> {
        let mut v: Vec<T> = self.iter_rev().take(n).cloned().collect();
        v.reverse();
        v
    }

    /// Every entry kept, oldest first.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }
}

/// Merges instruction marks into other events by cycle (instructions first).
pub fn merge(instrs: &[InstrMark], events: &[TraceEvent]) -> Vec<TraceEvent> {
    let mut out = Vec::with_capacity(instrs.len() + events.len());
    let (mut i, mut j) = (0, 0);
    while i < instrs.len() || j < events.len() {
        let take_instr =
            j >= events.len() || (i < instrs.len() && instrs[i].cycle <= events[j].cycle);
        if take_instr {
            out.push(instrs[i].to_event());
            i += 1;
        } else {
            out.push(events[j].clone());
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(n: usize) -> Log<usize> {
        let mut log = Log::with_chunk(4);
        for i in 0..n {
            log.push(i);
        }
        log
    }

    #[test]
    fn push_index_and_truncate() {
        let mut log = log_of(10);
        assert_eq!((log.len(), log.kept()), (10, 10));
        assert_eq!(log.iter_from(8).copied().collect::<Vec<_>>(), vec![8, 9]);
        assert_eq!(log.get(5), Some(&5));
        assert_eq!(log.tail(3), vec![7, 8, 9]);
        log.truncate(8);
        assert_eq!(log.to_vec(), (0..8).collect::<Vec<_>>());
        log.truncate(5);
        assert_eq!(log.to_vec(), (0..5).collect::<Vec<_>>());
        log.push(5);
        assert_eq!(
            log.iter_rev().copied().collect::<Vec<_>>(),
            vec![5, 4, 3, 2, 1, 0]
        );
    }

    #[test]
    fn a_dropped_chunk_is_reused_for_the_next_one() {
        let mut log = log_of(8);
        log.drop_front(4, usize::MAX);
        assert_eq!(log.spare.0.len(), 1, "the dropped chunk is kept");
        let spare = log.spare.0[0].as_ptr();
        for i in 8..10 {
            log.push(i);
        }
        assert!(log.spare.0.is_empty(), "and taken for the new one");
        assert_eq!(log.chunks.back().map(|c| c.as_ptr()), Some(spare));
        assert_eq!(log.to_vec(), vec![4, 5, 6, 7, 8, 9]);
        assert_eq!((log.first_index(), log.len()), (4, 10));
        assert_eq!(log.clone(), log, "clones leave the spare out");
    }

    #[test]
    fn the_front_goes_a_chunk_at_a_time_never_past_what_is_unread() {
        let mut log = log_of(10);
        log.drop_front(5, 6);
        assert_eq!(
            (log.first_index(), log.kept()),
            (4, 6),
            "one chunk: 4..8 holds unread 6"
        );
        log.drop_front(5, usize::MAX);
        assert_eq!((log.first_index(), log.kept()), (8, 2));
        assert_eq!(log.get(3), None);
        assert_eq!(log.iter_from(0).copied().collect::<Vec<_>>(), vec![8, 9]);
        assert_eq!(log.iter_from(9).copied().collect::<Vec<_>>(), vec![9]);
        log.truncate(9);
        assert_eq!((log.len(), log.to_vec()), (9, vec![8]));
        log.truncate(3);
        assert_eq!((log.len(), log.kept(), log.first_index()), (3, 0, 3));
        let bytes = log.bytes();
        log.push(3);
        assert_eq!(log.get(3), Some(&3));
        assert_eq!(log.bytes(), bytes, "a chunk cut off is reused, emptied");
    }
}
