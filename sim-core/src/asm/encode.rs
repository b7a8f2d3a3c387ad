//! Bytes of one instruction from its `Code` and final operand values, with the
//! opcode facts of [`super::opcodes`]: prefixes, opcode, ModRM/SIB, displacement,
//! immediates, in the order the SDM lays them out (Vol. 2, 2.1).

use super::opcodes::{lookup, Kind};
use iced_x86::{Code, Register};

/// A memory operand with its final displacement. `disp_size`: 0 = none (disp8 0
/// when the base is EBP, which has no mod-00 form), 1 = disp8 if the value fits,
/// else disp32, 4 = disp32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemOperand {
    pub base: Option<Register>,
    pub index: Option<Register>,
    pub scale: u32,
    pub disp: u32,
    pub disp_size: u32,
    pub seg: Option<Register>,
}

/// A fully evaluated operand, in iced's (Intel) operand order.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    Reg(Register),
    Imm(i32),
    Mem(MemOperand),
    /// Branch target address.
    Branch(u32),
}

/// ModRM.reg / ModRM.rm / `+r` number of a register (SDM Vol. 2, table 2-1).
fn number(r: Register) -> Option<u8> {
    use Register as R;
    let n = r as u32;
    let from = |first: R, count: u32| {
        (n >= first as u32 && n < first as u32 + count).then(|| (n - first as u32) as u8)
    };
    from(R::AL, 8)
        .or_else(|| from(R::AX, 8))
        .or_else(|| from(R::EAX, 8))
        .or_else(|| from(R::ES, 6))
        .or_else(|| from(R::CR0, 8))
}

fn segment_prefix(r: Register) -> Option<u8> {
    Some(match r {
        Register::ES => 0x26,
        Register::CS => 0x2e,
        Register::SS => 0x36,
        Register::DS => 0x3e,
        Register::FS => 0x64,
        Register::GS => 0x65,
        _ => return None,
    })
}

const BAD: &str = "cannot encode instruction: invalid operands for this form";

/// ModRM (+ SIB + displacement) for `reg` and a memory operand, 32-bit addressing.
fn modrm_mem(out: &mut Vec<u8>, reg: u8, m: &MemOperand) -> Result<(), String> {
    let scale = match m.scale {
        1 => 0,
        2 => 1,
        4 => 2,
        8 => 3,
        _ => return Err(BAD.into()),
    };
    let index = match m.index {
        None => None,
        Some(Register::ESP) => return Err(BAD.into()),
        Some(r) => Some(number(r).ok_or(BAD)?),
    };
    let Some(base) = m.base else {
        match index {
            // disp32 alone: mod 00, rm 101.
            None => out.push(reg << 3 | 0b101),
            // index*scale + disp32: SIB with base 101 and mod 00.
            Some(i) => out.extend([reg << 3 | 0b100, scale << 6 | i << 3 | 0b101]),
        }
        out.extend(m.disp.to_le_bytes());
        return Ok(());
    };
    let b = number(base).ok_or(BAD)?;
    let fits8 = (m.disp as i32) >= -128 && (m.disp as i32) <= 127;
    let disp_bytes = match m.disp_size {
        0 if m.disp == 0 && b != 5 => 0,
        0 | 1 if fits8 => 1,
        _ => 4,
    };
    let md: u8 = match disp_bytes {
        0 => 0,
        1 => 1,
        _ => 2,
    };
    match index {
        // ESP as a base needs a SIB byte (rm 100 means "SIB follows").
        None if b != 4 => out.push(md << 6 | reg << 3 | b),
        None => out.extend([md << 6 | reg << 3 | 0b100, 0b100 << 3 | 4]),
        Some(i) => out.extend([md << 6 | reg << 3 | 0b100, scale << 6 | i << 3 | b]),
    }
    out.extend(&m.disp.to_le_bytes()[..disp_bytes]);
    Ok(())
}

/// Encodes `code` with evaluated operands at address `ip`.
pub fn encode(code: Code, ops: &[Op], ip: u32) -> Result<Vec<u8>, String> {
    let enc = lookup(code).ok_or("cannot encode instruction: form not in the opcode table")?;
    if enc.kinds.len() != ops.len() {
        return Err(BAD.into());
    }
    let mut reg_field = enc.digit;
    let mut opreg = 0;
    let mut rm: Option<Op> = None;
    let mut moffs = None;
    let mut seg = None;
    for (k, op) in enc.kinds.iter().zip(ops) {
        match (k, op) {
            (Kind::Reg | Kind::SegReg | Kind::CrReg, Op::Reg(r)) => {
                reg_field = Some(number(*r).ok_or(BAD)?)
            }
            (Kind::OpReg, Op::Reg(r)) => opreg = number(*r).ok_or(BAD)?,
            (Kind::Rm | Kind::RmReg, Op::Reg(_)) | (Kind::Rm | Kind::Mem, Op::Mem(_)) => {
                rm = Some(*op);
                if let Op::Mem(m) = op {
                    seg = m.seg;
                }
            }
            (Kind::Moffs, Op::Mem(m)) if m.base.is_none() && m.index.is_none() => {
                moffs = Some(m.disp);
                seg = m.seg;
            }
            (Kind::Implicit, _) => {}
            (Kind::Imm8 | Kind::Imm16 | Kind::Imm32, Op::Imm(_)) => {}
            (Kind::Rel8 | Kind::Rel32, Op::Branch(_)) => {}
            _ => return Err(BAD.into()),
        }
    }
    let mut out = Vec::with_capacity(15);
    if let Some(s) = seg {
        out.push(segment_prefix(s).ok_or(BAD)?);
    }
    if enc.o16 {
        out.push(0x66);
    }
    if enc.map0f {
        out.push(0x0f);
    }
    out.push(enc.op + opreg);
    match rm {
        Some(Op::Reg(r)) => {
            out.push(0b11 << 6 | reg_field.unwrap_or(0) << 3 | number(r).ok_or(BAD)?)
        }
        Some(Op::Mem(m)) => modrm_mem(&mut out, reg_field.unwrap_or(0), &m)?,
        _ => {}
    }
    if let Some(a) = moffs {
        out.extend(a.to_le_bytes());
    }
    for (k, op) in enc.kinds.iter().zip(ops) {
        match (k, op) {
            (Kind::Imm8, Op::Imm(v)) => out.push(*v as u8),
            (Kind::Imm16, Op::Imm(v)) => out.extend((*v as u16).to_le_bytes()),
            (Kind::Imm32, Op::Imm(v)) => out.extend(v.to_le_bytes()),
            (Kind::Rel8, Op::Branch(t)) => {
                let rel = i64::from(*t) - (i64::from(ip) + out.len() as i64 + 1);
                let rel = i8::try_from(rel)
                    .map_err(|_| "cannot encode instruction: branch target out of rel8 range")?;
                out.push(rel as u8);
            }
            (Kind::Rel32, Op::Branch(t)) => {
                let rel = t.wrapping_sub(ip.wrapping_add(out.len() as u32 + 4));
                out.extend(rel.to_le_bytes());
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
