//! First In, First Out (OSTEP 7.3): run each job to completion in arrival order.

use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};
use std::collections::VecDeque;

/// Non-preemptive FIFO. A thread that wakes from I/O rejoins at the tail.
#[derive(Clone, Debug, Default)]
pub struct Fifo {
    roster: Roster,
    ready: VecDeque<ThreadId>,
}

impl Fifo {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Scheduler for Fifo {
    fn name(&self) -> &'static str {
        "FIFO"
    }

    fn admit(&mut self, t: ThreadId, info: &JobInfo, _now: u64) {
        if self.roster.admit(t, info) {
            self.ready.push_back(t);
        }
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        self.ready.front().copied()
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        if !self.roster.is_runnable(t) || !self.roster.settle(t, ran, after) {
            return Decision::Reschedule;
        }
        match after {
            After::Ready => Decision::Continue,
            After::Blocked | After::Exited => {
                self.ready.retain(|&r| r != t);
                Decision::Reschedule
            }
        }
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        if self.roster.wake(t) {
            self.ready.push_back(t);
        }
    }

    fn queues(&self) -> QueueView {
        let threads: Vec<ThreadId> = self.ready.iter().copied().collect();
        single_queue(
            "ready",
            threads.first().copied(),
            threads,
            self.roster.blocked(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_arrival_order_to_completion() {
        let mut s = Fifo::new();
        for i in 0..3 {
            s.admit(ThreadId(i), &JobInfo::default(), 0);
        }
        assert_eq!(s.pick(0), Some(ThreadId(0)));
        assert_eq!(
            s.charge(ThreadId(0), 50, 50, After::Ready),
            Decision::Continue
        );
        assert_eq!(s.pick(50), Some(ThreadId(0)));
        s.charge(ThreadId(0), 10, 60, After::Exited);
        assert_eq!(s.pick(60), Some(ThreadId(1)));
    }

    #[test]
    fn woken_thread_goes_to_tail() {
        let mut s = Fifo::new();
        s.admit(ThreadId(0), &JobInfo::default(), 0);
        s.admit(ThreadId(1), &JobInfo::default(), 0);
        s.charge(ThreadId(0), 1, 1, After::Blocked);
        assert_eq!(s.queues().blocked, vec![ThreadId(0)]);
        s.on_wake(ThreadId(0), 3);
        let v = s.queues();
        assert_eq!(
            v.runnable().collect::<Vec<_>>(),
            vec![ThreadId(1), ThreadId(0)]
        );
    }
}
