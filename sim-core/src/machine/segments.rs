//! Host-side access to the segmentation state kept in memory: setting up
//! xv6's GDT and TSS (what its seginit() and switchuvm() do) and reading the
//! TSS as the CPU would.

use super::Machine;
use crate::cpu::segment::{self, tss, xv6_gdt};
use crate::mmu;
use crate::trap::Exception;

/// Where [`Machine::install_flat_segments`] puts the TSS, from the GDT.
pub const TSS_OFFSET: u32 = 0x100;

impl Machine {
    /// Sets up xv6's flat segments the way its seginit() and switchuvm() do:
    /// the GDT of [`crate::cpu::segment::xv6_gdt`] at physical `gdt_phys`
    /// (linear `gdt_lin`), its TSS 0x100 bytes further with SS0 = kernel
    /// data, ESP0 = `esp0` and no I/O bitmap, then `lgdt` and `ltr`.
    pub fn install_flat_segments(
        &mut self,
        gdt_phys: u32,
        gdt_lin: u32,
        esp0: u32,
    ) -> Result<(), Exception> {
        let tss_phys = gdt_phys + TSS_OFFSET;
        let gdt = xv6_gdt(gdt_lin + TSS_OFFSET);
        let mem = self.board.mem_mut();
        for (k, d) in gdt.iter().enumerate() {
            let at = gdt_phys + 8 * k as u32;
            mem.write_u32(at, *d as u32);
            mem.write_u32(at + 4, (*d >> 32) as u32);
        }
        mem.write_u32(tss_phys + tss::ESP0, esp0);
        mem.write_u32(
            tss_phys + tss::SS0,
            u32::from(crate::cpu::selector::KERNEL_DATA),
        );
        // An I/O map base beyond the limit: no bitmap (xv6: iomb = 0xFFFF).
        mem.write_u32(tss_phys + tss::IOMAP_BASE - 2, 0xffff << 16);
        self.cpu.gdtr = crate::cpu::TableReg {
            base: gdt_lin,
            limit: (gdt.len() * 8 - 1) as u16,
        };
        self.load_task_register(crate::cpu::selector::TSS)
    }

    /// `ltr selector` done by the host (a kernel's C-level step): the same
    /// checks as the instruction, reading the GDT through paging.
    pub fn load_task_register(&mut self, selector: u16) -> Result<(), Exception> {
        segment::load_tr(&mut self.cpu, &mut self.board, selector)
    }

    /// The ESP0 field of the TSS at TR, read through paging as the CPU
    /// would on a trap from ring 3; `None` without a TSS or if unmapped.
    pub fn tss_esp0(&self) -> Option<u32> {
        if self.cpu.tr.limit < tss::ESP0 + 3 {
            return None;
        }
        self.read_linear_u32(self.cpu.tr.base.wrapping_add(tss::ESP0))
    }

    /// A dword at a linear address under the current paging mode, without
    /// side effects (no accessed bits, no trace); `None` if unmapped.
    pub fn read_linear_u32(&self, lin: u32) -> Option<u32> {
        let phys = if self.cpu.cr0 & crate::cpu::cr0::PG != 0 {
            mmu::walk(self.board.mem(), self.cpu.cr3, lin).phys?
        } else {
            lin
        };
        Some(self.board.mem().read_u32(phys))
    }
}
