//! Public result types of [`super::assemble`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where sections are placed in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsmOptions {
    pub text_base: u32,
    /// `None`: `.data` follows `.text`, aligned to 4 bytes.
    pub data_base: Option<u32>,
}

impl Default for AsmOptions {
    fn default() -> Self {
        AsmOptions {
            text_base: 0x1000,
            data_base: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SectionKind {
    Text,
    Data,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub base: u32,
    pub bytes: Vec<u8>,
}

/// Source line of one emitted instruction or data directive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInfo {
    pub addr: u32,
    pub len: u32,
    /// 1-based source line.
    pub line: u32,
    pub section: SectionKind,
}

/// An assembled program: bytes per section, symbols, and an address -> line map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub text: Section,
    pub data: Section,
    /// Labels and `.equ`/`.set` values (local numeric labels are not listed).
    pub symbols: BTreeMap<String, u32>,
    pub globals: Vec<String>,
    /// Sorted by section, then address.
    pub lines: Vec<LineInfo>,
}

impl Program {
    /// The instruction or data directive covering `addr`, if any.
    pub fn line_at(&self, addr: u32) -> Option<&LineInfo> {
        self.lines
            .iter()
            .find(|l| addr >= l.addr && u64::from(addr) < u64::from(l.addr) + u64::from(l.len))
    }

    /// First address after the text section.
    pub fn text_end(&self) -> u32 {
        self.text.base.wrapping_add(self.text.bytes.len() as u32)
    }
}
