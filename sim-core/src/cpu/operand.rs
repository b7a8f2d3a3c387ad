//! Operand kinds: a register (of any width, including AH–BH), a memory location
//! (a linear address; segments are flat) or an immediate. One `read`/`write` pair
//! serves every instruction form, as mooneye-gb's operand traits do.

use iced_x86::{Instruction, MemorySize, OpKind, Register};

use super::cache::Decoded;
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
    let from = |first: Register| n.checked_sub(first as u32).filter(|i| *i < 8);
    if let Some(i) = from(Register::AL) {
        // AL CL DL BL, then the high bytes AH CH DH BH of the same four.
        return Some(((i & 3) as u8, Size::Byte, i >= 4));
    }
    if let Some(i) = from(Register::AX) {
        return Some((i as u8, Size::Word, false));
    }
    from(Register::EAX).map(|i| (i as u8, Size::Dword, false))
}

/// ES, CS, SS, DS, FS, GS.
#[inline(always)]
pub fn is_segment(r: Register) -> bool {
    (Register::ES as u32..=Register::GS as u32).contains(&(r as u32))
}

/// CR0..CR15 (`mov` to and from a control register).
#[inline(always)]
pub fn is_cr(r: Register) -> bool {
    (Register::CR0 as u32..=Register::CR15 as u32).contains(&(r as u32))
}

/// Bytes of a memory operand of the integer kinds the subset reads and writes.
fn memory_bytes(m: MemorySize) -> Option<Size> {
    use MemorySize as M;
    match m {
        M::UInt8 | M::Int8 => Some(Size::Byte),
        M::UInt16 | M::Int16 | M::WordOffset => Some(Size::Word),
        M::UInt32 | M::Int32 | M::DwordOffset | M::SegPtr16 | M::Bound16_WordWord => {
            Some(Size::Dword)
        }
        _ => None,
    }
}

/// Operand `i` as far as it can be known at decode time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreOperand {
    Reg {
        index: u8,
        high: bool,
    },
    /// The instruction's memory operand (address computed at run time).
    Mem,
    Imm(u32),
    /// Absent, or a kind the subset does not handle as a data operand (branch
    /// targets, segment/control registers…).
    Other,
}

/// The memory operand's addressing form: base + index × scale + displacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemForm {
    base: Option<u8>,
    index: Option<u8>,
    scale: u32,
    disp: u32,
    /// 16-bit addressing (0x67 prefix): the address wraps at 64 KiB.
    addr16: bool,
}

/// What execution needs from the decoder, extracted once when an instruction is
/// decoded (and cached), so the hot path does not re-derive it from iced's packed
/// fields on every execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Predecoded {
    ops: [PreOperand; 3],
    sizes: [Option<Size>; 3],
    mem: MemForm,
    /// The most common shapes, for the ALU and `mov` fast paths.
    pub form: Form,
}

/// The operand shapes most instructions in a loop have: 32-bit general
/// registers and immediates. Their executors skip the generic operand
/// plumbing (same semantics: the differential tests cover both paths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `op %src, %dst`, both 32-bit.
    RegReg32 {
        dst: u8,
        src: u8,
    },
    /// `op $imm, %dst`, 32-bit (the immediate sign-extended).
    RegImm32 {
        dst: u8,
        imm: u32,
    },
    /// One 32-bit register operand.
    Reg32 {
        reg: u8,
    },
    /// `op mem, %dst`, both 32-bit.
    RegMem32 {
        dst: u8,
    },
    /// `op %src, mem`, both 32-bit.
    MemReg32 {
        src: u8,
    },
    Other,
}

impl Predecoded {
    pub fn new(instr: &Instruction) -> Self {
        let mut ops = [PreOperand::Other; 3];
        let mut sizes = [None; 3];
        for i in 0..instr.op_count().min(3) {
            ops[i as usize] = pre_operand(instr, i);
            sizes[i as usize] = operand_size(instr, i);
        }
        let (base, index) = (gpr(instr.memory_base()), gpr(instr.memory_index()));
        let is16 = |r: Option<(u8, Size, bool)>| r.is_some_and(|(_, s, _)| s == Size::Word);
        let mem = MemForm {
            base: base.map(|(i, _, _)| i),
            index: index.map(|(i, _, _)| i),
            scale: instr.memory_index_scale(),
            disp: instr.memory_displacement32(),
            addr16: is16(base) || is16(index),
        };
        let dword = |i: usize| sizes[i] == Some(Size::Dword);
        let form = match (instr.op_count(), ops[0], ops[1]) {
            (
                2,
                PreOperand::Reg {
                    index: dst,
                    high: false,
                },
                PreOperand::Reg {
                    index: src,
                    high: false,
                },
            ) if dword(0) && dword(1) => Form::RegReg32 { dst, src },
            (
                2,
                PreOperand::Reg {
                    index: dst,
                    high: false,
                },
                PreOperand::Imm(imm),
            ) if dword(0) && dword(1) => Form::RegImm32 { dst, imm },
            (1, PreOperand::Reg { index, high: false }, _) if dword(0) => {
                Form::Reg32 { reg: index }
            }
            (
                2,
                PreOperand::Reg {
                    index: dst,
                    high: false,
                },
                PreOperand::Mem,
            ) if dword(0) && dword(1) => Form::RegMem32 { dst },
            (
                2,
                PreOperand::Mem,
                PreOperand::Reg {
                    index: src,
                    high: false,
                },
            ) if dword(0) && dword(1) => Form::MemReg32 { src },
            _ => Form::Other,
        };
        Predecoded {
            ops,
            sizes,
            mem,
            form,
        }
    }
}

fn pre_operand(instr: &Instruction, i: u32) -> PreOperand {
    match instr.op_kind(i) {
        OpKind::Register => match gpr(instr.op_register(i)) {
            Some((index, _, high)) => PreOperand::Reg { index, high },
            None => PreOperand::Other,
        },
        OpKind::Memory => PreOperand::Mem,
        OpKind::Immediate8 => PreOperand::Imm(u32::from(instr.immediate8())),
        OpKind::Immediate16 => PreOperand::Imm(u32::from(instr.immediate16())),
        OpKind::Immediate32 => PreOperand::Imm(instr.immediate32()),
        OpKind::Immediate8to16 => PreOperand::Imm(u32::from(instr.immediate8to16() as u16)),
        OpKind::Immediate8to32 => PreOperand::Imm(instr.immediate8to32() as u32),
        _ => PreOperand::Other,
    }
}

/// Width of operand `i`: its register's width, the memory operand's size, or the
/// immediate's (sign-extended) width.
fn operand_size(instr: &Instruction, i: u32) -> Option<Size> {
    match instr.op_kind(i) {
        OpKind::Register => gpr(instr.op_register(i)).map(|(_, s, _)| s),
        OpKind::Memory => memory_bytes(instr.memory_size()),
        OpKind::Immediate8 => Some(Size::Byte),
        OpKind::Immediate16 | OpKind::Immediate8to16 => Some(Size::Word),
        OpKind::Immediate32 | OpKind::Immediate8to32 => Some(Size::Dword),
        _ => None,
    }
}

/// Width of operand `i` (#UD if it has none we handle, e.g. a segment register).
#[inline(always)]
pub fn size_of(d: &Decoded, i: u32) -> Result<Size, Exception> {
    d.pre
        .sizes
        .get(i as usize)
        .copied()
        .flatten()
        .ok_or(Exception::InvalidOpcode)
}

/// Effective (= linear, flat segments) address of the memory operand:
/// base + index × scale + displacement, wrapping; truncated to 16 bits under a 0x67
/// address-size prefix (SDM vol. 1, 3.7.5).
#[inline(always)]
pub fn effective_address(cpu: &Cpu, d: &Decoded) -> u32 {
    let m = &d.pre.mem;
    let mut addr = m.disp;
    if let Some(b) = m.base {
        addr = addr.wrapping_add(cpu.gpr[b as usize & 7]);
    }
    if let Some(i) = m.index {
        addr = addr.wrapping_add(cpu.gpr[i as usize & 7].wrapping_mul(m.scale));
    }
    if m.addr16 {
        addr &= 0xffff;
    }
    addr
}

/// Resolve operand `i` of `d`.
#[inline(always)]
pub fn operand(cpu: &Cpu, d: &Decoded, i: u32) -> Result<Operand, Exception> {
    match d.pre.ops.get(i as usize) {
        Some(PreOperand::Reg { index, high }) => Ok(Operand::Reg {
            index: *index,
            high: *high,
        }),
        Some(PreOperand::Mem) => Ok(Operand::Mem(effective_address(cpu, d))),
        Some(PreOperand::Imm(v)) => Ok(Operand::Imm(*v)),
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
