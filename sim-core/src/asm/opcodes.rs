//! How each instruction form the assembler selects is encoded: prefix, opcode,
//! ModRM `/digit` and what each operand becomes (the Intel SDM's opcode column,
//! e.g. `o32 81 /2 id` for `adc $imm32, r/m32`).
//!
//! The table (`opcode_table.rs`) is generated from iced-x86's opcode facts by the
//! test `opcode_table_matches_iced` (`RINGSIDE_BLESS=1` rewrites it after the
//! assembler starts selecting a new `Code`); the page carries these few kilobytes
//! instead of iced's encoder and its tables for every x86 instruction.

use iced_x86::Code;

/// What an operand turns into in the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Named by the opcode itself (`%al` in `add $1, %al`, `%cl` of a shift, the
    /// count 1 of `shl $1`): no bytes.
    Implicit,
    /// A general register in ModRM.reg.
    Reg,
    /// A segment register in ModRM.reg.
    SegReg,
    /// A control register in ModRM.reg.
    CrReg,
    /// ModRM.rm: a general register or memory.
    Rm,
    /// ModRM.rm, register only (mod = 11).
    RmReg,
    /// ModRM.rm, memory only.
    Mem,
    /// A general register added to the opcode byte (`+rd`).
    OpReg,
    /// An absolute address with no ModRM (`mov moffs32, %eax`).
    Moffs,
    Imm8,
    Imm16,
    Imm32,
    /// Relative branch targets.
    Rel8,
    Rel32,
}

/// The encoding of one `Code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpEnc {
    pub code: Code,
    /// Operand-size prefix 0x66 (a 16-bit form in 32-bit code).
    pub o16: bool,
    /// Two-byte opcode 0F xx.
    pub map0f: bool,
    pub op: u8,
    /// ModRM.reg holds this opcode extension (`/digit`).
    pub digit: Option<u8>,
    pub kinds: &'static [Kind],
}

/// The encoding of `code`, if the assembler can select it.
pub fn lookup(code: Code) -> Option<&'static OpEnc> {
    TABLE
        .binary_search_by_key(&(code as u16), |e| e.code as u16)
        .ok()
        .map(|i| &TABLE[i])
}

#[path = "opcode_table.rs"]
mod table;
pub(super) use table::TABLE;

#[cfg(test)]
#[path = "opcodes_tests.rs"]
mod tests;
