//! Two-level x86 paging (Intel SDM vol. 3, 4.3): CR3 → page directory (1024
//! PDEs) → page table (1024 PTEs) → 4 KiB frame.
//!
//! Simplification: 4 MiB pages are not modelled. The PDE's PS bit is ignored
//! (as if CR4.PSE = 0), so every PDE points to a page table.
//!
//! - [`walk`]: a side-effect-free walk that records every step, for the UI.
//! - [`translate`]: the hardware walk with protection checks; sets A and D.
//! - [`Tlb`]: a small software TLB in front of `translate`.
//! - [`map_page`]: build address spaces (allocating page tables on demand).

mod map;
mod tlb;
mod walk;

pub use map::{map_page, unmap_page, MapError};
pub use tlb::{Tlb, TlbEntry};
pub use walk::{check, translate, walk, Access, Translation, Walk, WalkFault, WalkLevel};

/// PDE/PTE bits (Intel SDM vol. 3, tables 4-5 and 4-6).
pub mod pte {
    /// Present.
    pub const P: u32 = 1 << 0;
    /// Read/write: writes allowed (for user mode; for supervisor only with CR0.WP).
    pub const RW: u32 = 1 << 1;
    /// User/supervisor: user-mode accesses allowed.
    pub const US: u32 = 1 << 2;
    /// Accessed: set by the walk.
    pub const A: u32 = 1 << 5;
    /// Dirty (PTE only): set by a write through this entry.
    pub const D: u32 = 1 << 6;
    /// Page size (PDE): ignored here, see the module docs.
    pub const PS: u32 = 1 << 7;
    /// The frame address bits.
    pub const FRAME: u32 = 0xffff_f000;
    /// (bit, name) pairs for display.
    pub const NAMED: [(u32, &str); 5] = [(P, "P"), (RW, "R/W"), (US, "U/S"), (A, "A"), (D, "D")];
}

/// Page-directory index (bits 31..22) of a linear address.
pub const fn pdx(lin: u32) -> u32 {
    lin >> 22
}

/// Page-table index (bits 21..12) of a linear address.
pub const fn ptx(lin: u32) -> u32 {
    (lin >> 12) & 0x3ff
}
