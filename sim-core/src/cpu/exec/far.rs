//! Far transfers that reload CS: ljmp, lcall, lret and iret, with the
//! descriptor checks of the SDM ("JMP", "CALL", "RET", "IRET", protected
//! mode). Every read and check happens before any register changes.

use iced_x86::{Code, OpKind};

use super::{peek, Flow};
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::cache::Decoded;
use crate::cpu::flags;
use crate::cpu::operand::effective_address;
use crate::cpu::segment::{self, code, require_flat, Unmodelled};
use crate::cpu::state::{Cpu, Reg};
use crate::trap::Exception;

/// The selector:offset of a far jmp/call: immediate, or offset then
/// selector in memory.
fn far_target(cpu: &Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<(u16, u32), Exception> {
    match i.op0_kind() {
        OpKind::FarBranch32 => Ok((i.far_branch_selector(), i.far_branch32())),
        OpKind::FarBranch16 => Ok((i.far_branch_selector(), u32::from(i.far_branch16()))),
        OpKind::Memory => {
            let at = effective_address(cpu, i);
            let ctx = cpu.access_ctx();
            let wide = matches!(i.code(), Code::Jmp_m1632 | Code::Call_m1632);
            let (offset, skip) = if wide {
                (bus.read(ctx, at, Size::Dword, ReadKind::Data)?, 4)
            } else {
                (bus.read(ctx, at, Size::Word, ReadKind::Data)?, 2)
            };
            let sel = bus.read(ctx, at.wrapping_add(skip), Size::Word, ReadKind::Data)?;
            Ok((sel as u16, offset))
        }
        _ => Err(Exception::InvalidOpcode),
    }
}

/// Whether a jmp/call is a far one.
#[inline(always)]
pub fn is_far(i: &Decoded) -> bool {
    use Code::*;
    matches!(
        i.code(),
        Jmp_ptr1632
            | Jmp_ptr1616
            | Jmp_m1632
            | Jmp_m1616
            | Call_ptr1632
            | Call_ptr1616
            | Call_m1632
            | Call_m1616
    )
}

/// ljmp/lcall to a code segment at the same privilege level (CS's RPL
/// becomes the CPL); lcall pushes CS then the return EIP.
pub fn jmp_call(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let (selector, offset) = far_target(cpu, bus, i)?;
    segment::check_far_code(cpu, bus, selector)?;
    let cs = selector & !3 | u16::from(cpu.cpl());
    if i.mnemonic() == iced_x86::Mnemonic::Call {
        let size = match i.code() {
            Code::Call_ptr1616 | Code::Call_m1616 => Size::Word,
            _ => Size::Dword,
        };
        let ctx = cpu.access_ctx();
        let sp = cpu.reg(Reg::Esp);
        let (at_cs, at_ip) = (
            sp.wrapping_sub(size.bytes()),
            sp.wrapping_sub(2 * size.bytes()),
        );
        bus.probe_write(ctx, at_cs, size)?;
        bus.probe_write(ctx, at_ip, size)?;
        bus.write(ctx, at_cs, size, u32::from(cpu.seg.cs))?;
        bus.write(ctx, at_ip, size, i.next_ip32())?;
        cpu.set_reg(Reg::Esp, at_ip);
    }
    cpu.seg.cs = cs;
    Ok(Flow::Jump(offset))
}

/// Checks the CS an lret/iret returns to (SDM "IRET": null → #GP(0); not
/// code, RPL < CPL or DPL ≠ RPL → #GP(selector); not present → #NP).
fn check_return_cs(cpu: &Cpu, bus: &mut impl Bus, cs: u16) -> Result<(), Exception> {
    if cs & 0xfffc == 0 {
        return Err(Exception::GeneralProtection(0));
    }
    let d = segment::read_descriptor(cpu, bus, cs, 0)?;
    let gp = Exception::GeneralProtection(code(cs));
    let rpl = (cs & 3) as u8;
    if !d.is_code() || rpl < cpu.cpl() {
        return Err(gp);
    }
    if d.conforming() {
        return Err(Exception::Unmodelled(Unmodelled::ConformingCode {
            selector: cs,
        }));
    }
    if d.dpl != rpl {
        return Err(gp);
    }
    if !d.present {
        return Err(Exception::SegmentNotPresent(code(cs)));
    }
    require_flat(&d, cs, true)
}

/// Checks the SS popped by a return to the outer level `rpl`.
fn check_return_ss(cpu: &Cpu, bus: &mut impl Bus, ss: u16, rpl: u8) -> Result<(), Exception> {
    if ss & 0xfffc == 0 {
        return Err(Exception::GeneralProtection(0));
    }
    let d = segment::read_descriptor(cpu, bus, ss, 0)?;
    if (ss & 3) as u8 != rpl || !d.writable_data() || d.dpl != rpl {
        return Err(Exception::GeneralProtection(code(ss)));
    }
    if !d.present {
        return Err(Exception::StackFault(code(ss)));
    }
    require_flat(&d, ss, true)
}

/// After a return to an outer level, DS/ES/FS/GS holding segments the new
/// CPL may not use become null (SDM "RET", "IRET").
fn null_inaccessible(cpu: &mut Cpu) {
    let cpl = cpu.cpl();
    let regs = [
        &mut cpu.seg.ds,
        &mut cpu.seg.es,
        &mut cpu.seg.fs,
        &mut cpu.seg.gs,
    ];
    for (sel, dpl) in regs.into_iter().zip(cpu.data_dpl.iter_mut()) {
        if *dpl < cpl {
            *sel = 0;
            *dpl = 0;
        }
    }
}

/// What an lret/iret pops after EIP, CS (and EFLAGS), checked.
struct Return {
    cs: u16,
    /// For a return to an outer level: the popped ESP and SS.
    outer: Option<(u32, u16)>,
}

/// Checks CS and, for an outer return, the ESP/SS found `ss_at` bytes above
/// ESP.
fn check_return(
    cpu: &Cpu,
    bus: &mut impl Bus,
    cs: u16,
    ss_at: u32,
    size: Size,
) -> Result<Return, Exception> {
    check_return_cs(cpu, bus, cs)?;
    let rpl = (cs & 3) as u8;
    let outer = if rpl > cpu.cpl() {
        let esp = peek(cpu, bus, ss_at, size)?;
        let ss = peek(cpu, bus, ss_at + size.bytes(), Size::Word)? as u16;
        check_return_ss(cpu, bus, ss, rpl)?;
        Some((esp, ss))
    } else {
        None
    };
    Ok(Return { cs, outer })
}

/// Loads CS (and SS:ESP for an outer return, else moves ESP by `popped`).
fn finish_return(cpu: &mut Cpu, r: Return, popped: u32) {
    cpu.seg.cs = r.cs;
    match r.outer {
        Some((esp, ss)) => {
            cpu.set_reg(Reg::Esp, esp);
            cpu.seg.ss = ss;
            null_inaccessible(cpu);
        }
        None => {
            let sp = cpu.reg(Reg::Esp).wrapping_add(popped);
            cpu.set_reg(Reg::Esp, sp);
        }
    }
}

/// lret [imm16]: pop EIP and CS; returning outward also pops ESP and SS
/// (after releasing imm16 bytes of arguments).
pub fn lret(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let (size, release) = match i.code() {
        Code::Retfd => (Size::Dword, 0),
        Code::Retfd_imm16 => (Size::Dword, u32::from(i.immediate16())),
        Code::Retfw => (Size::Word, 0),
        Code::Retfw_imm16 => (Size::Word, u32::from(i.immediate16())),
        _ => return Err(Exception::InvalidOpcode),
    };
    let eip = peek(cpu, bus, 0, size)?;
    let cs = peek(cpu, bus, size.bytes(), Size::Word)? as u16;
    let base = 2 * size.bytes() + release;
    let r = check_return(cpu, bus, cs, base, size)?;
    let outer = r.outer.is_some();
    finish_return(cpu, r, base);
    if outer {
        // The outer stack's arguments are released too.
        let sp = cpu.reg(Reg::Esp).wrapping_add(release);
        cpu.set_reg(Reg::Esp, sp);
    }
    Ok(Flow::Jump(eip))
}

/// iretd (SDM "IRET", protected mode): pop EIP, CS, EFLAGS; returning to an
/// outer level also pops ESP and SS. IOPL changes only at CPL 0 and IF only
/// at CPL ≤ IOPL. A task return (NT) or a return to virtual-8086 mode is
/// outside the model.
pub fn iret(cpu: &mut Cpu, bus: &mut impl Bus) -> Result<Flow, Exception> {
    let eip = peek(cpu, bus, 0, Size::Dword)?;
    let cs = peek(cpu, bus, 4, Size::Word)? as u16;
    let popped_flags = peek(cpu, bus, 8, Size::Dword)?;
    const VM: u32 = 1 << 17;
    if popped_flags & VM != 0 && cpu.cpl() == 0 {
        return Err(Exception::Unmodelled(Unmodelled::TaskReturn));
    }
    let r = check_return(cpu, bus, cs, 12, Size::Dword)?;
    let mut writable = flags::MODELED;
    if cpu.cpl() != 0 {
        writable &= !flags::IOPL;
    }
    if cpu.cpl() > cpu.iopl() {
        writable &= !flags::IF;
    }
    cpu.eflags = (cpu.eflags & !writable) | (popped_flags & writable) | flags::RESERVED1;
    finish_return(cpu, r, 12);
    Ok(Flow::Iret(eip))
}
