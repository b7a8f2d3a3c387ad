//! OSTEP figure 9.2: how unfair a lottery is to two equal jobs, as the jobs
//! get longer. Each point runs the lesson's real programs with both jobs set
//! to one length, once per seed, and averages U = (first finish) / (second
//! finish): near 0.5 for short jobs, approaching 1 for long ones.

use serde::Serialize;

use super::report::Report;
use crate::scenario::Scenario;
use crate::sim::TraceLevel;

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
    lengths
        .iter()
        .map(|&length| {
            let base = with_length(s, length);
            let us: Vec<f64> = (0..seeds)
                .filter_map(|seed| {
                    let mut s = base.clone();
                    s.seed = i64::from(seed);
                    unfairness(&s)
                })
                .collect();
            UnfairnessPoint {
                length,
                mean: us.iter().sum::<f64>() / us.len().max(1) as f64,
                runs: us.len() as u32,
            }
        })
        .collect()
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
}
