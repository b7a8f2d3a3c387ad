//! Questions graded by the engine, homework problems, and the OSTEP
//! homework command lines as scenarios.

use sim_core::ostep::to_scenario;
use sim_core::session::{homework, Report, Session};
use sim_core::sim::TraceLevel;

/// Right and wrong answers to one question of a lesson: the engine's own
/// answer is "Correct", anything else "Not quite" with the deciding rows.
fn both_verdicts(lesson: &str, id: &str, right: &str, wrong: &str) {
    let s = Session::load_builtin(lesson).expect("lesson");
    assert!(s.questions().iter().any(|q| q.id == id), "{lesson}: {id}");
    let yes = s.grade(id, right).expect("graded");
    assert!(
        yes.correct && yes.text.starts_with("Correct"),
        "{lesson}: {yes:?}"
    );
    let no = s.grade(id, wrong).expect("graded");
    assert!(
        !no.correct && no.text.starts_with("Not quite"),
        "{lesson}: {no:?}"
    );
    assert!(
        !no.explanation.is_empty(),
        "{lesson}: the rows that decide it"
    );
}

#[test]
fn every_kind_of_question_is_graded_against_the_engine() {
    both_verdicts("restricted-instruction", "cli-faults", "#GP", "no fault");
    both_verdicts(
        "syscall-read",
        "mode-after-int",
        "kernel \u{00b7} CPL 0",
        "user \u{00b7} CPL 3",
    );
    both_verdicts("lde-timer", "after-timer", "P2 B", "P1 A");
    both_verdicts("lde-syscall", "int-faults", "no fault", "#GP");
    both_verdicts("convoy-fifo", "avg-turnaround", "110", "50");
    both_verdicts("sjf-late", "avg-turnaround", "103.33", "103");
    both_verdicts("processes-vs-threads", "parent-value", "100", "200");
    both_verdicts("stride-table", "second", "P2 B", "P3 C");
}

#[test]
fn every_question_of_every_lesson_has_an_engine_answer() {
    for name in ["lde-boot", "sched-fifo", "mlfq-short", "io-overlap"] {
        let s = Session::load_builtin(name).expect("lesson");
        for q in s.questions() {
            let v = s
                .grade(&q.id, "?")
                .unwrap_or_else(|| panic!("{name}: {}", q.id));
            assert!(!v.correct && !v.answer.is_empty(), "{name}: {v:?}");
            if !q.choices.is_empty() {
                assert!(q.choices.contains(&v.answer), "{name}: {v:?} {q:?}");
            }
        }
    }
}

#[test]
fn homework_from_a_seed_graded_cell_by_cell() {
    let s = homework(42);
    assert_eq!(s, homework(42), "same seed, same problem");
    assert_ne!(s, homework(43));
    assert!(s.homework && s.seed == 42);
    let session = Session::new(s.clone()).expect("runs");
    // The engine's own values, then one cell wrong by a whole unit.
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(s.max_cycles, &[]);
    let r = Report::new(&s, sim.kernel(), sim.cycle());
    let mut cells = Vec::new();
    for (i, j) in r.jobs.iter().enumerate() {
        cells.push((
            i,
            "response".to_string(),
            format!("{:.2}", j.response.unwrap()),
        ));
        cells.push((
            i,
            "turnaround".to_string(),
            format!("{:.2}", j.turnaround.unwrap()),
        ));
        cells.push((i, "wait".to_string(), format!("{:.2}", j.wait)));
    }
    let all = session.grade_homework(&cells);
    assert_eq!(all.len(), 9);
    assert!(all.iter().all(|c| c.correct), "{all:?}");
    cells[1].2 = format!("{}", r.jobs[0].turnaround.unwrap() + 1.0);
    let one = session.grade_homework(&cells[1..2]);
    assert!(!one[0].correct && one[0].metric == "turnaround");
}

#[test]
fn an_ostep_command_line_becomes_a_scenario_with_the_same_answers() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // scheduler.py -p FIFO -l 10,20 -c: average turnaround (10 + 30) / 2 = 20.
    let s = to_scenario("scheduler", &args(&["-p", "FIFO", "-l", "10,20"])).expect("scenario");
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(s.max_cycles, &[]);
    let a = Report::new(&s, sim.kernel(), sim.cycle())
        .averages
        .expect("done");
    assert!((a.turnaround - 20.0).abs() < 0.01, "{a:?}");
    // RR with a 1-unit slice: 14 for three jobs of 5 (OSTEP figure 7.7).
    let s = to_scenario("scheduler", &args(&["-p", "RR", "-q", "1", "-l", "5,5,5"])).unwrap();
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(s.max_cycles, &[]);
    let a = Report::new(&s, sim.kernel(), sim.cycle())
        .averages
        .expect("done");
    assert!((a.turnaround - 14.0).abs() < 0.05, "{a:?}");
    for (tool, a) in [
        (
            "mlfq",
            args(&["-l", "0,20,5:5,10,0", "-i", "2", "-B", "50"]),
        ),
        ("lottery", args(&["-l", "5:100,5:50", "-s", "3"])),
    ] {
        let s = to_scenario(tool, &a).unwrap_or_else(|e| panic!("{tool}: {e}"));
        let mut sim = s.build(TraceLevel::Off).expect("builds");
        sim.run(s.max_cycles, &[]);
        let r = Report::new(&s, sim.kernel(), sim.cycle());
        assert!(r.jobs.iter().all(|j| j.finish.is_some()), "{tool}: {r:?}");
    }
    assert!(to_scenario("scheduler", &args(&["-p", "XYZ"])).is_err());
}
