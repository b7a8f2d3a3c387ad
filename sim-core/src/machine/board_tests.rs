use super::*;
use crate::mem::FrameAllocator;
use crate::mmu::{map_page, pte};

fn flat(user: bool) -> AccessCtx {
    AccessCtx {
        paging: false,
        cr3: 0,
        user,
        write_protect: false,
    }
}

/// A system with 0x1000 → 0x5000 (user RW) and 0x2000 not mapped.
fn paged() -> (Board, AccessCtx) {
    let mut sys = Board::default();
    let mut frames = FrameAllocator::new(0x10_0000, 0x20_0000);
    let mem = sys.mem_mut();
    let cr3 = frames.alloc(mem).expect("frame");
    map_page(mem, &mut frames, cr3, 0x1000, 0x5000, pte::RW | pte::US).expect("map");
    let ctx = AccessCtx {
        paging: true,
        cr3,
        user: true,
        write_protect: true,
    };
    (sys, ctx)
}

#[test]
fn a_write_crossing_into_an_unmapped_page_changes_nothing() {
    let (mut sys, ctx) = paged();
    sys.write(ctx, 0x1ffc, Size::Dword, 0x1122_3344)
        .expect("in page");
    let before = sys.mem().clone();
    assert_eq!(
        sys.write(ctx, 0x1ffe, Size::Dword, 0xaabb_ccdd),
        Err(Exception::PageFault {
            addr: 0x2000,
            code: 0b110
        })
    );
    assert_eq!(sys.mem(), &before);
    assert_eq!(sys.probe_write(ctx, 0x1ffe, Size::Word), Ok(()));
    assert!(sys.probe_write(ctx, 0x1fff, Size::Word).is_err());
    assert_eq!(
        sys.mem(),
        &before,
        "probing writes nothing, not even A/D bits"
    );
}

#[test]
fn cross_page_accesses_with_paging_off_are_little_endian() {
    let mut sys = Board::default();
    sys.write(flat(false), 0x2fff, Size::Dword, 0x0403_0201)
        .expect("flat");
    assert_eq!(sys.mem().read_u8(0x3000), 2);
    assert_eq!(
        sys.read(flat(true), 0x2ffe, Size::Dword, ReadKind::Data),
        Ok(0x0302_0100)
    );
}

#[test]
fn traced_mode_records_accesses_and_fast_mode_nothing() {
    let (mut sys, ctx) = paged();
    sys.write(ctx, 0x1010, Size::Word, 0xbeef).expect("write");
    assert!(sys.events().is_empty());
    sys.set_tracing(true);
    sys.set_cycle(42);
    sys.write(ctx, 0x1010, Size::Byte, 0x1234).expect("write");
    sys.read(ctx, 0x1010, Size::Word, ReadKind::Fetch)
        .expect("read");
    let kinds: Vec<_> = sys
        .events()
        .iter()
        .map(|e| (e.cycle, e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                42,
                EventKind::MemWrite {
                    lin: 0x1010,
                    phys: 0x5010,
                    size: 1,
                    old: 0xef,
                    new: 0x34
                }
            ),
            (
                42,
                EventKind::MemRead {
                    lin: 0x1010,
                    phys: 0x5010,
                    size: 2,
                    value: 0xbe34,
                    fetch: true
                }
            ),
        ]
    );
}

#[test]
fn code_epoch_changes_on_code_and_page_table_writes_only() {
    let (mut sys, ctx) = paged();
    sys.read(ctx, 0x1000, Size::Byte, ReadKind::Data)
        .expect("read");
    let e0 = sys.code_epoch();
    sys.write(ctx, 0x1004, Size::Dword, 1).expect("data write");
    assert_eq!(sys.code_epoch(), e0, "data writes keep decoded code");
    sys.read(ctx, 0x1000, Size::Byte, ReadKind::Fetch)
        .expect("fetch");
    let e1 = sys.code_epoch();
    sys.write(ctx, 0x1004, Size::Dword, 2).expect("code write");
    assert_ne!(
        sys.code_epoch(),
        e1,
        "writing fetched-from memory invalidates"
    );
    // The kernel rewrites the PTE with paging off: the TLB must forget it.
    let pte_addr = mmu::walk(sys.mem(), ctx.cr3, 0x1000)
        .pte_addr
        .expect("mapped");
    let kernel = flat(false);
    sys.write(
        kernel,
        pte_addr,
        Size::Dword,
        0x6000 | pte::P | pte::RW | pte::US,
    )
    .expect("pte write");
    sys.write(ctx, 0x1000, Size::Byte, 9)
        .expect("remapped write");
    assert_eq!(sys.mem().read_u8(0x6000), 9);
}

#[test]
fn page_fault_codes_come_from_cached_and_walked_translations_alike() {
    let (mut sys, mut ctx) = paged();
    let pte_addr = mmu::walk(sys.mem(), ctx.cr3, 0x1000)
        .pte_addr
        .expect("mapped");
    sys.mem_mut().write_u32(pte_addr, 0x5000 | pte::P | pte::US); // read-only
    sys.read(ctx, 0x1000, Size::Byte, ReadKind::Data)
        .expect("cached now");
    let fault = Err(Exception::PageFault {
        addr: 0x1000,
        code: 0b111,
    });
    assert_eq!(sys.write(ctx, 0x1000, Size::Byte, 1), fault);
    ctx.user = false;
    assert!(
        sys.write(ctx, 0x1000, Size::Byte, 1).is_err(),
        "CR0.WP protects read-only pages from the kernel"
    );
    ctx.write_protect = false;
    assert_eq!(sys.write(ctx, 0x1000, Size::Byte, 1), Ok(()));
}
