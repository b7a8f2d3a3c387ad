//! Segmentation as protected mode needs it (Intel SDM vol. 3, chapters 3 and
//! 5): segment descriptors in the GDT, the checks a segment load makes, and
//! the TSS that TR points at.
//!
//! Modelled in full: flat segments (base 0, limit 4 GiB, 32-bit), the null
//! selector, the descriptor type/DPL/RPL/CPL/present checks of `mov`/`pop`
//! to a segment register, far `jmp`/`call`/`ret`, `iret` and interrupt
//! delivery, with the SDM's #GP/#NP/#SS/#TS error codes, the accessed bit,
//! and the 32-bit TSS (ring stacks, I/O permission bitmap).
//!
//! Not modelled, raising #UD with a message ([`Unmodelled`]): a segment
//! whose base is not 0, whose limit is not 4 GiB, or that is 16-bit;
//! expand-down data, conforming code, call gates, task gates, task
//! switches and the LDT (`lldt`). Memory accesses do not check the segment
//! they use (every loadable segment is flat, so only a null DS/ES/FS/GS
//! would fault, and this machine lets such an access through, as QEMU's TCG
//! does).

use serde::{Deserialize, Serialize};

use super::state::Cpu;
use crate::bus::{Bus, ReadKind, Size};
use crate::trap::Exception;

/// Descriptor type bits (bits 8–12 of the high dword: S and the 4-bit type).
pub const DATA_WRITE: u8 = 0x12;
pub const CODE_READ: u8 = 0x1a;
/// An available 32-bit TSS (system descriptor, type 9); ltr makes it busy (0xb).
pub const TSS_AVAILABLE: u8 = 0x09;
pub const TSS_BUSY: u8 = 0x0b;

/// A flat 4 GiB descriptor of `kind` (e.g. [`CODE_READ`]) at `dpl`: base 0,
/// limit 0xfffff in pages, 32-bit, present.
pub const fn flat(kind: u8, dpl: u8) -> u64 {
    let hi: u32 = 0x00cf_8000 | ((dpl as u32 & 3) << 13) | ((kind as u32) << 8);
    (hi as u64) << 32 | 0x0000_ffff
}

/// A present 32-bit TSS descriptor (available) for `base`, `limit` in bytes.
pub const fn tss(base: u32, limit: u32) -> u64 {
    let lo = (base << 16) | (limit & 0xffff);
    let hi = (base & 0xff00_0000)
        | (limit & 0x000f_0000)
        | 0x8000
        | ((TSS_AVAILABLE as u32) << 8)
        | ((base >> 16) & 0xff);
    (hi as u64) << 32 | lo as u64
}

/// xv6's GDT (seginit()): null, kernel code (0x08) and data (0x10), user
/// code (0x1b) and data (0x23), flat; then a 32-bit TSS (0x28) at
/// `tss_base` with the minimal limit (no I/O bitmap).
pub const fn xv6_gdt(tss_base: u32) -> [u64; 6] {
    [
        0,
        flat(CODE_READ, 0),
        flat(DATA_WRITE, 0),
        flat(CODE_READ, 3),
        flat(DATA_WRITE, 3),
        self::tss(tss_base, tss::MIN_LIMIT),
    ]
}

/// A decoded segment descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    pub base: u32,
    /// The limit in bytes (scaled by the granularity bit).
    pub limit: u32,
    /// S (bit 4) and the type (bits 0–3), as in [`CODE_READ`].
    pub kind: u8,
    pub dpl: u8,
    pub present: bool,
    /// D/B: a 32-bit segment.
    pub big: bool,
}

impl Descriptor {
    pub const fn decode(raw: u64) -> Descriptor {
        let (lo, hi) = (raw as u32, (raw >> 32) as u32);
        let raw_limit = (lo & 0xffff) | (hi & 0x000f_0000);
        let limit = if hi & (1 << 23) != 0 {
            raw_limit << 12 | 0xfff
        } else {
            raw_limit
        };
        Descriptor {
            base: (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff00_0000),
            limit,
            kind: ((hi >> 8) & 0x1f) as u8,
            dpl: ((hi >> 13) & 3) as u8,
            present: hi & (1 << 15) != 0,
            big: hi & (1 << 22) != 0,
        }
    }
    /// A code or data segment (S = 1), not a system descriptor.
    pub const fn is_segment(&self) -> bool {
        self.kind & 0x10 != 0
    }
    pub const fn is_code(&self) -> bool {
        self.kind & 0x18 == 0x18
    }
    pub const fn is_data(&self) -> bool {
        self.kind & 0x18 == 0x10
    }
    pub const fn writable_data(&self) -> bool {
        self.is_data() && self.kind & 2 != 0
    }
    pub const fn readable(&self) -> bool {
        self.is_data() || (self.is_code() && self.kind & 2 != 0)
    }
    pub const fn conforming(&self) -> bool {
        self.is_code() && self.kind & 4 != 0
    }
    pub const fn expand_down(&self) -> bool {
        self.is_data() && self.kind & 4 != 0
    }
}

/// Features outside the model: the CPU raises #UD and says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unmodelled {
    /// A segment with a base other than 0 or a limit below 4 GiB.
    NonFlatSegment {
        selector: u16,
    },
    /// A 16-bit code or stack segment (D/B clear).
    SixteenBitSegment {
        selector: u16,
    },
    ExpandDownSegment {
        selector: u16,
    },
    ConformingCode {
        selector: u16,
    },
    /// A far jmp/call through a call gate, task gate or TSS descriptor.
    GateOrTaskTransfer {
        selector: u16,
    },
    /// `iret` with EFLAGS.NT or to virtual-8086 mode.
    TaskReturn,
    /// lldt, sldt and LDT selectors are outside the model.
    Ldt,
}

impl std::fmt::Display for Unmodelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unmodelled::NonFlatSegment { selector } => write!(
                f,
                "segment {selector:#06x} is not flat (only base 0, limit 4 GiB is modelled)"
            ),
            Unmodelled::SixteenBitSegment { selector } => {
                write!(
                    f,
                    "segment {selector:#06x} is 16-bit (only 32-bit is modelled)"
                )
            }
            Unmodelled::ExpandDownSegment { selector } => {
                write!(f, "segment {selector:#06x} is expand-down (not modelled)")
            }
            Unmodelled::ConformingCode { selector } => {
                write!(
                    f,
                    "segment {selector:#06x} is conforming code (not modelled)"
                )
            }
            Unmodelled::GateOrTaskTransfer { selector } => write!(
                f,
                "far transfer through the call/task gate or TSS {selector:#06x} (not modelled)"
            ),
            Unmodelled::TaskReturn => {
                f.write_str("iret with NT set or to virtual-8086 mode (not modelled)")
            }
            Unmodelled::Ldt => f.write_str("the LDT is not modelled"),
        }
    }
}

/// The index part of a selector as an error code (TI kept, RPL cleared).
pub const fn code(selector: u16) -> u32 {
    (selector & 0xfffc) as u32
}

/// Reads the GDT descriptor of `selector` through the supervisor view of
/// memory (the GDT is read through paging). Errors: #GP(selector) for an LDT
/// selector (no LDT is ever loaded) or one beyond the GDT's limit. `ext` is
/// the EXT bit for errors raised while delivering an event.
pub fn read_descriptor(
    cpu: &Cpu,
    bus: &mut impl Bus,
    selector: u16,
    ext: u32,
) -> Result<Descriptor, Exception> {
    let index = u32::from(selector & 0xfff8);
    if selector & 4 != 0 || index + 7 > u32::from(cpu.gdtr.limit) {
        return Err(Exception::GeneralProtection(code(selector) | ext));
    }
    let sup = cpu.supervisor_ctx();
    let at = cpu.gdtr.base.wrapping_add(index);
    let lo = bus.read(sup, at, Size::Dword, ReadKind::Data)?;
    let hi = bus.read(sup, at.wrapping_add(4), Size::Dword, ReadKind::Data)?;
    Ok(Descriptor::decode(u64::from(hi) << 32 | u64::from(lo)))
}

/// Sets the accessed bit of a code/data descriptor in the GDT (the CPU does
/// on every load; SDM 3.4.5.1), and the busy bit of a TSS descriptor.
pub fn set_type_bit(
    cpu: &Cpu,
    bus: &mut impl Bus,
    selector: u16,
    bit: u32,
) -> Result<(), Exception> {
    let at = cpu
        .gdtr
        .base
        .wrapping_add(u32::from(selector & 0xfff8))
        .wrapping_add(4);
    let sup = cpu.supervisor_ctx();
    let hi = bus.read(sup, at, Size::Dword, ReadKind::Data)?;
    if hi & bit == 0 {
        bus.write(sup, at, Size::Dword, hi | bit)?;
    }
    Ok(())
}

/// The accessed bit (type bit 0) in the high dword.
pub const ACCESSED: u32 = 1 << 8;

/// #UD for a code, data or stack segment this machine cannot model.
pub fn require_flat(d: &Descriptor, selector: u16, needs_32: bool) -> Result<(), Exception> {
    let un = |u| Err(Exception::Unmodelled(u));
    if d.base != 0 || d.limit != u32::MAX {
        return un(Unmodelled::NonFlatSegment { selector });
    }
    if d.expand_down() {
        return un(Unmodelled::ExpandDownSegment { selector });
    }
    if needs_32 && !d.big {
        return un(Unmodelled::SixteenBitSegment { selector });
    }
    Ok(())
}

/// Which data segment register a load targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegReg {
    Es,
    Ss,
    Ds,
    Fs,
    Gs,
}

/// Checks a load of `selector` into a data segment register or SS (SDM
/// "MOV—Move", protected mode) and sets the descriptor's accessed bit;
/// returns the descriptor's DPL (0 for a null selector). Nothing in the CPU
/// changes: the caller loads the register once everything has succeeded.
pub fn check_data_load(
    cpu: &Cpu,
    bus: &mut impl Bus,
    reg: SegReg,
    selector: u16,
) -> Result<u8, Exception> {
    let cpl = cpu.cpl();
    let rpl = (selector & 3) as u8;
    let gp = Exception::GeneralProtection(code(selector));
    if selector & 0xfffc == 0 {
        // A null selector: allowed in DS/ES/FS/GS, #GP(0) in SS.
        return match reg {
            SegReg::Ss => Err(Exception::GeneralProtection(0)),
            _ => Ok(0),
        };
    }
    if selector & 4 != 0 {
        return Err(gp);
    }
    let d = read_descriptor(cpu, bus, selector, 0)?;
    if reg == SegReg::Ss {
        if rpl != cpl || !d.writable_data() || d.dpl != cpl {
            return Err(gp);
        }
        if !d.present {
            return Err(Exception::StackFault(code(selector)));
        }
    } else {
        if !d.readable() || (!d.conforming() && (rpl > d.dpl || cpl > d.dpl)) {
            return Err(gp);
        }
        if !d.present {
            return Err(Exception::SegmentNotPresent(code(selector)));
        }
    }
    require_flat(&d, selector, reg == SegReg::Ss)?;
    set_type_bit(cpu, bus, selector, ACCESSED)?;
    Ok(d.dpl)
}

/// Checks a code segment that a far jmp/call (or a same-level far ret)
/// loads into CS at the current CPL (SDM "JMP", "CALL": non-conforming code
/// needs RPL ≤ CPL and DPL = CPL).
pub fn check_far_code(cpu: &Cpu, bus: &mut impl Bus, selector: u16) -> Result<(), Exception> {
    if selector & 0xfffc == 0 {
        return Err(Exception::GeneralProtection(0));
    }
    let d = read_descriptor(cpu, bus, selector, 0)?;
    let gp = Exception::GeneralProtection(code(selector));
    if !d.is_segment() {
        return match d.kind {
            // A task switch to a busy TSS is #GP(selector) (SDM "JMP").
            TSS_BUSY => Err(gp),
            // Call gates (4, 0xc), task gates (5) and available TSSs (1, 9).
            1 | 4 | 5 | 9 | 0xc => Err(Exception::Unmodelled(Unmodelled::GateOrTaskTransfer {
                selector,
            })),
            _ => Err(gp),
        };
    }
    if !d.is_code() {
        return Err(gp);
    }
    if d.conforming() {
        return Err(Exception::Unmodelled(Unmodelled::ConformingCode {
            selector,
        }));
    }
    let (cpl, rpl) = (cpu.cpl(), (selector & 3) as u8);
    if rpl > cpl || d.dpl != cpl {
        return Err(gp);
    }
    if !d.present {
        return Err(Exception::SegmentNotPresent(code(selector)));
    }
    require_flat(&d, selector, true)?;
    set_type_bit(cpu, bus, selector, ACCESSED)
}

/// The task register: TR's selector and the base and limit loaded from its
/// descriptor by `ltr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskReg {
    pub selector: u16,
    pub base: u32,
    pub limit: u32,
}

/// `ltr` after its CPL check (SDM "LTR"): the selector must name an
/// available 32-bit TSS in the GDT (#GP(0) if null, #GP(selector) otherwise,
/// #NP if not present); the descriptor is marked busy and TR's base and
/// limit are loaded.
pub fn load_tr(cpu: &mut Cpu, bus: &mut impl Bus, selector: u16) -> Result<(), Exception> {
    if selector & 0xfffc == 0 {
        return Err(Exception::GeneralProtection(0));
    }
    let d = read_descriptor(cpu, bus, selector, 0)?;
    if d.kind != TSS_AVAILABLE {
        return Err(Exception::GeneralProtection(code(selector)));
    }
    if !d.present {
        return Err(Exception::SegmentNotPresent(code(selector)));
    }
    // The busy bit is type bit 1.
    set_type_bit(cpu, bus, selector, 2 << 8)?;
    cpu.tr = TaskReg {
        selector,
        base: d.base,
        limit: d.limit,
    };
    Ok(())
}

/// Offsets in a 32-bit TSS (SDM figure 7-2).
pub mod tss {
    /// ESP0; ESPn is at `ESP0 + 8 n`, SSn at `SS0 + 8 n`.
    pub const ESP0: u32 = 4;
    pub const SS0: u32 = 8;
    /// The 16-bit offset of the I/O permission bitmap.
    pub const IOMAP_BASE: u32 = 0x66;
    /// The smallest limit of a 32-bit TSS.
    pub const MIN_LIMIT: u32 = 0x67;
}

/// Where an inward trap found its stack: the TSS slot read and what it held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingStack {
    /// Linear address of the ESPn field read (TR's base + 4 + 8 n).
    pub esp_at: u32,
    pub ss: u16,
    pub esp: u32,
}

/// Reads SSn:ESPn for an inward transfer to ring `ring` from the TSS at TR
/// and checks the stack segment (SDM "INT n", PROTECTED-MODE/
/// INTER-PRIVILEGE-LEVEL-INTERRUPT): #TS naming TR or the selector, #SS if
/// not present; `ext` is the EXT bit of the event being delivered.
pub fn ring_stack(
    cpu: &Cpu,
    bus: &mut impl Bus,
    ring: u8,
    ext: u32,
) -> Result<RingStack, Exception> {
    let offset = tss::ESP0 + 8 * u32::from(ring);
    if offset + 5 > cpu.tr.limit || cpu.tr.selector & 0xfffc == 0 {
        return Err(Exception::InvalidTss(code(cpu.tr.selector) | ext));
    }
    let sup = cpu.supervisor_ctx();
    let esp_at = cpu.tr.base.wrapping_add(offset);
    let esp = bus.read(sup, esp_at, Size::Dword, ReadKind::Data)?;
    let ss = bus.read(sup, esp_at.wrapping_add(4), Size::Word, ReadKind::Data)? as u16;
    let ts = Exception::InvalidTss(code(ss) | ext);
    if ss & 0xfffc == 0 {
        return Err(Exception::InvalidTss(ext));
    }
    let d = read_descriptor(cpu, bus, ss, ext).map_err(|e| match e {
        Exception::GeneralProtection(_) => ts,
        other => other,
    })?;
    if (ss & 3) as u8 != ring || d.dpl != ring || !d.writable_data() {
        return Err(ts);
    }
    if !d.present {
        return Err(Exception::StackFault(code(ss) | ext));
    }
    require_flat(&d, ss, true)?;
    Ok(RingStack { esp_at, ss, esp })
}

/// Checks the code segment an interrupt gate names (SDM "INT n": null →
/// #GP(EXT); not code or DPL > CPL → #GP(selector + EXT); not present →
/// #NP); returns its DPL, the handler's CPL.
pub fn check_gate_code(
    cpu: &Cpu,
    bus: &mut impl Bus,
    selector: u16,
    ext: u32,
) -> Result<u8, Exception> {
    if selector & 0xfffc == 0 {
        return Err(Exception::GeneralProtection(ext));
    }
    let d = read_descriptor(cpu, bus, selector, ext)?;
    if !d.is_code() || d.dpl > cpu.cpl() {
        return Err(Exception::GeneralProtection(code(selector) | ext));
    }
    if !d.present {
        return Err(Exception::SegmentNotPresent(code(selector) | ext));
    }
    if d.conforming() {
        return Err(Exception::Unmodelled(Unmodelled::ConformingCode {
            selector,
        }));
    }
    require_flat(&d, selector, true)?;
    Ok(d.dpl)
}

/// The I/O permission check of `in`/`out` at CPL > IOPL (SDM vol. 1, 19.5.2):
/// every bit for the `bytes` ports from `port` must be clear in the TSS's
/// I/O bitmap; a bitmap beyond the TSS limit (or no TSS) is #GP(0).
pub fn check_io_permission(
    cpu: &Cpu,
    bus: &mut impl Bus,
    port: u16,
    bytes: u32,
) -> Result<(), Exception> {
    let gp = Err(Exception::GeneralProtection(0));
    if cpu.tr.selector & 0xfffc == 0 || cpu.tr.limit < tss::MIN_LIMIT {
        return gp;
    }
    let sup = cpu.supervisor_ctx();
    let map = bus.read(
        sup,
        cpu.tr.base.wrapping_add(tss::IOMAP_BASE),
        Size::Word,
        ReadKind::Data,
    )?;
    let at = map + u32::from(port) / 8;
    // Two bytes are read, so a check near the end needs both inside the TSS.
    if at + 1 > cpu.tr.limit {
        return gp;
    }
    let bits = bus.read(
        sup,
        cpu.tr.base.wrapping_add(at),
        Size::Word,
        ReadKind::Data,
    )?;
    let mask = ((1u32 << bytes) - 1) << (port % 8);
    if bits & mask != 0 {
        return gp;
    }
    Ok(())
}
