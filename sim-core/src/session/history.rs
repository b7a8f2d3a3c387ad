//! Views derived from the trace as it grows: the limited-direct-execution
//! timeline (OSTEP figure 6.2's three columns) and Gantt spans. Rebuilt from
//! scratch when the trace shrinks (after stepping back).

use serde::{Deserialize, Serialize};

use crate::event::EventKind;
use crate::kernel::{OsEvent, Pid, Tid};
use crate::sim::InstrLog;
use crate::trace::{Actor, TraceEvent, TraceKind};
use crate::trap::TrapKind;

/// One row of the three-column timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub cycle: u64,
    pub actor: Actor,
    pub text: String,
    /// Instructions folded into this row (runs of code), else 1.
    pub count: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    User,
    Kernel,
}

/// Who had the CPU from `start` to `end` (exclusive; `None` = still running).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GanttSpan {
    /// `None`: no thread (boot, idle loop).
    pub tid: Option<Tid>,
    /// Filled in by the view from the thread table.
    pub pid: Option<Pid>,
    pub mode: Mode,
    pub start: u64,
    pub end: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct History {
    consumed: usize,
    consumed_instrs: usize,
    pub rows: Vec<TimelineRow>,
    pub spans: Vec<GanttSpan>,
    who: Option<Tid>,
    mode: Option<Mode>,
}

impl History {
    /// Brings the derived views up to date with the trace and the retired
    /// instructions (merged by cycle, instructions first).
    pub fn sync(&mut self, trace: &[TraceEvent], instrs: &InstrLog) {
        if trace.len() < self.consumed || instrs.len() < self.consumed_instrs {
            *self = History::default();
        }
        let mut marks = instrs.iter_from(self.consumed_instrs).peekable();
        let mut j = self.consumed;
        loop {
            let take_mark = match (marks.peek(), trace.get(j)) {
                (Some(m), Some(e)) => m.cycle <= e.cycle,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_mark {
                if let Some(m) = marks.next() {
                    self.code(m.cycle, m.actor());
                }
            } else {
                self.add(&trace[j]);
                j += 1;
            }
        }
        self.consumed = trace.len();
        self.consumed_instrs = instrs.len();
    }

    fn add(&mut self, e: &TraceEvent) {
        match &e.kind {
            TraceKind::Machine(k) => self.machine(e.cycle, e.actor, k),
            TraceKind::Os(o) => self.os(e.cycle, o),
        }
    }

    fn row(&mut self, cycle: u64, actor: Actor, text: String) {
        self.rows.push(TimelineRow {
            cycle,
            actor,
            text,
            count: 1,
        });
    }

    fn code(&mut self, cycle: u64, actor: Actor) {
        if let Some(last) = self.rows.last_mut() {
            if last.actor == actor && last.count > 0 && last.text.starts_with("run ") {
                last.count += 1;
                return;
            }
        }
        let text = if actor == Actor::Program {
            "run the program's code"
        } else {
            "run the kernel's trap entry/exit code"
        };
        self.rows.push(TimelineRow {
            cycle,
            actor,
            text: text.into(),
            count: 1,
        });
    }

    fn machine(&mut self, cycle: u64, actor: Actor, k: &EventKind) {
        match k {
            EventKind::InstructionRetired { .. } => self.code(cycle, actor),
            EventKind::TrapDelivered(d) => {
                let what = match d.kind {
                    TrapKind::SoftInt => format!("int ${}: trap", d.vector),
                    TrapKind::Irq => format!("interrupt (vector {})", d.vector),
                    TrapKind::Exception => format!("exception (vector {})", d.vector),
                };
                let stack = if d.from_cpl != d.to_cpl {
                    "switch to the kernel stack (TSS.esp0), "
                } else {
                    ""
                };
                let text = format!(
                    "{what}: {stack}save EIP, CS, EFLAGS{} on it, enter kernel mode, jump to the handler at {:#010x} (gate {}, DPL {})",
                    if d.from_cpl != d.to_cpl { ", ESP, SS" } else { "" },
                    d.gate.handler,
                    d.vector,
                    d.gate.dpl
                );
                self.row(cycle, Actor::Hardware, text);
            }
            EventKind::Iret {
                from_cpl,
                to_cpl,
                eip,
            } => {
                let mode = if *to_cpl == 3 {
                    "user mode"
                } else {
                    "kernel mode"
                };
                let text = format!("return-from-trap (iret): restore EIP, CS, EFLAGS{}, switch to {mode}, jump to {eip:#010x}", if from_cpl != to_cpl { ", ESP, SS" } else { "" });
                self.row(cycle, Actor::Hardware, text);
            }
            EventKind::ModeSwitch { to_cpl, .. } => self.set_mode(
                cycle,
                if *to_cpl == 3 {
                    Mode::User
                } else {
                    Mode::Kernel
                },
            ),
            EventKind::Fault { exception, eip } => self.row(
                cycle,
                Actor::Hardware,
                format!("{exception} raised by the instruction at {eip:#010x}"),
            ),
            EventKind::DeviceIrq { irq } => {
                self.row(cycle, Actor::Hardware, format!("device raises IRQ {irq}"))
            }
            EventKind::Halted { .. } => self.row(
                cycle,
                Actor::Hardware,
                "hlt: the CPU waits for an interrupt".into(),
            ),
            EventKind::TripleFault { eip } => self.row(
                cycle,
                Actor::Hardware,
                format!("triple fault at {eip:#010x}: the machine stops"),
            ),
            _ => {}
        }
    }

    fn os(&mut self, cycle: u64, o: &OsEvent) {
        match o {
            OsEvent::KernelStep { function, detail } => {
                self.row(cycle, Actor::Os, format!("{function}(): {detail}"))
            }
            OsEvent::ContextSwitch { to, .. } => {
                self.who = *to;
                self.open_span(cycle);
            }
            OsEvent::Panic { message } => self.row(cycle, Actor::Os, format!("panic: {message}")),
            _ => {}
        }
    }

    fn set_mode(&mut self, cycle: u64, mode: Mode) {
        if self.mode != Some(mode) {
            self.mode = Some(mode);
            self.open_span(cycle);
        }
    }

    fn open_span(&mut self, cycle: u64) {
        if let Some(last) = self.spans.last_mut() {
            if last.end.is_none() {
                last.end = Some(cycle);
            }
        }
        self.spans.retain(|s| s.end != Some(s.start));
        self.spans.push(GanttSpan {
            tid: self.who,
            pid: None,
            mode: self.mode.unwrap_or(Mode::Kernel),
            start: cycle,
            end: None,
        });
    }
}
