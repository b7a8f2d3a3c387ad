//! Traps (compare xv6's trap.c): `trap()` dispatches on the trap number;
//! the timer interrupt counts ticks, wakes sleepers and charges the running
//! thread's time slice.

use crate::machine::Machine;
use crate::sched::{After, Decision, Policy, SchedEvent};

use crate::trap::exception_name;

use super::frame::TrapFrame;
use super::syscall;
use super::{ExecMode, KStep, Kernel, OsEvent, T_ALARM, T_DISK, T_SYSCALL, T_TIMER};

impl Kernel {
    /// `trap()`: dispatch on the trap number of the frame: plans the
    /// handler's step (system call, timer, disk, killing a faulting process).
    pub(super) fn trap(&mut self, m: &Machine, vector: u8) -> String {
        let tf = TrapFrame::read(m.mem(), m.cpu().cr3, self.entry_tf);
        let pos = |s: &mut Self, st: KStep| s.agenda.push_front(st);
        match vector {
            T_SYSCALL => match syscall::lookup(tf.eax) {
                Some(call) => {
                    pos(self, KStep::Syscall { num: call.num });
                    format!("vector 64: system call {} ({})", tf.eax, call.name)
                }
                None => {
                    pos(self, KStep::BadSyscall { number: tf.eax });
                    format!("vector 64: system call {}", tf.eax)
                }
            },
            T_TIMER => {
                pos(self, KStep::TimerTick);
                "vector 32: timer interrupt".into()
            }
            T_DISK => {
                pos(self, KStep::DiskInterrupt);
                "vector 46: disk interrupt".into()
            }
            T_ALARM => "vector 33: timer alarm: a process arrives now".into(),
            v if v < 32 => {
                let name = exception_name(v);
                match self
                    .current
                    .and_then(|t| self.threads.get(&t))
                    .map(|t| t.pid)
                {
                    Some(pid) => {
                        let reason = format!(
                            "{name} (vector {v}, error code {:#x}) at eip {:#010x}",
                            tf.err, tf.eip
                        );
                        pos(self, KStep::KillOnFault { pid, reason });
                        format!("vector {v}: {name} in user code")
                    }
                    None => {
                        let msg = format!("{name} in kernel mode at eip {:#010x}", tf.eip);
                        self.events.push(OsEvent::Panic {
                            message: msg.clone(),
                        });
                        self.panic = Some(msg.clone());
                        self.agenda.clear();
                        format!("panic: {msg}")
                    }
                }
            }
            v => format!("vector {v}: ignored"),
        }
    }

    pub(super) fn timer_tick(&mut self, now: u64) -> String {
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
        let mut detail = format!("tick {}", self.ticks);
        if fired != now {
            detail += &format!(
                " (the timer fired at cycle {fired}, handled {} cycles later)",
                now - fired
            );
        }
        if woke > 0 {
            detail += &format!(", woke {woke} sleeper(s)");
        }
        let prev = std::mem::replace(&mut self.last_tick, now);
        if let Some(SchedEvent::Boost) = self.sched.on_tick(self.tick_time(prev, now)) {
            self.events.push(OsEvent::Boost);
            detail += ", priority boost: every job back to the top queue";
        }
        if self.config.mode == ExecMode::Preemptive {
            if let Some(cur) = self.running() {
                // Charged up to the tick; the kernel's work after it counts
                // towards the next slice, so a slice is whole timer periods.
                let upto = fired.max(self.slice_mark);
                let ran = upto - self.slice_mark;
                self.slice_mark = upto;
                if self.sched.charge(cur, ran, now, After::Ready) == Decision::Reschedule {
                    self.resched = true;
                    detail += &format!(", {cur} used its time slice");
                }
            }
        }
        detail
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
