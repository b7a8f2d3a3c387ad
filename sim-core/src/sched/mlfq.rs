//! Multi-Level Feedback Queue (OSTEP chapter 8).
//!
//! Level 0 is the highest priority (mlfq.py numbers queues the other way round:
//! its queue `n-1` is our level 0). Rules:
//! 1–2. The head of the highest non-empty queue runs; equal priority is round robin.
//! 3. New jobs enter level 0 with a fresh quantum and allotment.
//! 4. A job that uses up its quantum spends one unit of allotment; with allotment left
//!    it goes to the tail of the same queue with a fresh quantum, otherwise it moves
//!    down one level (the bottom level just restarts). With gaming protection (the
//!    default), quantum and allotment used before an I/O are kept across it; with
//!    `stay_on_io` (mlfq.py `-S`) they are reset when the job issues an I/O.
//! 5. Every `boost_period` units, all jobs return to level 0.
//!
//! mlfq.py quirks reproduced (documented so the UI can explain them):
//! - a job whose quantum ends exactly when it issues an I/O is charged for it after the
//!   `stay_on_io` reset (so with allotment 1 it is still demoted);
//! - a preempted job keeps its place at the head of its queue;
//! - the boost appends the lower queues to level 0 starting from the lowest
//!   ([`BoostOrder::LowestFirst`]), and resets blocked jobs too;
//! - `io_to_front` (mlfq.py `-I`) puts a job that finished I/O at the head of its queue.

use super::{After, Decision, JobInfo, QueueLevel, QueueView, SchedEvent, Scheduler, ThreadId};
use crate::ordmap::OrdMap;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Time slice and allotment of one level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlfqLevel {
    /// Length of one time slice at this level. A slice of 0 or less never ends
    /// (mlfq.py accepts it; [`super::Policy::build`] rejects it).
    pub quantum: i64,
    /// Number of time slices a job may use at this level before it is demoted.
    /// 0 or less means unlimited (never demoted), as in mlfq.py.
    pub allotment: i64,
}

/// Order in which lower queues are appended to the top queue at a boost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoostOrder {
    /// Lowest-priority queue first (mlfq.py).
    #[default]
    LowestFirst,
    /// Next-highest queue first.
    HighestFirst,
}

/// MLFQ parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlfqConfig {
    /// Index 0 is the highest priority.
    pub levels: Vec<MlfqLevel>,
    /// Priority boost period; 0 disables boosting.
    #[serde(default)]
    pub boost_period: u64,
    /// Reset quantum and allotment when a job issues an I/O (no gaming protection).
    #[serde(default)]
    pub stay_on_io: bool,
    /// A job returning from I/O goes to the head of its queue.
    #[serde(default)]
    pub io_to_front: bool,
    #[serde(default)]
    pub boost_order: BoostOrder,
}

impl MlfqConfig {
    /// `n` levels with the same quantum and allotment.
    pub fn uniform(n: usize, quantum: i64, allotment: i64) -> Self {
        MlfqConfig {
            levels: vec![MlfqLevel { quantum, allotment }; n.max(1)],
            boost_period: 0,
            stay_on_io: false,
            io_to_front: false,
            boost_order: BoostOrder::LowestFirst,
        }
    }
}

/// Per-job accounting, as the tools print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlfqJobView {
    /// 0 = highest priority.
    pub level: usize,
    /// Units left in the current time slice (negative if the quantum is 0).
    pub ticks_left: i64,
    /// Time slices left at this level.
    pub allot_left: i64,
    pub blocked: bool,
}

/// The MLFQ scheduler.
#[derive(Clone, Debug)]
pub struct Mlfq {
    config: MlfqConfig,
    queues: Vec<VecDeque<ThreadId>>,
    jobs: OrdMap<ThreadId, MlfqJobView>,
    blocked_order: Vec<ThreadId>,
    running: Option<ThreadId>,
}

impl Mlfq {
    /// A config without levels gets one level (quantum 1, unlimited allotment).
    pub fn new(mut config: MlfqConfig) -> Self {
        if config.levels.is_empty() {
            // Keeps `levels.len() - 1` and level-0 indexing valid.
            config.levels.push(MlfqLevel {
                quantum: 1,
                allotment: 0,
            });
        }
        let n = config.levels.len();
        Mlfq {
            config,
            queues: vec![VecDeque::new(); n],
            jobs: OrdMap::new(),
            blocked_order: Vec::new(),
            running: None,
        }
    }

    pub fn config(&self) -> &MlfqConfig {
        &self.config
    }

    /// Accounting of one job.
    pub fn job(&self, t: ThreadId) -> Option<MlfqJobView> {
        self.jobs.get(&t).copied()
    }

    fn fresh(&self, level: usize) -> (i64, i64) {
        let l = self.config.levels[level];
        (l.quantum, l.allotment)
    }

    fn reset_at(&mut self, t: ThreadId, level: usize) {
        let (ticks, allot) = self.fresh(level);
        if let Some(j) = self.jobs.get_mut(&t) {
            j.level = level;
            j.ticks_left = ticks;
            j.allot_left = allot;
        }
    }

    fn remove_from_queues(&mut self, t: ThreadId) {
        for q in &mut self.queues {
            q.retain(|&x| x != t);
        }
    }

    /// Rule 4 once the slice is used up. `requeue` is false if the job is blocked.
    fn slice_expired(&mut self, t: ThreadId, requeue: bool) {
        let Some(j) = self.jobs.get_mut(&t) else {
            return;
        };
        j.allot_left -= 1;
        let (level, exhausted) = (j.level, j.allot_left == 0);
        let bottom = self.config.levels.len() - 1;
        let target = if exhausted {
            (level + 1).min(bottom)
        } else {
            level
        };
        if exhausted {
            self.reset_at(t, target);
        } else if let Some(j) = self.jobs.get_mut(&t) {
            j.ticks_left = self.config.levels[level].quantum;
        }
        if requeue {
            self.remove_from_queues(t);
            self.queues[target].push_back(t);
        }
    }

    fn boost(&mut self) {
        let n = self.queues.len();
        let lower: Vec<usize> = match self.config.boost_order {
            BoostOrder::LowestFirst => (1..n).rev().collect(),
            BoostOrder::HighestFirst => (1..n).collect(),
        };
        for level in lower {
            let moved: Vec<ThreadId> = self.queues[level].drain(..).collect();
            self.queues[0].extend(moved);
        }
        let all: Vec<ThreadId> = self.jobs.keys().copied().collect();
        for t in all {
            self.reset_at(t, 0);
        }
    }
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Scheduler for Mlfq {
    fn name(&self) -> &'static str {
        "MLFQ"
    }

    fn admit(&mut self, t: ThreadId, _info: &JobInfo, _now: u64) {
        if self.jobs.contains_key(&t) {
            return;
        }
        let (ticks_left, allot_left) = self.fresh(0);
        self.jobs.insert(
            t,
            MlfqJobView {
                level: 0,
                ticks_left,
                allot_left,
                blocked: false,
            },
        );
        self.queues[0].push_back(t);
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        self.running = self.queues.iter().find_map(|q| q.front().copied());
        self.running
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        let Some(j) = self.jobs.get_mut(&t).filter(|j| !j.blocked) else {
            return Decision::Reschedule;
        };
        let before = j.ticks_left;
        j.ticks_left = before.saturating_sub(clamp_i64(ran));
        // "Crossed zero": a zero quantum (negative counter) never expires, as in mlfq.py.
        let expired = before > 0 && j.ticks_left <= 0;
        let level = j.level;
        if self.running == Some(t) && after != After::Ready {
            self.running = None;
        }
        match after {
            After::Exited => {
                self.jobs.remove(&t);
                self.remove_from_queues(t);
                Decision::Reschedule
            }
            After::Blocked => {
                j.blocked = true;
                self.remove_from_queues(t);
                self.blocked_order.push(t);
                if self.config.stay_on_io {
                    self.reset_at(t, level);
                }
                // mlfq.py charges the used-up slice after the -S reset.
                if expired {
                    self.slice_expired(t, false);
                }
                Decision::Reschedule
            }
            After::Ready if expired => {
                self.slice_expired(t, true);
                Decision::Reschedule
            }
            After::Ready => Decision::Continue,
        }
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        let Some(j) = self.jobs.get_mut(&t).filter(|j| j.blocked) else {
            return;
        };
        j.blocked = false;
        let level = j.level;
        self.blocked_order.retain(|&b| b != t);
        if self.config.io_to_front {
            self.queues[level].push_front(t);
        } else {
            self.queues[level].push_back(t);
        }
    }

    fn on_tick(&mut self, now: u64) -> Option<SchedEvent> {
        let period = self.config.boost_period;
        if now != 0 && now.checked_rem(period) == Some(0) {
            self.boost();
            return Some(SchedEvent::Boost);
        }
        None
    }

    /// Rule 1: a job in a higher queue than the running one runs.
    fn preempts(&self, running: ThreadId, _ran: u64) -> bool {
        let Some(level) = self.jobs.get(&running).map(|j| j.level) else {
            return false;
        };
        self.queues[..level]
            .iter()
            .any(|q| q.iter().any(|&t| t != running))
    }

    fn queues(&self) -> QueueView {
        let levels = self
            .queues
            .iter()
            .zip(&self.config.levels)
            .enumerate()
            .map(|(i, (q, l))| QueueLevel {
                label: format!("Q{i} (quantum {}, allotment {})", l.quantum, l.allotment),
                threads: q.iter().copied().collect(),
            })
            .collect();
        let running = self
            .running
            .filter(|r| self.jobs.get(r).is_some_and(|j| !j.blocked));
        QueueView {
            running,
            levels,
            blocked: self.blocked_order.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
