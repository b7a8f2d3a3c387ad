//! Control transfer: jmp, jcc, call, ret, loop/jecxz. Near transfers only (the
//! far forms, which reload CS, are in `far`).

use iced_x86::{Code, OpKind};

use super::{implicit_size, peek, push, Flow};
use crate::bus::{Bus, Size};
use crate::cpu::cache::Decoded;
use crate::cpu::cond::Cond;
use crate::cpu::operand::{operand, read, size_of};
use crate::cpu::state::{Cpu, Reg};
use crate::trap::Exception;

/// Target of a relative branch operand; a 16-bit operand size truncates EIP to 16
/// bits (SDM "JMP": `EIP ← tempEIP AND 0000FFFFH`).
fn relative_target(i: &Decoded) -> Result<u32, Exception> {
    match i.op0_kind() {
        OpKind::NearBranch32 => Ok(i.near_branch32()),
        OpKind::NearBranch16 => Ok(u32::from(i.near_branch16())),
        _ => Err(Exception::InvalidOpcode),
    }
}

/// Target of a jmp/call: relative, or indirect through a register or memory.
fn target(cpu: &Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<u32, Exception> {
    match i.op0_kind() {
        OpKind::Register | OpKind::Memory => {
            let size = size_of(i, 0)?;
            read(cpu, bus, operand(cpu, i, 0)?, size)
        }
        _ => relative_target(i),
    }
}

#[inline(always)]
pub fn jmp(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    Ok(Flow::Jump(target(cpu, bus, i)?))
}

#[inline(always)]
pub fn jcc(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    let cond = Cond::of(i.mnemonic()).ok_or(Exception::InvalidOpcode)?;
    let to = relative_target(i)?;
    Ok(if cond.holds(cpu.eflags) {
        Flow::Taken(to)
    } else {
        Flow::Next
    })
}

/// call: the target (possibly read through ESP) is computed before the return
/// address is pushed (SDM "CALL").
#[inline(always)]
pub fn call(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let to = target(cpu, bus, i)?;
    let word = matches!(i.code(), Code::Call_rel16 | Code::Call_rm16);
    push(cpu, bus, implicit_size(word), i.next_ip32())?;
    Ok(Flow::Jump(to))
}

/// ret and ret imm16 (which releases imm16 more bytes of arguments).
#[inline(always)]
pub fn ret(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    let (size, release) = match i.code() {
        Code::Retnd => (Size::Dword, 0),
        Code::Retnd_imm16 => (Size::Dword, u32::from(i.immediate16())),
        Code::Retnw => (Size::Word, 0),
        Code::Retnw_imm16 => (Size::Word, u32::from(i.immediate16())),
        _ => return Err(Exception::InvalidOpcode),
    };
    let to = peek(cpu, bus, 0, size)?;
    let sp = cpu
        .reg(Reg::Esp)
        .wrapping_add(size.bytes())
        .wrapping_add(release);
    cpu.set_reg(Reg::Esp, sp);
    Ok(Flow::Jump(to))
}

/// loop/loope/loopne decrement the count register (CX under a 0x67 prefix) without
/// touching flags; jcxz/jecxz only test it.
#[inline(always)]
pub fn loop_(cpu: &mut Cpu, i: &Decoded) -> Result<Flow, Exception> {
    use Code::*;
    let to = relative_target(i)?;
    let cx_only = matches!(
        i.code(),
        Loop_rel8_16_CX
            | Loop_rel8_32_CX
            | Loope_rel8_16_CX
            | Loope_rel8_32_CX
            | Loopne_rel8_16_CX
            | Loopne_rel8_32_CX
            | Jcxz_rel8_16
            | Jcxz_rel8_32
    );
    let size = if cx_only { Size::Word } else { Size::Dword };
    let ecx = cpu.reg(Reg::Ecx);
    let zf = cpu.flag(crate::cpu::flags::ZF);
    let taken = match i.mnemonic() {
        iced_x86::Mnemonic::Jcxz | iced_x86::Mnemonic::Jecxz => ecx & size.mask() == 0,
        m => {
            let count = ecx.wrapping_sub(1) & size.mask();
            cpu.set_reg(Reg::Ecx, (ecx & !size.mask()) | count);
            count != 0
                && match m {
                    iced_x86::Mnemonic::Loope => zf,
                    iced_x86::Mnemonic::Loopne => !zf,
                    _ => true,
                }
        }
    };
    Ok(if taken { Flow::Taken(to) } else { Flow::Next })
}
