//! The IA-32 subset: fetch → decode → execute, one instruction at a time.
//!
//! (Being written: see `step`.)

pub mod state;

pub use state::{cr0, flags, selector, Cpu, Reg, Segments, TableReg};

/// What an instruction asks of the machine once it has retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond its changes to registers and memory.
    None,
    /// `int n`: EIP already points past the instruction; `trap` delivers vector n
    /// (with the gate's DPL check).
    SoftInt(u8),
    /// `hlt`: the CPU waits for an interrupt.
    Halt,
}

/// One executed instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retired {
    /// Address (linear) of the instruction.
    pub eip: u32,
    /// Its length in bytes.
    pub len: u8,
    /// Cycles it costs (see the cost table in this module's docs).
    pub cycles: u32,
    pub effect: Effect,
}
