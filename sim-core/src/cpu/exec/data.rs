//! Data movement: mov, movzx/movsx, lea, xchg, the stack, sign extensions of the
//! accumulator, setcc and cmovcc.

use iced_x86::{Code, OpKind};

use super::{implicit_size, peek, push as push_value, system, Flow};
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::alu::sext;
use crate::cpu::cache::Decoded;
use crate::cpu::cond::Cond;
use crate::cpu::flags;
use crate::cpu::operand::{
    effective_address, gpr, operand, read, read_reg, size_of, write, write_reg, Form, Operand,
};
use crate::cpu::state::{Cpu, Reg};
use crate::trap::Exception;

/// `mov` between registers, memory (including the moffs forms) and immediates;
/// moves to and from control registers go to `system`, segment registers to
/// `seg`.
#[inline(always)]
pub fn mov(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    match i.pre.form {
        Form::RegReg32 { dst, src } => {
            cpu.gpr[dst as usize & 7] = cpu.gpr[src as usize & 7];
            return Ok(Flow::Next);
        }
        Form::RegImm32 { dst, imm } => {
            cpu.gpr[dst as usize & 7] = imm;
            return Ok(Flow::Next);
        }
        Form::RegMem32 { dst } => {
            let at = effective_address(cpu, i);
            cpu.gpr[dst as usize & 7] =
                bus.read(cpu.access_ctx(), at, Size::Dword, ReadKind::Data)?;
            return Ok(Flow::Next);
        }
        Form::MemReg32 { src } => {
            let at = effective_address(cpu, i);
            bus.write(cpu.access_ctx(), at, Size::Dword, cpu.gpr[src as usize & 7])?;
            return Ok(Flow::Next);
        }
        _ => {}
    }
    let is_cr =
        |n| i.op_kind(n) == OpKind::Register && crate::cpu::operand::is_cr(i.op_register(n));
    if is_cr(0) || is_cr(1) {
        return system::mov_cr(cpu, i);
    }
    if super::seg::is_sreg(i, 0) || super::seg::is_sreg(i, 1) {
        return super::seg::mov(cpu, bus, i);
    }
    let size = size_of(i, 0)?;
    let value = read(cpu, bus, operand(cpu, i, 1)?, size)?;
    write(cpu, bus, operand(cpu, i, 0)?, size, value)?;
    Ok(Flow::Next)
}

/// movzx/movsx: zero- or sign-extend a byte or word source.
pub fn extend(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let dst_size = size_of(i, 0)?;
    let src_size = size_of(i, 1)?;
    let v = read(cpu, bus, operand(cpu, i, 1)?, src_size)?;
    let v = if i.mnemonic() == iced_x86::Mnemonic::Movsx {
        sext(v, src_size)
    } else {
        v
    };
    write(cpu, bus, operand(cpu, i, 0)?, dst_size, v)?;
    Ok(Flow::Next)
}

/// lea: the effective address, truncated to the destination width; no access.
#[inline(always)]
pub fn lea(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    let (index, size, high) = gpr(i.op_register(0)).ok_or(Exception::InvalidOpcode)?;
    let ea = effective_address(cpu, i);
    write_reg(cpu, index, high, size, ea);
    Ok(Flow::Next)
}

/// xchg of two registers or a register and memory; the memory write comes first.
pub fn xchg(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let (a, b) = (operand(cpu, i, 0)?, operand(cpu, i, 1)?);
    let va = read(cpu, bus, a, size)?;
    let vb = read(cpu, bus, b, size)?;
    let (first, second) = match a {
        Operand::Mem(_) => ((a, vb), (b, va)),
        _ => ((b, va), (a, vb)),
    };
    write(cpu, bus, first.0, size, first.1)?;
    write(cpu, bus, second.0, size, second.1)?;
    Ok(Flow::Next)
}

/// cbw/cwde/cwd/cdq.
pub fn convert(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    let eax = cpu.reg(Reg::Eax);
    match i.code() {
        Code::Cbw => write_reg(cpu, 0, false, Size::Word, sext(eax, Size::Byte)),
        Code::Cwde => cpu.set_reg(Reg::Eax, sext(eax, Size::Word)),
        Code::Cwd => {
            let high = sext(eax, Size::Word) >> 16;
            write_reg(cpu, Reg::Edx as u8, false, Size::Word, high);
        }
        Code::Cdq => cpu.set_reg(Reg::Edx, ((eax as i32) >> 31) as u32),
        _ => return Err(Exception::InvalidOpcode),
    }
    Ok(Flow::Next)
}

/// push reg / mem / imm. `push %esp` pushes the value before the decrement, and a
/// memory operand addressed through ESP uses ESP before the decrement (SDM "PUSH").
#[inline(always)]
pub fn push(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let value = read(cpu, bus, operand(cpu, i, 0)?, size)?;
    push_value(cpu, bus, size, value)?;
    Ok(Flow::Next)
}

/// pop reg / mem. A memory destination addressed through ESP uses the incremented
/// ESP, and `pop %esp` loads the popped value (SDM "POP").
#[inline(always)]
pub fn pop(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = size_of(i, 0)?;
    let value = peek(cpu, bus, 0, size)?;
    let new_sp = cpu.reg(Reg::Esp).wrapping_add(size.bytes());
    if i.op0_kind() == OpKind::Memory {
        let old_sp = cpu.reg(Reg::Esp);
        cpu.set_reg(Reg::Esp, new_sp);
        let dst = operand(cpu, i, 0);
        let written = dst.and_then(|d| write(cpu, bus, d, size, value));
        if let Err(e) = written {
            cpu.set_reg(Reg::Esp, old_sp);
            return Err(e);
        }
        return Ok(Flow::Next);
    }
    let dst = operand(cpu, i, 0)?;
    cpu.set_reg(Reg::Esp, new_sp);
    write(cpu, bus, dst, size, value)?;
    Ok(Flow::Next)
}

/// pushal/pushaw: EAX ECX EDX EBX (original) ESP EBP ESI EDI. All eight slots are
/// probed before the first write, so a fault part-way leaves memory untouched.
pub fn push_all(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = implicit_size(i.code() == Code::Pushaw);
    let ctx = cpu.access_ctx();
    let sp = cpu.reg(Reg::Esp);
    let slot = |n: u32| sp.wrapping_sub((n + 1) * size.bytes());
    for n in 0..8 {
        bus.probe_write(ctx, slot(n), size)?;
    }
    for (n, r) in Reg::ALL.iter().enumerate() {
        bus.write(ctx, slot(n as u32), size, cpu.reg(*r))?;
    }
    cpu.set_reg(Reg::Esp, slot(7));
    Ok(Flow::Next)
}

/// popal/popaw: the reverse of pushal; the saved ESP slot is skipped.
pub fn pop_all(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = implicit_size(i.code() == Code::Popaw);
    let mut values = [0u32; 8];
    for (n, v) in values.iter_mut().enumerate() {
        *v = peek(cpu, bus, n as u32 * size.bytes(), size)?;
    }
    let sp = cpu.reg(Reg::Esp).wrapping_add(8 * size.bytes());
    for (n, r) in Reg::ALL.iter().rev().enumerate() {
        if *r != Reg::Esp {
            write_reg(cpu, *r as u8, false, size, values[n]);
        }
    }
    cpu.set_reg(Reg::Esp, sp);
    Ok(Flow::Next)
}

/// pushfl/pushfw. Only modelled flags exist (bit 1 always reads 1).
pub fn push_flags(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = implicit_size(i.code() == Code::Pushfw);
    let value = (cpu.eflags & flags::MODELED) | flags::RESERVED1;
    push_value(cpu, bus, size, value)?;
    Ok(Flow::Next)
}

/// popfl/popfw. Bits outside `flags::MODELED` stay clear, bit 1 stays set; IOPL
/// changes only at CPL 0 and IF only at CPL ≤ IOPL: otherwise popf silently
/// keeps them (SDM "POPF").
/// popfw changes only the low 16 bits.
pub fn pop_flags(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = implicit_size(i.code() == Code::Popfw);
    let value = peek(cpu, bus, 0, size)?;
    let mut writable = flags::MODELED & size.mask();
    if cpu.cpl() != 0 {
        writable &= !flags::IOPL;
    }
    if cpu.cpl() > cpu.iopl() {
        writable &= !flags::IF;
    }
    cpu.eflags = (cpu.eflags & !writable) | (value & writable) | flags::RESERVED1;
    let sp = cpu.reg(Reg::Esp).wrapping_add(size.bytes());
    cpu.set_reg(Reg::Esp, sp);
    Ok(Flow::Next)
}

/// leave: ESP ← EBP, then pop EBP (the read at EBP comes first).
pub fn leave(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let size = implicit_size(i.code() == Code::Leavew);
    let frame = cpu.reg(Reg::Ebp);
    let saved = bus.read(cpu.access_ctx(), frame, size, crate::bus::ReadKind::Data)?;
    cpu.set_reg(Reg::Esp, frame.wrapping_add(size.bytes()));
    write_reg(cpu, Reg::Ebp as u8, false, size, saved);
    Ok(Flow::Next)
}

/// setcc: the destination byte becomes 1 or 0.
#[inline(always)]
pub fn setcc(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let cond = Cond::of(i.mnemonic()).ok_or(Exception::InvalidOpcode)?;
    let value = u32::from(cond.holds(cpu.eflags));
    write(cpu, bus, operand(cpu, i, 0)?, Size::Byte, value)?;
    Ok(Flow::Next)
}

/// cmovcc: the source is read (and may fault) even when the condition is false
/// (SDM "CMOVcc").
#[inline(always)]
pub fn cmovcc(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let cond = Cond::of(i.mnemonic()).ok_or(Exception::InvalidOpcode)?;
    let size = size_of(i, 0)?;
    let value = read(cpu, bus, operand(cpu, i, 1)?, size)?;
    if cond.holds(cpu.eflags) {
        write(cpu, bus, operand(cpu, i, 0)?, size, value)?;
    }
    Ok(Flow::Next)
}

/// Read the accumulator's low `size` bits (for `out`).
pub fn accumulator(cpu: &Cpu, size: Size) -> u32 {
    read_reg(cpu, 0, false, size)
}
