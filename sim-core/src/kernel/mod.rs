//! The OS model: an xv6-like kernel driving the simulated x86 machine.
//!
//! Trap entry and exit are real x86 ([`entry`]); what xv6 does in C — `trap()`,
//! `syscall()`, the `sys_*` functions, `scheduler()`, `swtch()`, `switchuvm()` —
//! is Rust, run as explicit [`KStep`]s while the CPU waits at `trap_c` in ring
//! 0. Each step costs cycles, appears in the trace, returns what it did as a
//! typed [`outcome`] (the session puts it into words) and the steps that
//! follow it, in the order they run (`trap()` → `sys_read()` →
//! `scheduler()` → `swtch()` …). The kernel touches the
//! machine only as a kernel would: memory, CR3, TSS.esp0, ESP/EIP to resume at
//! `trapret`, and device ports.

mod boot;
mod bytes;
pub mod elf;
pub mod entry;
mod exit;
pub mod frame;
mod ide;
pub mod kstep;
pub mod layout;
pub mod outcome;
mod pack;
pub mod proc;
mod scheduler;
mod shared;
mod sleep;
mod steps;
mod swtch;
pub mod syscall;
mod sysfile;
mod sysproc;
mod trap;
pub mod usys;
pub mod vm;

use crate::ordmap::OrdMap;
use shared::Shared;
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::asm::Program;
use crate::sched::{Policy, Scheduler};
use crate::trap::vectors::irq_vector;

pub use boot::BootError;
pub use kstep::KStep;
pub use outcome::{SchedOutcome, StepOutcome, SysOutcome, Tick, TrapCause};
pub use pack::PackedTables;
pub use proc::{Accounting, File, Pid, Process, State, Thread, Tid, WaitFor};

/// The system-call vector (xv6's T_SYSCALL).
pub const T_SYSCALL: u8 = 64;
/// Timer IRQ 0.
pub const T_TIMER: u8 = irq_vector(crate::dev::timer::IRQ);
/// Disk IRQ 14.
pub const T_DISK: u8 = irq_vector(crate::dev::disk::IRQ);
/// The timer's one-shot alarm, IRQ 1: the kernel arms it for the next arrival.
pub const T_ALARM: u8 = irq_vector(crate::dev::timer::ALARM_IRQ);

/// How user programs run: the three stages of OSTEP chapter 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecMode {
    /// Direct execution: user code in ring 0, no timer. Nothing stops a
    /// program from `cli`, looping forever or writing another's memory.
    Direct,
    /// Limited direct execution without a timer: ring 3, the OS only runs on
    /// system calls, faults and device interrupts.
    Cooperative,
    /// Limited direct execution with a timer interrupt every `timer_interval` cycles.
    Preemptive,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelConfig {
    pub mode: ExecMode,
    /// Cycles between timer interrupts (preemptive mode).
    pub timer_interval: u32,
    /// Cycles a disk request takes.
    pub disk_latency: u32,
    pub policy: Policy,
    /// Virtual addresses a front end follows; the kernel notes what each
    /// translated to in a process that exits, before freeing its memory.
    pub watch: Vec<u32>,
}

/// A user program: assembled (with the user library linked in) or read
/// from a static ELF executable ([`elf`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProgram {
    pub name: String,
    /// Its code with the address → line map the views and breakpoints use
    /// (for an ELF: the executable segment, one line per instruction).
    pub program: Program,
    pub entry: u32,
    /// What `allocproc` maps into a new address space, in order.
    pub segments: Vec<elf::Segment>,
}

impl UserProgram {
    /// An assembled program: its text, then its data.
    pub fn assembled(name: String, program: Program, entry: u32) -> UserProgram {
        let segments = [&program.text, &program.data]
            .into_iter()
            .filter(|s| !s.bytes.is_empty())
            .map(|s| elf::Segment {
                vaddr: s.base,
                bytes: s.bytes.clone(),
                mem_size: s.bytes.len() as u32,
                flags: elf::PF_X | elf::PF_W,
            })
            .collect();
        UserProgram {
            name,
            program,
            entry,
            segments,
        }
    }
}

/// A process the scenario starts at `arrival` (cycle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spawn {
    pub program: usize,
    pub arrival: u64,
    pub tickets: u32,
    pub expected_len: Option<u64>,
}

/// What the OS did, for the trace (actor: OS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum OsEvent {
    /// One kernel step ran: its function and what it did (in the trace as
    /// `detail`, the sentence `session::describe` makes of it).
    KernelStep {
        function: &'static str,
        #[serde(rename = "detail")]
        outcome: StepOutcome,
    },
    /// A thread changed state.
    ThreadState {
        pid: Pid,
        tid: Tid,
        from: State,
        to: State,
    },
    /// The CPU now runs `to` (None: idle).
    ContextSwitch { from: Option<Tid>, to: Option<Tid> },
    ProcessCreated {
        pid: Pid,
        name: String,
        parent: Option<Pid>,
    },
    ProcessExited {
        pid: Pid,
        status: i32,
        reason: Option<String>,
    },
    /// A system call returned to user mode with this value.
    SyscallReturn {
        pid: Pid,
        tid: Tid,
        name: String,
        value: i32,
    },
    /// MLFQ priority boost.
    Boost,
    /// The kernel itself failed (a fault in kernel mode): the simulation stops.
    Panic { message: String },
}

/// Addresses of the entry stubs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StubSymbols {
    pub trap_c: u32,
    pub trapret: u32,
    pub idle: u32,
    pub vectors: OrdMap<u8, u32>,
    /// Shared by every snapshot's kernel: it never changes after boot (a
    /// copy per snapshot was 60 allocations each).
    pub program: std::sync::Arc<Program>,
}

/// A queued disk request (the driver's queue, as xv6's `idequeue`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct DiskRequest {
    tid: Tid,
    block: u32,
    write: bool,
    /// User buffer and length (for the copy-out after a read).
    buf: u32,
    len: u32,
    /// Byte offset within the block.
    within: u32,
}

#[derive(Clone)]
pub struct Kernel {
    config: KernelConfig,
    /// Shared with every snapshot: they never change after boot.
    programs: std::sync::Arc<[UserProgram]>,
    /// Shared with every snapshot: they never change after boot.
    spawns: std::sync::Arc<[Spawn]>,
    admitted: Vec<bool>,
    /// Spawns not yet planned for admission, and threads not yet zombies:
    /// kept as counts so `finished` is O(1) (it is asked every cycle).
    unadmitted: usize,
    live_threads: usize,
    /// No thread waits for a cycle before this one (`u64::MAX`: none
    /// waits), so the sleepers are looked for only when one may be due,
    /// not on every tick and every `scheduler()` (with 256 threads that
    /// scan was ~3 % of the engine's time).
    next_wake: u64,
    /// The PCB and thread tables, each entry shared with the snapshots
    /// until written ([`shared`]).
    procs: OrdMap<Pid, Shared<Process>>,
    threads: OrdMap<Tid, Shared<Thread>>,
    sched: Box<dyn Scheduler>,
    current: Option<Tid>,
    /// The running thread must give up the CPU at the next `Schedule`.
    resched: bool,
    frames: vm::Frames,
    /// Page directory holding only the kernel half (used while idle).
    template: u32,
    stubs: StubSymbols,
    agenda: VecDeque<KStep>,
    in_kernel: bool,
    /// Linear address of the trap frame of the current kernel entry.
    entry_tf: u32,
    disk_queue: VecDeque<DiskRequest>,
    /// Kernel buffer the disk DMAs into/out of.
    disk_buf: u32,
    next_pid: u32,
    next_tid: u32,
    switches: u64,
    /// Cycle the running thread was dispatched / last charged.
    dispatched_at: u64,
    slice_mark: u64,
    /// Address spaces to free once the CPU no longer uses them.
    to_free: Vec<u32>,
    events: Vec<OsEvent>,
    panic: Option<String>,
    idle: bool,
    /// The vector of the kernel entry being handled.
    current_vector: Option<u8>,
    /// The vector of the latest kernel entry (kept while `trapret` leaves it).
    last_vector: Option<u8>,
    /// Cycle of the previous timer tick (time-driven scheduler rules).
    last_tick: u64,
    /// Timer interrupts handled so far (one tick per interrupt).
    ticks: u64,
    /// The cycle the timer fired for the tick this kernel entry handles.
    tick_fired: Option<u64>,
}

impl Kernel {
    pub fn config(&self) -> &KernelConfig {
        &self.config
    }
    pub fn processes(&self) -> impl Iterator<Item = &Process> {
        self.procs.values().map(|p| &**p)
    }
    pub fn process(&self, pid: Pid) -> Option<&Process> {
        self.procs.get(&pid).map(|p| &**p)
    }
    pub fn threads(&self) -> impl Iterator<Item = &Thread> {
        self.threads.values().map(|t| &**t)
    }
    pub fn thread(&self, tid: Tid) -> Option<&Thread> {
        self.threads.get(&tid).map(|t| &**t)
    }
    pub fn current(&self) -> Option<Tid> {
        self.current
    }
    pub fn programs(&self) -> &[UserProgram] {
        &self.programs
    }
    pub fn stubs(&self) -> &StubSymbols {
        &self.stubs
    }
    /// The scheduling policy (`scheduler()` is the kernel step that uses it).
    pub fn policy(&self) -> &dyn Scheduler {
        self.sched.as_ref()
    }
    pub fn context_switches(&self) -> u64 {
        self.switches
    }
    /// Average turnaround, response and wait of the processes that completed
    /// (see [`crate::sched::metrics`]); `None` before any has.
    pub fn averages(&self) -> Option<crate::sched::metrics::Averages> {
        let jobs: Vec<_> = self.procs.values().map(|p| p.acct.times()).collect();
        crate::sched::metrics::averages(&jobs)
    }
    /// Timer interrupts handled so far.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }
    /// Whether the CPU is executing the kernel's C-level steps right now.
    pub fn in_kernel(&self) -> bool {
        self.in_kernel
    }
    /// The steps still planned for this kernel entry.
    pub fn agenda(&self) -> impl Iterator<Item = &KStep> {
        self.agenda.iter()
    }
    /// The trap being handled while the kernel runs its steps.
    pub fn current_vector(&self) -> Option<u8> {
        self.current_vector
    }
    /// The vector of the latest kernel entry: the trap that `trapret` and
    /// `iret` end once the kernel's steps are done (`None` before the first).
    pub fn last_vector(&self) -> Option<u8> {
        self.last_vector
    }
    /// Linear address of the trap frame of the current kernel entry.
    pub fn entry_frame_addr(&self) -> Option<u32> {
        self.in_kernel.then_some(self.entry_tf)
    }
    /// Whether the CPU runs the idle loop.
    pub fn is_idle(&self) -> bool {
        self.idle
    }
    pub fn panicked(&self) -> Option<&str> {
        self.panic.as_deref()
    }
    /// Whether events are waiting for [`Kernel::take_events`].
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The events since the last call.
    pub fn take_events(&mut self) -> Vec<OsEvent> {
        std::mem::take(&mut self.events)
    }
    /// Every process has exited and no more will arrive.
    pub fn finished(&self) -> bool {
        self.unadmitted == 0
            && self.live_threads == 0
            && !self.agenda.iter().any(|s| matches!(s, KStep::Admit { .. }))
    }
    /// Process state as the PCB table shows it, derived from its threads.
    pub fn process_state(&self, pid: Pid) -> Option<State> {
        let p = self.procs.get(&pid)?;
        if p.exit_status.is_some() {
            return Some(State::Zombie);
        }
        let states: Vec<State> = p
            .threads
            .iter()
            .filter_map(|t| self.threads.get(t))
            .map(|t| t.state)
            .collect();
        Some(
            [State::Running, State::Ready, State::Blocked, State::New]
                .into_iter()
                .find(|s| states.contains(s))
                .unwrap_or(State::Zombie),
        )
    }
    /// Where `tid`'s user stack ends.
    pub fn ustack_top(&self, tid: Tid) -> Option<u32> {
        self.threads.get(&tid).map(|t| layout::ustack_top(t.slot))
    }
}
