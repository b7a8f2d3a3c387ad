//! Micro-operations: the commonest plain instructions, reduced once at decode
//! to what executing them needs, for bursts ([`super::burst`]).
//!
//! A burst runs a loop's instructions thousands of times from the decode
//! cache. The generic path re-derives on every execution which executor an
//! instruction needs (a `match` over iced's ~1,800 mnemonics) and then which
//! operand shape it has. A [`Uop`] is that decision made once: the 32-bit
//! register, immediate and memory forms of the ALU ops and `mov`,
//! `inc`/`dec`, `jcc` and `jmp` with their operands in place. Everything else
//! is [`Uop::Other`] and goes through `exec::dispatch`. The semantics are
//! the executors' own (the same `alu` functions, reads before writes, flags
//! last), and the differential tests run both paths: `cpu::step` (never
//! micro-ops) and `ringside exec` (the machine's bursts).

use iced_x86::{Instruction, Mnemonic, OpKind};

use super::alu::{self, BinOp};
use super::cache::Decoded;
use super::cond::Cond;
use super::cost;
use super::exec::{self, FlowKind};
use super::lazy::{self, LazyOp, Pending};
use super::operand::{effective_address, Form, Predecoded};
use super::state::Cpu;
use crate::bus::{Bus, ReadKind, Size};

/// What a plain instruction does, decided at decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Uop {
    /// `op %src, %dst` (32-bit).
    BinRR {
        op: BinOp,
        dst: u8,
        src: u8,
    },
    /// `op $imm, %dst`.
    BinRI {
        op: BinOp,
        dst: u8,
        imm: u32,
    },
    /// `op mem, %dst`.
    BinRM {
        op: BinOp,
        dst: u8,
    },
    /// `op %src, mem`.
    BinMR {
        op: BinOp,
        src: u8,
    },
    Inc {
        reg: u8,
    },
    Dec {
        reg: u8,
    },
    MovRR {
        dst: u8,
        src: u8,
    },
    MovRI {
        dst: u8,
        imm: u32,
    },
    MovRM {
        dst: u8,
    },
    MovMR {
        src: u8,
    },
    /// A conditional near branch with a 32-bit target.
    Jcc {
        cond: Cond,
        target: u32,
    },
    /// `jmp` to a 32-bit relative target.
    Jmp {
        target: u32,
    },
    /// Any other plain instruction: `exec::dispatch`.
    Other,
    /// Not plain: only `cpu::step` runs it (the burst ends before it).
    Step,
}

impl Uop {
    /// The micro-op of `instr` (already known to be plain, so no LOCK
    /// prefix), given its predecoded operands.
    pub(crate) fn new(instr: &Instruction, pre: &Predecoded) -> Uop {
        use Mnemonic::*;
        let m = instr.mnemonic();
        let bin = match m {
            Add => Some(BinOp::Add),
            Or => Some(BinOp::Or),
            Adc => Some(BinOp::Adc),
            Sbb => Some(BinOp::Sbb),
            And => Some(BinOp::And),
            Sub => Some(BinOp::Sub),
            Xor => Some(BinOp::Xor),
            Cmp => Some(BinOp::Cmp),
            Test => Some(BinOp::Test),
            _ => None,
        };
        if let Some(op) = bin {
            return match pre.form {
                Form::RegReg32 { dst, src } => Uop::BinRR { op, dst, src },
                Form::RegImm32 { dst, imm } => Uop::BinRI { op, dst, imm },
                Form::RegMem32 { dst } => Uop::BinRM { op, dst },
                Form::MemReg32 { src } => Uop::BinMR { op, src },
                _ => Uop::Other,
            };
        }
        match (m, pre.form) {
            (Inc, Form::Reg32 { reg }) => Uop::Inc { reg },
            (Dec, Form::Reg32 { reg }) => Uop::Dec { reg },
            (Mov, Form::RegReg32 { dst, src }) => Uop::MovRR { dst, src },
            (Mov, Form::RegImm32 { dst, imm }) => Uop::MovRI { dst, imm },
            (Mov, Form::RegMem32 { dst }) => Uop::MovRM { dst },
            (Mov, Form::MemReg32 { src }) => Uop::MovMR { src },
            (Jmp, _) if instr.op0_kind() == OpKind::NearBranch32 => Uop::Jmp {
                target: instr.near_branch32(),
            },
            // Only `jcc` among the mnemonics with a condition has a branch
            // operand (`setcc` and `cmovcc` have none).
            _ => match Cond::of(m) {
                Some(cond) if instr.op0_kind() == OpKind::NearBranch32 => Uop::Jcc {
                    cond,
                    target: instr.near_branch32(),
                },
                _ => Uop::Other,
            },
        }
    }
}

/// The bus's code epoch as a burst found it, and whether the burst must
/// look again before the next instruction. Only an instruction that calls
/// the bus can move the epoch (a write to code or page tables, a change of
/// mapping), so the register-only micro-ops skip the check.
pub(crate) struct EpochWatch {
    pub epoch: Option<u64>,
    /// Set when the epoch moved; the burst also keeps it set while it has
    /// more than one stop to look for.
    pub recheck: bool,
}

impl EpochWatch {
    /// Notes whether the bus's epoch moved, after a bus access.
    #[inline(always)]
    fn check(&mut self, bus: &impl Bus) {
        if bus.code_epoch() != self.epoch {
            self.recheck = true;
        }
    }
}

/// Executes `d` (plain, no LOCK prefix): its micro-op, or the generic
/// dispatch. Returns the next EIP and the cycles the instruction cost, or
/// `None` if it faulted, which leaves the CPU unchanged (as `exec` does),
/// or is not plain ([`Uop::Step`]): the caller then runs it through
/// `cpu::step`, which raises the fault. Status flags may be left in
/// `pending` ([`lazy`]); the caller settles them when the burst ends. An
/// instruction that used the bus updates `watch`.
#[inline(always)]
pub(crate) fn execute(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    d: &Decoded,
    pending: &mut Option<Pending>,
    watch: &mut EpochWatch,
) -> Option<(u32, u32)> {
    let g = |r: u8| r as usize & 7;
    match d.uop {
        Uop::BinRR { op, dst, src } => binop(cpu, op, dst, cpu.gpr[g(src)], pending),
        Uop::BinRI { op, dst, imm } => binop(cpu, op, dst, imm, pending),
        Uop::BinRM { op, dst } => {
            let at = effective_address(cpu, d);
            let b = bus
                .read(cpu.access_ctx(), at, Size::Dword, ReadKind::Data)
                .ok()?;
            watch.check(bus);
            binop(cpu, op, dst, b, pending);
        }
        Uop::BinMR { op, src } => {
            let at = effective_address(cpu, d);
            let ctx = cpu.access_ctx();
            let a = bus.read(ctx, at, Size::Dword, ReadKind::Data).ok()?;
            let b = cpu.gpr[g(src)];
            if lazy::defers(op) {
                let res = lazy::result(op, a, b);
                if op.writes_result() {
                    bus.write(ctx, at, Size::Dword, res).ok()?;
                }
                *pending = Some(Pending {
                    op: LazyOp::Bin(op),
                    a,
                    b,
                    res,
                    carry: 0,
                });
            } else {
                lazy::settle(cpu, pending);
                let (res, eflags) = alu::binop(op, a, b, Size::Dword, cpu.eflags);
                if op.writes_result() {
                    bus.write(ctx, at, Size::Dword, res).ok()?;
                }
                cpu.eflags = eflags;
            }
            watch.check(bus);
        }
        Uop::Inc { reg } => step_by(cpu, reg, LazyOp::Inc, pending),
        Uop::Dec { reg } => step_by(cpu, reg, LazyOp::Dec, pending),
        Uop::MovRR { dst, src } => cpu.gpr[g(dst)] = cpu.gpr[g(src)],
        Uop::MovRI { dst, imm } => cpu.gpr[g(dst)] = imm,
        Uop::MovRM { dst } => {
            let at = effective_address(cpu, d);
            cpu.gpr[g(dst)] = bus
                .read(cpu.access_ctx(), at, Size::Dword, ReadKind::Data)
                .ok()?;
            watch.check(bus);
        }
        Uop::MovMR { src } => {
            let at = effective_address(cpu, d);
            bus.write(cpu.access_ctx(), at, Size::Dword, cpu.gpr[g(src)])
                .ok()?;
            watch.check(bus);
        }
        Uop::Jcc { cond, target } => {
            let taken = match pending.as_ref().and_then(|p| p.holds(cond)) {
                Some(taken) => taken,
                None => {
                    lazy::settle(cpu, pending);
                    cond.holds(cpu.eflags)
                }
            };
            if taken {
                return Some((target, d.cycles + cost::TAKEN_BRANCH));
            }
        }
        Uop::Jmp { target } => return Some((target, d.cycles)),
        Uop::Other => {
            lazy::settle(cpu, pending);
            let done = other(cpu, bus, d);
            watch.check(bus);
            return done;
        }
        Uop::Step => return None,
    }
    Some((d.next_eip, d.cycles))
}

/// The generic dispatch, out of line: inlined, its hundreds of paths would
/// crowd the micro-ops' registers.
#[inline(never)]
fn other(cpu: &mut Cpu, bus: &mut impl Bus, d: &Decoded) -> Option<(u32, u32)> {
    let flow = exec::dispatch(cpu, bus, d).ok()?;
    Some(match flow.kind {
        FlowKind::Next => (d.next_eip, d.cycles),
        FlowKind::Taken => (flow.target, d.cycles + cost::TAKEN_BRANCH),
        // Plain instructions transfer control only as above or `Jump`.
        _ => (flow.target, d.cycles),
    })
}

/// `dst op= b` on 32-bit registers; the flags deferred unless `op` reads CF.
#[inline(always)]
fn binop(cpu: &mut Cpu, op: BinOp, dst: u8, b: u32, pending: &mut Option<Pending>) {
    let slot = dst as usize & 7;
    let a = cpu.gpr[slot];
    if lazy::defers(op) {
        let res = lazy::result(op, a, b);
        if op.writes_result() {
            cpu.gpr[slot] = res;
        }
        *pending = Some(Pending {
            op: LazyOp::Bin(op),
            a,
            b,
            res,
            carry: 0,
        });
        return;
    }
    lazy::settle(cpu, pending);
    let (res, eflags) = alu::binop(op, a, b, Size::Dword, cpu.eflags);
    if op.writes_result() {
        cpu.gpr[slot] = res;
    }
    cpu.eflags = eflags;
}

/// `inc`/`dec` of a 32-bit register, its flags deferred (keeping the CF it
/// found).
#[inline(always)]
fn step_by(cpu: &mut Cpu, reg: u8, op: LazyOp, pending: &mut Option<Pending>) {
    let slot = reg as usize & 7;
    let a = cpu.gpr[slot];
    let res = if op == LazyOp::Inc {
        a.wrapping_add(1)
    } else {
        a.wrapping_sub(1)
    };
    let carry = lazy::carry(cpu, pending);
    cpu.gpr[slot] = res;
    *pending = Some(Pending {
        op,
        a,
        b: 1,
        res,
        carry,
    });
}
