//! The scheduling metrics (OSTEP 7.2, 7.6), defined once: per job,
//! turnaround, response and wait time; over a workload, their averages.
//!
//! Used by the kernel's accounting ([`crate::kernel::Accounting`]), the
//! session's metrics view, `ringside run --metrics` and the OSTEP tools
//! (`scheduler.py`, `mlfq.py`), each in its own unit of time: cycles (`u64`),
//! the book's seconds (`f64`) or ticks (`i64`).
//!
//! **Averages are over the jobs that completed**, as in OSTEP, where every
//! job runs to completion before the averages are taken. A job still running
//! has no turnaround yet, and counting only part of its wait would pull the
//! average down, so it is left out of all three averages alike; so is a job
//! killed before it ever ran, which has no response time.

use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// A point in time or a duration, in the caller's unit.
pub trait Time: Copy + Default + Add<Output = Self> + Sub<Output = Self> {
    fn as_f64(self) -> f64;
}

impl Time for u64 {
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Time for i64 {
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Time for f64 {
    fn as_f64(self) -> f64 {
        self
    }
}

/// What happened to one job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobTimes<T = u64> {
    pub arrival: T,
    /// When the job first got the CPU (`None`: not yet).
    pub first_run: Option<T>,
    /// When it completed (`None`: not yet).
    pub completion: Option<T>,
    /// Time spent ready but not running (measured by the caller: neither
    /// running nor blocked on I/O counts).
    pub wait: T,
}

impl<T: Time> JobTimes<T> {
    /// T_turnaround = T_completion − T_arrival.
    pub fn turnaround(&self) -> Option<T> {
        self.completion.map(|c| c - self.arrival)
    }

    /// T_response = T_firstrun − T_arrival.
    pub fn response(&self) -> Option<T> {
        self.first_run.map(|r| r - self.arrival)
    }

    /// Whether the job counts towards the averages: it ran and completed.
    pub fn completed(&self) -> bool {
        self.completion.is_some() && self.first_run.is_some()
    }
}

/// Averages over the completed jobs of a workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Averages {
    pub turnaround: f64,
    pub response: f64,
    pub wait: f64,
    /// How many jobs the averages are over.
    pub jobs: usize,
}

/// Mean turnaround, response and wait of the jobs that completed (summed in
/// the given order, in their own unit); `None` when no job has.
pub fn averages<T: Time>(jobs: &[JobTimes<T>]) -> Option<Averages> {
    let (mut turnaround, mut response, mut wait) = (T::default(), T::default(), T::default());
    let mut n = 0;
    for j in jobs {
        if let (Some(t), Some(r)) = (j.turnaround(), j.response()) {
            turnaround = turnaround + t;
            response = response + r;
            wait = wait + j.wait;
            n += 1;
        }
    }
    (n > 0).then(|| {
        let d = n as f64;
        Averages {
            turnaround: turnaround.as_f64() / d,
            response: response.as_f64() / d,
            wait: wait.as_f64() / d,
            jobs: n,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jobs arriving at 0 that run back to back to completion, in this order.
    fn run_to_completion(lens: &[u64]) -> Vec<JobTimes> {
        let mut t = 0;
        lens.iter()
            .map(|&len| {
                let j = JobTimes {
                    arrival: 0,
                    first_run: Some(t),
                    completion: Some(t + len),
                    wait: t,
                };
                t += len;
                j
            })
            .collect()
    }

    #[test]
    fn ostep_fifo_equal_jobs() {
        // OSTEP 7.3, figure 7.1: A, B, C of 10 each -> (10 + 20 + 30) / 3 = 20.
        let a = averages(&run_to_completion(&[10, 10, 10])).unwrap();
        assert_eq!(a.turnaround, 20.0);
        assert_eq!(a.jobs, 3);
    }

    #[test]
    fn ostep_fifo_convoy() {
        // OSTEP 7.3, figure 7.2: A=100, B=C=10 -> (100 + 110 + 120) / 3 = 110.
        let a = averages(&run_to_completion(&[100, 10, 10])).unwrap();
        assert_eq!(a.turnaround, 110.0);
        assert_eq!(a.response, 70.0);
        assert_eq!(a.wait, 70.0);
    }

    #[test]
    fn ostep_sjf() {
        // OSTEP 7.4, figure 7.3: B, C, then A -> (10 + 20 + 120) / 3 = 50.
        let a = averages(&run_to_completion(&[10, 10, 100])).unwrap();
        assert_eq!(a.turnaround, 50.0);
    }

    #[test]
    fn ostep_round_robin() {
        // OSTEP 7.6, figure 7.7: A, B, C of 5 each, 1-unit slices: A B C A B C …
        // first runs 0, 1, 2 -> response 1; done at 13, 14, 15 -> turnaround 14.
        let jobs: Vec<JobTimes> = (0..3)
            .map(|i| JobTimes {
                arrival: 0,
                first_run: Some(i),
                completion: Some(13 + i),
                wait: 13 + i - 5,
            })
            .collect();
        let a = averages(&jobs).unwrap();
        assert_eq!(a.response, 1.0);
        assert_eq!(a.turnaround, 14.0);
        assert_eq!(a.wait, 9.0);
    }

    #[test]
    fn only_completed_jobs_count() {
        let mut jobs = run_to_completion(&[10, 10]);
        // Still running, and killed before it ran: neither counts.
        jobs.push(JobTimes {
            arrival: 0,
            first_run: Some(20),
            completion: None,
            wait: 20,
        });
        jobs.push(JobTimes {
            arrival: 5,
            first_run: None,
            completion: Some(8),
            wait: 3,
        });
        let a = averages(&jobs).unwrap();
        assert_eq!(
            (a.jobs, a.turnaround, a.response, a.wait),
            (2, 15.0, 5.0, 5.0)
        );
        assert_eq!(averages::<u64>(&[]), None);
        assert_eq!(averages(&jobs[2..]), None);
    }

    #[test]
    fn other_units() {
        let f = [JobTimes {
            arrival: 0.0,
            first_run: Some(0.5),
            completion: Some(2.5),
            wait: 0.5,
        }];
        assert_eq!(averages(&f).unwrap().turnaround, 2.5);
        let i = [JobTimes {
            arrival: 3i64,
            first_run: Some(4),
            completion: Some(9),
            wait: 1,
        }];
        assert_eq!(averages(&i).unwrap().response, 1.0);
    }
}
