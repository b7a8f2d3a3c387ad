//! Shortest Job First (OSTEP 7.4): non-preemptive; when the CPU is free, run the
//! runnable job with the smallest expected length. Ties go to the earlier admission,
//! which is what scheduler.py's stable `sorted` does.

use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};

/// Non-preemptive SJF.
#[derive(Clone, Debug, Default)]
pub struct Sjf {
    roster: Roster,
    running: Option<ThreadId>,
}

impl Sjf {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runnable threads, shortest first (ties by admission order).
    fn ordered(&self) -> Vec<ThreadId> {
        let mut v: Vec<(u64, u64, ThreadId)> = self
            .roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| {
                let e = self.roster.get(t)?;
                Some((e.info.expected_len.unwrap_or(u64::MAX), e.seq, t))
            })
            .collect();
        crate::sort::sort(&mut v);
        v.into_iter().map(|(_, _, t)| t).collect()
    }
}

impl Scheduler for Sjf {
    fn name(&self) -> &'static str {
        "SJF"
    }

    fn admit(&mut self, t: ThreadId, info: &JobInfo, _now: u64) {
        self.roster.admit(t, info);
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        if let Some(r) = self.running.filter(|&r| self.roster.is_runnable(r)) {
            return Some(r);
        }
        self.running = self.ordered().first().copied();
        self.running
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        if !self.roster.is_runnable(t) || !self.roster.settle(t, ran, after) {
            return Decision::Reschedule;
        }
        if after == After::Ready && self.running == Some(t) {
            return Decision::Continue;
        }
        if self.running == Some(t) {
            self.running = None;
        }
        Decision::Reschedule
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        self.roster.wake(t);
    }

    fn queues(&self) -> QueueView {
        let mut threads = self.ordered();
        // The running job is not preempted by shorter arrivals: show it first.
        if let Some(r) = self.running.filter(|&r| self.roster.is_runnable(r)) {
            threads.retain(|&t| t != r);
            threads.insert(0, r);
        }
        let running = self.running.filter(|&r| self.roster.is_runnable(r));
        single_queue(
            "ready (shortest first)",
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
    fn shortest_first_stable_and_not_preempted() {
        let mut s = Sjf::new();
        s.admit(ThreadId(0), &job(100), 0);
        s.admit(ThreadId(1), &job(10), 0);
        s.admit(ThreadId(2), &job(10), 0);
        assert_eq!(s.pick(0), Some(ThreadId(1)));
        s.admit(ThreadId(3), &job(1), 5);
        assert_eq!(s.pick(5), Some(ThreadId(1)), "SJF does not preempt");
        s.charge(ThreadId(1), 10, 10, After::Exited);
        assert_eq!(s.pick(10), Some(ThreadId(3)));
        s.charge(ThreadId(3), 1, 11, After::Exited);
        assert_eq!(s.pick(11), Some(ThreadId(2)));
    }
}
