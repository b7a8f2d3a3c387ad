//! Arithmetic and logic instructions: operand plumbing around the pure functions of
//! `cpu::alu`.

use iced_x86::{Mnemonic, OpKind};

use super::Flow;
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::alu::{self, BinOp, ShiftOp};
use crate::cpu::cache::Decoded;
use crate::cpu::operand::{
    self, operand, read, read_reg, size_of, write, write_reg, Form, Operand,
};
use crate::cpu::state::{Cpu, Reg};
use crate::trap::Exception;

/// add/or/adc/sbb/and/sub/xor/cmp/test, every form and width.
#[inline(always)]
pub fn binary(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    i: &Decoded,
    op: BinOp,
) -> Result<Flow, Exception> {
    let (dst, b) = match i.pre.form {
        Form::RegReg32 { dst, src } => (dst, cpu.gpr[src as usize & 7]),
        Form::RegImm32 { dst, imm } => (dst, imm),
        Form::RegMem32 { dst } => {
            let at = operand::effective_address(cpu, i);
            (
                dst,
                bus.read(cpu.access_ctx(), at, Size::Dword, ReadKind::Data)?,
            )
        }
        Form::MemReg32 { src } => return binary_to_memory(cpu, bus, i, op, src),
        _ => return binary_any(cpu, bus, i, op),
    };
    let slot = dst as usize & 7;
    let (res, eflags) = alu::binop(op, cpu.gpr[slot], b, Size::Dword, cpu.eflags);
    if op.writes_result() {
        cpu.gpr[slot] = res;
    }
    cpu.eflags = eflags;
    Ok(Flow::Next)
}

/// [`binary`] of a 32-bit register into memory: read, compute, write, and
/// the flags last (the write may fault).
#[inline(always)]
fn binary_to_memory(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    i: &Decoded,
    op: BinOp,
    src: u8,
) -> Result<Flow, Exception> {
    let at = operand::effective_address(cpu, i);
    let ctx = cpu.access_ctx();
    let a = bus.read(ctx, at, Size::Dword, ReadKind::Data)?;
    let (res, eflags) = alu::binop(op, a, cpu.gpr[src as usize & 7], Size::Dword, cpu.eflags);
    if op.writes_result() {
        bus.write(ctx, at, Size::Dword, res)?;
    }
    cpu.eflags = eflags;
    Ok(Flow::Next)
}

/// [`binary`] for every other operand form.
fn binary_any(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    i: &Decoded,
    op: BinOp,
) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let dst = operand(cpu, i, 0)?;
    let src = operand(cpu, i, 1)?;
    let a = read(cpu, bus, dst, size)?;
    let b = read(cpu, bus, src, size)?;
    let (res, eflags) = alu::binop(op, a, b, size, cpu.eflags);
    if op.writes_result() {
        write(cpu, bus, dst, size, res)?;
    }
    cpu.eflags = eflags;
    Ok(Flow::Next)
}

/// inc/dec/neg/not.
#[inline(always)]
pub fn unary(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    if let Form::Reg32 { reg } = i.pre.form {
        let slot = reg as usize & 7;
        let (res, eflags) = unary_op(i, cpu.gpr[slot], Size::Dword, cpu.eflags);
        cpu.gpr[slot] = res;
        cpu.eflags = eflags;
        return Ok(Flow::Next);
    }
    let size = size_of(i, 0)?;
    let dst = operand(cpu, i, 0)?;
    let a = read(cpu, bus, dst, size)?;
    let (res, eflags) = unary_op(i, a, size, cpu.eflags);
    write(cpu, bus, dst, size, res)?;
    cpu.eflags = eflags;
    Ok(Flow::Next)
}

#[inline(always)]
fn unary_op(i: &Decoded, a: u32, size: Size, eflags: u32) -> (u32, u32) {
    match i.mnemonic() {
        Mnemonic::Inc => alu::inc(a, size, eflags),
        Mnemonic::Dec => alu::dec(a, size, eflags),
        Mnemonic::Neg => alu::neg(a, size, eflags),
        // SDM: NOT affects no flags.
        _ => (!a & size.mask(), eflags),
    }
}

/// Shifts and rotates by an immediate, by 1, or by CL.
#[inline(always)]
pub fn shift(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    i: &Decoded,
    op: ShiftOp,
) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let dst = operand(cpu, i, 0)?;
    let count = read(cpu, bus, operand(cpu, i, 1)?, Size::Byte)?;
    let a = read(cpu, bus, dst, size)?;
    let (res, eflags) = alu::shift(op, a, count, size, cpu.eflags);
    if count & 0x1f != 0 {
        write(cpu, bus, dst, size, res)?;
    }
    cpu.eflags = eflags;
    Ok(Flow::Next)
}

/// The accumulator pair of a widening multiply or a divide: AX for bytes (as AH:AL),
/// DX:AX for words, EDX:EAX for dwords. Returns (high, low).
fn accumulator_pair(cpu: &Cpu, size: Size) -> (u32, u32) {
    match size {
        Size::Byte => (read_reg(cpu, 0, true, size), read_reg(cpu, 0, false, size)),
        _ => (
            operand::r32(cpu, Reg::Edx) & size.mask(),
            operand::r32(cpu, Reg::Eax) & size.mask(),
        ),
    }
}

fn set_accumulator_pair(cpu: &mut Cpu, size: Size, high: u32, low: u32) {
    match size {
        Size::Byte => {
            write_reg(cpu, 0, true, size, high);
            write_reg(cpu, 0, false, size, low);
        }
        _ => {
            write_reg(cpu, Reg::Edx as u8, false, size, high);
            write_reg(cpu, Reg::Eax as u8, false, size, low);
        }
    }
}

/// mul, and imul in its one-, two- and three-operand forms. CF = OF = "the result
/// did not fit"; the other flags follow [`alu::mul_flags`].
#[inline(always)]
pub fn multiply(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let signed = i.mnemonic() == Mnemonic::Imul;
    if i.op_count() == 1 {
        let src = read(cpu, bus, operand(cpu, i, 0)?, size)?;
        let (_, acc) = accumulator_pair(cpu, size);
        let (low, high, overflow) = if signed {
            alu::imul(acc, src, size)
        } else {
            let (low, high) = alu::mul(acc, src, size);
            (low, high, high != 0)
        };
        set_accumulator_pair(cpu, size, high, low);
        cpu.eflags = alu::mul_flags(overflow, cpu.eflags);
        return Ok(Flow::Next);
    }
    // imul r, r/m  (dst *= src)   or   imul r, r/m, imm  (dst = src * imm)
    let dst = operand(cpu, i, 0)?;
    let (a, b) = if i.op_count() == 2 {
        let a = read(cpu, bus, dst, size)?;
        (a, read(cpu, bus, operand(cpu, i, 1)?, size)?)
    } else {
        let a = read(cpu, bus, operand(cpu, i, 1)?, size)?;
        (a, read(cpu, bus, operand(cpu, i, 2)?, size)?)
    };
    let (low, _, overflow) = alu::imul(a, b, size);
    write(cpu, bus, dst, size, low)?;
    cpu.eflags = alu::mul_flags(overflow, cpu.eflags);
    Ok(Flow::Next)
}

/// div/idiv: #DE on a zero divisor or a quotient that does not fit (SDM "DIV").
pub fn divide(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let divisor = read(cpu, bus, operand(cpu, i, 0)?, size)?;
    let (high, low) = accumulator_pair(cpu, size);
    let result = if i.mnemonic() == Mnemonic::Idiv {
        alu::idiv(high, low, divisor, size)
    } else {
        alu::div(high, low, divisor, size)
    };
    let (quotient, remainder) = result.ok_or(Exception::DivideError)?;
    set_accumulator_pair(cpu, size, remainder, quotient);
    cpu.eflags = alu::div_flags(cpu.eflags);
    Ok(Flow::Next)
}

/// bt/bts/btr/btc. With a register bit offset and a memory operand the operand is a
/// bit string: the offset is signed and may select any bit relative to the address
/// (SDM "BT", bit-string addressing); the processor accesses the word/dword that
/// holds the bit. With an immediate or a register destination the offset is taken
/// modulo the operand width.
pub fn bit_test(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let bits = size.bits();
    let offset = read(cpu, bus, operand(cpu, i, 1)?, size)?;
    let mut target = operand(cpu, i, 0)?;
    let bit = match (target, i.op_kind(1)) {
        (Operand::Mem(addr), OpKind::Register) => {
            let signed = alu::sext(offset, size) as i32;
            let unit = signed >> bits.trailing_zeros();
            target = Operand::Mem(addr.wrapping_add((unit as u32).wrapping_mul(size.bytes())));
            offset & (bits - 1)
        }
        _ => offset & (bits - 1),
    };
    let value = match target {
        Operand::Mem(addr) => bus.read(cpu.access_ctx(), addr, size, ReadKind::Data)?,
        other => read(cpu, bus, other, size)?,
    };
    let mask = 1u32 << bit;
    let new = match i.mnemonic() {
        Mnemonic::Bts => Some(value | mask),
        Mnemonic::Btr => Some(value & !mask),
        Mnemonic::Btc => Some(value ^ mask),
        _ => None,
    };
    if let Some(v) = new {
        write(cpu, bus, target, size, v)?;
    }
    cpu.eflags = alu::bt_flags(value & mask != 0, cpu.eflags);
    Ok(Flow::Next)
}
