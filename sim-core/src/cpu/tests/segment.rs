//! Segment loads, far transfers, ltr and the I/O bitmap on the test bus (the
//! behaviour QEMU shares is also checked against it by `tests/boot_vs_qemu.rs`;
//! here: what QEMU cannot check, the features outside the model).

use super::*;
use crate::cpu::segment::{self, Unmodelled};
use crate::cpu::{selector, Reg};

/// Writes raw descriptor `d` as GDT entry `index` (the test GDT has 6
/// entries; the limit is raised to cover it).
fn put(r: &mut Rig, index: u16, d: u64) {
    r.bus.load(GDT + 8 * u32::from(index), &d.to_le_bytes());
    r.cpu.gdtr.limit = r.cpu.gdtr.limit.max(8 * index + 7);
}

#[test]
fn data_loads_check_and_set_the_accessed_bit() {
    // mov %ax, %ds
    let mut r = Rig::new(&[0x8e, 0xd8]);
    r.cpu.gpr[0] = u32::from(selector::USER_DATA);
    r.run(1);
    assert_eq!((r.cpu.seg.ds, r.cpu.data_dpl[0]), (selector::USER_DATA, 3));
    assert_ne!(
        r.bus.peek(GDT + 0x20 + 4, Size::Dword) & segment::ACCESSED,
        0
    );
    // A TSS is not data: #GP(selector), nothing changed (not even memory).
    let mut r = Rig::new(&[0x8e, 0xd8]);
    r.cpu.gpr[0] = u32::from(selector::TSS);
    r.expect_fault(Exception::GeneralProtection(0x28));
    // pop %ss of a DPL-3 segment at CPL 0.
    let mut r = Rig::new(&[0x17]);
    r.bus.load(STACK_TOP, &0x23u32.to_le_bytes());
    r.expect_fault(Exception::GeneralProtection(0x20));
}

#[test]
fn what_is_not_modelled_is_ud_with_a_message() {
    // A data segment based at 0x1000.
    let mut r = Rig::new(&[0x8e, 0xd8]);
    put(
        &mut r,
        6,
        segment::flat(segment::DATA_WRITE, 3) | 0x1000_0000,
    );
    r.cpu.gpr[0] = 0x33;
    let u = Unmodelled::NonFlatSegment { selector: 0x33 };
    r.expect_fault(Exception::Unmodelled(u));
    assert_eq!(
        Exception::Unmodelled(u).to_string(),
        "#UD: segment 0x0033 is not flat (only base 0, limit 4 GiB is modelled)"
    );
    assert_eq!(Exception::Unmodelled(u).vector(), 6);
    // ljmp $0x28 to the available TSS of a fresh GDT: a task switch.
    let mut r = Rig::new(&[0xea, 0, 0, 0, 0, 0x30, 0]);
    put(&mut r, 6, segment::tss(TSS, 0x67));
    let u = Unmodelled::GateOrTaskTransfer { selector: 0x30 };
    r.expect_fault(Exception::Unmodelled(u));
    // The busy TSS is #GP(selector) as on hardware.
    let mut r = Rig::new(&[0xea, 0, 0, 0, 0, 0x28, 0]);
    r.expect_fault(Exception::GeneralProtection(0x28));
    // lldt %ax
    let mut r = Rig::new(&[0x0f, 0x00, 0xd0]);
    r.expect_fault(Exception::Unmodelled(Unmodelled::Ldt));
}

#[test]
fn far_call_and_return_reload_cs() {
    // lcall $0x08, $0x1100 ; at 0x1100: lret
    let mut r = Rig::new(&[0x9a, 0x00, 0x11, 0, 0, 0x08, 0x00]);
    r.bus.load(0x1100, &[0xcb]);
    r.run(1);
    assert_eq!((r.cpu.eip, r.cpu.seg.cs), (0x1100, 0x08));
    assert_eq!(r.bus.peek(STACK_TOP - 4, Size::Dword), 0x08);
    assert_eq!(r.bus.peek(STACK_TOP - 8, Size::Dword), CODE + 7);
    r.run(1);
    assert_eq!((r.cpu.eip, r.cpu.reg(Reg::Esp)), (CODE + 7, STACK_TOP));
}

#[test]
fn ltr_needs_an_available_tss_and_io_needs_the_bitmap() {
    // ltr %ax with the (already busy) TSS: #GP(0x28).
    let mut r = Rig::new(&[0x0f, 0x00, 0xd8]);
    r.cpu.gpr[0] = u32::from(selector::TSS);
    r.expect_fault(Exception::GeneralProtection(0x28));
    // in $0x60, %al in ring 3: no bitmap → #GP(0); a bitmap with the bit clear allows it.
    let mut r = Rig::new(&[0xe4, 0x60]).user();
    r.expect_fault(Exception::GeneralProtection(0));
    r.bus.load(TSS + 0x66, &0x68u16.to_le_bytes());
    r.cpu.tr.limit = 0x68 + 0x10;
    r.bus.load(TSS + 0x68 + 0x60 / 8, &[0xfe]);
    r.run(1);
    r.cpu.eip = CODE;
    r.bus.load(TSS + 0x68 + 0x60 / 8, &[0x01]);
    r.expect_fault(Exception::GeneralProtection(0));
}
