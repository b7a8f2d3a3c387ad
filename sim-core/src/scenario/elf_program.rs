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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{link, ProgramSource, Scenario};
    use proptest::prelude::*;

    /// `jmp .` at 0x2000, as a one-segment executable.
    fn tiny() -> Vec<u8> {
        elf::tests::build(0x2000, &[(0x2000, &[0xeb, 0xfe], 2, elf::PF_X | 4)])
    }

    fn scenario(p: ProgramSource) -> Scenario {
        let doc = serde_json::json!({
            "version": 1, "title": "t", "mode": "preemptive",
            "scheduler": {"policy": "round_robin", "quantum": 2000},
            "programs": [p], "processes": [{"program": p.name}],
        });
        Scenario::from_json(&doc.to_string()).expect("valid")
    }

    #[test]
    fn an_elf_program_is_listed_and_travels_in_a_link() {
        let s = scenario(ProgramSource::from_elf("spin", &tiny()));
        let prog = elf_program("spin", s.programs[0].elf.as_deref().unwrap()).unwrap();
        assert_eq!(prog.entry, 0x2000);
        assert_eq!(elf_listing(&prog), "jmp    0x2000\n");
        assert_eq!(prog.program.line_at(0x2001).map(|l| l.line), Some(1));
        let share = link::Share::new(s.clone());
        let back = link::decode(&link::encode(&share)).expect("decodes");
        assert_eq!(back.scenario, s);
        assert!(
            !s.to_json().contains("\"source\""),
            "an ELF program has no source field"
        );
    }

    proptest! {
        /// Any text as `elf` is answered (accepted or refused), never a panic.
        #[test]
        fn any_elf_text_is_answered(text in "[A-Za-z0-9+/=\\s*]{0,200}") {
            let p = ProgramSource { name: "p".into(), source: String::new(), elf: Some(text) };
            let doc = serde_json::json!({
                "version": 1, "title": "t", "mode": "cooperative",
                "scheduler": {"policy": "fifo"}, "programs": [p], "processes": [{"program": "p"}],
            });
            let _ = Scenario::from_json(&doc.to_string());
        }

        #[test]
        fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(base64::decode(&base64::encode(&bytes)).unwrap(), bytes);
        }
    }
}
