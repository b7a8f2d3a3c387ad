//! Shortest Time-to-Completion First (OSTEP 7.5): preemptive SJF. At every decision
//! the runnable job with the least remaining expected time runs; ties go to the
//! earlier admission so the running job is not displaced by an equal newcomer.
//!
//! With `overlap_io` off the policy ignores I/O as the book's first
//! schedulers do (OSTEP 7.7, figure 7.8): while any job waits for its I/O
//! nothing else runs, and the CPU sits idle.

use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};

/// Preemptive shortest-remaining-time scheduling.
#[derive(Clone, Debug)]
pub struct Stcf {
    roster: Roster,
    running: Option<ThreadId>,
    overlap_io: bool,
}

impl Default for Stcf {
    fn default() -> Self {
        Stcf {
            roster: Roster::default(),
            running: None,
            overlap_io: true,
        }
    }
}

impl Stcf {
    pub fn new() -> Self {
        Self::default()
    }

    /// STCF that leaves the CPU idle while a job waits for I/O.
    pub fn without_overlap() -> Self {
        Stcf {
            overlap_io: false,
            ..Self::default()
        }
    }

    /// Expected time still needed by `t` (`u64::MAX` if unknown).
    pub fn remaining(&self, t: ThreadId) -> Option<u64> {
        let e = self.roster.get(t)?;
        Some(
            e.info
                .expected_len
                .map_or(u64::MAX, |l| l.saturating_sub(e.consumed)),
        )
    }

    fn ordered(&self) -> Vec<ThreadId> {
        let mut v: Vec<(u64, u64, ThreadId)> = self
            .roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| Some((self.remaining(t)?, self.roster.get(t)?.seq, t)))
            .collect();
        crate::sort::sort(&mut v);
        v.into_iter().map(|(_, _, t)| t).collect()
    }
}

impl Scheduler for Stcf {
    fn name(&self) -> &'static str {
        "STCF"
    }

    fn admit(&mut self, t: ThreadId, info: &JobInfo, _now: u64) {
        self.roster.admit(t, info);
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        if !self.overlap_io && !self.roster.blocked().is_empty() {
            self.running = None;
            return None;
        }
        self.running = self.ordered().first().copied();
        self.running
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        if !self.roster.is_runnable(t) || !self.roster.settle(t, ran, after) {
            return Decision::Reschedule;
        }
        if after != After::Ready && self.running == Some(t) {
            self.running = None;
        }
        // Keep running unless someone is now strictly shorter.
        match (after, self.ordered().first()) {
            (After::Ready, Some(&first)) if first == t => Decision::Continue,
            _ => Decision::Reschedule,
        }
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        self.roster.wake(t);
    }

    fn preempts(&self, running: ThreadId, ran: u64) -> bool {
        let Some(mine) = self.remaining(running) else {
            return false;
        };
        let mine = mine.saturating_sub(ran);
        self.roster
            .runnable_by_seq()
            .into_iter()
            .filter(|&t| t != running)
            .filter_map(|t| self.remaining(t))
            .any(|r| r < mine)
    }

    fn queues(&self) -> QueueView {
        let threads = self.ordered();
        let running = self.running.filter(|&r| self.roster.is_runnable(r));
        single_queue(
            "ready (least remaining first)",
            running,
            threads,
            self.roster.blocked(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(len: u64) -> JobInfo {
        JobInfo {
            expected_len: Some(len),
            ..JobInfo::default()
        }
    }

    #[test]
    fn shorter_arrival_preempts() {
        let mut s = Stcf::new();
        s.admit(ThreadId(0), &job(100), 0);
        assert_eq!(s.pick(0), Some(ThreadId(0)));
        s.charge(ThreadId(0), 10, 10, After::Ready);
        s.admit(ThreadId(1), &job(10), 10);
        assert_eq!(s.pick(10), Some(ThreadId(1)));
        assert_eq!(s.remaining(ThreadId(0)), Some(90));
    }
}
