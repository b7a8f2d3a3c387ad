//! The interrupt descriptor table: 8-byte gate descriptors in simulated memory
//! (Intel SDM vol. 3, 6.11, figure 6-2).
//!
//! ```text
//! low dword:  selector[31:16] | offset[15:0]
//! high dword: offset[31:16] | P[15] | DPL[14:13] | 0 | type[11:8] | 0…
//! ```
//! Only 32-bit interrupt gates (type 0xE) and trap gates (type 0xF) are
//! modelled; anything else (task gates, 16-bit gates) is rejected with #GP on
//! delivery, as the processor does for invalid gate types.

use serde::{Deserialize, Serialize};

use crate::cpu::{selector, TableReg};
use crate::mem::PhysMem;
use crate::mmu;

/// Interrupt gates clear IF on entry; trap gates leave it alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GateKind {
    Interrupt,
    Trap,
}

impl GateKind {
    const fn type_bits(self) -> u32 {
        match self {
            GateKind::Interrupt => 0xe,
            GateKind::Trap => 0xf,
        }
    }
}

/// A decoded IDT gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// Handler entry point (linear, since segments are flat).
    pub handler: u32,
    /// Code segment selector loaded into CS; its RPL is the handler's CPL.
    pub selector: u16,
    pub kind: GateKind,
    /// Highest CPL allowed to reach this gate with `int n`.
    pub dpl: u8,
    pub present: bool,
}

impl Gate {
    /// A present kernel interrupt gate (IF cleared on entry), as xv6's
    /// `SETGATE(idt[i], 0, SEG_KCODE<<3, vectors[i], 0)`.
    pub const fn interrupt(handler: u32, dpl: u8) -> Gate {
        Gate {
            handler,
            selector: selector::KERNEL_CODE,
            kind: GateKind::Interrupt,
            dpl,
            present: true,
        }
    }

    /// A present kernel trap gate (IF kept), as xv6 uses for `T_SYSCALL`.
    pub const fn trap(handler: u32, dpl: u8) -> Gate {
        Gate {
            kind: GateKind::Trap,
            ..Gate::interrupt(handler, dpl)
        }
    }

    /// The descriptor's two little-endian dwords (low, high).
    pub const fn encode(&self) -> (u32, u32) {
        let lo = (self.selector as u32) << 16 | (self.handler & 0xffff);
        let hi = (self.handler & 0xffff_0000)
            | (self.present as u32) << 15
            | ((self.dpl as u32) & 3) << 13
            | self.kind.type_bits() << 8;
        (lo, hi)
    }

    /// Decodes a descriptor; `None` if its type is not a 32-bit interrupt or
    /// trap gate.
    pub const fn decode(lo: u32, hi: u32) -> Option<Gate> {
        let kind = match (hi >> 8) & 0x1f {
            0xe => GateKind::Interrupt,
            0xf => GateKind::Trap,
            _ => return None,
        };
        Some(Gate {
            handler: (hi & 0xffff_0000) | (lo & 0xffff),
            selector: (lo >> 16) as u16,
            kind,
            dpl: ((hi >> 13) & 3) as u8,
            present: hi & (1 << 15) != 0,
        })
    }
}

/// Writes `gate` as entry `vector` of the IDT whose first byte is at physical
/// address `idt_phys`.
pub fn write_gate(mem: &mut PhysMem, idt_phys: u32, vector: u8, gate: Gate) {
    let (lo, hi) = gate.encode();
    let at = idt_phys.wrapping_add(u32::from(vector) * 8);
    mem.write_u32(at, lo);
    mem.write_u32(at.wrapping_add(4), hi);
}

/// One IDT slot as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IdtEntry {
    pub vector: u8,
    /// The raw descriptor (high dword << 32 | low dword).
    pub raw: u64,
    /// `None` for an invalid gate type (an empty slot reads as all zeros).
    pub gate: Option<Gate>,
}

/// Reads every entry within `idtr.limit`. `paging` is `Some(cr3)` when the
/// IDT base is a linear address to translate; unmapped entries read as zero.
pub fn read_idt(mem: &PhysMem, idtr: TableReg, paging: Option<u32>) -> Vec<IdtEntry> {
    let count = ((u32::from(idtr.limit) + 1) / 8).min(256);
    let read = |lin: u32| -> u32 {
        match paging {
            None => mem.read_u32(lin),
            Some(cr3) => mmu::walk(mem, cr3, lin).phys.map_or(0, |p| mem.read_u32(p)),
        }
    };
    (0..count)
        .map(|v| {
            let at = idtr.base.wrapping_add(v * 8);
            let (lo, hi) = (read(at), read(at.wrapping_add(4)));
            IdtEntry {
                vector: v as u8,
                raw: u64::from(hi) << 32 | u64::from(lo),
                gate: Gate::decode(lo, hi),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_round_trip_through_memory() {
        let mut mem = PhysMem::new();
        let g = Gate::trap(0xc010_2345, 3);
        write_gate(&mut mem, 0x1000, 64, g);
        // Known encoding: xv6's syscall gate at 0xc0102345, DPL 3, trap type.
        assert_eq!(mem.read_u32(0x1000 + 64 * 8), 0x0008_2345);
        assert_eq!(mem.read_u32(0x1000 + 64 * 8 + 4), 0xc010_ef00);
        let idt = read_idt(
            &mem,
            TableReg {
                base: 0x1000,
                limit: 256 * 8 - 1,
            },
            None,
        );
        assert_eq!(idt.len(), 256);
        assert_eq!(idt[64].gate, Some(g));
        assert_eq!(idt[3].gate, None, "an all-zero slot is not a valid gate");
        let g = Gate {
            present: false,
            ..Gate::interrupt(0x10, 0)
        };
        let (lo, hi) = g.encode();
        assert_eq!(Gate::decode(lo, hi), Some(g));
    }
}
