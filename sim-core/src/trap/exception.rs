//! Processor exceptions as values: execute returns them, `trap` delivers them.

use serde::{Deserialize, Serialize};

/// An exception raised by an instruction (Intel SDM vol. 3, table 6-1).
/// Faults are reported with EIP still at the faulting instruction, so that after
/// the handler returns it restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exception {
    /// #DE, vector 0: divide by zero or quotient too large.
    DivideError,
    /// #UD, vector 6: an opcode outside the modelled subset, or invalid.
    InvalidOpcode,
    /// #NP, vector 11: a not-present IDT gate; the error code names it.
    SegmentNotPresent(u32),
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
            Exception::InvalidOpcode => 6,
            Exception::DoubleFault => 8,
            Exception::SegmentNotPresent(_) => 11,
            Exception::GeneralProtection(_) => 13,
            Exception::PageFault { .. } => 14,
        }
    }
    /// The error code the hardware pushes, if this exception has one.
    pub const fn error_code(self) -> Option<u32> {
        match self {
            Exception::DivideError | Exception::InvalidOpcode => None,
            Exception::DoubleFault => Some(0),
            Exception::SegmentNotPresent(c) | Exception::GeneralProtection(c) => Some(c),
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
            e => match e.error_code() {
                Some(c) => write!(f, "{} (error code {c:#x})", e.mnemonic()),
                None => f.write_str(e.mnemonic()),
            },
        }
    }
}
