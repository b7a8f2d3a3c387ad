//! Pass 2: address assignment with jump relaxation (like GNU as: start every jump
//! short, lengthen the ones whose target is out of rel8 range, repeat until stable),
//! then final evaluation and byte emission.

use super::emit::{check_imm, encode, mem_operand, Op};
use super::error::AsmError;
use super::expr::{eval, EvalError, Expr, Value};
use super::parser::{Data, Item, ItemKind, Pass1, SymDef};
use super::select::EncOp;
use super::types::{AsmOptions, LineInfo, Program, Section, SectionKind};
use std::collections::{BTreeMap, HashMap};

/// Multi-byte NOP padding exactly as GNU as 2.40 emits it for i386 `.align` in code.
fn nop_fill(n: u32) -> Vec<u8> {
    const NOPS: [&[u8]; 8] = [
        &[],
        &[0x90],
        &[0x66, 0x90],
        &[0x8d, 0x76, 0x00],
        &[0x8d, 0x74, 0x26, 0x00],
        &[0x8d, 0x74, 0x26, 0x00, 0x90],
        &[0x8d, 0xb6, 0x00, 0x00, 0x00, 0x00],
        &[0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00],
    ];
    let mut out = Vec::with_capacity(n as usize);
    let mut rest = n;
    // Long gaps start with a jump over the padding (EB rel8 up to 129 bytes, else E9).
    if n > 129 {
        out.push(0xe9);
        out.extend_from_slice(&(n - 5).to_le_bytes());
        rest = n - 5;
    } else if n > 20 {
        out.extend_from_slice(&[0xeb, (n - 2) as u8]);
        rest = n - 2;
    }
    while rest > 7 {
        out.extend_from_slice(NOPS[7]);
        rest -= 7;
    }
    out.extend_from_slice(NOPS[rest as usize]);
    out
}

struct Layout {
    addrs: Vec<u32>,
    sizes: Vec<u32>,
    labels: HashMap<String, u32>,
    bases: [u32; 2],
}

fn item_size(item: &Item, addr: u32) -> u32 {
    match &item.kind {
        ItemKind::Label(_) => 0,
        ItemKind::Insn { size, long, sel } => {
            if *long {
                // rel8 -> rel32: jmp EB->E9 (+3), jcc 7x->0F 8x (+4).
                if sel.near == Some(iced_x86::Code::Jmp_rel32_32) {
                    size + 3
                } else {
                    size + 4
                }
            } else {
                *size
            }
        }
        ItemKind::Data(d) => d
            .iter()
            .map(|d| match d {
                Data::Bytes(b) => b.len() as u32,
                Data::Value(_, w) => *w,
            })
            .sum(),
        ItemKind::Space { len, .. } => *len,
        ItemKind::Align { boundary, max, .. } => {
            let pad = (boundary - addr % boundary) % boundary;
            if pad > *max {
                0
            } else {
                pad
            }
        }
    }
}

fn compute(items: &[Item], opts: &AsmOptions) -> Layout {
    let mut addrs = vec![0; items.len()];
    let mut sizes = vec![0; items.len()];
    let mut labels = HashMap::new();
    let mut bases = [opts.text_base, 0];
    for (si, sec) in [SectionKind::Text, SectionKind::Data]
        .into_iter()
        .enumerate()
    {
        let mut pc = bases[si];
        for (i, it) in items.iter().enumerate().filter(|(_, it)| it.section == sec) {
            addrs[i] = pc;
            sizes[i] = item_size(it, pc);
            if let ItemKind::Label(n) = &it.kind {
                labels.insert(n.clone(), pc);
            }
            pc = pc.wrapping_add(sizes[i]);
        }
        if si == 0 {
            bases[1] = opts.data_base.unwrap_or(pc.wrapping_add(3) & !3);
        }
    }
    Layout {
        addrs,
        sizes,
        labels,
        bases,
    }
}

fn resolve(
    name: &str,
    col: u32,
    syms: &HashMap<String, SymDef>,
    labels: &HashMap<String, u32>,
    depth: u32,
) -> Result<Value, EvalError> {
    if let Some(&a) = labels.get(name) {
        return Ok(Value::abs(i64::from(a)));
    }
    match syms.get(name) {
        Some(SymDef::Equ { known: Some(v), .. }) => Ok(Value::abs(*v)),
        Some(SymDef::Equ { expr, .. }) if depth < 32 => {
            eval(expr, &mut |n, c| resolve(n, c, syms, labels, depth + 1))
        }
        Some(SymDef::Equ { .. }) => Err(EvalError::Recursive {
            name: name.into(),
            col,
        }),
        _ => Err(EvalError::Undefined {
            name: name.into(),
            col,
        }),
    }
}

fn final_value(
    e: &Expr,
    p: &Pass1,
    labels: &HashMap<String, u32>,
    col: u32,
) -> Result<i64, (u32, String)> {
    match eval(e, &mut |n, c| resolve(n, c, &p.syms, labels, 0)) {
        Ok(v) => Ok(v.off),
        Err(EvalError::Undefined { name, col }) => Err((col, format!("undefined symbol '{name}'"))),
        Err(EvalError::Recursive { name, col }) => Err((
            col,
            format!("symbol '{name}' is defined in terms of itself"),
        )),
        Err(EvalError::DivByZero) => Err((col, "division by zero".into())),
        Err(EvalError::NotConstant) => Err((col, "expression is not a constant".into())),
    }
}

fn user_name(n: &str) -> String {
    match n.split_once('\u{2}') {
        Some((l, _)) => format!("{l} (local label)"),
        None => n.to_string(),
    }
}

/// Lays out, relaxes and emits everything collected by pass 1.
pub fn finish(mut p: Pass1, opts: &AsmOptions) -> Result<Program, Vec<AsmError>> {
    let mut lay = compute(&p.items, opts);
    let relaxable = p
        .items
        .iter()
        .filter(|i| matches!(&i.kind, ItemKind::Insn { sel, .. } if sel.near.is_some()))
        .count();
    // Jumps only ever grow, so this settles within `relaxable + 1` rounds.
    for _ in 0..=relaxable {
        let mut changed = false;
        for i in 0..p.items.len() {
            let (addr, size) = (lay.addrs[i], lay.sizes[i]);
            let ItemKind::Insn { sel, long, .. } = &p.items[i].kind else {
                continue;
            };
            let (Some(_), false, Some(EncOp::Branch(t))) = (sel.near, *long, sel.ops.first())
            else {
                continue;
            };
            if let Ok(target) = final_value(t, &p, &lay.labels, 0) {
                let rel = target - i64::from(addr) - i64::from(size);
                if !(-128..=127).contains(&rel) {
                    if let ItemKind::Insn { long, .. } = &mut p.items[i].kind {
                        *long = true;
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        lay = compute(&p.items, opts);
    }
    emit_all(&p, &lay)
}

fn emit_all(p: &Pass1, lay: &Layout) -> Result<Program, Vec<AsmError>> {
    let mut errors = p.errors.clone();
    let mut out = [Vec::new(), Vec::new()];
    let mut lines = Vec::new();
    for (i, item) in p.items.iter().enumerate() {
        let si = if item.section == SectionKind::Text {
            0
        } else {
            1
        };
        let addr = lay.addrs[i];
        let bytes = match emit_item(item, addr, p, lay) {
            Ok(b) => b,
            Err((col, msg)) => {
                errors.push(AsmError::new(item.line, col, msg));
                vec![0; lay.sizes[i] as usize]
            }
        };
        if bytes.len() != lay.sizes[i] as usize {
            errors.push(AsmError::new(
                item.line,
                item.col,
                "internal error: instruction size changed during layout",
            ));
        }
        if !bytes.is_empty() {
            lines.push(LineInfo {
                addr,
                len: bytes.len() as u32,
                line: item.line,
                section: item.section,
            });
        }
        out[si].extend_from_slice(&bytes);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut symbols = BTreeMap::new();
    for (name, def) in &p.syms {
        if name.contains('\u{2}') {
            continue;
        }
        let _ = def;
        if let Ok(v) = final_value(
            &Expr::Sym {
                name: name.clone(),
                col: 0,
            },
            p,
            &lay.labels,
            0,
        ) {
            symbols.insert(name.clone(), v as u32);
        }
    }
    crate::sort::stable_sort_by_key(&mut lines, |l| (l.section, l.addr));
    let [text, data] = out;
    Ok(Program {
        text: Section {
            base: lay.bases[0],
            bytes: text,
        },
        data: Section {
            base: lay.bases[1],
            bytes: data,
        },
        symbols,
        globals: p.globals.clone(),
        lines,
    })
}

fn emit_item(item: &Item, addr: u32, p: &Pass1, lay: &Layout) -> Result<Vec<u8>, (u32, String)> {
    let val = |e: &Expr| final_value(e, p, &lay.labels, item.col);
    match &item.kind {
        ItemKind::Label(_) => Ok(vec![]),
        ItemKind::Space { len, fill } => Ok(vec![*fill; *len as usize]),
        ItemKind::Align { fill, .. } => {
            let n = item_size(item, addr);
            Ok(match (fill, item.section) {
                (None, SectionKind::Text) => nop_fill(n),
                (f, _) => vec![f.unwrap_or(0); n as usize],
            })
        }
        ItemKind::Data(ds) => {
            let mut b = Vec::new();
            for d in ds {
                match d {
                    Data::Bytes(x) => b.extend_from_slice(x),
                    Data::Value(e, w) => {
                        let v = val(e)?;
                        let bits = w * 8;
                        if bits < 64 && (v >= 1i64 << bits || v < -(1i64 << (bits - 1))) {
                            return Err((
                                item.col,
                                format!("value {v} does not fit in {w} byte(s)"),
                            ));
                        }
                        b.extend_from_slice(&v.to_le_bytes()[..*w as usize]);
                    }
                }
            }
            Ok(b)
        }
        ItemKind::Insn { sel, long, .. } => {
            let mut ops = Vec::new();
            for o in &sel.ops {
                ops.push(match o {
                    EncOp::Reg(r) => Op::Reg(*r),
                    EncOp::Imm(e, k) => Op::Imm(check_imm(val(e)?, *k).map_err(|m| (item.col, m))?),
                    EncOp::Mem(m) => {
                        let d = match &m.mem.disp { Some(e) => val(e)?, None => 0 };
                        Op::Mem(mem_operand(&m.mem, d, m.disp_size))
                    }
                    EncOp::Branch(e) => {
                        let t = val(e)?;
                        if sel.near.is_none() && sel.code != iced_x86::Code::Call_rel32_32 {
                            let rel = t - i64::from(addr) - 2;
                            if !(-128..=127).contains(&rel) {
                                return Err((item.col, format!("jump target is {rel} bytes away; this instruction reaches only -128..127")));
                            }
                        }
                        Op::Branch(t as u32)
                    }
                });
            }
            let code = match (long, sel.near) {
                (true, Some(near)) => near,
                _ => sel.code,
            };
            let _ = user_name;
            encode(code, &ops, addr).map_err(|m| (item.col, m))
        }
    }
}
