//! OSTEP figure 9.2: how unfair a lottery is to two equal jobs, as the jobs
//! get longer. Each point runs the lesson's real programs with both jobs set
//! to one length, once per seed, and averages U = (first finish) / (second
//! finish): near 0.5 for short jobs, approaching 1 for long ones.

use serde::Serialize;

use super::report::Report;
use crate::scenario::Scenario;
use crate::sim::{Sim, TraceLevel};

/// The job lengths (in the lesson's units) of the page's plot: the book's
/// axis from 1 to 1,000, on a log scale.
pub const LENGTHS: [u64; 7] = [1, 3, 10, 30, 100, 300, 1000];

/// How the lesson's programs name their length (a job of `UNITS` units).
const LENGTH_DIRECTIVE: &str = ".equ UNITS, ";

/// One point of the plot: the mean unfairness over `runs` seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnfairnessPoint {
    pub length: u64,
    pub mean: f64,
    pub runs: u32,
}

/// Whether `s` can be plotted: two lottery jobs whose programs state their
/// length with `.equ UNITS, N`.
pub fn plottable(s: &Scenario) -> bool {
    matches!(s.scheduler, crate::sched::Policy::Lottery { .. })
        && s.processes.len() == 2
        && s.programs
            .iter()
            .all(|p| p.source.contains(LENGTH_DIRECTIVE))
}

/// `s` with every job `length` units long, and room to finish.
pub fn with_length(s: &Scenario, length: u64) -> Scenario {
    let mut s = s.clone();
    for p in &mut s.programs {
        p.source = p
            .source
            .lines()
            .map(|l| match l.trim_start().strip_prefix(LENGTH_DIRECTIVE) {
                Some(_) => format!("{LENGTH_DIRECTIVE}{length}"),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    s.max_cycles = (2 * length + 10) * s.time_unit * 2;
    s
}

/// U of one run: the first job's finish over the second's (None if a job
/// did not finish or the scenario does not build).
pub fn unfairness(s: &Scenario) -> Option<f64> {
    let mut sim = s.build(TraceLevel::Off).ok()?;
    sim.run(s.max_cycles, &[]);
    ratio(s, &sim)
}

/// U of a finished run.
fn ratio(s: &Scenario, sim: &Sim) -> Option<f64> {
    let r = Report::new(s, sim.kernel(), sim.cycle());
    let mut f = r
        .jobs
        .iter()
        .map(|j| j.finish)
        .collect::<Option<Vec<f64>>>()?;
    if f.len() != 2 {
        return None;
    }
    if f[0] > f[1] {
        f.swap(0, 1);
    }
    Some(f[0] / f[1])
}

/// The mean U at each of `lengths` over seeds `0..seeds`.
pub fn curve(s: &Scenario, lengths: &[u64], seeds: u32) -> Vec<UnfairnessPoint> {
    let mut job = CurveJob::new(s, lengths, seeds);
    while !job.advance(u64::MAX) {}
    job.points
}

/// The curve computed a slice of cycles at a time ([`CurveJob::advance`]),
/// so that a page keeps drawing frames while it runs (the whole plot is
/// about a second of simulation in the page). Its runs and points are
/// [`curve`]'s: a run stopped and resumed ends as one run straight through.
pub struct CurveJob {
    lesson: Scenario,
    lengths: Vec<u64>,
    seeds: u32,
    /// The next run to start: length `next / seeds`, seed `next % seeds`.
    next: usize,
    current: Option<(Scenario, Sim)>,
    /// U of the finished runs of the length under way.
    us: Vec<f64>,
    points: Vec<UnfairnessPoint>,
}

/// Where a [`CurveJob`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurveProgress {
    /// The job length being run.
    pub length: u64,
    /// Runs finished, of `of`.
    pub runs: usize,
    pub of: usize,
}

impl CurveJob {
    pub fn new(s: &Scenario, lengths: &[u64], seeds: u32) -> Self {
        CurveJob {
            lesson: s.clone(),
            lengths: lengths.to_vec(),
            seeds: seeds.max(1),
            next: 0,
            current: None,
            us: Vec::new(),
            points: Vec::new(),
        }
    }

    fn total(&self) -> usize {
        self.lengths.len() * self.seeds as usize
    }

    /// Runs at most about `budget` cycles; true once the curve is complete.
    pub fn advance(&mut self, mut budget: u64) -> bool {
        while budget > 0 {
            let Some((s, sim)) = self.current.as_mut() else {
                if self.next == self.total() {
                    return true;
                }
                self.start_next();
                continue;
            };
            let before = sim.cycle();
            let halt = sim.run(before.saturating_add(budget).min(s.max_cycles), &[]);
            budget = budget.saturating_sub((sim.cycle() - before).max(1));
            if halt.is_some() || sim.cycle() >= s.max_cycles {
                let u = ratio(s, sim);
                self.current = None;
                self.finish_run(u);
            }
        }
        self.next == self.total() && self.current.is_none()
    }

    fn start_next(&mut self) {
        let seeds = self.seeds as usize;
        let length = self.lengths[self.next / seeds];
        let mut s = with_length(&self.lesson, length);
        s.seed = (self.next % seeds) as i64;
        self.next += 1;
        match s.build(TraceLevel::Off) {
            Ok(sim) => self.current = Some((s, sim)),
            // A run that does not build counts as one that did not finish.
            Err(_) => self.finish_run(None),
        }
    }

    /// Records a run's U; the last seed of a length makes its point.
    fn finish_run(&mut self, u: Option<f64>) {
        self.us.extend(u);
        if self.next.is_multiple_of(self.seeds as usize) {
            let us = std::mem::take(&mut self.us);
            self.points.push(UnfairnessPoint {
                length: self.lengths[self.next / self.seeds as usize - 1],
                mean: us.iter().sum::<f64>() / us.len().max(1) as f64,
                runs: us.len() as u32,
            });
        }
    }

    /// How far the job is.
    pub fn progress(&self) -> CurveProgress {
        let seeds = self.seeds as usize;
        let under_way = self.next.saturating_sub(1) / seeds;
        CurveProgress {
            length: self.lengths.get(under_way).copied().unwrap_or_default(),
            runs: self.next - usize::from(self.current.is_some()),
            of: self.total(),
        }
    }

    /// The points so far (all of them once `advance` returned true).
    pub fn points(&self) -> &[UnfairnessPoint] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lesson_is_plottable_and_lengths_are_set() {
        let s = crate::scenario::builtin("lottery-unfairness").unwrap();
        assert!(plottable(&s));
        assert!(!plottable(
            &crate::scenario::builtin("convoy-fifo").unwrap()
        ));
        let long = with_length(&s, 7);
        assert!(long
            .programs
            .iter()
            .all(|p| p.source.contains(".equ UNITS, 7") && !p.source.contains(".equ UNITS, 20")));
        let u = unfairness(&with_length(&s, 2)).expect("both finish");
        assert!((0.0..=1.0).contains(&u), "{u}");
    }

    #[test]
    fn a_curve_run_in_slices_is_the_curve_run_straight() {
        let s = crate::scenario::builtin("lottery-unfairness").unwrap();
        let lengths = [1, 3, 10];
        // Straight: each run on its own, as `unfairness` does it.
        let straight: Vec<UnfairnessPoint> = lengths
            .iter()
            .map(|&length| {
                let us: Vec<f64> = (0..3)
                    .filter_map(|seed| {
                        let mut s = with_length(&s, length);
                        s.seed = seed;
                        unfairness(&s)
                    })
                    .collect();
                UnfairnessPoint {
                    length,
                    mean: us.iter().sum::<f64>() / us.len() as f64,
                    runs: us.len() as u32,
                }
            })
            .collect();
        assert_eq!(curve(&s, &lengths, 3), straight);
        let mut job = CurveJob::new(&s, &lengths, 3);
        let mut slices = 0;
        let mut last = job.progress();
        while !job.advance(7_919) {
            slices += 1;
            let p = job.progress();
            assert!(p.runs >= last.runs && p.runs <= p.of && p.of == 9, "{p:?}");
            last = p;
        }
        assert!(
            slices > 9,
            "stopped and resumed within runs ({slices} slices)"
        );
        assert_eq!(job.points(), &straight[..]);
        assert_eq!(job.progress().runs, 9);
    }
}
