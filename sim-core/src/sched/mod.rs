//! Ready-queue policies (OSTEP chapters 7–9), one file per policy behind [`Scheduler`].
//!
//! The same trait serves two drivers:
//! - the kernel model, which runs threads on the simulated machine cycle by cycle and
//!   calls [`Scheduler::charge`] on every timer tick, block or exit;
//! - the OSTEP homework re-implementations in [`crate::ostep`], which drive the
//!   policies in whole time units and must reproduce the Python tools' output.
//!
//! Protocol: `admit` makes a thread runnable; `pick` names the thread to run now;
//! after it ran for `ran` units the driver calls `charge(t, ran, now, after)` saying
//! whether it is still runnable, blocked or exited. `on_wake` returns a blocked thread.
//! `on_tick` runs time-driven rules (the MLFQ priority boost) at the start of a unit.
//! Every runnable thread, including the one running, is in exactly one queue of
//! [`Scheduler::queues`]; blocked threads are listed separately.
//!
//! Determinism: all state is kept in ordered containers (vectors, `BTreeMap`), ties
//! are broken by admission order, and randomness comes only from the seeded
//! [`pyrandom::PyRandom`].
//!
//! ```
//! use sim_core::sched::{After, JobInfo, Policy, ThreadId};
//! let mut s = Policy::RoundRobin { quantum: 2 }.build().unwrap();
//! s.admit(ThreadId(1), &JobInfo::default(), 0);
//! s.admit(ThreadId(2), &JobInfo::default(), 0);
//! assert_eq!(s.pick(0), Some(ThreadId(1)));
//! s.charge(ThreadId(1), 2, 2, After::Ready);
//! assert_eq!(s.pick(2), Some(ThreadId(2)));
//! ```

mod fifo;
mod lottery;
pub mod metrics;
mod mlfq;
mod policy;
pub mod pyrandom;
mod rr;
mod sjf;
mod slice;
mod stcf;
mod stride;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod rules;

pub use fifo::Fifo;
pub use lottery::{Lottery, LotteryDraw, LotteryDrawMode};
pub use mlfq::{BoostOrder, Mlfq, MlfqConfig, MlfqJobView, MlfqLevel};
pub use policy::{Policy, SchedError};
pub use rr::RoundRobin;
pub use sjf::Sjf;
pub use stcf::Stcf;
pub use stride::Stride;

use serde::{Deserialize, Serialize};

/// A schedulable entity: a kernel thread or an OSTEP job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ThreadId(pub u32);

impl std::fmt::Display for ThreadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "T{}", self.0)
    }
}

/// What a policy may know about a thread when it is admitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInfo {
    /// Total CPU time the job needs (SJF/STCF are oracles, as in OSTEP 7.4);
    /// `None` means unknown and sorts after every known length.
    pub expected_len: Option<u64>,
    /// Lottery/stride share.
    pub tickets: u32,
}

impl Default for JobInfo {
    fn default() -> Self {
        JobInfo {
            expected_len: None,
            tickets: 100,
        }
    }
}

/// What the thread does after the run being charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum After {
    /// Still runnable (timer interrupt or yield).
    Ready,
    /// Started an I/O or waits on something: leaves the ready queues until `on_wake`.
    Blocked,
    /// Finished: forgotten by the policy.
    Exited,
}

/// The policy's answer to a charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// The slice is not used up: the driver may keep running the same thread.
    Continue,
    /// Slice over (or thread gone): the driver must call `pick` again.
    Reschedule,
}

/// Time-driven policy events, reported so the UI and tools can show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchedEvent {
    /// MLFQ rule 5: every job moved back to the topmost queue.
    Boost,
}

/// One ready queue as the UI shows it, front first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueLevel {
    /// e.g. "ready", "Q0 (quantum 10)".
    pub label: String,
    pub threads: Vec<ThreadId>,
}

/// Observable state of a policy at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// The last thread returned by `pick` if it is still runnable.
    pub running: Option<ThreadId>,
    /// Runnable threads (the running one included), highest priority queue first.
    pub levels: Vec<QueueLevel>,
    /// Threads waiting for `on_wake`, in blocking order.
    pub blocked: Vec<ThreadId>,
}

impl QueueView {
    /// Every runnable thread, queue by queue.
    pub fn runnable(&self) -> impl Iterator<Item = ThreadId> + '_ {
        self.levels.iter().flat_map(|l| l.threads.iter().copied())
    }
}

/// Cloning a boxed policy (snapshots for stepping back clone the whole kernel).
pub trait SchedulerClone {
    fn clone_box(&self) -> Box<dyn Scheduler>;
}

impl<T: Scheduler + Clone + 'static> SchedulerClone for T {
    fn clone_box(&self) -> Box<dyn Scheduler> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Scheduler> {
    fn clone(&self) -> Self {
        self.as_ref().clone_box()
    }
}

/// A ready-queue policy. Unknown or duplicate thread ids are ignored, never a panic.
pub trait Scheduler: SchedulerClone {
    /// Short policy name ("FIFO", "RR", "MLFQ" …).
    fn name(&self) -> &'static str;
    /// A new thread becomes runnable at `now`.
    fn admit(&mut self, t: ThreadId, info: &JobInfo, now: u64);
    /// The thread to run from `now`, or `None` if nothing is runnable.
    fn pick(&mut self, now: u64) -> Option<ThreadId>;
    /// `t` ran for `ran` units ending at `now`, then does `after`.
    fn charge(&mut self, t: ThreadId, ran: u64, now: u64, after: After) -> Decision;
    /// A blocked thread becomes runnable again.
    fn on_wake(&mut self, t: ThreadId, now: u64);
    /// Time-driven rules, applied at the start of unit `now`.
    fn on_tick(&mut self, _now: u64) -> Option<SchedEvent> {
        None
    }
    /// Queue contents in order, at this moment.
    fn queues(&self) -> QueueView;

    /// Whether a thread that arrived or woke should take the CPU from
    /// `running` now, which has run `ran` units since it was last charged.
    /// Non-preemptive and slice-based policies never do (the default).
    fn preempts(&self, _running: ThreadId, _ran: u64) -> bool {
        false
    }
    /// How the last `pick` chose, when it drew lots: the winning ticket and
    /// the ticket ranges, for the trace (e.g. ": ticket 83 of 100 …").
    fn last_draw_text(&self) -> Option<String> {
        None
    }
    /// The policy's time slice, if it has one (for labels).
    fn quantum(&self) -> Option<u64> {
        None
    }

    /// `t` blocks without further CPU use.
    fn on_block(&mut self, t: ThreadId, now: u64) {
        self.charge(t, 0, now, After::Blocked);
    }
    /// `t` exits (or is killed) without further CPU use.
    fn on_exit(&mut self, t: ThreadId, now: u64) {
        self.charge(t, 0, now, After::Exited);
    }
}

/// Runnable/blocked bookkeeping shared by the simple policies: admission order ties.
#[derive(Clone, Debug, Default)]
pub(crate) struct Roster {
    next_seq: u64,
    /// thread -> (admission sequence, info, blocked?)
    entries: crate::ordmap::OrdMap<ThreadId, RosterEntry>,
    blocked_order: Vec<ThreadId>,
}

#[derive(Clone, Debug)]
pub(crate) struct RosterEntry {
    pub seq: u64,
    pub info: JobInfo,
    pub blocked: bool,
    /// CPU time charged so far.
    pub consumed: u64,
}

impl Roster {
    /// Registers `t`; false if it was already known.
    pub fn admit(&mut self, t: ThreadId, info: &JobInfo) -> bool {
        if self.entries.contains_key(&t) {
            return false;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(
            t,
            RosterEntry {
                seq,
                info: info.clone(),
                blocked: false,
                consumed: 0,
            },
        );
        true
    }

    pub fn get(&self, t: ThreadId) -> Option<&RosterEntry> {
        self.entries.get(&t)
    }

    pub fn is_runnable(&self, t: ThreadId) -> bool {
        self.entries.get(&t).is_some_and(|e| !e.blocked)
    }

    /// Applies `after` to a known thread; returns false if `t` is unknown.
    pub fn settle(&mut self, t: ThreadId, ran: u64, after: After) -> bool {
        let Some(e) = self.entries.get_mut(&t) else {
            return false;
        };
        e.consumed = e.consumed.saturating_add(ran);
        match after {
            After::Ready => {}
            After::Blocked => {
                if !e.blocked {
                    e.blocked = true;
                    self.blocked_order.push(t);
                }
            }
            After::Exited => {
                self.entries.remove(&t);
                self.blocked_order.retain(|&b| b != t);
            }
        }
        true
    }

    /// Marks a blocked thread runnable; false if it was not blocked.
    pub fn wake(&mut self, t: ThreadId) -> bool {
        match self.entries.get_mut(&t) {
            Some(e) if e.blocked => {
                e.blocked = false;
                self.blocked_order.retain(|&b| b != t);
                true
            }
            _ => false,
        }
    }

    pub fn blocked(&self) -> Vec<ThreadId> {
        self.blocked_order.clone()
    }

    /// Runnable threads in admission order.
    pub fn runnable_by_seq(&self) -> Vec<ThreadId> {
        let mut v: Vec<(u64, ThreadId)> = self
            .entries
            .iter()
            .filter(|(_, e)| !e.blocked)
            .map(|(&t, e)| (e.seq, t))
            .collect();
        crate::sort::sort(&mut v);
        v.into_iter().map(|(_, t)| t).collect()
    }
}

/// A single-queue view with the given label.
pub(crate) fn single_queue(
    label: &str,
    running: Option<ThreadId>,
    threads: Vec<ThreadId>,
    blocked: Vec<ThreadId>,
) -> QueueView {
    QueueView {
        running,
        levels: vec![QueueLevel {
            label: label.to_string(),
            threads,
        }],
        blocked,
    }
}
