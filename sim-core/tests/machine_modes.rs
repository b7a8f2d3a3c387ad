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

/// A kernel loop polling the disk (port I/O, DMA) while the timer interrupts.
fn disk_workload() -> Machine {
    let mut m = machine();
    set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
    set_gate(&mut m, 46, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &counting_handler());
    let code = [
        0x66, 0xba, 0xf0, 0x01, // 1: mov $0x1f0,%dx
        0x89, 0xc8, // mov %ecx,%eax
        0xef, // out %eax,(%dx)
        0x66, 0xba, 0xf4, 0x01, // mov $0x1f4,%dx
        0xb8, 0x00, 0x70, 0x00, 0x00, // mov $0x7000,%eax
        0xef, // out %eax,(%dx)
        0x66, 0xba, 0xf7, 0x01, // mov $0x1f7,%dx
        0xb0, 0x01, // mov $1,%al
        0xee, // out %al,(%dx)
        0xec, // 2: in (%dx),%al
        0xa8, 0x01, // test $1,%al
        0x75, 0xfb, // jnz 2b
        0x41, // inc %ecx
        0xeb, 0xe0, // jmp 1b
    ];
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    m.cpu_mut().set_flag(sim_core::cpu::flags::IF, true);
    for block in 0..64u32 {
        m.devices_mut()
            .disk
            .set_block(block, &block.to_le_bytes().repeat(128));
    }
    m.devices_mut().disk.set_latency(37);
    m.devices_mut().timer.set_interval(101);
    m
}

#[test]
fn devices_agree_between_stepping_and_running() {
    let mut traced = disk_workload();
    traced_events(&mut traced);
    let mut run = disk_workload();
    for n in [1, 2, 1000, 17, CYCLES - 1020] {
        run.run(n);
    }
    assert_same_state(&traced, &run);
    assert!(traced.cpu().gpr[1] > 50, "many disk requests completed");
    assert!(
        traced.mem().read_u32(COUNTER) > 100,
        "interrupts were taken"
    );
}

#[test]
fn idle_hlt_loop_agrees_between_stepping_and_running() {
    let build = || {
        let mut m = machine();
        set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
        set_gate(&mut m, 46, Gate::interrupt(HANDLER, 0));
        m.load(HANDLER, &counting_handler());
        m.load(0x5000, &[STI, HLT, 0xeb, 0xfd]); // sti; 1: hlt; jmp 1b
        m.cpu_mut().eip = 0x5000;
        m.devices_mut().timer.set_interval(313);
        m.devices_mut().disk.set_latency(1234);
        m.devices_mut().disk.command(sim_core::dev::disk::CMD_READ);
        m
    };
    let mut traced = build();
    traced_events(&mut traced);
    let mut run = build();
    for n in [5, 300, 7, 4000, CYCLES - 4312] {
        run.run(n);
    }
    assert_same_state(&traced, &run);
    assert_eq!(
        run.mem().read_u32(COUNTER),
        63 + 1,
        "63 ticks and one disk IRQ"
    );
}

/// Drives `m` for `CYCLES` cycles with `run_traced` (in slices of `slice`
/// cycles, stopping at `stop_at`), stepping wherever it cannot advance, and
/// returns the events as traced stepping without memory accesses stamps them.
fn marked_events(m: &mut Machine, slice: u64, stop_at: u32) -> Vec<Event> {
    use sim_core::event::EventKind;
    m.set_mode(TraceMode::Traced);
    m.set_memory_tracing(false);
    let mut all = Vec::new();
    while m.cycle() < CYCLES {
        let before = m.cycle();
        let mut marks = Vec::new();
        let stops: &[u32] = if stop_at == u32::MAX { &[] } else { &[stop_at] };
        let (_, events) = m.run_traced(slice.min(CYCLES - before), stops, |cycle, r| {
            marks.push(Event {
                cycle: cycle + 1,
                kind: EventKind::InstructionRetired {
                    eip: r.eip,
                    len: r.len,
                    cycles: r.cycles,
                },
            });
        });
        let events = events.to_vec();
        all.extend(marks);
        all.extend(events);
        if m.cycle() == before {
            all.extend_from_slice(m.step());
        }
    }
    all
}

fn unmarked_events(m: &mut Machine) -> Vec<Event> {
    m.set_memory_tracing(false);
    traced_events(m)
}

#[test]
fn traced_runs_record_what_traced_stepping_records() {
    for (name, build) in [
        ("syscalls and timer", workload as fn() -> Machine),
        ("disk polling", disk_workload),
    ] {
        let mut stepped = build();
        let expected = unmarked_events(&mut stepped);
        for (slice, stop_at) in [(CYCLES, u32::MAX), (333, u32::MAX), (CYCLES, HANDLER)] {
            let mut marked = build();
            let events = marked_events(&mut marked, slice, stop_at);
            eprintln!("{name}, slice {slice}, stop at {stop_at:#x}");
            assert_same_state(&stepped, &marked);
            assert_eq!(events.len(), expected.len(), "{name}, slice {slice}");
            for (k, (a, b)) in events.iter().zip(&expected).enumerate() {
                assert_eq!(a, b, "{name}, slice {slice}: event {k}");
            }
        }
    }
}

/// Ring-0 code that keeps reprogramming the timer to a tiny interval with
/// `out` (10 cycles): the quiet time ends inside the instruction that starts it.
fn timer_reprogramming_workload() -> Machine {
    let mut m = machine();
    set_gate(&mut m, 32, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &counting_handler());
    let code = [
        0xb8, 0x03, 0x00, 0x00, 0x00, // 1: mov $3,%eax
        0xe7, 0x40, // out %eax,$0x40
        0x41, // inc %ecx
        0xb8, 0x07, 0x00, 0x00, 0x00, // mov $7,%eax
        0xe7, 0x40, // out %eax,$0x40
        0x01, 0xc8, // add %ecx,%eax
        0xeb, 0xec, // jmp 1b
    ];
    m.load(0x5000, &code);
    m.cpu_mut().eip = 0x5000;
    m.cpu_mut().set_flag(sim_core::cpu::flags::IF, true);
    m.devices_mut().timer.set_interval(500);
    m
}

#[test]
fn a_port_write_that_shortens_the_quiet_time_is_honoured() {
    let mut traced = timer_reprogramming_workload();
    let expected = unmarked_events(&mut traced);
    let mut run = timer_reprogramming_workload();
    for n in [1, 9, 1000, 17, CYCLES - 1027] {
        run.run(n);
    }
    assert_same_state(&traced, &run);
    assert!(traced.mem().read_u32(COUNTER) > 100, "the timer fired");
    let mut marked = timer_reprogramming_workload();
    let events = marked_events(&mut marked, CYCLES, u32::MAX);
    assert_same_state(&traced, &marked);
    assert_eq!(events, expected);
}

/// A loop that rewrites its own `add` immediate each time round: the fast
/// loop runs it in bursts from the decode cache, which must see every write
/// (the code epoch) exactly as stepping does.
#[test]
fn self_modifying_loop_agrees_between_stepping_and_running() {
    let build = || {
        let mut m = Machine::new();
        let mut code = vec![0xb9, 100, 0, 0, 0]; // 0x1000: mov $100,%ecx
        code.extend([0x05, 0, 0, 0, 0]); // 0x1005: add $0,%eax (imm at 0x1006)
        code.extend([0xff, 0x05, 0x06, 0x10, 0, 0]); // 0x100a: incl 0x1006
        code.extend([0x49, 0x75, 0xf2, 0xf4]); // dec %ecx; jnz 0x1005; hlt
        m.load(0x1000, &code);
        m.cpu_mut().eip = 0x1000;
        m
    };
    let mut fast = build();
    assert_eq!(fast.run(1_000_000), StopReason::HaltedForever);
    // 0 + 1 + … + 99: every rewritten immediate was executed.
    assert_eq!(fast.cpu().gpr[0], 99 * 100 / 2);
    let mut stepped = build();
    stepped.set_mode(TraceMode::Traced);
    while stepped.cycle() < fast.cycle() {
        stepped.step();
    }
    assert_same_state(&fast, &stepped);
}
