//! The opcode table against iced-x86's opcode facts (the `op_code_info` feature,
//! a dev-dependency only), and complete for every `Code` the assembler names.

use super::*;
use iced_x86::{OpCodeOperandKind as K, OpCodeTableKind};

/// Every `Code::Name` the assembler's sources mention (the table must cover them).
fn selected_codes() -> Vec<Code> {
    let sources = [
        include_str!("codes.rs"),
        include_str!("mnemonic.rs"),
        include_str!("select.rs"),
        include_str!("select_ctrl.rs"),
        include_str!("select_data.rs"),
        include_str!("layout.rs"),
    ];
    let mut names: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.split("Code::").skip(1))
        .map(|t| {
            t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap()
        })
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| {
            Code::values()
                .find(|c| format!("{c:?}") == n)
                .unwrap_or_else(|| panic!("no iced Code named {n}"))
        })
        .collect()
}

fn kind(k: K, code: Code) -> &'static str {
    match k {
        K::al | K::ax | K::eax | K::cl | K::dx | K::cs | K::ds | K::es | K::fs | K::gs | K::ss => {
            "Implicit"
        }
        K::imm8_const_1 => "Implicit",
        K::r8_reg | K::r16_reg | K::r32_reg => "Reg",
        K::seg_reg => "SegReg",
        K::cr_reg => "CrReg",
        K::r8_or_mem | K::r16_or_mem | K::r32_or_mem => "Rm",
        K::r16_rm | K::r32_rm => "RmReg",
        K::mem => "Mem",
        K::r8_opcode | K::r16_opcode | K::r32_opcode => "OpReg",
        K::mem_offs => "Moffs",
        K::imm8 | K::imm8sex16 | K::imm8sex32 => "Imm8",
        K::imm16 => "Imm16",
        K::imm32 => "Imm32",
        K::br32_1 => "Rel8",
        K::br32_4 => "Rel32",
        other => panic!("{code:?}: operand kind {other:?} is not supported by asm::encode yet"),
    }
}

/// The generated table, one line per `Code`, from iced's facts.
fn generated() -> String {
    let mut codes = selected_codes();
    codes.sort_unstable_by_key(|c| *c as u16);
    let mut out = String::new();
    for code in codes {
        let info = code.op_code();
        assert_eq!(info.op_code_len(), 1, "{code:?}");
        assert_eq!(
            info.mandatory_prefix(),
            iced_x86::MandatoryPrefix::None,
            "{code:?}"
        );
        let map0f = match info.table() {
            OpCodeTableKind::Normal => 0,
            OpCodeTableKind::T0F => 2,
            t => panic!("{code:?}: opcode map {t:?} is not supported"),
        };
        let flags = map0f | u8::from(info.operand_size() == 16);
        let digit = if info.is_group() {
            info.group_index() as u8
        } else {
            8
        };
        let kinds: Vec<&str> = (0..info.op_count())
            .map(|i| kind(info.op_kind(i), code))
            .collect();
        out.push_str(&format!(
            "e(C::{code:?}, {flags}, 0x{:02x}, {digit}, &[{}]),\n",
            info.op_code(),
            kinds.join(", ")
        ));
    }
    out
}

/// The file `opcode_table.rs` as the generator writes it: everything before the
/// first entry is kept, the entries come from iced.
fn expected_file(current: &str) -> String {
    let head = current.split("e(C::").next().unwrap_or(current);
    let head = head.strip_suffix('\n').unwrap_or(head);
    format!("{head}\n{}];\n", generated())
}

#[test]
fn opcode_table_matches_iced() {
    let current = include_str!("opcode_table.rs");
    let want = expected_file(current);
    if std::env::var_os("RINGSIDE_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/asm/opcode_table.rs");
        std::fs::write(path, want).unwrap();
        return;
    }
    assert!(
        current == want,
        "asm/opcode_table.rs is stale: RINGSIDE_BLESS=1 cargo test -p sim-core --lib opcode_table"
    );
    assert!(TABLE
        .windows(2)
        .all(|w| (w[0].code as u16) < (w[1].code as u16)));
}
