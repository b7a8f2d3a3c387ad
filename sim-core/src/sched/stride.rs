//! Stride scheduling (OSTEP 9.6): deterministic proportional share. Each thread has
//! `stride = BIG / tickets`; the runnable thread with the lowest pass runs and its
//! pass advances by `stride` per unit of time it ran.

use super::slice::Slice;
use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};
use crate::ordmap::OrdMap;

/// The large constant divided by tickets (OSTEP uses 10,000).
pub const STRIDE_BIG: u64 = 10_000;

/// Stride scheduler.
#[derive(Clone, Debug)]
pub struct Stride {
    slice: Slice,
    roster: Roster,
    pass: OrdMap<ThreadId, u64>,
}

impl Stride {
    pub fn new(quantum: u64) -> Self {
        Stride {
            slice: Slice::new(quantum),
            roster: Roster::default(),
            pass: OrdMap::new(),
        }
    }

    /// Current pass value of `t`.
    pub fn pass(&self, t: ThreadId) -> Option<u64> {
        self.pass.get(&t).copied()
    }

    fn stride(&self, t: ThreadId) -> u64 {
        let tickets = self.roster.get(t).map_or(1, |e| e.info.tickets.max(1));
        STRIDE_BIG / u64::from(tickets)
    }

    /// Lowest pass among runnable threads: newcomers and wakers start there, so
    /// they can neither monopolize the CPU nor bank credit while away.
    fn min_pass(&self) -> u64 {
        self.roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| self.pass.get(&t).copied())
            .min()
            .unwrap_or(0)
    }

    fn ordered(&self) -> Vec<ThreadId> {
        let mut v: Vec<(u64, u64, ThreadId)> = self
            .roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| Some((self.pass(t)?, self.roster.get(t)?.seq, t)))
            .collect();
        crate::sort::sort(&mut v);
        v.into_iter().map(|(_, _, t)| t).collect()
    }
}

impl Scheduler for Stride {
    fn name(&self) -> &'static str {
        "Stride"
    }

    fn admit(&mut self, t: ThreadId, info: &JobInfo, _now: u64) {
        let start = self.min_pass();
        if self.roster.admit(t, info) {
            self.pass.insert(t, start);
        }
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        if let Some(r) = self.slice.holder(&self.roster) {
            return Some(r);
        }
        self.slice.start(self.ordered().first().copied())
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        if !self.roster.is_runnable(t) {
            return Decision::Reschedule;
        }
        let step = self.stride(t).saturating_mul(ran);
        if let Some(p) = self.pass.get_mut(&t) {
            *p = p.saturating_add(step);
        }
        self.roster.settle(t, ran, after);
        if after == After::Exited {
            self.pass.remove(&t);
        }
        self.slice.charge(t, ran, after)
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        let floor = self.min_pass();
        if self.roster.wake(t) {
            if let Some(p) = self.pass.get_mut(&t) {
                *p = (*p).max(floor);
            }
        }
    }

    fn quantum(&self) -> Option<u64> {
        Some(self.slice.quantum())
    }

    /// The pass values the pick chose from, per slice (the pass grows by
    /// the stride for each quantum run), as OSTEP figure 9.3 tabulates them.
    fn last_draw_text(&self) -> Option<String> {
        let q = self.slice.quantum().max(1);
        let passes: Vec<String> = self
            .roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| {
                let p = self.pass(t)?;
                Some(if p.is_multiple_of(q) {
                    format!("{t} {}", p / q)
                } else {
                    format!("{t} {:.2}", p as f64 / q as f64)
                })
            })
            .collect();
        Some(format!(": pass {}", passes.join(", ")))
    }

    fn queues(&self) -> QueueView {
        let running = self.slice.holder(&self.roster);
        single_queue(
            "ready (lowest pass first)",
            running,
            self.ordered(),
            self.roster.blocked(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ostep_figure_9_3_order() {
        // A, B, C with 100, 50, 250 tickets: strides 100, 200, 40 (OSTEP Figure 9.3).
        let mut s = Stride::new(1);
        for (i, t) in [100, 50, 250].into_iter().enumerate() {
            let info = JobInfo {
                tickets: t,
                ..JobInfo::default()
            };
            s.admit(ThreadId(i as u32), &info, 0);
        }
        let mut order = Vec::new();
        for now in 0..8 {
            let Some(t) = s.pick(now) else { panic!("idle") };
            order.push(t.0);
            s.charge(t, 1, now + 1, After::Ready);
        }
        // A B C C C A C C (ties by admission order)
        assert_eq!(order, vec![0, 1, 2, 2, 2, 0, 2, 2]);
    }
}
