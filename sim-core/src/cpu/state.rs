//! Architectural state of the CPU: what a debugger would show.

use serde::{Deserialize, Serialize};

use super::segment::TaskReg;

/// The eight general-purpose registers, in x86 encoding order (the `reg` field of
/// ModRM), so `gpr[Reg::Ecx as usize]` is ECX.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reg {
    Eax = 0,
    Ecx = 1,
    Edx = 2,
    Ebx = 3,
    Esp = 4,
    Ebp = 5,
    Esi = 6,
    Edi = 7,
}

impl Reg {
    pub const ALL: [Reg; 8] = [
        Reg::Eax,
        Reg::Ecx,
        Reg::Edx,
        Reg::Ebx,
        Reg::Esp,
        Reg::Ebp,
        Reg::Esi,
        Reg::Edi,
    ];
    pub const fn name(self) -> &'static str {
        ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"][self as usize]
    }
}

/// EFLAGS bits (Intel SDM vol. 1, 3.4.3).
pub mod flags {
    pub const CF: u32 = 1 << 0;
    /// Bit 1 is reserved and always reads as 1.
    pub const RESERVED1: u32 = 1 << 1;
    pub const PF: u32 = 1 << 2;
    pub const AF: u32 = 1 << 4;
    pub const ZF: u32 = 1 << 6;
    pub const SF: u32 = 1 << 7;
    pub const TF: u32 = 1 << 8;
    pub const IF: u32 = 1 << 9;
    pub const DF: u32 = 1 << 10;
    pub const OF: u32 = 1 << 11;
    /// I/O privilege level (two bits): `in`/`out`/`cli`/`sti` are allowed at
    /// CPL ≤ IOPL; only CPL 0 may change it.
    pub const IOPL: u32 = 3 << 12;
    pub const IOPL_SHIFT: u32 = 12;
    /// Resume flag: not modelled in EFLAGS (no debug breakpoints), but set
    /// in the image a fault pushes (SDM vol. 3, 18.3.1.1).
    pub const RF: u32 = 1 << 16;
    /// The six arithmetic status flags.
    pub const STATUS: u32 = CF | PF | AF | ZF | SF | OF;
    /// Flags this machine models; others (NT, RF, VM, AC, ID…) read as 0.
    pub const MODELED: u32 = STATUS | TF | IF | DF | IOPL;
    /// (bit, name) pairs for display, low bit first.
    pub const NAMED: [(u32, &str); 8] = [
        (CF, "CF"),
        (PF, "PF"),
        (AF, "AF"),
        (ZF, "ZF"),
        (SF, "SF"),
        (IF, "IF"),
        (DF, "DF"),
        (OF, "OF"),
    ];
}

/// The flat-model selectors xv6's seginit() sets up (GDT entries 1–5; see
/// [`super::segment`] for the descriptors). CS's RPL is the CPL.
pub mod selector {
    pub const KERNEL_CODE: u16 = 0x08;
    pub const KERNEL_DATA: u16 = 0x10;
    pub const USER_CODE: u16 = 0x18 | 3;
    pub const USER_DATA: u16 = 0x20 | 3;
    /// The TSS (xv6's SEG_TSS = 5).
    pub const TSS: u16 = 0x28;
}

/// The visible part of the segment registers. The hidden part of a flat
/// segment is its base 0 and limit 4 GiB, the same for all; what differs,
/// the DPL of each data segment, is in [`Cpu::data_dpl`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segments {
    pub cs: u16,
    pub ss: u16,
    pub ds: u16,
    pub es: u16,
    pub fs: u16,
    pub gs: u16,
}

/// A descriptor-table register (IDTR): linear base and limit in bytes minus one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReg {
    pub base: u32,
    pub limit: u16,
}

/// CR0 bits we model.
pub mod cr0 {
    pub const PE: u32 = 1 << 0;
    pub const WP: u32 = 1 << 16;
    pub const PG: u32 = 1 << 31;
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpu {
    pub gpr: [u32; 8],
    pub eip: u32,
    pub eflags: u32,
    pub seg: Segments,
    pub cr0: u32,
    /// Linear address of the last page fault.
    pub cr2: u32,
    /// Physical address of the current page directory.
    pub cr3: u32,
    pub idtr: TableReg,
    pub gdtr: TableReg,
    /// TR: the TSS, where a trap from an outer ring finds its stack.
    pub tr: TaskReg,
    /// Hidden DPL of DS, ES, FS, GS (in that order, see [`Cpu::data_dpl`]):
    /// a return to an outer ring nulls those its new CPL may not use.
    pub data_dpl: [u8; 4],
    /// Set by `hlt`; cleared when an interrupt is delivered.
    pub halted: bool,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu {
            gpr: [0; 8],
            eip: 0,
            eflags: flags::RESERVED1,
            seg: Segments {
                cs: selector::KERNEL_CODE,
                ss: selector::KERNEL_DATA,
                ds: selector::KERNEL_DATA,
                es: selector::KERNEL_DATA,
                fs: selector::KERNEL_DATA,
                gs: selector::KERNEL_DATA,
            },
            cr0: cr0::PE,
            cr2: 0,
            cr3: 0,
            idtr: TableReg::default(),
            gdtr: TableReg::default(),
            tr: TaskReg::default(),
            data_dpl: [0; 4],
            halted: false,
        }
    }
}

impl Cpu {
    /// Current privilege level: the RPL bits of CS (0 = kernel, 3 = user).
    pub const fn cpl(&self) -> u8 {
        (self.seg.cs & 3) as u8
    }
    /// EFLAGS.IOPL.
    pub const fn iopl(&self) -> u8 {
        ((self.eflags & flags::IOPL) >> flags::IOPL_SHIFT) as u8
    }
    pub const fn reg(&self, r: Reg) -> u32 {
        self.gpr[r as usize]
    }
    pub fn set_reg(&mut self, r: Reg, v: u32) {
        self.gpr[r as usize] = v;
    }
    pub const fn flag(&self, f: u32) -> bool {
        self.eflags & f != 0
    }
    pub fn set_flag(&mut self, f: u32, on: bool) {
        if on {
            self.eflags |= f;
        } else {
            self.eflags &= !f;
        }
    }
    /// Translation context for an access made on behalf of the running code.
    pub const fn access_ctx(&self) -> crate::bus::AccessCtx {
        crate::bus::AccessCtx {
            paging: self.cr0 & cr0::PG != 0,
            cr3: self.cr3,
            user: self.cpl() == 3,
            write_protect: self.cr0 & cr0::WP != 0,
        }
    }
    /// The same context, but for implicit supervisor accesses (IDT reads, pushes
    /// onto the kernel stack during trap delivery).
    pub const fn supervisor_ctx(&self) -> crate::bus::AccessCtx {
        let mut c = self.access_ctx();
        c.user = false;
        c
    }
}
