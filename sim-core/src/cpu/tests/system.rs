//! int/iret/hlt, flag instructions, I/O, lidt, control registers, privilege checks,
//! and #UD for instructions outside the subset.

use super::{Rig, CODE, DATA, STACK_TOP};
use crate::bus::Size;
use crate::cpu::flags::*;
use crate::cpu::{cr0, selector, Effect, Reg};
use crate::trap::Exception;

#[test]
fn int_into_and_hlt_effects() {
    let mut r = Rig::new(&[0xcd, 0x80, 0xcc, 0xce, 0xce, 0xf4]); // int $0x80; int3; into; into; hlt
    assert_eq!(r.step().unwrap().effect, Effect::SoftInt(0x80));
    assert_eq!(r.cpu.eip, CODE + 2);
    assert_eq!(r.step().unwrap().effect, Effect::SoftInt(3));
    assert_eq!(r.step().unwrap().effect, Effect::None, "into with OF clear");
    r.cpu.eflags |= OF;
    assert_eq!(r.step().unwrap().effect, Effect::SoftInt(4));
    assert_eq!(r.step().unwrap().effect, Effect::Halt);
    assert!(r.cpu.halted);
    assert_eq!(r.cpu.eip, CODE + 6);
}

#[test]
fn flag_instructions() {
    // cli; sti; cld; std; clc; stc; cmc
    let mut r = Rig::new(&[0xfa, 0xfb, 0xfc, 0xfd, 0xf8, 0xf9, 0xf5]);
    r.run(1);
    assert_eq!(r.cpu.eflags & IF, 0);
    r.run(1);
    assert_eq!(r.cpu.eflags & IF, IF);
    r.run(2);
    assert_eq!(r.cpu.eflags & DF, DF);
    r.run(3);
    assert_eq!(r.cpu.eflags & CF, 0);
}

#[test]
fn port_io() {
    // in $0x60,%al ; in (%dx),%ax ; out %al,$0x20 ; out %eax,(%dx)
    let mut r = Rig::new(&[0xe4, 0x60, 0x66, 0xed, 0xe6, 0x20, 0xef]);
    r.bus.port_value = 0xabcd_ef12;
    r.cpu.gpr[0] = 0xffff_ffff;
    r.cpu.gpr[2] = 0x3f8;
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0xffff_ff12);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0xffff_ef12);
    r.run(2);
    assert_eq!(
        r.bus.port_log,
        vec![(0x20, Size::Byte, 0x12), (0x3f8, Size::Dword, 0xffff_ef12)]
    );
}

#[test]
fn lidt_and_control_registers() {
    // lidt (%esi); mov %cr0,%eax; mov %eax,%cr3; mov %ebx,%cr4; mov %cr2,%ecx; mov %edx,%cr0
    let mut r = Rig::new(&[
        0x0f, 0x01, 0x1e, 0x0f, 0x20, 0xc0, 0x0f, 0x22, 0xd8, 0x0f, 0x22, 0xe3, 0x0f, 0x20, 0xd1,
        0x0f, 0x22, 0xc2,
    ]);
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &[0xff, 0x07, 0x00, 0x50, 0x00, 0x00]);
    r.cpu.cr2 = 0xdead;
    r.cpu.gpr[2] = cr0::PE | cr0::PG | 0x10;
    r.run(1);
    assert_eq!((r.cpu.idtr.base, r.cpu.idtr.limit), (0x5000, 0x7ff));
    r.run(2);
    assert_eq!(r.cpu.cr3, cr0::PE & 0xffff_f000);
    r.cpu.gpr[3] = 1 << 4; // CR4.PSE is not modelled
    r.expect_fault(Exception::GeneralProtection(0));
    r.cpu.gpr[3] = 0;
    r.run(2);
    assert_eq!(r.cpu.reg(Reg::Ecx), 0xdead);
    r.run(1);
    assert_eq!(r.cpu.cr0, cr0::PE | cr0::PG);
}

#[test]
fn privileged_instructions_fault_in_ring3() {
    let programs: [&[u8]; 9] = [
        &[0xfa],             // cli
        &[0xfb],             // sti
        &[0xf4],             // hlt
        &[0xe4, 0x60],       // in $0x60,%al
        &[0xef],             // out %eax,(%dx)
        &[0x0f, 0x01, 0x1e], // lidt (%esi)
        &[0x0f, 0x20, 0xc0], // mov %cr0,%eax
        &[0x0f, 0x22, 0xd8], // mov %eax,%cr3
        &[0xcf],             // iret to ring 0 (see below)
    ];
    for code in programs {
        let mut r = Rig::new(code).user();
        r.cpu.gpr[6] = DATA;
        r.bus.load(
            STACK_TOP + 4,
            &u32::from(selector::KERNEL_CODE).to_le_bytes(),
        );
        let exc = if code == [0xcf] {
            Exception::GeneralProtection(u32::from(selector::KERNEL_CODE))
        } else {
            Exception::GeneralProtection(0)
        };
        r.expect_fault(exc);
    }
}

#[test]
fn iret_to_user_mode_and_same_level() {
    let frame = [
        0x2000,
        u32::from(selector::USER_CODE),
        IF | CF,
        0x7000,
        u32::from(selector::USER_DATA),
    ];
    let mut r = Rig::new(&[0xcf]);
    for (k, v) in frame.iter().enumerate() {
        r.bus.load(STACK_TOP + 4 * k as u32, &v.to_le_bytes());
    }
    r.run(1);
    assert_eq!(
        (r.cpu.eip, r.cpu.cpl(), r.cpu.reg(Reg::Esp)),
        (0x2000, 3, 0x7000)
    );
    assert_eq!(r.cpu.seg.ss, selector::USER_DATA);
    assert_eq!(r.cpu.eflags, RESERVED1 | IF | CF);

    // Same level (ring 0 → ring 0): only three words popped.
    let mut r = Rig::new(&[0xcf]);
    let frame = [0x3000, u32::from(selector::KERNEL_CODE), 0];
    for (k, v) in frame.iter().enumerate() {
        r.bus.load(STACK_TOP + 4 * k as u32, &v.to_le_bytes());
    }
    assert_eq!(r.step().unwrap().effect, Effect::Iret, "the CPU reports it");
    assert_eq!((r.cpu.eip, r.cpu.reg(Reg::Esp)), (0x3000, STACK_TOP + 12));
    assert_eq!(r.cpu.eflags, RESERVED1);

    // A bad SS on the outer-level frame is #GP(ss) with nothing changed.
    let mut r = Rig::new(&[0xcf]);
    let frame = [0x2000, u32::from(selector::USER_CODE), 0, 0x7000, 0x28];
    for (k, v) in frame.iter().enumerate() {
        r.bus.load(STACK_TOP + 4 * k as u32, &v.to_le_bytes());
    }
    r.expect_fault(Exception::GeneralProtection(0x28));
}

#[test]
fn outside_the_subset_is_invalid_opcode() {
    for code in [
        &[0x0f, 0x0b][..],
        &[0xa4],
        &[0xf0, 0x01, 0xc0],
        &[0x0f, 0xa2],
    ] {
        // ud2, movsb, lock add reg,reg, cpuid
        Rig::new(code).expect_fault(Exception::InvalidOpcode);
    }
}
