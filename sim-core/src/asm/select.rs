//! Instruction selection: mnemonic + AT&T operands -> iced-x86 `Code` and operands,
//! choosing the same encoding GNU as (`as --32`) chooses.

use super::expr::Expr;
use super::mnemonic::{lookup, Family};
use super::operand::{Located, Mem, Operand, Reg, Size};
use iced_x86::{Code, Register};

#[path = "select_ctrl.rs"]
mod ctrl;
#[path = "select_data.rs"]
mod data;

/// How an immediate must fit, checked when its final value is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmKind {
    /// imm8 (signed or unsigned byte).
    Byte,
    /// imm8 sign-extended to the operand size; only chosen for known values.
    SignedByte,
    Word,
    Long,
}

/// A memory operand ready for iced: `disp_size` 0 = none, 1 = shortest, 4 = disp32.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemOp {
    pub mem: Mem,
    pub disp_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncOp {
    Reg(Register),
    Imm(Expr, ImmKind),
    Mem(MemOp),
    /// Branch target address.
    Branch(Expr),
}

/// A selected instruction. `near` is set for relaxable jumps: `code` is the short
/// (rel8) form, `near` the rel32 form used when the target is out of rel8 range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub code: Code,
    pub ops: Vec<EncOp>,
    pub near: Option<Code>,
}

pub(super) type SResult = Result<Selected, (u32, String)>;

/// Parse-time folding of an expression: `Some(v)` when GNU as would know the value
/// while reading this line (which decides between imm8/disp8 and full-width forms).
pub type Known<'a> = dyn FnMut(&Expr) -> Option<i64> + 'a;

pub(super) struct Ctx<'a, 'k> {
    pub name: &'a str,
    pub col: u32,
    pub ops: &'a [Located],
    pub known: &'a mut Known<'k>,
}

pub(super) fn sel(code: Code, ops: Vec<EncOp>) -> SResult {
    Ok(Selected {
        code,
        ops,
        near: None,
    })
}

pub(super) fn idx(s: Size) -> usize {
    match s {
        Size::Byte => 0,
        Size::Word => 1,
        Size::Long => 2,
    }
}

/// Does `v`, truncated to `size` bits, fit a sign-extended imm8? (`addl $0xffffffff`
/// is `addl $-1`, which GNU as encodes as 83 /0 ff.)
pub(super) fn fits_simm8(v: i64, size: Size) -> bool {
    let t = match size {
        Size::Byte => return false,
        Size::Word => i64::from(v as i16),
        Size::Long => i64::from(v as i32),
    };
    (-128..=127).contains(&t)
}

impl Ctx<'_, '_> {
    pub(super) fn err<T>(&self, msg: String) -> Result<T, (u32, String)> {
        Err((self.col, msg))
    }
    pub(super) fn invalid<T>(&self) -> Result<T, (u32, String)> {
        self.err(format!("invalid operands for '{}'", self.name))
    }
    pub(super) fn arity(&self, allowed: &[usize]) -> Result<(), (u32, String)> {
        if allowed.contains(&self.ops.len()) {
            return Ok(());
        }
        let want: Vec<String> = allowed.iter().map(|n| n.to_string()).collect();
        self.err(format!(
            "'{}' takes {} operand(s), got {}",
            self.name,
            want.join(" or "),
            self.ops.len()
        ))
    }

    /// The operand size: the suffix if any, else the GPR operands (which must agree);
    /// registers listed in `skip` (like the `%cl` count of a shift) do not count.
    pub(super) fn size(
        &self,
        suffix: Option<Size>,
        skip: &[usize],
    ) -> Result<Option<Size>, (u32, String)> {
        let mut found: Option<(Size, Reg)> = None;
        for (i, o) in self.ops.iter().enumerate() {
            let Operand::Reg(r) = o.op else { continue };
            let Some(s) = r.size() else { continue };
            if skip.contains(&i) {
                continue;
            }
            if let Some(sfx) = suffix {
                if sfx != s {
                    return Err((
                        o.col,
                        format!("operand size mismatch: {} with {}", self.name, r.name()),
                    ));
                }
            }
            match found {
                Some((fs, fr)) if fs != s => {
                    return Err((
                        o.col,
                        format!("operand size mismatch: {} and {}", fr.name(), r.name()),
                    ))
                }
                _ => found = Some((s, r)),
            }
        }
        Ok(suffix.or(found.map(|f| f.0)))
    }

    pub(super) fn need_size(
        &self,
        suffix: Option<Size>,
        skip: &[usize],
    ) -> Result<Size, (u32, String)> {
        match self.size(suffix, skip)? {
            Some(s) => Ok(s),
            None => self.err(format!(
                "ambiguous operand size for '{}' (add a b, w or l suffix)",
                self.name
            )),
        }
    }

    pub(super) fn mem(&mut self, m: &Mem) -> EncOp {
        let (disp, disp_size) = match &m.disp {
            None => (Expr::Num(0), 0),
            Some(e) => match (self.known)(e) {
                // GNU as drops a known zero displacement and uses disp8 when it fits.
                Some(0) if !m.is_absolute() => (Expr::Num(0), 0),
                Some(v) if !m.is_absolute() => (Expr::Num(v), 1),
                Some(v) => (Expr::Num(v), 4),
                // A symbol's address is only final after layout: always disp32.
                None => (e.clone(), 4),
            },
        };
        EncOp::Mem(MemOp {
            mem: Mem {
                disp: Some(disp),
                ..m.clone()
            },
            disp_size,
        })
    }

    /// Register or memory operand as an r/m `EncOp`.
    pub(super) fn rm(&mut self, o: &Operand) -> Option<EncOp> {
        match o {
            Operand::Reg(r) if r.size().is_some() => Some(EncOp::Reg(r.reg)),
            Operand::Mem(m) => Some(self.mem(m)),
            _ => None,
        }
    }

    pub(super) fn imm(&mut self, e: &Expr, kind: ImmKind) -> EncOp {
        match (self.known)(e) {
            Some(v) => EncOp::Imm(Expr::Num(v), kind),
            None => EncOp::Imm(e.clone(), kind),
        }
    }
}

pub(super) fn gpr(o: &Operand) -> Option<Reg> {
    match o {
        Operand::Reg(r) if r.size().is_some() => Some(*r),
        _ => None,
    }
}

/// Selects the encoding of `name` applied to `ops` (AT&T order: sources first).
pub fn select(name: &str, col: u32, ops: &[Located], known: &mut Known<'_>) -> SResult {
    let Some((family, suffix)) = lookup(name) else {
        return Err((col, format!("unknown instruction '{name}'")));
    };
    let mut c = Ctx {
        name,
        col,
        ops,
        known,
    };
    match family {
        Family::Fixed(code) => c.arity(&[0]).and_then(|_| sel(code, vec![])),
        Family::Alu(_)
        | Family::Test
        | Family::Mov
        | Family::Movx { .. }
        | Family::Lea
        | Family::Xchg
        | Family::Push
        | Family::Pop
        | Family::In
        | Family::Out => data::select(&mut c, family, suffix),
        _ => ctrl::select(&mut c, family, suffix),
    }
}
