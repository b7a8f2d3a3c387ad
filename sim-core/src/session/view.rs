//! The view: plain data describing everything a front end shows, computed
//! from the session on demand.

use serde::Serialize;

use super::history::{GanttSpan, TimelineRow};
use super::Session;
use crate::cpu::{flags, Reg};
use crate::event::EventKind;
use crate::kernel::frame::{TrapFrame, SAVED_BY_KERNEL};
use crate::kernel::{entry, layout::KERNBASE, ExecMode, OsEvent, Pid, State, WaitFor};
use crate::mmu::Walk;
use crate::sched::QueueView;
use crate::sim::Halt;
use crate::trace::{Actor, TraceEvent, TraceKind};
use crate::trap::{GateKind, TrapKind};

/// How many recent timeline rows and events a view carries.
pub const RECENT: usize = 400;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    pub title: String,
    pub lesson: String,
    pub mode: ExecMode,
    pub cycle: u64,
    pub max_cycles: u64,
    pub status: Status,
    pub cpu: CpuView,
    pub code: CodeView,
    pub address_spaces: Vec<AddressView>,
    pub idt: Vec<GateView>,
    pub active_gate: Option<u8>,
    pub denied_gate: Option<DeniedGate>,
    pub kernel_stack: Option<KernelStackView>,
    pub processes: Vec<ProcessView>,
    pub queues: QueueView,
    pub policy: String,
    pub timeline: Vec<TimelineRow>,
    pub timeline_total: usize,
    pub gantt: Vec<GanttSpan>,
    pub metrics: Metrics,
    pub events: Vec<EventView>,
    pub console: String,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpaceEntry {
    pub pid: Pid,
    pub name: String,
    pub threads: Vec<u32>,
    pub walk: Walk,
    pub value: Option<u32>,
}

/// One watched virtual address, translated in every live address space.
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
    /// Pushed by the CPU on the trap (true) or saved by the kernel's `pushal`.
    pub by_cpu: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KernelStackView {
    pub frame_addr: u32,
    pub vector: u32,
    /// Highest address first, as stacks are drawn.
    pub words: Vec<StackWord>,
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
    pub avg_turnaround: Option<f64>,
    pub avg_response: Option<f64>,
    pub avg_wait: Option<f64>,
    /// Share of cycles spent running threads (user or kernel on their behalf).
    pub utilization: f64,
    pub context_switches: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub cycle: u64,
    pub actor: Actor,
    pub text: String,
}

fn avg(values: impl Iterator<Item = u64>) -> Option<f64> {
    let v: Vec<u64> = values.collect();
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

impl Session {
    /// Everything a front end shows, now.
    pub fn view(&self) -> View {
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
        let cpu = m.cpu();
        let cpu_view = CpuView {
            regs: Reg::ALL
                .iter()
                .map(|r| (r.name().to_string(), cpu.reg(*r)))
                .collect(),
            eip: cpu.eip,
            eflags: cpu.eflags,
            flags: flags::NAMED
                .iter()
                .map(|(b, n)| (n.to_string(), cpu.eflags & b != 0))
                .collect(),
            cpl: cpu.cpl(),
            cr0: cpu.cr0,
            cr2: cpu.cr2,
            cr3: cpu.cr3,
            tss_esp0: cpu.tss_esp0,
            halted: cpu.halted,
            kernel_function: k
                .in_kernel()
                .then(|| k.agenda().next().map(|s| s.function().to_string()))
                .flatten(),
        };
        let processes: Vec<ProcessView> = k
            .processes()
            .map(|p| ProcessView {
                pid: p.pid,
                name: p.name.clone(),
                state: k.process_state(p.pid).unwrap_or(State::Zombie),
                parent: p.parent,
                threads: p
                    .threads
                    .iter()
                    .filter_map(|t| k.thread(*t))
                    .map(|t| ThreadView {
                        tid: t.tid.0,
                        state: t.state,
                        waiting_for: t.wait.map(|w| match w {
                            WaitFor::Disk => "disk".to_string(),
                            WaitFor::Child => "a child".to_string(),
                            WaitFor::Join(j) => format!("{j}"),
                            WaitFor::Until(c) => format!("cycle {c}"),
                        }),
                        cpu: k.cpu_time(t.tid, now),
                    })
                    .collect(),
                cpu: p.threads.iter().map(|t| k.cpu_time(*t, now)).sum(),
                exit_status: p.exit_status,
                killed: p.killed.clone(),
                tickets: p.tickets,
            })
            .collect();
        let rows: Vec<MetricRow> = k
            .processes()
            .map(|p| MetricRow {
                pid: p.pid,
                name: p.name.clone(),
                arrival: p.acct.arrival,
                turnaround: p.acct.turnaround(),
                response: p.acct.response(),
                wait: p.acct.wait,
                cpu: p.threads.iter().map(|t| k.cpu_time(*t, now)).sum(),
            })
            .collect();
        let busy: u64 = rows.iter().map(|r| r.cpu).sum();
        let metrics = Metrics {
            avg_turnaround: avg(rows.iter().filter_map(|r| r.turnaround)),
            avg_response: avg(rows.iter().filter_map(|r| r.response)),
            avg_wait: avg(rows.iter().map(|r| r.wait)),
            utilization: busy as f64 / now.max(1) as f64,
            context_switches: k.context_switches(),
            rows,
        };
        let trace = sim.trace();
        let thread_pid = |t| k.thread(t).map(|t| t.pid);
        View {
            title: self.scenario.title.clone(),
            lesson: self.scenario.lesson.clone(),
            mode: self.scenario.mode,
            cycle: now,
            max_cycles: self.scenario.max_cycles,
            status,
            cpu: cpu_view,
            code: self.code_view(),
            address_spaces: self.address_views(),
            idt: gates(m),
            active_gate: k.current_vector().or_else(|| last_delivery(trace, now)),
            denied_gate: denied_gate(trace, now),
            kernel_stack: self.kernel_stack(),
            processes,
            queues: k.scheduler().queues(),
            policy: k.scheduler().name().to_string(),
            timeline: tail(&self.history.rows),
            timeline_total: self.history.rows.len(),
            gantt: self
                .history
                .spans
                .iter()
                .map(|s| GanttSpan {
                    pid: s.tid.and_then(thread_pid),
                    ..s.clone()
                })
                .collect(),
            metrics,
            events: recent_events(trace, sim.instructions()),
            console: m.devices().console.text(),
        }
    }

    fn code_view(&self) -> CodeView {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let eip = m.cpu().eip;
        let current = k
            .current()
            .and_then(|t| k.thread(t))
            .and_then(|t| k.process(t.pid));
        if eip >= KERNBASE || current.is_none() {
            let stubs = &k.stubs().program;
            let source = entry::source();
            let lines = code_lines(&source, stubs);
            return CodeView {
                title: "kernel: trap entry and exit".into(),
                kernel: true,
                program: None,
                lines,
                current_line: stubs.line_at(eip).map(|l| l.line),
                breakpoints: Vec::new(),
            };
        }
        let p = current.expect("checked above");
        let prog = &k.programs()[p.program];
        let source = &self
            .scenario
            .programs
            .iter()
            .find(|s| s.name == prog.name)
            .map_or("", |s| s.source.as_str());
        let user_lines = source.lines().count() as u32;
        let mut lines = code_lines(source, &prog.program);
        lines.retain(|l| l.line <= user_lines);
        CodeView {
            title: format!("{} ({})", prog.name, p.pid),
            kernel: false,
            program: Some(p.program),
            lines,
            current_line: prog
                .program
                .line_at(eip)
                .map(|l| l.line)
                .filter(|l| *l <= user_lines),
            breakpoints: self
                .breakpoints
                .iter()
                .filter(|(pi, _)| *pi == p.program)
                .map(|(_, l)| *l)
                .collect(),
        }
    }

    fn address_views(&self) -> Vec<AddressView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        self.scenario
            .watch
            .iter()
            .map(|&addr| AddressView {
                addr,
                spaces: k
                    .processes()
                    .filter(|p| p.exit_status.is_none())
                    .map(|p| {
                        let walk = crate::mmu::walk(m.mem(), p.pgdir, addr);
                        SpaceEntry {
                            pid: p.pid,
                            name: p.name.clone(),
                            threads: p
                                .threads
                                .iter()
                                .filter(|t| k.thread(**t).is_some_and(|t| t.state != State::Zombie))
                                .map(|t| t.0)
                                .collect(),
                            value: walk.phys.map(|ph| m.mem().read_u32(ph)),
                            walk,
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn kernel_stack(&self) -> Option<KernelStackView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let at = k.entry_frame_addr()?;
        let tf = TrapFrame::read(m.mem(), m.cpu().cr3, at);
        let n = if tf.from_user() { 15 } else { 13 };
        let words = tf
            .named()
            .into_iter()
            .take(n)
            .enumerate()
            .rev()
            .map(|(i, (name, value))| StackWord {
                addr: at + 4 * i as u32,
                name: name.to_string(),
                value,
                by_cpu: i >= SAVED_BY_KERNEL + 2,
            })
            .collect();
        Some(KernelStackView {
            frame_addr: at,
            vector: tf.trapno,
            words,
        })
    }
}

fn code_lines(source: &str, prog: &crate::asm::Program) -> Vec<CodeLine> {
    let bytes_of = |addr: u32, len: u32| -> String {
        let off = addr.wrapping_sub(prog.text.base) as usize;
        prog.text
            .bytes
            .get(off..off + len as usize)
            .map_or(String::new(), |b| {
                b.iter()
                    .map(|x| format!("{x:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    };
    source
        .lines()
        .enumerate()
        .map(|(i, text)| {
            let line = i as u32 + 1;
            let info = prog
                .lines
                .iter()
                .find(|l| l.line == line && l.section == crate::asm::SectionKind::Text);
            CodeLine {
                line,
                text: text.to_string(),
                addr: info.map(|l| l.addr),
                bytes: info.map_or(String::new(), |l| bytes_of(l.addr, l.len)),
            }
        })
        .collect()
}

fn gates(m: &crate::machine::Machine) -> Vec<GateView> {
    m.idt()
        .into_iter()
        .filter_map(|e| {
            let g = e.gate?;
            g.present.then(|| GateView {
                vector: e.vector,
                name: vector_name(e.vector),
                handler: g.handler,
                dpl: g.dpl,
                trap_gate: g.kind == GateKind::Trap,
                present: g.present,
            })
        })
        .collect()
}

/// What a vector is for in this kernel.
pub fn vector_name(v: u8) -> String {
    match v {
        0..=31 => crate::kernel::exception_name(v).to_string(),
        32 => "timer (IRQ 0)".into(),
        36 => "console (IRQ 4)".into(),
        46 => "disk (IRQ 14)".into(),
        33..=47 => format!("IRQ {}", v - 32),
        64 => "system call".into(),
        _ => "unused".into(),
    }
}

fn last_delivery(trace: &[TraceEvent], now: u64) -> Option<u8> {
    trace
        .iter()
        .rev()
        .take_while(|e| e.cycle + 40 >= now)
        .find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(d)) => Some(d.vector),
            _ => None,
        })
}

/// A #GP whose error code names an IDT entry (n·8 + 2): `int n` was refused.
fn denied_gate(trace: &[TraceEvent], now: u64) -> Option<DeniedGate> {
    trace
        .iter()
        .rev()
        .take_while(|e| e.cycle + 200 >= now)
        .find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(d))
                if d.vector == 13 && d.kind == TrapKind::Exception =>
            {
                let code = d.error_code?;
                (code & 2 != 0).then(|| {
                    let v = (code >> 3) as u8;
                    DeniedGate {
                        vector: v,
                        reason: format!(
                            "int ${v} from CPL {} to a gate with DPL < CPL: #GP({code:#x})",
                            d.from_cpl
                        ),
                    }
                })
            }
            _ => None,
        })
}

/// The last `RECENT` events, instructions merged in.
fn recent_events(trace: &[TraceEvent], instrs: &[crate::sim::InstrMark]) -> Vec<EventView> {
    let merged = crate::sim::merge(
        &instrs[instrs.len().saturating_sub(RECENT)..],
        &trace[trace.len().saturating_sub(RECENT)..],
    );
    merged[merged.len().saturating_sub(RECENT)..]
        .iter()
        .map(event_view)
        .collect()
}

fn tail<T: Clone>(v: &[T]) -> Vec<T> {
    v[v.len().saturating_sub(RECENT)..].to_vec()
}

/// A one-line description of a trace event, for the event log.
pub fn event_view(e: &TraceEvent) -> EventView {
    let text = match &e.kind {
        TraceKind::Machine(k) => match k {
            EventKind::InstructionRetired { eip, len, cycles } => {
                format!("execute {len}-byte instruction at {eip:#010x} ({cycles} cycles)")
            }
            EventKind::MemRead {
                lin, value, size, ..
            } => format!("read {size} bytes at {lin:#010x} = {value:#x}"),
            EventKind::MemWrite { lin, new, size, .. } => {
                format!("write {size} bytes at {lin:#010x} ← {new:#x}")
            }
            EventKind::PortIn { port, value, .. } => format!("in port {port:#x} = {value:#x}"),
            EventKind::PortOut { port, value, .. } => format!("out port {port:#x} ← {value:#x}"),
            EventKind::ModeSwitch {
                from_cpl, to_cpl, ..
            } => format!("mode switch CPL {from_cpl} → CPL {to_cpl}"),
            EventKind::TrapDelivered(d) => format!(
                "deliver vector {} ({}) through the IDT",
                d.vector,
                vector_name(d.vector)
            ),
            EventKind::Fault { exception, eip } => format!("{exception} at {eip:#010x}"),
            EventKind::Iret { to_cpl, eip, .. } => format!("iret to CPL {to_cpl} at {eip:#010x}"),
            EventKind::DeviceIrq { irq } => format!("IRQ {irq} raised"),
            EventKind::Halted { eip } => format!("hlt at {eip:#010x}"),
            EventKind::TripleFault { eip } => format!("triple fault at {eip:#010x}"),
        },
        TraceKind::Os(o) => match o {
            OsEvent::KernelStep { function, detail } => format!("{function}(): {detail}"),
            OsEvent::ThreadState { tid, from, to, .. } => format!("{tid}: {from:?} → {to:?}"),
            OsEvent::ContextSwitch { from, to } => {
                format!("context switch {} → {}", opt(from), opt(to))
            }
            OsEvent::ProcessCreated { pid, name, .. } => format!("{pid} created ({name})"),
            OsEvent::ProcessExited {
                pid,
                status,
                reason,
            } => format!(
                "{pid} exited with {status}{}",
                reason.as_ref().map_or(String::new(), |r| format!(": {r}"))
            ),
            OsEvent::SyscallReturn { name, value, .. } => format!("{name}() returns {value}"),
            OsEvent::Boost => "priority boost".into(),
            OsEvent::Panic { message } => format!("panic: {message}"),
        },
    };
    EventView {
        cycle: e.cycle,
        actor: e.actor,
        text,
    }
}

fn opt<T: std::fmt::Display>(t: &Option<T>) -> String {
    t.as_ref().map_or("idle".to_string(), |t| t.to_string())
}
