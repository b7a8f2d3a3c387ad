//! The engine boundary: commands in, views out.

use sim_core::session::{Command, Granularity, RunStop, Session, Status};
use sim_core::trace::Actor;

fn step(g: Granularity) -> Command {
    Command::Step { granularity: g }
}

const GRANULARITIES: [Granularity; 5] = [
    Granularity::Cycle,
    Granularity::Instruction,
    Granularity::ModeSwitch,
    Granularity::Trap,
    Granularity::ContextSwitch,
];

#[test]
fn stepping_forward_then_back_gives_an_identical_view() {
    for g in GRANULARITIES {
        let mut s = Session::load_builtin("io-overlap").unwrap();
        s.apply(&Command::Run { cycles: 7_000 });
        s.apply(&step(g));
        let before = s.view();
        s.apply(&step(g));
        assert!(s.cycle() > before.cycle, "{g:?} moves forward");
        s.apply(&Command::StepBack { granularity: g });
        let after = s.view();
        if let Some(d) = first_difference(&after, &before) {
            panic!("{g:?}: forward then back: {d}");
        }
    }
}

/// Steps back once per view in `views` (newest last, the one shown now
/// first dropped) and checks each step back shows exactly the earlier view.
fn back_through(
    s: &mut Session,
    views: &[sim_core::session::View],
    gs: &[Granularity],
    what: &str,
) {
    for (i, g) in gs.iter().enumerate().rev() {
        s.apply(&Command::StepBack { granularity: *g });
        if let Some(d) = first_difference(&s.view(), &views[i]) {
            panic!("{what}: back by {g:?} to view {i}: {d}");
        }
    }
}

#[test]
fn steps_back_undo_the_steps_forward_in_every_lesson() {
    // The session remembers the steps it just took: stepping by a trap
    // twice and back twice, or by a trap and then an instruction and back
    // by an instruction and a trap, returns to exactly where each started.
    for name in [
        "syscall-read",
        "io-overlap",
        "loop-preemptive",
        "processes-vs-threads",
        "restricted-instruction",
    ] {
        let mut checked = 0;
        for g in GRANULARITIES {
            for gs in [
                vec![g, g],
                vec![g, Granularity::Instruction],
                vec![Granularity::Cycle, g],
            ] {
                let mut s = Session::load_builtin(name).unwrap();
                s.skip_boot();
                for _ in 0..10 {
                    s.apply(&step(Granularity::Instruction));
                }
                let mut views = vec![s.view()];
                let mut taken = Vec::new();
                for &g in &gs {
                    let at = s.cycle();
                    s.apply(&step(g));
                    if s.cycle() == at {
                        break;
                    }
                    taken.push(g);
                    views.push(s.view());
                }
                if taken.len() == 2 {
                    checked += 1;
                }
                back_through(&mut s, &views, &taken, &format!("{name} {gs:?}"));
            }
        }
        assert!(checked >= 12, "{name}: {checked} pairs of steps forward");
    }
}

#[test]
fn other_commands_forget_the_steps_forward() {
    // After a run (even of no cycles) a step back is no longer an undo: back
    // by a trap goes to just after the previous trap (kernel code), not to
    // the user instruction the forward step started from.
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.skip_boot();
    s.apply(&step(Granularity::Instruction));
    let start = s.cycle();
    assert!(!s.view().code.kernel);
    s.apply(&step(Granularity::Trap));
    let after_trap = s.cycle();
    s.apply(&Command::Run { cycles: 0 });
    s.apply(&Command::StepBack {
        granularity: Granularity::Trap,
    });
    assert!(s.cycle() < after_trap);
    assert_ne!(s.cycle(), start, "not an undo after a run");
    // Without the run in between, it is.
    s.apply(&Command::Seek { cycle: start });
    s.apply(&step(Granularity::Trap));
    s.apply(&Command::StepBack {
        granularity: Granularity::Trap,
    });
    assert_eq!(s.cycle(), start);
}

#[test]
fn syscall_switches_mode_and_lights_gate_64() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.apply(&step(Granularity::ModeSwitch));
    assert_eq!(s.view().cpu.cpl, 3, "first switch: kernel → user");
    s.apply(&step(Granularity::Trap));
    let v = s.view();
    assert_eq!(v.cpu.cpl, 0);
    assert_eq!(v.active_gate, Some(64));
    assert!(v.idt.iter().any(|g| g.vector == 64 && g.dpl == 3));
    let stack = v.kernel_stack.clone();
    assert!(stack.is_none() || stack.unwrap().vector == 64);
    s.apply(&step(Granularity::ModeSwitch));
    assert_eq!(s.view().cpu.cpl, 3, "and back to user mode");
    let rows = s.view().timeline;
    for actor in [Actor::Program, Actor::Hardware, Actor::Os] {
        assert!(
            rows.iter().any(|r| r.actor == actor),
            "timeline has {actor:?} rows"
        );
    }
}

#[test]
fn kernel_stack_shows_the_trap_frame() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.apply(&step(Granularity::Trap)); // boot … the first int $64 (read)
                                       // Walk through the entry stub until the frame is complete.
    for _ in 0..20 {
        if s.view().kernel_stack.is_some_and(|k| k.words.len() == 15) {
            break;
        }
        s.apply(&step(Granularity::Instruction));
    }
    let ks = s.view().kernel_stack.expect("in the kernel");
    let names: Vec<&str> = ks.words.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"ss"));
    assert_eq!(names.last(), Some(&"edi"));
    assert!(ks
        .words
        .iter()
        .find(|w| w.name == "eax")
        .is_some_and(|w| w.value == 6 && !w.by_cpu));
    assert!(ks
        .words
        .iter()
        .find(|w| w.name == "cs")
        .is_some_and(|w| w.value & 3 == 3 && w.by_cpu));
}

#[test]
fn address_space_view_of_processes_and_threads() {
    let mut s = Session::load_builtin("processes-vs-threads").unwrap();
    s.apply(&Command::Seek { cycle: 30_000 });
    let v = s.view();
    let spaces = &v.address_spaces[0];
    assert_eq!(spaces.addr, 0xffe8_4264);
    let value = |name: &str, i: usize| {
        spaces
            .spaces
            .iter()
            .filter(|e| e.name == name)
            .nth(i)
            .and_then(|e| e.value)
    };
    assert_eq!(
        (value("forker", 0), value("forker", 1)),
        (Some(100), Some(200))
    );
    let threader = spaces.spaces.iter().find(|e| e.name == "threader").unwrap();
    assert_eq!(threader.threads.len(), 2);
    assert_eq!(threader.value, Some(200));
    let w = &threader.walk;
    assert_eq!((w.pdx, w.ptx, w.offset), (0x3ff, 0x284, 0x264));
}

#[test]
fn runs_stop_at_breakpoints_and_at_the_end() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.apply(&Command::SetBreakpoints {
        lines: vec![(0, 9)],
    }); // `addl $16, %esp` after the int
    assert_eq!(
        s.apply(&Command::Run { cycles: 100_000 }),
        Some(RunStop::Breakpoint)
    );
    let v = s.view();
    assert_eq!(v.code.current_line, Some(9));
    assert_eq!(
        v.cpu.regs[0],
        ("eax".to_string(), 13),
        "read returned 13 bytes"
    );
    assert_eq!(
        s.apply(&Command::Run { cycles: 100_000 }),
        Some(RunStop::Halted)
    );
    assert_eq!(s.view().status, Status::Finished);
    assert_eq!(s.view().console, "hello, trap!\n");
}

#[test]
fn a_runaway_program_cannot_hang_a_step() {
    let mut s = Session::load_builtin("loop-cooperative").unwrap();
    s.apply(&step(Granularity::ContextSwitch));
    s.apply(&step(Granularity::ContextSwitch)); // never comes: bounded by STEP_LIMIT / the end
    assert!(s.cycle() <= sim_core::session::STEP_LIMIT + 100);
}

/// The first field of two views that differs, for a readable failure.
fn first_difference(a: &sim_core::session::View, b: &sim_core::session::View) -> Option<String> {
    let (a, b) = (
        serde_json::to_value(a).unwrap(),
        serde_json::to_value(b).unwrap(),
    );
    a.as_object()?.iter().find_map(|(k, v)| {
        (b.get(k) != Some(v)).then(|| {
            let (x, y) = (v.to_string(), b[k].to_string());
            format!(
                "field {k}:\n got {}\nwant {}",
                &x[x.len().saturating_sub(400)..],
                &y[y.len().saturating_sub(400)..]
            )
        })
    })
}

#[test]
fn going_back_shows_what_going_straight_there_shows() {
    // Seeking back undoes the timeline and the Gantt chart incrementally;
    // the result must equal a session that only ever went forward.
    for (name, far, targets) in [
        ("io-overlap", 40_000, [12_345, 20_001, 39_999]),
        ("processes-vs-threads", 30_000, [1, 9_000, 25_500]),
        ("rr-response", 50_000, [7_777, 31_000, 49_000]),
    ] {
        let mut back = Session::load_builtin(name).unwrap();
        back.apply(&Command::Run { cycles: far });
        for &t in targets.iter().rev() {
            back.apply(&Command::Seek { cycle: t });
            let mut straight = Session::load_builtin(name).unwrap();
            straight.apply(&Command::Run { cycles: t });
            let (got, want) = (back.view(), straight.view());
            if let Some(d) = first_difference(&got, &want) {
                panic!("{name} at {t}: {d}");
            }
            if t > 5_000 {
                assert!(
                    got.gantt.iter().any(|l| l.cols.iter().any(|&c| c != 0)),
                    "{name}"
                );
            }
        }
    }
}

/// Where a run with breakpoints on `lines` of program 0 must stop: every
/// instruction boundary, in user code of a process running program 0, whose
/// EIP is one of those lines (found by stepping instruction by instruction).
fn breakpoint_stops_by_stepping(name: &str, lines: &[u32], until: u64) -> Vec<u64> {
    let mut s = Session::load_builtin(name).unwrap();
    let mut stops = Vec::new();
    while s.cycle() < until {
        let at = s.cycle();
        s.apply(&step(Granularity::Instruction));
        if s.cycle() == at {
            break; // halted
        }
        if s.user_line()
            .is_some_and(|(p, l)| p == 0 && lines.contains(&l))
        {
            stops.push(s.cycle());
        }
    }
    stops
}

#[test]
fn runs_with_breakpoints_stop_where_stepping_finds_them() {
    // fork.s: line 15 `movl $20000, %ecx` and line 17 `pushl %ebx` run once
    // in each of two processes running the same program; threads.s (another
    // program at the same addresses) must not stop there.
    let (name, lines, until) = ("processes-vs-threads", [15, 17], 300_000);
    let want = breakpoint_stops_by_stepping(name, &lines, until);
    assert_eq!(want.len(), 4, "twice in each of two processes: {want:?}");
    let mut s = Session::load_builtin(name).unwrap();
    s.apply(&Command::SetBreakpoints {
        lines: lines.iter().map(|&l| (0, l)).collect(),
    });
    let mut got = Vec::new();
    while s.cycle() < until {
        match s.apply(&Command::Run {
            cycles: until - s.cycle(),
        }) {
            Some(RunStop::Breakpoint) => got.push(s.cycle()),
            _ => break,
        }
    }
    assert_eq!(got, want);
}

#[test]
fn every_lesson_opens_at_its_first_user_instruction() {
    for name in sim_core::scenario::BUILTIN_NAMES {
        let mut s = Session::load_builtin(name).unwrap();
        let at = s.skip_boot();
        let v = s.view();
        assert!(at > 0 && at < v.max_cycles, "{name}: opens at {at}");
        assert!(
            !v.code.kernel,
            "{name}: the code panel shows the user program"
        );
        assert!(v.code.current_line.is_some(), "{name}: a current line");
        if v.mode != sim_core::kernel::ExecMode::Direct {
            assert_eq!(v.cpu.cpl, 3, "{name}: user mode");
        }
        // The boot is one step back away.
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        assert!(
            s.view().code.kernel,
            "{name}: one instruction back is the kernel"
        );
    }
}

#[test]
fn exited_processes_keep_what_they_saw() {
    let mut s = Session::load_builtin("processes-vs-threads").unwrap();
    let max = s.view().max_cycles;
    s.apply(&Command::Run { cycles: max });
    let v = s.view();
    assert_eq!(v.status, Status::Finished);
    let spaces = &v.address_spaces[0].spaces;
    assert_eq!(spaces.len(), 3, "every process that existed is still shown");
    for e in spaces {
        assert!(e.exited_at.is_some(), "{} is marked exited", e.pid);
        let p = v.processes.iter().find(|p| p.pid == e.pid).unwrap();
        assert_eq!(p.exited_at, e.exited_at);
    }
    let (parent, threads, child) = (&spaces[0], &spaces[1], &spaces[2]);
    assert_eq!((parent.value, child.value), (Some(100), Some(200)));
    assert_ne!(
        parent.walk.frame, child.walk.frame,
        "two processes, two frames"
    );
    assert_eq!(threads.threads.len(), 2, "both threads of one process");
    assert_eq!(threads.value, Some(200), "one value for the two threads");
}

/// Steps one instruction at a time until the current source line's text
/// contains `needle` (in user code); panics after `max` steps.
fn step_to_line(s: &mut Session, needle: &str, max: usize) {
    for _ in 0..max {
        let v = s.view();
        if !v.code.kernel {
            if let Some(cur) = v.code.current_line {
                if v.code.lines[cur as usize - 1].text.contains(needle) {
                    return;
                }
            }
        }
        s.apply(&step(Granularity::Instruction));
    }
    panic!("never reached a line with {needle:?}");
}

fn names(v: &sim_core::session::View) -> Vec<String> {
    v.kernel_stack.as_ref().map_or(Vec::new(), |k| {
        k.words.iter().map(|w| w.name.clone()).collect()
    })
}

#[test]
fn the_trap_frame_grows_as_it_is_pushed_and_the_gate_stays_lit() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "int $64", 100);
    // Cycle by cycle into the delivery: the CPU's five words appear at once.
    while s.view().cpu.cpl == 3 {
        s.apply(&step(Granularity::Cycle));
    }
    let v = s.view();
    let esp = v.cpu.regs.iter().find(|r| r.0 == "esp").map(|r| r.1);
    assert_eq!(esp, Some(0x8020_efec), "the CPU has pushed five words");
    assert_eq!(v.active_gate, Some(64), "lit from the delivery on");
    assert_eq!(names(&v), ["ss", "esp", "eflags", "cs", "eip"]);
    let ks = v.kernel_stack.unwrap();
    assert!(ks.words.iter().all(|w| w.by_cpu));
    assert_eq!(ks.words.last().unwrap().addr, 0x8020_efec);
    assert_eq!(ks.vector, 64);
    assert!(!ks.stale);
    // The stub: dummy error code, vector number, then pushal.
    s.apply(&step(Granularity::Instruction)); // pushl $0
    let v = s.view();
    assert_eq!(names(&v).last().map(String::as_str), Some("err"));
    assert!(!v.kernel_stack.as_ref().unwrap().words[5].by_cpu);
    s.apply(&step(Granularity::Instruction)); // pushl $64
    let v = s.view();
    assert_eq!(names(&v).len(), 7);
    assert_eq!(v.kernel_stack.as_ref().unwrap().words[6].value, 64);
    assert_eq!(v.active_gate, Some(64));
    s.apply(&step(Granularity::Instruction)); // jmp alltraps
    s.apply(&step(Granularity::Instruction)); // pushal
    let v = s.view();
    assert_eq!(names(&v).len(), 15);
    assert_eq!(names(&v).last().map(String::as_str), Some("edi"));
    assert_eq!(v.active_gate, Some(64), "after pushal");
    // Through the kernel and out: the gate stays lit until the iret, the
    // frame shrinks as trapret pops it.
    let mut sizes = Vec::new();
    while s.view().cpu.cpl == 0 {
        let v = s.view();
        assert_eq!(
            v.active_gate.is_some(),
            v.kernel_stack.is_some(),
            "cycle {}",
            v.cycle
        );
        assert_eq!(v.active_gate, Some(64), "cycle {}", v.cycle);
        sizes.push(names(&v).len());
        s.apply(&step(Granularity::Instruction));
    }
    sizes.dedup();
    assert_eq!(sizes, [15, 7, 5], "pushal's words, then trapno/err go");
    let v = s.view();
    assert_eq!((v.active_gate, v.kernel_stack), (None, None));
}

#[test]
fn error_codes_are_pushed_by_the_cpu_and_a_killed_threads_frame_is_stale() {
    let mut s = Session::load_builtin("restricted-instruction").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "cli", 20_000);
    s.apply(&step(Granularity::Instruction));
    let v = s.view();
    assert_eq!(v.active_gate, Some(13));
    assert_eq!(names(&v), ["ss", "esp", "eflags", "cs", "eip", "err"]);
    let ks = v.kernel_stack.unwrap();
    assert!(
        ks.words.iter().all(|w| w.by_cpu),
        "#GP pushes its error code"
    );
    assert_eq!(ks.words[5].value, 0, "#GP(0)");
    s.apply(&step(Granularity::Instruction)); // pushl $13
    let v = s.view();
    let ks = v.kernel_stack.unwrap();
    assert_eq!(ks.words.len(), 7);
    assert!(ks.words[5].by_cpu && !ks.words[6].by_cpu);
    // Into the kernel: once the rogue is killed its frame is stale.
    let mut saw_stale = false;
    for _ in 0..40 {
        s.apply(&step(Granularity::Instruction));
        let v = s.view();
        let killed = v.processes.iter().any(|p| p.killed.is_some());
        if let Some(ks) = &v.kernel_stack {
            if ks.vector == 13 && killed {
                assert!(ks.stale, "cycle {}: the killed thread's frame", v.cycle);
                saw_stale = true;
            } else {
                assert!(!ks.stale);
            }
        }
        if v.cpu.cpl == 3 {
            break;
        }
    }
    assert!(saw_stale);
}

#[test]
fn one_instruction_from_a_trapping_instruction_is_the_stub_s_first() {
    for (name, needle, vector) in [
        ("restricted-instruction", "cli", 13u8),
        ("syscall-read", "int $64", 64),
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        s.skip_boot();
        step_to_line(&mut s, needle, 20_000);
        let at = s.view();
        let stub = at.idt.iter().find(|g| g.vector == vector).unwrap().handler;
        s.apply(&step(Granularity::Instruction));
        let v = s.view();
        assert_eq!((v.cpu.eip, v.cpu.cpl), (stub, 0), "{name}: forward");
        s.apply(&step(Granularity::Instruction));
        assert_ne!(s.view().cpu.eip, stub);
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        let back = s.view();
        assert_eq!((back.cpu.eip, back.cycle), (stub, v.cycle), "{name}: back");
        s.apply(&Command::StepBack {
            granularity: Granularity::Instruction,
        });
        let back = s.view();
        assert_eq!((back.cpu.eip, back.cycle), (at.cpu.eip, at.cycle), "{name}");
    }
}

#[test]
fn nothing_passes_the_cycle_limit() {
    for (name, g) in [
        ("loop-cooperative", Granularity::ContextSwitch),
        ("direct-execution", Granularity::ModeSwitch),
        ("loop-cooperative", Granularity::Trap),
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        let max = s.view().max_cycles;
        for _ in 0..5 {
            s.apply(&step(g));
            assert!(s.cycle() <= max, "{name} {g:?}: {} > {max}", s.cycle());
        }
        assert_eq!(s.cycle(), max, "{name}: stops at the limit");
        assert_eq!(s.view().status, Status::CycleLimit);
    }
    let mut s = Session::load_builtin("loop-cooperative").unwrap();
    let max = s.view().max_cycles;
    s.apply(&Command::Seek { cycle: 10 * max });
    assert_eq!(s.cycle(), max);
    assert_eq!(s.view().status, Status::CycleLimit);
    s.apply(&Command::Reset);
    assert_eq!(
        s.apply(&Command::Run { cycles: 10 * max }),
        Some(RunStop::CycleLimit)
    );
    assert_eq!(s.cycle(), max);
    // With breakpoints (in the program that never runs) too.
    s.apply(&Command::Reset);
    s.apply(&Command::SetBreakpoints {
        lines: (1..30).map(|l| (1, l)).collect(),
    });
    assert_eq!(
        s.apply(&Command::Run { cycles: 10 * max }),
        Some(RunStop::CycleLimit)
    );
    assert_eq!(s.cycle(), max);
}

#[test]
fn an_int_event_gives_its_cost_with_the_delivery() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    s.skip_boot();
    step_to_line(&mut s, "int $64", 100);
    let before = s.cycle();
    s.apply(&step(Granularity::Instruction));
    let after = s.cycle();
    let v = s.view();
    let e = v
        .events
        .iter()
        .rev()
        .find(|e| e.cycle == before && e.text.contains("int $64"))
        .expect("the int's event");
    assert!(e.text.contains("6 cycles + 20 for delivery"), "{}", e.text);
    assert_eq!(after - before, 26, "6 + 20 cycles");
}

#[test]
fn the_policy_names_a_quantum_only_when_it_has_one() {
    for name in sim_core::scenario::BUILTIN_NAMES {
        let s = Session::load_builtin(name).unwrap();
        let q = s.scenario().scheduler.build().unwrap().quantum();
        let v = s.view();
        match q {
            Some(q) => assert!(
                v.policy.ends_with(&format!("quantum {q}")),
                "{name}: {}",
                v.policy
            ),
            None => assert!(!v.policy.contains("quantum"), "{name}: {}", v.policy),
        }
    }
    let s = Session::load_builtin("loop-preemptive").unwrap();
    assert!(
        s.view().policy.contains("quantum 2000"),
        "{}",
        s.view().policy
    );
}

#[test]
fn the_running_queue_entry_agrees_with_the_process_table() {
    for name in [
        "rr-response",
        "io-overlap",
        "restricted-instruction",
        "lottery-fairness",
        "mlfq-gaming",
        "convoy-sjf",
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        // At every context switch, and at the mode switches and traps between.
        let order = [
            Granularity::ContextSwitch,
            Granularity::ModeSwitch,
            Granularity::Trap,
            Granularity::ModeSwitch,
        ];
        for g in order.into_iter().cycle().take(120) {
            s.apply(&step(g));
            let v = s.view();
            let running: Vec<u32> = v
                .processes
                .iter()
                .flat_map(|p| p.threads.iter())
                .filter(|t| t.state == sim_core::session::State::Running)
                .map(|t| t.tid)
                .collect();
            assert_eq!(
                v.queues.running.map(|t| t.0),
                running.first().copied(),
                "{name} at cycle {}",
                v.cycle
            );
            assert!(running.len() <= 1);
            if v.status != Status::Running {
                break;
            }
        }
    }
}

#[test]
fn the_boot_has_no_trap_in_progress() {
    let mut s = Session::load_builtin("syscall-read").unwrap();
    while s.view().cpu.cpl == 0 {
        let v = s.view();
        assert_eq!(v.active_gate, None, "cycle {}", v.cycle);
        assert_eq!(v.kernel_stack, None, "cycle {}", v.cycle);
        s.apply(&step(Granularity::Instruction));
    }
}

#[test]
fn the_frame_and_the_gate_come_and_go_together() {
    for (name, from) in [
        ("direct-execution", 0),
        ("lde-syscall", 0),
        ("loop-preemptive", 1_900),
        ("processes-vs-threads", 0),
    ] {
        let mut s = Session::load_builtin(name).unwrap();
        s.apply(&Command::Seek { cycle: from });
        let mut frames = 0;
        for _ in 0..1_500 {
            s.apply(&step(Granularity::Instruction));
            let v = s.view();
            let at = format!("{name} at cycle {}", v.cycle);
            assert_eq!(v.active_gate.is_some(), v.kernel_stack.is_some(), "{at}");
            if v.cpu.cpl == 3 {
                assert_eq!(v.active_gate, None, "{at}");
            }
            if let Some(ks) = &v.kernel_stack {
                frames += 1;
                let cs = ks.words.iter().find(|w| w.name == "cs").expect("cs");
                let from_user = cs.value & 3 == 3;
                assert_eq!(ks.words[0].name == "ss", from_user, "{at}");
                assert!(ks.words.len() <= 15, "{at}");
                assert_eq!(ks.words.last().map(|w| w.addr), Some(ks.frame_addr), "{at}");
                let esp = v.cpu.regs.iter().find(|r| r.0 == "esp").map(|r| r.1);
                assert_eq!(esp, Some(ks.frame_addr), "{at}");
            }
            if v.status != Status::Running {
                break;
            }
        }
        assert!(frames > 0, "{name}: some trap seen");
    }
}
