//! Deferred status flags inside a burst.
//!
//! Most arithmetic in a loop sets flags that the next flag-setting
//! instruction overwrites unread (`add; xor; inc; dec; jnz` reads one ZF of
//! four). A burst therefore keeps the last flag-setting micro-op's inputs
//! ([`Pending`]) instead of computing its six flags, and computes them only
//! when something reads them: a `jcc` it cannot answer from the result, an
//! instruction outside the micro-ops, or the end of the burst. The flags are
//! then computed by the same `alu` function, from the same inputs, as eager
//! execution would have, so EFLAGS is exactly what it would have been.
//!
//! Why it is exact: while an operation is pending, `cpu.eflags` holds the
//! flags from before it. The operations kept pending (`add sub and or xor
//! cmp test`, `inc dec`) replace all six status flags and keep every other
//! bit, so a later one replaces an earlier one without reading it, except
//! for CF, which `inc` and `dec` keep: they record the CF they found
//! ([`Pending::carry`]).

use super::alu::{self, BinOp};
use super::cond::Cond;
use super::flags::CF;
use super::state::Cpu;
use crate::bus::Size;

/// What produced the pending flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LazyOp {
    /// One of `add sub and or xor cmp test` (never `adc`/`sbb`, which read CF).
    Bin(BinOp),
    Inc,
    Dec,
}

/// A flag-setting 32-bit operation whose flags are not computed yet.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub op: LazyOp,
    pub a: u32,
    pub b: u32,
    /// The result (for `cmp`/`test`, the one they discard).
    pub res: u32,
    /// `inc`/`dec`: the CF they keep (0 or [`CF`]).
    pub carry: u32,
}

/// Whether `op` may be deferred: it replaces all six status flags without
/// reading any.
#[inline(always)]
pub(crate) const fn defers(op: BinOp) -> bool {
    !matches!(op, BinOp::Adc | BinOp::Sbb)
}

impl Pending {
    /// CF after the operation, without computing the other flags.
    #[inline(always)]
    pub fn carry_out(&self) -> u32 {
        match self.op {
            LazyOp::Bin(BinOp::Add) => u32::from(self.res < self.a) * CF,
            LazyOp::Bin(BinOp::Sub | BinOp::Cmp) => u32::from(self.a < self.b) * CF,
            LazyOp::Bin(_) => 0,
            LazyOp::Inc | LazyOp::Dec => self.carry,
        }
    }

    /// EFLAGS after the operation, given EFLAGS before it.
    #[inline(always)]
    fn apply(&self, eflags: u32) -> u32 {
        match self.op {
            LazyOp::Bin(op) => alu::binop(op, self.a, self.b, Size::Dword, eflags).1,
            LazyOp::Inc => alu::inc(self.a, Size::Dword, (eflags & !CF) | self.carry).1,
            LazyOp::Dec => alu::dec(self.a, Size::Dword, (eflags & !CF) | self.carry).1,
        }
    }

    /// Whether `cond` holds after the operation, if that needs only the
    /// result or CF; `None` otherwise.
    #[inline(always)]
    pub fn holds(&self, cond: Cond) -> Option<bool> {
        match cond {
            Cond::E => Some(self.res == 0),
            Cond::Ne => Some(self.res != 0),
            Cond::B => Some(self.carry_out() != 0),
            Cond::Ae => Some(self.carry_out() == 0),
            _ => None,
        }
    }
}

/// The result of a deferrable `op` (for `cmp`/`test`, the one they discard).
#[inline(always)]
pub(crate) const fn result(op: BinOp, a: u32, b: u32) -> u32 {
    match op {
        BinOp::Add | BinOp::Adc => a.wrapping_add(b),
        BinOp::Sub | BinOp::Sbb | BinOp::Cmp => a.wrapping_sub(b),
        BinOp::And | BinOp::Test => a & b,
        BinOp::Or => a | b,
        BinOp::Xor => a ^ b,
    }
}

/// Computes the pending flags into `cpu.eflags`, if any.
#[inline(always)]
pub(crate) fn settle(cpu: &mut Cpu, pending: &mut Option<Pending>) {
    if let Some(p) = pending.take() {
        cpu.eflags = p.apply(cpu.eflags);
    }
}

/// CF as the next instruction sees it.
#[inline(always)]
pub(crate) fn carry(cpu: &Cpu, pending: &Option<Pending>) -> u32 {
    match pending {
        Some(p) => p.carry_out(),
        None => cpu.eflags & CF,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::flags::ZF;

    /// Deferred flags equal eager ones for every pending kind, including
    /// chains where `inc`/`dec` keep the CF of the operation before them.
    #[test]
    fn deferred_flags_equal_eager_ones() {
        let values = [
            0,
            1,
            2,
            0x7f,
            0x80,
            0xff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
        ];
        let ops = [
            BinOp::Add,
            BinOp::Sub,
            BinOp::And,
            BinOp::Or,
            BinOp::Xor,
            BinOp::Cmp,
            BinOp::Test,
        ];
        for &base in &[0x2u32, 0x2 | 0x8d5, 0x202 | CF | ZF] {
            for &a in &values {
                for &b in &values {
                    for &op in &ops {
                        let (res, eager) = alu::binop(op, a, b, Size::Dword, base);
                        let p = Pending {
                            op: LazyOp::Bin(op),
                            a,
                            b,
                            res: result(op, a, b),
                            carry: 0,
                        };
                        assert_eq!(p.apply(base), eager, "{op:?} {a:#x} {b:#x}");
                        assert_eq!(p.carry_out(), eager & CF, "{op:?} {a:#x} {b:#x}");
                        assert_eq!(p.holds(Cond::E), Some(eager & ZF != 0));
                        if op.writes_result() {
                            assert_eq!(p.res, res);
                        }
                        // `inc`/`dec` after it: CF carried through.
                        for (next, eager_next) in [
                            (LazyOp::Inc, alu::inc as fn(u32, Size, u32) -> (u32, u32)),
                            (LazyOp::Dec, alu::dec),
                        ] {
                            let (r, want) = eager_next(a, Size::Dword, eager);
                            let q = Pending {
                                op: next,
                                a,
                                b: 1,
                                res: r,
                                carry: p.carry_out(),
                            };
                            assert_eq!(q.apply(base), want, "{next:?} after {op:?}");
                        }
                    }
                }
            }
        }
    }
}
