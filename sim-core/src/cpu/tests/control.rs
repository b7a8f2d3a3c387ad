//! jmp/jcc/call/ret/loop and cycle costs of branches.

use super::{Rig, CODE, DATA, STACK_TOP};
use crate::bus::Size;
use crate::cpu::flags::*;
use crate::cpu::Reg;

#[test]
fn relative_and_indirect_jumps() {
    // 0: jmp +0 ; 2: jne 2 (self) ; 4: jmp *%eax ; 6: jmp *(%esi)
    let mut r = Rig::new(&[0xeb, 0x00, 0x75, 0xfe, 0xff, 0xe0, 0xff, 0x26]);
    let first = r.step().unwrap();
    assert_eq!((r.cpu.eip, first.cycles, first.len), (CODE + 2, 2, 2));
    r.cpu.eflags |= ZF;
    let not_taken = r.step().unwrap();
    assert_eq!((r.cpu.eip, not_taken.cycles), (CODE + 4, 1));
    r.cpu.gpr[0] = CODE + 6;
    r.run(1);
    assert_eq!(r.cpu.eip, CODE + 6);
    r.cpu.gpr[6] = DATA;
    r.bus.load(DATA, &0x1234u32.to_le_bytes());
    r.run(1);
    assert_eq!(r.cpu.eip, 0x1234);

    let mut r = Rig::new(&[0x75, 0xfe]); // jne . (taken)
    let taken = r.step().unwrap();
    assert_eq!((r.cpu.eip, taken.cycles), (CODE, 2));
}

#[test]
fn call_and_ret_forms() {
    // 0: call 5 ; 5: call *%ebx ; 7: ret ; 8: ret $8
    let mut r = Rig::new(&[
        0xe8, 0x00, 0x00, 0x00, 0x00, 0xff, 0xd3, 0xc3, 0xc2, 0x08, 0x00,
    ]);
    r.run(1);
    assert_eq!(r.cpu.eip, CODE + 5);
    assert_eq!(r.bus.peek(STACK_TOP - 4, Size::Dword), CODE + 5);
    r.cpu.gpr[3] = CODE + 8;
    r.run(1);
    assert_eq!(r.cpu.eip, CODE + 8);
    assert_eq!(r.bus.peek(STACK_TOP - 8, Size::Dword), CODE + 7);
    r.run(1); // ret $8 → back to 7, ESP = top - 4 + 8
    assert_eq!((r.cpu.eip, r.cpu.reg(Reg::Esp)), (CODE + 7, STACK_TOP + 4));
    r.cpu.gpr[4] = STACK_TOP - 4;
    r.run(1); // ret → 5
    assert_eq!((r.cpu.eip, r.cpu.reg(Reg::Esp)), (CODE + 5, STACK_TOP));
}

#[test]
fn loop_counts_ecx_down() {
    // 0: inc %eax ; 1: loop 0
    let mut r = Rig::new(&[0x40, 0xe2, 0xfd]);
    r.cpu.gpr[1] = 3;
    r.run(6);
    assert_eq!((r.cpu.reg(Reg::Eax), r.cpu.reg(Reg::Ecx)), (3, 0));
    assert_eq!(r.cpu.eip, CODE + 3);
}

#[test]
fn jecxz_and_loope() {
    // 0: jecxz +0 (to 2) ; 2: loope -4 (to 0)
    let mut r = Rig::new(&[0xe3, 0x00, 0xe1, 0xfc]);
    r.cpu.gpr[1] = 2;
    r.run(2);
    assert_eq!((r.cpu.eip, r.cpu.reg(Reg::Ecx)), (CODE + 4, 1), "ZF clear");
    let mut r = Rig::new(&[0xe3, 0x00, 0xe1, 0xfc]);
    r.cpu.gpr[1] = 2;
    r.cpu.eflags |= ZF;
    r.run(2);
    assert_eq!(r.cpu.eip, CODE);
}

#[test]
fn decode_cache_hits_in_loops_and_flushes_on_writes() {
    let mut r = Rig::new(&[0x40, 0xe2, 0xfd]); // inc %eax ; loop
    r.cpu.gpr[1] = 100;
    r.run(200);
    let (hits, misses) = r.cache.stats();
    assert_eq!((hits, misses), (198, 2));
    // Self-modifying code: overwrite `inc %eax` with `dec %eax`; the bus epoch
    // changes, so the new instruction is decoded.
    r.cpu.eip = CODE;
    r.cpu.gpr[1] = 1;
    r.cpu.gpr[0] = 10;
    r.bus.mem[CODE as usize] = 0x48;
    r.bus.epoch = Some(99);
    r.run(1);
    assert_eq!(r.cpu.reg(Reg::Eax), 9);
}
