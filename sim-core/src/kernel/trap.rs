//! Traps (compare xv6's trap.c): `trap()` dispatches on the trap number;
//! the timer interrupt counts ticks, wakes sleepers and charges the running
//! thread's time slice.

use crate::machine::Machine;
use crate::sched::{After, Decision, Policy, SchedEvent};

use crate::trap::exception_name;

use super::frame::TrapFrame;
use super::kstep::Ran;
use super::outcome::{StepOutcome, Tick, TrapCause};
use super::syscall;
use super::{ExecMode, KStep, Kernel, OsEvent, T_ALARM, T_DISK, T_SYSCALL, T_TIMER};

impl Kernel {
    /// `trap()`: dispatch on the trap number of the frame. Returns what it
    /// found and the handler that runs next (system call, timer, disk,
    /// killing a faulting process).
    pub(super) fn trap(&mut self, m: &Machine, vector: u8) -> Ran {
        let tf = TrapFrame::read(m.mem(), m.cpu().cr3, self.entry_tf);
        let found = |cause| StepOutcome::Trap { vector, cause };
        match vector {
            T_SYSCALL => {
                let call = syscall::lookup(tf.eax);
                let next = match call {
                    Some(c) => KStep::Syscall { num: c.num },
                    None => KStep::BadSyscall { number: tf.eax },
                };
                let cause = TrapCause::Syscall {
                    number: tf.eax,
                    name: call.map(|c| c.name),
                };
                Ran::then(found(cause), [next])
            }
            T_TIMER => Ran::then(found(TrapCause::TimerInterrupt), [KStep::TimerTick]),
            T_DISK => Ran::then(found(TrapCause::DiskInterrupt), [KStep::DiskInterrupt]),
            T_ALARM => Ran::done(found(TrapCause::Alarm)),
            v if v < 32 => {
                let name = exception_name(v);
                let pid = self
                    .current
                    .and_then(|t| self.threads.get(&t))
                    .map(|t| t.pid);
                match pid {
                    Some(pid) => {
                        let reason = format!(
                            "{name} (vector {v}, error code {:#x}) at eip {:#010x}",
                            tf.err, tf.eip
                        );
                        let kill = KStep::KillOnFault { pid, reason };
                        Ran::then(found(TrapCause::UserFault), [kill])
                    }
                    None => {
                        let message = format!("{name} in kernel mode at eip {:#010x}", tf.eip);
                        self.events.push(OsEvent::Panic {
                            message: message.clone(),
                        });
                        self.panic = Some(message.clone());
                        self.agenda.clear();
                        Ran::done(found(TrapCause::Panic { message }))
                    }
                }
            }
            _ => Ran::done(found(TrapCause::Ignored)),
        }
    }

    /// The timer interrupt: count a tick, wake sleepers, apply the policy's
    /// time-driven rules and charge the running thread's time slice.
    pub(super) fn timer_tick(&mut self, now: u64) -> Tick {
        self.ticks += 1;
        // The periodic timer counts from boot, so tick k fires at exactly
        // k × interval; it is handled a little later (delivery, the entry stub).
        let interval = u64::from(self.config.timer_interval);
        let fired = if self.config.mode == ExecMode::Preemptive && interval > 0 {
            now / interval * interval
        } else {
            now
        };
        self.tick_fired = Some(fired);
        let woke = self.wake_sleepers(now);
        let prev = std::mem::replace(&mut self.last_tick, now);
        let boost = self.sched.on_tick(self.tick_time(prev, now)) == Some(SchedEvent::Boost);
        if boost {
            self.events.push(OsEvent::Boost);
        }
        let mut slice_used = None;
        if self.config.mode == ExecMode::Preemptive {
            if let Some(cur) = self.running() {
                // Charged up to the tick; the kernel's work after it counts
                // towards the next slice, so a slice is whole timer periods.
                let upto = fired.max(self.slice_mark);
                let ran = upto - self.slice_mark;
                self.slice_mark = upto;
                if self.sched.charge(cur, ran, now, After::Ready) == Decision::Reschedule {
                    self.resched = true;
                    slice_used = Some(cur);
                }
            }
        }
        Tick {
            tick: self.ticks,
            fired,
            now,
            woke,
            boost,
            slice_used,
        }
    }

    /// The time to hand `Scheduler::on_tick`. The protocol calls it at the
    /// start of every time unit, but the kernel only runs at timer ticks, which
    /// rarely fall exactly on a multiple of the MLFQ boost period: pass the
    /// last boundary crossed since the previous tick instead, so the boost
    /// (OSTEP rule 5) happens once per period.
    fn tick_time(&self, prev: u64, now: u64) -> u64 {
        match &self.config.policy {
            Policy::Mlfq(c) if c.boost_period > 0 => {
                let boundary = now / c.boost_period * c.boost_period;
                if boundary > prev {
                    boundary
                } else {
                    now
                }
            }
            _ => now,
        }
    }
}
