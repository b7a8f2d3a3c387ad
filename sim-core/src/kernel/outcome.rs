//! What each kernel step did, as data. The kernel never writes sentences:
//! the session's describing code (`session::describe`) turns an outcome into
//! the line the timeline and the trace show, in one place.

use crate::sched::QueueView;

use super::proc::{Pid, Tid};
use super::ExecMode;

/// The outcome of one kernel step (the `detail` of [`super::OsEvent::KernelStep`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// Boot: the trap table is filled.
    TrapTable {
        gates: usize,
        syscall: u8,
    },
    /// Boot: the timer is programmed for this execution mode.
    Timer {
        mode: ExecMode,
        interval: u32,
    },
    /// `trap()`: what the trap number says.
    Trap {
        vector: u8,
        cause: TrapCause,
    },
    /// `syscall()` and the `sys_*` function it ran.
    Syscall(SysOutcome),
    /// A system call number that is not in the table: -1.
    BadSyscall {
        number: u32,
    },
    /// The timer handler.
    Tick(Tick),
    /// The disk interrupt finished `tid`'s request for `block`.
    DiskDone {
        tid: Tid,
        block: u32,
    },
    /// A disk interrupt with no request queued.
    SpuriousDisk,
    /// Direct execution: `tid` keeps the CPU, busy-waiting `cycles` for the disk.
    Spin {
        tid: Tid,
        cycles: u32,
    },
    /// Direct execution: the spinning `tid` polled the disk and finished
    /// its request for `block` itself.
    DiskPolled {
        tid: Tid,
        block: u32,
    },
    /// A process killed for a fault in user code.
    Killed {
        pid: Pid,
        reason: String,
    },
    /// `scheduler()`.
    Sched(SchedOutcome),
    /// `swtch()`: from the thread that ran (if another) to `to`.
    Swtch {
        from: Option<Tid>,
        to: Tid,
    },
    /// `switchuvm()`: the page directory and kernel stack now loaded.
    SwitchUvm {
        pid: Pid,
        pgdir: u32,
        esp0: u32,
    },
    /// `switchuvm()` for a thread or process that no longer exists.
    NoSuchThread,
    NoSuchProcess,
    /// Leaving through `trapret` with `to`'s frame at `frame`.
    Trapret {
        to: Tid,
        frame: u32,
    },
    /// Nothing runnable: the idle loop.
    Idle,
    /// `allocproc()` made a process for a spawn.
    Created {
        pid: Pid,
        name: String,
    },
    /// `allocproc()` failed.
    CreateFailed {
        spawn: usize,
        error: String,
    },
}

/// What `trap()` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapCause {
    /// `int $64` with this number in %eax (its name if the table has it).
    Syscall {
        number: u32,
        name: Option<&'static str>,
    },
    TimerInterrupt,
    DiskInterrupt,
    /// The one-shot alarm the kernel armed for an arrival.
    Alarm,
    /// An exception in user code: the process will be killed.
    UserFault,
    /// An exception in kernel mode: the kernel panics.
    Panic {
        message: String,
    },
    /// A vector this kernel does not handle.
    Ignored,
}

/// What a system call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SysOutcome {
    /// No thread was running to make the call (or it is gone).
    NoCurrentThread,
    NoSuchThread,
    BadArgument,
    BadArguments,
    /// A user buffer is not mapped (at this address).
    BadBuffer(u32),
    OutOfMemory,
    /// A thread could not be made (its reason).
    Failed(String),
    Getpid(Pid),
    Uptime(i32),
    Yield(Tid),
    Sleeps {
        tid: Tid,
        ticks: u32,
        until: u64,
    },
    Exits {
        pid: Pid,
        status: i32,
    },
    Kill {
        target: u32,
    },
    NoLiveProcess(Option<u32>),
    Forked {
        parent: Pid,
        child: Pid,
    },
    Reaped(Pid),
    NoChildren,
    WaitsForChild(Option<Tid>),
    NewThread {
        tid: Tid,
        pid: Pid,
        func: u32,
    },
    AlreadyFinished(Tid),
    WaitsForThread {
        me: Tid,
        target: Tid,
    },
    NotAThreadOf {
        target: Tid,
        pid: Pid,
    },
    ThreadFinishes {
        tid: Tid,
        value: u32,
    },
    /// Bytes written to the console.
    ConsoleWrote(Vec<u8>),
    /// Bytes read from the console (how many).
    ConsoleRead(usize),
    /// A disk request queued; the caller blocks until the interrupt.
    DiskQueued {
        write: bool,
        block: u32,
        tid: Tid,
    },
    /// Direct execution: a disk request started; the caller spins until the
    /// disk is done, `cycles` from now.
    DiskSpins {
        write: bool,
        block: u32,
        tid: Tid,
        cycles: u32,
    },
    NotOpen {
        fd: u32,
        write: bool,
    },
}

/// What the timer handler did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tick {
    pub tick: u64,
    /// When the timer fired and when the handler ran.
    pub fired: u64,
    pub now: u64,
    pub woke: usize,
    /// MLFQ's priority boost (rule 5) happened.
    pub boost: bool,
    /// The running thread that used up its time slice.
    pub slice_used: Option<Tid>,
}

/// What `scheduler()` decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchedOutcome {
    /// The kernel panicked: nothing runs any more.
    Halted,
    /// The running thread goes on.
    Keeps(Tid),
    /// The policy picked `next` from these queues (after preempting the
    /// running thread, if it did), with its lottery draw if it drew one.
    Picks {
        preempted: Option<Tid>,
        policy: &'static str,
        next: Tid,
        queues: QueueView,
        draw: Option<String>,
    },
    /// Nothing is runnable.
    Nothing { policy: &'static str },
}

impl From<SysOutcome> for StepOutcome {
    fn from(o: SysOutcome) -> Self {
        StepOutcome::Syscall(o)
    }
}

impl From<SchedOutcome> for StepOutcome {
    fn from(o: SchedOutcome) -> Self {
        StepOutcome::Sched(o)
    }
}
