//! Turning a selected instruction's operands into final values for [`encode`].

pub use super::encode::{encode, MemOperand, Op};
use super::select::{EncOp, ImmKind, Selected};

/// Checks that `v` fits the immediate field; GNU as accepts both signed and unsigned
/// spellings (`$0xff` and `$-1` are the same byte).
pub fn check_imm(v: i64, kind: ImmKind) -> Result<i32, String> {
    let (lo, hi, what) = match kind {
        ImmKind::Byte => (-128, 255, "a byte"),
        // Chosen only for known values already checked against the operand size.
        ImmKind::SignedByte => return Ok(i32::from(v as i8)),
        ImmKind::Word => (-32768, 65535, "a word (16 bits)"),
        ImmKind::Long => (-(1i64 << 31), (1i64 << 32) - 1, "32 bits"),
    };
    if v < lo || v > hi {
        return Err(format!("immediate {v} does not fit in {what}"));
    }
    Ok(match kind {
        ImmKind::Byte => i32::from(v as u8 as i8),
        _ => v as i32,
    })
}

pub fn mem_operand(m: &super::operand::Mem, disp: i64, disp_size: u32) -> MemOperand {
    MemOperand {
        base: m.base,
        index: m.index,
        scale: if m.index.is_some() { m.scale } else { 1 },
        disp: disp as u32,
        disp_size,
        seg: m.seg,
    }
}

/// Placeholder operands (all unknown values 0) to measure an instruction's size before
/// layout: selection already fixed every field width, so values do not change sizes.
pub fn placeholder_ops(sel: &Selected, ip: u32) -> Vec<Op> {
    sel.ops
        .iter()
        .map(|o| match o {
            EncOp::Reg(r) => Op::Reg(*r),
            EncOp::Imm(super::expr::Expr::Num(v), k) => Op::Imm(check_imm(*v, *k).unwrap_or(0)),
            EncOp::Imm(..) => Op::Imm(0),
            EncOp::Mem(m) => {
                let d = match &m.mem.disp {
                    Some(super::expr::Expr::Num(v)) => *v,
                    _ => 0,
                };
                Op::Mem(mem_operand(&m.mem, d, m.disp_size))
            }
            EncOp::Branch(_) => Op::Branch(ip),
        })
        .collect()
}
