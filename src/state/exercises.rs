//! Exercises the engine grades (a lesson's questions, homework cells) and
//! the comparison of policies: each asks the session, which runs a fresh
//! copy of the scenario; the page only shows what it answers.

use sim_core::session::compare::Comparison;
use sim_core::session::unfairness::CurveJob;
use sim_core::session::{homework, CompareView, Policy, Verdict};

use crate::clock::now_ms;

use super::*;

/// A graded answer, for the page that embeds this one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// Counts graded answers, so each is posted once.
    pub seq: u64,
    pub question: String,
    pub correct: bool,
}

/// A background job's (a comparison's, the unfairness plot's) first guess
/// at its speed (cycles per ms); it adapts.
pub const COMPARE_START_RATE: f64 = 5_000.0;
/// A comparison's share of each frame, ms: the page stays responsive and
/// shows its progress while the runs go on.
const COMPARE_SLICE_MS: f64 = 8.0;

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
        use sim_core::session::unfairness::LENGTHS;
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let scenario = session.borrow().scenario().clone();
        self.unfairness = None;
        self.plotting = Some(Rc::new(RefCell::new(CurveJob::new(
            &scenario, &LENGTHS, PLOT_SEEDS,
        ))));
        self.plot_status = Some("Running the lesson\u{2026}".into());
    }

    /// Runs the plot under way for its share of this frame.
    pub(super) fn plot_slice(&mut self) {
        let Some(job) = self.plotting.clone() else {
            return;
        };
        let budget = self.background_budget();
        let t0 = now_ms();
        let done = job.borrow_mut().advance(budget);
        self.learn_background_rate(budget, now_ms() - t0);
        if done {
            self.unfairness = Some(Rc::new(job.borrow().points().to_vec()));
            self.plotting = None;
            self.plot_status = None;
        } else {
            let p = job.borrow().progress();
            self.plot_status = Some(format!(
                "Running the lesson with jobs {} units long: run {} of {}\u{2026}",
                p.length,
                p.runs + 1,
                p.of
            ));
        }
    }

    /// Cycles a background job (a comparison, a plot) runs this frame.
    fn background_budget(&self) -> u64 {
        ((self.compare_rate * COMPARE_SLICE_MS) as u64).max(1_000)
    }

    /// A background slice of `budget` cycles took `ms`.
    fn learn_background_rate(&mut self, budget: u64, ms: f64) {
        if ms > 0.5 {
            // At most doubling or halving per frame: one slow slice (a burst
            // of kernel work) must not stall the next frames.
            let rate = (budget as f64 / ms).clamp(self.compare_rate / 2.0, self.compare_rate * 2.0);
            self.compare_rate += 0.5 * (rate - self.compare_rate);
        }
    }

    /// Starts running the open scenario (its last valid version) under each
    /// policy; each frame runs a slice of it (`compare_slice`).
    pub(super) fn compare(&mut self, policies: &[Policy]) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        let scenario = session.borrow().scenario().clone();
        self.compared = None;
        match Comparison::new(&scenario, policies) {
            Ok(job) => {
                self.comparing = Some(Rc::new(RefCell::new(job)));
                self.compare_status = Some("Comparing\u{2026}".into());
            }
            Err(errs) => {
                let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
                self.compared = Some(Rc::new(Err(list.join("; "))));
            }
        }
    }

    /// Runs the comparison under way for its share of this frame.
    pub(super) fn compare_slice(&mut self) {
        let Some(job) = self.comparing.clone() else {
            return;
        };
        let budget = self.background_budget();
        let t0 = now_ms();
        let done = job.borrow_mut().advance(budget);
        self.learn_background_rate(budget, now_ms() - t0);
        match done {
            Ok(false) => {
                self.compare_status = job.borrow().progress().map(|p| {
                    format!(
                        "Comparing: {} ({} of {}), cycle {}\u{2026}",
                        p.policy,
                        p.index + 1,
                        p.of,
                        crate::components::grouped(p.cycle)
                    )
                });
            }
            Ok(true) => {
                self.compared = Some(Rc::new(Ok(job.borrow().view())));
                self.comparing = None;
                self.compare_status = None;
            }
            Err(errs) => {
                let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
                self.compared = Some(Rc::new(Err(list.join("; "))));
                self.comparing = None;
                self.compare_status = None;
            }
        }
    }

    /// A comparison or a plot is under way (the frame loop runs for it).
    pub fn in_background(&self) -> bool {
        self.comparing.is_some() || self.plotting.is_some()
    }

    /// Opens the homework problem drawn from `seed`.
    pub fn new_homework(self, seed: u64) -> AppState {
        self.opened(Origin::Homework(seed), homework(seed), None)
    }
}

pub type Compared = Option<Rc<Result<CompareView, String>>>;
