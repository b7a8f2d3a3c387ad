//! Pass 1: statements to items (labels, instructions, data, alignment), in source order,
//! with GNU as's one-pass knowledge of which values are already known on each line.

use super::emit::{encode, placeholder_ops};
use super::error::AsmError;
use super::expr::{eval, local_name, Cursor, EvalError, Expr, Value};
use super::lexer::{Punct, Statement, Tok};
use super::operand::parse_operand;
use super::select::{select, Selected};
use super::types::SectionKind;
use std::collections::HashMap;

/// Largest total output (all `.space`, data and code), so hostile input cannot exhaust memory.
pub const MAX_OUTPUT: u64 = 16 << 20;

#[derive(Clone, Debug)]
pub enum Data {
    Bytes(Vec<u8>),
    /// An expression stored in `width` bytes, little-endian.
    Value(Expr, u32),
}

#[derive(Clone, Debug)]
pub enum ItemKind {
    Label(String),
    Insn {
        sel: Selected,
        size: u32,
        long: bool,
    },
    Data(Vec<Data>),
    Align {
        boundary: u32,
        fill: Option<u8>,
        max: u32,
    },
    Space {
        len: u32,
        fill: u8,
    },
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: ItemKind,
    pub section: SectionKind,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub enum SymDef {
    /// Position known relative to a fragment (a run of fixed-size items).
    Label { at: Value, line: u32 },
    Equ {
        expr: Expr,
        known: Option<i64>,
        line: u32,
    },
}

#[derive(Default)]
pub struct Pass1 {
    pub items: Vec<Item>,
    pub syms: HashMap<String, SymDef>,
    pub globals: Vec<String>,
    pub errors: Vec<AsmError>,
    section: Option<SectionKind>,
    locals: HashMap<u64, u32>,
    /// Per section: current fragment number and offset inside it.
    frag: [(u32, i64); 2],
    total: u64,
}

type PResult<T> = Result<T, (u32, String)>;

fn sec_idx(s: SectionKind) -> usize {
    match s {
        SectionKind::Text => 0,
        SectionKind::Data => 1,
    }
}

impl Pass1 {
    fn sec(&self) -> SectionKind {
        self.section.unwrap_or(SectionKind::Text)
    }

    /// Value of `e` if GNU as would know it on this line (constants, earlier `.equ`s,
    /// differences of labels in the same fragment).
    pub fn known(&self, e: &Expr) -> Option<i64> {
        let mut sym = |name: &str, col| match self.syms.get(name) {
            Some(SymDef::Equ { known: Some(v), .. }) => Ok(Value::abs(*v)),
            Some(SymDef::Label { at, .. }) => Ok(*at),
            _ => Err(EvalError::Undefined {
                name: name.into(),
                col,
            }),
        };
        match eval(e, &mut sym) {
            Ok(Value { off, base: None }) => Some(off),
            _ => None,
        }
    }

    fn advance(&mut self, len: u64, line: u32) -> PResult<()> {
        self.total += len;
        if self.total > MAX_OUTPUT {
            return Err((
                1,
                format!(
                    "program too large (over {} MiB of output)",
                    MAX_OUTPUT >> 20
                ),
            ));
        }
        let f = &mut self.frag[sec_idx(self.sec())];
        f.1 += len as i64;
        let _ = line;
        Ok(())
    }

    fn new_frag(&mut self) {
        let f = &mut self.frag[sec_idx(self.sec())];
        *f = (f.0 + 1, 0);
    }

    fn push(&mut self, kind: ItemKind, line: u32, col: u32) {
        let section = self.sec();
        self.items.push(Item {
            kind,
            section,
            line,
            col,
        });
    }

    fn define_label(&mut self, name: String, line: u32, col: u32) -> PResult<()> {
        if let Some(prev) = self.syms.get(&name) {
            let first = match prev {
                SymDef::Label { line, .. } | SymDef::Equ { line, .. } => *line,
            };
            return Err((
                col,
                format!("label '{name}' defined twice (first on line {first})"),
            ));
        }
        let (frag, off) = self.frag[sec_idx(self.sec())];
        let at = Value {
            off,
            base: Some((sec_idx(self.sec()) as u8, frag)),
        };
        self.syms.insert(name.clone(), SymDef::Label { at, line });
        self.push(ItemKind::Label(name), line, col);
        Ok(())
    }

    fn define_equ(&mut self, name: String, expr: Expr, line: u32, col: u32) -> PResult<()> {
        if let Some(SymDef::Label { line: first, .. }) = self.syms.get(&name) {
            return Err((
                col,
                format!("symbol '{name}' defined twice (first on line {first})"),
            ));
        }
        let known = self.known(&expr);
        // Fold earlier-known parts now, so a later `.set` of the same name cannot change them.
        let expr = known.map_or(expr, Expr::Num);
        self.syms.insert(name, SymDef::Equ { expr, known, line });
        Ok(())
    }

    /// Processes one statement, recording any error.
    pub fn statement(&mut self, st: &Statement) {
        let r = self.labels(st).and_then(|pos| {
            // Local label counts are taken after this line's labels, so `1: jmp 1f`
            // means the next `1:`, as in GNU as.
            let locals = self.locals.clone();
            let mut c = Cursor {
                toks: &st.tokens,
                pos,
                end_col: st.tokens.last().map_or(1, |t| t.col + 1),
                locals: &locals,
                depth: 0,
            };
            self.statement_inner(&mut c, st.line)
        });
        if let Err((col, msg)) = r {
            self.errors.push(AsmError::new(st.line, col, msg));
        }
    }

    /// Labels: `name:` and local `1:` (any number may precede a statement).
    fn labels(&mut self, st: &Statement) -> PResult<usize> {
        let mut pos = 0;
        let line = st.line;
        loop {
            let colon_next =
                st.tokens.get(pos + 1).map(|t| &t.tok) == Some(&Tok::Punct(Punct::Colon));
            let Some(t) = st.tokens.get(pos) else {
                return Ok(pos);
            };
            let col = t.col;
            match &t.tok {
                Tok::Ident(name) if colon_next => {
                    pos += 2;
                    self.define_label(name.clone(), line, col)?;
                }
                Tok::Num(n) if colon_next && *n >= 0 => {
                    let n = *n as u64;
                    pos += 2;
                    let count = self.locals.entry(n).or_insert(0);
                    *count += 1;
                    let name = local_name(n, *count);
                    self.define_label(name, line, col)?;
                }
                _ => return Ok(pos),
            }
        }
    }

    fn statement_inner(&mut self, c: &mut Cursor<'_>, line: u32) -> PResult<()> {
        let col = c.col();
        let Some(Tok::Ident(name)) = c.peek() else {
            return if c.at_end() {
                Ok(())
            } else {
                Err((col, "expected an instruction or directive".into()))
            };
        };
        let name = name.clone();
        c.pos += 1;
        if c.eat(Punct::Eq) {
            let e = c.expr()?;
            end(c)?;
            return self.define_equ(name, e, line, col);
        }
        if name.starts_with('.') {
            return super::directive::directive(self, c, &name.to_ascii_lowercase(), line, col);
        }
        self.instruction(c, &name, line, col)
    }

    fn instruction(&mut self, c: &mut Cursor<'_>, name: &str, line: u32, col: u32) -> PResult<()> {
        let mut ops = Vec::new();
        if !c.at_end() {
            loop {
                ops.push(parse_operand(c)?);
                if !c.eat(Punct::Comma) {
                    break;
                }
            }
        }
        end(c)?;
        let sel = select(name, col, &ops, &mut |e| self.known(e))?;
        let size = encode(sel.code, &placeholder_ops(&sel, 0), 0)
            .map_err(|m| (col, m))?
            .len() as u32;
        let relax = sel.near.is_some();
        self.advance(u64::from(size), line)?;
        self.push(
            ItemKind::Insn {
                sel,
                size,
                long: false,
            },
            line,
            col,
        );
        // A relaxable jump ends a fragment: distances across it are not known yet.
        if relax {
            self.new_frag();
        }
        Ok(())
    }

    pub fn set_section(&mut self, s: SectionKind) {
        self.section = Some(s);
    }

    pub fn add_data(&mut self, data: Vec<Data>, len: u64, line: u32, col: u32) -> PResult<()> {
        self.advance(len, line)?;
        self.push(ItemKind::Data(data), line, col);
        Ok(())
    }

    pub fn add_space(&mut self, len: u64, fill: u8, line: u32, col: u32) -> PResult<()> {
        self.advance(len, line).map_err(|(_, m)| (col, m))?;
        let len = u32::try_from(len).map_err(|_| (col, "size too large".to_string()))?;
        self.push(ItemKind::Space { len, fill }, line, col);
        Ok(())
    }

    pub fn add_align(
        &mut self,
        boundary: u32,
        fill: Option<u8>,
        max: u32,
        line: u32,
        col: u32,
    ) -> PResult<()> {
        self.advance(u64::from(boundary), line)
            .map_err(|(_, m)| (col, m))?;
        self.push(
            ItemKind::Align {
                boundary,
                fill,
                max,
            },
            line,
            col,
        );
        self.new_frag();
        Ok(())
    }

    pub fn add_global(&mut self, name: String) {
        if !self.globals.contains(&name) {
            self.globals.push(name);
        }
    }

    pub fn define(&mut self, name: String, e: Expr, line: u32, col: u32) -> PResult<()> {
        self.define_equ(name, e, line, col)
    }
}

/// Requires the statement to be fully consumed.
pub fn end(c: &Cursor<'_>) -> PResult<()> {
    if c.at_end() {
        Ok(())
    } else {
        Err((c.col(), "unexpected text after the operands".into()))
    }
}
