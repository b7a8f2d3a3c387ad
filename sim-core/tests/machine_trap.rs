//! Trap delivery through the machine: gates, stacks, error codes, IRQs,
//! double and triple faults.

mod machine_support;

use machine_support::*;
use sim_core::cpu::{flags, selector};
use sim_core::event::EventKind;
use sim_core::machine::{StopReason, TraceMode};
use sim_core::trap::{Exception, Gate, TrapKind};

#[test]
fn int_from_ring3_switches_to_the_tss_stack_and_iret_returns() {
    let mut m = machine();
    set_gate(&mut m, 64, Gate::trap(HANDLER, 3));
    m.load(HANDLER, &[IRET]);
    m.load(USER_CODE, &[0xcd, 0x40, 0xeb, 0xfe]); // int $0x40; jmp .
    enter_user(m.cpu_mut(), USER_CODE, true);
    m.set_mode(TraceMode::Traced);

    let events = step_instruction(&mut m);
    let cpu = m.cpu();
    assert_eq!(cpu.eip, HANDLER);
    assert_eq!(cpu.seg.cs, selector::KERNEL_CODE);
    assert_eq!(cpu.seg.ss, selector::KERNEL_DATA);
    assert_eq!(cpu.gpr[4], KSTACK_TOP - 20);
    assert!(cpu.flag(flags::IF), "a trap gate leaves IF set");
    // EIP (after the int), CS, EFLAGS, old ESP, old SS.
    assert_eq!(stack(&m, 5), [USER_CODE + 2, 0x1b, 0x202, USTACK_TOP, 0x23]);
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::TrapDelivered(info) if info.vector == 64 && info.kind == TrapKind::SoftInt
            && info.from_cpl == 3 && info.to_cpl == 0
            && info.frame == [USER_CODE + 2, 0x1b, 0x202, USTACK_TOP, 0x23]
    )));
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::ModeSwitch {
            from_cpl: 3,
            to_cpl: 0,
            ..
        }
    )));

    let events = step_instruction(&mut m);
    let cpu = m.cpu();
    assert_eq!(
        (cpu.eip, cpu.seg.cs, cpu.gpr[4]),
        (USER_CODE + 2, 0x1b, USTACK_TOP)
    );
    assert_eq!(cpu.seg.ss, 0x23);
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Iret {
            from_cpl: 0,
            to_cpl: 3,
            ..
        }
    )));
}

#[test]
fn int_to_a_kernel_only_gate_from_ring3_is_a_general_protection_fault() {
    let mut m = machine();
    set_gate(&mut m, 64, Gate::interrupt(HANDLER, 0));
    set_gate(&mut m, 13, Gate::interrupt(HANDLER + 0x100, 0));
    m.load(USER_CODE, &[0xcd, 0x40]);
    enter_user(m.cpu_mut(), USER_CODE, true);
    step_instruction(&mut m);
    let cpu = m.cpu();
    assert_eq!(cpu.eip, HANDLER + 0x100, "delivered through vector 13");
    assert!(!cpu.flag(flags::IF), "interrupt gate clears IF");
    // Error code 64*8+2 (IDT bit, EXT clear for int n); EIP of the int itself:
    // #GP is a fault, so the pushed EFLAGS has RF set (SDM 18.3.1.1).
    assert_eq!(
        stack(&m, 6),
        [64 * 8 + 2, USER_CODE, 0x1b, 0x1_0202, USTACK_TOP, 0x23]
    );
}

#[test]
fn gate_outside_the_idt_limit_or_absent() {
    let mut m = machine();
    m.cpu_mut().idtr.limit = 14 * 8 - 1; // vectors 0..13
    set_gate(&mut m, 13, Gate::interrupt(HANDLER, 3));
    m.load(USER_CODE, &[0xcd, 0x20]); // int $0x20, beyond the limit
    enter_user(m.cpu_mut(), USER_CODE, false);
    step_instruction(&mut m);
    assert_eq!(m.cpu().eip, HANDLER);
    assert_eq!(stack(&m, 1), [0x20 * 8 + 2]);

    let mut m = machine();
    set_gate(&mut m, 11, Gate::interrupt(HANDLER, 0));
    set_gate(
        &mut m,
        0x30,
        Gate {
            present: false,
            ..Gate::interrupt(0x4444, 3)
        },
    );
    m.load(USER_CODE, &[0xcd, 0x30]);
    enter_user(m.cpu_mut(), USER_CODE, false);
    step_instruction(&mut m);
    assert_eq!(m.cpu().eip, HANDLER, "#NP through vector 11");
    assert_eq!(stack(&m, 1), [0x30 * 8 + 2]);
}

#[test]
fn divide_error_is_delivered_without_error_code_at_the_faulting_instruction() {
    let mut m = machine();
    set_gate(&mut m, 0, Gate::interrupt(HANDLER, 0));
    // xor %ecx,%ecx ; div %ecx
    m.load(0x5000, &[0x31, 0xc9, 0xf7, 0xf1]);
    m.cpu_mut().eip = 0x5000;
    m.set_mode(TraceMode::Traced);
    step_instruction(&mut m);
    let events = step_instruction(&mut m);
    assert_eq!(m.cpu().eip, HANDLER);
    // Same privilege: no stack switch, EIP, CS, EFLAGS only.
    assert_eq!(m.cpu().gpr[4], KSTACK_TOP - 12);
    assert_eq!(stack(&m, 2), [0x5002, u32::from(selector::KERNEL_CODE)]);
    assert!(events.iter().any(|e| matches!(
        e.kind,
        EventKind::Fault {
            exception: Exception::DivideError,
            eip: 0x5002
        }
    )));
}

#[test]
fn timer_interrupts_every_interval_only_with_if_set() {
    for interrupts in [true, false] {
        let mut m = machine();
        set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
        m.load(HANDLER, &counting_handler());
        m.load(0x5000, &SPIN);
        m.cpu_mut().eip = 0x5000;
        m.cpu_mut().set_flag(flags::IF, interrupts);
        m.devices_mut().timer.set_interval(1000);
        assert_eq!(m.run(10_500), StopReason::CycleLimit);
        let expected = if interrupts { 10 } else { 0 };
        assert_eq!(m.mem().read_u32(COUNTER), expected, "IF = {interrupts}");
    }
}

#[test]
fn timer_is_programmed_through_its_port_and_wakes_hlt() {
    let mut m = machine();
    set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &counting_handler());
    let mut code = mov_eax(500);
    code.extend([0xe7, 0x40, STI, HLT, 0xeb, 0xfd]); // out %eax,$0x40; sti; 1: hlt; jmp 1b
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    m.run(5_100);
    assert_eq!(m.devices().timer.interval(), 500);
    assert_eq!(m.mem().read_u32(COUNTER), 10);
}

#[test]
fn disk_completes_after_its_latency_and_raises_irq14() {
    let mut m = machine();
    set_gate(&mut m, 46, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &counting_handler());
    m.devices_mut().disk.set_latency(300);
    m.devices_mut().disk.set_block(3, b"block three");
    let mut code = Vec::new();
    code.extend(mov_dx(0x1f0));
    code.extend(mov_eax(3));
    code.push(0xef); // out %eax,(%dx)
    code.extend(mov_dx(0x1f4));
    code.extend(mov_eax(0x7000));
    code.push(0xef);
    code.extend(mov_dx(0x1f7));
    code.extend([0xb0, 0x01, 0xee]); // mov $1,%al; out %al,(%dx)
    code.extend([STI, HLT]);
    code.extend(SPIN);
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    m.set_mode(TraceMode::Traced);
    let mut command_cycle = None;
    let mut irq_cycle = None;
    for _ in 0..1000 {
        for e in m.step() {
            match e.kind {
                EventKind::PortOut { port: 0x1f7, .. } => command_cycle = Some(e.cycle),
                EventKind::DeviceIrq { irq: 14 } => irq_cycle = Some(e.cycle),
                _ => {}
            }
        }
    }
    let (Some(c), Some(i)) = (command_cycle, irq_cycle) else {
        panic!("no disk command or IRQ seen");
    };
    assert_eq!(i - c, 300);
    assert_eq!(m.mem().read_u32(COUNTER), 1);
    let mut buf = [0u8; 11];
    m.mem().read_bytes(0x7000, &mut buf);
    assert_eq!(&buf, b"block three");
}

#[test]
fn fault_while_delivering_a_page_fault_is_a_double_fault_then_triple() {
    let mut m = machine();
    // Paging on with an empty page directory: the fetch faults (#PF), the IDT
    // read faults again (#PF during #PF → #DF), and so does #DF's: triple.
    m.cpu_mut().cr3 = 0x20_0000;
    m.cpu_mut().cr0 |= sim_core::cpu::cr0::PG;
    m.cpu_mut().eip = 0x5000;
    m.set_mode(TraceMode::Traced);
    let events = m.step().to_vec();
    assert_eq!(m.stopped(), Some(StopReason::TripleFault));
    // The last fault was reading the #DF gate.
    assert_eq!(
        m.cpu().cr2,
        IDT + 8 * 8,
        "CR2 holds the last page-fault address"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e.kind, EventKind::TripleFault { .. })));
    assert_eq!(m.run(100), StopReason::TripleFault);
    let cycle = m.cycle();
    m.step();
    assert_eq!(m.cycle(), cycle, "a stopped machine does not advance");
}

#[test]
fn contributory_fault_during_delivery_goes_through_vector_8() {
    let mut m = machine();
    set_gate(&mut m, 8, Gate::interrupt(HANDLER, 0));
    // #DE with vector 0 absent → #NP while delivering a contributory fault → #DF.
    m.load(0x5000, &[0x31, 0xc9, 0xf7, 0xf1]);
    m.cpu_mut().eip = 0x5000;
    step_instruction(&mut m);
    step_instruction(&mut m);
    assert_eq!(m.cpu().eip, HANDLER);
    assert_eq!(stack(&m, 2), [0, 0x5002], "#DF pushes error code 0");
    // Without a #DF gate it is a triple fault.
    let mut m = machine();
    m.load(0x5000, &[0x31, 0xc9, 0xf7, 0xf1]);
    m.cpu_mut().eip = 0x5000;
    assert_eq!(m.run(1000), StopReason::TripleFault);
}
