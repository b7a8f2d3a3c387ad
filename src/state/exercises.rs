//! Exercises the engine grades (a lesson's questions, homework cells) and
//! the comparison of policies: each asks the session, which runs a fresh
//! copy of the scenario; the page only shows what it answers.

use sim_core::session::compare::compare;
use sim_core::session::{homework, CompareView, Policy, Verdict};

use super::*;

/// A graded answer, for the page that embeds this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// Counts graded answers, so each is posted once.
    pub seq: u64,
    pub question: String,
    pub correct: bool,
}

/// Seeds per point of the unfairness plot: enough for its shape, quick in
/// the page (the book averages more; `tests/book.rs` checks the trend).
const PLOT_SEEDS: u32 = 5;

impl AppState {
    /// Grades `answer` to question `id` and keeps the verdict.
    pub(super) fn answer(&mut self, id: String, answer: &str) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let Some(verdict) = session.borrow().grade(&id, answer) else {
            return;
        };
        let seq = self.answered.as_ref().map_or(0, |a| a.seq) + 1;
        self.answered = Some(Answered {
            seq,
            question: id.clone(),
            correct: verdict.correct,
        });
        let mut verdicts: Vec<(String, Verdict)> = self
            .verdicts
            .iter()
            .filter(|(q, _)| *q != id)
            .cloned()
            .collect();
        verdicts.push((id, verdict));
        self.verdicts = Rc::new(verdicts);
    }

    /// Grades the homework table: (job, "response" | "turnaround" | "wait", answer).
    pub(super) fn check_homework(&mut self, cells: &[(usize, String, String)]) {
        if let Some(session) = self.session.as_ref() {
            self.homework_cells = Rc::new(session.borrow().grade_homework(cells));
        }
    }

    /// Runs the open lottery scenario at each of the plot's job lengths, a
    /// few seeds each (OSTEP figure 9.2).
    pub(super) fn plot_unfairness(&mut self) {
        use sim_core::session::unfairness::{curve, LENGTHS};
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let scenario = session.borrow().scenario().clone();
        self.unfairness = Some(Rc::new(curve(&scenario, &LENGTHS, PLOT_SEEDS)));
    }

    /// Runs the open scenario (its last valid version) under each policy.
    pub(super) fn compare(&mut self, policies: &[Policy]) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let scenario = session.borrow().scenario().clone();
        self.compared = Some(Rc::new(compare(&scenario, policies).map_err(|errs| {
            let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
            list.join("; ")
        })));
    }

    /// Opens the homework problem drawn from `seed`.
    pub fn new_homework(self, seed: u64) -> AppState {
        self.opened(Origin::Homework(seed), homework(seed), None)
    }
}

pub type Compared = Option<Rc<Result<CompareView, String>>>;
