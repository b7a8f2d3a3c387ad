//! AT&T operands: `%reg`, `$imm`, `disp(base,index,scale)`, `%seg:mem`, `*indirect`.

use super::expr::{Cursor, Expr};
use super::lexer::{Punct, Tok};
use iced_x86::Register;

/// Operand width, from an instruction suffix (`b`, `w`, `l`) or a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Size {
    Byte,
    Word,
    Long,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegClass {
    Gpr(Size),
    Segment,
    Control,
}

/// A register operand with the name the student wrote (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg {
    pub reg: Register,
    pub class: RegClass,
}

impl Reg {
    pub fn size(self) -> Option<Size> {
        match self.class {
            RegClass::Gpr(s) => Some(s),
            _ => None,
        }
    }
    /// AL, AX or EAX: the accumulator has short encodings.
    pub fn is_acc(self) -> bool {
        matches!(self.reg, Register::AL | Register::AX | Register::EAX)
    }
    pub fn name(self) -> String {
        format!("%{}", format!("{:?}", self.reg).to_ascii_lowercase())
    }
}

const GPR8: [Register; 8] = [
    Register::AL,
    Register::CL,
    Register::DL,
    Register::BL,
    Register::AH,
    Register::CH,
    Register::DH,
    Register::BH,
];
const GPR16: [Register; 8] = [
    Register::AX,
    Register::CX,
    Register::DX,
    Register::BX,
    Register::SP,
    Register::BP,
    Register::SI,
    Register::DI,
];
const GPR32: [Register; 8] = [
    Register::EAX,
    Register::ECX,
    Register::EDX,
    Register::EBX,
    Register::ESP,
    Register::EBP,
    Register::ESI,
    Register::EDI,
];

/// Looks up a register by its AT&T name (without `%`, lower case).
pub fn register(name: &str) -> Option<Reg> {
    const N8: [&str; 8] = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
    const N16: [&str; 8] = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
    const SEG: [(&str, Register); 6] = [
        ("es", Register::ES),
        ("cs", Register::CS),
        ("ss", Register::SS),
        ("ds", Register::DS),
        ("fs", Register::FS),
        ("gs", Register::GS),
    ];
    // Intel SDM Vol. 3 2.5: CR1 is reserved; CR0, CR2, CR3 and CR4 exist on IA-32.
    const CR: [(&str, Register); 4] = [
        ("cr0", Register::CR0),
        ("cr2", Register::CR2),
        ("cr3", Register::CR3),
        ("cr4", Register::CR4),
    ];
    let gpr = |r, s| {
        Some(Reg {
            reg: r,
            class: RegClass::Gpr(s),
        })
    };
    if let Some(i) = N8.iter().position(|&n| n == name) {
        return gpr(GPR8[i], Size::Byte);
    }
    if let Some(i) = N16.iter().position(|&n| n == name) {
        return gpr(GPR16[i], Size::Word);
    }
    if let Some(rest) = name.strip_prefix('e') {
        if let Some(i) = N16.iter().position(|&n| n == rest) {
            return gpr(GPR32[i], Size::Long);
        }
    }
    if let Some(&(_, r)) = SEG.iter().find(|(n, _)| *n == name) {
        return Some(Reg {
            reg: r,
            class: RegClass::Segment,
        });
    }
    CR.iter().find(|(n, _)| *n == name).map(|&(_, r)| Reg {
        reg: r,
        class: RegClass::Control,
    })
}

/// A memory reference `seg:disp(base,index,scale)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mem {
    pub seg: Option<Register>,
    pub disp: Option<Expr>,
    pub base: Option<Register>,
    pub index: Option<Register>,
    pub scale: u32,
}

impl Mem {
    /// No base and no index: an absolute address (`movl 0x1000, %eax`, `jmp label`).
    pub fn is_absolute(&self) -> bool {
        self.base.is_none() && self.index.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    Reg(Reg),
    Imm(Expr),
    Mem(Mem),
    /// `*%eax` or `*mem`: indirect jump or call target.
    Indirect(Box<Operand>),
}

/// An operand and the column where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub op: Operand,
    pub col: u32,
}

type PResult<T> = Result<T, (u32, String)>;

fn reg_at(c: &mut Cursor<'_>) -> PResult<Reg> {
    let col = c.col();
    match c.peek() {
        Some(Tok::Reg(name)) => {
            c.pos += 1;
            register(name).ok_or((col, format!("unknown register %{name}")))
        }
        _ => Err((col, "expected a register".into())),
    }
}

/// Parses one operand at the cursor (up to, not including, the next `,` or end).
pub fn parse_operand(c: &mut Cursor<'_>) -> PResult<Located> {
    let col = c.col();
    let op = if c.eat(Punct::Dollar) {
        Operand::Imm(c.expr()?)
    } else if c.eat(Punct::Star) {
        let inner = parse_operand(c)?;
        match inner.op {
            Operand::Reg(_) | Operand::Mem(_) => Operand::Indirect(Box::new(inner.op)),
            _ => {
                return Err((
                    inner.col,
                    "'*' must be followed by a register or memory".into(),
                ))
            }
        }
    } else if let Some(Tok::Reg(_)) = c.peek() {
        let r = reg_at(c)?;
        if c.eat(Punct::Colon) {
            if r.class != RegClass::Segment {
                return Err((col, format!("{} is not a segment register", r.name())));
            }
            let mut m = parse_mem(c)?;
            m.seg = Some(r.reg);
            Operand::Mem(m)
        } else {
            Operand::Reg(r)
        }
    } else {
        Operand::Mem(parse_mem(c)?)
    };
    Ok(Located { op, col })
}

/// `(` starts the base/index part (rather than a parenthesised displacement) when it
/// is followed by a register or a comma, as in `(%eax)` and `(,%ecx,4)`.
fn starts_base_index(c: &Cursor<'_>) -> bool {
    c.peek() == Some(&Tok::Punct(Punct::LParen))
        && matches!(
            c.toks.get(c.pos + 1).map(|t| &t.tok),
            Some(Tok::Reg(_)) | Some(Tok::Punct(Punct::Comma))
        )
}

fn parse_mem(c: &mut Cursor<'_>) -> PResult<Mem> {
    let disp = if starts_base_index(c) {
        None
    } else {
        Some(c.expr()?)
    };
    let mut m = Mem {
        seg: None,
        disp,
        base: None,
        index: None,
        scale: 1,
    };
    if !starts_base_index(c) {
        return Ok(m);
    }
    c.pos += 1; // (
    if let Some(Tok::Reg(_)) = c.peek() {
        m.base = Some(addr_reg(c, "base")?);
    }
    if c.eat(Punct::Comma) {
        if let Some(Tok::Reg(_)) = c.peek() {
            let col = c.col();
            let idx = addr_reg(c, "index")?;
            // Intel SDM Vol. 2 Table 2-3: SIB index 100b means "none", so ESP cannot index.
            if idx == Register::ESP {
                return Err((col, "%esp cannot be used as an index register".into()));
            }
            m.index = Some(idx);
        }
        if c.eat(Punct::Comma) {
            let col = c.col();
            let scale = match c.peek() {
                Some(Tok::Num(n)) => *n,
                _ => return Err((col, "expected scale factor 1, 2, 4 or 8".into())),
            };
            c.pos += 1;
            if ![1, 2, 4, 8].contains(&scale) {
                return Err((col, format!("scale factor {scale} is not 1, 2, 4 or 8")));
            }
            if m.index.is_none() {
                return Err((col, "scale factor without an index register".into()));
            }
            m.scale = scale as u32;
        }
    }
    if !c.eat(Punct::RParen) {
        return Err((c.col(), "expected ')' after memory operand".into()));
    }
    if m.is_absolute() && m.disp.is_none() {
        return Err((
            c.col(),
            "memory operand needs a base or index register".into(),
        ));
    }
    Ok(m)
}

fn addr_reg(c: &mut Cursor<'_>, what: &str) -> PResult<Register> {
    let col = c.col();
    let r = reg_at(c)?;
    match r.class {
        RegClass::Gpr(Size::Long) => Ok(r.reg),
        _ => Err((
            col,
            format!(
                "{} cannot be used as {what} register (use a 32-bit register)",
                r.name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::lexer::lex;
    use std::collections::HashMap;

    fn op(src: &str) -> PResult<Operand> {
        let mut errs = Vec::new();
        let stmts = lex(src, &mut errs);
        let locals = HashMap::new();
        let mut c = Cursor {
            toks: &stmts[0].tokens,
            pos: 0,
            end_col: 99,
            locals: &locals,
            depth: 0,
        };
        let o = parse_operand(&mut c)?;
        assert!(c.at_end());
        Ok(o.op)
    }

    #[test]
    fn addressing_modes() {
        let Operand::Mem(m) = op("8(%ebp,%ecx,4)").unwrap() else {
            panic!()
        };
        assert_eq!(
            (m.base, m.index, m.scale),
            (Some(Register::EBP), Some(Register::ECX), 4)
        );
        assert_eq!(m.disp, Some(Expr::Num(8)));
        let Operand::Mem(m) = op("(,%ecx,4)").unwrap() else {
            panic!()
        };
        assert_eq!((m.base, m.index, m.disp), (None, Some(Register::ECX), None));
        let Operand::Mem(m) = op("(4096*2)(%eax)").unwrap() else {
            panic!()
        };
        assert_eq!(m.base, Some(Register::EAX));
        let Operand::Mem(m) = op("%es:4(%eax)").unwrap() else {
            panic!()
        };
        assert_eq!(m.seg, Some(Register::ES));
        assert!(matches!(op("0x1000").unwrap(), Operand::Mem(m) if m.is_absolute()));
        assert!(matches!(op("*%eax").unwrap(), Operand::Indirect(_)));
        assert!(matches!(op("$(1+2)").unwrap(), Operand::Imm(_)));
    }

    #[test]
    fn operand_errors() {
        assert_eq!(op("%eaxx").unwrap_err().1, "unknown register %eaxx");
        assert_eq!(op("(%eax,%esp)").unwrap_err().0, 7);
        assert!(op("(%eax,%ebx,3)").unwrap_err().1.contains("scale"));
        assert!(op("(%ax)").unwrap_err().1.contains("32-bit"));
        assert!(op("*$4").is_err());
        assert!(op("%eax:(%ebx)").is_err());
    }
}
