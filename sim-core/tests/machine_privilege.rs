//! Every privileged instruction in ring 3 raises #GP, delivered through
//! vector 13 with the CPU back in ring 0 and EIP saved at the instruction
//! (Intel SDM vol. 3, 5.9: privileged instructions; IOPL = 0 for I/O and IF).

mod machine_support;

use machine_support::*;
use sim_core::cpu::{flags, selector};
use sim_core::event::EventKind;
use sim_core::machine::TraceMode;
use sim_core::trap::{Exception, Gate};

fn assert_gp_in_ring3(name: &str, code: &[u8], setup: impl Fn(&mut sim_core::machine::Machine)) {
    let mut m = machine();
    set_gate(&mut m, 13, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &SPIN);
    m.load(USER_CODE, code);
    enter_user(m.cpu_mut(), USER_CODE, false);
    setup(&mut m);
    m.set_mode(TraceMode::Traced);
    let before = m.cpu().clone();
    let events = step_instruction(&mut m);
    assert!(
        events.iter().any(|e| matches!(
            e.kind,
            EventKind::Fault {
                exception: Exception::GeneralProtection(_),
                ..
            }
        )),
        "{name}: no #GP in {events:?}"
    );
    let cpu = m.cpu();
    assert_eq!(cpu.eip, HANDLER, "{name}: not delivered through vector 13");
    assert_eq!(cpu.seg.cs, selector::KERNEL_CODE, "{name}");
    // Frame: error code, EIP of the faulting instruction, CS, EFLAGS (with
    // RF, as a fault pushes it), ESP, SS.
    let frame = stack(&m, 6);
    assert_eq!(
        frame[1..],
        [
            USER_CODE,
            0x1b,
            before.eflags | flags::RF,
            before.gpr[4],
            0x23
        ],
        "{name}"
    );
    assert_eq!(cpu.idtr, before.idtr, "{name}: had an effect");
    assert_eq!(
        (cpu.cr0, cpu.cr3),
        (before.cr0, before.cr3),
        "{name}: had an effect"
    );
    assert_eq!(m.devices().timer.interval(), 0, "{name}: had an effect");
}

#[test]
fn cli_sti_hlt() {
    assert_gp_in_ring3("cli", &[CLI], |_| {});
    assert_gp_in_ring3("sti", &[STI], |_| {});
    assert_gp_in_ring3("hlt", &[HLT], |_| {});
}

#[test]
fn port_io() {
    assert_gp_in_ring3("in", &[0xe5, 0x40], |_| {}); // in $0x40,%eax
    assert_gp_in_ring3("out", &[0xe7, 0x40], |m| m.cpu_mut().gpr[0] = 5); // out %eax,$0x40
    assert_gp_in_ring3("outb (%dx)", &[0xee], |m| m.cpu_mut().gpr[2] = 0x3f8);
}

#[test]
fn system_registers() {
    assert_gp_in_ring3("lidt", &[0x0f, 0x01, 0x18], |m| m.cpu_mut().gpr[0] = 0x4000);
    assert_gp_in_ring3("mov to cr3", &[0x0f, 0x22, 0xd8], |m| {
        m.cpu_mut().gpr[0] = 0x4000
    });
    assert_gp_in_ring3("mov to cr0", &[0x0f, 0x22, 0xc0], |_| {});
}

#[test]
fn iret_to_ring0() {
    // A forged frame asking iret to "return" into the kernel.
    assert_gp_in_ring3("iret to ring 0", &[IRET], |m| {
        let sp = USTACK_TOP - 12;
        m.cpu_mut().gpr[4] = sp;
        m.mem_mut().write_u32(sp, 0x4000);
        m.mem_mut()
            .write_u32(sp + 4, u32::from(selector::KERNEL_CODE));
        m.mem_mut().write_u32(sp + 8, 0x202);
    });
}
