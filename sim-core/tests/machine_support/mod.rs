//! Shared set-up for the machine integration tests: hand-encoded machine code
//! (so these tests do not depend on the assembler) and small address spaces.
#![allow(dead_code)]

use sim_core::cpu::{flags, selector, Cpu, TableReg};
use sim_core::event::Event;
use sim_core::machine::Machine;
use sim_core::trap::{write_gate, Gate};

pub const IDT: u32 = 0x1000;
/// xv6's GDT, with the TSS 0x100 bytes above it.
pub const GDT: u32 = 0x0c00;
pub const USER_CODE: u32 = 0x2000;
pub const HANDLER: u32 = 0x3000;
pub const KSTACK_TOP: u32 = 0x9000;
pub const USTACK_TOP: u32 = 0x8000;
/// A counter the interrupt handlers increment.
pub const COUNTER: u32 = 0x6000;

pub const IRET: u8 = 0xcf;
pub const HLT: u8 = 0xf4;
pub const NOP: u8 = 0x90;
pub const STI: u8 = 0xfb;
pub const CLI: u8 = 0xfa;
/// `jmp .`
pub const SPIN: [u8; 2] = [0xeb, 0xfe];

/// `incl COUNTER; iret`
pub fn counting_handler() -> Vec<u8> {
    let mut v = vec![0xff, 0x05];
    v.extend(COUNTER.to_le_bytes());
    v.push(IRET);
    v
}

/// `mov $imm, %eax`
pub fn mov_eax(imm: u32) -> Vec<u8> {
    let mut v = vec![0xb8];
    v.extend(imm.to_le_bytes());
    v
}

/// `mov $imm16, %dx`
pub fn mov_dx(imm: u16) -> Vec<u8> {
    let mut v = vec![0x66, 0xba];
    v.extend(imm.to_le_bytes());
    v
}

/// A machine with a full IDT at [`IDT`] (limit 0x7ff) whose every gate is
/// absent, kernel stack via the TSS, paging off, ring 0, IF = 0.
pub fn machine() -> Machine {
    let mut m = Machine::new();
    m.install_flat_segments(GDT, GDT, KSTACK_TOP)
        .expect("xv6's GDT and TSS load");
    let cpu = m.cpu_mut();
    cpu.idtr = TableReg {
        base: IDT,
        limit: 256 * 8 - 1,
    };
    cpu.gpr[4] = KSTACK_TOP;
    m
}

pub fn set_gate(m: &mut Machine, vector: u8, gate: Gate) {
    write_gate(m.mem_mut(), IDT, vector, gate);
}

/// Puts the CPU in ring 3 at `eip` with the user stack, IF as given.
pub fn enter_user(cpu: &mut Cpu, eip: u32, interrupts: bool) {
    cpu.seg.cs = selector::USER_CODE;
    cpu.seg.ss = selector::USER_DATA;
    cpu.seg.ds = selector::USER_DATA;
    cpu.seg.es = selector::USER_DATA;
    cpu.data_dpl = [3, 3, 0, 0];
    cpu.eip = eip;
    cpu.gpr[4] = USTACK_TOP;
    cpu.set_flag(flags::IF, interrupts);
}

/// The dwords at ESP upwards.
pub fn stack(m: &Machine, n: u32) -> Vec<u32> {
    let esp = m.cpu().gpr[4];
    (0..n).map(|i| m.mem().read_u32(esp + 4 * i)).collect()
}

/// Steps cycles until the CPU has done one unit of work (an instruction or a
/// trap delivery) and finished its busy cycles; returns all the events. A
/// halted CPU waits for an interrupt for at most `1 << 20` cycles.
pub fn step_instruction(m: &mut Machine) -> Vec<Event> {
    let mut events = Vec::new();
    let start = m.retired_or_delivered();
    for _ in 0..1u32 << 20 {
        events.extend_from_slice(m.step());
        let worked = m.retired_or_delivered() != start;
        let frozen = m.stopped().is_some() || m.halted_forever();
        if (worked || frozen) && m.busy_cycles() == 0 {
            break;
        }
        if frozen {
            break;
        }
    }
    events
}
