//! mov/movzx/movsx/lea/xchg, accumulator extensions, setcc/cmovcc, the stack.

use super::{Rig, DATA, STACK_TOP};
use crate::bus::Size;
use crate::cpu::flags::*;
use crate::cpu::Reg;
use crate::trap::Exception;

#[test]
fn moves_extensions_and_lea() {
    let mut r = Rig::new(&[
        0xa1, 0x00, 0x40, 0x00, 0x00, // mov 0x4000,%eax
        0xa2, 0x04, 0x40, 0x00, 0x00, // mov %al,0x4004
        0x0f, 0xb6, 0x0e, // movzbl (%esi),%ecx
        0x0f, 0xbf, 0xda, // movswl %dx,%ebx
        0x66, 0x0f, 0xbe, 0xf8, // movsbw %al,%di
        0x8d, 0x54, 0x8e, 0x08, // lea 0x8(%esi,%ecx,4),%edx
    ]);
    r.bus.load(DATA, &0x8182_83f4u32.to_le_bytes());
    r.cpu.gpr[6] = DATA;
    r.cpu.gpr[2] = 0x8000;
    r.cpu.gpr[7] = 0xdead_beef;
    r.run(6);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x8182_83f4);
    assert_eq!(r.bus.peek(DATA + 4, Size::Byte), 0xf4);
    assert_eq!(r.cpu.reg(Reg::Ecx), 0xf4);
    assert_eq!(r.cpu.reg(Reg::Ebx), 0xffff_8000);
    assert_eq!(r.cpu.reg(Reg::Edi), 0xdead_fff4);
    assert_eq!(r.cpu.reg(Reg::Edx), DATA + 8 + 4 * 0xf4);
}

#[test]
fn xchg_and_conversions() {
    let mut r = Rig::new(&[
        0x87, 0x06, // xchg %eax,(%esi)
        0x86, 0xdf, // xchg %bl,%bh
        0x99, // cltd
        0x98, // cwtl
        0x66, 0x98, // cbtw
        0x66, 0x99, // cwtd
    ]);
    r.cpu.gpr[0] = 0x8000_0001;
    r.cpu.gpr[3] = 0x1234;
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &0x0000_8080u32.to_le_bytes());
    r.run(2);
    assert_eq!(r.bus.peek(DATA, Size::Dword), 0x8000_0001);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x8080);
    assert_eq!(r.cpu.reg(Reg::Ebx), 0x3412);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Edx), 0);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0xffff_8080);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0xffff_ff80);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Edx), 0x0000_ffff);
}

#[test]
fn setcc_and_cmovcc() {
    let mut r = Rig::new(&[
        0x0f, 0x94, 0xc0, // sete %al
        0x0f, 0x9f, 0x06, // setg (%esi)
        0x0f, 0x45, 0xc3, // cmovne %ebx,%eax
        0x66, 0x0f, 0x4c, 0x0e, // cmovl (%esi),%cx
    ]);
    r.cpu.eflags |= ZF | SF;
    r.cpu.gpr[0] = 0x100;
    r.cpu.gpr[3] = 7;
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &[0xaa, 0xbb]);
    r.run(2);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x101);
    assert_eq!(r.bus.peek(DATA, Size::Word), 0xbb00);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0x101, "ZF set: cmovne does not move");
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Ecx), 0xbb00, "SF != OF: cmovl moves");
}

#[test]
fn push_pop_forms() {
    let mut r = Rig::new(&[
        0x50, // push %eax
        0xff, 0x36, // push (%esi)
        0x6a, 0xfe, // push $-2
        0x66, 0x68, 0x34, 0x12, // pushw $0x1234
        0x66, 0x5b, // pop %bx
        0x8f, 0x44, 0x24, 0x04, // pop 0x4(%esp)
        0x54, // push %esp
        0x5c, // pop %esp
    ]);
    r.cpu.gpr[0] = 0x1111_1111;
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &0x2222_2222u32.to_le_bytes());
    r.run(4);
    assert_eq!(r.cpu.reg(Reg::Esp), STACK_TOP - 14);
    assert_eq!(r.bus.peek(STACK_TOP - 14, Size::Word), 0x1234);
    assert_eq!(r.bus.peek(STACK_TOP - 12, Size::Dword), 0xffff_fffe);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Ebx) & 0xffff, 0x1234);
    // pop 4(%esp): the address uses ESP after the pop, so the value lands on the
    // slot holding 0x11111111.
    r.run(1);
    assert_eq!(r.bus.peek(STACK_TOP - 4, Size::Dword), 0xffff_fffe);
    assert_eq!(r.cpu.reg(Reg::Esp), STACK_TOP - 8);
    r.run(2);
    assert_eq!(r.cpu.reg(Reg::Esp), STACK_TOP - 8);
}

#[test]
fn pushal_popal_pushf_popf_leave() {
    let mut r = Rig::new(&[
        0x60, // pusha
        0x61, // popa
        0x9c, // pushf
        0x9d, // popf
        0xc9, // leave
    ]);
    for (k, g) in r.cpu.gpr.iter_mut().enumerate() {
        if k != 4 {
            *g = 0x100 * k as u32;
        }
    }
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Esp), STACK_TOP - 32);
    assert_eq!(r.bus.peek(STACK_TOP - 4, Size::Dword), 0, "EAX first");
    assert_eq!(r.bus.peek(STACK_TOP - 20, Size::Dword), STACK_TOP);
    r.bus.load(STACK_TOP - 20, &[0; 4]); // the saved ESP is ignored by popa
    r.cpu.gpr[0] = 0xffff;
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 0);
    assert_eq!(r.cpu.reg(Reg::Esp), STACK_TOP);
    r.cpu.eflags = RESERVED1 | CF | DF;
    r.run(1);
    assert_eq!(r.bus.peek(STACK_TOP - 4, Size::Dword), RESERVED1 | CF | DF);
    r.bus.load(STACK_TOP - 4, &0xffff_ffffu32.to_le_bytes());
    r.run(1);
    assert_eq!(
        r.cpu.eflags,
        MODELED | RESERVED1,
        "popf sets only modelled bits"
    );
    r.cpu.gpr[5] = DATA;
    r.bus.load(DATA, &0x1234_5678u32.to_le_bytes());
    r.run(1);
    assert_eq!(
        (r.cpu.reg(Reg::Ebp), r.cpu.reg(Reg::Esp)),
        (0x1234_5678, DATA + 4)
    );
}

#[test]
fn popf_in_ring3_keeps_if() {
    let mut r = Rig::new(&[0x9d]).user(); // popf
    r.bus.load(STACK_TOP, &(RESERVED1 | CF).to_le_bytes());
    r.run(1);
    assert_eq!(r.cpu.eflags, RESERVED1 | CF | IF);
}

#[test]
fn faulting_push_and_pushal_change_nothing() {
    let mut r = Rig::new(&[0x60]); // pusha
    r.bus.read_only = STACK_TOP - 32..STACK_TOP - 28; // the last slot (EDI)
    r.expect_fault(Exception::PageFault {
        addr: STACK_TOP - 32,
        code: crate::trap::pf::P | crate::trap::pf::W,
    });
    let mut r = Rig::new(&[0x50]); // push %eax
    r.cpu.gpr[4] = 0x2_0000;
    r.expect_fault(Exception::PageFault {
        addr: 0x1_fffc,
        code: crate::trap::pf::W,
    });
}
