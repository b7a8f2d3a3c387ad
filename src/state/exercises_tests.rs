//! Reducer tests of the exercises: questions, homework, the comparison of
//! policies and the unfairness plot, each run by the engine.
use super::tests::reduce;
use super::*;
use sim_core::session::Policy;

#[test]
fn the_comparison_runs_a_second_session_on_the_same_clock() {
    use sim_core::session::{ConceptQuery, ConceptTab, ConceptView, ExecMode};
    let mut s = Rc::new(AppState::open("direct-execution", None));
    assert_eq!(s.concept.tab, ConceptTab::Compare, "the lesson opens on it");
    for a in [
        Action::Step(Granularity::Instruction),
        Action::Step(Granularity::Trap),
        Action::Seek(50_000),
        Action::Back(Granularity::Instruction),
    ] {
        s = reduce(s, a);
        let v = s.view.clone().unwrap();
        let Some(ConceptView::Compare(c)) = &v.concept else {
            panic!("no comparison");
        };
        assert_eq!(c.panes[0].mode, ExecMode::Direct);
        assert_eq!(c.panes[0].cycle, v.cycle);
        let twin = s.twin.as_ref().unwrap().borrow().cycle();
        // The other pane's session stops only where its own run ends.
        assert!(twin == v.cycle || c.panes[1].cycle == twin);
    }
    // Another view: the second session goes.
    s = reduce(
        s,
        Action::Concept(ConceptQuery {
            tab: ConceptTab::Rings,
            ..ConceptQuery::default()
        }),
    );
    assert!(s.twin.is_none());
    assert!(matches!(
        s.view.as_ref().unwrap().concept,
        Some(ConceptView::Rings(_))
    ));
}

#[test]
fn questions_are_graded_right_and_wrong() {
    let mut s = Rc::new(AppState::open("sched-fifo", None));
    assert!(s.questions.iter().any(|q| q.id == "avg-turnaround"));
    let answer = |s, a: &str| {
        reduce(
            s,
            Action::Answer {
                question: "avg-turnaround".into(),
                answer: a.into(),
            },
        )
    };
    s = answer(s, "30");
    let (_, v) = &s.verdicts[0];
    assert!(v.text.starts_with("Not quite") && !v.explanation.is_empty());
    assert_eq!(
        s.answered.as_ref().map(|a| (a.seq, a.correct)),
        Some((1, false))
    );
    s = answer(s, "20");
    assert_eq!(s.verdicts.len(), 1);
    assert!(s.verdicts[0].1.text.starts_with("Correct"));
    assert_eq!(
        s.answered.as_ref().map(|a| (a.seq, a.correct)),
        Some((2, true))
    );
}

#[test]
fn compares_policies_and_grades_homework() {
    let mut s = Rc::new(AppState::open("convoy-fifo", None));
    s = reduce(s, Action::Compare(vec![Policy::Fifo, Policy::Sjf]));
    // The runs go on a slice per frame, saying where they are, while the
    // page stays responsive.
    assert!(s.in_background() && s.compared.is_none());
    let mut frames = 0;
    let mut said = Vec::new();
    while s.in_background() {
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 16.0,
                work_ms: None,
            },
        );
        said.extend(s.compare_status.clone());
        frames += 1;
        assert!(frames < 100_000, "the comparison ends");
    }
    assert!(frames > 2, "{frames} frames");
    assert!(said.iter().any(|t| t.contains("FIFO (1 of 2)")), "{said:?}");
    assert!(said.iter().any(|t| t.contains("SJF (2 of 2)")), "{said:?}");
    assert!(s.compare_status.is_none());
    let Some(Ok(c)) = s.compared.as_deref() else {
        panic!("no comparison")
    };
    let avg: Vec<f64> = c
        .columns
        .iter()
        .map(|c| c.report.averages.map_or(0.0, |a| a.turnaround))
        .collect();
    assert!(
        (avg[0] - 110.0).abs() < 0.01 && (avg[1] - 50.0).abs() < 0.01,
        "{avg:?}"
    );
    s = reduce(s, Action::NewHomework(7));
    assert_eq!(s.origin, Origin::Homework(7));
    assert!(s.compared.is_none());
    s = reduce(
        s,
        Action::CheckHomework(vec![(0, "response".into(), "0".into())]),
    );
    assert_eq!(s.homework_cells.len(), 1);
}

#[test]
fn the_unfairness_plot_is_drawn_from_engine_runs() {
    let mut s = Rc::new(AppState::open("lottery-unfairness", None));
    assert!(s.unfairness.is_none());
    s = reduce(s, Action::PlotUnfairness);
    // Computed a slice per frame: the page keeps drawing meanwhile.
    let mut frames = 0;
    while s.unfairness.is_none() {
        assert!(s.in_background() && s.plot_status.is_some());
        s = reduce(
            s,
            Action::Tick {
                dt_ms: 1000.0 / 60.0,
                work_ms: None,
            },
        );
        frames += 1;
        assert!(frames < 100_000, "the plot finishes");
    }
    assert!(frames > 1 && !s.in_background() && s.plot_status.is_none());
    let pts = s.unfairness.clone().expect("drawn");
    let lengths: Vec<u64> = pts.iter().map(|p| p.length).collect();
    assert_eq!(lengths, sim_core::session::unfairness::LENGTHS);
    assert!(pts
        .iter()
        .all(|p| p.runs == 5 && p.mean > 0.0 && p.mean <= 1.0));
    // The book's shape: short jobs are treated unfairly, long ones nearly fairly.
    assert!(pts[0].mean < 0.8 && pts[6].mean > 0.9, "{pts:?}");
}
