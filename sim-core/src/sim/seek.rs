//! Going back (or forward) to any cycle: restore the nearest earlier
//! snapshot and replay, exactly (the simulation is deterministic).

use super::snapshots::Live;
use super::{Sim, TraceLevel};

/// A seek back replays until this many of the newest instructions and
/// events (the two logs together) are all there, none lost before the
/// replay's start (see [`Sim::seek`]): what the views of the recent past show.
pub const SEEK_KEEPS: usize = 512;
/// How far back a seek starts at most to bring back [`SEEK_KEEPS`] (a few
/// of the longest steps a session takes): beyond, a log sparse in events
/// would make it replay the whole run.
pub const SEEK_REPLAY_MAX: u64 = 1 << 22;
/// A seek back also records until this many events besides instructions
/// are back (the timeline's newest rows are whole: a row that began before
/// the recording would show only part of its instructions), looking at
/// most [`SEEK_EVENTS_REACH`] cycles back for them: a program that runs
/// with no timer and no system calls makes none.
pub const SEEK_EVENTS: usize = 64;
/// See [`SEEK_EVENTS`].
pub const SEEK_EVENTS_REACH: u64 = 1 << 18;
/// A seek back further than this keeps the snapshots after its target (see
/// [`Sim::seek`]); a shorter one drops them, as going forward again costs
/// little more than replaying from a snapshot.
pub const AHEAD_KEEPS: u64 = 1 << 18;

impl Sim {
    /// Goes back (or forward) to exactly `cycle`: restores the last snapshot
    /// at or before it and replays. The result is identical to having stepped
    /// there directly (the simulation is deterministic).
    ///
    /// The replay runs quietly (the machine's fast loops, nothing logged, no
    /// snapshots: several times faster) up to the last mark before `cycle`
    /// (see `marks.rs`), where the logs take up their numbering, and records
    /// only the rest. Where the logs had dropped what came before, the
    /// recording starts further back until the newest [`SEEK_KEEPS`]
    /// instructions and events, and [`SEEK_EVENTS`] events, are all back,
    /// so a view of the recent past is the same as after a straight run;
    /// it starts at most [`SEEK_REPLAY_MAX`] cycles back for that.
    ///
    /// A seek back more than [`AHEAD_KEEPS`] cycles keeps the snapshots
    /// after its target, up to where the run was: a seek forward into them
    /// replays from the one before its target as a seek back would, instead
    /// of running the whole way again (see `Snapshots`' `Ahead`).
    pub fn seek(&mut self, cycle: u64) {
        let present = self.cycle();
        if cycle >= present {
            if self.ahead_for(cycle).is_some() {
                let live = Live {
                    machine: &self.machine,
                    kernel: &self.kernel,
                };
                if let Some(end) = self.snapshots.merge_ahead(live) {
                    // Kept ahead however short the way back from there: it
                    // was kept already, and the session's history with it.
                    self.seek_back(cycle.min(end), end, true);
                }
            }
            // Beyond where the run had been (or with nothing kept ahead): on.
            self.run(cycle, &[]);
            return;
        }
        self.seek_back(cycle, present, present - cycle > AHEAD_KEEPS);
    }

    /// Goes back to `cycle` from where the run was, `present`, keeping the
    /// snapshots after it if `keep` (see [`Sim::seek`]).
    fn seek_back(&mut self, cycle: u64, present: u64, keep: bool) {
        // The recording starts at the last mark at or before this cycle
        // (after the snapshot restored), else at the snapshot.
        let mut record_by = cycle;
        while let Some(idx) = self.snapshots.index_at_or_before(record_by) {
            let at = self.snapshots.cycle_of(idx).unwrap_or(0);
            let mark = self.marks.before(record_by, at);
            let Some((mut trace_len, mut instrs_len)) = self.restore_state(idx, present, keep)
            else {
                return;
            };
            let mut start = at;
            if let Some(m) = mark {
                self.replay_quietly(m.cycle);
                (trace_len, instrs_len, start) = (m.trace_len, m.instrs_len, m.cycle);
            }
            let cut = self.cut_logs(trace_len, instrs_len);
            self.run(cycle, &[]);
            // A log that was cut holds nothing before `start`: the newest
            // entries must all come from the recording.
            let wanted = SEEK_KEEPS.min((self.trace_limit + self.instrs_limit) / 2);
            let events = self.trace.len() - trace_len.min(self.trace.len());
            let short = cut
                && (self.nth_newest_cycle(wanted).is_none_or(|c| c < start)
                    || events < SEEK_EVENTS && cycle - start < SEEK_EVENTS_REACH);
            if !short || start == 0 || cycle - start >= SEEK_REPLAY_MAX {
                return;
            }
            // Twice as far back each time: together at most twice the last.
            record_by = cycle.saturating_sub(2 * (cycle - start)).min(start - 1);
        }
    }

    /// Runs to `until` recording nothing: no logs, no snapshots, no marks,
    /// the machine in its fast loops. Only for replaying the past, whose
    /// logs and marks are known (the same state as a recorded run: tested
    /// in `machine_trace.rs` and by every seek test).
    fn replay_quietly(&mut self, until: u64) {
        let level = self.level;
        self.level = TraceLevel::Off;
        self.quiet = true;
        self.set_machine_mode();
        self.run(until, &[]);
        self.quiet = false;
        self.level = level;
        self.set_machine_mode();
    }

    /// The cycle of the newest snapshot at or before `cycle`: where a seek
    /// back to `cycle` replays from.
    pub fn snapshot_before(&self, cycle: u64) -> Option<u64> {
        let idx = self.snapshots.index_at_or_before(cycle)?;
        self.snapshots.cycle_of(idx)
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

    /// Restores snapshot `idx`: the machine, the kernel, and the snapshots
    /// up to it. Returns the lengths of the logs when it was taken.
    fn restore_state(&mut self, idx: usize, present: u64, keep: bool) -> Option<(usize, usize)> {
        let s = self.snapshots.copy(idx)?;
        self.machine = s.machine;
        self.kernel = s.kernel;
        let live = Live {
            machine: &self.machine,
            kernel: &self.kernel,
        };
        self.snapshots.truncate(idx, live, present, keep);
        Some((s.trace_len, s.instrs_len))
    }

    /// Truncates the logs to these lengths (a log that had dropped entries
    /// before them, or that ends before them after a seek forward, is
    /// emptied and numbers on from there). Returns whether either was
    /// emptied (and so now holds nothing older).
    fn cut_logs(&mut self, trace_len: usize, instrs_len: usize) -> bool {
        let cut = trace_len < self.trace.first_index()
            || instrs_len < self.instrs.first_index()
            || trace_len > self.trace.len()
            || instrs_len > self.instrs.len();
        // Replayed events are new to a reader that had read past them.
        self.trace_keep_from = self.trace_keep_from.min(trace_len);
        self.instrs_keep_from = self.instrs_keep_from.min(instrs_len);
        self.trace.truncate(trace_len);
        self.instrs.truncate(instrs_len);
        cut
    }

    /// One cycle back.
    pub fn step_back(&mut self) {
        self.seek(self.cycle().saturating_sub(1));
    }
}
