//! Turning a selected instruction with final operand values into bytes via iced-x86.

use super::select::{EncOp, ImmKind, Selected};
use iced_x86::{Code, Encoder, Instruction, MemoryOperand, Register};

/// A fully evaluated operand.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    Reg(Register),
    Imm(i32),
    Mem(MemoryOperand),
    Branch(u32),
}

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

pub fn mem_operand(m: &super::operand::Mem, disp: i64, disp_size: u32) -> MemoryOperand {
    MemoryOperand::new(
        m.base.unwrap_or(Register::None),
        m.index.unwrap_or(Register::None),
        if m.index.is_some() { m.scale } else { 1 },
        i64::from(disp as u32),
        disp_size,
        false,
        m.seg.unwrap_or(Register::None),
    )
}

fn build(code: Code, ops: &[Op]) -> Result<Instruction, String> {
    use Op::*;
    let r = match ops {
        [] => Ok(Instruction::with(code)),
        [Branch(t)] => Instruction::with_branch(code, u64::from(*t)),
        [Reg(a)] => Instruction::with1(code, *a),
        [Imm(a)] => Instruction::with1(code, *a),
        [Mem(a)] => Instruction::with1(code, *a),
        [Reg(a), Reg(b)] => Instruction::with2(code, *a, *b),
        [Reg(a), Imm(b)] => Instruction::with2(code, *a, *b),
        [Reg(a), Mem(b)] => Instruction::with2(code, *a, *b),
        [Imm(a), Reg(b)] => Instruction::with2(code, *a, *b),
        [Mem(a), Reg(b)] => Instruction::with2(code, *a, *b),
        [Mem(a), Imm(b)] => Instruction::with2(code, *a, *b),
        [Reg(a), Reg(b), Imm(c)] => Instruction::with3(code, *a, *b, *c),
        [Reg(a), Mem(b), Imm(c)] => Instruction::with3(code, *a, *b, *c),
        _ => return Err("unsupported operand combination".into()),
    };
    r.map_err(|e| e.to_string())
}

/// Encodes `code` with evaluated operands at address `ip`.
pub fn encode(code: Code, ops: &[Op], ip: u32) -> Result<Vec<u8>, String> {
    let ins = build(code, ops).map_err(|e| format!("cannot encode instruction: {e}"))?;
    let mut enc = Encoder::new(32);
    enc.encode(&ins, u64::from(ip))
        .map_err(|e| format!("cannot encode instruction: {e}"))?;
    Ok(enc.take_buffer())
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
