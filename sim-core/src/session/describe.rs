//! Descriptions for the view: code listings with bytes, IDT gates, the
//! refused gate, and one-line texts for trace events.

mod kernel;

pub use kernel::kernel_step;

use super::view::{CodeLine, DeniedGate, EventView, GateView};
use crate::event::EventKind;
use crate::kernel::OsEvent;
use crate::sim::TraceLog;
use crate::trace::{TraceEvent, TraceKind};
use crate::trap::{Exception, GateKind, TrapKind, TRAP_CYCLES};

pub(super) fn code_lines(source: &str, prog: &crate::asm::Program) -> Vec<CodeLine> {
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

pub(super) fn gates(m: &crate::machine::Machine) -> Vec<GateView> {
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

/// What a vector is for in this kernel: an exception, a device's IRQ (the
/// tables in `trap::vectors`) or the system call.
pub fn vector_name(v: u8) -> String {
    use crate::trap::vectors::{irq_device, irq_of, FIRST_IRQ_VECTOR};
    if v < FIRST_IRQ_VECTOR {
        return crate::trap::exception_name(v);
    }
    if v == crate::kernel::T_SYSCALL {
        return "system call".into();
    }
    match irq_of(v) {
        Some(irq) => match irq_device(irq) {
            Some(device) => format!("{device} (IRQ {irq})"),
            None => format!("IRQ {irq}"),
        },
        None => "unused".into(),
    }
}

/// A #GP whose error code names an IDT entry (n·8 + 2): `int n` was refused.
pub(super) fn denied_gate(trace: &TraceLog, now: u64) -> Option<DeniedGate> {
    trace
        .iter_rev()
        .take_while(|e| e.cycle + 200 >= now)
        .find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(d))
                if d.vector == Exception::GeneralProtection(0).vector()
                    && d.kind == TrapKind::Exception =>
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

/// The last `n` events, instructions merged in. An instruction that
/// traps (`int n`, or one whose delivery faults) says what it really cost:
/// its own cycles plus the delivery's.
pub(super) fn recent_events(
    trace: &TraceLog,
    instrs: &crate::sim::InstrLog,
    n: usize,
) -> Vec<EventView> {
    let merged = crate::sim::merge(&instrs.tail(n), &trace.tail(n));
    let shown = &merged[merged.len().saturating_sub(n)..];
    shown
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let delivery = shown[i + 1..]
                .iter()
                .take_while(|d| d.cycle == e.cycle)
                .find_map(|d| match &d.kind {
                    TraceKind::Machine(EventKind::TrapDelivered(d)) => Some(d),
                    _ => None,
                });
            match (&e.kind, delivery) {
                (TraceKind::Machine(EventKind::InstructionRetired { eip, len, cycles }), Some(d)) => {
                    let what = match d.kind {
                        TrapKind::SoftInt => format!("int ${}", d.vector),
                        _ => "execute instruction".to_string(),
                    };
                    EventView {
                        cycle: e.cycle,
                        actor: e.actor,
                        text: format!(
                            "{what} at {eip:#010x} ({len} bytes; {cycles} cycles + {TRAP_CYCLES} for delivery)"
                        ),
                    }
                }
                _ => event_view(e),
            }
        })
        .collect()
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
                "deliver vector {} ({}) through the IDT ({TRAP_CYCLES} cycles){}",
                d.vector,
                vector_name(d.vector),
                d.stack.map_or(String::new(), |s| format!(
                    "; kernel stack {:#x}:{:#010x} from TSS.esp0 at {:#010x}",
                    s.ss, s.esp, s.esp_at
                ))
            ),
            EventKind::Fault { exception, eip } => format!("{exception} at {eip:#010x}"),
            EventKind::Iret { to_cpl, eip, .. } => format!("iret to CPL {to_cpl} at {eip:#010x}"),
            EventKind::DeviceIrq { irq } => format!("IRQ {irq} raised"),
            EventKind::Halted { eip } => format!("hlt at {eip:#010x}"),
            EventKind::TripleFault { eip } => format!("triple fault at {eip:#010x}"),
        },
        TraceKind::Os(o) => match o {
            OsEvent::KernelStep { function, outcome } => {
                format!("{function}(): {}", kernel_step(outcome))
            }
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

#[cfg(test)]
mod tests {
    use super::vector_name;

    #[test]
    fn vectors_are_named_from_the_tables() {
        assert_eq!(vector_name(13), "#GP general protection");
        assert_eq!(vector_name(32), "timer (IRQ 0)");
        assert_eq!(vector_name(33), "IRQ 1");
        assert_eq!(vector_name(36), "console (IRQ 4)");
        assert_eq!(vector_name(46), "disk (IRQ 14)");
        assert_eq!(vector_name(64), "system call");
        assert_eq!(vector_name(100), "unused");
    }
}
