//! Traced and fast execution reach identical states; execution is
//! deterministic; snapshots (clones) are independent.

mod machine_support;

use machine_support::*;
use sim_core::event::Event;
use sim_core::machine::{Machine, StopReason, TraceMode};
use sim_core::trap::Gate;

/// A kernel with a timer handler counting ticks, a syscall gate and a user
/// program that loops storing to memory and making system calls.
fn workload() -> Machine {
    let mut m = machine();
    set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
    set_gate(&mut m, 64, Gate::trap(HANDLER + 0x10, 3));
    m.load(HANDLER, &counting_handler());
    // Syscall: add %eax,%ebx ; iret
    m.load(HANDLER + 0x10, &[0x01, 0xc3, IRET]);
    // User: 1: inc %eax; mov %eax,0x7000(,%eax,4)... keep it simple:
    //   inc %eax ; mov %eax,(%esi) ; add $4,%esi ; and $0x7fff,%esi ; int $0x40 ; jmp 1b
    let code = [
        0x40, // inc %eax
        0x89, 0x06, // mov %eax,(%esi)
        0x83, 0xc6, 0x04, // add $4,%esi
        0x81, 0xe6, 0xff, 0x0f, 0x00, 0x00, // and $0xfff,%esi
        0x81, 0xce, 0x00, 0x70, 0x00, 0x00, // or $0x7000,%esi
        0xcd, 0x40, // int $0x40
        0xeb, 0xea, // jmp 1b
    ];
    m.load(USER_CODE, &code);
    enter_user(m.cpu_mut(), USER_CODE, true);
    m.cpu_mut().gpr[6] = 0x7000;
    m.devices_mut().timer.set_interval(97);
    m
}

fn assert_same_state(a: &Machine, b: &Machine) {
    assert_eq!(a.cycle(), b.cycle());
    assert_eq!(a.cpu(), b.cpu());
    assert_eq!(a.mem(), b.mem());
    assert_eq!(a.devices(), b.devices());
    assert_eq!(a.instructions(), b.instructions());
    assert_eq!(a.busy_cycles(), b.busy_cycles());
}

const CYCLES: u64 = 20_000;

fn traced_events(m: &mut Machine) -> Vec<Event> {
    m.set_mode(TraceMode::Traced);
    let mut all = Vec::new();
    for _ in 0..CYCLES {
        all.extend_from_slice(m.step());
    }
    all
}

#[test]
fn traced_stepping_fast_stepping_and_run_agree() {
    let mut traced = workload();
    let events = traced_events(&mut traced);
    assert!(events.len() > 1000);
    let mut fast = workload();
    for _ in 0..CYCLES {
        assert!(fast.step().is_empty(), "fast mode records nothing");
    }
    let mut run = workload();
    assert_eq!(run.run(CYCLES), StopReason::CycleLimit);
    assert_same_state(&traced, &fast);
    assert_same_state(&traced, &run);
    assert!(traced.mem().read_u32(COUNTER) > 100, "the timer fired");
}

#[test]
fn same_program_twice_gives_the_same_event_stream() {
    let (mut a, mut b) = (workload(), workload());
    assert_eq!(traced_events(&mut a), traced_events(&mut b));
}

#[test]
fn run_in_chunks_equals_one_run() {
    let mut one = workload();
    one.run(CYCLES);
    let mut chunks = workload();
    let mut done = 0;
    for n in [1, 7, 100, 3333, 50] {
        chunks.run(n);
        done += n;
    }
    chunks.run(CYCLES - done);
    assert_same_state(&one, &chunks);
}

#[test]
fn clones_are_independent_snapshots() {
    let mut m = workload();
    m.run(5_000);
    let snapshot = m.clone();
    let mut replay = m.clone();
    m.run(5_000);
    assert_ne!(m.cpu(), snapshot.cpu());
    replay.run(5_000);
    assert_same_state(&m, &replay);
    assert_eq!(snapshot.cycle(), 5_000);
}

#[test]
fn breakpoints_stop_before_the_instruction_and_resume() {
    let mut m = workload();
    m.set_breakpoints(&[HANDLER + 0x10]);
    assert_eq!(m.run(CYCLES), StopReason::Breakpoint(HANDLER + 0x10));
    assert_eq!(m.cpu().eip, HANDLER + 0x10);
    let first = m.instructions();
    assert_eq!(m.run(CYCLES), StopReason::Breakpoint(HANDLER + 0x10));
    assert!(m.instructions() > first);
}

#[test]
fn hlt_with_interrupts_off_halts_forever() {
    let mut m = machine();
    m.load(0x5000, &[HLT]);
    m.cpu_mut().eip = 0x5000;
    assert_eq!(m.run(1_000), StopReason::HaltedForever);
    assert!(m.cpu().halted);
}
