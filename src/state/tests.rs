//! Reducer tests: they drive `AppState` natively, as the page would.
use super::*;

pub(super) fn reduce(s: Rc<AppState>, a: Action) -> Rc<AppState> {
    s.reduce(a)
}

#[test]
fn opens_a_builtin_and_reports_unknown_names() {
    let s = AppState::open("syscall-read", None);
    assert!(s.view.is_some());
    let bad = AppState::open("no-such-thing", None);
    assert!(bad.view.is_none());
    assert!(bad.notice.is_some_and(|n| n.contains("no-such-thing")));
}

#[test]
fn step_then_back_restores_the_view() {
    for g in [
        Granularity::Cycle,
        Granularity::Instruction,
        Granularity::ModeSwitch,
        Granularity::Trap,
        Granularity::ContextSwitch,
    ] {
        let mut s = Rc::new(AppState::open("io-overlap", None));
        s = reduce(s, Action::Seek(7_000));
        s = reduce(s, Action::Step(Granularity::Instruction));
        let before = s.view.clone().map(|v| (*v.0).clone());
        s = reduce(s, Action::Step(g));
        assert!(
            s.cycle() > before.as_ref().map_or(0, |v| v.cycle),
            "{g:?} moves forward"
        );
        s = reduce(s, Action::Back(g));
        assert!(
            s.view.clone().map(|v| (*v.0).clone()) == before,
            "{g:?}: forward then back"
        );
    }
}

#[test]
fn running_stops_at_the_cycle_limit() {
    let mut s = Rc::new(AppState::open("loop-cooperative", Some(20_000)));
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    s = run_ticks(s, 200);
    assert!(!s.running);
    assert_eq!(s.cycle(), 20_000);
    assert!(s
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("max_cycles")));
}

#[test]
fn slow_speeds_carry_fractions_of_a_cycle() {
    let mut s = Rc::new(AppState::open("syscall-read", None));
    s = reduce(s, Action::SetSpeed(0));
    // Pacing only: no pause at the lesson's key moments.
    s = reduce(s, Action::SetPauseAtMoments(false));
    s = reduce(s, Action::Run);
    let start = s.cycle();
    for _ in 0..60 {
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 1000.0 / 60.0,
                work_ms: None,
            },
        );
    }
    let ran = s.cycle() - start;
    assert!(
        (99..=101).contains(&ran),
        "100 cycles/s for one second ran {ran}"
    );
}

#[test]
fn breakpoints_toggle_and_stop_a_run() {
    let mut s = Rc::new(AppState::open("syscall-read", None));
    s = reduce(
        s,
        Action::ToggleBreakpoint {
            program: 0,
            line: 8,
        },
    );
    assert_eq!(s.breakpoints, vec![(0, 8)]);
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    s = run_ticks(s, 100);
    assert_eq!(s.view.as_ref().and_then(|v| v.code.current_line), Some(8));
    s = reduce(
        s,
        Action::ToggleBreakpoint {
            program: 0,
            line: 8,
        },
    );
    assert!(s.breakpoints.is_empty());
}

#[test]
fn long_forward_seeks_run_in_frames() {
    let mut s = Rc::new(AppState::open("loop-cooperative", Some(1_000_000)));
    s = reduce(s, Action::Seek(500_000));
    assert!(s.running && s.run_until == Some(500_000));
    assert!(s
        .notice
        .as_deref()
        .is_some_and(|n| n.starts_with("Seeking")));
    s = run_ticks(s, 10_000);
    assert_eq!(s.cycle(), 500_000);
    assert_eq!(s.notice, None, "arrived: no \"Seeking…\" left");
    s = reduce(s, Action::Seek(1_000));
    assert_eq!(s.cycle(), 1_000);
}

#[test]
fn a_seek_back_into_the_thinned_past_is_one_command() {
    let ticks = |s| run_ticks(s, 10_000);
    let mut s = Rc::new(AppState::open("loop-preemptive", Some(1_000_000)));
    // A small snapshot budget thins the past within a short run.
    s.session
        .as_ref()
        .unwrap()
        .borrow_mut()
        .set_snapshot_budget(8 << 10);
    s = ticks(reduce(s, Action::Seek(900_000)));
    assert_eq!(s.cycle(), 900_000);
    let target = 456_789;
    let from = s.session.as_ref().unwrap().borrow().snapshot_before(target);
    assert!(
        from.is_some_and(|f| target - f > SEEK_IN_FRAMES),
        "a wide gap: {from:?}"
    );
    s = reduce(s, Action::Seek(target));
    assert!(!s.running, "no frames: the engine replays quietly");
    assert_eq!(s.cycle(), target);
    let mut straight = Rc::new(AppState::open("loop-preemptive", Some(1_000_000)));
    straight = ticks(reduce(straight, Action::Seek(target)));
    let (got, want) = (s.view.clone().unwrap(), straight.view.clone().unwrap());
    assert_eq!(got.cpu, want.cpu);
    assert_eq!(got.processes, want.processes);
    assert_eq!(got.events, want.events);
    assert_eq!(got.gantt, want.gantt);
}

#[test]
fn a_seek_forward_to_where_the_run_was_is_one_command() {
    let ticks = |s| run_ticks(s, 10_000);
    let mut s = Rc::new(AppState::open("loop-preemptive", Some(3_000_000)));
    s = ticks(reduce(s, Action::Seek(1_500_000)));
    assert_eq!(s.cycle(), 1_500_000);
    s = reduce(s, Action::Seek(1_000));
    s = reduce(s, Action::Seek(1_400_000));
    assert!(
        !s.running,
        "no frames: the engine replays from a snapshot kept"
    );
    assert_eq!(s.cycle(), 1_400_000);
    let mut straight = Rc::new(AppState::open("loop-preemptive", Some(3_000_000)));
    straight = ticks(reduce(straight, Action::Seek(1_400_000)));
    let (got, want) = (s.view.clone().unwrap(), straight.view.clone().unwrap());
    assert_eq!(got.cpu, want.cpu);
    assert_eq!(got.processes, want.processes);
    assert_eq!(got.events, want.events);
    assert_eq!(got.gantt, want.gantt);
    // Far beyond where the run was: there at once, then on in frames.
    s = reduce(s, Action::Seek(1_000));
    s = reduce(s, Action::Seek(2_500_000));
    assert!(s.running && s.run_until == Some(2_500_000));
    assert_eq!(s.cycle(), 1_500_000);
    s = ticks(s);
    assert_eq!(s.cycle(), 2_500_000);
}

#[test]
fn stepping_back_without_a_matching_forward_step_asks_the_engine() {
    let mut s = Rc::new(AppState::open("syscall-read", None));
    s = reduce(s, Action::Seek(2_000));
    s = reduce(s, Action::Back(Granularity::Trap));
    assert!(s.cycle() < 2_000, "back to before the previous trap");
    let at = s.cycle();
    s = reduce(s, Action::Step(Granularity::Instruction));
    s = reduce(s, Action::Back(Granularity::Instruction));
    assert_eq!(s.cycle(), at, "an instruction forward, then back");
}

#[test]
fn full_speed_sizes_slices_to_the_frame() {
    let mut s = Rc::new(AppState::open("loop-cooperative", Some(1_000_000_000)));
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    let mut redraw_slices = Vec::new();
    let mut fastest = s.stats().pacer.rate;
    for i in 0..60 {
        fastest = fastest.max(s.stats().pacer.rate);
        // Every frame's measured work: its slice plus a render cost that is
        // large on the frames that redrew the panels.
        let work = s
            .pace
            .get()
            .last_frame
            .map(|f| f.slice_end_ms + if f.drew.is_some() { 9.0 } else { 1.0 });
        let before = s.view.as_ref().map(|v| v.cycle);
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.7,
                work_ms: work,
            },
        );
        if i > 30 && s.view.as_ref().map(|v| v.cycle) != before {
            redraw_slices.push(s.stats().slice_ms);
        }
        // A real frame lasts a display refresh: panels are redrawn every
        // 100 ms, so 60 frames see several redraws whatever the machine's load.
        std::thread::sleep(std::time::Duration::from_millis(17));
    }
    assert!(s.running);
    let p = s.stats().pacer;
    // The render costs are learned from the frames' reported work, not timed.
    // Each draw (a group, or the view) learns from its own few frames:
    // all have moved from the default 3 ms most of the way to 9 ms.
    assert!(p.draw_ms.iter().all(|d| *d > 6.0 && *d <= 9.0), "{p:?}");
    assert!((p.light_ms - 1.0).abs() < 0.5, "{p:?}");
    // A slice is sized to what the learned rate fits into the frame's work
    // target (a bound on the sizing, not on this machine's speed).
    assert!(
        s.stats().slice as f64 <= fastest * p.budget_ms,
        "{:?}",
        s.stats()
    );
    assert!(!redraw_slices.is_empty(), "the panels were redrawn");
    assert!(s.cycle() > 60 * 500);
}

#[test]
fn a_full_speed_slice_runs_to_its_deadline_whatever_the_learned_rate() {
    let mut s = Rc::new(AppState::open("loop-cooperative", Some(1_000_000_000)));
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    let tick = |s: Rc<AppState>| {
        crate::clock::frame::started(crate::clock::now_ms());
        let s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.7,
                work_ms: None,
            },
        );
        crate::clock::frame::rendered();
        s
    };
    for _ in 0..10 {
        s = tick(s);
    }
    // The engine is believed ten times slower than it is: the slice's
    // first chunk takes a tenth of the time, then each chunk is sized by
    // the rate the one before showed, so the frame's time is still used.
    let mut p = s.pace.get();
    p.stats.pacer.rate /= 10.0;
    p.last_frame = None;
    s.pace.set(p);
    let predicted = p.stats.pacer.slice(None);
    s = tick(s);
    assert!(
        s.stats().slice > 2 * predicted,
        "ran {} cycles, the learned rate predicted {predicted}",
        s.stats().slice
    );
}

#[test]
fn while_running_a_new_view_reaches_one_group_of_panels_per_frame() {
    let mut s = Rc::new(AppState::open("loop-preemptive", Some(1_000_000_000)));
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    let tick = |s: Rc<AppState>| {
        std::thread::sleep(std::time::Duration::from_millis(5));
        reduce(
            s,
            Action::Tick {
                dt_ms: 16.7,
                work_ms: None,
            },
        )
    };
    let mut redrawn = false;
    for _ in 0..200 {
        let before = s.view.clone();
        s = tick(s);
        if s.view != before {
            redrawn = true;
            break;
        }
    }
    assert!(redrawn, "a redraw came due");
    let newest = s.view.clone();
    assert!(
        (0..PANEL_GROUPS).all(|g| s.group_view(g) != newest),
        "the view is computed in a frame of its own"
    );
    for g in 0..PANEL_GROUPS {
        s = tick(s);
        assert!(s.group_view(g) == newest, "group {g}");
        if g + 1 < PANEL_GROUPS {
            assert!(s.group_view(g + 1) != newest, "one group per frame");
        }
    }
    s = tick(s);
    s = reduce(s, Action::Pause);
    assert!(
        (0..PANEL_GROUPS).all(|g| s.group_view(g) == s.view),
        "paused: all show the newest view"
    );
}

#[test]
fn while_running_a_panel_whose_data_did_not_change_keeps_its_view() {
    let mut s = Rc::new(AppState::open("loop-preemptive", Some(1_000_000_000)));
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    s = reduce(s, Action::Run);
    let mut redraws = 0;
    let mut before = s.view.clone();
    for _ in 0..400 {
        std::thread::sleep(std::time::Duration::from_millis(5));
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.7,
                work_ms: None,
            },
        );
        if s.view != before && s.group_view(PANEL_GROUPS - 1) == s.view {
            redraws += 1;
            before = s.view.clone();
            if redraws == 2 {
                break;
            }
        }
    }
    assert_eq!(redraws, 2, "two redraws reached every group");
    let newest = s.view.clone().expect("a view");
    let cpu = s.panel_view(Panel::Cpu).expect("cpu");
    assert!(
        cpu.view == newest,
        "the registers changed: the CPU panel shows the newest view"
    );
    let console = s.panel_view(Panel::Console).expect("console");
    assert_eq!(
        console.view.console, newest.console,
        "the loop prints nothing"
    );
    assert!(
        console.view != newest,
        "so the console keeps the view it showed"
    );
    s = reduce(s, Action::Pause);
    let newest = s.view.clone();
    assert!(
        Panel::ALL
            .iter()
            .all(|p| s.panel_view(*p).map(|x| x.view) == newest),
        "paused: every panel shows the newest view"
    );
}

pub(super) fn run_ticks(mut s: Rc<AppState>, n: usize) -> Rc<AppState> {
    for _ in 0..n {
        if !s.running {
            break;
        }
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.0,
                work_ms: None,
            },
        );
    }
    s
}

#[test]
fn a_run_at_the_default_speed_pauses_at_each_key_moment() {
    let mut s = Rc::new(AppState::open("syscall-read", None));
    assert!(
        s.moments.is_empty() && s.moments_due,
        "found after the first render"
    );
    s = reduce(s, Action::FindMoments);
    let moments = s.moments.clone();
    assert_eq!(moments.len(), 4);
    assert_eq!(moments[0].caption, "int $64: into the kernel");
    for m in moments.iter() {
        s = reduce(s, Action::Run);
        s = run_ticks(s, 200);
        assert!(!s.running);
        assert_eq!(s.cycle(), m.cycle, "paused at {}", m.caption);
        assert!(s.notice.as_ref().is_some_and(|n| n.contains(&m.caption)));
    }
    // Switched off, the run goes on to the end.
    s = reduce(s, Action::Reset);
    s = reduce(s, Action::SetPauseAtMoments(false));
    s = reduce(s, Action::Run);
    s = run_ticks(s, 200);
    assert!(s.cycle() > moments[3].cycle);
}

#[test]
fn only_builtins_have_key_moments() {
    let s = reduce(
        Rc::new(AppState::open("syscall-read", None)),
        Action::FindMoments,
    );
    assert!(!s.moments.is_empty() && !s.moments_due);
    let scenario = builtin("syscall-read").unwrap();
    let linked = reduce(
        Rc::new(AppState::open_from(Origin::Link, scenario, None)),
        Action::FindMoments,
    );
    assert!(linked.moments.is_empty() && !linked.moments_due);
}

#[test]
fn one_click_computes_one_view() {
    let mut s = Rc::new(AppState::open("loop-preemptive", Some(1_000_000_000)));
    for a in [
        Action::Step(Granularity::Instruction),
        Action::Back(Granularity::Instruction),
        Action::Step(Granularity::Trap),
        Action::Reset,
        Action::Seek(5_000),
    ] {
        let n = s.views_computed;
        s = reduce(s, a.clone());
        assert_eq!(s.views_computed - n, 1, "paused: {a:?}");
    }
    // While running, the view lags the machine; stopping for a step still
    // computes only the view after the step.
    s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
    for a in [
        Action::Step(Granularity::Instruction),
        Action::Back(Granularity::Instruction),
    ] {
        s = reduce(s, Action::Run);
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.0,
                work_ms: None,
            },
        );
        assert!(s.running && s.view.as_ref().is_some_and(|v| v.cycle != s.cycle()));
        let n = s.views_computed;
        s = reduce(s, a.clone());
        assert_eq!(s.views_computed - n, 1, "running: {a:?}");
        assert!(!s.running);
    }
}
