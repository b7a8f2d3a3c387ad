//! What a copy of the kernel's state costs in memory: every snapshot for
//! stepping back holds one, so the history's byte budget counts it.

use std::mem::size_of;

use super::{Kernel, Process};

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

impl Kernel {
    /// Bytes a clone of this kernel allocates: its own size, the PCB and
    /// thread tables with what they own, the queues, and the scheduler
    /// (its size and the threads it queues). The programs are shared by
    /// every clone and not counted.
    pub fn bytes(&self) -> usize {
        let queued = self.sched.queues();
        let sched = size_of_val(self.sched.as_ref())
            + size_of::<crate::sched::ThreadId>()
                * (queued.blocked.len()
                    + queued.levels.iter().map(|l| l.threads.len()).sum::<usize>());
        size_of::<Kernel>()
            + vec_bytes(&self.config.watch)
            + vec_bytes(&self.spawns)
            + vec_bytes(&self.admitted)
            + self.procs.heap_bytes()
            + self.procs.values().map(Process::heap_bytes).sum::<usize>()
            + self.threads.heap_bytes()
            + sched
            + self.frames.heap_bytes()
            + self.agenda.capacity() * size_of::<super::KStep>()
            + self.disk_queue.capacity() * size_of::<super::DiskRequest>()
            + vec_bytes(&self.to_free)
            + vec_bytes(&self.events)
            + self.panic.as_ref().map_or(0, String::capacity)
    }
}
