//! The context switch (compare xv6's swtch.S).

use crate::cpu::Reg;
use crate::machine::Machine;

use super::outcome::StepOutcome;
use super::proc::{State, Tid};
use super::{Kernel, OsEvent};

impl Kernel {
    /// `swtch()`: save the running thread's context and restore `to`'s:
    /// `to` becomes the current thread and the CPU's stack pointer moves to
    /// its kernel stack, at the trap frame `trapret` will pop.
    pub(super) fn swtch(&mut self, m: &mut Machine, to: Tid) -> StepOutcome {
        let now = m.cycle();
        let from = self.current;
        self.account_off_cpu(now);
        self.set_state(to, State::Running, now);
        if let Some(t) = self.threads.get_mut(&to) {
            t.acct.first_run.get_or_insert(now);
            if let Some(p) = self.procs.get_mut(&t.pid) {
                p.acct.first_run.get_or_insert(now);
            }
        }
        self.current = Some(to);
        self.dispatched_at = now;
        self.slice_mark = self.slice_start(now);
        let esp = self.threads.get(&to).map_or(0, |t| t.tf);
        m.cpu_mut().set_reg(Reg::Esp, esp);
        if from != Some(to) {
            self.switches += 1;
            self.events
                .push(OsEvent::ContextSwitch { from, to: Some(to) });
        }
        StepOutcome::Swtch {
            from: from.filter(|f| *f != to),
            to,
        }
    }
}
