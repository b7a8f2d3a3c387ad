//! Every built-in lesson runs on the real engine and shows what it teaches.

use sim_core::kernel::{Pid, Process};
use sim_core::scenario::{builtin, builtins, Scenario};
use sim_core::sim::{Halt, Sim, TraceLevel};

fn run(name: &str) -> Sim {
    let s = builtin(name).expect("built-in exists");
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(s.max_cycles, &[]);
    sim
}

fn procs(sim: &Sim) -> Vec<Process> {
    sim.kernel().processes().cloned().collect()
}

fn console(sim: &Sim) -> String {
    sim.machine().devices().console.text()
}

fn avg_turnaround(sim: &Sim) -> f64 {
    let p = procs(sim);
    p.iter()
        .map(|p| p.acct.turnaround().expect("finished") as f64)
        .sum::<f64>()
        / p.len() as f64
}

#[test]
fn every_builtin_builds_and_runs_without_kernel_panic() {
    let all = builtins();
    assert!(all.len() >= 10);
    for (name, s) in all {
        assert!(!s.lesson.is_empty(), "{name} has a lesson text");
        let json = s.to_json();
        assert_eq!(
            Scenario::from_json(&json).as_ref(),
            Ok(&s),
            "{name} round-trips through JSON"
        );
        let mut sim = s
            .build(TraceLevel::Off)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let halt = sim.run(s.max_cycles, &[]);
        assert!(
            !matches!(
                halt,
                Some(Halt::KernelPanic(_)) | Some(Halt::MachineStopped(_))
            ),
            "{name}: {halt:?}"
        );
    }
}

#[test]
fn fork_gives_different_values_threads_share_one() {
    let s = builtin("processes-vs-threads").unwrap();
    let mut sim = s.build(TraceLevel::Off).unwrap();
    // Mid-run, all four contexts are alive: look at 0xffe84264 through each page directory.
    sim.run(30_000, &[]);
    let k = sim.kernel();
    let mem = sim.machine().mem();
    let seen = |pid: u32| {
        let p = k.process(Pid(pid)).unwrap();
        let w = sim_core::mmu::walk(mem, p.pgdir, 0xffe8_4264);
        (w.frame.unwrap(), mem.read_u32(w.phys.unwrap()))
    };
    let (parent, child, threads) = (seen(1), seen(3), seen(2));
    assert_eq!(k.process(Pid(3)).unwrap().parent, Some(Pid(1)));
    assert_ne!(parent.0, child.0, "fork: different frames");
    assert_eq!((parent.1, child.1), (100, 200), "fork: different values");
    assert_eq!(
        k.process(Pid(2)).unwrap().threads.len(),
        2,
        "two threads share P2's page directory"
    );
    assert_eq!(threads.1, 200, "the worker's write is visible to main");
    sim.run(s.max_cycles, &[]);
    let status: Vec<_> = procs(&sim).iter().map(|p| p.exit_status).collect();
    assert_eq!(status, vec![Some(100), Some(200), Some(200)]);
}

#[test]
fn read_syscall_returns_the_console_bytes() {
    let sim = run("syscall-read");
    assert_eq!(console(&sim), "hello, trap!\n");
    assert_eq!(procs(&sim)[0].exit_status, Some(0));
}

#[test]
fn cli_in_user_mode_kills_only_that_process() {
    let sim = run("restricted-instruction");
    let p = procs(&sim);
    assert!(
        p[0].killed.as_deref().unwrap().starts_with("#GP"),
        "{:?}",
        p[0].killed
    );
    assert_eq!(p[0].exit_status, Some(-1));
    assert_eq!(p[1].exit_status, Some(0));
    assert_eq!(console(&sim), "counter: done\n");
}

#[test]
fn an_infinite_loop_starves_others_without_a_timer_only() {
    let coop = run("loop-cooperative");
    assert_eq!(console(&coop), "", "cooperative: hello never runs");
    assert_eq!(procs(&coop)[1].acct.first_run, None);
    let pre = run("loop-preemptive");
    assert_eq!(console(&pre), "hello: I got the CPU\n");
}

#[test]
fn direct_execution_lets_a_program_overwrite_another_and_keep_the_cpu() {
    let sim = run("direct-execution");
    assert_eq!(
        console(&sim),
        "victim: I'm alive\nreader: 2 blocks read\nvictim: I'm dead \n"
    );
    assert!(sim.halted().is_none(), "the rogue never gives the CPU back");
    assert!(
        !sim.machine().cpu().flag(sim_core::cpu::flags::IF),
        "interrupts are off"
    );
    let p = procs(&sim);
    assert!(p.iter().all(|p| p.killed.is_none()), "nothing is refused");
    assert_eq!(
        p[0].exit_status, None,
        "the victim never prints its third line"
    );
}

#[test]
fn the_same_programs_under_limited_direct_execution_are_each_stopped_for_their_own_reason() {
    let mut s = builtin("direct-execution").unwrap();
    s.mode = sim_core::kernel::ExecMode::Preemptive;
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    assert_eq!(sim.run(s.max_cycles, &[]), Some(Halt::Finished));
    assert_eq!(
        console(&sim),
        "victim: I'm alive\nvictim: I'm alive\nvictim: I'm alive\nreader: 2 blocks read\n"
    );
    let p = procs(&sim);
    let killed = |i: usize| p[i].killed.clone().unwrap_or_default();
    assert_eq!(p[0].exit_status, Some(0), "victim");
    assert!(killed(1).starts_with("#PF"), "writer: {}", killed(1));
    assert_eq!(p[2].exit_status, Some(0), "reader");
    assert!(killed(3).starts_with("#GP"), "rogue: {}", killed(3));
    assert!(
        sim.kernel().ticks() >= 3,
        "the timer preempts the rogue's loop"
    );
}

#[test]
fn io_overlaps_with_computation() {
    let sim = run("io-overlap");
    let p = procs(&sim);
    let disk = u64::from(builtin("io-overlap").unwrap().disk_latency);
    let serial: u64 = p.iter().map(|p| p.acct.cpu).sum::<u64>() + 4 * disk;
    assert!(
        sim.cycle() < serial,
        "overlap: {} cycles < {serial} run back to back",
        sim.cycle()
    );
    assert!(p.iter().all(|p| p.exit_status == Some(0)));
}

#[test]
fn sjf_and_stcf_beat_the_fifo_convoy() {
    let fifo = avg_turnaround(&run("convoy-fifo"));
    let sjf = avg_turnaround(&run("convoy-sjf"));
    let stcf = avg_turnaround(&run("convoy-stcf"));
    assert!(sjf * 1.5 < fifo, "sjf {sjf} vs fifo {fifo}");
    assert!(stcf * 1.5 < fifo, "stcf {stcf} vs fifo {fifo}");
}

#[test]
fn round_robin_responds_fast_but_finishes_late() {
    let sim = run("rr-response");
    let unit = builtin("rr-response").unwrap().time_unit;
    let p = procs(&sim);
    assert!(p.iter().all(|p| p.acct.response().unwrap() < 3 * unit));
    assert!(p.iter().all(|p| p.acct.turnaround().unwrap() > 12 * unit));
}

#[test]
fn the_gamer_stays_on_top_of_mlfq() {
    let sim = run("mlfq-gaming");
    let p = procs(&sim);
    let (hog, gamer) = (&p[0], &p[1]);
    assert!(gamer.acct.finish < hog.acct.finish);
}

#[test]
fn tickets_split_the_cpu() {
    for name in ["lottery-fairness", "stride-fairness"] {
        let s = builtin(name).unwrap();
        let mut sim = s.build(TraceLevel::Off).unwrap();
        // Stride: 30 slices of 2,000 cycles; lottery: 2,000 draws.
        sim.run(
            if s.time_unit > 1 {
                2_000 * s.time_unit
            } else {
                60_000
            },
            &[],
        );
        let k = sim.kernel();
        let cpu = |t: u32| k.cpu_time(sim_core::sched::ThreadId(t), sim.cycle()) as f64;
        let ratio = cpu(1) / cpu(2).max(1.0);
        // Stride is exact; lottery only in expectation (seeded).
        let range = if name == "stride-fairness" {
            2.5..3.5
        } else {
            2.0..4.5
        };
        assert!(
            range.contains(&ratio),
            "{name}: 75/25 tickets gave a CPU ratio of {ratio:.2}"
        );
    }
}

#[test]
fn same_scenario_same_trace_and_stepping_back_is_exact() {
    let s = builtin("io-overlap").unwrap();
    let mut a = s.build(TraceLevel::Steps).unwrap();
    let mut b = s.build(TraceLevel::Steps).unwrap();
    a.run(s.max_cycles, &[]);
    b.run(s.max_cycles, &[]);
    assert_eq!(a.trace(), b.trace());
    assert_eq!(a.instructions(), b.instructions());
    assert!(a.full_trace().len() > 1000);

    let mut c = s.build(TraceLevel::Steps).unwrap();
    c.run(20_000, &[]);
    let (cpu, trace_len) = (c.machine().cpu().clone(), c.trace().len());
    c.run(20_500, &[]);
    c.seek(20_000);
    assert_eq!(c.cycle(), 20_000);
    assert_eq!(c.machine().cpu(), &cpu);
    assert_eq!(c.trace().len(), trace_len);
    c.step_back();
    assert_eq!(c.cycle(), 19_999);
}

#[test]
fn running_without_a_trace_reaches_the_same_state() {
    for name in [
        "processes-vs-threads",
        "io-overlap",
        "mlfq-gaming",
        "restricted-instruction",
        "loop-preemptive",
    ] {
        let s = builtin(name).unwrap();
        let mut fast = s.build(TraceLevel::Off).unwrap();
        let mut traced = s.build(TraceLevel::Steps).unwrap();
        for at in [5_000, 33_333, 90_001] {
            fast.run(at, &[]);
            traced.run(at, &[]);
            assert_eq!(fast.cycle(), traced.cycle(), "{name}");
            assert_eq!(
                fast.machine().cpu(),
                traced.machine().cpu(),
                "{name} at {at}"
            );
            assert_eq!(procs(&fast), procs(&traced), "{name} at {at}");
        }
    }
}

#[test]
fn seeking_into_the_thinned_past_is_exact() {
    // Beyond the snapshots' byte budget the older ones are thinned out; a
    // seek there replays further, to exactly the same state.
    let mut s = builtin("loop-preemptive").unwrap();
    s.max_cycles = 1_000_000_000;
    let far = 316 * sim_core::sim::SNAPSHOT_EVERY;
    let mut long = s.build(TraceLevel::Steps).unwrap();
    let budget = 256 << 10;
    long.set_snapshot_budget(budget);
    long.run(far, &[]);
    let held = long.memory();
    assert!(held.snapshot_bytes <= budget, "{held:?}");
    assert!(held.snapshots < 316 / 2, "thinned: {held:?}");
    // The newest eighth stays dense: one snapshot every SNAPSHOT_EVERY.
    let cycles = long.snapshot_cycles();
    let dense = &cycles[cycles.len() - cycles.len() / 8..];
    assert!(dense.len() >= 3, "{cycles:?}");
    assert!(
        dense
            .windows(2)
            .all(|w| w[1] - w[0] == sim_core::sim::SNAPSHOT_EVERY),
        "{cycles:?}"
    );
    for at in [far - 1, far / 2 + 12_345, 777_777] {
        long.seek(at);
        let mut straight = s.build(TraceLevel::Steps).unwrap();
        straight.run(at, &[]);
        assert_eq!(long.cycle(), at);
        assert_eq!(long.machine().cpu(), straight.machine().cpu(), "at {at}");
        assert_eq!(long.trace().tail(50), straight.trace().tail(50), "at {at}");
        assert_eq!(procs(&long), procs(&straight), "at {at}");
    }
}

/// The kernel's steps run in the order a reader of xv6 expects: a `read` of
/// the disk traps, runs `sys_read`, which blocks, then the scheduler picks
/// another thread and `swtch`, `switchuvm`, `trapret` resume it.
#[test]
fn a_blocking_read_runs_trap_sys_read_scheduler_swtch_switchuvm_trapret() {
    use sim_core::kernel::{OsEvent, StepOutcome, SysOutcome, TrapCause};
    use sim_core::trace::TraceKind;
    let s = builtin("io-overlap").expect("built-in exists");
    let mut sim = s.build(TraceLevel::Steps).expect("builds");
    sim.run(s.max_cycles, &[]);
    let steps: Vec<(&str, &StepOutcome)> = sim
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Os(OsEvent::KernelStep { function, outcome }) => Some((*function, outcome)),
            _ => None,
        })
        .collect();
    let at = steps
        .iter()
        .position(|(_, o)| matches!(o, StepOutcome::Syscall(SysOutcome::DiskQueued { .. })))
        .expect("a disk read blocks");
    let names: Vec<&str> = steps[at - 1..at + 5].iter().map(|(f, _)| *f).collect();
    assert_eq!(
        names,
        [
            "trap",
            "sys_read",
            "scheduler",
            "swtch",
            "switchuvm",
            "trapret"
        ]
    );
    assert!(matches!(
        steps[at - 1].1,
        StepOutcome::Trap {
            cause: TrapCause::Syscall {
                name: Some("read"),
                ..
            },
            ..
        }
    ));
}

/// Direct execution has no OS to hand the CPU to another process: a process
/// that reads the disk keeps the CPU and spins until the disk is done; under
/// limited direct execution it blocks and the other process runs meanwhile.
#[test]
fn a_disk_read_spins_under_direct_execution_and_blocks_under_lde() {
    use sim_core::kernel::{ExecMode, OsEvent, State, StepOutcome};
    use sim_core::trace::TraceKind;
    let source = |f: &str| match f {
        "io" => include_str!("../src/scenario/builtin/io.s"),
        _ => include_str!("../src/scenario/builtin/hello.s"),
    };
    let json = serde_json::json!({
      "version": 1, "title": "t", "chapter": "", "lesson": "l", "book": "",
      "mode": "direct", "timer_interval": 2000, "disk_latency": 5000,
      "scheduler": { "policy": "round_robin", "quantum": 2000 }, "seed": 0,
      "programs": [
        { "name": "io", "source": source("io") },
        { "name": "hello", "source": source("hello") }
      ],
      "processes": [
        { "program": "io", "arrival": 0, "tickets": 100, "expected_len": null },
        { "program": "hello", "arrival": 0, "tickets": 100, "expected_len": null }
      ],
      "max_cycles": 100000, "watch": [], "console_input": ""
    })
    .to_string();
    let direct = Scenario::from_json(&json).expect("parses");
    let mut lde = direct.clone();
    lde.mode = ExecMode::Preemptive;
    let trace = |s: &Scenario| {
        let mut sim = s.build(TraceLevel::Steps).expect("builds");
        sim.run(s.max_cycles, &[]);
        assert_eq!(sim.halted(), Some(Halt::Finished));
        let events: Vec<_> = sim.trace().iter().map(|e| e.kind.clone()).collect();
        events
    };
    let steps = |events: &[TraceKind]| -> Vec<(&'static str, StepOutcome)> {
        events
            .iter()
            .filter_map(|e| match e {
                TraceKind::Os(OsEvent::KernelStep { function, outcome }) => {
                    Some((*function, outcome.clone()))
                }
                _ => None,
            })
            .collect()
    };
    let blocked = |events: &[TraceKind]| {
        events.iter().any(|e| {
            matches!(
                e,
                TraceKind::Os(OsEvent::ThreadState {
                    to: State::Blocked,
                    ..
                })
            )
        })
    };

    let d = trace(&direct);
    assert!(!blocked(&d), "direct: nobody blocks");
    let ds = steps(&d);
    let spins: Vec<u32> = ds
        .iter()
        .filter_map(|(_, o)| match o {
            StepOutcome::Spin { cycles, .. } => Some(*cycles),
            _ => None,
        })
        .collect();
    assert_eq!(spins.len(), 4, "one spin per read: {spins:?}");
    assert!(spins.iter().all(|c| *c >= 4900), "{spins:?}");
    let at = ds.iter().position(|(f, _)| *f == "spin").unwrap();
    let names: Vec<&str> = ds[at - 1..at + 4].iter().map(|(f, _)| *f).collect();
    assert_eq!(
        names,
        ["sys_read", "spin", "disk_poll", "scheduler", "trapret"]
    );
    // The reader keeps the CPU from its first read to its exit: hello waits.
    let switches: Vec<_> = d
        .iter()
        .filter_map(|e| match e {
            TraceKind::Os(OsEvent::ContextSwitch { to, .. }) => Some(*to),
            _ => None,
        })
        .collect();
    assert_eq!(
        switches.len(),
        2,
        "io, then hello after io exits: {switches:?}"
    );

    let l = trace(&lde);
    assert!(blocked(&l), "LDE: the reader blocks");
    assert!(steps(&l).iter().all(|(f, _)| *f != "spin"));
}
