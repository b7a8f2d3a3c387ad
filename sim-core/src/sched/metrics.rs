//! Per-job scheduling metrics (OSTEP 7.2, 7.6): turnaround, response and wait time.

use serde::{Deserialize, Serialize};

/// What happened to one job, in time units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTimes {
    pub arrival: u64,
    /// First time the job got the CPU.
    pub first_run: u64,
    pub completion: u64,
    /// CPU time used.
    pub cpu: u64,
    /// Time spent blocked (I/O); not counted as waiting.
    pub blocked: u64,
}

impl JobTimes {
    /// T_turnaround = T_completion − T_arrival.
    pub fn turnaround(&self) -> u64 {
        self.completion.saturating_sub(self.arrival)
    }

    /// T_response = T_firstrun − T_arrival.
    pub fn response(&self) -> u64 {
        self.first_run.saturating_sub(self.arrival)
    }

    /// Time spent ready but not running.
    pub fn wait(&self) -> u64 {
        self.turnaround()
            .saturating_sub(self.cpu)
            .saturating_sub(self.blocked)
    }
}

/// Averages over a set of jobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Averages {
    pub turnaround: f64,
    pub response: f64,
    pub wait: f64,
}

/// Mean turnaround, response and wait; all zero for no jobs.
pub fn averages(jobs: &[JobTimes]) -> Averages {
    if jobs.is_empty() {
        return Averages::default();
    }
    let n = jobs.len() as f64;
    let mean = |f: fn(&JobTimes) -> u64| jobs.iter().map(|j| f(j) as f64).sum::<f64>() / n;
    Averages {
        turnaround: mean(JobTimes::turnaround),
        response: mean(JobTimes::response),
        wait: mean(JobTimes::wait),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ostep_fifo_example() {
        // OSTEP 7.3: A=100, B=10, C=10 under FIFO -> average turnaround 110.
        let jobs = [
            JobTimes {
                arrival: 0,
                first_run: 0,
                completion: 100,
                cpu: 100,
                blocked: 0,
            },
            JobTimes {
                arrival: 0,
                first_run: 100,
                completion: 110,
                cpu: 10,
                blocked: 0,
            },
            JobTimes {
                arrival: 0,
                first_run: 110,
                completion: 120,
                cpu: 10,
                blocked: 0,
            },
        ];
        let a = averages(&jobs);
        assert_eq!(a.turnaround, 110.0);
        assert_eq!(a.response, 70.0);
        assert_eq!(a.wait, 70.0);
        assert_eq!(averages(&[]), Averages::default());
    }
}
