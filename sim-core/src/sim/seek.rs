//! Going back (or forward) to any cycle: restore the nearest earlier
//! snapshot and replay, exactly (the simulation is deterministic).

use super::snapshots::Live;
use super::Sim;

/// A seek back replays until this many of the newest instructions and
/// events (the two logs together) are all there, none lost before the
/// replay's start (see [`Sim::seek`]): what the views of the recent past show.
pub const SEEK_KEEPS: usize = 512;
/// How far back a seek starts at most to bring back [`SEEK_KEEPS`] (a few
/// of the longest steps a session takes): beyond, a log sparse in events
/// would make it replay the whole run.
pub const SEEK_REPLAY_MAX: u64 = 1 << 22;

impl Sim {
    /// Goes back (or forward) to exactly `cycle`: restores the last snapshot
    /// at or before it and replays. The result is identical to having stepped
    /// there directly (the simulation is deterministic).
    ///
    /// Where the logs had dropped what came before that snapshot, the replay
    /// starts from earlier snapshots until the newest [`SEEK_KEEPS`]
    /// instructions and events are all back, so a view of the recent past
    /// is the same as after a straight run; it starts at most
    /// [`SEEK_REPLAY_MAX`] cycles back for that.
    pub fn seek(&mut self, cycle: u64) {
        if cycle >= self.cycle() {
            self.run(cycle, &[]);
            return;
        }
        let mut from = self.snapshots.index_at_or_before(cycle);
        // Each retry starts twice as many snapshots further back: the
        // replays together cost at most twice the last one.
        let mut further = 1;
        while let Some(idx) = from {
            let (start, cut) = self.restore(idx);
            self.run(cycle, &[]);
            // A log that was cut holds nothing before `start`: the newest
            // entries must all come from the replay.
            let wanted = SEEK_KEEPS.min((self.trace_limit + self.instrs_limit) / 2);
            let short = cut && self.nth_newest_cycle(wanted).is_none_or(|c| c < start);
            // Indices may have moved (the replay thins): go by cycle.
            from = (short && start > 0 && cycle - start < SEEK_REPLAY_MAX)
                .then(|| self.snapshots.index_at_or_before(start - 1))
                .flatten()
                .map(|i| i.saturating_sub(further - 1));
            further *= 2;
        }
    }

    /// The cycle of the newest snapshot at or before `cycle`: where a seek
    /// back to `cycle` replays from.
    pub fn snapshot_before(&self, cycle: u64) -> Option<u64> {
        let idx = self.snapshots.index_at_or_before(cycle)?;
        self.snapshots.cycle_of(idx)
    }

    /// The first half of a seek back to `cycle` whose replay the caller
    /// runs itself (the page, in frames): restores the newest snapshot at
    /// or before it, replaying nothing, and returns its cycle. Unlike
    /// [`Sim::seek`] it does not bring back the logs' recent past; the run
    /// to `cycle` records it. A `cycle` at or after the current one, or
    /// with no snapshot before it, is an ordinary seek.
    pub fn rewind(&mut self, cycle: u64) -> u64 {
        match self.snapshots.index_at_or_before(cycle) {
            Some(idx) if cycle < self.cycle() => self.restore(idx).0,
            _ => {
                self.seek(cycle);
                self.cycle()
            }
        }
    }

    /// The cycle of the `n`-th newest entry of the trace and the
    /// instruction log together (`None`: they hold fewer).
    fn nth_newest_cycle(&self, n: usize) -> Option<u64> {
        let mut instrs = self.instrs.iter_rev().map(|m| m.cycle).peekable();
        let mut events = self.trace.iter_rev().map(|e| e.cycle).peekable();
        let mut last = None;
        for _ in 0..n {
            let instr_newer = match (instrs.peek(), events.peek()) {
                (Some(a), Some(b)) => a >= b,
                (a, _) => a.is_some(),
            };
            last = if instr_newer {
                instrs.next()
            } else {
                events.next()
            };
        }
        last
    }

    /// Restores snapshot `idx` and truncates the logs to it. Returns its
    /// cycle and whether the trace or the instruction log had dropped what
    /// came before it (and so now holds nothing older).
    fn restore(&mut self, idx: usize) -> (u64, bool) {
        let Some(s) = self.snapshots.copy(idx) else {
            return (0, false);
        };
        self.machine = s.machine;
        self.kernel = s.kernel;
        let (trace_len, instrs_len) = (s.trace_len, s.instrs_len);
        let cut = trace_len < self.trace.first_index() || instrs_len < self.instrs.first_index();
        // Replayed events are new to a reader that had read past them.
        self.trace_keep_from = self.trace_keep_from.min(trace_len);
        self.instrs_keep_from = self.instrs_keep_from.min(instrs_len);
        self.trace.truncate(trace_len);
        self.instrs.truncate(instrs_len);
        let live = Live {
            machine: &self.machine,
            kernel: &self.kernel,
        };
        self.snapshots.truncate(idx, live);
        (self.machine.cycle(), cut)
    }

    /// One cycle back.
    pub fn step_back(&mut self) {
        self.seek(self.cycle().saturating_sub(1));
    }
}
