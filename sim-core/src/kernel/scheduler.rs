//! The scheduler (compare xv6's `scheduler()` and `sched()` in proc.c):
//! the policy picks the next thread, the idle loop runs when none is
//! runnable, and thread states and CPU time are accounted as they change.

use crate::cpu::Reg;
use crate::machine::Machine;
use crate::sched::After;

use super::kstep::Ran;
use super::layout::{p2v, IDLE_STACK_PHYS, PAGE};
use super::outcome::{SchedOutcome, StepOutcome};
use super::proc::{Pid, State, Tid, WaitFor};
use super::syscall::TICK_CYCLES;
use super::{ExecMode, KStep, Kernel, OsEvent};

impl Kernel {
    /// The running thread, if it is still runnable.
    pub(super) fn running(&self) -> Option<Tid> {
        self.current.filter(|t| {
            self.threads
                .get(t)
                .is_some_and(|t| t.state == State::Running)
        })
    }

    /// `scheduler()`: the policy picks the thread that runs next, which
    /// then runs `swtch`, `switchuvm` and `trapret`; or the idle loop.
    pub(super) fn scheduler(&mut self, now: u64) -> Ran {
        if self.panic.is_some() {
            return Ran::done(SchedOutcome::Halted);
        }
        self.wake_sleepers(now);
        let mut preempted = None;
        if let Some(cur) = self.running() {
            // A job that arrived or woke may outrank the running one (STCF:
            // shorter remaining time; MLFQ rule 1: a higher queue).
            let ran = now.saturating_sub(self.slice_mark);
            if !self.resched && self.sched.preempts(cur, ran) {
                self.slice_mark = now;
                self.sched.charge(cur, ran, now, After::Ready);
                self.resched = true;
                preempted = Some(cur);
            }
            if !self.resched {
                return Ran::then(SchedOutcome::Keeps(cur), [KStep::Return { to: cur }]);
            }
            // Preempted or yielded: back to ready.
            self.set_state(cur, State::Ready, now);
        }
        self.resched = false;
        let queues = self.sched.queues();
        match self.sched.pick(now) {
            Some(next)
                if self
                    .threads
                    .get(&next)
                    .is_some_and(|t| t.state == State::Ready) =>
            {
                let picked = SchedOutcome::Picks {
                    preempted,
                    policy: self.sched.name(),
                    next,
                    queues,
                    draw: self.sched.last_draw_text(),
                };
                let run = [
                    KStep::Switch { to: next },
                    KStep::SwitchUvm { to: next },
                    KStep::Return { to: next },
                ];
                Ran::then(picked, run)
            }
            _ => {
                let policy = self.sched.name();
                Ran::then(SchedOutcome::Nothing { policy }, [KStep::Idle])
            }
        }
    }

    /// Where a slice dispatched at `now` starts counting. A slice chosen at
    /// a timer tick (or at boot, cycle 0, when the timer starts) began at
    /// that tick: the kernel's work after it counts towards the new slice,
    /// so slices are whole timer periods. A slice that starts between ticks
    /// (the previous thread blocked, yielded or exited, or was preempted by
    /// an arrival) counts from its dispatch and ends at the first tick at
    /// which it has used its quantum.
    pub(super) fn slice_start(&self, now: u64) -> u64 {
        self.tick_fired.map_or(now, |f| f.min(now))
    }

    /// Nothing runnable: the CPU runs the idle loop until an interrupt.
    pub(super) fn idle(&mut self, m: &mut Machine) -> StepOutcome {
        let now = m.cycle();
        self.account_off_cpu(now);
        if self.current.take().is_some() {
            self.events.push(OsEvent::ContextSwitch {
                from: self.current,
                to: None,
            });
        }
        self.idle = true;
        let cpu = m.cpu_mut();
        cpu.cr3 = self.template;
        cpu.set_reg(Reg::Esp, p2v(IDLE_STACK_PHYS + PAGE));
        cpu.eip = self.stubs.idle;
        self.free_deferred(m);
        // Without a timer the idle CPU still needs a clock for sleepers and
        // later arrivals (a tickless kernel arms its timer the same way).
        let sleepers = self
            .threads
            .values()
            .any(|t| matches!(t.wait, Some(WaitFor::Until(_))));
        if self.config.mode == ExecMode::Cooperative && (sleepers || self.next_arrival().is_some())
        {
            m.devices_mut().timer.set_interval(TICK_CYCLES as u32);
        }
        StepOutcome::Idle
    }

    pub(super) fn account_off_cpu(&mut self, now: u64) {
        if let Some(cur) = self.current {
            let ran = now - self.dispatched_at;
            if let Some(t) = self.threads.get_mut(&cur) {
                t.acct.cpu += ran;
                if let Some(p) = self.procs.get_mut(&t.pid) {
                    p.acct.cpu += ran;
                }
            }
            self.dispatched_at = now;
        }
    }

    /// CPU time of `tid` including the slice it is running now (a thread
    /// that exited or was killed stops counting at once).
    pub fn cpu_time(&self, tid: Tid, now: u64) -> u64 {
        let t = self.threads.get(&tid);
        let base = t.map_or(0, |t| t.acct.cpu);
        if self.current == Some(tid) && t.is_some_and(|t| t.state == State::Running) {
            base + (now - self.dispatched_at)
        } else {
            base
        }
    }

    pub(super) fn set_state(&mut self, tid: Tid, to: State, now: u64) {
        let Some(t) = self.threads.get_mut(&tid) else {
            return;
        };
        let from = t.state;
        if from == to {
            return;
        }
        if from == State::Ready {
            if let Some(since) = t.ready_since.take() {
                t.acct.wait += now - since;
            }
        }
        if to == State::Ready {
            t.ready_since = Some(now);
        }
        t.state = to;
        let pid = t.pid;
        self.account_process_wait(pid, now);
        if to == State::Zombie {
            self.live_threads -= 1;
        }
        self.events
            .push(OsEvent::ThreadState { pid, tid, from, to });
    }

    /// A process waits while it has a ready thread and none running (so its
    /// wait never exceeds its turnaround, however many threads it has).
    fn account_process_wait(&mut self, pid: Pid, now: u64) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let states = p.threads.iter().filter_map(|t| self.threads.get(t));
        let (mut ready, mut running) = (false, false);
        for t in states {
            ready |= t.state == State::Ready;
            running |= t.state == State::Running;
        }
        let waiting = ready && !running && p.exit_status.is_none();
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if let Some(since) = p.waiting_since.take() {
            p.acct.wait += now - since;
        }
        if waiting {
            p.waiting_since = Some(now);
        }
    }
}
