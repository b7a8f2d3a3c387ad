//! Programs given as static ELF executables instead of source: decoded from
//! base64, checked by [`crate::kernel::elf`], their code disassembled for
//! the views (the code panel, breakpoints and the current line work on the
//! disassembly's lines as they do on source lines).

use super::base64;
use crate::asm;
use crate::disasm;
use crate::kernel::{elf, UserProgram};

/// Decodes and checks a program given as a base64 ELF executable: its
/// segments load as they are, and the executable segment's disassembly is
/// its line map (line k = the k-th instruction of [`elf_listing`]).
pub fn elf_program(name: &str, base64_text: &str) -> Result<UserProgram, String> {
    let elf = check(base64_text)?;
    let text = &elf.segments[elf.text];
    let lines = disasm::listing(text.vaddr, &text.bytes)
        .iter()
        .enumerate()
        .map(|(k, l)| asm::LineInfo {
            addr: l.addr,
            len: l.len,
            line: k as u32 + 1,
            section: asm::SectionKind::Text,
        })
        .collect();
    let end = text.vaddr + text.bytes.len() as u32;
    let program = asm::Program {
        text: asm::Section {
            base: text.vaddr,
            bytes: text.bytes.clone(),
        },
        data: asm::Section {
            base: end,
            bytes: Vec::new(),
        },
        symbols: {
            // insert, not collect: BTreeMap's from_iter brings a stable sort
            let mut m = std::collections::BTreeMap::new();
            m.insert("_start".to_string(), elf.entry);
            m
        },
        globals: Vec::new(),
        lines,
    };
    Ok(UserProgram {
        name: name.to_string(),
        program,
        entry: elf.entry,
        segments: elf.segments,
    })
}

/// Decodes and parses without disassembling (validation runs on every edit).
pub(super) fn check(base64_text: &str) -> Result<elf::Elf, String> {
    let file = base64::decode(base64_text).map_err(|e| format!("not base64: {e}"))?;
    elf::parse(&file).map_err(|e| e.to_string())
}

/// The disassembly of an ELF program's code, one instruction a line: the
/// text the code panel shows where there is no source.
pub fn elf_listing(program: &UserProgram) -> String {
    let text = &program.program.text;
    let mut out = String::new();
    for l in disasm::listing(text.base, &text.bytes) {
        out.push_str(&l.text);
        out.push('\n');
    }
    out
}
