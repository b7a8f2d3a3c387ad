//! Compare policies: the same workload under two to four policies, each
//! run to its end in its own session; Gantt lanes on one time axis (each
//! column says where it ends) and the metrics with a column per policy.

use serde::Serialize;

use super::gantt::GanttLane;
use super::{Command, Report, RunStop, Session};
use crate::kernel::ExecMode;
use crate::scenario::{Scenario, ScenarioError};
use crate::sched::Policy;

/// One policy's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareColumn {
    /// "FIFO", "RR · quantum 1 unit", "STCF · no I/O overlap".
    pub policy: String,
    pub report: Report,
    /// Who had the CPU, binned from cycle 0 to `end`.
    pub lanes: Vec<GanttLane>,
    /// The cycle the run ended at.
    pub end: u64,
}

/// The comparison: the longest run sets the common time axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareView {
    pub unit: String,
    pub time_unit: u64,
    /// The longest run's end (cycles): the axis of every chart.
    pub end: u64,
    pub columns: Vec<CompareColumn>,
}

/// Most policies one comparison runs.
pub const MAX_POLICIES: usize = 4;

/// The policies a comparison starts from: the scenario's own, then FIFO,
/// SJF, STCF and RR with a one-unit slice (STCF without I/O overlap beside
/// STCF when a job does I/O), at most [`MAX_POLICIES`].
pub fn default_policies(s: &Scenario) -> Vec<Policy> {
    let unit = s.time_unit.max(100);
    let rr = match s.scheduler {
        Policy::RoundRobin { quantum } => Policy::RoundRobin { quantum },
        _ => Policy::RoundRobin { quantum: unit },
    };
    let mut out = vec![s.scheduler.clone()];
    let io = s.programs.iter().any(|p| p.source.contains("call read"));
    let stcf = Policy::Stcf { overlap_io: true };
    let mut more = vec![Policy::Fifo, Policy::Sjf, stcf.clone(), rr];
    if io && s.scheduler == stcf {
        more.insert(0, Policy::Stcf { overlap_io: false });
    }
    for p in more {
        if out.len() < MAX_POLICIES && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// `scenario` with `policy`; a policy with a time slice gets a timer that
/// fires once a slice (preemptive mode), so its slices are real.
pub fn with_policy(scenario: &Scenario, policy: &Policy) -> Scenario {
    let mut s = scenario.clone();
    s.scheduler = policy.clone();
    let slice = match policy {
        Policy::RoundRobin { quantum }
        | Policy::Lottery { quantum, .. }
        | Policy::Stride { quantum } => Some(*quantum),
        Policy::Mlfq(c) => c.levels.first().map(|l| l.quantum.max(1) as u64),
        _ => None,
    };
    if let Some(q) = slice {
        s.mode = ExecMode::Preemptive;
        if s.timer_interval as u64 > q || scenario.mode != ExecMode::Preemptive {
            s.timer_interval = u32::try_from(q.min(s.time_unit.max(100))).unwrap_or(u32::MAX);
        }
    }
    s
}

/// A label for a policy in the scenario's unit ("RR · slice 1 unit").
pub fn label(s: &Scenario, p: &Policy) -> String {
    let slice = |q: u64| {
        if s.time_unit > 1 && q.is_multiple_of(s.time_unit) {
            let n = q / s.time_unit;
            format!("{n} unit{}", if n == 1 { "" } else { "s" })
        } else {
            format!("{q} cycles")
        }
    };
    match p {
        Policy::Fifo => "FIFO".into(),
        Policy::Sjf => "SJF".into(),
        Policy::Stcf { overlap_io: true } => "STCF".into(),
        Policy::Stcf { overlap_io: false } => "STCF \u{00b7} no I/O overlap".into(),
        Policy::RoundRobin { quantum } => format!("RR \u{00b7} slice {}", slice(*quantum)),
        Policy::Mlfq(_) => "MLFQ".into(),
        Policy::Lottery { quantum, .. } => format!("Lottery \u{00b7} slice {}", slice(*quantum)),
        Policy::Stride { quantum } => format!("Stride \u{00b7} slice {}", slice(*quantum)),
    }
}

/// Runs `scenario` under each of `policies` (2 to 4) to its end.
pub fn compare(
    scenario: &Scenario,
    policies: &[Policy],
) -> Result<CompareView, Vec<ScenarioError>> {
    let mut job = Comparison::new(scenario, policies)?;
    while !job.advance(u64::MAX)? {}
    Ok(job.view())
}

/// A comparison run a budget of cycles at a time, so the page can show its
/// progress and stay responsive: the runs are the same as [`compare`]'s.
pub struct Comparison {
    scenario: Scenario,
    policies: Vec<Policy>,
    columns: Vec<CompareColumn>,
    /// The run under way: its scenario and session.
    current: Option<(Scenario, Session)>,
}

/// Where a comparison is: the policy running (its label), which of how
/// many, and its cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareProgress {
    pub policy: String,
    pub index: usize,
    pub of: usize,
    pub cycle: u64,
}

impl Comparison {
    /// Checks the scenario under the first policy (every policy runs the same
    /// workload, so a workload error shows at once).
    pub fn new(scenario: &Scenario, policies: &[Policy]) -> Result<Self, Vec<ScenarioError>> {
        let mut job = Comparison {
            scenario: scenario.clone(),
            policies: policies.iter().take(MAX_POLICIES).cloned().collect(),
            columns: Vec::new(),
            current: None,
        };
        job.start_next()?;
        Ok(job)
    }

    fn start_next(&mut self) -> Result<(), Vec<ScenarioError>> {
        self.current = match self.policies.get(self.columns.len()) {
            Some(p) => {
                let s = with_policy(&self.scenario, p);
                let session = Session::new(s.clone())?;
                Some((s, session))
            }
            None => None,
        };
        Ok(())
    }

    /// Runs up to `budget` cycles (across runs); true when every run is done.
    pub fn advance(&mut self, mut budget: u64) -> Result<bool, Vec<ScenarioError>> {
        while budget > 0 {
            let Some((s, session)) = self.current.as_mut() else {
                return Ok(true);
            };
            let before = session.cycle();
            let left = s.max_cycles.saturating_sub(before);
            let stop = session.apply(&Command::Run {
                cycles: left.min(budget),
            });
            budget = budget.saturating_sub((session.cycle() - before).max(1));
            if stop == Some(RunStop::Budget) && session.cycle() < s.max_cycles {
                continue;
            }
            let end = session.cycle();
            let view = session.view();
            let policy = &self.policies[self.columns.len()];
            self.columns.push(CompareColumn {
                policy: label(s, policy),
                report: Report::new(s, session.sim.kernel(), end),
                lanes: view.gantt,
                end,
            });
            self.start_next()?;
        }
        Ok(self.current.is_none())
    }

    /// The run under way, if any.
    pub fn progress(&self) -> Option<CompareProgress> {
        let (s, session) = self.current.as_ref()?;
        Some(CompareProgress {
            policy: label(s, &self.policies[self.columns.len()]),
            index: self.columns.len(),
            of: self.policies.len(),
            cycle: session.cycle(),
        })
    }

    /// The comparison so far (complete once `advance` returned true).
    pub fn view(&self) -> CompareView {
        CompareView {
            unit: self.scenario.unit_label(),
            time_unit: self.scenario.time_unit,
            end: self.columns.iter().map(|c| c.end).max().unwrap_or(0),
            columns: self.columns.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::builtin;

    #[test]
    fn a_comparison_in_small_budgets_is_the_comparison_in_one_go() {
        let s = builtin("sjf-response").expect("built-in");
        let policies = default_policies(&s);
        let whole = compare(&s, &policies).expect("runs");
        let mut job = Comparison::new(&s, &policies).expect("valid");
        let mut seen = Vec::new();
        while !job.advance(150_000).expect("runs") {
            let p = job.progress().expect("a run under way");
            assert!(p.index < p.of && p.cycle <= s.max_cycles);
            seen.push(p.index);
        }
        assert!(job.progress().is_none());
        assert_eq!(job.view(), whole);
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "runs go in order");
        assert_eq!(
            seen.last(),
            Some(&(policies.len() - 1)),
            "every run took several budgets"
        );
        assert_eq!(whole.columns.len(), policies.len());
    }
}
