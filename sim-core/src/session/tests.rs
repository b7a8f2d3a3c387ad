//! Long runs keep bounded history: with small limits (the defaults need
//! tens of millions of cycles), the trace, the timeline and the Gantt spans
//! stay within them, and going back within what is kept still shows what
//! going straight there shows.

use super::history::{Limits, TimelineRow};
use super::*;

/// Bytes the snapshots of [`small`] sessions may hold.
const SNAPSHOT_BUDGET: usize = 48 << 10;

/// Built-in lesson `name`, allowed to run long.
fn long(name: &str) -> Session {
    let mut scenario = builtin(name).expect("built-in");
    scenario.max_cycles = 1_000_000;
    Session::new(scenario).expect("builds")
}

fn small(name: &str) -> Session {
    let mut s = long(name);
    s.sim.set_trace_limit(400);
    s.sim.set_instr_limit(2000);
    s.set_snapshot_budget(SNAPSHOT_BUDGET);
    s.history.limits = Limits {
        rows: 128,
        spans: 32,
    };
    s
}

/// Runs to `cycle` in slices, as the page does at full speed.
fn run_in_slices(s: &mut Session, cycle: u64) {
    while s.cycle() < cycle {
        s.apply(&Command::Run {
            cycles: (cycle - s.cycle()).min(20_000),
        });
    }
}

#[test]
fn bounded_history_stays_bounded_and_exact() {
    let name = "loop-preemptive";
    let mut back = small(name);
    run_in_slices(&mut back, 300_000);
    let held = back.memory();
    assert!(held.sim.snapshot_bytes <= SNAPSHOT_BUDGET, "{held:?}");
    assert!(
        held.sim.snapshots < 300_000 / crate::sim::SNAPSHOT_EVERY as usize,
        "thinned: {held:?}"
    );
    // The rest of the history is bounded by the small limits too: twice as
    // long a run holds no more.
    let mut longer = small(name);
    run_in_slices(&mut longer, 600_000);
    let more = longer.memory();
    assert!(
        more.history() <= held.history() + held.history() / 8,
        "{held:?} then {more:?}"
    );
    assert!(back.sim.trace().kept() <= 400);
    assert!(
        back.sim.trace().first_index() > 0,
        "old events were dropped"
    );
    assert!(back.history.rows().len() <= 128);
    assert!(back.history.rows_total() > 128);
    // Into the thinned past: replayed from an earlier snapshot, its packed
    // pages put back, to exactly the state of a straight run. (The timeline
    // rows of events older than those kept are not rebuilt.)
    let far = 123_456;
    longer.apply(&Command::Seek { cycle: far });
    let mut exact = long(name);
    exact.apply(&Command::Run { cycles: far });
    let (got, want) = (longer.view(), exact.view());
    assert_eq!(got.cycle, far);
    assert_eq!(got.cpu, want.cpu);
    assert_eq!(got.processes, want.processes);
    assert_eq!(got.events, want.events);
    // Within the trace kept: the views too.
    for target in [299_500, 298_800] {
        back.apply(&Command::Seek { cycle: target });
        let mut straight = small(name);
        straight.apply(&Command::Run { cycles: target });
        let mut unbounded = long(name);
        unbounded.apply(&Command::Run { cycles: target });
        let (got, want, exact) = (back.view(), straight.view(), unbounded.view());
        // The rewound session may keep fewer rows (it dropped some before
        // going back); the rows both keep are the same.
        let n = got.timeline.len().min(want.timeline.len());
        assert!(n >= 10, "{n} rows kept at {target}");
        let tail = |rows: &[TimelineRow]| rows[rows.len() - n..].to_vec();
        assert_eq!(tail(&got.timeline), tail(&want.timeline), "at {target}");
        assert_eq!(got.gantt, want.gantt, "at {target}");
        assert_eq!(got.gantt, exact.gantt, "the chart keeps the dropped spans");
        assert_eq!(got.timeline_total, exact.timeline_total);
        assert_eq!(got.events, exact.events);
    }
}

/// A page on a fast machine asks for longer slices: one `Run` of many
/// cycles must hold no more of the logs than the same run in short slices,
/// beyond one stretch between history syncs ([`SYNC_EVERY`]: the retired
/// instructions of a stretch stay until the history has read them, and the
/// log keeps the chunks they took for reuse).
#[test]
fn a_long_slice_holds_no_more_of_the_trace_than_short_ones() {
    let name = "loop-preemptive";
    let mut short = small(name);
    run_in_slices(&mut short, 600_000);
    let mut long_slices = small(name);
    long_slices.apply(&Command::Run { cycles: 300_000 });
    long_slices.apply(&Command::Run { cycles: 300_000 });
    assert_eq!(long_slices.cycle(), short.cycle());
    let (a, b) = (short.memory().sim, long_slices.memory().sim);
    // Each cycle retires at most one instruction.
    let mark = std::mem::size_of::<crate::sim::InstrMark>();
    assert!(
        b.instrs <= a.instrs + SYNC_EVERY as usize * mark,
        "{a:?} then {b:?}"
    );
    assert!(
        b.trace <= a.trace + a.trace / 2 + (64 << 10),
        "{a:?} then {b:?}"
    );
    // Nor is a slice held whole (with syncs every 2^20 cycles, 3.1 MB).
    assert!(b.instrs < 300_000 / 2 * mark, "{b:?}");
}

/// Inside a user-library stub the code panel shows the stub; while the
/// kernel runs a C-level step it names that step and what it does.
#[test]
fn the_code_view_follows_library_stubs_and_kernel_steps() {
    let mut s = Session::load_builtin("processes-vs-threads").expect("built-in");
    s.skip_boot();
    // movl $100, …; call fork → the CPU is in the stub `fork:`.
    s.apply(&Command::Step {
        granularity: Granularity::Instruction,
    });
    s.apply(&Command::Step {
        granularity: Granularity::Instruction,
    });
    let v = s.view();
    let code = &v.code;
    assert!(code.title.contains("user library: fork"), "{}", code.title);
    let from = code.library_from.expect("stub shown");
    let cur = code.current_line.expect("a current line");
    assert!(cur > from);
    let text = &code.lines.iter().find(|l| l.line == cur).unwrap().text;
    assert!(text.contains("movl $SYS_fork, %eax"), "{text}");
    assert!(code.lines.iter().any(|l| l.text.contains("int $64")));
    assert!(!code.lines.iter().any(|l| l.text.starts_with("exit:")));
    // Into the kernel: the step running is named, never a lone nop.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        s.apply(&Command::Step {
            granularity: Granularity::Instruction,
        });
        let v = s.view();
        if let Some(step) = &v.code.step {
            assert!(v.code.kernel);
            assert!(!step.about.is_empty());
            if step.function == "sys_fork" {
                // From the one system-call table.
                assert_eq!(
                    step.about,
                    "copy the address space into a new child process"
                );
            }
            assert_eq!(
                v.cpu.kernel_function.as_deref(),
                Some(step.function.as_str())
            );
            seen.insert(step.function.clone());
        }
    }
    for f in ["trap", "sys_fork", "scheduler", "trapret"] {
        assert!(seen.contains(f), "{f} not named: {seen:?}");
    }
}

#[test]
fn the_process_table_has_what_the_policy_decides_by() {
    let mut s = Session::load_builtin("convoy-stcf").expect("built-in");
    s.apply(&Command::Seek { cycle: 10_000 });
    let v = s.view();
    assert!(v.policy_uses.job_length && !v.policy_uses.tickets);
    let p = &v.processes[0];
    let len = 100 * s.scenario().time_unit;
    assert_eq!(p.job_length, Some(len));
    assert_eq!(p.remaining, Some(len - p.cpu));
    let v = Session::load_builtin("lottery-fairness").unwrap().view();
    assert!(v.policy_uses.tickets && !v.policy_uses.job_length);
    let v = Session::load_builtin("rr-response").unwrap().view();
    assert_eq!(v.policy_uses, PolicyUses::default());
}

#[test]
fn a_shallower_view_is_the_tail_of_the_full_one() {
    let mut s = small("syscall-read");
    let _ = s.apply(&Command::Run { cycles: 40_000 });
    let full = s.view();
    assert!(
        full.timeline.len() > 30 && full.events.len() > 30,
        "enough history"
    );
    let shallow = s.view_to(ViewDepth {
        timeline: 24,
        events: 20,
        gantt_lanes: 1,
    });
    assert_eq!(
        shallow.timeline[..],
        full.timeline[full.timeline.len() - 24..]
    );
    assert_eq!(shallow.events[..], full.events[full.events.len() - 20..]);
    assert_eq!(shallow.timeline_total, full.timeline_total);
    assert!(full.gantt.len() > 1 && full.gantt.len() == full.gantt_total);
    assert_eq!(shallow.gantt[..], full.gantt[..1]);
    assert_eq!(shallow.gantt_total, full.gantt_total);
    // Everything else is the same view.
    let strip = |mut v: View| {
        v.timeline.clear();
        v.events.clear();
        v.gantt.clear();
        v
    };
    assert_eq!(strip(shallow), strip(full));
}

#[test]
fn a_seek_into_the_far_past_brings_back_the_timeline() {
    for name in ["loop-preemptive", "mlfq-long", "io-overlap"] {
        let mut s = small(name);
        run_in_slices(&mut s, 900_000);
        let end = s.cycle();
        for target in [end / 2, end / 10, 20_000] {
            s.apply(&Command::Seek { cycle: target });
            let mut straight = small(name);
            run_in_slices(&mut straight, target);
            let (v, w) = (s.view(), straight.view());
            assert_eq!(v.cycle, target);
            assert!(
                !v.timeline.is_empty(),
                "{name}: rows after a seek to {target}"
            );
            assert_chart_close(&v, &w, &format!("{name}: the chart at {target}"));
            let tail = |v: &View, n: usize| v.timeline[v.timeline.len() - n..].to_vec();
            let n = v.timeline.len().min(w.timeline.len()).min(8);
            assert_eq!(
                tail(&v, n),
                tail(&w, n),
                "{name}: the newest rows at {target}"
            );
            // The count before them is exact to within the rows one drop keeps.
            let limit = s.history.limits.rows;
            assert!(
                v.timeline_total <= w.timeline_total
                    && v.timeline_total + limit >= w.timeline_total,
                "{name}: {} rows in all, straight {}",
                v.timeline_total,
                w.timeline_total
            );
        }
    }
}

/// A [`small`] session whose snapshots may hold more: thinned, but not to
/// a handful over the run (with 48 KiB, a seek replays most of the run
/// whichever way it goes).
fn kept(name: &str) -> Session {
    let mut s = small(name);
    s.set_snapshot_budget(256 << 10);
    s
}

/// The Gantt charts of `v` and of a straight run there, `w`, agree to
/// within a column. After a seek far back, the chart comes from the bins the
/// run had when it first outgrew that far (`GanttBins`' levels), whose width
/// is that of a straight run to the cycle sought, or twice it (a straight
/// run's width follows its closed spans, not the cycle), so a bin may
/// straddle two columns; and the bin that holds the cycle keeps what ran in
/// it later (the last column is left out).
fn assert_chart_close(v: &View, w: &View, what: &str) {
    let pids = |v: &View| v.gantt.iter().map(|l| l.pid).collect::<Vec<_>>();
    assert_eq!(pids(v), pids(w), "{what}: lanes");
    let within = |a: &[u8], b: &[u8]| {
        (0..a.len() - 1).find(|&c| {
            let near = b[c.saturating_sub(1)] | b[c] | b[(c + 1).min(b.len() - 1)];
            a[c] & !near != 0
        })
    };
    for (l, m) in v.gantt.iter().zip(&w.gantt) {
        for (a, b, which) in [(&l.cols, &m.cols, "more"), (&m.cols, &l.cols, "less")] {
            if let Some(c) = within(a, b) {
                panic!(
                    "{what}: lane {:?} shows {which} than a straight run at column {c}: {:?} against {:?}",
                    l.pid,
                    &l.cols[c.saturating_sub(2)..(c + 3).min(l.cols.len())],
                    &m.cols[c.saturating_sub(2)..(c + 3).min(m.cols.len())]
                );
            }
        }
    }
}

/// Views of `s` and of a straight run to the same cycle agree. Returns the
/// cycles a seek back from `reached` to there runs.
fn same_as_straight(name: &str, s: &Session, reached: u64, what: &str) -> u64 {
    let target = s.cycle();
    let mut straight = small(name);
    run_in_slices(&mut straight, target);
    let (v, w) = (s.view(), straight.view());
    assert_eq!(v.cycle, target, "{what}");
    assert_eq!(v.cpu, w.cpu, "{what}");
    assert_eq!(v.processes, w.processes, "{what}");
    assert_eq!(v.events, w.events, "{what}");
    assert_chart_close(&v, &w, what);
    let mut back = kept(name);
    run_in_slices(&mut back, reached);
    let before = back.sim.cycles_run();
    back.apply(&Command::Seek { cycle: target });
    let seek_back = back.sim.cycles_run() - before;
    let n = v.timeline.len().min(w.timeline.len()).min(8);
    assert!(n > 0, "{what}: no rows");
    let tail = |v: &View| v.timeline[v.timeline.len() - n..].to_vec();
    assert_eq!(tail(&v), tail(&w), "{what}: the newest rows");
    let limit = s.history.limits.rows;
    assert!(
        v.timeline_total <= w.timeline_total && v.timeline_total + limit >= w.timeline_total,
        "{what}: {} rows in all, straight {}",
        v.timeline_total,
        w.timeline_total
    );
    seek_back
}

#[test]
fn a_seek_forward_to_where_the_run_was_replays_from_the_snapshots_kept() {
    for name in ["loop-preemptive", "mlfq-long"] {
        let mut s = kept(name);
        run_in_slices(&mut s, 900_000);
        let end = s.cycle();
        s.apply(&Command::Seek { cycle: 20_000 });
        assert_eq!(s.reached(), end, "{name}");
        // What was kept ahead was within the budget before; behind, the
        // newest two snapshots stay whatever they cost.
        let held = s.memory().sim;
        assert!(
            held.snapshot_bytes + held.ahead_snapshots <= (256 << 10) * 9 / 8,
            "{name}: {held:?}"
        );
        // Each seek forward costs what a seek back from the end to there
        // does (a replay from the snapshot before it, and at most twice
        // SEEK_EVENTS_REACH further back to bring back the newest events
        // when they are sparse, as in mlfq-long), not the way there.
        let seek = |s: &mut Session, target: u64, what: &str| {
            let (from, before) = (s.cycle(), s.sim.cycles_run());
            s.apply(&Command::Seek { cycle: target });
            let ran = s.sim.cycles_run() - before;
            let back = same_as_straight(name, s, end, what);
            let reach = 2 * crate::sim::SEEK_EVENTS_REACH;
            assert!(
                ran <= back.max(reach) + crate::sim::SNAPSHOT_EVERY,
                "{what}: {ran} cycles run from {from}, a seek back from the end runs {back}"
            );
            ran
        };
        let ran = seek(&mut s, end / 2, &format!("{name}: forward to the middle"));
        assert!(ran < end / 2 - 20_000, "{name}: {ran}");
        seek(&mut s, end - 1, &format!("{name}: forward to the end - 1"));
        seek(&mut s, end, &format!("{name}: forward to the end"));
        // Back again, a little forward by running, then forward to the end:
        // the snapshots the run made again replace those kept.
        s.apply(&Command::Seek { cycle: 100_000 });
        run_in_slices(&mut s, 150_000);
        assert_eq!(s.reached(), end, "{name}");
        seek(
            &mut s,
            end,
            &format!("{name}: back, run, forward to the end"),
        );
        // A run past where the run had been drops what was kept ahead.
        s.apply(&Command::Seek { cycle: 300_000 });
        run_in_slices(&mut s, end + 20_000);
        assert_eq!(s.sim.ahead_end(), None, "{name}");
        assert_eq!(s.memory().sim.ahead_snapshots, 0, "{name}");
        assert!(s.ahead_history.is_none(), "{name}");
        same_as_straight(name, &s, end + 20_000, &format!("{name}: run past the end"));
    }
}

#[test]
fn a_short_seek_back_keeps_nothing_ahead() {
    let mut s = small("loop-preemptive");
    run_in_slices(&mut s, 400_000);
    s.apply(&Command::Seek {
        cycle: 400_000 - crate::sim::AHEAD_KEEPS,
    });
    assert_eq!(s.sim.ahead_end(), None);
    assert!(s.ahead_history.is_none());
    assert_eq!(s.reached(), s.cycle());
}
