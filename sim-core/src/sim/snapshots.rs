//! The snapshots kept for stepping back and seeking, within a byte budget.
//!
//! A snapshot shares every page and every PCB and thread entry it has in
//! common with the next newer one (copy-on-write), so what it costs is what
//! differs: the machine's own state, the kernel's queues, and the pages and
//! table entries written between it and the next snapshot kept. What
//! neither neighbour shares is packed (pages without their zeros, entries
//! as varints) and unpacked when the snapshot is restored. The recent past
//! stays dense (instant steps back); beyond the budget, all but the newest
//! eighth thin out evenly and a seek there replays from the nearest
//! earlier snapshot (exact: the simulation is deterministic). Each
//! snapshot's cost is measured from real sizes when it or its newer
//! neighbour changes, so the total is always known.

use crate::kernel::{Kernel, PackedTables};
use crate::machine::Machine;
use crate::mem::PackedPage;

/// The live machine and kernel, which the newest snapshot is measured beside.
#[derive(Clone, Copy)]
pub(super) struct Live<'a> {
    pub machine: &'a Machine,
    pub kernel: &'a Kernel,
}

#[derive(Clone)]
pub(super) struct Snapshot {
    pub machine: Machine,
    pub kernel: Kernel,
    pub trace_len: usize,
    pub instrs_len: usize,
    /// The pages its neighbours do not share, taken out of `machine`.
    packed: Vec<PackedPage>,
    /// The PCB and thread entries its neighbours do not share, taken out
    /// of `kernel`.
    packed_tables: PackedTables,
    /// Bytes it holds beside the next newer snapshot (the newest: beside
    /// the live machine as it was when last measured), and of those, its
    /// kernel's.
    bytes: usize,
    kernel_bytes: usize,
}

/// The newest 1/`DENSE` of the snapshots are never thinned (one every
/// [`super::SNAPSHOT_EVERY`] cycles: stepping back there is instant). The
/// rest share the budget evenly over the whole run, so the widest gap, and
/// the slowest seek, is about the run's length over 7/8 of the snapshots
/// (it was over half of them when the newest half stayed dense).
const DENSE: usize = 8;

/// Bytes the snapshots may hold by default (see [`Snapshots::set_budget`]):
/// with the logs and views, a 64-process run at full speed stays under
/// 48 MB of wasm memory (16 MiB reached 48.9 MB once the page ran faster).
pub const SNAPSHOT_BUDGET: usize = 14 << 20;

/// What each process beyond 64 adds to a session's budget
/// ([`snapshot_budget`]).
pub const SNAPSHOT_BUDGET_PER_PROCESS: usize = 80 << 10;

/// The snapshot budget of a session with `processes` processes: a
/// snapshot holds every process that ran since the one before (its kernel
/// stack, its PCB and thread entries: ~230 bytes packed in the thinned past),
/// so beyond 64 processes the budget grows with them and the widest gap
/// between two snapshots (the slowest seek back) grows less: with 256,
/// 29 MiB (the page's memory target is twice that of 64 processes: the
/// page then holds ~88 MB of its 96; at 26 MiB it held ~84 MB and its
/// worst seek came near 100 ms; at 35 MiB it reached 98 MB, over it).
pub fn snapshot_budget(processes: usize) -> usize {
    SNAPSHOT_BUDGET + processes.saturating_sub(64) * SNAPSHOT_BUDGET_PER_PROCESS
}

/// Snapshots newest last, and what they hold.
#[derive(Clone)]
pub(super) struct Snapshots {
    /// Boxed: thinning removes from the middle, which then moves pointers,
    /// not whole machines (2 KiB each; measured: 5 % of a long run's time).
    #[allow(clippy::vec_box)]
    list: Vec<Box<Snapshot>>,
    /// Their cycles, side by side: thinning compares them all at every
    /// snapshot taken (~650 of them with 64 processes), and reading each
    /// through its box is a cache miss.
    at: Vec<u64>,
    bytes: usize,
    kernel_bytes: usize,
    budget: usize,
    /// Snapshots a seek back dropped, freed a few at each snapshot taken
    /// after it (see [`Retired`]).
    retired: Retired,
    /// The snapshots after a seek back's target, up to where the run was
    /// (see [`Ahead`]).
    ahead: Ahead,
}

/// What a seek back leaves ahead of its target: the snapshots up to where
/// the run had been (`end`). The simulation has one timeline, so they stay
/// exact, and a seek forward again (to where the student was before going
/// back to look) replays from the one before its target instead of running
/// the whole way again. A run that reaches them makes them again and drops
/// these; clones start without them.
#[derive(Default)]
struct Ahead {
    #[allow(clippy::vec_box)]
    list: Vec<Box<Snapshot>>,
    at: Vec<u64>,
    bytes: usize,
    kernel_bytes: usize,
    end: Option<u64>,
}

impl Clone for Ahead {
    fn clone(&self) -> Self {
        Ahead::default()
    }
}

/// Dropped snapshots not yet freed. Freeing hundreds of them at once (a
/// seek from the end of a long run back into its first half) was most of
/// the seek's time: each holds ~1,000 allocations. A run frees them two at
/// each snapshot it takes; clones start without them.
#[derive(Default)]
struct Retired {
    #[allow(clippy::vec_box)]
    list: Vec<Box<Snapshot>>,
    bytes: usize,
}

impl Clone for Retired {
    fn clone(&self) -> Self {
        Retired::default()
    }
}

/// Retired snapshots freed at each snapshot taken.
const FREED_PER_PUSH: usize = 2;

impl Default for Snapshots {
    fn default() -> Self {
        Snapshots {
            list: Vec::new(),
            at: Vec::new(),
            bytes: 0,
            kernel_bytes: 0,
            budget: SNAPSHOT_BUDGET,
            retired: Retired::default(),
            ahead: Ahead::default(),
        }
    }
}

impl Snapshots {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Bytes the snapshots hold beside the live machine (sum of each one's
    /// cost beside its newer neighbour).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Bytes the snapshots dropped by a seek back and not freed yet hold.
    pub fn retired_bytes(&self) -> usize {
        self.retired.bytes
    }

    /// Of [`Snapshots::bytes`], what their kernels hold (tables, queues,
    /// packed entries); the rest is their machines.
    pub fn kernel_bytes(&self) -> usize {
        self.kernel_bytes
    }

    pub fn cycles(&self) -> Vec<u64> {
        self.at.clone()
    }

    pub fn last_cycle(&self) -> Option<u64> {
        self.at.last().copied()
    }

    /// The cycle of snapshot `idx`.
    pub fn cycle_of(&self, idx: usize) -> Option<u64> {
        self.at.get(idx).copied()
    }

    /// The index of the newest snapshot at or before `cycle`.
    pub fn index_at_or_before(&self, cycle: u64) -> Option<usize> {
        let idx = self.at.partition_point(|&c| c <= cycle).saturating_sub(1);
        (idx < self.at.len()).then_some(idx)
    }

    /// A copy of snapshot `idx` to resume from: its machine (its pages all
    /// back), its kernel and its trace lengths.
    pub fn copy(&self, idx: usize) -> Option<Snapshot> {
        let s = self.list.get(idx)?;
        let mut machine = s.machine.clone();
        machine.unpack(&s.packed);
        let mut kernel = s.kernel.clone();
        kernel.unpack(&s.packed_tables);
        Some(Snapshot {
            machine,
            kernel,
            trace_len: s.trace_len,
            instrs_len: s.instrs_len,
            packed: Vec::new(),
            packed_tables: PackedTables::default(),
            bytes: 0,
            kernel_bytes: 0,
        })
    }

    /// Keeps the snapshots up to index `idx` (included); the live machine
    /// is now a copy of the newest. The run had reached cycle `present`:
    /// the snapshots dropped join those kept ahead while it stays ahead of
    /// the run; else, if `keep`, they are kept ahead up to `present`.
    pub fn truncate(&mut self, idx: usize, live: Live, present: u64, keep: bool) {
        self.at.truncate(idx + 1);
        let dropped: Vec<Box<Snapshot>> = self.list.drain(idx + 1..).collect();
        for s in &dropped {
            self.bytes -= s.bytes;
            self.kernel_bytes -= s.kernel_bytes;
        }
        if self.ahead.end.is_none_or(|end| end < present) {
            self.retire_ahead(u64::MAX);
            self.ahead.end = keep.then_some(present);
        }
        // A run since the last seek back made again the ones from the
        // first kept ahead on: those go.
        let first = self.ahead.at.first().copied().unwrap_or(u64::MAX);
        let mut older = Vec::new();
        for s in dropped {
            if self.ahead.end.is_some() && s.machine.cycle() < first {
                older.push(s);
            } else {
                self.retire(s);
            }
        }
        let a = &mut self.ahead;
        a.at.splice(0..0, older.iter().map(|s| s.machine.cycle()));
        a.bytes += older.iter().map(|s| s.bytes).sum::<usize>();
        a.kernel_bytes += older.iter().map(|s| s.kernel_bytes).sum::<usize>();
        a.list.splice(0..0, older);
        self.measure(idx, live);
    }

    /// Where the snapshots kept ahead reach (the cycle the run had been at),
    /// if any.
    pub fn ahead_end(&self) -> Option<u64> {
        self.ahead.end
    }

    /// The cycle of the first snapshot kept ahead.
    pub fn ahead_first(&self) -> Option<u64> {
        self.ahead.at.first().copied()
    }

    /// Bytes the snapshots kept ahead hold.
    pub fn ahead_bytes(&self) -> usize {
        self.ahead.bytes
    }

    /// Puts the snapshots kept ahead back after the others (those the run
    /// made again go), for a seek forward into them. Returns where they reach.
    pub fn merge_ahead(&mut self, live: Live) -> Option<u64> {
        let end = self.ahead.end.take()?;
        let first = self.ahead.at.first().copied().unwrap_or(u64::MAX);
        while self.at.last().is_some_and(|&c| c >= first) && self.list.len() > 1 {
            self.at.pop();
            if let Some(s) = self.list.pop() {
                self.bytes -= s.bytes;
                self.kernel_bytes -= s.kernel_bytes;
                self.retire(s);
            }
        }
        let joined = self.list.len();
        let a = std::mem::take(&mut self.ahead);
        self.at.extend(a.at);
        self.list.extend(a.list);
        self.bytes += a.bytes;
        self.kernel_bytes += a.kernel_bytes;
        if joined > 0 {
            self.pack(joined - 1, live);
            self.pack(joined, live);
        }
        self.measure(self.list.len() - 1, live);
        Some(end)
    }

    /// Drops the snapshots kept ahead at or before cycle `upto` (a run made
    /// them again), and all of them once it reaches where they reach.
    fn retire_ahead(&mut self, upto: u64) {
        let all = self.ahead.end.is_some_and(|end| end <= upto) || upto == u64::MAX;
        let n = if all {
            self.ahead.at.len()
        } else {
            self.ahead.at.partition_point(|&c| c <= upto)
        };
        self.ahead.at.drain(..n);
        let gone: Vec<Box<Snapshot>> = self.ahead.list.drain(..n).collect();
        for s in gone {
            self.ahead.bytes -= s.bytes;
            self.ahead.kernel_bytes -= s.kernel_bytes;
            self.retire(s);
        }
        if all {
            self.ahead.end = None;
        }
    }

    /// Frees `s` a little at a time (see [`Retired`]).
    fn retire(&mut self, s: Box<Snapshot>) {
        self.retired.bytes += s.bytes;
        self.retired.list.push(s);
    }

    /// Adds a snapshot of the live machine and kernel, then thins the
    /// past until the whole fits the budget (the first snapshot and the
    /// newest two always stay).
    pub fn push(&mut self, live: Live, trace_len: usize, instrs_len: usize) {
        for _ in 0..FREED_PER_PUSH {
            if let Some(s) = self.retired.list.pop() {
                self.retired.bytes -= s.bytes;
            }
        }
        self.at.push(live.machine.cycle());
        self.list.push(Box::new(Snapshot {
            machine: live.machine.snapshot(),
            kernel: live.kernel.clone(),
            trace_len,
            instrs_len,
            packed: Vec::new(),
            packed_tables: PackedTables::default(),
            bytes: 0,
            kernel_bytes: 0,
        }));
        let n = self.list.len();
        if n >= 2 {
            self.pack(n - 2, live);
        }
        self.measure(n - 1, live);
        self.retire_ahead(live.machine.cycle());
        while self.bytes + self.ahead.bytes > self.budget && self.thin(live) {}
    }

    /// Bytes the snapshots may hold (at least the newest two are kept
    /// whatever they cost).
    pub fn set_budget(&mut self, bytes: usize, live: Live) {
        self.budget = bytes;
        while self.bytes + self.ahead.bytes > self.budget && self.thin(live) {}
    }

    /// After a neighbour of snapshot `i` (not the newest) changed: packs
    /// the pages and table entries neither neighbour shares with it now,
    /// and re-measures it.
    fn pack(&mut self, i: usize, live: Live) {
        if i + 1 >= self.list.len() {
            return;
        }
        let (before, rest) = self.list.split_at_mut(i);
        let (s, after) = rest.split_at_mut(1);
        let (s, newer) = (&mut s[0], &after[0]);
        let older = before.last();
        let packed = s
            .machine
            .pack_unshared(older.map(|o| &o.machine), &newer.machine);
        s.packed.extend(packed);
        s.kernel.pack_unshared(
            older.map(|o| &o.kernel),
            &newer.kernel,
            &mut s.packed_tables,
        );
        self.measure(i, live);
    }

    /// Re-measures snapshot `i` beside its newer neighbour (or `live`).
    fn measure(&mut self, i: usize, live: Live) {
        let Some(s) = self.list.get(i) else { return };
        let newer = self.list.get(i + 1).map_or(live, |n| Live {
            machine: &n.machine,
            kernel: &n.kernel,
        });
        let kernel = s.kernel.bytes_beside(newer.kernel) + s.packed_tables.heap_bytes();
        let bytes = std::mem::size_of::<Snapshot>()
            + s.machine.bytes_beside(newer.machine)
            + s.packed.capacity() * std::mem::size_of::<PackedPage>()
            + s.packed.iter().map(PackedPage::heap_bytes).sum::<usize>()
            + kernel;
        self.bytes = self.bytes - s.bytes + bytes;
        self.kernel_bytes = self.kernel_bytes - s.kernel_bytes + kernel;
        self.list[i].bytes = bytes;
        self.list[i].kernel_bytes = kernel;
    }

    /// Drops one snapshot older than the newest [`DENSE`] share, the one
    /// whose neighbours are closest, so the past thins out evenly while the
    /// recent past stays dense. Whether one could be dropped.
    fn thin(&mut self, live: Live) -> bool {
        let n = self.list.len();
        let older = (n - n / DENSE).min(n.saturating_sub(2));
        let cycle = |i: usize| self.at[i];
        let victim = (1..older.max(2))
            .filter(|&i| i + 1 < self.list.len())
            .min_by_key(|&i| cycle(i + 1) - cycle(i - 1));
        let Some(i) = victim else { return false };
        self.at.remove(i);
        let gone = self.list.remove(i);
        self.bytes -= gone.bytes;
        self.kernel_bytes -= gone.kernel_bytes;
        // Both neighbours may now hold pages no one else shares.
        self.pack(i - 1, live);
        self.pack(i, live);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::{snapshot_budget, Live};
    use crate::scenario::builtin;
    use crate::sim::{Sim, TraceLevel};

    /// `n` copies of the preemptive loop lesson's program, run to `cycles`
    /// with the snapshots held to `budget` bytes.
    fn spinning(n: usize, budget: usize, cycles: u64) -> Sim {
        let mut s = builtin("loop-preemptive").expect("built-in exists");
        s.processes = vec![s.processes[0].clone(); n];
        s.max_cycles = 1_000_000_000;
        let mut sim = s.build(TraceLevel::Off).expect("builds");
        sim.set_snapshot_budget(budget);
        sim.run(cycles, &[]);
        sim
    }

    #[test]
    fn the_running_totals_are_what_the_snapshots_hold_now() {
        let mut sim = spinning(16, 96 << 10, 3_000_000);
        let held = (sim.snapshots.bytes, sim.snapshots.kernel_bytes);
        assert!(held.0 <= 96 << 10);
        let summed: usize = sim.snapshots.list.iter().map(|s| s.bytes).sum();
        assert_eq!(summed, held.0);
        // Measured again from scratch (in place: a clone's vectors would
        // have other capacities), beside neighbours that have not changed.
        let live = Live {
            machine: &sim.machine,
            kernel: &sim.kernel,
        };
        for i in 0..sim.snapshots.len() {
            sim.snapshots.measure(i, live);
        }
        assert_eq!((sim.snapshots.bytes, sim.snapshots.kernel_bytes), held);
    }

    #[test]
    fn a_snapshot_of_the_thinned_past_keeps_its_tables_packed() {
        // Every process runs between two snapshots of the thinned past, so
        // they share no entry: each keeps its own, packed.
        let sim = spinning(24, 128 << 10, 4_000_000);
        let list = &sim.snapshots.list;
        let thinned = list.len() - list.len() / super::DENSE - 1;
        assert!(thinned >= 4, "{} snapshots", list.len());
        for (i, s) in list.iter().enumerate().take(thinned).skip(1) {
            let whole = sim.snapshots.copy(i).expect("kept").kernel.bytes();
            let held = s.kernel_bytes;
            assert!(
                held * 3 < whole,
                "snapshot {i}: {held} bytes beside its neighbour, {whole} cloned whole"
            );
            assert!(s.packed_tables.heap_bytes() > 0, "snapshot {i}");
        }
    }

    #[test]
    fn the_budget_grows_with_the_processes_beyond_64() {
        assert_eq!(snapshot_budget(1), 14 << 20);
        assert_eq!(snapshot_budget(64), 14 << 20);
        assert_eq!(snapshot_budget(256), 29 << 20);
    }
}
