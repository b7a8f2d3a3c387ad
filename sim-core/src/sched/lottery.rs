//! Lottery scheduling (OSTEP 9.1–9.5): every slice, draw a winning ticket; the runnable
//! thread holding it runs. Tickets are counted over runnable threads in admission
//! order, as lottery.py walks its job list.

use super::pyrandom::PyRandom;
use super::slice::Slice;
use super::{single_queue, After, Decision, JobInfo, QueueView, Roster, Scheduler, ThreadId};
use serde::{Deserialize, Serialize};

/// How the winning ticket is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LotteryDrawMode {
    /// `random.randrange(total)`: unbiased.
    RandBelow,
    /// lottery.py: `raw = int(random.random() * range)`, winner = `raw % total`
    /// (the tool uses `range = 1000001`; slightly biased, reproduced on purpose).
    Scaled { range: u64 },
}

/// One draw, for tools and the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryDraw {
    /// The random number before reduction (equals `winning_ticket` for `RandBelow`).
    pub raw: u64,
    pub winning_ticket: u64,
    /// Tickets held by runnable threads at the draw.
    pub total: u64,
    pub winner: ThreadId,
}

/// Lottery scheduler with a seeded CPython-compatible generator.
#[derive(Clone, Debug)]
pub struct Lottery {
    slice: Slice,
    rng: PyRandom,
    mode: LotteryDrawMode,
    roster: Roster,
    last_draw: Option<LotteryDraw>,
    /// Whether the last `pick` held a draw (rather than continuing a slice).
    drew: bool,
    /// Each runnable thread's ticket range `[from, to)` at the last draw.
    last_ranges: Vec<(ThreadId, u64, u64)>,
}

impl Lottery {
    /// `seed` seeds the generator exactly like Python's `random.seed(seed)`.
    pub fn new(quantum: u64, seed: i64, mode: LotteryDrawMode) -> Self {
        Self::with_rng(quantum, PyRandom::new(seed), mode)
    }

    /// Uses an existing generator (tools that drew job lists from it first).
    pub fn with_rng(quantum: u64, rng: PyRandom, mode: LotteryDrawMode) -> Self {
        Lottery {
            slice: Slice::new(quantum),
            rng,
            mode,
            roster: Roster::default(),
            last_draw: None,
            drew: false,
            last_ranges: Vec::new(),
        }
    }

    /// The draw made by the last `pick` that held a lottery.
    pub fn last_draw(&self) -> Option<LotteryDraw> {
        self.last_draw
    }

    /// Tickets currently held by runnable threads.
    pub fn total_tickets(&self) -> u64 {
        self.roster
            .runnable_by_seq()
            .into_iter()
            .filter_map(|t| self.roster.get(t))
            .map(|e| u64::from(e.info.tickets))
            .sum()
    }

    fn draw(&mut self) -> Option<LotteryDraw> {
        let total = self.total_tickets();
        if total == 0 {
            return None;
        }
        let (raw, winning_ticket) = match self.mode {
            LotteryDrawMode::RandBelow => {
                let w = self.rng.randbelow(total);
                (w, w)
            }
            LotteryDrawMode::Scaled { range } => {
                // Same float product and truncation as `int(random.random() * range)`.
                let raw = (self.rng.random() * range as f64) as u64;
                (raw, raw % total)
            }
        };
        // lottery.py: walk the job list summing tickets until the sum
        // exceeds the winning number.
        let mut counter = 0u64;
        let mut winner = None;
        self.last_ranges.clear();
        for t in self.roster.runnable_by_seq() {
            let from = counter;
            counter += self.roster.get(t).map_or(0, |e| u64::from(e.info.tickets));
            self.last_ranges.push((t, from, counter));
            if winner.is_none() && counter > winning_ticket {
                winner = Some(t);
            }
        }
        winner.map(|winner| LotteryDraw {
            raw,
            winning_ticket,
            total,
            winner,
        })
    }
}

impl Scheduler for Lottery {
    fn name(&self) -> &'static str {
        "Lottery"
    }

    fn admit(&mut self, t: ThreadId, info: &JobInfo, _now: u64) {
        self.roster.admit(t, info);
    }

    fn pick(&mut self, _now: u64) -> Option<ThreadId> {
        self.drew = false;
        if let Some(r) = self.slice.holder(&self.roster) {
            return Some(r);
        }
        self.drew = true;
        self.last_draw = self.draw();
        self.slice.start(self.last_draw.map(|d| d.winner))
    }

    fn charge(&mut self, t: ThreadId, ran: u64, _now: u64, after: After) -> Decision {
        if !self.roster.is_runnable(t) || !self.roster.settle(t, ran, after) {
            return Decision::Reschedule;
        }
        self.slice.charge(t, ran, after)
    }

    fn on_wake(&mut self, t: ThreadId, _now: u64) {
        self.roster.wake(t);
    }

    fn last_draw_text(&self) -> Option<String> {
        let d = self.last_draw.filter(|_| self.drew)?;
        let ranges: Vec<String> = self
            .last_ranges
            .iter()
            .filter(|(_, from, to)| to > from)
            .map(|(t, from, to)| format!("{t} holds {from}–{}", to - 1))
            .collect();
        Some(format!(
            ": winning ticket {} of {} ({})",
            d.winning_ticket,
            d.total,
            ranges.join(", ")
        ))
    }

    fn quantum(&self) -> Option<u64> {
        Some(self.slice.quantum())
    }

    fn queues(&self) -> QueueView {
        let running = self.slice.holder(&self.roster);
        let label = format!("ready ({} tickets)", self.total_tickets());
        single_queue(
            &label,
            running,
            self.roster.runnable_by_seq(),
            self.roster.blocked(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tickets(n: u32) -> JobInfo {
        JobInfo {
            tickets: n,
            ..JobInfo::default()
        }
    }

    #[test]
    fn shares_follow_tickets() {
        let mut s = Lottery::new(1, 3, LotteryDrawMode::RandBelow);
        s.admit(ThreadId(0), &tickets(75), 0);
        s.admit(ThreadId(1), &tickets(25), 0);
        let mut wins = [0u32; 2];
        for now in 0..4000 {
            let Some(t) = s.pick(now) else {
                panic!("nothing runnable")
            };
            wins[t.0 as usize] += 1;
            s.charge(t, 1, now + 1, After::Ready);
        }
        assert!((2800..3200).contains(&wins[0]), "{wins:?}");
    }

    #[test]
    fn zero_tickets_never_win() {
        let mut s = Lottery::new(1, 0, LotteryDrawMode::Scaled { range: 1_000_001 });
        s.admit(ThreadId(0), &tickets(0), 0);
        assert_eq!(s.pick(0), None);
        s.admit(ThreadId(1), &tickets(1), 0);
        assert_eq!(s.pick(0), Some(ThreadId(1)));
        assert_eq!(s.last_draw().map(|d| d.total), Some(1));
    }
}
