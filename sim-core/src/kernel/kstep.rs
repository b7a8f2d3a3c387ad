//! The kernel's C-level work as explicit steps. Each step is one named piece
//! of kernel work (the function a student would find in xv6), costs cycles,
//! and is reported in the trace when it runs.

use serde::{Deserialize, Serialize};

use super::outcome::StepOutcome;
use super::proc::{Pid, Tid};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KStep {
    /// `trap()`: look at the trap number in the frame and dispatch.
    Trap { vector: u8 },
    /// `syscall()`: run system call `num` (from %eax), found in the table.
    Syscall { num: u32 },
    /// A system call with an unknown number: return -1.
    BadSyscall { number: u32 },
    /// The timer handler: count a tick, wake sleepers, charge the running thread.
    TimerTick,
    /// The disk interrupt: finish the request at the head of the queue.
    DiskInterrupt,
    /// Direct execution: the caller busy-waits `cycles` for the disk. With
    /// no OS in control nothing else may run: the CPU stays with it, spinning.
    Spin { tid: Tid, cycles: u32 },
    /// Direct execution: the spinning caller polls the disk's status; done,
    /// it finishes the request itself (as xv6's `idewait()` polls), else it
    /// spins on.
    DiskPoll { tid: Tid },
    /// A user-mode exception: the process is killed (xv6 prints "pid … trap …").
    KillOnFault { pid: Pid, reason: String },
    /// `sched()` + the scheduler's choice of what runs next.
    Schedule,
    /// `swtch()`: save the current thread's context, load the next one's
    /// (including its kernel stack pointer).
    Switch { to: Tid },
    /// `switchuvm()`: load the next process's page directory and kernel stack.
    SwitchUvm { to: Tid },
    /// Leave the kernel through `trapret` (the thread's frame is at ESP).
    Return { to: Tid },
    /// Nothing runnable: run the idle loop until an interrupt.
    Idle,
    /// Create a process that arrived (scenario start or later arrival).
    Admit { spawn: usize },
}

impl KStep {
    /// Cycles the step costs (documented in the README's cost table).
    pub fn cycles(&self) -> u32 {
        match self {
            KStep::Trap { .. } => 4,
            KStep::Syscall { .. } | KStep::BadSyscall { .. } => 12,
            KStep::TimerTick => 6,
            KStep::DiskInterrupt => 10,
            KStep::Spin { cycles, .. } => (*cycles).max(1),
            KStep::DiskPoll { .. } => 10,
            KStep::KillOnFault { .. } => 20,
            KStep::Schedule => 8,
            KStep::Switch { .. } => 10,
            KStep::SwitchUvm { .. } => 6,
            KStep::Return { .. } => 1,
            KStep::Idle => 2,
            KStep::Admit { .. } => 40,
        }
    }

    /// The kernel function a student would look up.
    pub fn function(&self) -> &'static str {
        match self {
            KStep::Trap { .. } => "trap",
            KStep::Syscall { num } => {
                super::syscall::lookup(*num).map_or("syscall", |c| c.function)
            }
            KStep::BadSyscall { .. } => "syscall",
            KStep::TimerTick => "timer_intr",
            KStep::DiskInterrupt => "disk_intr",
            KStep::Spin { .. } => "spin",
            KStep::DiskPoll { .. } => "disk_poll",
            KStep::KillOnFault { .. } => "kill",
            KStep::Schedule => "scheduler",
            KStep::Switch { .. } => "swtch",
            KStep::SwitchUvm { .. } => "switchuvm",
            KStep::Return { .. } => "trapret",
            KStep::Idle => "idle",
            KStep::Admit { .. } => "allocproc",
        }
    }
}

/// What a step did, and the steps it plans next in the order they run (they
/// run before anything planned earlier): `trap()` returns its handler,
/// `scheduler()` returns `swtch`, `switchuvm`, `trapret`.
#[derive(Debug)]
pub(super) struct Ran {
    pub(super) outcome: StepOutcome,
    pub(super) then: Vec<KStep>,
}

impl Ran {
    /// The step is done; nothing new is planned.
    pub(super) fn done(outcome: impl Into<StepOutcome>) -> Ran {
        Ran {
            outcome: outcome.into(),
            then: Vec::new(),
        }
    }
    /// The step is done; `then` runs next, in this order.
    pub(super) fn then(outcome: impl Into<StepOutcome>, then: impl Into<Vec<KStep>>) -> Ran {
        Ran {
            outcome: outcome.into(),
            then: then.into(),
        }
    }
}
