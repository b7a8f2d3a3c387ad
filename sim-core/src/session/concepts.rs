//! The data behind the concept views of the course notes: ring levels, the
//! anatomy of a process or thread, the path of a system call (syscall_path.rs)
//! and direct vs limited direct execution (compare.rs). The address-space
//! picture draws the view's own `address_spaces`.
//!
//! Only the view a front end asks for is computed ([`ConceptQuery`]), so a
//! closed view costs nothing while running.

use serde::{Deserialize, Serialize};

use super::Session;
use crate::cpu::Reg;
use crate::event::EventKind;
use crate::kernel::frame::TrapFrame;
use crate::kernel::layout::{ustack_top, KERNBASE, PAGE, PHYSTOP, USTACK_PAGES};
use crate::kernel::proc::File;
use crate::kernel::{ExecMode, OsEvent, Pid, State};
use crate::sched::ThreadId;
use crate::trace::TraceKind;

pub use super::compare_modes::{ModesCell, ModesPane, ModesView};
pub use super::syscall_path::{PathRow, SyscallCall, SyscallPath};

/// Which concept view is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConceptTab {
    #[default]
    Address,
    Anatomy,
    Rings,
    Syscall,
    Compare,
}

/// What the open concept view shows: the system call chosen (the cycle of
/// its trap) and the two threads picked for the anatomy (thread ids).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConceptQuery {
    pub tab: ConceptTab,
    pub syscall: Option<u64>,
    pub pick: [Option<u32>; 2],
}

/// The data of the open concept view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ConceptView {
    Rings(RingView),
    Anatomy(Vec<Anatomy>),
    Syscall(SyscallPath),
    Compare(ModesView),
}

/// The CPU's ring now and the newest crossing between rings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RingView {
    pub cpl: u8,
    pub crossing: Option<Crossing>,
}

/// One crossing: inward through an IDT gate (a trap or interrupt), outward
/// by `iret`, or refused by the CPU (a #GP delivered instead).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Crossing {
    pub cycle: u64,
    pub from: u8,
    pub to: u8,
    /// The gate taken (vector, DPL); `None` for `iret`.
    pub gate: Option<(u8, u8)>,
    /// "int $64: system call", "timer (IRQ 0)", "iret to 0x00001012".
    pub what: String,
    /// What the CPU refused and why ("cli at CPL 3: #GP(0x0)").
    pub refused: Option<String>,
}

/// A thread and the state its execution stream runs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Anatomy {
    pub pid: Pid,
    pub tid: u32,
    pub name: String,
    pub state: State,
    /// Its newest retired user instructions, oldest first, then the next one.
    pub stream: Vec<StreamLine>,
    pub regs: Vec<(String, u32)>,
    pub eip: u32,
    /// Where the registers are: the CPU, or the saved copy's place.
    pub saved: String,
    pub cr3: u32,
    pub regions: Vec<Region>,
    pub files: Vec<String>,
    /// The first watched address and the value this thread sees there.
    pub watched: Option<(u32, Option<u32>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamLine {
    /// The cycle it retired (`None`: the next instruction, not yet run).
    pub cycle: Option<u64>,
    pub line: u32,
    pub text: String,
    /// Times it ran in a row (a loop), `cycle` the newest.
    pub times: u32,
}

/// A region of an address space: its virtual range and its pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    /// "code", "data", "stack T2", "kernel".
    pub name: String,
    pub start: u32,
    pub end: u32,
    /// Whose it is: the process's (shared by its threads) or one thread's.
    pub per_thread: bool,
    /// (virtual page, frame if present); the kernel region lists none.
    pub pages: Vec<(u32, Option<u32>)>,
}

/// Most threads the anatomy view offers to pick from.
const MAX_PICKS: usize = 64;
/// Instructions of a thread's stream shown.
const STREAM: usize = 10;
/// Retired instructions searched back for a thread's stream.
const STREAM_SCAN: usize = 200_000;

impl Session {
    /// The data of concept view `q.tab` (`None` for the address picture,
    /// drawn from the view, and for the comparison, see [`Session::compare`]).
    pub fn concept(&mut self, q: &ConceptQuery) -> Option<ConceptView> {
        match q.tab {
            ConceptTab::Rings => Some(ConceptView::Rings(self.rings())),
            ConceptTab::Anatomy => Some(ConceptView::Anatomy(self.anatomies(q.pick))),
            ConceptTab::Syscall => Some(ConceptView::Syscall(self.syscall_path(q.syscall))),
            ConceptTab::Address | ConceptTab::Compare => None,
        }
    }

    /// The ring the CPU is in and the newest crossing the trace keeps.
    pub fn rings(&self) -> RingView {
        let trace = self.sim.trace();
        let crossing = trace.iter_rev().find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::Iret {
                from_cpl,
                to_cpl,
                eip,
            }) => Some(Crossing {
                cycle: e.cycle,
                from: *from_cpl,
                to: *to_cpl,
                gate: None,
                what: format!("iret to {eip:#010x}"),
                refused: None,
            }),
            TraceKind::Machine(EventKind::TrapDelivered(d)) => {
                let fault_eip = trace
                    .iter_rev()
                    .skip_while(|f| f.cycle > e.cycle)
                    .take(4)
                    .find_map(|f| match &f.kind {
                        TraceKind::Machine(EventKind::Fault { eip, .. }) => Some(*eip),
                        _ => None,
                    });
                let code = d.error_code.unwrap_or(0);
                let refused = (d.vector == 13 && d.from_cpl == 3).then(|| {
                    if code & 2 != 0 {
                        format!(
                            "int ${} to a gate with DPL < CPL 3: #GP({code:#x})",
                            code >> 3
                        )
                    } else {
                        let what = fault_eip
                            .and_then(|eip| self.line_of(self.thread_at(e.cycle)?, eip))
                            .map_or("the instruction".into(), |(_, t)| t);
                        format!("{what} at CPL 3: #GP({code:#x})")
                    }
                });
                Some(Crossing {
                    cycle: e.cycle,
                    from: d.from_cpl,
                    to: d.to_cpl,
                    gate: Some((d.vector, d.gate.dpl)),
                    what: super::vector_name(d.vector),
                    refused,
                })
            }
            _ => None,
        });
        RingView {
            cpl: self.sim.machine().cpu().cpl(),
            crossing,
        }
    }

    /// The thread that had the CPU at `cycle` (the newest context switch
    /// the trace keeps at or before it).
    pub(super) fn thread_at(&self, cycle: u64) -> Option<ThreadId> {
        self.sim
            .trace()
            .iter_rev()
            .filter(|e| e.cycle <= cycle)
            .find_map(|e| match &e.kind {
                TraceKind::Os(OsEvent::ContextSwitch { to, .. }) => Some(*to),
                _ => None,
            })
            .flatten()
    }

    /// The process of thread `t` (also after it exited).
    pub(super) fn process_of(&self, t: ThreadId) -> Option<&crate::kernel::proc::Process> {
        self.sim
            .kernel()
            .processes()
            .find(|p| p.threads.contains(&t))
    }

    /// The source line (number, trimmed text) of `eip` in `t`'s program,
    /// user-library stubs included.
    pub(super) fn line_of(&self, t: ThreadId, eip: u32) -> Option<(u32, String)> {
        let p = self.process_of(t)?;
        let lines = self.source_lines(p.program);
        let line = self
            .sim
            .kernel()
            .programs()
            .get(p.program)?
            .program
            .line_at(eip)?
            .line;
        let text = lines.get(line as usize - 1)?;
        Some((line, text.to_string()))
    }

    /// Program `p`'s source as assembled (its own lines, then the user
    /// library), one trimmed line each, comments dropped.
    fn source_lines(&self, p: usize) -> Vec<String> {
        self.program_text(p)
            .0
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
            .collect()
    }

    /// The anatomy of the picked threads (by default the first two).
    fn anatomies(&self, pick: [Option<u32>; 2]) -> Vec<Anatomy> {
        let k = self.sim.kernel();
        let all: Vec<ThreadId> = k
            .processes()
            .flat_map(|p| p.threads.iter().copied())
            .take(MAX_PICKS)
            .collect();
        let mut picked: Vec<ThreadId> = pick
            .iter()
            .flatten()
            .filter_map(|t| all.iter().copied().find(|x| x.0 == *t))
            .collect();
        for t in &all {
            if picked.len() < 2 && !picked.contains(t) {
                picked.push(*t);
            }
        }
        picked.into_iter().filter_map(|t| self.anatomy(t)).collect()
    }

    /// The anatomy of thread `t`.
    pub fn anatomy(&self, t: ThreadId) -> Option<Anatomy> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let p = self.process_of(t)?;
        let th = k.thread(t);
        let state = th.map_or(State::Zombie, |x| x.state);
        let exited = p.exit_status.is_some();
        let cpu = m.cpu();
        let on_cpu = k.current() == Some(t) && state == State::Running;
        let user_on_cpu = on_cpu && !k.in_kernel() && cpu.eip < KERNBASE;
        let (regs, eip, saved) = if user_on_cpu {
            let regs = Reg::ALL.iter().map(|r| (r.name().into(), cpu.reg(*r)));
            (
                regs.collect(),
                cpu.eip,
                "in the CPU: it is running".to_string(),
            )
        } else if let Some(th) = th.filter(|_| !exited) {
            let f = TrapFrame::read(m.mem(), p.pgdir, th.tf);
            let regs = [
                ("eax", f.eax),
                ("ecx", f.ecx),
                ("edx", f.edx),
                ("ebx", f.ebx),
                ("esp", f.esp),
                ("ebp", f.ebp),
                ("esi", f.esi),
                ("edi", f.edi),
            ];
            let place = if self.scenario.mode == ExecMode::Direct {
                "its own stack"
            } else {
                "its kernel stack"
            };
            (
                regs.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
                f.eip,
                format!("saved in its trap frame on {place} at {:#010x}", th.tf),
            )
        } else {
            (Vec::new(), 0, "gone: the thread has exited".to_string())
        };
        let prog = &k.programs().get(p.program)?.program;
        let mut regions = Vec::new();
        let mut region = |name: String, start: u32, end: u32, per_thread: bool| {
            let pages = (start / PAGE..end.div_ceil(PAGE))
                .map(|pg| {
                    let va = pg * PAGE;
                    let w = crate::mmu::walk(m.mem(), p.pgdir, va);
                    (va, w.frame.filter(|_| !exited))
                })
                .collect();
            regions.push(Region {
                name,
                start,
                end,
                per_thread,
                pages,
            });
        };
        let text = &prog.text;
        region(
            "code".into(),
            text.base,
            text.base + text.bytes.len() as u32,
            false,
        );
        if !prog.data.bytes.is_empty() {
            let d = &prog.data;
            region("data".into(), d.base, d.base + d.bytes.len() as u32, false);
        }
        for other in &p.threads {
            if let Some(slot) = k.thread(*other).map(|x| x.slot) {
                let top = ustack_top(slot);
                region(
                    format!("stack {other}"),
                    top - USTACK_PAGES * PAGE,
                    top,
                    true,
                );
            }
        }
        regions.push(Region {
            name: "kernel (supervisor only)".into(),
            start: KERNBASE,
            end: KERNBASE + PHYSTOP,
            per_thread: false,
            pages: Vec::new(),
        });
        let files = p
            .files
            .iter()
            .enumerate()
            .map(|(fd, f)| match f {
                File::ConsoleIn => format!("{fd}: console (in)"),
                File::ConsoleOut => format!("{fd}: console (out)"),
                File::Disk { offset } => format!("{fd}: disk, offset {offset}"),
            })
            .collect();
        let watched = self.scenario.watch.first().map(|&a| {
            let value = match p.last_look.first().filter(|_| exited) {
                Some((_, v)) => *v,
                None => crate::mmu::walk(m.mem(), p.pgdir, a)
                    .phys
                    .map(|ph| m.mem().read_u32(ph)),
            };
            (a, value)
        });
        Some(Anatomy {
            pid: p.pid,
            tid: t.0,
            name: p.name.clone(),
            state,
            stream: self.stream(t, (!exited && eip != 0).then_some(eip)),
            regs,
            eip,
            saved,
            cr3: p.pgdir,
            regions,
            files,
            watched,
        })
    }

    /// Thread `t`'s newest retired user instructions (found by following
    /// the context switches back through the trace), then `next`.
    fn stream(&self, t: ThreadId, next: Option<u32>) -> Vec<StreamLine> {
        let trace = self.sim.trace();
        let mut switches = trace.iter_rev().filter_map(|e| match &e.kind {
            TraceKind::Os(OsEvent::ContextSwitch { to, .. }) => Some((e.cycle, *to)),
            _ => None,
        });
        let mut next_switch = switches.next();
        let mut out: Vec<StreamLine> = Vec::new();
        for i in self.sim.instructions().iter_rev().take(STREAM_SCAN) {
            while next_switch.is_some_and(|(c, _)| c > i.cycle) {
                next_switch = switches.next();
            }
            let Some((_, running)) = next_switch else {
                break;
            };
            if running != Some(t) || i.eip >= KERNBASE {
                continue;
            }
            if let Some((line, text)) = self.line_of(t, i.eip) {
                let full = out.len() >= STREAM;
                match out.last_mut() {
                    Some(last) if last.line == line => last.times += 1,
                    _ if full => break,
                    _ => out.push(StreamLine {
                        cycle: Some(i.cycle),
                        line,
                        text,
                        times: 1,
                    }),
                }
            }
        }
        out.reverse();
        if let Some((line, text)) = next.and_then(|eip| self.line_of(t, eip)) {
            out.push(StreamLine {
                cycle: None,
                line,
                text,
                times: 1,
            });
        }
        out
    }
}
