//! Operand kinds: a register (of any width, including AH–BH), a memory location
//! (a linear address; segments are flat) or an immediate. One `read`/`write` pair
//! serves every instruction form, as mooneye-gb's operand traits do.

use iced_x86::{Instruction, OpKind, Register};

use super::state::{Cpu, Reg};
use crate::bus::{Bus, ReadKind, Size};
use crate::trap::Exception;

/// Where an operand lives once its address has been computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A general-purpose register: its index (encoding order), and for the byte
    /// registers AH CH DH BH, `high` selects bits 8–15.
    Reg { index: u8, high: bool },
    /// A memory operand at this linear address.
    Mem(u32),
    /// An immediate, already sign-extended to the operand size.
    Imm(u32),
}

/// A general-purpose register as (index, width, high byte), or `None` for any other
/// register (segment, control, x87…), which the subset does not handle.
#[inline(always)]
pub fn gpr(r: Register) -> Option<(u8, Size, bool)> {
    let n = r as u32;
    if r.is_gpr8() {
        let i = n - Register::AL as u32;
        return match i {
            0..=3 => Some((i as u8, Size::Byte, false)),
            4..=7 => Some(((i - 4) as u8, Size::Byte, true)),
            _ => None,
        };
    }
    if r.is_gpr16() {
        let i = n - Register::AX as u32;
        return (i < 8).then_some((i as u8, Size::Word, false));
    }
    if r.is_gpr32() {
        let i = n - Register::EAX as u32;
        return (i < 8).then_some((i as u8, Size::Dword, false));
    }
    None
}

/// Width of operand `i`: its register's width, the memory operand's size, or for an
/// immediate the width of operand 0 (immediates always match the destination).
#[inline(always)]
pub fn size_of(instr: &Instruction, i: u32) -> Result<Size, Exception> {
    match instr.op_kind(i) {
        OpKind::Register => gpr(instr.op_register(i))
            .map(|(_, s, _)| s)
            .ok_or(Exception::InvalidOpcode),
        OpKind::Memory => match instr.memory_size().size() {
            1 => Ok(Size::Byte),
            2 => Ok(Size::Word),
            4 => Ok(Size::Dword),
            _ => Err(Exception::InvalidOpcode),
        },
        OpKind::Immediate8 => Ok(Size::Byte),
        OpKind::Immediate16 | OpKind::Immediate8to16 => Ok(Size::Word),
        OpKind::Immediate32 | OpKind::Immediate8to32 => Ok(Size::Dword),
        _ => Err(Exception::InvalidOpcode),
    }
}

/// Effective (= linear, flat segments) address of the memory operand:
/// base + index × scale + displacement, wrapping; truncated to 16 bits under a 0x67
/// address-size prefix (SDM vol. 1, 3.7.5).
#[inline(always)]
pub fn effective_address(cpu: &Cpu, instr: &Instruction) -> u32 {
    let base = instr.memory_base();
    let index = instr.memory_index();
    let mut addr = instr.memory_displacement32();
    let mut addr16 = false;
    if let Some((i, s, _)) = gpr(base) {
        addr = addr.wrapping_add(cpu.gpr[i as usize]);
        addr16 = s == Size::Word;
    }
    if let Some((i, s, _)) = gpr(index) {
        addr = addr.wrapping_add(cpu.gpr[i as usize].wrapping_mul(instr.memory_index_scale()));
        addr16 |= s == Size::Word;
    }
    if addr16 {
        addr &= 0xffff;
    }
    addr
}

/// Resolve operand `i` of `instr`.
#[inline(always)]
pub fn operand(cpu: &Cpu, instr: &Instruction, i: u32) -> Result<Operand, Exception> {
    match instr.op_kind(i) {
        OpKind::Register => {
            let (index, _, high) = gpr(instr.op_register(i)).ok_or(Exception::InvalidOpcode)?;
            Ok(Operand::Reg { index, high })
        }
        OpKind::Memory => Ok(Operand::Mem(effective_address(cpu, instr))),
        // iced's generic `immediate(i)` is slower than the typed accessors here.
        OpKind::Immediate8 => Ok(Operand::Imm(u32::from(instr.immediate8()))),
        OpKind::Immediate16 => Ok(Operand::Imm(u32::from(instr.immediate16()))),
        OpKind::Immediate32 => Ok(Operand::Imm(instr.immediate32())),
        OpKind::Immediate8to16 => Ok(Operand::Imm(instr.immediate8to16() as u16 as u32)),
        OpKind::Immediate8to32 => Ok(Operand::Imm(instr.immediate8to32() as u32)),
        _ => Err(Exception::InvalidOpcode),
    }
}

/// Read a register of the given width.
#[inline(always)]
pub fn read_reg(cpu: &Cpu, index: u8, high: bool, size: Size) -> u32 {
    let v = cpu.gpr[index as usize & 7];
    if high {
        (v >> 8) & 0xff
    } else {
        v & size.mask()
    }
}

/// Write a register of the given width; narrower writes keep the other bits (in
/// 32-bit mode a 16- or 8-bit write does not zero the upper part).
#[inline(always)]
pub fn write_reg(cpu: &mut Cpu, index: u8, high: bool, size: Size, value: u32) {
    let slot = &mut cpu.gpr[index as usize & 7];
    if high {
        *slot = (*slot & !0xff00) | ((value & 0xff) << 8);
    } else {
        let m = size.mask();
        *slot = (*slot & !m) | (value & m);
    }
}

/// Read an operand (immediates are masked to `size`).
#[inline(always)]
pub fn read(cpu: &Cpu, bus: &mut impl Bus, op: Operand, size: Size) -> Result<u32, Exception> {
    match op {
        Operand::Reg { index, high } => Ok(read_reg(cpu, index, high, size)),
        Operand::Mem(addr) => bus.read(cpu.access_ctx(), addr, size, ReadKind::Data),
        Operand::Imm(v) => Ok(v & size.mask()),
    }
}

/// Write an operand. A memory write either completes or changes nothing (the bus
/// contract), so an instruction whose only fallible step is its last write stays
/// restartable.
#[inline(always)]
pub fn write(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    op: Operand,
    size: Size,
    value: u32,
) -> Result<(), Exception> {
    match op {
        Operand::Reg { index, high } => {
            write_reg(cpu, index, high, size, value);
            Ok(())
        }
        Operand::Mem(addr) => bus.write(cpu.access_ctx(), addr, size, value),
        Operand::Imm(_) => Err(Exception::InvalidOpcode),
    }
}

/// Read a 32-bit register by name.
#[inline(always)]
pub fn r32(cpu: &Cpu, r: Reg) -> u32 {
    cpu.gpr[r as usize]
}
