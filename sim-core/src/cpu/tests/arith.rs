//! ALU, shifts, multiply/divide, bit tests.

use super::{Rig, DATA};
use crate::bus::Size;
use crate::cpu::flags::*;
use crate::cpu::Reg;
use crate::trap::Exception;

#[test]
fn add_overflow_sets_of_sf_af() {
    let mut r = Rig::new(&[
        0xb8, 0xff, 0xff, 0xff, 0x7f, // mov $0x7fffffff,%eax
        0x83, 0xc0, 0x01, // add $0x1,%eax
    ]);
    r.run(2);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x8000_0000);
    assert_eq!(r.cpu.eflags & STATUS, OF | SF | AF | PF);
    assert_eq!(r.cpu.eip, super::CODE + 8);
}

#[test]
fn sbb_word_in_memory_uses_borrow() {
    let mut r = Rig::new(&[
        0xbe, 0x00, 0x40, 0x00, 0x00, // mov $0x4000,%esi
        0x66, 0xc7, 0x06, 0x02, 0x00, // movw $0x2,(%esi)
        0xf9, // stc
        0x66, 0x83, 0x1e, 0x03, // sbbw $0x3,(%esi)
    ]);
    r.run(4);
    assert_eq!(r.bus.peek(DATA, Size::Word), 0xfffe);
    assert_eq!(r.bus.peek(DATA + 2, Size::Word), 0, "word write only");
    assert_eq!(r.cpu.eflags & (CF | SF | OF), CF | SF);
}

#[test]
fn inc_high_byte_keeps_carry_and_neg_word() {
    let mut r = Rig::new(&[
        0xf9, // stc
        0xb4, 0xff, // mov $0xff,%ah
        0xfe, 0xc4, // inc %ah
        0x66, 0xf7, 0xda, // neg %dx
    ]);
    r.cpu.gpr[0] = 0x1234_5678;
    r.cpu.gpr[2] = 0xaaaa_0001;
    r.run(3);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x1234_0078);
    assert_eq!(r.cpu.eflags & (CF | ZF), CF | ZF);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Edx), 0xaaaa_ffff);
    assert_eq!(r.cpu.eflags & (CF | SF), CF | SF);
}

#[test]
fn shifts_and_rotates_all_operand_forms() {
    let mut r = Rig::new(&[
        0xc1, 0xe0, 0x04, // shl $0x4,%eax
        0xd2, 0xeb, // shr %cl,%bl
        0xd1, 0x3e, // sarl (%esi)
        0x66, 0xd1, 0xc2, // rol %dx
        0xd2, 0x0e, // rorb %cl,(%esi)
    ]);
    r.cpu.gpr[0] = 0xf000_0001;
    r.cpu.gpr[1] = 33; // masked to 1
    r.cpu.gpr[3] = 0x81;
    r.cpu.gpr[2] = 0x8001;
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &0x8000_0002u32.to_le_bytes());
    r.run(1);
    assert_eq!((r.cpu.reg(Reg::Eax), r.cpu.eflags & CF), (0x10, CF));
    r.run(1);
    assert_eq!((r.cpu.reg(Reg::Ebx), r.cpu.eflags & CF), (0x40, CF));
    r.run(1);
    assert_eq!(r.bus.peek(DATA, Size::Dword), 0xc000_0001);
    r.run(1);
    assert_eq!(
        (r.cpu.reg(Reg::Edx), r.cpu.eflags & (CF | OF)),
        (0x0003, CF | OF)
    );
    r.run(1);
    assert_eq!(r.bus.peek(DATA, Size::Byte), 0x80);
}

#[test]
fn multiply_forms() {
    let mut r = Rig::new(&[
        0xf7, 0xe3, // mul %ebx
        0xf6, 0xe9, // imul %cl
        0x0f, 0xaf, 0xc1, // imul %ecx,%eax
        0x6b, 0xd3, 0xfd, // imul $-3,%ebx,%edx
    ]);
    r.cpu.gpr[0] = 0xffff_ffff;
    r.cpu.gpr[3] = 2;
    r.run(1);
    assert_eq!((r.cpu.reg(Reg::Eax), r.cpu.reg(Reg::Edx)), (0xffff_fffe, 1));
    assert_eq!(r.cpu.eflags & (CF | OF), CF | OF);
    r.cpu.gpr[1] = 0xff; // -1
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax) & 0xffff, 0x0002, "al=-2 * -1 = 2");
    assert_eq!(r.cpu.eflags & (CF | OF), 0);
    r.cpu.gpr[0] = 2;
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x1fe);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Edx), (-6i32) as u32);
}

#[test]
fn divide_and_divide_errors() {
    let mut r = Rig::new(&[
        0xf7, 0xf1, // div %ecx
        0xf6, 0xfb, // idiv %bl
        0x66, 0xf7, 0x36, // divw (%esi)
    ]);
    r.cpu.gpr[0] = 100;
    r.cpu.gpr[1] = 7;
    r.run(1);
    assert_eq!((r.cpu.reg(Reg::Eax), r.cpu.reg(Reg::Edx)), (14, 2));
    r.cpu.gpr[0] = (-7i16) as u16 as u32;
    r.cpu.gpr[3] = 2;
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax) & 0xffff, 0xfffd, "ah=-1 al=-3");
    r.cpu.gpr[6] = DATA;
    r.cpu.gpr[2] = 1; // dx:ax = 0x1xxxx / 0 → #DE
    r.expect_fault(Exception::DivideError);
    r.bus.load(DATA, &[1, 0]);
    r.expect_fault(Exception::DivideError); // quotient ≥ 0x10000
}

#[test]
fn idiv_min_by_minus_one_faults() {
    let mut r = Rig::new(&[0xf7, 0xf9]); // idiv %ecx
    r.cpu.gpr[0] = 0x8000_0000;
    r.cpu.gpr[2] = 0xffff_ffff;
    r.cpu.gpr[1] = 0xffff_ffff;
    r.expect_fault(Exception::DivideError);
}

#[test]
fn bit_tests_use_bit_string_addressing() {
    let mut r = Rig::new(&[
        0x0f, 0xa3, 0x0e, // bt %ecx,(%esi)
        0x0f, 0xba, 0xe0, 0x21, // bt $33,%eax
        0x66, 0x0f, 0xab, 0xca, // bts %cx,%dx
        0x0f, 0xba, 0x36, 0x03, // btrl $3,(%esi)
        0x0f, 0xbb, 0xc3, // btc %eax,%ebx
    ]);
    r.cpu.gpr[6] = DATA + 8;
    r.cpu.gpr[1] = (-33i32) as u32; // dword at DATA+8-8 = DATA, bit 31
    r.bus.load(DATA, &0x8000_0000u32.to_le_bytes());
    r.bus.load(DATA + 8, &0xfu32.to_le_bytes());
    r.run(1);
    assert_eq!(r.cpu.eflags & CF, CF);
    r.cpu.gpr[0] = 0b10;
    r.run(1); // bit 33 mod 32 = 1
    assert_eq!(r.cpu.eflags & CF, CF);
    r.cpu.gpr[1] = 17; // bit 1 of dx
    r.run(1);
    assert_eq!((r.cpu.reg(Reg::Edx) & 0xffff, r.cpu.eflags & CF), (2, 0));
    r.run(1);
    assert_eq!(
        (r.bus.peek(DATA + 8, Size::Dword), r.cpu.eflags & CF),
        (7, CF)
    );
    r.cpu.gpr[0] = 4;
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Ebx), 0x10);
}

#[test]
fn memory_write_fault_leaves_flags_and_memory() {
    // addl $1,0x20000 (beyond the test bus) → #PF, nothing changes.
    let mut r = Rig::new(&[0x83, 0x05, 0x00, 0x00, 0x02, 0x00, 0x01]);
    r.cpu.eflags |= CF;
    r.expect_fault(Exception::PageFault {
        addr: 0x20000,
        code: 0,
    });
    // Writable read but read-only write: still no change.
    let mut r = Rig::new(&[0x83, 0x05, 0x00, 0x40, 0x00, 0x00, 0x01]); // addl $1,0x4000
    r.bus.read_only = DATA..DATA + 4;
    r.expect_fault(Exception::PageFault {
        addr: DATA,
        code: crate::trap::pf::P | crate::trap::pf::W,
    });
}
