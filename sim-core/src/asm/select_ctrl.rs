//! Selection for arithmetic groups, bit tests, conditionals and control transfer.

use super::super::codes::{BT, CC, INCDEC, SHIFT, UNARY};
use super::super::expr::Expr;
use super::super::mnemonic::Family;
use super::super::operand::{Operand, Size};
use super::{fits_simm8, gpr, idx, sel, Ctx, EncOp, ImmKind, SResult, Selected};
use iced_x86::{Code, Register};

pub(super) fn select(c: &mut Ctx<'_, '_>, f: Family, suffix: Option<Size>) -> SResult {
    match f {
        Family::Unary(i) => unary(c, &UNARY[i], suffix),
        Family::IncDec(i) => inc_dec(c, i, suffix),
        Family::Imul => imul(c, suffix),
        Family::Shift(i) => shift(c, i, suffix),
        Family::Bt(i) => bt(c, i, suffix),
        Family::Setcc(i) => {
            c.arity(&[1])?;
            c.need_size(suffix, &[])?;
            let Some(o) = c.rm(&c.ops[0].op) else {
                return c.invalid();
            };
            sel(CC[i][2], vec![o])
        }
        Family::Cmovcc(i) => {
            c.arity(&[2])?;
            let s = c.need_size(suffix, &[])?;
            let (Some(d), Some(o)) = (gpr(&c.ops[1].op), c.rm(&c.ops[0].op)) else {
                return c.invalid();
            };
            let code = match s {
                Size::Word => CC[i][3],
                Size::Long => CC[i][4],
                Size::Byte => return c.invalid(),
            };
            sel(code, vec![EncOp::Reg(d.reg), o])
        }
        Family::Jcc(i) => direct(c, CC[i][0], Some(CC[i][1])),
        Family::Jmp | Family::Call => jmp_call(c, f == Family::Jmp),
        Family::Rel8(code) => direct(c, code, None),
        Family::Ret => {
            c.arity(&[0, 1])?;
            match c.ops.first().map(|o| &o.op) {
                None => sel(Code::Retnd, vec![]),
                Some(Operand::Imm(e)) => {
                    let k = c.imm(e, ImmKind::Word);
                    sel(Code::Retnd_imm16, vec![k])
                }
                Some(_) => c.invalid(),
            }
        }
        Family::Int => {
            c.arity(&[1])?;
            let Operand::Imm(e) = &c.ops[0].op else {
                return c.invalid();
            };
            // GNU as encodes `int $3` as the one-byte breakpoint CC.
            if (c.known)(e) == Some(3) {
                return sel(Code::Int3, vec![]);
            }
            let k = c.imm(e, ImmKind::Byte);
            sel(Code::Int_imm8, vec![k])
        }
        Family::Desc(code) => {
            c.arity(&[1])?;
            let Operand::Mem(m) = &c.ops[0].op else {
                return Err((c.ops[0].col, format!("'{}' needs a memory operand", c.name)));
            };
            let mo = c.mem(m);
            sel(code, vec![mo])
        }
        _ => c.invalid(),
    }
}

fn unary(c: &mut Ctx<'_, '_>, codes: &[Code; 3], suffix: Option<Size>) -> SResult {
    c.arity(&[1])?;
    let s = c.need_size(suffix, &[])?;
    let Some(o) = c.rm(&c.ops[0].op) else {
        return c.invalid();
    };
    sel(codes[idx(s)], vec![o])
}

/// inc/dec of a 16/32-bit register use the one-byte 40+r/48+r forms (IA-32 only).
fn inc_dec(c: &mut Ctx<'_, '_>, i: usize, suffix: Option<Size>) -> SResult {
    c.arity(&[1])?;
    let s = c.need_size(suffix, &[])?;
    match gpr(&c.ops[0].op) {
        Some(r) if s == Size::Word => sel(INCDEC[i][3], vec![EncOp::Reg(r.reg)]),
        Some(r) if s == Size::Long => sel(INCDEC[i][4], vec![EncOp::Reg(r.reg)]),
        _ => unary(c, &[INCDEC[i][0], INCDEC[i][1], INCDEC[i][2]], suffix),
    }
}

/// imul: one operand (F6/F7 /5), `imul src, reg` (0F AF), `imul $i, reg` (= `imul $i,
/// reg, reg`) and `imul $i, src, reg` (6B with a known imm8, else 69).
fn imul(c: &mut Ctx<'_, '_>, suffix: Option<Size>) -> SResult {
    c.arity(&[1, 2, 3])?;
    if c.ops.len() == 1 {
        return unary(c, &UNARY[3], suffix);
    }
    let s = c.need_size(suffix, &[])?;
    let dst_i = c.ops.len() - 1;
    let Some(d) = gpr(&c.ops[dst_i].op) else {
        return c.invalid();
    };
    let w = match s {
        Size::Word => true,
        Size::Long => false,
        Size::Byte => return c.invalid(),
    };
    match &c.ops[0].op {
        Operand::Imm(e) => {
            let src = if c.ops.len() == 3 {
                c.rm(&c.ops[1].op)
            } else {
                Some(EncOp::Reg(d.reg))
            };
            let Some(src) = src else { return c.invalid() };
            let short = (c.known)(e).is_some_and(|v| fits_simm8(v, s));
            let (code, k) = match (short, w) {
                (true, true) => (Code::Imul_r16_rm16_imm8, ImmKind::SignedByte),
                (true, false) => (Code::Imul_r32_rm32_imm8, ImmKind::SignedByte),
                (false, true) => (Code::Imul_r16_rm16_imm16, ImmKind::Word),
                (false, false) => (Code::Imul_r32_rm32_imm32, ImmKind::Long),
            };
            let imm = c.imm(e, k);
            sel(code, vec![EncOp::Reg(d.reg), src, imm])
        }
        src if c.ops.len() == 2 => {
            let Some(o) = c.rm(src) else {
                return c.invalid();
            };
            let code = if w {
                Code::Imul_r16_rm16
            } else {
                Code::Imul_r32_rm32
            };
            sel(code, vec![EncOp::Reg(d.reg), o])
        }
        _ => c.invalid(),
    }
}

/// Shifts: D0/D1 for a count of 1 (explicit `$1` or omitted), D2/D3 for %cl, C0/C1 imm8.
fn shift(c: &mut Ctx<'_, '_>, i: usize, suffix: Option<Size>) -> SResult {
    c.arity(&[1, 2])?;
    let t = &SHIFT[i];
    let last = c.ops.len() - 1;
    let skip: &[usize] = if last == 1 { &[0] } else { &[] };
    let s = c.need_size(suffix, skip)?;
    let si = idx(s);
    let Some(dst) = c.rm(&c.ops[last].op) else {
        return c.invalid();
    };
    // iced models the implicit count of D0/D1 as an explicit immediate 1 operand.
    let one = EncOp::Imm(Expr::Num(1), ImmKind::Byte);
    if last == 0 {
        return sel(t[si], vec![dst, one]);
    }
    match &c.ops[0].op {
        Operand::Imm(e) if (c.known)(e) == Some(1) => sel(t[si], vec![dst, one]),
        Operand::Imm(e) => {
            let k = c.imm(e, ImmKind::Byte);
            sel(t[6 + si], vec![dst, k])
        }
        Operand::Reg(r) if r.reg == Register::CL => {
            sel(t[3 + si], vec![dst, EncOp::Reg(Register::CL)])
        }
        _ => Err((
            c.ops[0].col,
            "shift count must be an immediate or %cl".into(),
        )),
    }
}

fn bt(c: &mut Ctx<'_, '_>, i: usize, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let s = c.need_size(suffix, &[])?;
    let w = match s {
        Size::Word => 0,
        Size::Long => 1,
        Size::Byte => return c.invalid(),
    };
    let Some(dst) = c.rm(&c.ops[1].op) else {
        return c.invalid();
    };
    match &c.ops[0].op {
        Operand::Imm(e) => {
            let k = c.imm(e, ImmKind::Byte);
            sel(BT[i][2 + w], vec![dst, k])
        }
        Operand::Reg(r) if r.size().is_some() => sel(BT[i][w], vec![dst, EncOp::Reg(r.reg)]),
        _ => c.invalid(),
    }
}

/// jcc/loop/jecxz: a direct target (written as a plain expression, no `$`).
fn direct(c: &mut Ctx<'_, '_>, short: Code, near: Option<Code>) -> SResult {
    c.arity(&[1])?;
    let Operand::Mem(m) = &c.ops[0].op else {
        return Err((
            c.ops[0].col,
            format!("'{}' needs a label or address", c.name),
        ));
    };
    let (true, Some(target)) = (m.is_absolute() && m.seg.is_none(), m.disp.clone()) else {
        return Err((
            c.ops[0].col,
            format!("'{}' needs a label or address", c.name),
        ));
    };
    Ok(Selected {
        code: short,
        ops: vec![EncOp::Branch(target)],
        near,
    })
}

/// jmp/call: `label` (jmp relaxes EB -> E9; call is always E8 rel32) or `*rm` (FF /4, /2).
fn jmp_call(c: &mut Ctx<'_, '_>, is_jmp: bool) -> SResult {
    c.arity(&[1])?;
    if let Operand::Indirect(inner) = &c.ops[0].op {
        let Some(o) = c.rm(inner) else {
            return c.invalid();
        };
        if let EncOp::Reg(_) = o {
            if gpr(inner).is_none_or(|g| g.size() != Some(Size::Long)) {
                return Err((
                    c.ops[0].col,
                    "indirect target must be a 32-bit register".into(),
                ));
            }
        }
        return sel(
            if is_jmp {
                Code::Jmp_rm32
            } else {
                Code::Call_rm32
            },
            vec![o],
        );
    }
    if is_jmp {
        direct(c, Code::Jmp_rel8_32, Some(Code::Jmp_rel32_32))
    } else {
        direct(c, Code::Call_rel32_32, None)
    }
}
