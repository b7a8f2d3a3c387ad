//! The view: plain data describing everything a front end shows, computed
//! from the session on demand.

use serde::Serialize;

use super::gantt::GanttLane;
use super::history::TimelineRow;
use super::Session;
use crate::cpu::{flags, Reg};
use crate::kernel::frame::{has_error_code, FIELDS};
use crate::kernel::layout::{p2v, KERNBASE, PAGE};
use crate::kernel::{entry, usys, ExecMode, OsEvent, Pid, State, WaitFor};
use crate::mmu::Walk;
use crate::sched::{Policy, QueueView};
use crate::sim::Halt;
use crate::trace::Actor;
use crate::trace::TraceKind;

use super::describe::{code_lines, denied_gate, gates, recent_events, tail};

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
    /// The gate of the trap in progress, from its delivery until the `iret`
    /// that ends it (nested: the innermost).
    pub active_gate: Option<u8>,
    pub denied_gate: Option<DeniedGate>,
    /// The trap frame as far as it is pushed (or not yet popped) now.
    pub kernel_stack: Option<KernelStackView>,
    pub processes: Vec<ProcessView>,
    /// The scheduler's queues; `running` is the thread the process table
    /// shows Running.
    pub queues: QueueView,
    /// The policy's name, with its time slice if it has one ("RR · quantum 2000").
    pub policy: String,
    /// What the policy decides by, so the process table shows it.
    pub policy_uses: PolicyUses,
    pub timeline: Vec<TimelineRow>,
    pub timeline_total: usize,
    /// Who had the CPU from cycle 0 to now, binned to columns.
    pub gantt: Vec<GanttLane>,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SpaceEntry {
    pub pid: Pid,
    pub name: String,
    pub threads: Vec<u32>,
    pub walk: Walk,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub cycle: u64,
    pub actor: Actor,
    pub text: String,
}

/// The view of kernel step `function`, with one line on what it does.
fn step_view(function: &str, detail: Option<String>) -> KernelStepView {
    let about = match function {
        "boot" => "set up the trap table, the timer and the first processes",
        "allocproc" => "create a process: PCB, kernel stack, page directory, program image",
        "trap" => "read the trap frame and dispatch on its vector: system call, interrupt or fault",
        "timer_intr" => "count a tick; the running thread's time slice may be over",
        "disk_intr" => "a disk request completed: copy the data, wake the waiting thread",
        "kill" => "a user-mode fault: kill the process that caused it",
        "scheduler" => "pick the thread to run next (the policy decides)",
        "swtch" => "switch kernel stacks and registers to the chosen thread",
        "switchuvm" => "load the thread's page directory (CR3) and kernel stack (TSS.esp0)",
        "trapret" => "return through the trap frame: popal, drop vector and error code, iret",
        "idle" => "nothing is ready: wait for an interrupt",
        "syscall" => "an unknown system call number: return -1",
        "boost" => "MLFQ priority boost: every job back to the top queue",
        // System calls: from the one system-call table.
        f if f.starts_with("sys_") => crate::kernel::syscall::SYSCALLS
            .iter()
            .find(|s| s.function == f)
            .map_or("a system call", |s| s.about),
        _ => "a kernel step",
    };
    KernelStepView {
        function: function.to_string(),
        about: about.to_string(),
        detail,
    }
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
            kernel_function: self.kernel_step().map(|s| s.function),
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
                job_length: p.expected_len,
                remaining: p.expected_len.map(|l| {
                    let used: u64 = p.threads.iter().map(|t| k.cpu_time(*t, now)).sum();
                    l.saturating_sub(used)
                }),
                exited_at: p.exit_status.and(p.acct.finish),
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
        let averages = k.averages();
        let metrics = Metrics {
            avg_turnaround: averages.map(|a| a.turnaround),
            avg_response: averages.map(|a| a.response),
            avg_wait: averages.map(|a| a.wait),
            utilization: busy as f64 / now.max(1) as f64,
            context_switches: k.context_switches(),
            rows,
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
            mode: self.scenario.mode,
            cycle: now,
            max_cycles: self.scenario.max_cycles,
            status,
            cpu: cpu_view,
            code: self.code_view(),
            address_spaces: self.address_views(),
            idt: gates(m),
            active_gate: self.active_gate(kernel_stack.as_ref()),
            denied_gate: denied_gate(trace, now),
            kernel_stack,
            processes,
            queues,
            policy: match sched.quantum() {
                Some(q) => format!("{} \u{00b7} quantum {q}", sched.name()),
                None => sched.name().to_string(),
            },
            policy_uses: PolicyUses {
                job_length: matches!(self.scenario.scheduler, Policy::Sjf | Policy::Stcf),
                tickets: matches!(
                    self.scenario.scheduler,
                    Policy::Lottery { .. } | Policy::Stride { .. }
                ),
            },
            timeline: tail(self.history.rows()),
            timeline_total: self.history.rows_total(),
            gantt: self.history.gantt(
                now,
                k.processes()
                    .map(|p| (p.pid, format!("{} {}", p.pid, p.name)))
                    .collect(),
                thread_pid,
            ),
            metrics,
            events: recent_events(trace, sim.instructions()),
            console: m.devices().console.text(),
            concept: None,
        }
    }

    /// The kernel's C-level step the CPU is busy with, or, at a boundary in
    /// the kernel (or at `trap_c`, about to enter it), the next one.
    pub(super) fn kernel_step(&self) -> Option<KernelStepView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let trace = self.sim.trace();
        if m.busy_cycles() > 0 {
            let last_instr = self.sim.instructions().iter_rev().next().map(|i| i.cycle);
            let last_step = trace.iter().rev().take(64).find_map(|e| match &e.kind {
                TraceKind::Os(OsEvent::KernelStep { function, detail }) => {
                    Some((e.cycle, function, detail))
                }
                _ => None,
            });
            return match last_step {
                Some((c, f, d)) if last_instr.is_none_or(|i| c >= i) => {
                    Some(step_view(f, Some(d.clone())))
                }
                _ => None,
            };
        }
        if k.in_kernel() {
            return k.agenda().next().map(|s| step_view(s.function(), None));
        }
        let at_entry = m.cpu().cpl() == 0 && m.cpu().eip == k.stubs().trap_c;
        at_entry.then(|| step_view("trap", None))
    }

    fn code_view(&self) -> CodeView {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let eip = m.cpu().eip;
        let current = k
            .current()
            .and_then(|t| k.thread(t))
            .and_then(|t| k.process(t.pid));
        let step = self.kernel_step();
        let Some(p) = current.filter(|_| eip < KERNBASE) else {
            let stubs = &k.stubs().program;
            let source = entry::source();
            let lines = code_lines(&source, stubs);
            return CodeView {
                title: match &step {
                    Some(s) => format!("kernel: {}() at trap_c", s.function),
                    None => "kernel: trap entry and exit".into(),
                },
                kernel: true,
                program: None,
                lines,
                current_line: stubs.line_at(eip).map(|l| l.line),
                breakpoints: Vec::new(),
                library_from: None,
                step,
            };
        };
        let prog = &k.programs()[p.program];
        let source = &self
            .scenario
            .programs
            .iter()
            .find(|s| s.name == prog.name)
            .map_or("", |s| s.source.as_str());
        let user_lines = source.lines().count() as u32;
        // The program as assembled: its source, then the user library.
        let full = format!("{source}\n{}", usys::epilogue());
        let mut lines = code_lines(&full, &prog.program);
        let current_line = prog.program.line_at(eip).map(|l| l.line);
        // In a library stub: its lines, from its label to the next label.
        let is_label = |l: &CodeLine| {
            let t = l.text.trim_end();
            !t.starts_with(char::is_whitespace) && t.ends_with(':')
        };
        let stub = current_line.filter(|l| *l > user_lines).and_then(|cur| {
            let from = lines
                .iter()
                .filter(|l| l.line > user_lines && l.line <= cur && is_label(l))
                .map(|l| l.line)
                .next_back()?;
            let to = lines
                .iter()
                .find(|l| l.line > cur && is_label(l))
                .map_or(u32::MAX, |l| l.line);
            Some((from, to))
        });
        lines.retain(|l| {
            l.line <= user_lines || stub.is_some_and(|(a, b)| (a..b).contains(&l.line))
        });
        CodeView {
            title: match stub.and_then(|(a, _)| lines.iter().find(|l| l.line == a)) {
                Some(l) => format!(
                    "{} ({}) \u{00b7} user library: {}",
                    prog.name,
                    p.pid,
                    l.text.trim_end().trim_end_matches(':')
                ),
                None => format!("{} ({})", prog.name, p.pid),
            },
            kernel: false,
            program: Some(p.program),
            lines,
            current_line: current_line.filter(|l| *l <= user_lines || stub.is_some()),
            breakpoints: self
                .breakpoints
                .iter()
                .filter(|(pi, _)| *pi == p.program)
                .map(|(_, l)| *l)
                .collect(),
            library_from: stub.map(|(a, _)| a),
            step: None,
        }
    }

    fn address_views(&self) -> Vec<AddressView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        self.scenario
            .watch
            .iter()
            .enumerate()
            .map(|(i, &addr)| AddressView {
                addr,
                spaces: k
                    .processes()
                    .filter_map(|p| {
                        let exited_at = p.exit_status.and(p.acct.finish);
                        let (walk, value) = match exited_at {
                            Some(_) => *p.last_look.get(i)?,
                            None => {
                                let walk = crate::mmu::walk(m.mem(), p.pgdir, addr);
                                (walk, walk.phys.map(|ph| m.mem().read_u32(ph)))
                            }
                        };
                        Some(SpaceEntry {
                            pid: p.pid,
                            name: p.name.clone(),
                            // An exited process lists the threads it had.
                            threads: p
                                .threads
                                .iter()
                                .filter(|t| {
                                    exited_at.is_some()
                                        || k.thread(**t).is_some_and(|t| t.state != State::Zombie)
                                })
                                .map(|t| t.0)
                                .collect(),
                            value,
                            walk,
                            exited_at,
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    /// The trap frame, read from the stack as far as it is pushed now: the
    /// trap path's phase (from EIP: delivered, each stub push, `pushal`,
    /// each pop in `trapret`) says how many words lie between ESP and the
    /// frame's top; the saved CS says whether the CPU pushed SS and ESP too.
    fn kernel_stack(&self) -> Option<KernelStackView> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let cpu = m.cpu();
        if cpu.cpl() != 0 {
            return None;
        }
        let phase = k.stubs().phase(cpu.eip)?;
        // The boot runs kernel steps and leaves through `trapret` without
        // any trap having happened: no frame to show yet.
        let no_entry = if k.in_kernel() {
            k.current_vector().is_none()
        } else {
            phase.leaving && k.last_vector().is_none()
        };
        if no_entry {
            return None;
        }
        let esp = cpu.reg(Reg::Esp);
        let read = |a: u32| {
            crate::mmu::walk(m.mem(), cpu.cr3, a)
                .phys
                .map_or(0, |p| m.mem().read_u32(p))
        };
        let eip_at = esp.wrapping_add(4 * phase.below);
        let from_user = read(eip_at.wrapping_add(4)) & 3 == 3;
        let by_cpu = if from_user { 5 } else { 3 };
        // The vector number sits just below the error code (still there
        // in memory at the `iret`, after `addl $8, %esp` dropped it).
        let vector = phase
            .vector
            .map_or_else(|| read(eip_at.wrapping_sub(8)), u32::from);
        let n = by_cpu + phase.below as usize;
        let top = eip_at.wrapping_add(4 * by_cpu as u32);
        let words = FIELDS
            .iter()
            .rev()
            .skip(5 - by_cpu)
            .take(n)
            .enumerate()
            .map(|(i, &name)| {
                let addr = top.wrapping_sub(4 * (i as u32 + 1));
                StackWord {
                    addr,
                    name: name.to_string(),
                    value: read(addr),
                    by_cpu: i < by_cpu || (name == "err" && has_error_code(vector as u8)),
                }
            })
            .collect();
        let owner = k.threads().find(|t| {
            let base = p2v(t.kstack);
            (base..base + PAGE).contains(&esp)
        });
        Some(KernelStackView {
            frame_addr: esp,
            vector,
            words,
            stale: owner.is_some_and(|t| t.state == State::Zombie),
        })
    }

    /// The gate of the trap in progress: from its delivery (the CPU in the
    /// stub) through the kernel's steps and `trapret` to the `iret`.
    fn active_gate(&self, stack: Option<&KernelStackView>) -> Option<u8> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        if m.cpu().cpl() != 0 {
            return None;
        }
        if k.in_kernel() {
            return k.current_vector();
        }
        let phase = k.stubs().phase(m.cpu().eip)?;
        if phase.leaving {
            // The kernel may return through another thread's frame: the
            // trap that ends is the one the kernel was entered for.
            return k.last_vector();
        }
        phase.vector.or(stack.map(|s| s.vector as u8))
    }
}
