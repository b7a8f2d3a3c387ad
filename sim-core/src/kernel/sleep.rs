//! Sleeping and waking (compare xv6's `sleep()` and `wakeup()`): a thread
//! blocks on what it waits for and becomes ready when that happens.

use crate::sched::After;

use super::proc::{State, Tid, WaitFor};
use super::Kernel;

impl Kernel {
    /// Blocks the running thread (the scheduler is told how long it ran).
    pub(super) fn block_current(&mut self, why: WaitFor, now: u64) {
        let Some(cur) = self.current else { return };
        let ran = now.saturating_sub(self.slice_mark);
        self.sched.charge(cur, ran, now, After::Blocked);
        if let WaitFor::Until(cycle) = why {
            self.next_wake = self.next_wake.min(cycle);
        }
        if let Some(t) = self.threads.get_mut(&cur) {
            t.wait = Some(why);
        }
        self.set_state(cur, State::Blocked, now);
    }

    pub(super) fn wake(&mut self, tid: Tid, now: u64) {
        if self
            .threads
            .get(&tid)
            .is_some_and(|t| t.state == State::Blocked)
        {
            if let Some(t) = self.threads.get_mut(&tid) {
                t.wait = None;
            }
            self.set_state(tid, State::Ready, now);
            self.sched.on_wake(tid, now);
        }
    }

    /// Wakes the threads whose sleep ends by `now`; returns how many woke.
    pub(super) fn wake_sleepers(&mut self, now: u64) -> usize {
        if now < self.next_wake {
            return 0;
        }
        let due: Vec<Tid> = self
            .threads
            .values()
            .filter(|t| matches!(t.wait, Some(WaitFor::Until(c)) if c <= now))
            .map(|t| t.tid)
            .collect();
        for t in &due {
            self.wake(*t, now);
        }
        self.next_wake = self
            .threads
            .values()
            .filter_map(|t| match t.wait {
                Some(WaitFor::Until(c)) => Some(c),
                _ => None,
            })
            .min()
            .unwrap_or(u64::MAX);
        due.len()
    }
}
