//! The view: plain data describing everything a front end shows, computed
//! from the session on demand.

use serde::Serialize;

use super::gantt::GanttLane;
use super::history::TimelineRow;
use super::Session;
use crate::kernel::{ExecMode, Pid, State};
use crate::mmu::{Walk, WalkFault, WalkLevel};
use crate::sched::{Policy, QueueView, ThreadId};
use crate::sim::Halt;
use crate::trace::Actor;

use super::describe::{denied_gate, gates, recent_events};

mod machine;
mod os;
mod segments;

pub use segments::{DescriptorView, SegmentsView, TssView};

/// How many recent timeline rows and events a view carries.
pub const RECENT: usize = 400;
// A seek back brings back at least this many of each log.
const _: () = assert!(RECENT <= crate::sim::SEEK_KEEPS);

/// How much recent history a view carries: a front end that draws fewer
/// rows asks for fewer, and the rows it would not draw are never worded
/// (at full speed every view's rows are new, so wording them all was a
/// fifth of a view's cost).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewDepth {
    /// Newest timeline rows (at most [`RECENT`]).
    pub timeline: usize,
    /// Newest events (at most [`RECENT`]).
    pub events: usize,
    /// The Gantt chart's first lanes (processes in order, then "no
    /// thread"): with hundreds of processes, the lanes a page does not draw
    /// were a third of a view.
    pub gantt_lanes: usize,
}

impl Default for ViewDepth {
    fn default() -> Self {
        ViewDepth {
            timeline: RECENT,
            events: RECENT,
            gantt_lanes: usize::MAX,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    pub title: String,
    pub lesson: String,
    /// Where the lesson comes from ("OSTEP 7: Scheduling"), if it says.
    pub chapter: String,
    /// What the book says, shown next to the engine's own figure.
    pub book: String,
    pub mode: ExecMode,
    pub cycle: u64,
    pub max_cycles: u64,
    pub status: Status,
    pub cpu: CpuView,
    pub code: CodeView,
    pub address_spaces: Vec<AddressView>,
    pub idt: Vec<GateView>,
    /// The GDT and the TSS, read from memory at GDTR and TR.
    pub segments: SegmentsView,
    /// The gate of the trap in progress, from its delivery until the `iret`
    /// that ends it (nested: the innermost).
    pub active_gate: Option<u8>,
    pub denied_gate: Option<DeniedGate>,
    /// The trap frame as far as it is pushed (or not yet popped) now.
    pub kernel_stack: Option<KernelStackView>,
    pub processes: Vec<ProcessView>,
    /// The scheduler's queues; `running` is the thread the process table
    /// shows Running.
    pub queues: Queues,
    /// The policy's name, with its time slice if it has one ("RR · quantum 2000").
    pub policy: String,
    /// What the policy decides by, so the process table shows it.
    pub policy_uses: PolicyUses,
    pub timeline: Vec<TimelineRow>,
    pub timeline_total: usize,
    /// Who had the CPU from cycle 0 to now, binned to columns.
    pub gantt: Vec<GanttLane>,
    /// Lanes of the whole chart (`gantt` may hold only the first ones).
    pub gantt_total: usize,
    pub metrics: Metrics,
    pub events: Vec<EventView>,
    pub console: String,
    /// The open concept view's data, when a front end asks for it
    /// ([`Session::concept`], [`Session::compare`]).
    pub concept: Option<super::ConceptView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Status {
    Running,
    Finished,
    CycleLimit,
    Panic(String),
    Stopped(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CpuView {
    pub regs: Vec<(String, u32)>,
    pub eip: u32,
    pub eflags: u32,
    pub flags: Vec<(String, bool)>,
    pub cpl: u8,
    pub cr0: u32,
    pub cr2: u32,
    pub cr3: u32,
    pub tss_esp0: u32,
    pub halted: bool,
    /// The kernel function running now, when the CPU executes kernel C-level steps.
    pub kernel_function: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeLine {
    pub line: u32,
    pub text: String,
    pub addr: Option<u32>,
    /// Machine-code bytes of this line, hex, space separated.
    pub bytes: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeView {
    /// "forker (P1)" or "kernel: trap entry and exit".
    pub title: String,
    pub kernel: bool,
    /// Index of the program shown (for breakpoints), `None` for kernel code.
    pub program: Option<usize>,
    pub lines: Vec<CodeLine>,
    pub current_line: Option<u32>,
    pub breakpoints: Vec<u32>,
    /// The first line of the user-library stub shown after the program
    /// (xv6's usys: `fork: movl $SYS_fork, %eax; int $64; ret`) while the
    /// CPU runs in it; the program's own lines come before it.
    pub library_from: Option<u32>,
    /// The kernel's C-level step running now (or about to run, at an
    /// instruction boundary in the kernel): its name and what it does.
    pub step: Option<KernelStepView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KernelStepView {
    /// The xv6 function: `trap`, `sys_read`, `scheduler`, `swtch` …
    pub function: String,
    /// One line on what that function does.
    pub about: String,
    /// What it did this time (from the trace), once it has run.
    pub detail: Option<String>,
}

/// How one linear address translates, step by step (the page walk as the
/// view shows it: the MMU's own record stays inside the engine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    pub lin: u32,
    pub cr3: u32,
    /// Page-directory index, bits 31..22.
    pub pdx: u32,
    /// Page-table index, bits 21..12.
    pub ptx: u32,
    /// Byte within the page, bits 11..0.
    pub offset: u32,
    /// Physical address of the directory entry: CR3's frame + 4 × PDX.
    pub pde_addr: u32,
    pub pde: Option<u32>,
    /// Physical address of the table entry (if the directory entry is present).
    pub pte_addr: Option<u32>,
    pub pte: Option<u32>,
    /// The frame's physical address (if the table entry is present).
    pub frame: Option<u32>,
    pub phys: Option<u32>,
    /// Where the walk stopped early, as a reader would say it.
    pub fault: Option<&'static str>,
}

impl From<Walk> for Translation {
    fn from(w: Walk) -> Self {
        Translation {
            lin: w.lin,
            cr3: w.cr3,
            pdx: w.pdx,
            ptx: w.ptx,
            offset: w.offset,
            pde_addr: w.pde_addr,
            pde: w.pde,
            pte_addr: w.pte_addr,
            pte: w.pte,
            frame: w.frame,
            phys: w.phys,
            fault: w.fault.map(|WalkFault::NotPresent(level)| match level {
                WalkLevel::Directory => "the directory entry is not present",
                WalkLevel::Table => "the page-table entry is not present",
            }),
        }
    }
}

/// One scheduler queue: its label ("ready", "Q0 (quantum 10)") and threads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Queue {
    pub label: String,
    pub threads: Vec<ThreadId>,
}

/// The scheduler's queues as the view shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Queues {
    /// The thread the process table shows Running.
    pub running: Option<ThreadId>,
    /// Runnable threads (the running one included), highest priority first.
    pub levels: Vec<Queue>,
    /// Threads waiting to be woken, in blocking order.
    pub blocked: Vec<ThreadId>,
}

impl From<QueueView> for Queues {
    fn from(q: QueueView) -> Self {
        Queues {
            running: q.running,
            levels: q
                .levels
                .into_iter()
                .map(|l| Queue {
                    label: l.label,
                    threads: l.threads,
                })
                .collect(),
            blocked: q.blocked,
        }
    }
}

impl Queues {
    /// Every runnable thread, queue by queue.
    pub fn runnable(&self) -> impl Iterator<Item = ThreadId> + '_ {
        self.levels.iter().flat_map(|l| l.threads.iter().copied())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpaceEntry {
    pub pid: Pid,
    pub name: String,
    pub threads: Vec<u32>,
    pub walk: Translation,
    pub value: Option<u32>,
    /// Set for a process that has exited: the walk and value are as they
    /// were at that cycle (its memory is freed since).
    pub exited_at: Option<u64>,
}

/// One watched virtual address, translated in every address space that has
/// existed: live ones now, exited ones as they were when they exited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressView {
    pub addr: u32,
    pub spaces: Vec<SpaceEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GateView {
    pub vector: u8,
    pub name: String,
    pub handler: u32,
    pub dpl: u8,
    pub trap_gate: bool,
    pub present: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeniedGate {
    pub vector: u8,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackWord {
    pub addr: u32,
    pub name: String,
    pub value: u32,
    /// Pushed by the CPU on the trap (true: SS, ESP, EFLAGS, CS, EIP and
    /// the error code of #DF, #TS, #NP, #SS, #GP, #PF, #AC) or by the
    /// kernel's entry stub (the dummy error code, the vector, `pushal`).
    pub by_cpu: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KernelStackView {
    /// The lowest address shown: the current ESP.
    pub frame_addr: u32,
    pub vector: u32,
    /// Highest address first, as stacks are drawn: the words pushed so far
    /// (during delivery only the CPU's; in `trapret` those not yet popped).
    pub words: Vec<StackWord>,
    /// The frame of a thread that has exited or was killed: the kernel will
    /// never return through it.
    pub stale: bool,
}

/// Per-process numbers a policy reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolicyUses {
    /// SJF and STCF: the job length hint and the time remaining.
    pub job_length: bool,
    /// Lottery and stride: tickets.
    pub tickets: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreadView {
    pub tid: u32,
    pub state: State,
    pub waiting_for: Option<String>,
    pub cpu: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcessView {
    pub pid: Pid,
    pub name: String,
    pub state: State,
    pub parent: Option<Pid>,
    pub threads: Vec<ThreadView>,
    pub cpu: u64,
    pub exit_status: Option<i32>,
    pub killed: Option<String>,
    pub tickets: u32,
    /// The scenario's job length hint (`expected_len`), in cycles.
    pub job_length: Option<u64>,
    /// The hint less the CPU time used so far (STCF's remaining time).
    pub remaining: Option<u64>,
    /// The cycle it exited (or was killed) at.
    pub exited_at: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRow {
    pub pid: Pid,
    pub name: String,
    pub arrival: u64,
    pub turnaround: Option<u64>,
    pub response: Option<u64>,
    pub wait: u64,
    pub cpu: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub rows: Vec<MetricRow>,
    /// Averages over the processes that completed (`crate::sched::metrics`).
    pub avg_turnaround: Option<f64>,
    pub avg_response: Option<f64>,
    pub avg_wait: Option<f64>,
    /// Share of cycles spent running threads (user or kernel on their behalf).
    pub utilization: f64,
    pub context_switches: u64,
    /// Cycles per time unit of the scenario (1: plain cycles).
    pub time_unit: u64,
    /// "units of 100,000 cycles" or "cycles".
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub cycle: u64,
    pub actor: Actor,
    pub text: String,
}

impl Session {
    /// Everything a front end shows, now.
    pub fn view(&self) -> View {
        self.view_to(ViewDepth::default())
    }

    /// The view with `depth` of recent history (see [`ViewDepth`]).
    pub fn view_to(&self, depth: ViewDepth) -> View {
        let sim = &self.sim;
        let (m, k) = (sim.machine(), sim.kernel());
        let now = sim.cycle();
        let status = match sim.halted() {
            Some(Halt::Finished) => Status::Finished,
            Some(Halt::KernelPanic(p)) => Status::Panic(p),
            Some(Halt::MachineStopped(s)) => Status::Stopped(s),
            None if now >= self.scenario.max_cycles => Status::CycleLimit,
            None => Status::Running,
        };
        let trace = sim.trace();
        let thread_pid = |t| k.thread(t).map(|t| t.pid);
        let kernel_stack = self.kernel_stack();
        let sched = k.policy();
        let mut queues = sched.queues();
        queues.running = k
            .current()
            .filter(|t| k.thread(*t).is_some_and(|t| t.state == State::Running));
        View {
            title: self.scenario.title.clone(),
            lesson: self.scenario.lesson.clone(),
            chapter: self.scenario.chapter.clone(),
            book: self.scenario.book.clone(),
            mode: self.scenario.mode,
            cycle: now,
            max_cycles: self.scenario.max_cycles,
            status,
            cpu: self.cpu_view(),
            code: self.code_view(),
            address_spaces: self.address_views(),
            idt: gates(m),
            segments: segments::segments_view(m),
            active_gate: self.active_gate(kernel_stack.as_ref()),
            denied_gate: denied_gate(trace, now),
            kernel_stack,
            processes: self.process_views(),
            queues: queues.into(),
            policy: match sched.quantum() {
                Some(q) => format!("{} \u{00b7} quantum {q}", sched.name()),
                None => sched.name().to_string(),
            },
            policy_uses: PolicyUses {
                job_length: matches!(self.scenario.scheduler, Policy::Sjf | Policy::Stcf { .. }),
                tickets: matches!(
                    self.scenario.scheduler,
                    Policy::Lottery { .. } | Policy::Stride { .. }
                ),
            },
            timeline: self.history.rows_tail(depth.timeline.min(RECENT)),
            timeline_total: self.history.rows_total(),
            gantt: self.history.gantt(
                now,
                k.processes()
                    .take(depth.gantt_lanes)
                    .map(|p| (p.pid, format!("{} {}", p.pid, p.name)))
                    .collect(),
                k.processes().count() < depth.gantt_lanes,
                thread_pid,
            ),
            gantt_total: k.processes().count() + 1,
            metrics: self.metrics(),
            events: recent_events(trace, sim.instructions(), depth.events.min(RECENT)),
            console: m.devices().console.text(),
            concept: None,
        }
    }
}
