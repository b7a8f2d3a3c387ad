//! Delivering one event through its IDT gate (Intel SDM vol. 3, 6.12.1).

use serde::Serialize;

use super::idt::{Gate, GateKind};
use super::Exception;
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::segment::{self, RingStack};
use crate::cpu::{flags, Cpu};

/// Cycles charged for delivering an interrupt or exception (reading the gate,
/// the pushes, loading CS:EIP). A round number of the order real CPUs take.
pub const TRAP_CYCLES: u32 = 20;

/// What is being delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Delivery {
    /// A processor exception; EIP points at the faulting instruction.
    Exception(Exception),
    /// `int n`; EIP already points past the instruction.
    SoftInt(u8),
    /// An external interrupt with this vector, taken at an instruction boundary.
    Irq(u8),
}

impl Delivery {
    pub const fn vector(self) -> u8 {
        match self {
            Delivery::Exception(e) => e.vector(),
            Delivery::SoftInt(v) | Delivery::Irq(v) => v,
        }
    }

    pub const fn kind(self) -> TrapKind {
        match self {
            Delivery::Exception(_) => TrapKind::Exception,
            Delivery::SoftInt(_) => TrapKind::SoftInt,
            Delivery::Irq(_) => TrapKind::Irq,
        }
    }

    /// The EXT bit of error codes raised while delivering this event: set for
    /// events external to the program (interrupts, earlier exceptions), clear
    /// for `int n` (SDM vol. 3, 6.13).
    const fn ext(self) -> u32 {
        match self {
            Delivery::SoftInt(_) => 0,
            Delivery::Exception(_) | Delivery::Irq(_) => 1,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TrapKind {
    Exception,
    SoftInt,
    Irq,
}

/// A completed delivery, for the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryInfo {
    pub vector: u8,
    pub kind: TrapKind,
    pub error_code: Option<u32>,
    pub gate: Gate,
    pub from_cpl: u8,
    pub to_cpl: u8,
    /// The stack pointer after the pushes (the handler's ESP).
    pub esp: u32,
    /// The pushed frame from the new ESP upwards:
    /// `[error code,] EIP, CS, EFLAGS[, old ESP, old SS]`.
    pub frame: Vec<u32>,
    /// On a change of ring, where the new stack came from: the TSS at TR.
    pub stack: Option<RingStack>,
}

/// Delivers `event` through the IDT: reads and checks the gate and the
/// handler's code segment in the GDT, switches to the stack the TSS names
/// on a privilege change, pushes the frame and enters the
/// handler. On error nothing in `cpu` has changed (except CR2 for a #PF, which
/// the processor loads before delivery begins); the caller decides whether the
/// new exception is delivered next or escalates to #DF (see
/// [`super::deliver_escalating`]).
pub fn deliver(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    event: Delivery,
) -> Result<DeliveryInfo, Exception> {
    let vector = event.vector();
    if let Delivery::Exception(Exception::PageFault { addr, .. }) = event {
        cpu.cr2 = addr;
    }
    // Error code naming an IDT entry: index << 3 | IDT (bit 1) | EXT (bit 0).
    let idt_code = u32::from(vector) * 8 + 2 + event.ext();
    if u32::from(vector) * 8 + 7 > u32::from(cpu.idtr.limit) {
        return Err(Exception::GeneralProtection(idt_code));
    }
    let sup = cpu.supervisor_ctx();
    let at = cpu.idtr.base.wrapping_add(u32::from(vector) * 8);
    let lo = bus.read(sup, at, Size::Dword, ReadKind::Data)?;
    let hi = bus.read(sup, at.wrapping_add(4), Size::Dword, ReadKind::Data)?;
    let gate = Gate::decode(lo, hi).ok_or(Exception::GeneralProtection(idt_code))?;
    let cpl = cpu.cpl();
    // The DPL check applies to `int n` only, so user code cannot raise
    // exceptions or IRQs of its choosing (SDM 6.12.1.1).
    if matches!(event, Delivery::SoftInt(_)) && gate.dpl < cpl {
        return Err(Exception::GeneralProtection(idt_code));
    }
    if !gate.present {
        return Err(Exception::SegmentNotPresent(idt_code));
    }
    // The handler's code segment: its DPL is the new CPL (SDM 6.12.1.2).
    let new_cpl = segment::check_gate_code(cpu, bus, gate.selector, event.ext())?;
    let error_code = match event {
        Delivery::Exception(e) => e.error_code(),
        _ => None,
    };
    let mut frame = Vec::with_capacity(7);
    let (mut ss, mut esp) = (cpu.seg.ss, cpu.gpr[4]);
    let mut stack = None;
    if new_cpl < cpl {
        // An inward trap: the stack comes from the TSS (SS0:ESP0 for ring 0).
        let ring = segment::ring_stack(cpu, bus, new_cpl, event.ext())?;
        frame.extend([u32::from(cpu.seg.ss), cpu.gpr[4]]);
        (ss, esp) = (ring.ss, ring.esp);
        stack = Some(ring);
    }
    // Real CPUs set RF in the EFLAGS image of a fault, so that returning
    // to the instruction does not re-trigger an instruction breakpoint
    // (SDM vol. 3, 18.3.1.1; QEMU's TCG pushes it clear).
    let fault = matches!(event, Delivery::Exception(e) if e != Exception::DoubleFault);
    let pushed_flags = cpu.eflags | if fault { flags::RF } else { 0 };
    frame.extend([pushed_flags, u32::from(cpu.seg.cs), cpu.eip]);
    frame.extend(error_code);
    // Pushes are supervisor accesses to the (possibly new) stack; all are
    // checked before the first is made, so a fault leaves memory unchanged.
    let top = esp;
    for k in 1..=frame.len() as u32 {
        bus.probe_write(sup, top.wrapping_sub(4 * k), Size::Dword)?;
    }
    for &word in &frame {
        esp = esp.wrapping_sub(4);
        bus.write(sup, esp, Size::Dword, word)?;
    }
    frame.reverse();
    cpu.seg.ss = ss;
    cpu.gpr[4] = esp;
    cpu.seg.cs = gate.selector & !3 | u16::from(new_cpl);
    cpu.eip = gate.handler;
    cpu.eflags &= !flags::TF;
    if gate.kind == GateKind::Interrupt {
        cpu.eflags &= !flags::IF;
    }
    cpu.halted = false;
    Ok(DeliveryInfo {
        vector,
        kind: event.kind(),
        error_code,
        gate,
        from_cpl: cpl,
        to_cpl: new_cpl,
        esp,
        frame,
        stack,
    })
}
