//! Execute one decoded instruction: an exhaustive dispatch on iced's `Mnemonic`
//! into small per-group functions (`alu`, `data`, `control`, `system`).
//!
//! Restartability (Intel SDM vol. 3, 6.5 "faults are restartable"): every function
//! here performs all fallible steps (memory reads, then memory writes) before it
//! changes any register or flag, so returning `Err` leaves the CPU exactly as it was.
//! The only instruction that writes memory more than once (`pushal`) probes all its
//! writes with [`Bus::probe_write`] first. EIP is changed only by `step`, from the
//! returned [`Flow`].

mod alu;
mod control;
mod data;
mod far;
mod seg;
mod system;

use iced_x86::{Mnemonic, OpKind};

use super::alu::{BinOp, ShiftOp};
use super::state::{Cpu, Reg};
use crate::bus::{Bus, ReadKind, Size};
use crate::cpu::cache::Decoded;
use crate::trap::Exception;

/// How control continues after an instruction: a kind and, for transfers, the
/// target. (A plain struct rather than a data-carrying enum: it stays in registers
/// in the hot path, where an enum with an uninitialised payload was spilled.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub kind: FlowKind,
    /// Branch target, or the vector of a software interrupt.
    pub target: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// Fall through to the next instruction.
    Next,
    /// An unconditional transfer (`jmp`, `call`, `ret`).
    Jump,
    /// `iret` to the target (the machine reports the return).
    Iret,
    /// A conditional branch or `loop` that was taken (costs more).
    Taken,
    /// `int n` / `int3` / `into` (taken): EIP moves past the instruction.
    SoftInt,
    /// `hlt`.
    Halt,
}

#[allow(non_upper_case_globals)]
impl Flow {
    pub const Next: Flow = Flow {
        kind: FlowKind::Next,
        target: 0,
    };
    pub const Halt: Flow = Flow {
        kind: FlowKind::Halt,
        target: 0,
    };
    #[allow(non_snake_case)]
    #[inline(always)]
    pub const fn Jump(target: u32) -> Flow {
        Flow {
            kind: FlowKind::Jump,
            target,
        }
    }
    #[allow(non_snake_case)]
    #[inline(always)]
    pub const fn Iret(target: u32) -> Flow {
        Flow {
            kind: FlowKind::Iret,
            target,
        }
    }
    #[allow(non_snake_case)]
    #[inline(always)]
    pub const fn Taken(target: u32) -> Flow {
        Flow {
            kind: FlowKind::Taken,
            target,
        }
    }
    #[allow(non_snake_case)]
    #[inline(always)]
    pub const fn SoftInt(vector: u8) -> Flow {
        Flow {
            kind: FlowKind::SoftInt,
            target: vector as u32,
        }
    }
}

/// Execute `i` on `cpu`. Anything outside the modelled subset is #UD.
#[inline(always)]
pub fn execute(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    if i.has_lock_prefix() && !lockable(i) {
        // SDM vol. 2, LOCK: #UD unless the destination is memory and the
        // instruction is one of the read-modify-write ones.
        return Err(Exception::InvalidOpcode);
    }
    dispatch(cpu, bus, i)
}

/// [`execute`] for an instruction without a LOCK prefix (bursts run only
/// those): the dispatch on the mnemonic.
#[inline(always)]
pub fn dispatch(cpu: &mut Cpu, bus: &mut impl Bus, i: &Decoded) -> Result<Flow, Exception> {
    use Mnemonic::*;
    match i.mnemonic() {
        Add => alu::binary(cpu, bus, i, BinOp::Add),
        Or => alu::binary(cpu, bus, i, BinOp::Or),
        Adc => alu::binary(cpu, bus, i, BinOp::Adc),
        Sbb => alu::binary(cpu, bus, i, BinOp::Sbb),
        And => alu::binary(cpu, bus, i, BinOp::And),
        Sub => alu::binary(cpu, bus, i, BinOp::Sub),
        Xor => alu::binary(cpu, bus, i, BinOp::Xor),
        Cmp => alu::binary(cpu, bus, i, BinOp::Cmp),
        Test => alu::binary(cpu, bus, i, BinOp::Test),
        Inc | Dec | Neg | Not => alu::unary(cpu, bus, i),
        Shl | Sal => alu::shift(cpu, bus, i, ShiftOp::Shl),
        Shr => alu::shift(cpu, bus, i, ShiftOp::Shr),
        Sar => alu::shift(cpu, bus, i, ShiftOp::Sar),
        Rol => alu::shift(cpu, bus, i, ShiftOp::Rol),
        Ror => alu::shift(cpu, bus, i, ShiftOp::Ror),
        Mul | Imul => alu::multiply(cpu, bus, i),
        Div | Idiv => alu::divide(cpu, bus, i),
        Bt | Bts | Btr | Btc => alu::bit_test(cpu, bus, i),
        Cbw | Cwde | Cwd | Cdq => data::convert(cpu, i),
        Mov => data::mov(cpu, bus, i),
        Movzx | Movsx => data::extend(cpu, bus, i),
        Lea => data::lea(cpu, i),
        Xchg => data::xchg(cpu, bus, i),
        Nop => Ok(Flow::Next),
        Push if seg::is_sreg(i, 0) => seg::push_sreg(cpu, bus, i),
        Push => data::push(cpu, bus, i),
        Pop if seg::is_sreg(i, 0) => seg::pop_sreg(cpu, bus, i),
        Pop => data::pop(cpu, bus, i),
        Pushad | Pusha => data::push_all(cpu, bus, i),
        Popad | Popa => data::pop_all(cpu, bus, i),
        Pushfd | Pushf => data::push_flags(cpu, bus, i),
        Popfd | Popf => data::pop_flags(cpu, bus, i),
        Leave => data::leave(cpu, bus, i),
        Seto | Setno | Setb | Setae | Sete | Setne | Setbe | Seta | Sets | Setns | Setp | Setnp
        | Setl | Setge | Setle | Setg => data::setcc(cpu, bus, i),
        Cmovo | Cmovno | Cmovb | Cmovae | Cmove | Cmovne | Cmovbe | Cmova | Cmovs | Cmovns
        | Cmovp | Cmovnp | Cmovl | Cmovge | Cmovle | Cmovg => data::cmovcc(cpu, bus, i),
        Jo | Jno | Jb | Jae | Je | Jne | Jbe | Ja | Js | Jns | Jp | Jnp | Jl | Jge | Jle | Jg => {
            control::jcc(cpu, i)
        }
        Jmp | Call if far::is_far(i) => far::jmp_call(cpu, bus, i),
        Jmp => control::jmp(cpu, bus, i),
        Call => control::call(cpu, bus, i),
        Ret => control::ret(cpu, bus, i),
        Retf => far::lret(cpu, bus, i),
        Loop | Loope | Loopne | Jcxz | Jecxz => control::loop_(cpu, i),
        Int | Int3 | Into => system::int(cpu, i),
        Iretd => far::iret(cpu, bus),
        Hlt => system::hlt(cpu),
        Cli | Sti | Cld | Std | Clc | Stc | Cmc => system::flag_op(cpu, i),
        In | Out => system::port_io(cpu, bus, i),
        Lidt | Lgdt => seg::load_table(cpu, bus, i),
        Sidt | Sgdt => seg::store_table(cpu, bus, i),
        Ltr => seg::ltr(cpu, bus, i),
        Str => seg::str_(cpu, bus, i),
        Lldt | Sldt => seg::ldt(cpu, i),
        _ => Err(Exception::InvalidOpcode),
    }
}

/// Instructions LOCK may prefix, when their destination is memory.
fn lockable(i: &Decoded) -> bool {
    use Mnemonic::*;
    i.op0_kind() == OpKind::Memory
        && matches!(
            i.mnemonic(),
            Add | Or | Adc | Sbb | And | Sub | Xor | Inc | Dec | Neg | Not | Xchg | Bts | Btr | Btc
        )
}

/// Push `value` (its low `size` bytes). The write comes first, so a fault leaves
/// ESP unchanged.
#[inline]
fn push(cpu: &mut Cpu, bus: &mut impl Bus, size: Size, value: u32) -> Result<(), Exception> {
    let sp = cpu.reg(Reg::Esp).wrapping_sub(size.bytes());
    bus.write(cpu.access_ctx(), sp, size, value)?;
    cpu.set_reg(Reg::Esp, sp);
    Ok(())
}

/// Read the value `offset` bytes above the top of the stack (ESP is not changed;
/// callers move it once everything else has succeeded).
#[inline]
fn peek(cpu: &Cpu, bus: &mut impl Bus, offset: u32, size: Size) -> Result<u32, Exception> {
    let at = cpu.reg(Reg::Esp).wrapping_add(offset);
    bus.read(cpu.access_ctx(), at, size, ReadKind::Data)
}

/// Operand size of an instruction with no explicit operand (`pushf`, `leave`,
/// `ret`…): 16 bits under a 0x66 prefix, else 32.
#[inline]
fn implicit_size(word: bool) -> Size {
    if word {
        Size::Word
    } else {
        Size::Dword
    }
}
