//! Round Robin (OSTEP 7.7): each thread runs for at most one quantum, then goes to the
//! tail of the single ready queue.

use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};
use std::collections::VecDeque;

/// Round Robin with a fixed time slice.
#[derive(Clone, Debug)]
pub struct RoundRobin {
    quantum: u64,
    roster: Roster,
    ready: VecDeque<ThreadId>,
    /// Time used in the current slice by the queue head.
    slice_used: u64,
}

impl RoundRobin {
    /// A quantum of 0 is treated as 1 (a slice must make progress).
    pub fn new(quantum: u64) -> Self {
        RoundRobin {
            quantum: quantum.max(1),
            roster: Roster::default(),
            ready: VecDeque::new(),
            slice_used: 0,
        }
    }

    pub fn quantum(&self) -> u64 {
        self.quantum
    }

    /// Time left in the slice of the thread at the head of the queue.
    pub fn slice_left(&self) -> u64 {
        self.quantum.saturating_sub(self.slice_used)
    }
}

impl Scheduler for RoundRobin {
    fn name(&self) -> &'static str {
        "RR"
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
        let is_head = self.ready.front() == Some(&t);
        match after {
            After::Ready => {
                if !is_head {
                    return Decision::Reschedule;
                }
                self.slice_used = self.slice_used.saturating_add(ran);
                if self.slice_used < self.quantum {
                    return Decision::Continue;
                }
                self.ready.rotate_left(1);
                self.slice_used = 0;
                Decision::Reschedule
            }
            After::Blocked | After::Exited => {
                self.ready.retain(|&r| r != t);
                if is_head {
                    self.slice_used = 0;
                }
                Decision::Reschedule
            }
        }
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        if self.roster.wake(t) {
            self.ready.push_back(t);
        }
    }

    fn quantum(&self) -> Option<u64> {
        Some(self.quantum)
    }

    fn queues(&self) -> QueueView {
        let threads: Vec<ThreadId> = self.ready.iter().copied().collect();
        let label = format!("ready (quantum {})", self.quantum);
        single_queue(
            &label,
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
    fn rotates_after_a_full_quantum_only() {
        let mut s = RoundRobin::new(3);
        s.admit(ThreadId(0), &JobInfo::default(), 0);
        s.admit(ThreadId(1), &JobInfo::default(), 0);
        assert_eq!(
            s.charge(ThreadId(0), 1, 1, After::Ready),
            Decision::Continue
        );
        assert_eq!(
            s.charge(ThreadId(0), 2, 3, After::Ready),
            Decision::Reschedule
        );
        assert_eq!(s.pick(3), Some(ThreadId(1)));
        assert_eq!(s.slice_left(), 3);
    }
}
