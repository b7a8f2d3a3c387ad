//! The log of retired instructions: most of a trace, so kept compact (16
//! bytes an instruction), in fixed-size chunks (appending never copies the
//! log) and bounded (the oldest chunks go first: a runaway program at full
//! speed cannot exhaust memory).

use std::collections::VecDeque;

use super::InstrMark;

const CHUNK: usize = 1 << 16;
/// At most this many chunks (4 M instructions, 64 MiB) are kept.
const MAX_CHUNKS: usize = 64;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstrLog {
    chunks: VecDeque<Vec<InstrMark>>,
    /// Marks dropped from the front; indices are absolute (since cycle 0).
    dropped: usize,
}

impl InstrLog {
    /// Instructions retired since the start (dropped ones included).
    pub fn len(&self) -> usize {
        self.dropped + self.chunks.iter().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Absolute index of the oldest mark still kept.
    pub fn first_index(&self) -> usize {
        self.dropped
    }

    #[inline]
    pub fn push(&mut self, m: InstrMark) {
        match self.chunks.back_mut() {
            Some(c) if c.len() < CHUNK => c.push(m),
            _ => self.push_in_new_chunk(m),
        }
    }

    #[cold]
    fn push_in_new_chunk(&mut self, m: InstrMark) {
        if self.chunks.len() == MAX_CHUNKS {
            // Reuse the oldest chunk's allocation.
            let mut oldest = self.chunks.pop_front().unwrap_or_default();
            self.dropped += oldest.len();
            oldest.clear();
            oldest.push(m);
            self.chunks.push_back(oldest);
            return;
        }
        let mut c = Vec::with_capacity(CHUNK);
        c.push(m);
        self.chunks.push_back(c);
    }

    /// Keeps the first `len` marks (absolute count).
    pub fn truncate(&mut self, len: usize) {
        if len <= self.dropped {
            self.chunks.clear();
            self.dropped = len;
            return;
        }
        let mut keep = len - self.dropped;
        let mut chunks = VecDeque::new();
        for mut c in std::mem::take(&mut self.chunks) {
            if keep == 0 {
                break;
            }
            c.truncate(keep);
            keep -= c.len();
            chunks.push_back(c);
        }
        self.chunks = chunks;
    }

    /// Marks from absolute index `from` on (or from the oldest kept).
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &InstrMark> {
        // Every chunk but the last is full: jump straight to the right one.
        let skip = from.saturating_sub(self.dropped);
        let (chunk, offset) = (skip / CHUNK, skip % CHUNK);
        let first = self
            .chunks
            .get(chunk)
            .map_or(&[][..], |c| &c[offset.min(c.len())..]);
        first
            .iter()
            .chain(self.chunks.iter().skip(chunk + 1).flatten())
    }

    /// Newest first.
    pub fn iter_rev(&self) -> impl Iterator<Item = &InstrMark> {
        self.chunks.iter().rev().flat_map(|c| c.iter().rev())
    }

    /// The newest `n` marks, oldest first.
    pub fn tail(&self, n: usize) -> Vec<InstrMark> {
        let mut v: Vec<InstrMark> = self.iter_rev().take(n).copied().collect();
        v.reverse();
        v
    }

    pub fn to_vec(&self) -> Vec<InstrMark> {
        self.chunks.iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(i: usize) -> InstrMark {
        InstrMark {
            cycle: i as u64,
            eip: i as u32,
            cycles: 1,
            len: 1,
        }
    }

    #[test]
    fn push_truncate_and_bound() {
        let mut log = InstrLog::default();
        for i in 0..CHUNK + 10 {
            log.push(mark(i));
        }
        assert_eq!(log.len(), CHUNK + 10);
        assert_eq!(
            log.iter_from(CHUNK + 8)
                .map(|m| m.cycle)
                .collect::<Vec<_>>(),
            vec![CHUNK as u64 + 8, CHUNK as u64 + 9]
        );
        log.truncate(CHUNK - 1);
        assert_eq!(log.len(), CHUNK - 1);
        assert_eq!(log.tail(1)[0].cycle, CHUNK as u64 - 2);
        for i in CHUNK - 1..(MAX_CHUNKS + 2) * CHUNK {
            log.push(mark(i));
        }
        assert_eq!(log.len(), (MAX_CHUNKS + 2) * CHUNK);
        assert_eq!(
            log.first_index(),
            2 * CHUNK,
            "the oldest chunks were dropped"
        );
        assert_eq!(
            log.iter_from(0).next().map(|m| m.cycle),
            Some(2 * CHUNK as u64)
        );
        log.truncate(CHUNK);
        assert_eq!((log.len(), log.iter_from(0).count()), (CHUNK, 0));
    }
}
