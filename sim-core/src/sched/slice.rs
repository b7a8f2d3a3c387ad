//! The time slice of the proportional-share policies (lottery, stride): the
//! thread that won the CPU keeps it until it has used `quantum` units or
//! stops being runnable; then the policy chooses again.

use super::{After, Decision, Roster, ThreadId};

#[derive(Clone, Debug)]
pub(crate) struct Slice {
    quantum: u64,
    holder: Option<ThreadId>,
    used: u64,
}

impl Slice {
    pub fn new(quantum: u64) -> Self {
        Slice {
            quantum: quantum.max(1),
            holder: None,
            used: 0,
        }
    }

    pub fn quantum(&self) -> u64 {
        self.quantum
    }

    /// The thread whose slice is running, if it can still run.
    pub fn holder(&self, roster: &Roster) -> Option<ThreadId> {
        self.holder.filter(|&t| roster.is_runnable(t))
    }

    /// Starts a new slice for `t` (the policy's fresh choice).
    pub fn start(&mut self, t: Option<ThreadId>) -> Option<ThreadId> {
        self.used = 0;
        self.holder = t;
        t
    }

    /// `t` ran `ran` units and then does `after`: may it go on?
    pub fn charge(&mut self, t: ThreadId, ran: u64, after: After) -> Decision {
        if self.holder != Some(t) {
            return Decision::Reschedule;
        }
        self.used = self.used.saturating_add(ran);
        if after == After::Ready && self.used < self.quantum {
            return Decision::Continue;
        }
        self.holder = None;
        Decision::Reschedule
    }
}
