//! Segment registers and descriptor tables: mov/push/pop of segment
//! registers, lgdt/sgdt/sidt, ltr/str (the checks are in
//! [`crate::cpu::segment`]).

use iced_x86::{Code, OpKind, Register};

use super::{peek, push, Flow};
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::cache::Decoded;
use crate::cpu::operand::{effective_address, gpr, read_reg, write_reg};
use crate::cpu::segment::{self, SegReg, Unmodelled};
use crate::cpu::state::{Cpu, Reg};
use crate::trap::Exception;

/// Whether operand `n` is a segment register.
#[inline(always)]
pub fn is_sreg(i: &Decoded, n: u32) -> bool {
    i.op_kind(n) == OpKind::Register && crate::cpu::operand::is_segment(i.op_register(n))
}

fn seg_reg(r: Register) -> Option<SegReg> {
    Some(match r {
        Register::ES => SegReg::Es,
        Register::SS => SegReg::Ss,
        Register::DS => SegReg::Ds,
        Register::FS => SegReg::Fs,
        Register::GS => SegReg::Gs,
        _ => return None,
    })
}

fn selector_of(cpu: &Cpu, r: Register) -> u16 {
    match r {
        Register::CS => cpu.seg.cs,
        Register::SS => cpu.seg.ss,
        Register::DS => cpu.seg.ds,
        Register::ES => cpu.seg.es,
        Register::FS => cpu.seg.fs,
        _ => cpu.seg.gs,
    }
}

/// Loads a checked selector (see [`segment::check_data_load`]).
pub fn load(cpu: &mut Cpu, reg: SegReg, selector: u16, dpl: u8) {
    let (slot, dpl_slot) = match reg {
        SegReg::Ss => (&mut cpu.seg.ss, None),
        SegReg::Ds => (&mut cpu.seg.ds, Some(0)),
        SegReg::Es => (&mut cpu.seg.es, Some(1)),
        SegReg::Fs => (&mut cpu.seg.fs, Some(2)),
        SegReg::Gs => (&mut cpu.seg.gs, Some(3)),
    };
    *slot = selector;
    if let Some(k) = dpl_slot {
        cpu.data_dpl[k] = dpl;
    }
}

/// mov to or from a segment register. Moving to CS is #UD (SDM "MOV").
pub fn mov(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    if is_sreg(i, 0) {
        let reg = seg_reg(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
        let selector = match i.op_kind(1) {
            OpKind::Memory => {
                let at = effective_address(cpu, i);
                bus.read(cpu.access_ctx(), at, Size::Word, ReadKind::Data)? as u16
            }
            _ => {
                let (index, _, _) = gpr(i.op_register(1)).ok_or(Exception::InvalidOpcode)?;
                read_reg(cpu, index, false, Size::Word) as u16
            }
        };
        let dpl = segment::check_data_load(cpu, bus, reg, selector)?;
        load(cpu, reg, selector, dpl);
        return Ok(Flow::Next);
    }
    let selector = u32::from(selector_of(cpu, i.op_register(1)));
    match i.op_kind(0) {
        OpKind::Memory => {
            let at = effective_address(cpu, i);
            bus.write(cpu.access_ctx(), at, Size::Word, selector)?;
        }
        _ => {
            // To a 32-bit register the selector is zero-extended.
            let (index, size, _) = gpr(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
            write_reg(cpu, index, false, size, selector);
        }
    }
    Ok(Flow::Next)
}

/// push of a segment register: a 32-bit slot holding the zero-extended
/// selector (16-bit under 0x66).
pub fn push_sreg(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = stack_size(i);
    let selector = selector_of(cpu, i.op_register(0));
    push(cpu, bus, size, u32::from(selector))?;
    Ok(Flow::Next)
}

/// pop into DS/ES/FS/GS/SS: the load is checked before ESP moves.
pub fn pop_sreg(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let reg = seg_reg(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
    let size = stack_size(i);
    let selector = peek(cpu, bus, 0, Size::Word)? as u16;
    let dpl = segment::check_data_load(cpu, bus, reg, selector)?;
    let sp = cpu.reg(Reg::Esp).wrapping_add(size.bytes());
    cpu.set_reg(Reg::Esp, sp);
    load(cpu, reg, selector, dpl);
    Ok(Flow::Next)
}

fn stack_size(i: &Decoded) -> Size {
    use Code::*;
    match i.code() {
        Pushw_ES | Pushw_CS | Pushw_SS | Pushw_DS | Pushw_FS | Pushw_GS | Popw_ES | Popw_SS
        | Popw_DS | Popw_FS | Popw_GS => Size::Word,
        _ => Size::Dword,
    }
}

/// lgdt/lidt m16&32 (ring 0): limit (word) then base (dword); with a 16-bit
/// operand size only 24 bits of the base are loaded (SDM "LGDT/LIDT").
pub fn load_table(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    super::system::require_ring0(cpu)?;
    if i.op0_kind() != OpKind::Memory {
        return Err(Exception::InvalidOpcode);
    }
    let at = effective_address(cpu, i);
    let ctx = cpu.access_ctx();
    let limit = bus.read(ctx, at, Size::Word, ReadKind::Data)? as u16;
    let mut base = bus.read(ctx, at.wrapping_add(2), Size::Dword, ReadKind::Data)?;
    if matches!(i.code(), Code::Lidt_m1632_16 | Code::Lgdt_m1632_16) {
        base &= 0x00ff_ffff;
    }
    let table = if matches!(i.code(), Code::Lgdt_m1632_16 | Code::Lgdt_m1632) {
        &mut cpu.gdtr
    } else {
        &mut cpu.idtr
    };
    table.limit = limit;
    table.base = base;
    Ok(Flow::Next)
}

/// sgdt/sidt m: limit then the 32-bit base (any CPL: UMIP is not modelled).
pub fn store_table(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    if i.op0_kind() != OpKind::Memory {
        return Err(Exception::InvalidOpcode);
    }
    let table = if matches!(i.code(), Code::Sgdt_m1632_16 | Code::Sgdt_m1632) {
        cpu.gdtr
    } else {
        cpu.idtr
    };
    let at = effective_address(cpu, i);
    let ctx = cpu.access_ctx();
    bus.probe_write(ctx, at, Size::Dword)?;
    bus.probe_write(ctx, at.wrapping_add(2), Size::Dword)?;
    bus.write(ctx, at, Size::Word, u32::from(table.limit))?;
    bus.write(ctx, at.wrapping_add(2), Size::Dword, table.base)?;
    Ok(Flow::Next)
}

/// The selector operand of ltr/lldt (a register or a word in memory).
fn selector_operand(cpu: &Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<u16, Exception> {
    Ok(match i.op0_kind() {
        OpKind::Memory => {
            let at = effective_address(cpu, i);
            bus.read(cpu.access_ctx(), at, Size::Word, ReadKind::Data)? as u16
        }
        _ => {
            let (index, _, _) = gpr(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
            read_reg(cpu, index, false, Size::Word) as u16
        }
    })
}

/// ltr (ring 0, SDM "LTR"): the selector must name an available 32-bit TSS
/// in the GDT (#GP(0) if null, #GP(selector) otherwise, #NP if not present);
/// the descriptor is marked busy and TR's base and limit are loaded.
pub fn ltr(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    super::system::require_ring0(cpu)?;
    let selector = selector_operand(cpu, bus, i)?;
    segment::load_tr(cpu, bus, selector)?;
    Ok(Flow::Next)
}

/// str r/m16: TR's selector (any CPL).
pub fn str_(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let selector = u32::from(cpu.tr.selector);
    match i.op0_kind() {
        OpKind::Memory => {
            let at = effective_address(cpu, i);
            bus.write(cpu.access_ctx(), at, Size::Word, selector)?;
        }
        _ => {
            let (index, size, _) = gpr(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
            write_reg(cpu, index, false, size, selector);
        }
    }
    Ok(Flow::Next)
}

/// lldt/sldt: the LDT is not modelled (ring 0); at CPL > 0 lldt is #GP(0)
/// first, as on hardware.
pub fn ldt(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    if i.mnemonic() == iced_x86::Mnemonic::Lldt {
        super::system::require_ring0(cpu)?;
    }
    Err(Exception::Unmodelled(Unmodelled::Ldt))
}
