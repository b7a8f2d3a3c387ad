//! Building address spaces: what a kernel's `mappages` (xv6 vm.c) does.

use super::{pdx, pte, ptx};
use crate::mem::{FrameAllocator, OutOfFrames, PhysMem, PAGE_MASK};

/// Why a mapping could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MapError {
    /// A page table was needed and no frame was left.
    OutOfFrames(OutOfFrames),
    /// `lin` or `phys` is not page aligned.
    Unaligned { lin: u32, phys: u32 },
}

impl std::fmt::Display for MapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapError::OutOfFrames(e) => e.fmt(f),
            MapError::Unaligned { lin, phys } => {
                write!(f, "cannot map {lin:#010x} → {phys:#010x}: not page aligned")
            }
        }
    }
}

impl std::error::Error for MapError {}

impl From<OutOfFrames> for MapError {
    fn from(e: OutOfFrames) -> Self {
        MapError::OutOfFrames(e)
    }
}

/// Maps the 4 KiB page at `lin` to the frame at `phys` with PTE `flags`
/// (`pte::P` is added) in the page directory at `cr3`, allocating and zeroing
/// a page table from `frames` when the PDE is not present. As in xv6, new PDEs
/// are P | R/W | U/S, so the PTE alone decides the rights. An existing mapping
/// is replaced.
pub fn map_page(
    mem: &mut PhysMem,
    frames: &mut FrameAllocator,
    cr3: u32,
    lin: u32,
    phys: u32,
    flags: u32,
) -> Result<(), MapError> {
    if lin & PAGE_MASK != 0 || phys & PAGE_MASK != 0 {
        return Err(MapError::Unaligned { lin, phys });
    }
    let pde_addr = (cr3 & pte::FRAME) | pdx(lin) << 2;
    let mut pde = mem.read_u32(pde_addr);
    if pde & pte::P == 0 {
        let table = frames.alloc(mem)?;
        pde = table | pte::P | pte::RW | pte::US;
        mem.write_u32(pde_addr, pde);
    }
    let pte_addr = (pde & pte::FRAME) | ptx(lin) << 2;
    mem.write_u32(pte_addr, phys | (flags & !pte::FRAME) | pte::P);
    Ok(())
}

/// Clears the PTE for `lin` (if its page table exists); returns the old PTE.
pub fn unmap_page(mem: &mut PhysMem, cr3: u32, lin: u32) -> Option<u32> {
    let pde = mem.read_u32((cr3 & pte::FRAME) | pdx(lin) << 2);
    if pde & pte::P == 0 {
        return None;
    }
    let pte_addr = (pde & pte::FRAME) | ptx(lin) << 2;
    let old = mem.read_u32(pte_addr);
    mem.write_u32(pte_addr, 0);
    (old & pte::P != 0).then_some(old)
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::bus::AccessCtx;
    use crate::trap::Exception;

    const LIN: u32 = 0xffe8_4264;

    fn ctx(cr3: u32, user: bool, wp: bool) -> AccessCtx {
        AccessCtx {
            paging: true,
            cr3,
            user,
            write_protect: wp,
        }
    }

    fn space() -> (PhysMem, FrameAllocator, u32) {
        let mut mem = PhysMem::new();
        let mut frames = FrameAllocator::new(0x10_0000, 0x20_0000);
        let cr3 = frames.alloc(&mut mem).unwrap();
        (mem, frames, cr3)
    }

    #[test]
    fn walk_splits_the_address_and_records_each_step() {
        let (mut mem, mut frames, cr3) = space();
        map_page(
            &mut mem,
            &mut frames,
            cr3,
            LIN & !0xfff,
            0x0004_5000,
            pte::RW,
        )
        .unwrap();
        let w = walk(&mem, cr3, LIN);
        assert_eq!((w.pdx, w.ptx, w.offset), (0x3ff, 0x284, 0x264));
        assert_eq!(w.pde_addr, cr3 + 0x3ff * 4);
        let pt = w.pde.unwrap() & pte::FRAME;
        assert_eq!(w.pte_addr, Some(pt + 0x284 * 4));
        assert_eq!(w.frame, Some(0x0004_5000));
        assert_eq!(w.phys, Some(0x0004_5264));
        assert_eq!(w.fault, None);
        let missing = walk(&mem, cr3, 0x0040_0000);
        assert_eq!(
            missing.fault,
            Some(WalkFault::NotPresent(WalkLevel::Directory))
        );
        let missing = walk(&mem, cr3, 0xffe8_5000);
        assert_eq!(missing.fault, Some(WalkFault::NotPresent(WalkLevel::Table)));
    }

    #[test]
    fn two_directories_give_two_address_spaces() {
        let (mut mem, mut frames, cr3a) = space();
        let cr3b = frames.alloc(&mut mem).unwrap();
        let page = LIN & !0xfff;
        map_page(
            &mut mem,
            &mut frames,
            cr3a,
            page,
            0x0005_0000,
            pte::RW | pte::US,
        )
        .unwrap();
        map_page(
            &mut mem,
            &mut frames,
            cr3b,
            page,
            0x0006_0000,
            pte::RW | pte::US,
        )
        .unwrap();
        let a = translate(&mut mem, ctx(cr3a, true, false), LIN, Access::Write).unwrap();
        mem.write_u32(a.phys, 0xdead_beef);
        let b = translate(&mut mem, ctx(cr3b, true, false), LIN, Access::Read).unwrap();
        assert_ne!(a.phys, b.phys);
        assert_eq!(mem.read_u32(b.phys), 0, "process B cannot see A's write");
        // A second thread of A (same CR3) sees it.
        let a2 = translate(&mut mem, ctx(cr3a, true, false), LIN, Access::Read).unwrap();
        assert_eq!(mem.read_u32(a2.phys), 0xdead_beef);
    }

    #[test]
    fn protection_faults_carry_the_real_error_code() {
        let (mut mem, mut frames, cr3) = space();
        map_page(&mut mem, &mut frames, cr3, 0x1000, 0x8000, pte::RW).unwrap(); // supervisor
        map_page(&mut mem, &mut frames, cr3, 0x2000, 0x9000, pte::US).unwrap(); // user read-only
        let user = ctx(cr3, true, false);
        let pf = |addr, code| Err(Exception::PageFault { addr, code });
        assert_eq!(
            translate(&mut mem, user, 0x1004, Access::Write),
            pf(0x1004, 0b111)
        );
        assert_eq!(
            translate(&mut mem, user, 0x1004, Access::Read),
            pf(0x1004, 0b101)
        );
        assert_eq!(
            translate(&mut mem, user, 0x2008, Access::Write),
            pf(0x2008, 0b111)
        );
        assert_eq!(
            translate(&mut mem, user, 0x3000, Access::Write),
            pf(0x3000, 0b110)
        );
        assert_eq!(
            translate(&mut mem, user, 0x3000, Access::Read),
            pf(0x3000, 0b100)
        );
        let kernel = ctx(cr3, false, false);
        assert_eq!(
            translate(&mut mem, kernel, 0x0080_0000, Access::Read),
            pf(0x0080_0000, 0)
        );
        // Supervisor writes to read-only pages succeed unless CR0.WP.
        assert!(translate(&mut mem, kernel, 0x2000, Access::Write).is_ok());
        let wp = ctx(cr3, false, true);
        assert_eq!(
            translate(&mut mem, wp, 0x2000, Access::Write),
            pf(0x2000, 0b011)
        );
        assert!(translate(&mut mem, user, 0x2000, Access::Read).is_ok());
    }

    #[test]
    fn walk_sets_accessed_and_dirty_bits() {
        let (mut mem, mut frames, cr3) = space();
        map_page(
            &mut mem,
            &mut frames,
            cr3,
            0x7000,
            0xa000,
            pte::RW | pte::US,
        )
        .unwrap();
        let bits = |mem: &PhysMem| {
            let w = walk(mem, cr3, 0x7000);
            (
                w.pde.unwrap() & (pte::A | pte::D),
                w.pte.unwrap() & (pte::A | pte::D),
            )
        };
        assert_eq!(bits(&mem), (0, 0));
        translate(&mut mem, ctx(cr3, true, false), 0x7010, Access::Read).unwrap();
        assert_eq!(bits(&mem), (pte::A, pte::A));
        let t = translate(&mut mem, ctx(cr3, true, false), 0x7010, Access::Write).unwrap();
        assert!(t.dirty);
        assert_eq!(bits(&mem), (pte::A, pte::A | pte::D));
        // A faulting walk changes nothing.
        let before = mem.clone();
        let _ = translate(&mut mem, ctx(cr3, true, false), 0x8000, Access::Write);
        assert_eq!(mem, before);
    }

    #[test]
    fn map_rejects_unaligned_and_unmap_returns_old_entry() {
        let (mut mem, mut frames, cr3) = space();
        assert!(matches!(
            map_page(&mut mem, &mut frames, cr3, 0x1001, 0x2000, 0),
            Err(MapError::Unaligned { .. })
        ));
        map_page(&mut mem, &mut frames, cr3, 0x1000, 0x2000, 0).unwrap();
        assert_eq!(unmap_page(&mut mem, cr3, 0x1000), Some(0x2000 | pte::P));
        assert_eq!(
            walk(&mem, cr3, 0x1000).fault,
            Some(WalkFault::NotPresent(WalkLevel::Table))
        );
    }
}
