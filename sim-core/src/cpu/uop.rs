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
use crate::bus::{AccessCtx, Bus, ReadKind, Size};

/// What a plain instruction does, decided at decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Uop {
    // `op %src, %dst` and `op $imm, %dst` (32-bit) for the operations whose
    // flags are deferred (see `lazy`), one variant each, so that a burst
    // dispatches once and each arm computes one known operation.
    AddRR {
        dst: u8,
        src: u8,
    },
    OrRR {
        dst: u8,
        src: u8,
    },
    AndRR {
        dst: u8,
        src: u8,
    },
    SubRR {
        dst: u8,
        src: u8,
    },
    XorRR {
        dst: u8,
        src: u8,
    },
    CmpRR {
        dst: u8,
        src: u8,
    },
    TestRR {
        dst: u8,
        src: u8,
    },
    AddRI {
        dst: u8,
        imm: u32,
    },
    OrRI {
        dst: u8,
        imm: u32,
    },
    AndRI {
        dst: u8,
        imm: u32,
    },
    SubRI {
        dst: u8,
        imm: u32,
    },
    XorRI {
        dst: u8,
        imm: u32,
    },
    CmpRI {
        dst: u8,
        imm: u32,
    },
    TestRI {
        dst: u8,
        imm: u32,
    },
    /// `op %src, %dst` (32-bit): `adc`, `sbb`.
    BinRR {
        op: BinOp,
        dst: u8,
        src: u8,
    },
    /// `op $imm, %dst`: `adc`, `sbb`.
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
    // The conditional near branches (32-bit targets) that only read ZF or
    // CF, which `lazy::Pending` always has at hand.
    Je {
        target: u32,
    },
    Jne {
        target: u32,
    },
    Jb {
        target: u32,
    },
    Jae {
        target: u32,
    },
    /// Any other conditional near branch with a 32-bit target.
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
                Form::RegReg32 { dst, src } => reg_reg(op, dst, src),
                Form::RegImm32 { dst, imm } => reg_imm(op, dst, imm),
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
                Some(cond) if instr.op0_kind() == OpKind::NearBranch32 => {
                    let target = instr.near_branch32();
                    match cond {
                        Cond::E => Uop::Je { target },
                        Cond::Ne => Uop::Jne { target },
                        Cond::B => Uop::Jb { target },
                        Cond::Ae => Uop::Jae { target },
                        _ => Uop::Jcc { cond, target },
                    }
                }
                _ => Uop::Other,
            },
        }
    }
}

/// `op %src, %dst`: its own variant if its flags are deferred.
fn reg_reg(op: BinOp, dst: u8, src: u8) -> Uop {
    match op {
        BinOp::Add => Uop::AddRR { dst, src },
        BinOp::Or => Uop::OrRR { dst, src },
        BinOp::And => Uop::AndRR { dst, src },
        BinOp::Sub => Uop::SubRR { dst, src },
        BinOp::Xor => Uop::XorRR { dst, src },
        BinOp::Cmp => Uop::CmpRR { dst, src },
        BinOp::Test => Uop::TestRR { dst, src },
        BinOp::Adc | BinOp::Sbb => Uop::BinRR { op, dst, src },
    }
}

/// `op $imm, %dst`: its own variant if its flags are deferred.
fn reg_imm(op: BinOp, dst: u8, imm: u32) -> Uop {
    match op {
        BinOp::Add => Uop::AddRI { dst, imm },
        BinOp::Or => Uop::OrRI { dst, imm },
        BinOp::And => Uop::AndRI { dst, imm },
        BinOp::Sub => Uop::SubRI { dst, imm },
        BinOp::Xor => Uop::XorRI { dst, imm },
        BinOp::Cmp => Uop::CmpRI { dst, imm },
        BinOp::Test => Uop::TestRI { dst, imm },
        BinOp::Adc | BinOp::Sbb => Uop::BinRI { op, dst, imm },
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
/// instruction that used the bus updates `watch`. `ctx` is
/// `cpu.access_ctx()`, which a plain instruction cannot change, so a burst
/// computes it once.
#[inline(always)]
pub(crate) fn execute(
    cpu: &mut Cpu,
    bus: &mut impl Bus,
    ctx: AccessCtx,
    d: &Decoded,
    pending: &mut Pending,
    watch: &mut EpochWatch,
) -> Option<(u32, u32)> {
    let g = |r: u8| r as usize & 7;
    let r = |cpu: &Cpu, src: u8| cpu.gpr[g(src)];
    match d.uop {
        Uop::AddRR { dst, src } => binop(cpu, BinOp::Add, dst, r(cpu, src), pending),
        Uop::OrRR { dst, src } => binop(cpu, BinOp::Or, dst, r(cpu, src), pending),
        Uop::AndRR { dst, src } => binop(cpu, BinOp::And, dst, r(cpu, src), pending),
        Uop::SubRR { dst, src } => binop(cpu, BinOp::Sub, dst, r(cpu, src), pending),
        Uop::XorRR { dst, src } => binop(cpu, BinOp::Xor, dst, r(cpu, src), pending),
        Uop::CmpRR { dst, src } => binop(cpu, BinOp::Cmp, dst, r(cpu, src), pending),
        Uop::TestRR { dst, src } => binop(cpu, BinOp::Test, dst, r(cpu, src), pending),
        Uop::AddRI { dst, imm } => binop(cpu, BinOp::Add, dst, imm, pending),
        Uop::OrRI { dst, imm } => binop(cpu, BinOp::Or, dst, imm, pending),
        Uop::AndRI { dst, imm } => binop(cpu, BinOp::And, dst, imm, pending),
        Uop::SubRI { dst, imm } => binop(cpu, BinOp::Sub, dst, imm, pending),
        Uop::XorRI { dst, imm } => binop(cpu, BinOp::Xor, dst, imm, pending),
        Uop::CmpRI { dst, imm } => binop(cpu, BinOp::Cmp, dst, imm, pending),
        Uop::TestRI { dst, imm } => binop(cpu, BinOp::Test, dst, imm, pending),
        Uop::BinRR { op, dst, src } => binop(cpu, op, dst, r(cpu, src), pending),
        Uop::BinRI { op, dst, imm } => binop(cpu, op, dst, imm, pending),
        Uop::BinRM { op, dst } => {
            let at = effective_address(cpu, d);
            let b = bus.read(ctx, at, Size::Dword, ReadKind::Data).ok()?;
            watch.check(bus);
            binop(cpu, op, dst, b, pending);
        }
        Uop::BinMR { op, src } => {
            let at = effective_address(cpu, d);
            let a = bus.read(ctx, at, Size::Dword, ReadKind::Data).ok()?;
            let b = cpu.gpr[g(src)];
            if lazy::defers(op) {
                let p = Pending::bin(op, a, b);
                if op.writes_result() {
                    bus.write(ctx, at, Size::Dword, p.res).ok()?;
                }
                *pending = p;
            } else {
                lazy::settle(cpu, pending);
                let (res, eflags) = alu::binop(op, a, b, Size::Dword, cpu.eflags);
                if op.writes_result() {
                    bus.write(ctx, at, Size::Dword, res).ok()?;
                }
                cpu.eflags = eflags;
                *pending = Pending::settled(eflags);
            }
            watch.check(bus);
        }
        Uop::Inc { reg } => step_by(cpu, reg, LazyOp::Inc, pending),
        Uop::Dec { reg } => step_by(cpu, reg, LazyOp::Dec, pending),
        Uop::MovRR { dst, src } => cpu.gpr[g(dst)] = cpu.gpr[g(src)],
        Uop::MovRI { dst, imm } => cpu.gpr[g(dst)] = imm,
        Uop::MovRM { dst } => {
            let at = effective_address(cpu, d);
            cpu.gpr[g(dst)] = bus.read(ctx, at, Size::Dword, ReadKind::Data).ok()?;
            watch.check(bus);
        }
        Uop::MovMR { src } => {
            let at = effective_address(cpu, d);
            bus.write(ctx, at, Size::Dword, cpu.gpr[g(src)]).ok()?;
            watch.check(bus);
        }
        Uop::Je { target } => return branch(d, pending.zero(), target),
        Uop::Jne { target } => return branch(d, !pending.zero(), target),
        Uop::Jb { target } => return branch(d, pending.carry != 0, target),
        Uop::Jae { target } => return branch(d, pending.carry == 0, target),
        Uop::Jcc { cond, target } => {
            lazy::settle(cpu, pending);
            return branch(d, cond.holds(cpu.eflags), target);
        }
        Uop::Jmp { target } => return Some((target, d.cycles)),
        Uop::Other => {
            lazy::settle(cpu, pending);
            let done = other(cpu, bus, d);
            *pending = Pending::settled(cpu.eflags);
            watch.check(bus);
            return done;
        }
        Uop::Step => return None,
    }
    Some((d.next_eip, d.cycles))
}

/// Where a conditional near branch goes, and its cost.
#[inline(always)]
fn branch(d: &Decoded, taken: bool, target: u32) -> Option<(u32, u32)> {
    Some(if taken {
        (target, d.cycles + cost::TAKEN_BRANCH)
    } else {
        (d.next_eip, d.cycles)
    })
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
fn binop(cpu: &mut Cpu, op: BinOp, dst: u8, b: u32, pending: &mut Pending) {
    let slot = dst as usize & 7;
    let a = cpu.gpr[slot];
    if lazy::defers(op) {
        let p = Pending::bin(op, a, b);
        if op.writes_result() {
            cpu.gpr[slot] = p.res;
        }
        *pending = p;
        return;
    }
    lazy::settle(cpu, pending);
    let (res, eflags) = alu::binop(op, a, b, Size::Dword, cpu.eflags);
    if op.writes_result() {
        cpu.gpr[slot] = res;
    }
    cpu.eflags = eflags;
    *pending = Pending::settled(eflags);
}

/// `inc`/`dec` of a 32-bit register, its flags deferred (keeping the CF it
/// found).
#[inline(always)]
fn step_by(cpu: &mut Cpu, reg: u8, op: LazyOp, pending: &mut Pending) {
    let slot = reg as usize & 7;
    *pending = pending.step(op, cpu.gpr[slot]);
    cpu.gpr[slot] = pending.res;
}
