//! Where the logs stood at regular cycles of the run: what lets a seek back
//! replay most of the way with nothing recorded.
//!
//! A simulation has one timeline (the same scenario always runs the same
//! way, and no command changes the state except by moving along it), so
//! how many events and instructions had been logged by a given cycle is a
//! fact that stays true after any seek. A seek back replays from a snapshot
//! in the machine's fast loops, with no logs and no snapshots (several times
//! faster), up to the last mark before its target, puts the logs' numbering
//! where that mark says, and records only the rest. The history derived
//! from the logs (timeline, Gantt chart) then sees exactly the numbers a
//! straight run gives.

/// Cycles between two marks: a seek records at most this far (plus what it
/// takes to bring back the newest entries of the logs). As often as
/// snapshots are taken (runs stop there anyway): recording is several
/// times slower than the quiet replay.
pub const MARK_EVERY: u64 = super::SNAPSHOT_EVERY;

/// The logs' lengths (absolute numbers) when the run reached `cycle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Mark {
    pub cycle: u64,
    pub trace_len: usize,
    pub instrs_len: usize,
}

/// Marks at every multiple of [`MARK_EVERY`] the run has reached, oldest
/// first. 24 bytes per 16,384 cycles: ~1.5 MB over the 10^9 cycles a
/// scenario may run at most.
#[derive(Clone, Debug, Default)]
pub(super) struct Marks {
    at: Vec<Mark>,
}

impl Marks {
    /// Notes where the logs stand at `cycle`, the first time the run
    /// reaches it (a replay reaches it again with the same lengths).
    pub fn note(&mut self, cycle: u64, trace_len: usize, instrs_len: usize) {
        if cycle.is_multiple_of(MARK_EVERY) && self.at.last().is_none_or(|m| m.cycle < cycle) {
            self.at.push(Mark {
                cycle,
                trace_len,
                instrs_len,
            });
        }
    }

    /// The newest mark at or before `cycle`, if it is after `after`.
    pub fn before(&self, cycle: u64, after: u64) -> Option<Mark> {
        let newest = self
            .at
            .partition_point(|m| m.cycle <= cycle)
            .checked_sub(1)?;
        let m = self.at[newest];
        (m.cycle > after).then_some(m)
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.at.capacity() * std::mem::size_of::<Mark>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_noted_once_at_their_cycles_and_found_before_a_target() {
        let mut m = Marks::default();
        m.note(0, 0, 0);
        m.note(5, 1, 1); // not a multiple: ignored
        m.note(MARK_EVERY, 10, 20);
        m.note(MARK_EVERY, 99, 99); // reached again by a replay: kept as first noted
        m.note(2 * MARK_EVERY, 30, 40);
        let at = |c: u64| Mark {
            cycle: c * MARK_EVERY,
            trace_len: [0, 10, 30][c as usize],
            instrs_len: [0, 20, 40][c as usize],
        };
        assert_eq!(m.before(2 * MARK_EVERY + 7, 0), Some(at(2)));
        assert_eq!(m.before(2 * MARK_EVERY - 1, 0), Some(at(1)));
        // Only marks after the snapshot a replay starts from count.
        assert_eq!(m.before(2 * MARK_EVERY + 7, 2 * MARK_EVERY), None);
        assert_eq!(m.before(MARK_EVERY, MARK_EVERY), None);
    }
}
