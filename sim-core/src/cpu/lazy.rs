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
//!
//! ZF and CF are always at hand in [`Pending`], pending or not (when
//! nothing is pending they mirror `cpu.eflags`), so `inc`, `dec`, `je`,
//! `jne`, `jb` and `jae` read them without asking what is pending.

use super::alu::{self, BinOp};
use super::flags::{CF, ZF};
use super::state::Cpu;
use crate::bus::Size;

/// What produced the pending flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LazyOp {
    /// Nothing is pending: `cpu.eflags` is current.
    Settled,
    /// One of `add sub and or xor cmp test` (never `adc`/`sbb`, which read CF).
    Bin(BinOp),
    Inc,
    Dec,
}

/// A flag-setting 32-bit operation whose flags are not computed yet, or
/// none ([`LazyOp::Settled`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    pub op: LazyOp,
    pub a: u32,
    pub b: u32,
    /// The result (for `cmp`/`test`, the one they discard): zero exactly
    /// when ZF is set after the operation (settled: after the last one).
    pub res: u32,
    /// CF after the operation (0 or [`CF`]; settled: `cpu.eflags`'s CF):
    /// computed with the result (one comparison), or for `inc`/`dec` the
    /// one they keep.
    pub carry: u32,
}

/// Whether `op` may be deferred: it replaces all six status flags without
/// reading any.
#[inline(always)]
pub(crate) const fn defers(op: BinOp) -> bool {
    !matches!(op, BinOp::Adc | BinOp::Sbb)
}

impl Pending {
    /// Nothing pending, with ZF and CF as in `eflags`.
    #[inline(always)]
    pub fn settled(eflags: u32) -> Pending {
        Pending {
            op: LazyOp::Settled,
            a: 0,
            b: 0,
            res: u32::from(eflags & ZF == 0),
            carry: eflags & CF,
        }
    }

    /// A deferrable `op` (see [`defers`]) on `a` and `b`.
    #[inline(always)]
    pub fn bin(op: BinOp, a: u32, b: u32) -> Pending {
        let res = result(op, a, b);
        // Intel SDM: the logic ops and `test` clear CF.
        let carry = match op {
            BinOp::Add => u32::from(res < a) * CF,
            BinOp::Sub | BinOp::Cmp => u32::from(a < b) * CF,
            _ => 0,
        };
        Pending {
            op: LazyOp::Bin(op),
            a,
            b,
            res,
            carry,
        }
    }

    /// `inc` (`op` = [`LazyOp::Inc`]) or `dec` of `a`, after `self`.
    #[inline(always)]
    pub fn step(&self, op: LazyOp, a: u32) -> Pending {
        let res = if op == LazyOp::Inc {
            a.wrapping_add(1)
        } else {
            a.wrapping_sub(1)
        };
        Pending {
            op,
            a,
            b: 1,
            res,
            carry: self.carry,
        }
    }

    /// EFLAGS after the operation, given EFLAGS before it.
    #[inline(always)]
    fn apply(&self, eflags: u32) -> u32 {
        match self.op {
            LazyOp::Settled => eflags,
            LazyOp::Bin(op) => alu::binop(op, self.a, self.b, Size::Dword, eflags).1,
            LazyOp::Inc => alu::inc(self.a, Size::Dword, (eflags & !CF) | self.carry).1,
            LazyOp::Dec => alu::dec(self.a, Size::Dword, (eflags & !CF) | self.carry).1,
        }
    }

    /// ZF after the operation.
    #[inline(always)]
    pub fn zero(&self) -> bool {
        self.res == 0
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

/// Computes the pending flags into `cpu.eflags`, if any. ZF and CF in
/// `pending` stay as they are: they are the ones just computed.
#[inline(always)]
pub(crate) fn settle(cpu: &mut Cpu, pending: &mut Pending) {
    if pending.op != LazyOp::Settled {
        cpu.eflags = pending.apply(cpu.eflags);
        pending.op = LazyOp::Settled;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                        let p = Pending::bin(op, a, b);
                        assert_eq!(p.apply(base), eager, "{op:?} {a:#x} {b:#x}");
                        assert_eq!(p.carry, eager & CF, "{op:?} {a:#x} {b:#x}");
                        assert_eq!(p.zero(), eager & ZF != 0);
                        let settled = Pending::settled(eager);
                        assert_eq!((settled.zero(), settled.carry), (p.zero(), p.carry));
                        if op.writes_result() {
                            assert_eq!(p.res, res);
                        }
                        // `inc`/`dec` after it: CF carried through.
                        for (next, eager_next) in [
                            (LazyOp::Inc, alu::inc as fn(u32, Size, u32) -> (u32, u32)),
                            (LazyOp::Dec, alu::dec),
                        ] {
                            let (r, want) = eager_next(a, Size::Dword, eager);
                            let q = p.step(next, a);
                            assert_eq!(q.res, r);
                            assert_eq!(q.apply(base), want, "{next:?} after {op:?}");
                            assert_eq!((q.zero(), q.carry), (want & ZF != 0, want & CF));
                            // With nothing pending, CF comes from EFLAGS.
                            let q = settled.step(next, a);
                            assert_eq!(q.apply(eager), want, "{next:?} after settled");
                        }
                    }
                }
            }
        }
    }
}
