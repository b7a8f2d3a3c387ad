//! The textbook's figures, number for number (OSTEP chapters 6–9): every
//! lesson of the book runs on the engine and shows the book's numbers (in
//! the lesson's time unit, to two decimals), rows, picks or queue levels.

use sim_core::kernel::OsEvent;
use sim_core::kernel::Pid;
use sim_core::scenario::{builtin, Scenario};
use sim_core::sched::Policy;
use sim_core::session::compare::{compare, with_policy};
use sim_core::session::{unfairness, Actor, Command, Report, Session};
use sim_core::sim::{Sim, TraceLevel};
use sim_core::trace::TraceKind;

fn lesson(name: &str) -> Scenario {
    builtin(name).unwrap_or_else(|| panic!("no lesson {name}"))
}

fn run(s: &Scenario) -> (Sim, Report) {
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(s.max_cycles, &[]);
    let r = Report::new(s, sim.kernel(), sim.cycle());
    (sim, r)
}

/// The book's figure, to two decimals: the kernel's work does not change it.
fn same(engine: f64, book: f64, what: &str) {
    assert_eq!(
        format!("{engine:.2}"),
        format!("{book:.2}"),
        "{what}: engine {engine:.5}, book {book}"
    );
}

fn averages(name: &str) -> (f64, f64) {
    let (_, r) = run(&lesson(name));
    let a = r.averages.expect("jobs completed");
    assert_eq!(a.jobs, 3, "{name}: averages over the figure's jobs");
    (a.turnaround, a.response)
}

#[test]
fn chapter_7_average_turnaround_and_response() {
    for (name, turnaround) in [
        ("sched-fifo", 20.0),
        ("convoy-fifo", 110.0),
        ("convoy-sjf", 50.0),
        ("sjf-late", 310.0 / 3.0),
        ("stcf-late", 50.0),
        ("convoy-stcf", 50.0),
    ] {
        same(averages(name).0, turnaround, name);
    }
    let (t, r) = averages("sjf-response");
    same(r, 5.0, "sjf-response: response");
    same(t, 10.0, "sjf-response: turnaround");
    let (t, r) = averages("rr-response");
    same(r, 1.0, "rr-response: response");
    same(t, 14.0, "rr-response: turnaround");
}

#[test]
fn every_book_lesson_states_its_unit_chapter_book_and_a_question() {
    for name in [
        "sched-fifo",
        "convoy-fifo",
        "convoy-sjf",
        "sjf-late",
        "stcf-late",
        "sjf-response",
        "rr-response",
        "io-overlap",
        "stride-table",
        "lottery-fairness",
        "lottery-unfairness",
        "lde-boot",
        "lde-syscall",
        "lde-timer",
        "mlfq-long",
        "mlfq-short",
        "mlfq-interactive",
        "mlfq-starve",
        "mlfq-boost",
        "mlfq-gaming",
        "mlfq-accounting",
    ] {
        let s = lesson(name);
        assert!(s.chapter.starts_with("OSTEP "), "{name}");
        assert!(!s.book.is_empty(), "{name}: what the book says");
        assert!(!s.questions.is_empty(), "{name}: a question");
        if !name.starts_with("lde-") {
            assert!(s.time_unit > 1, "{name}: a time unit");
        }
    }
}

#[test]
fn io_overlap_with_and_without() {
    let s = lesson("io-overlap");
    let view = compare(
        &s,
        &[
            Policy::Stcf { overlap_io: true },
            Policy::Stcf { overlap_io: false },
        ],
    )
    .expect("runs");
    let total = |r: &Report| r.jobs.iter().filter_map(|j| j.finish).fold(0.0, f64::max);
    let (with, without) = (&view.columns[0].report, &view.columns[1].report);
    same(total(with), 100.0, "with overlap: total time");
    same(with.idle, 0.0, "with overlap: idle");
    same(total(without), 140.0, "without overlap: total time");
    same(without.idle, 40.0, "without overlap: idle");
}

#[test]
fn convoy_compared_fifo_110_next_to_sjf_50() {
    let s = lesson("convoy-fifo");
    let view = compare(&s, &[Policy::Fifo, Policy::Sjf]).expect("runs");
    let avg = |i: usize| view.columns[i].report.averages.expect("done").turnaround;
    same(avg(0), 110.0, "FIFO");
    same(avg(1), 50.0, "SJF");
    assert_eq!(view.columns[0].policy, "FIFO");
    assert_eq!(view.end, view.columns.iter().map(|c| c.end).max().unwrap());
}

/// The scheduler() rows: (who runs, the pass values it chose from).
#[test]
fn stride_table_picks_and_passes() {
    let s = lesson("stride-table");
    let mut sim = s.build(TraceLevel::Steps).expect("builds");
    sim.run(s.max_cycles, &[]);
    let names = ["A", "B", "C"];
    let mut rows = Vec::new();
    for e in sim.trace().iter() {
        if let TraceKind::Os(OsEvent::KernelStep { function, outcome }) = &e.kind {
            let detail = sim_core::session::kernel_step(outcome);
            if *function == "scheduler" && detail.contains("picks") {
                let who = detail
                    .split("picks T")
                    .nth(1)
                    .and_then(|r| r.split(' ').next())
                    .and_then(|t| t.parse::<usize>().ok())
                    .expect("a thread");
                let passes: Vec<u64> = detail
                    .split(": pass ")
                    .nth(1)
                    .expect("pass values")
                    .split(", ")
                    .map(|p| {
                        p.split(' ')
                            .nth(1)
                            .and_then(|v| v.parse().ok())
                            .expect("pass")
                    })
                    .collect();
                rows.push((names[who - 1], passes));
            }
        }
    }
    let picks: Vec<&str> = rows.iter().take(8).map(|r| r.0).collect();
    assert_eq!(picks, ["A", "B", "C", "C", "C", "A", "C", "C"]);
    let passes: Vec<Vec<u64>> = rows.iter().take(9).map(|r| r.1.clone()).collect();
    assert_eq!(
        passes,
        [
            [0, 0, 0],
            [100, 0, 0],
            [100, 200, 0],
            [100, 200, 40],
            [100, 200, 80],
            [100, 200, 120],
            [200, 200, 120],
            [200, 200, 160],
            [200, 200, 200],
        ]
    );
}

#[test]
fn lottery_shares_after_ten_thousand_slices() {
    let s = lesson("lottery-fairness");
    let (sim, r) = run(&s);
    assert!(
        sim.kernel().ticks() >= 10_000,
        "{} slices",
        sim.kernel().ticks()
    );
    let (a, b) = (r.jobs[0].cpu, r.jobs[1].cpu);
    let share = a / (a + b);
    assert!((share - 0.75).abs() < 0.02, "A's share {share}");
}

/// OSTEP figure 9.2: the average unfairness of two equal jobs climbs
/// towards 1 as the jobs get longer.
#[test]
fn lottery_unfairness_plot() {
    let base = lesson("lottery-unfairness");
    let mean_u = |len: u64, seeds: u32| {
        let p = &unfairness::curve(&base, &[len], seeds)[0];
        assert_eq!(p.runs, seeds, "every run finishes");
        p.mean
    };
    let (u1, u10, u100, u1000) = (
        mean_u(1, 12),
        mean_u(10, 12),
        mean_u(100, 6),
        mean_u(1000, 3),
    );
    assert!(u1 < 0.8, "length 1: {u1}");
    assert!(u10 < u1000 && u100 < u1000, "{u10} {u100} {u1000}");
    assert!(u1000 > 0.9, "length 1000: {u1000}");
}

/// Rows of the three-column timeline that contain these texts, in order.
fn rows_in_order(name: &str, want: &[(Actor, &str)]) {
    let mut s = Session::load_builtin(name).expect("loads");
    s.apply(&Command::Run { cycles: 1_000_000 });
    let v = s.view();
    let mut next = 0;
    for r in &v.timeline {
        if next < want.len() && r.actor == want[next].0 && r.text.contains(want[next].1) {
            next += 1;
        }
    }
    assert_eq!(
        next,
        want.len(),
        "{name}: missing {:?} in\n{}",
        want.get(next),
        v.timeline
            .iter()
            .map(|r| format!("{:?} {}", r.actor, r.text))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn chapter_6_protocol_rows_in_the_books_order() {
    use Actor::*;
    rows_in_order(
        "lde-boot",
        &[
            (Os, "initialize trap table"),
            (Os, "start interrupt timer"),
            (Os, "allocproc(): create P1"),
            (Os, "trapret()"),
            (Hardware, "return-from-trap"),
            (Program, "run the program"),
        ],
    );
    rows_in_order(
        "lde-syscall",
        &[
            (Os, "allocproc(): create P1"),
            (Os, "trapret()"),
            (Hardware, "return-from-trap (iret): restore"),
            (Program, "run the program"),
            (Hardware, "int $64: trap: switch to the kernel stack"),
            (Os, "system call 5 (write)"),
            (Os, "sys_write()"),
            (Os, "trapret()"),
            (Hardware, "return-from-trap (iret): restore"),
            (Program, "run the program"),
            (Hardware, "int $64"),
            (Os, "sys_exit()"),
        ],
    );
    rows_in_order(
        "lde-timer",
        &[
            (Program, "run the program"),
            (
                Hardware,
                "interrupt (vector 32): switch to the kernel stack",
            ),
            (Os, "timer_intr()"),
            (Os, "picks T2"),
            (Os, "swtch(): save context of T1, restore T2"),
            (Os, "trapret(): return to T2"),
            (Hardware, "return-from-trap (iret)"),
            (Program, "run the program"),
        ],
    );
}

/// MLFQ queue level (0 = top) of process `pid` at each listed unit.
fn levels(s: &Scenario, pid: u32, at: &[u64]) -> Vec<Option<usize>> {
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    at.iter()
        .map(|&t| {
            sim.run(t * s.time_unit, &[]);
            let k = sim.kernel();
            k.policy().queues().levels.iter().position(|l| {
                l.threads
                    .iter()
                    .any(|t| k.thread(*t).is_some_and(|t| t.pid == Pid(pid)))
            })
        })
        .collect()
}

/// CPU time (units) of `pid` at unit `t`.
fn cpu_at(s: &Scenario, pid: usize, t: u64) -> f64 {
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(t * s.time_unit, &[]);
    Report::new(s, sim.kernel(), sim.cycle()).jobs[pid].cpu
}

#[test]
fn mlfq_long_job_sinks_short_job_finishes_near_the_top() {
    let s = lesson("mlfq-long");
    assert_eq!(
        levels(&s, 1, &[5, 15, 25, 100, 190]),
        [Some(0), Some(1), Some(2), Some(2), Some(2)]
    );
    let s = lesson("mlfq-short");
    assert_eq!(levels(&s, 1, &[99]), [Some(2)], "A is at the bottom");
    assert_eq!(levels(&s, 2, &[105, 115]), [Some(0), Some(1)]);
    let (_, r) = run(&s);
    let b = r.jobs[1].turnaround.expect("B done");
    assert!((b - 20.0).abs() < 0.3, "B's turnaround {b}");
}

#[test]
fn mlfq_interactive_job_stays_on_top() {
    let s = lesson("mlfq-interactive");
    let b: Vec<_> = levels(&s, 2, &(51..120).step_by(3).collect::<Vec<_>>());
    assert!(b.iter().all(|l| matches!(l, Some(0) | None)), "{b:?}");
    assert!(b.contains(&Some(0)));
    assert_eq!(levels(&s, 1, &[60]), [Some(2)]);
}

#[test]
fn mlfq_starves_without_a_boost_and_not_with_one() {
    let starve = lesson("mlfq-starve");
    let a = cpu_at(&starve, 0, 60);
    let later = cpu_at(&starve, 0, 150);
    assert!(later - a < 0.1, "A starves: {a} then {later}");
    let boost = lesson("mlfq-boost");
    let a = cpu_at(&boost, 0, 60);
    let later = cpu_at(&boost, 0, 150);
    assert!(later - a >= 1.0, "A runs after a boost: {a} then {later}");
}

#[test]
fn mlfq_gaming_cured_by_accounting() {
    let gaming = lesson("mlfq-gaming");
    let at: Vec<u64> = (25..120).step_by(5).collect();
    let g = levels(&gaming, 2, &at);
    assert!(g.iter().all(|l| matches!(l, Some(0) | None)), "{g:?}");
    let share = |s: &Scenario| {
        let (a0, g0) = (cpu_at(s, 0, 40), cpu_at(s, 1, 40));
        let (a1, g1) = (cpu_at(s, 0, 120), cpu_at(s, 1, 120));
        (g1 - g0) / ((g1 - g0) + (a1 - a0))
    };
    let gamed = share(&gaming);
    assert!(gamed > 0.85, "the gamer takes {gamed}");
    let acct = lesson("mlfq-accounting");
    let g = levels(&acct, 2, &at);
    assert!(g.contains(&Some(2)), "the gamer sinks: {g:?}");
    let fair = share(&acct);
    assert!(fair < 0.7, "the gamer gets {fair}");
}

#[test]
fn no_overlap_is_a_checked_policy_parameter() {
    let s = with_policy(&lesson("io-overlap"), &Policy::Stcf { overlap_io: false });
    let text = s.to_json();
    assert!(text.contains("\"overlap_io\": false"), "{text}");
    assert_eq!(Scenario::from_json(&text), Ok(s));
    let mut bad: serde_json::Value = serde_json::from_str(&text).unwrap();
    bad["time_unit"] = 0.into();
    let e = Scenario::from_json(&bad.to_string()).unwrap_err();
    assert_eq!(e[0].path, "$.time_unit");
}
