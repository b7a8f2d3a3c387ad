//! What a copy of the kernel's state costs in memory: every snapshot for
//! stepping back holds one, so the history's byte budget counts it.

use std::mem::size_of;

use super::shared::{same_in, Shared};
use super::{Kernel, Process, Thread};
use crate::ordmap::OrdMap;

/// Heap bytes of a vector's allocation (its capacity, not its length).
fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

impl Process {
    /// Heap bytes this PCB owns beyond its own size.
    pub fn heap_bytes(&self) -> usize {
        self.name.capacity()
            + vec_bytes(&self.threads)
            + vec_bytes(&self.files)
            + self.killed.as_ref().map_or(0, String::capacity)
            + vec_bytes(&self.last_look)
    }
}

/// Bytes of the entries of `table` that `newer` does not share (by pointer,
/// under the same key), each with what it owns (`heap`).
fn entries_not_in<K: Ord, T>(
    table: &OrdMap<K, Shared<T>>,
    newer: Option<&OrdMap<K, Shared<T>>>,
    heap: impl Fn(&T) -> usize,
) -> usize {
    let mut shared = same_in(newer);
    table
        .iter()
        .filter(|(k, e)| !shared(k, e))
        .map(|(_, e)| e.alloc_bytes() + heap(e))
        .sum()
}

impl Kernel {
    /// Bytes a clone of this kernel allocates, shared with nothing: its
    /// own size, the PCB and thread tables with what they own, the queues,
    /// and the scheduler (its size and the threads it queues). The
    /// programs are shared by every clone and not counted.
    pub fn bytes(&self) -> usize {
        self.bytes_in(None) + self.spawns.len() * size_of::<super::Spawn>()
    }

    /// Bytes this kernel (a snapshot's) holds that `newer` (a later
    /// snapshot, or the live kernel) does not share with it: what keeping
    /// it costs beside `newer`. A table entry unchanged since is the same
    /// entry in both ([`Shared`]) and is counted once, with the newer;
    /// the spawns and programs never change and are shared by all.
    pub fn bytes_beside(&self, newer: &Kernel) -> usize {
        self.bytes_in(Some(newer))
    }

    fn bytes_in(&self, newer: Option<&Kernel>) -> usize {
        let queued = self.sched.queues();
        let sched = size_of_val(self.sched.as_ref())
            + size_of::<crate::sched::ThreadId>()
                * (queued.blocked.len()
                    + queued.levels.iter().map(|l| l.threads.len()).sum::<usize>());
        size_of::<Kernel>()
            + vec_bytes(&self.config.watch)
            + vec_bytes(&self.admitted)
            + self.procs.heap_bytes()
            + entries_not_in(&self.procs, newer.map(|n| &n.procs), Process::heap_bytes)
            + self.threads.heap_bytes()
            + entries_not_in(&self.threads, newer.map(|n| &n.threads), |_: &Thread| 0)
            + sched
            + self.frames.heap_bytes()
            + self.agenda.capacity() * size_of::<super::KStep>()
            + self.disk_queue.capacity() * size_of::<super::DiskRequest>()
            + vec_bytes(&self.to_free)
            + vec_bytes(&self.events)
            + self.panic.as_ref().map_or(0, String::capacity)
    }
}
