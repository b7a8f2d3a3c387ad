//! Processor exceptions as values: execute returns them, `trap` delivers them.

use serde::{Deserialize, Serialize};

use crate::cpu::segment::Unmodelled;

/// An exception raised by an instruction (Intel SDM vol. 3, table 6-1).
/// Faults are reported with EIP still at the faulting instruction, so that after
/// the handler returns it restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exception {
    /// #DE, vector 0: divide by zero or quotient too large.
    DivideError,
    /// #UD, vector 6: an opcode outside the modelled subset, or invalid.
    InvalidOpcode,
    /// #UD, vector 6, for a feature outside the model (a non-flat segment,
    /// a call gate…): the message says which.
    Unmodelled(Unmodelled),
    /// #TS, vector 10: a bad TSS or ring stack in it; the error code names
    /// the selector.
    InvalidTss(u32),
    /// #NP, vector 11: a not-present IDT gate or segment; the error code
    /// names it.
    SegmentNotPresent(u32),
    /// #SS, vector 12: a not-present stack segment; the error code names it.
    StackFault(u32),
    /// #GP, vector 13, with its error code (0, or an IDT selector index).
    GeneralProtection(u32),
    /// #PF, vector 14: CR2 gets `addr`; `code` is P | W/R << 1 | U/S << 2.
    PageFault { addr: u32, code: u32 },
    /// #DF, vector 8: an exception while delivering another.
    DoubleFault,
}

/// Page-fault error-code bits.
pub mod pf {
    /// The page was present (a protection violation); clear: not present.
    pub const P: u32 = 1;
    /// The access was a write.
    pub const W: u32 = 2;
    /// The access came from user mode.
    pub const U: u32 = 4;
}

impl Exception {
    pub const fn vector(self) -> u8 {
        match self {
            Exception::DivideError => 0,
            Exception::InvalidOpcode | Exception::Unmodelled(_) => 6,
            Exception::InvalidTss(_) => 10,
            Exception::StackFault(_) => 12,
            Exception::DoubleFault => 8,
            Exception::SegmentNotPresent(_) => 11,
            Exception::GeneralProtection(_) => 13,
            Exception::PageFault { .. } => 14,
        }
    }
    /// The error code the hardware pushes, if this exception has one.
    pub const fn error_code(self) -> Option<u32> {
        match self {
            Exception::DivideError | Exception::InvalidOpcode | Exception::Unmodelled(_) => None,
            Exception::DoubleFault => Some(0),
            Exception::SegmentNotPresent(c)
            | Exception::GeneralProtection(c)
            | Exception::InvalidTss(c)
            | Exception::StackFault(c) => Some(c),
            Exception::PageFault { code, .. } => Some(code),
        }
    }
    /// Mnemonic as the manuals write it: "#DE", "#GP", … (from the table
    /// in `trap::vectors`).
    pub fn mnemonic(self) -> &'static str {
        super::exception(self.vector()).map_or("#?", |x| x.mnemonic)
    }
}

impl std::fmt::Display for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Exception::PageFault { addr, code } => {
                write!(f, "#PF at {addr:#010x} (error code {code:#x})")
            }
            Exception::Unmodelled(u) => write!(f, "#UD: {u}"),
            e => match e.error_code() {
                Some(c) => write!(f, "{} (error code {c:#x})", e.mnemonic()),
                None => f.write_str(e.mnemonic()),
            },
        }
    }
}
