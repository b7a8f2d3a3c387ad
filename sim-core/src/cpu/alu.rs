//! Pure arithmetic: results and the six status flags (Intel SDM vol. 1, 3.4.3.1 and
//! the "Flags Affected" section of each instruction in vol. 2).
//!
//! Every function takes the operands (already masked to `size`) and the current
//! EFLAGS and returns the result plus the new EFLAGS, so one implementation serves
//! every operand form and width. Nothing here touches the CPU or the bus.
//!
//! Architecturally *undefined* flags are set the way this project's reference CPU
//! (AMD EPYC, family 19h "Zen 4") sets them, found by the differential test
//! `tests/cpu_vs_native.rs`; each function says what it chose.

use super::flags::{AF, CF, OF, PF, SF, STATUS, ZF};
use crate::bus::Size;

/// PF of each low byte: set when it has an even number of 1 bits. A table,
/// since without POPCNT (not in the baseline x86-64 target) counting bits is
/// a dozen instructions on every arithmetic instruction.
const PARITY: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        if (i as u8).count_ones().is_multiple_of(2) {
            t[i] = PF as u8;
        }
        i += 1;
    }
    t
};

/// PF: set when the low byte of the result has an even number of 1 bits.
#[inline(always)]
const fn parity(v: u32) -> u32 {
    PARITY[(v & 0xff) as usize] as u32
}

/// SF, ZF and PF of a result of width `size`.
#[inline(always)]
pub const fn szp(res: u32, size: Size) -> u32 {
    let mut f = parity(res);
    if res & size.mask() == 0 {
        f |= ZF;
    }
    if res & size.sign_bit() != 0 {
        f |= SF;
    }
    f
}

#[inline(always)]
const fn bit(on: bool, flag: u32) -> u32 {
    if on {
        flag
    } else {
        0
    }
}

/// Replace the status flags of `eflags` with `status`.
#[inline(always)]
const fn with_status(eflags: u32, status: u32) -> u32 {
    (eflags & !STATUS) | status
}

/// Sign-extend the low `size` bits of `v` to 32 bits.
#[inline]
pub const fn sext(v: u32, size: Size) -> u32 {
    let shift = 32 - size.bits();
    (((v << shift) as i32) >> shift) as u32
}

/// The two-operand ALU operations of the 00–3F opcode group plus `test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Or,
    Adc,
    Sbb,
    And,
    Sub,
    Xor,
    Cmp,
    Test,
}

impl BinOp {
    /// `cmp` and `test` only set flags.
    pub const fn writes_result(self) -> bool {
        !matches!(self, BinOp::Cmp | BinOp::Test)
    }
}

/// `a + b + carry_in`: all six flags defined.
#[inline(always)]
pub const fn add(a: u32, b: u32, carry_in: u32, size: Size, eflags: u32) -> (u32, u32) {
    let wide = a as u64 + b as u64 + carry_in as u64;
    let res = (wide as u32) & size.mask();
    let f = szp(res, size)
        | bit(wide > size.mask() as u64, CF)
        | bit((a ^ res) & (b ^ res) & size.sign_bit() != 0, OF)
        | ((a ^ b ^ res) & AF);
    (res, with_status(eflags, f))
}

/// `a - b - borrow_in`: all six flags defined; CF is the borrow.
#[inline(always)]
pub const fn sub(a: u32, b: u32, borrow_in: u32, size: Size, eflags: u32) -> (u32, u32) {
    let res = a.wrapping_sub(b).wrapping_sub(borrow_in) & size.mask();
    let f = szp(res, size)
        | bit((a as u64) < b as u64 + borrow_in as u64, CF)
        | bit((a ^ b) & (a ^ res) & size.sign_bit() != 0, OF)
        | ((a ^ b ^ res) & AF);
    (res, with_status(eflags, f))
}

/// Flags of `and`/`or`/`xor`/`test`: CF = OF = 0, SF ZF PF from the result.
/// AF is undefined (SDM); this CPU clears it.
#[inline(always)]
const fn logic(res: u32, size: Size, eflags: u32) -> (u32, u32) {
    (res, with_status(eflags, szp(res, size)))
}

/// One of the [`BinOp`]s.
#[inline(always)]
pub const fn binop(op: BinOp, a: u32, b: u32, size: Size, eflags: u32) -> (u32, u32) {
    let carry = eflags & CF;
    match op {
        BinOp::Add => add(a, b, 0, size, eflags),
        BinOp::Adc => add(a, b, carry, size, eflags),
        BinOp::Sub | BinOp::Cmp => sub(a, b, 0, size, eflags),
        BinOp::Sbb => sub(a, b, carry, size, eflags),
        BinOp::And | BinOp::Test => logic(a & b, size, eflags),
        BinOp::Or => logic(a | b, size, eflags),
        BinOp::Xor => logic(a ^ b, size, eflags),
    }
}

/// `inc`: like `add 1` but CF is preserved (SDM: "The CF flag is not affected").
#[inline(always)]
pub const fn inc(a: u32, size: Size, eflags: u32) -> (u32, u32) {
    let (res, f) = add(a, 1, 0, size, eflags);
    (res, (f & !CF) | (eflags & CF))
}

/// `dec`: like `sub 1` but CF is preserved.
#[inline(always)]
pub const fn dec(a: u32, size: Size, eflags: u32) -> (u32, u32) {
    let (res, f) = sub(a, 1, 0, size, eflags);
    (res, (f & !CF) | (eflags & CF))
}

/// `neg`: `0 - a`, so CF = (a != 0).
#[inline(always)]
pub const fn neg(a: u32, size: Size, eflags: u32) -> (u32, u32) {
    sub(0, a, 0, size, eflags)
}

/// Shifts and rotates of the C0/C1/D0–D3 group that we model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftOp {
    Rol,
    Ror,
    Shl,
    Shr,
    Sar,
}

/// A shift or rotate by `count` (SDM "SAL/SAR/SHL/SHR" and "RCL/RCR/ROL/ROR").
///
/// The count is masked to 5 bits; a masked count of 0 changes neither the operand
/// nor any flag. Shifts set SF ZF PF from the result; rotates touch only CF and OF.
/// For byte/word shifts with counts ≥ the width, CF is the last bit shifted out of
/// the widened value (0 for shl/shr, the sign for sar); for byte/word rotates the
/// rotation is `count mod width` but CF/OF are still updated when that is 0.
///
/// Undefined flags, as this CPU (Zen 4) sets them (checked by the differential
/// test): OF for counts > 1 uses the count-1 formula on the final step — shl
/// `MSB(res) ^ CF`, shr the MSB of the value before the last step, sar 0, rol
/// `MSB(res) ^ CF`, ror `MSB(res) ^ MSB-1(res)`; AF after a shift is set.
pub const fn shift(op: ShiftOp, a: u32, count: u32, size: Size, eflags: u32) -> (u32, u32) {
    let count = count & 0x1f;
    if count == 0 {
        return (a, eflags);
    }
    let bits = size.bits();
    let mask = size.mask();
    let sign = size.sign_bit();
    match op {
        ShiftOp::Shl => {
            let wide = (a as u64) << count;
            let res = (wide as u32) & mask;
            let cf = (wide >> bits) & 1 != 0;
            let of = (res & sign != 0) != cf;
            let f = szp(res, size) | bit(cf, CF) | bit(of, OF) | SHIFT_AF;
            (res, with_status(eflags, f))
        }
        ShiftOp::Shr => {
            let before_last = a >> (count - 1);
            let res = (before_last >> 1) & mask;
            let cf = before_last & 1 != 0;
            let of = before_last & sign != 0;
            let f = szp(res, size) | bit(cf, CF) | bit(of, OF) | SHIFT_AF;
            (res, with_status(eflags, f))
        }
        ShiftOp::Sar => {
            let s = sext(a, size) as i32;
            let before_last = s >> (count - 1);
            let res = ((before_last >> 1) as u32) & mask;
            let cf = before_last & 1 != 0;
            let f = szp(res, size) | bit(cf, CF) | SHIFT_AF;
            (res, with_status(eflags, f))
        }
        ShiftOp::Rol => {
            let n = count % bits;
            let res = if n == 0 {
                a
            } else {
                ((a << n) | (a >> (bits - n))) & mask
            };
            let cf = res & 1 != 0;
            let of = (res & sign != 0) != cf;
            let f = (eflags & !(CF | OF)) | bit(cf, CF) | bit(of, OF);
            (res, f)
        }
        ShiftOp::Ror => {
            let n = count % bits;
            let res = if n == 0 {
                a
            } else {
                ((a >> n) | (a << (bits - n))) & mask
            };
            let cf = res & sign != 0;
            let of = cf != (res & (sign >> 1) != 0);
            let f = (eflags & !(CF | OF)) | bit(cf, CF) | bit(of, OF);
            (res, f)
        }
    }
}

/// AF after a shift by a nonzero count: undefined (SDM); this CPU sets it.
const SHIFT_AF: u32 = AF;

/// Flags after `mul`/`imul`: CF = OF = `overflow` (SDM). SF, ZF, AF and PF are
/// undefined; this CPU (Zen 4) leaves them unchanged, and so do we.
#[inline]
pub const fn mul_flags(overflow: bool, eflags: u32) -> u32 {
    (eflags & !(CF | OF)) | bit(overflow, CF | OF)
}

/// Unsigned `a * b` at `size`: (low half, high half).
#[inline]
pub const fn mul(a: u32, b: u32, size: Size) -> (u32, u32) {
    let p = a as u64 * b as u64;
    (
        (p as u32) & size.mask(),
        ((p >> size.bits()) as u32) & size.mask(),
    )
}

/// Signed `a * b` at `size`: (low half, high half, whether the product does not
/// fit the low half, which is CF = OF for every `imul` form).
#[inline]
pub const fn imul(a: u32, b: u32, size: Size) -> (u32, u32, bool) {
    let p = sext(a, size) as i32 as i64 * sext(b, size) as i32 as i64;
    let low = (p as u32) & size.mask();
    let high = ((p >> size.bits()) as u32) & size.mask();
    let overflow = sext(low, size) as i32 as i64 != p;
    (low, high, overflow)
}

/// Unsigned divide of `high:low` by `divisor` at `size`: (quotient, remainder), or
/// `None` for #DE (divide by zero or quotient too large for `size`).
#[inline]
pub const fn div(high: u32, low: u32, divisor: u32, size: Size) -> Option<(u32, u32)> {
    if divisor == 0 {
        return None;
    }
    let dividend = ((high as u64) << size.bits()) | low as u64;
    let q = dividend / divisor as u64;
    if q > size.mask() as u64 {
        return None;
    }
    Some((q as u32, (dividend % divisor as u64) as u32))
}

/// Signed divide of `high:low` by `divisor` at `size`, truncating toward zero (the
/// remainder has the sign of the dividend); `None` for #DE, which includes the one
/// overflowing case MIN / -1.
#[inline]
pub const fn idiv(high: u32, low: u32, divisor: u32, size: Size) -> Option<(u32, u32)> {
    let d = sext(divisor, size) as i32 as i64;
    if d == 0 {
        return None;
    }
    let bits = size.bits();
    let raw = ((high as u64 & size.mask() as u64) << bits) | low as u64;
    // Sign-extend the 2*bits-wide dividend.
    let dividend = ((raw << (64 - 2 * bits)) as i64) >> (64 - 2 * bits);
    let q = dividend / d;
    let r = dividend % d;
    let max = (size.sign_bit() - 1) as i64;
    if q > max || q < -max - 1 {
        return None;
    }
    Some(((q as u32) & size.mask(), (r as u32) & size.mask()))
}

/// Flags after a `div`/`idiv` that does not fault: all six are undefined (SDM).
/// This CPU (Zen 4) keeps CF and OF, clears SF, ZF and PF and sets AF, whatever the
/// operands; we do the same.
#[inline]
pub const fn div_flags(eflags: u32) -> u32 {
    (eflags & !(SF | ZF | PF)) | AF
}

/// Flags after `bt`: CF = the selected bit. OF SF AF PF are undefined and ZF is
/// unaffected (SDM); this CPU leaves all five unchanged.
#[inline]
pub const fn bt_flags(bit_set: bool, eflags: u32) -> u32 {
    (eflags & !CF) | bit(bit_set, CF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::flags::RESERVED1;

    const F0: u32 = RESERVED1;

    #[test]
    fn add_sets_carry_overflow_and_aux() {
        let (r, f) = add(0x7f, 1, 0, Size::Byte, F0);
        assert_eq!(r, 0x80);
        assert_eq!(f & STATUS, OF | SF | AF);
        let (r, f) = add(0xffff_ffff, 1, 0, Size::Dword, F0);
        assert_eq!(r, 0);
        assert_eq!(f & STATUS, CF | ZF | PF | AF);
        let (r, f) = add(0xffff, 0, 1, Size::Word, F0);
        assert_eq!((r, f & CF), (0, CF));
    }

    #[test]
    fn sub_borrow_and_overflow() {
        let (r, f) = sub(0, 1, 0, Size::Byte, F0);
        assert_eq!(r, 0xff);
        assert_eq!(f & STATUS, CF | SF | PF | AF);
        let (r, f) = sub(0x8000_0000, 1, 0, Size::Dword, F0);
        assert_eq!(r, 0x7fff_ffff);
        assert_eq!(f & (OF | CF | SF), OF);
        let (_, f) = sub(5, 5, 1, Size::Dword, F0);
        assert_eq!(f & CF, CF, "sbb with borrow underflows");
    }

    #[test]
    fn inc_dec_keep_carry() {
        let (r, f) = inc(0xff, Size::Byte, F0 | CF);
        assert_eq!((r, f & (CF | ZF)), (0, CF | ZF));
        let (r, f) = dec(0, Size::Word, F0);
        assert_eq!((r, f & CF), (0xffff, 0));
    }

    #[test]
    fn neg_carry_is_nonzero_source() {
        assert_eq!(neg(0, Size::Dword, F0 | CF).1 & CF, 0);
        assert_eq!(neg(0x80, Size::Byte, F0), (0x80, F0 | CF | OF | SF));
    }

    #[test]
    fn shifts_mask_count_and_zero_count_keeps_flags() {
        let f = F0 | CF | OF | ZF;
        assert_eq!(shift(ShiftOp::Shl, 0x81, 32, Size::Byte, f), (0x81, f));
        let (r, f) = shift(ShiftOp::Shl, 0x81, 1, Size::Byte, F0);
        assert_eq!((r, f & (CF | OF)), (0x02, CF | OF));
        let (r, f) = shift(ShiftOp::Sar, 0x80, 8, Size::Byte, F0);
        assert_eq!((r, f & CF), (0xff, CF));
        let (r, f) = shift(ShiftOp::Shr, 0x8000_0001, 1, Size::Dword, F0);
        assert_eq!((r, f & (CF | OF)), (0x4000_0000, CF | OF));
    }

    #[test]
    fn rotates_set_only_cf_and_of() {
        let (r, f) = shift(ShiftOp::Rol, 0x80, 1, Size::Byte, F0 | ZF);
        assert_eq!((r, f), (0x01, F0 | ZF | CF | OF));
        let (r, f) = shift(ShiftOp::Ror, 0x01, 1, Size::Word, F0);
        assert_eq!((r, f & (CF | OF)), (0x8000, CF | OF));
        // Count 8 on a byte rotates back to the start but still sets CF.
        let (r, f) = shift(ShiftOp::Rol, 0x01, 8, Size::Byte, F0);
        assert_eq!((r, f & CF), (0x01, CF));
    }

    #[test]
    fn multiply_and_divide() {
        assert_eq!(mul(0xffff_ffff, 2, Size::Dword), (0xffff_fffe, 1));
        assert_eq!(imul(0xff, 0xff, Size::Byte), (1, 0, false));
        assert_eq!(imul(0x80, 0xff, Size::Byte), (0x80, 0, true));
        assert_eq!(div(0, 7, 2, Size::Dword), Some((3, 1)));
        assert_eq!(div(1, 0, 1, Size::Dword), None);
        assert_eq!(div(0, 1, 0, Size::Byte), None);
        assert_eq!(
            idiv(0xffff_ffff, 0xffff_fff9, 2, Size::Dword),
            Some((0xffff_fffd, 0xffff_ffff))
        );
        assert_eq!(
            idiv(0xffff_ffff, 0x8000_0000, 0xffff_ffff, Size::Dword),
            None
        );
        assert_eq!(idiv(0xff, 0x80, 0xff, Size::Byte), None);
    }
}
