//! Stepping, stepping back, runs and breakpoints.

use super::*;

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
