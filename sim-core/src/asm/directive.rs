//! Assembler directives (`.text`, `.long`, `.ascii`, `.align`, `.equ`, ...).

use super::expr::{Cursor, Expr};
use super::lexer::{Punct, Tok};
use super::parser::{end, Data, Pass1};
use super::types::SectionKind;

type PResult<T> = Result<T, (u32, String)>;

fn ident(c: &mut Cursor<'_>) -> PResult<String> {
    match c.peek() {
        Some(Tok::Ident(n)) => {
            let n = n.clone();
            c.pos += 1;
            Ok(n)
        }
        _ => Err((c.col(), "expected a symbol name".into())),
    }
}

/// Comma-separated list of items parsed by `f`.
fn list<T>(
    c: &mut Cursor<'_>,
    mut f: impl FnMut(&mut Cursor<'_>) -> PResult<T>,
) -> PResult<Vec<T>> {
    let mut out = Vec::new();
    if c.at_end() {
        return Ok(out);
    }
    loop {
        out.push(f(c)?);
        if !c.eat(Punct::Comma) {
            end(c)?;
            return Ok(out);
        }
    }
}

/// A constant GNU as must know right here (sizes of `.space`, `.align`).
fn constant(p: &Pass1, c: &mut Cursor<'_>, what: &str) -> PResult<i64> {
    let col = c.col();
    let e = c.expr()?;
    p.known(&e).ok_or((
        col,
        format!("{what} must be a constant known at this point"),
    ))
}

pub fn directive(
    p: &mut Pass1,
    c: &mut Cursor<'_>,
    name: &str,
    line: u32,
    col: u32,
) -> PResult<()> {
    match name {
        ".text" | ".data" => {
            end(c)?;
            p.set_section(if name == ".text" {
                SectionKind::Text
            } else {
                SectionKind::Data
            });
            Ok(())
        }
        ".section" => {
            let s = ident(c)?;
            // Flags like `,"ax",@progbits` are accepted and ignored.
            c.pos = c.toks.len();
            match s.as_str() {
                ".text" => p.set_section(SectionKind::Text),
                ".data" | ".rodata" => p.set_section(SectionKind::Data),
                _ => {
                    return Err((
                        col,
                        format!("unsupported section '{s}' (use .text or .data)"),
                    ))
                }
            }
            Ok(())
        }
        ".globl" | ".global" => {
            for n in list(c, ident)? {
                p.add_global(n);
            }
            Ok(())
        }
        ".equ" | ".set" => {
            let n = ident(c)?;
            if !c.eat(Punct::Comma) {
                return Err((c.col(), format!("expected ',' after the name in {name}")));
            }
            let e = c.expr()?;
            end(c)?;
            p.define(n, e, line, col)
        }
        ".byte" => values(p, c, 1, line, col),
        ".word" | ".short" | ".value" => values(p, c, 2, line, col),
        ".long" | ".int" => values(p, c, 4, line, col),
        ".ascii" | ".asciz" | ".string" => {
            let zero = name != ".ascii";
            let strs = list(c, |c| match c.peek() {
                Some(Tok::Str(s)) => {
                    let mut s = s.clone();
                    c.pos += 1;
                    if zero {
                        s.push(0);
                    }
                    Ok(s)
                }
                _ => Err((c.col(), format!("{name} needs a string in double quotes"))),
            })?;
            let bytes: Vec<u8> = strs.concat();
            let len = bytes.len() as u64;
            p.add_data(vec![Data::Bytes(bytes)], len, line, col)
        }
        ".space" | ".skip" => {
            let n = constant(p, c, "the size")?;
            let fill = if c.eat(Punct::Comma) {
                constant(p, c, "the fill value")?
            } else {
                0
            };
            end(c)?;
            if n < 0 {
                return Err((col, format!("{name} size {n} is negative")));
            }
            p.add_space(n as u64, fill as u8, line, col)
        }
        // GNU as on i386: `.align n` aligns to n bytes (not 2^n); `.p2align n` to 2^n.
        ".align" | ".balign" | ".p2align" => {
            let n = constant(p, c, "the alignment")?;
            let mut fill = None;
            let mut max = u32::MAX;
            if c.eat(Punct::Comma) {
                if !matches!(c.peek(), Some(Tok::Punct(Punct::Comma))) {
                    fill = Some(constant(p, c, "the fill value")? as u8);
                }
                if c.eat(Punct::Comma) {
                    max = constant(p, c, "the maximum skip")?.clamp(0, i64::from(u32::MAX)) as u32;
                }
            }
            end(c)?;
            let boundary = if name == ".p2align" {
                if !(0..=16).contains(&n) {
                    return Err((col, format!("alignment 2^{n} is too large")));
                }
                1u32 << n
            } else {
                if !(0..=65536).contains(&n) || (n > 0 && n & (n - 1) != 0) {
                    return Err((
                        col,
                        format!("alignment {n} is not a power of 2 up to 65536"),
                    ));
                }
                n.max(1) as u32
            };
            p.add_align(boundary, fill, max, line, col)
        }
        // Harmless metadata that compilers emit.
        ".file" | ".type" | ".size" | ".ident" | ".code32" | ".att_syntax" => {
            c.pos = c.toks.len();
            Ok(())
        }
        _ => Err((col, format!("unknown directive '{name}'"))),
    }
}

fn values(p: &mut Pass1, c: &mut Cursor<'_>, width: u32, line: u32, col: u32) -> PResult<()> {
    let exprs: Vec<Expr> = list(c, |c| c.expr())?;
    let data: Vec<Data> = exprs
        .into_iter()
        .map(|e| Data::Value(p.known(&e).map_or(e, Expr::Num), width))
        .collect();
    let len = data.len() as u64 * u64::from(width);
    p.add_data(data, len, line, col)
}
