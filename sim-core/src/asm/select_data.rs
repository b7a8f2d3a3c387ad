//! Selection for data-movement and ALU instructions (mov, alu ops, test, push/pop, ...).

use super::super::codes::ALU;
use super::super::mnemonic::Family;
use super::super::operand::{Operand, RegClass, Size};
use super::{fits_simm8, gpr, idx, sel, Ctx, EncOp, ImmKind, SResult};
use iced_x86::{Code, Register};

fn imm_kind(s: Size) -> ImmKind {
    match s {
        Size::Byte => ImmKind::Byte,
        Size::Word => ImmKind::Word,
        Size::Long => ImmKind::Long,
    }
}

pub(super) fn select(c: &mut Ctx<'_, '_>, f: Family, suffix: Option<Size>) -> SResult {
    match f {
        Family::Alu(i) => alu(c, i, suffix),
        Family::Test => test(c, suffix),
        Family::Mov => mov(c, suffix),
        Family::Movx { signed, src } => movx(c, signed, src, suffix),
        Family::Lea => lea(c, suffix),
        Family::Xchg => xchg(c, suffix),
        Family::Push | Family::Pop => push_pop(c, f == Family::Push, suffix),
        _ => in_out(c, f == Family::In, suffix),
    }
}

/// add/or/adc/sbb/and/sub/xor/cmp. GNU as prefers: imm8 sign-extended (83 /n) for a
/// known value that fits, then the accumulator form (04/05), then 80/81; reg,reg uses
/// the `rm, r` direction (01 d8 for `addl %ebx,%eax`).
fn alu(c: &mut Ctx<'_, '_>, op: usize, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let t = &ALU[op];
    let (src, dst) = (&c.ops[0].op, &c.ops[1].op);
    let s = c.need_size(suffix, &[])?;
    let i = idx(s);
    match (src, dst) {
        (Operand::Imm(e), _) => {
            let Some(dst_op) = c.rm(dst) else {
                return c.invalid();
            };
            let known = (c.known)(e);
            if s != Size::Byte && known.is_some_and(|v| fits_simm8(v, s)) {
                let code = if s == Size::Word { t[12] } else { t[13] };
                return sel(code, vec![dst_op, c.imm(e, ImmKind::SignedByte)]);
            }
            if gpr(dst).is_some_and(|r| r.is_acc()) {
                return sel(t[6 + i], vec![dst_op, c.imm(e, imm_kind(s))]);
            }
            sel(t[9 + i], vec![dst_op, c.imm(e, imm_kind(s))])
        }
        (Operand::Reg(_), _) => {
            let (Some(d), Some(r)) = (c.rm(dst), c.rm(src)) else {
                return c.invalid();
            };
            sel(t[i], vec![d, r])
        }
        (Operand::Mem(_), Operand::Reg(_)) => {
            let (Some(d), Some(m)) = (c.rm(dst), c.rm(src)) else {
                return c.invalid();
            };
            sel(t[3 + i], vec![d, m])
        }
        _ => c.invalid(),
    }
}

/// test has no imm8 form: A8/A9 for the accumulator, else F6/F7 /0; `test` with a
/// register and memory is always 85 /r with the memory in r/m, whatever the order.
fn test(c: &mut Ctx<'_, '_>, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let (src, dst) = (&c.ops[0].op, &c.ops[1].op);
    let s = c.need_size(suffix, &[])?;
    let i = idx(s);
    const ACC: [Code; 3] = [
        Code::Test_AL_imm8,
        Code::Test_AX_imm16,
        Code::Test_EAX_imm32,
    ];
    const RM_IMM: [Code; 3] = [
        Code::Test_rm8_imm8,
        Code::Test_rm16_imm16,
        Code::Test_rm32_imm32,
    ];
    const RM_R: [Code; 3] = [Code::Test_rm8_r8, Code::Test_rm16_r16, Code::Test_rm32_r32];
    match (src, dst) {
        (Operand::Imm(e), _) => {
            let Some(d) = c.rm(dst) else {
                return c.invalid();
            };
            let code = if gpr(dst).is_some_and(|r| r.is_acc()) {
                ACC[i]
            } else {
                RM_IMM[i]
            };
            sel(code, vec![d, c.imm(e, imm_kind(s))])
        }
        (Operand::Mem(_), Operand::Reg(_)) | (Operand::Reg(_), _) => {
            let (mem, reg) = if matches!(src, Operand::Mem(_)) {
                (src, dst)
            } else {
                (dst, src)
            };
            let (Some(m), Some(r)) = (c.rm(mem), c.rm(reg)) else {
                return c.invalid();
            };
            sel(RM_R[i], vec![m, r])
        }
        _ => c.invalid(),
    }
}

fn mov(c: &mut Ctx<'_, '_>, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let (src, dst) = (&c.ops[0].op, &c.ops[1].op);
    // Control and segment registers first: they are not sized like GPRs.
    if let Some(r) = special_mov(c, suffix)? {
        return Ok(r);
    }
    let s = c.need_size(suffix, &[])?;
    let i = idx(s);
    const R_IMM: [Code; 3] = [Code::Mov_r8_imm8, Code::Mov_r16_imm16, Code::Mov_r32_imm32];
    const RM_IMM: [Code; 3] = [
        Code::Mov_rm8_imm8,
        Code::Mov_rm16_imm16,
        Code::Mov_rm32_imm32,
    ];
    const RM_R: [Code; 3] = [Code::Mov_rm8_r8, Code::Mov_rm16_r16, Code::Mov_rm32_r32];
    const R_RM: [Code; 3] = [Code::Mov_r8_rm8, Code::Mov_r16_rm16, Code::Mov_r32_rm32];
    const ACC_MOFFS: [Code; 3] = [
        Code::Mov_AL_moffs8,
        Code::Mov_AX_moffs16,
        Code::Mov_EAX_moffs32,
    ];
    const MOFFS_ACC: [Code; 3] = [
        Code::Mov_moffs8_AL,
        Code::Mov_moffs16_AX,
        Code::Mov_moffs32_EAX,
    ];
    match (src, dst) {
        (Operand::Imm(e), Operand::Reg(r)) if r.size().is_some() => {
            sel(R_IMM[i], vec![EncOp::Reg(r.reg), c.imm(e, imm_kind(s))])
        }
        (Operand::Imm(e), Operand::Mem(_)) => {
            let Some(d) = c.rm(dst) else {
                return c.invalid();
            };
            sel(RM_IMM[i], vec![d, c.imm(e, imm_kind(s))])
        }
        // A0-A3: accumulator to/from an absolute address (moffs), as GNU as prefers.
        (Operand::Mem(m), Operand::Reg(r)) if r.is_acc() && m.is_absolute() => {
            let mo = c.mem(m);
            sel(ACC_MOFFS[i], vec![EncOp::Reg(r.reg), mo])
        }
        (Operand::Reg(r), Operand::Mem(m)) if r.is_acc() && m.is_absolute() => {
            let mo = c.mem(m);
            sel(MOFFS_ACC[i], vec![mo, EncOp::Reg(r.reg)])
        }
        (Operand::Reg(_), _) => {
            let (Some(d), Some(r)) = (c.rm(dst), c.rm(src)) else {
                return c.invalid();
            };
            sel(RM_R[i], vec![d, r])
        }
        (Operand::Mem(_), Operand::Reg(_)) => {
            let (Some(d), Some(m)) = (c.rm(dst), c.rm(src)) else {
                return c.invalid();
            };
            sel(R_RM[i], vec![d, m])
        }
        _ => c.invalid(),
    }
}

/// mov to/from %crN (0F 22 / 0F 20, 32-bit GPR only) and segment registers (8E / 8C).
fn special_mov(
    c: &mut Ctx<'_, '_>,
    suffix: Option<Size>,
) -> Result<Option<super::Selected>, (u32, String)> {
    let (src, dst) = (&c.ops[0].op, &c.ops[1].op);
    let class = |o: &Operand| match o {
        Operand::Reg(r) => Some(r.class),
        _ => None,
    };
    let (cs, cd) = (class(src), class(dst));
    if cs == Some(RegClass::Control) || cd == Some(RegClass::Control) {
        let (ctl, other, code) = if cd == Some(RegClass::Control) {
            (dst, src, Code::Mov_cr_r32)
        } else {
            (src, dst, Code::Mov_r32_cr)
        };
        let (Operand::Reg(ctl), Some(g)) = (ctl, gpr(other)) else {
            return c.invalid();
        };
        if g.size() != Some(Size::Long) || suffix.is_some_and(|s| s != Size::Long) {
            return c.err(format!(
                "{} can only be moved to or from a 32-bit register",
                ctl.name()
            ));
        }
        let ops = if code == Code::Mov_cr_r32 {
            vec![EncOp::Reg(ctl.reg), EncOp::Reg(g.reg)]
        } else {
            vec![EncOp::Reg(g.reg), EncOp::Reg(ctl.reg)]
        };
        return sel(code, ops).map(Some);
    }
    if cs != Some(RegClass::Segment) && cd != Some(RegClass::Segment) {
        return Ok(None);
    }
    let to_seg = cd == Some(RegClass::Segment);
    let (seg, other) = if to_seg { (dst, src) } else { (src, dst) };
    let Operand::Reg(seg) = seg else {
        return c.invalid();
    };
    if suffix == Some(Size::Byte) {
        return c.err(format!(
            "operand size mismatch: {} with {}",
            c.name,
            seg.name()
        ));
    }
    let s = match other {
        Operand::Reg(r) => r.size().ok_or(()).or_else(|_| c.invalid())?,
        Operand::Mem(_) if suffix == Some(Size::Long) => {
            return c.err(format!(
                "operand size mismatch: {} with {}",
                c.name,
                seg.name()
            ))
        }
        Operand::Mem(_) => Size::Word,
        _ => return c.invalid(),
    };
    if s == Size::Byte || suffix.is_some_and(|x| x != s) {
        return c.err(format!(
            "operand size mismatch: {} with {}",
            c.name,
            seg.name()
        ));
    }
    let Some(mut o) = c.rm(other) else {
        return c.invalid();
    };
    // GNU as omits the 66 prefix wherever the operand size does not matter: moves to a
    // segment register and stores of one to memory; only `mov %sreg, %r16` keeps it.
    let code = match (to_seg, s, matches!(other, Operand::Reg(_))) {
        (true, _, _) => Code::Mov_Sreg_r32m16,
        (false, Size::Word, true) => Code::Mov_rm16_Sreg,
        (false, _, _) => Code::Mov_r32m16_Sreg,
    };
    if let (Operand::Reg(r), Size::Word, true) = (other, s, to_seg) {
        o = EncOp::Reg(widen(r.reg));
    }
    let ops = if to_seg {
        vec![EncOp::Reg(seg.reg), o]
    } else {
        vec![o, EncOp::Reg(seg.reg)]
    };
    sel(code, ops).map(Some)
}

/// movzbl/movsbl & co. (0F B6/B7/BE/BF).
fn movx(
    c: &mut Ctx<'_, '_>,
    signed: bool,
    src_size: Option<Size>,
    dst_size: Option<Size>,
) -> SResult {
    c.arity(&[2])?;
    let (src, dst) = (&c.ops[0].op, &c.ops[1].op);
    let Some(d) = gpr(dst) else {
        return c.invalid();
    };
    let ds = d.size().unwrap_or(Size::Long);
    if dst_size.is_some_and(|s| s != ds) {
        return Err((
            c.ops[1].col,
            format!("operand size mismatch: {} with {}", c.name, d.name()),
        ));
    }
    let ss = match (src_size, gpr(src)) {
        (Some(s), Some(r)) if r.size() != Some(s) => {
            return Err((
                c.ops[0].col,
                format!("operand size mismatch: {} with {}", c.name, r.name()),
            ))
        }
        (Some(s), _) => s,
        (None, Some(r)) => r.size().unwrap_or(Size::Long),
        (None, None) => {
            return c.err(format!(
                "ambiguous operand size for '{}' (use movzbl, movzwl, ...)",
                c.name
            ))
        }
    };
    let code = match (signed, ss, ds) {
        (false, Size::Byte, Size::Word) => Code::Movzx_r16_rm8,
        (false, Size::Byte, Size::Long) => Code::Movzx_r32_rm8,
        (false, Size::Word, Size::Long) => Code::Movzx_r32_rm16,
        (true, Size::Byte, Size::Word) => Code::Movsx_r16_rm8,
        (true, Size::Byte, Size::Long) => Code::Movsx_r32_rm8,
        (true, Size::Word, Size::Long) => Code::Movsx_r32_rm16,
        _ => return c.invalid(),
    };
    let Some(s) = c.rm(src) else {
        return c.invalid();
    };
    sel(code, vec![EncOp::Reg(d.reg), s])
}

fn lea(c: &mut Ctx<'_, '_>, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let s = c.need_size(suffix, &[])?;
    let (Operand::Mem(m), Operand::Reg(r)) = (&c.ops[0].op, &c.ops[1].op) else {
        return c.invalid();
    };
    let code = match s {
        Size::Word => Code::Lea_r16_m,
        Size::Long => Code::Lea_r32_m,
        Size::Byte => return c.invalid(),
    };
    let mo = c.mem(m);
    sel(code, vec![EncOp::Reg(r.reg), mo])
}

/// xchg: 90+r when one operand is %ax/%eax (so `xchg %eax,%eax` is 90), else 86/87
/// with the first operand in ModRM.reg (GNU as: `xchg %ebx,%ecx` = 87 d9).
fn xchg(c: &mut Ctx<'_, '_>, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let s = c.need_size(suffix, &[])?;
    let (a, b) = (&c.ops[0].op, &c.ops[1].op);
    const RM_R: [Code; 3] = [Code::Xchg_rm8_r8, Code::Xchg_rm16_r16, Code::Xchg_rm32_r32];
    if let (Some(ra), Some(rb)) = (gpr(a), gpr(b)) {
        if s != Size::Byte && (ra.is_acc() || rb.is_acc()) {
            let (acc, other) = if rb.is_acc() { (rb, ra) } else { (ra, rb) };
            let code = if s == Size::Word {
                Code::Xchg_r16_AX
            } else {
                Code::Xchg_r32_EAX
            };
            return sel(code, vec![EncOp::Reg(other.reg), EncOp::Reg(acc.reg)]);
        }
    }
    let (mem, reg) = if matches!(a, Operand::Mem(_)) {
        (a, b)
    } else {
        (b, a)
    };
    let (Some(m), Some(r)) = (c.rm(mem), gpr(reg)) else {
        return c.invalid();
    };
    sel(RM_R[idx(s)], vec![m, EncOp::Reg(r.reg)])
}

fn push_pop(c: &mut Ctx<'_, '_>, push: bool, suffix: Option<Size>) -> SResult {
    c.arity(&[1])?;
    let o = &c.ops[0].op;
    if let Operand::Reg(r) = o {
        if r.class == RegClass::Segment {
            return seg_push_pop(c, push, r.reg, suffix);
        }
    }
    // In 32-bit code push/pop default to 32 bits (GNU as assumes `l` here).
    let s = c.size(suffix, &[])?.unwrap_or(Size::Long);
    if s == Size::Byte {
        return c.err(format!(
            "operand size mismatch: {} with a byte register",
            c.name
        ));
    }
    let w = s == Size::Word;
    match o {
        Operand::Reg(r) => {
            let code = match (push, w) {
                (true, true) => Code::Push_r16,
                (true, false) => Code::Push_r32,
                (false, true) => Code::Pop_r16,
                (false, false) => Code::Pop_r32,
            };
            sel(code, vec![EncOp::Reg(r.reg)])
        }
        Operand::Imm(e) if push => {
            if (c.known)(e).is_some_and(|v| fits_simm8(v, s)) {
                let code = if w {
                    Code::Pushw_imm8
                } else {
                    Code::Pushd_imm8
                };
                return sel(code, vec![c.imm(e, ImmKind::SignedByte)]);
            }
            let (code, k) = if w {
                (Code::Push_imm16, ImmKind::Word)
            } else {
                (Code::Pushd_imm32, ImmKind::Long)
            };
            sel(code, vec![c.imm(e, k)])
        }
        Operand::Mem(m) => {
            let code = match (push, w) {
                (true, true) => Code::Push_rm16,
                (true, false) => Code::Push_rm32,
                (false, true) => Code::Pop_rm16,
                (false, false) => Code::Pop_rm32,
            };
            let mo = c.mem(m);
            sel(code, vec![mo])
        }
        _ => c.invalid(),
    }
}

fn seg_push_pop(c: &mut Ctx<'_, '_>, push: bool, seg: Register, suffix: Option<Size>) -> SResult {
    let w = suffix == Some(Size::Word);
    let code = match (seg, push, w) {
        (Register::ES, true, false) => Code::Pushd_ES,
        (Register::CS, true, false) => Code::Pushd_CS,
        (Register::SS, true, false) => Code::Pushd_SS,
        (Register::DS, true, false) => Code::Pushd_DS,
        (Register::FS, true, false) => Code::Pushd_FS,
        (Register::GS, true, false) => Code::Pushd_GS,
        (Register::ES, false, false) => Code::Popd_ES,
        (Register::SS, false, false) => Code::Popd_SS,
        (Register::DS, false, false) => Code::Popd_DS,
        (Register::FS, false, false) => Code::Popd_FS,
        (Register::GS, false, false) => Code::Popd_GS,
        (Register::ES, true, true) => Code::Pushw_ES,
        (Register::CS, true, true) => Code::Pushw_CS,
        (Register::SS, true, true) => Code::Pushw_SS,
        (Register::DS, true, true) => Code::Pushw_DS,
        (Register::FS, true, true) => Code::Pushw_FS,
        (Register::GS, true, true) => Code::Pushw_GS,
        (Register::ES, false, true) => Code::Popw_ES,
        (Register::SS, false, true) => Code::Popw_SS,
        (Register::DS, false, true) => Code::Popw_DS,
        (Register::FS, false, true) => Code::Popw_FS,
        (Register::GS, false, true) => Code::Popw_GS,
        _ => return c.err("%cs cannot be popped (use a far return or far jump)".into()),
    };
    sel(code, vec![EncOp::Reg(seg)])
}

/// in/out: port is an imm8 or %dx, data register is %al/%ax/%eax.
fn in_out(c: &mut Ctx<'_, '_>, is_in: bool, suffix: Option<Size>) -> SResult {
    c.arity(&[2])?;
    let (port_i, data_i) = if is_in { (0, 1) } else { (1, 0) };
    let s = c.need_size(suffix, &[port_i])?;
    let Some(acc) = gpr(&c.ops[data_i].op).filter(|r| r.is_acc()) else {
        return Err((
            c.ops[data_i].col,
            format!("'{}' needs %al, %ax or %eax", c.name),
        ));
    };
    let i = idx(s);
    const IN_IMM: [Code; 3] = [Code::In_AL_imm8, Code::In_AX_imm8, Code::In_EAX_imm8];
    const IN_DX: [Code; 3] = [Code::In_AL_DX, Code::In_AX_DX, Code::In_EAX_DX];
    const OUT_IMM: [Code; 3] = [Code::Out_imm8_AL, Code::Out_imm8_AX, Code::Out_imm8_EAX];
    const OUT_DX: [Code; 3] = [Code::Out_DX_AL, Code::Out_DX_AX, Code::Out_DX_EAX];
    let (code, port) = match &c.ops[port_i].op {
        Operand::Imm(e) => {
            let k = c.imm(e, ImmKind::Byte);
            (if is_in { IN_IMM[i] } else { OUT_IMM[i] }, k)
        }
        Operand::Reg(r) if r.reg == Register::DX => (
            if is_in { IN_DX[i] } else { OUT_DX[i] },
            EncOp::Reg(Register::DX),
        ),
        _ => return Err((c.ops[port_i].col, "port must be an immediate or %dx".into())),
    };
    let ops = if is_in {
        vec![EncOp::Reg(acc.reg), port]
    } else {
        vec![port, EncOp::Reg(acc.reg)]
    };
    sel(code, ops)
}

/// The 32-bit register containing a 16-bit one (iced's r32m16 forms take an r32).
fn widen(r: Register) -> Register {
    match r {
        Register::AX => Register::EAX,
        Register::CX => Register::ECX,
        Register::DX => Register::EDX,
        Register::BX => Register::EBX,
        Register::SP => Register::ESP,
        Register::BP => Register::EBP,
        Register::SI => Register::ESI,
        Register::DI => Register::EDI,
        other => other,
    }
}
