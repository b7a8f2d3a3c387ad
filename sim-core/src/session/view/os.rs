//! The OS's side of the view: the process table and the scheduling metrics.

use super::*;
use crate::kernel::WaitFor;

impl Session {
    /// The PCB table: every process with its threads.
    pub(super) fn process_views(&self) -> Vec<ProcessView> {
        let (k, now) = (self.sim.kernel(), self.sim.cycle());
        k.processes()
            .map(|p| ProcessView {
                pid: p.pid,
                name: p.name.clone(),
                state: k.process_state(p.pid).unwrap_or(State::Zombie),
                parent: p.parent,
                threads: p
                    .threads
                    .iter()
                    .filter_map(|t| k.thread(*t))
                    .map(|t| ThreadView {
                        tid: t.tid.0,
                        state: t.state,
                        waiting_for: t.wait.map(|w| match w {
                            WaitFor::Disk => "disk".to_string(),
                            WaitFor::Child => "a child".to_string(),
                            WaitFor::Join(j) => format!("{j}"),
                            WaitFor::Until(c) => format!("cycle {c}"),
                        }),
                        cpu: k.cpu_time(t.tid, now),
                    })
                    .collect(),
                cpu: p.threads.iter().map(|t| k.cpu_time(*t, now)).sum(),
                exit_status: p.exit_status,
                killed: p.killed.clone(),
                tickets: p.tickets,
                job_length: p.expected_len,
                remaining: p.expected_len.map(|l| {
                    let used: u64 = p.threads.iter().map(|t| k.cpu_time(*t, now)).sum();
                    l.saturating_sub(used)
                }),
                exited_at: p.exit_status.and(p.acct.finish),
            })
            .collect()
    }

    /// Per-process turnaround, response and wait, and their averages over
    /// the processes that completed (`sched::metrics`).
    pub(super) fn metrics(&self) -> Metrics {
        let (k, now) = (self.sim.kernel(), self.sim.cycle());
        let rows: Vec<MetricRow> = k
            .processes()
            .map(|p| MetricRow {
                pid: p.pid,
                name: p.name.clone(),
                arrival: p.acct.arrival,
                turnaround: p.acct.turnaround(),
                response: p.acct.response(),
                wait: p.acct.wait,
                cpu: p.threads.iter().map(|t| k.cpu_time(*t, now)).sum(),
            })
            .collect();
        let busy: u64 = rows.iter().map(|r| r.cpu).sum();
        let averages = k.averages();
        Metrics {
            avg_turnaround: averages.map(|a| a.turnaround),
            avg_response: averages.map(|a| a.response),
            avg_wait: averages.map(|a| a.wait),
            utilization: busy as f64 / now.max(1) as f64,
            context_switches: k.context_switches(),
            time_unit: self.scenario.time_unit,
            unit: self.scenario.unit_label(),
            rows,
        }
    }
}
