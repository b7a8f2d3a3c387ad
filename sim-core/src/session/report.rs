//! The scheduling metrics of a run in the scenario's time unit: what
//! `ringside run --metrics --json`, the compare view and the graded
//! exercises report. The definitions are [`crate::sched::metrics`]'s; this
//! only divides by the unit.

use serde::Serialize;

use crate::kernel::Kernel;
use crate::scenario::Scenario;
use crate::sched::metrics::Averages;

/// One job (process) of a run, times in units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobReport {
    /// "P1".
    pub pid: String,
    pub program: String,
    pub arrival: f64,
    pub response: Option<f64>,
    pub turnaround: Option<f64>,
    pub wait: f64,
    pub cpu: f64,
    /// When it finished (exited or was killed), if it has.
    pub finish: Option<f64>,
}

/// A run's metrics in units (cycles on demand: `*_cycles`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Cycles per unit.
    pub time_unit: u64,
    /// "units of 100,000 cycles" or "cycles".
    pub unit: String,
    /// Where the run is, in units and in cycles.
    pub time: f64,
    pub cycles: u64,
    pub jobs: Vec<JobReport>,
    /// Over the jobs that completed (OSTEP's averages), in units.
    pub averages: Option<Averages>,
    /// The same in cycles.
    pub averages_cycles: Option<Averages>,
    /// Time no job had the CPU (boot, idle loop), in units.
    pub idle: f64,
    pub utilization: f64,
    pub context_switches: u64,
}

impl Averages {
    /// The same averages in units of `unit` cycles.
    pub fn in_units(self, unit: u64) -> Averages {
        let u = unit.max(1) as f64;
        Averages {
            turnaround: self.turnaround / u,
            response: self.response / u,
            wait: self.wait / u,
            jobs: self.jobs,
        }
    }
}

impl Report {
    /// The metrics of `kernel` at cycle `now`, for `scenario`'s unit.
    pub fn new(scenario: &Scenario, kernel: &Kernel, now: u64) -> Report {
        let u = |c: u64| scenario.units(c);
        let jobs: Vec<JobReport> = kernel
            .processes()
            .map(|p| {
                let cpu: u64 = p.threads.iter().map(|t| kernel.cpu_time(*t, now)).sum();
                JobReport {
                    pid: p.pid.to_string(),
                    program: p.name.clone(),
                    arrival: u(p.acct.arrival),
                    response: p.acct.response().map(u),
                    turnaround: p.acct.turnaround().map(u),
                    wait: u(p.acct.wait),
                    cpu: u(cpu),
                    finish: p.acct.finish.map(u),
                }
            })
            .collect();
        let busy: u64 = kernel
            .processes()
            .flat_map(|p| p.threads.iter())
            .map(|t| kernel.cpu_time(*t, now))
            .sum();
        let averages = kernel.averages();
        Report {
            time_unit: scenario.time_unit,
            unit: scenario.unit_label(),
            time: u(now),
            cycles: now,
            jobs,
            averages: averages.map(|a| a.in_units(scenario.time_unit)),
            averages_cycles: averages,
            idle: u(now.saturating_sub(busy)),
            utilization: busy as f64 / now.max(1) as f64,
            context_switches: kernel.context_switches(),
        }
    }
}
