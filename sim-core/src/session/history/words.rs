//! The sentences of the timeline's rows, made from the events they show.

use crate::event::EventKind;
use crate::kernel::OsEvent;
use crate::trace::TraceKind;
use crate::trap::TrapKind;

use super::super::describe::kernel_step;

/// The sentence of a timeline row made from event `kind`.
pub(super) fn sentence(kind: &TraceKind) -> String {
    match kind {
        TraceKind::Machine(EventKind::TrapDelivered(d)) => {
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
            format!(
                "{what}: {stack}save EIP, CS, EFLAGS{} on it, enter kernel mode, jump to the handler at {:#010x} (gate {}, DPL {})",
                if d.from_cpl != d.to_cpl { ", ESP, SS" } else { "" },
                d.gate.handler,
                d.vector,
                d.gate.dpl
            )
        }
        TraceKind::Machine(EventKind::Iret {
            from_cpl,
            to_cpl,
            eip,
        }) => {
            let mode = if *to_cpl == 3 {
                "user mode"
            } else {
                "kernel mode"
            };
            format!("return-from-trap (iret): restore EIP, CS, EFLAGS{}, switch to {mode}, jump to {eip:#010x}", if from_cpl != to_cpl { ", ESP, SS" } else { "" })
        }
        TraceKind::Machine(EventKind::Fault { exception, eip }) => {
            format!("{exception} raised by the instruction at {eip:#010x}")
        }
        TraceKind::Machine(EventKind::DeviceIrq { irq }) => format!("device raises IRQ {irq}"),
        TraceKind::Machine(EventKind::TripleFault { eip }) => {
            format!("triple fault at {eip:#010x}: the machine stops")
        }
        TraceKind::Os(OsEvent::KernelStep { function, outcome }) => {
            format!("{function}(): {}", kernel_step(outcome))
        }
        TraceKind::Os(OsEvent::Panic { message }) => format!("panic: {message}"),
        // Only the kinds above make rows.
        _ => String::new(),
    }
}
