//! Constant expressions: parsing with GNU as precedence and evaluation.
//!
//! GNU as precedence (highest first): unary `- ~ !`; `* / % << >>`; `| & ^`; `+ -`.
//! (Unlike C, `1 + 2 & 3` is `1 + (2 & 3)`.)

use super::lexer::{Punct, Tok, Token};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    And,
    Or,
    Xor,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Num(i64),
    Sym { name: String, col: u32 },
    Neg(Box<Expr>),
    Not(Box<Expr>),
    LogicalNot(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

/// A value: an absolute number, or an offset from a position whose address is not known
/// yet (`base` = section and fragment, see `assemble`); only same-base differences of
/// such positions are absolute, which is exactly when GNU as can fold them early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value {
    pub off: i64,
    pub base: Option<(u8, u32)>,
}

impl Value {
    pub fn abs(v: i64) -> Self {
        Value { off: v, base: None }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    Undefined { name: String, col: u32 },
    NotConstant,
    DivByZero,
    Recursive { name: String, col: u32 },
}

/// Parsing state over one statement's tokens.
pub struct Cursor<'a> {
    pub toks: &'a [Token],
    pub pos: usize,
    /// Column just after the statement, for "expected ... at end of line" errors.
    pub end_col: u32,
    /// Number of times each local numeric label has been defined so far.
    pub locals: &'a HashMap<u64, u32>,
    /// Current nesting of unary operators and parentheses (bounded, see `unary`).
    pub depth: u32,
}

/// Internal symbol name of the `n`th definition of local label `label`.
pub fn local_name(label: u64, n: u32) -> String {
    format!("{label}\u{2}{n}")
}

impl<'a> Cursor<'a> {
    pub fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    pub fn col(&self) -> u32 {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.col)
    }
    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub fn eat(&mut self, p: Punct) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Parses a full expression.
    pub fn expr(&mut self) -> Result<Expr, (u32, String)> {
        self.level(0)
    }

    fn op_at(&self, level: u8) -> Option<BinOp> {
        let Some(Tok::Punct(p)) = self.peek() else {
            return None;
        };
        let op = match p {
            Punct::Plus => BinOp::Add,
            Punct::Minus => BinOp::Sub,
            Punct::Pipe => BinOp::Or,
            Punct::Amp => BinOp::And,
            Punct::Caret => BinOp::Xor,
            Punct::Star => BinOp::Mul,
            Punct::Slash => BinOp::Div,
            Punct::Percent => BinOp::Rem,
            Punct::Shl => BinOp::Shl,
            Punct::Shr => BinOp::Shr,
            _ => return None,
        };
        let op_level = match op {
            BinOp::Add | BinOp::Sub => 0,
            BinOp::Or | BinOp::And | BinOp::Xor => 1,
            _ => 2,
        };
        (op_level == level).then_some(op)
    }

    fn level(&mut self, level: u8) -> Result<Expr, (u32, String)> {
        if level == 3 {
            return self.unary();
        }
        let mut lhs = self.level(level + 1)?;
        while let Some(op) = self.op_at(level) {
            // Operator chains build left-deep trees; bounding them keeps evaluation's
            // recursion shallow on hostile input.
            self.depth += 1;
            if self.depth > 100 {
                return Err((self.col(), "expression too long".into()));
            }
            self.pos += 1;
            let rhs = self.level(level + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, (u32, String)> {
        // Bound recursion so pathological input like 100k `-` cannot overflow the stack.
        if self.depth > 100 {
            return Err((self.col(), "expression nested too deeply".into()));
        }
        self.depth += 1;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, (u32, String)> {
        let col = self.col();
        let Some(tok) = self.peek() else {
            return Err((col, "expected an expression".into()));
        };
        self.pos += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(*v)),
            Tok::Ident(name) => Ok(Expr::Sym {
                name: name.clone(),
                col,
            }),
            Tok::LocalRef { label, forward } => {
                let defined = self.locals.get(label).copied().unwrap_or(0);
                let n = if *forward { defined + 1 } else { defined };
                if n == 0 {
                    return Err((
                        col,
                        format!("local label {label}b used before any '{label}:'"),
                    ));
                }
                Ok(Expr::Sym {
                    name: local_name(*label, n),
                    col,
                })
            }
            Tok::Punct(Punct::Minus) => Ok(Expr::Neg(Box::new(self.unary()?))),
            Tok::Punct(Punct::Plus) => self.unary(),
            Tok::Punct(Punct::Tilde) => Ok(Expr::Not(Box::new(self.unary()?))),
            Tok::Punct(Punct::Bang) => Ok(Expr::LogicalNot(Box::new(self.unary()?))),
            Tok::Punct(Punct::LParen) => {
                let e = self.level(0)?;
                if !self.eat(Punct::RParen) {
                    return Err((self.col(), "expected ')'".into()));
                }
                Ok(e)
            }
            Tok::Reg(r) => Err((
                col,
                format!("register %{r} is not allowed in an expression"),
            )),
            Tok::Str(_) => Err((col, "a string is not allowed in an expression".into())),
            Tok::Punct(_) => Err((col, "expected an expression".into())),
        }
    }
}

/// Evaluates `e`, asking `sym` for symbol values.
pub fn eval(
    e: &Expr,
    sym: &mut dyn FnMut(&str, u32) -> Result<Value, EvalError>,
) -> Result<Value, EvalError> {
    Ok(match e {
        Expr::Num(v) => Value::abs(*v),
        Expr::Sym { name, col } => sym(name, *col)?,
        Expr::Neg(a) => Value::abs(absolute(eval(a, sym)?)?.wrapping_neg()),
        Expr::Not(a) => Value::abs(!absolute(eval(a, sym)?)?),
        Expr::LogicalNot(a) => Value::abs(i64::from(absolute(eval(a, sym)?)? == 0)),
        Expr::Bin(op, a, b) => {
            let (a, b) = (eval(a, sym)?, eval(b, sym)?);
            binary(*op, a, b)?
        }
    })
}

fn absolute(v: Value) -> Result<i64, EvalError> {
    match v.base {
        None => Ok(v.off),
        Some(_) => Err(EvalError::NotConstant),
    }
}

fn binary(op: BinOp, a: Value, b: Value) -> Result<Value, EvalError> {
    match op {
        BinOp::Add => match (a.base, b.base) {
            (Some(_), Some(_)) => Err(EvalError::NotConstant),
            (base, None) | (None, base) => Ok(Value {
                off: a.off.wrapping_add(b.off),
                base,
            }),
        },
        BinOp::Sub => match (a.base, b.base) {
            (x, y) if x == y => Ok(Value::abs(a.off.wrapping_sub(b.off))),
            (base, None) => Ok(Value {
                off: a.off.wrapping_sub(b.off),
                base,
            }),
            _ => Err(EvalError::NotConstant),
        },
        _ => {
            let (x, y) = (absolute(a)?, absolute(b)?);
            let v = match op {
                BinOp::Mul => x.wrapping_mul(y),
                BinOp::Div | BinOp::Rem if y == 0 => return Err(EvalError::DivByZero),
                BinOp::Div => x.wrapping_div(y),
                BinOp::Rem => x.wrapping_rem(y),
                BinOp::Shl => u32::try_from(y)
                    .ok()
                    .and_then(|s| x.checked_shl(s))
                    .unwrap_or(0),
                BinOp::Shr => u32::try_from(y)
                    .ok()
                    .and_then(|s| x.checked_shr(s))
                    .unwrap_or(0),
                BinOp::And => x & y,
                BinOp::Or => x | y,
                _ => x ^ y,
            };
            Ok(Value::abs(v))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::lexer::lex;

    fn calc(src: &str) -> Result<i64, EvalError> {
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
        let e = c.expr().map_err(|_| EvalError::NotConstant)?;
        assert!(c.at_end(), "trailing tokens in {src}");
        let mut sym = |name: &str, col| match name {
            "four" => Ok(Value::abs(4)),
            "a" => Ok(Value {
                off: 10,
                base: Some((0, 0)),
            }),
            "b" => Ok(Value {
                off: 30,
                base: Some((0, 0)),
            }),
            "c" => Ok(Value {
                off: 30,
                base: Some((0, 1)),
            }),
            _ => Err(EvalError::Undefined {
                name: name.into(),
                col,
            }),
        };
        eval(&e, &mut sym).and_then(absolute)
    }

    #[test]
    fn precedence_and_operators() {
        assert_eq!(calc("4096*2"), Ok(8192));
        assert_eq!(calc("1 + 2 * 3"), Ok(7));
        assert_eq!(calc("1 + 2 & 3"), Ok(3));
        assert_eq!(calc("(1 + 2) & 3"), Ok(3));
        assert_eq!(calc("-1 >> 1"), Ok(-1));
        assert_eq!(calc("~0 ^ 0xff"), Ok(-256));
        assert_eq!(calc("17 % 5 | 8"), Ok(10));
        assert_eq!(calc("1 << 4 - 1"), Ok(15));
        assert_eq!(calc("- - 3"), Ok(3));
        assert_eq!(calc("'a + four"), Ok(101));
        assert_eq!(calc("1 << 99"), Ok(0));
    }

    #[test]
    fn label_arithmetic() {
        assert_eq!(calc("b - a"), Ok(20));
        assert_eq!(calc("b - a + four * 2"), Ok(28));
        assert_eq!(calc("c - a"), Err(EvalError::NotConstant));
        assert_eq!(calc("a + b"), Err(EvalError::NotConstant));
        assert_eq!(calc("a * 2"), Err(EvalError::NotConstant));
    }

    #[test]
    fn errors() {
        assert_eq!(calc("1 / 0"), Err(EvalError::DivByZero));
        assert_eq!(
            calc("x + 1"),
            Err(EvalError::Undefined {
                name: "x".into(),
                col: 1
            })
        );
        assert!(calc(&"-".repeat(5000)).is_err());
        assert!(calc(&"(".repeat(5000)).is_err());
    }
}
