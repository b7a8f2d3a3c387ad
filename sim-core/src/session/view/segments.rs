//! The GDT and the TSS as the CPU reads them: from memory, through paging,
//! at GDTR and TR (xv6's seginit() and switchuvm() write them).

use serde::Serialize;

use crate::cpu::segment::{self, tss, Descriptor};
use crate::machine::Machine;

/// One GDT entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DescriptorView {
    pub selector: u16,
    /// The 8 bytes as the CPU reads them (high dword << 32 | low dword).
    pub raw: u64,
    /// "null", "code", "data", "TSS (busy)", …
    pub kind: String,
    pub base: u32,
    pub limit: u32,
    pub dpl: u8,
    pub present: bool,
}

/// The TSS at TR: the fields the CPU uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TssView {
    pub selector: u16,
    /// Linear base and limit (from the descriptor, loaded by `ltr`).
    pub base: u32,
    pub limit: u32,
    /// Where ESP0 lives (base + 4) and what it holds: the stack a trap
    /// from ring 3 switches to.
    pub esp0_at: u32,
    pub esp0: Option<u32>,
    pub ss0: Option<u16>,
    /// Offset of the I/O permission bitmap; beyond the limit = none.
    pub iomap_base: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentsView {
    pub gdt_base: u32,
    pub gdt: Vec<DescriptorView>,
    pub tss: Option<TssView>,
}

fn kind_name(raw: u64, d: &Descriptor) -> String {
    if raw == 0 {
        return "null".into();
    }
    if d.is_code() {
        return "code".into();
    }
    if d.is_data() {
        return "data".into();
    }
    match d.kind {
        segment::TSS_AVAILABLE => "TSS".into(),
        segment::TSS_BUSY => "TSS (busy)".into(),
        k => format!("system type {k:#x}"),
    }
}

/// The GDT (at most 64 entries) and the TSS, read without side effects.
pub fn segments_view(m: &Machine) -> SegmentsView {
    let cpu = m.cpu();
    let entries = ((u32::from(cpu.gdtr.limit) + 1) / 8).min(64);
    let gdt = (0..entries)
        .filter_map(|k| {
            let at = cpu.gdtr.base.wrapping_add(8 * k);
            let lo = m.read_linear_u32(at)?;
            let hi = m.read_linear_u32(at.wrapping_add(4))?;
            let raw = u64::from(hi) << 32 | u64::from(lo);
            let d = Descriptor::decode(raw);
            Some(DescriptorView {
                selector: (8 * k) as u16,
                raw,
                kind: kind_name(raw, &d),
                base: d.base,
                limit: d.limit,
                dpl: d.dpl,
                present: d.present,
            })
        })
        .collect();
    let tss = (cpu.tr.selector & 0xfffc != 0).then(|| {
        let tr = cpu.tr;
        let word = |off: u32| m.read_linear_u32(tr.base.wrapping_add(off));
        TssView {
            selector: tr.selector,
            base: tr.base,
            limit: tr.limit,
            esp0_at: tr.base.wrapping_add(tss::ESP0),
            esp0: word(tss::ESP0),
            ss0: word(tss::SS0).map(|v| v as u16),
            iomap_base: word(tss::IOMAP_BASE - 2).map(|v| (v >> 16) as u16),
        }
    });
    SegmentsView {
        gdt_base: cpu.gdtr.base,
        gdt,
        tss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xv6_gdt_and_tss_are_shown_from_memory() {
        let mut m = Machine::new();
        m.install_flat_segments(0x1000, 0x1000, 0x9000)
            .expect("loads");
        let v = segments_view(&m);
        let kinds: Vec<_> = v.gdt.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["null", "code", "data", "code", "data", "TSS (busy)"]
        );
        assert_eq!(v.gdt[3].dpl, 3);
        let tss = v.tss.expect("TR is loaded");
        assert_eq!((tss.base, tss.esp0_at), (0x1100, 0x1104));
        assert_eq!((tss.esp0, tss.ss0), (Some(0x9000), Some(0x10)));
        assert_eq!(tss.iomap_base, Some(0xffff));
        m.mem_mut().write_u32(0x1104, 0x7000);
        assert_eq!(segments_view(&m).tss.and_then(|t| t.esp0), Some(0x7000));
    }
}
