//! Running in animation frames: start, stop, and one `Tick` per frame,
//! whose slice the pacer sizes and whose redraws reach the panels one group
//! per frame.

use sim_core::session::{Command, Moment, RunStop, Status, View};

use super::pacing::{Pacer, VIEW_DRAW};
use super::{
    AppState, RunStats, MIN_FRAMES_BETWEEN_VIEWS, PANEL_GROUPS, SEEK_IN_FRAMES, SPEEDS,
    VIEW_INTERVAL_MS,
};
use crate::clock::now_ms;

/// The run's bookkeeping: what every frame updates, whether or not it
/// draws anything.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Pace {
    /// The machine's cycle now; ahead of `view.cycle` between redraws.
    pub cycle_now: u64,
    /// The highest cycle reached.
    pub max_seen: u64,
    pub stats: RunStats,
    /// Frames run since the view was last computed.
    pub frames_since_view: u32,
    /// Cycles and wall-clock ms since the view was last computed (the rate).
    pub cycles_since_view: u64,
    pub ms_since_view: f64,
    pub last_frame: Option<LastFrame>,
    /// Fraction of a cycle owed from slow speeds, carried between frames.
    pub carry: f64,
}

/// What the last frame did, to learn its render cost from its whole work.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct LastFrame {
    /// When its slice ended, ms after the frame began: what came later
    /// (drawing, the render) is the frame's cost besides the slice.
    pub slice_end_ms: f64,
    /// What it drew (see `pacing::DRAWS`), if anything.
    pub drew: Option<usize>,
}

/// What a frame leaves to draw (see [`AppState::frame`]).
pub(super) enum Todo {
    /// The run is over before the slice: stop, saying why.
    Stop(Option<String>),
    /// Draw: the run ended (`end`), a new view is `due`, or the panels
    /// still catch up with the last one; then stop if the slice said so.
    Draw {
        end: bool,
        due: bool,
        at_moment: Option<Moment>,
        stop: Option<RunStop>,
        limit: u64,
    },
}

impl AppState {
    pub(super) fn start(&mut self) {
        if self.session.is_some() && !self.finished() {
            self.running = true;
            let pace = self.pace.get_mut();
            pace.carry = 0.0;
            pace.last_frame = None;
            self.notice = None;
        } else if self.finished() {
            self.notice = Some("The scenario has ended: reset or step back to run again.".into());
        }
    }

    /// Goes to cycle `target`. Anywhere the run has been is one command:
    /// the engine replays from the snapshot before `target` in its quiet
    /// loops (the widest gap of a 10^9-cycle session in well under 100 ms),
    /// back, or forward to where a seek back left the run. A long way
    /// beyond runs in frames as a full-speed run does, from there: the page
    /// stays responsive, shows where it is, and a Pause stops it.
    pub(super) fn seek(&mut self, target: u64) {
        let reached = self
            .session
            .as_ref()
            .map_or(self.cycle(), |s| s.borrow().reached());
        if target > reached.saturating_add(SEEK_IN_FRAMES) {
            if reached > self.cycle() {
                self.apply_quiet(&Command::Seek { cycle: reached });
            }
            self.run_until = Some(target);
            self.running = true;
            self.notice = Some(format!("Seeking to cycle {target}\u{2026}"));
        } else {
            self.halt();
            self.notice = None;
            self.apply(&Command::Seek { cycle: target });
        }
    }

    /// Stops running without computing a view, before a command that
    /// computes one anyway (a step, a seek, a reset): one view per click.
    pub(super) fn halt(&mut self) {
        self.running = false;
        self.run_until = None;
    }

    pub(super) fn stop(&mut self, why: Option<String>) {
        self.running = false;
        // A seek in frames that arrived (or was paused) says so no more.
        let seeking = self.run_until.take().is_some();
        // A view made while running carries only the rows in sight.
        if self.view_lean || self.view.as_ref().is_some_and(|v| v.cycle != self.cycle()) {
            self.refresh();
        } else {
            self.show_all();
        }
        if why.is_some() || seeking {
            self.notice = why;
        }
    }

    /// One animation frame: runs its slice, then draws what is due.
    pub(super) fn tick(&mut self, dt_ms: f64, work_ms: Option<f64>) {
        if let Some(todo) = self.frame(dt_ms, work_ms) {
            self.draw(todo);
        }
    }

    /// A frame's slice, and what it leaves to draw: `None` when nothing is
    /// (at full speed, most frames: the panels are redrawn every 100–400 ms,
    /// `Pacer::view_interval_ms`). Takes `&self` so such a frame changes the state in place
    /// (the session and [`Pace`]) and nothing re-renders: the browser then
    /// has no style, layout or paint to do, and the engine gets the frame.
    pub(super) fn frame(&self, dt_ms: f64, work_ms: Option<f64>) -> Option<Todo> {
        if !self.running {
            return None;
        }
        let mut p = self.pace.get();
        if let Some(last) = p.last_frame {
            p.stats.pacer.observe_interval(dt_ms, last.drew.is_some());
            if let Some(lag) = crate::clock::frame::lag() {
                p.stats.pacer.observe_lag(lag, last.drew.is_some());
            }
        }
        if let (Some(work), Some(last)) = (work_ms, p.last_frame.take()) {
            p.stats
                .pacer
                .observe_frame(work, last.slice_end_ms, last.drew);
        }
        let cycle = p.cycle_now;
        let limit = self.run_until.unwrap_or_else(|| self.max_cycles());
        if cycle >= limit || self.finished() {
            self.pace.set(p);
            let why = self
                .run_until
                .is_none()
                .then(|| end_notice(self.view.as_deref()));
            return Some(Todo::Stop(why));
        }
        p.frames_since_view += 1;
        p.ms_since_view += dt_ms.clamp(0.0, 1000.0);
        // Time and frames both: if a redraw itself takes longer than the
        // interval, a few cheap frames still run between two redraws.
        let catching_up = self.next_group < PANEL_GROUPS;
        let full_speed = self.full_speed();
        let interval = if full_speed {
            p.stats.pacer.view_interval_ms(VIEW_INTERVAL_MS)
        } else {
            VIEW_INTERVAL_MS
        };
        let due = !catching_up
            && now_ms() - self.view_at >= interval
            && p.frames_since_view >= MIN_FRAMES_BETWEEN_VIEWS;
        // A due view is computed in a frame of its own; the groups of
        // panels then show it one per frame.
        let draw = if due {
            Some(VIEW_DRAW)
        } else {
            catching_up.then_some(self.next_group)
        };
        let want = if full_speed {
            p.stats.pacer.slice(draw)
        } else {
            self.cycles_owed(&mut p, dt_ms)
        };
        // A run at a watching speed (not "as fast as possible", not a
        // seek) stops at the lesson's next key moment.
        let moment = self
            .moments
            .iter()
            .find(|m| m.cycle > cycle && m.cycle < limit)
            .filter(|_| self.pause_at_moments && !full_speed)
            .cloned();
        let cap = moment.as_ref().map_or(limit, |m| m.cycle);
        // At full speed the slice ends at the frame's deadline, not after
        // the cycles the learned rate predicts (up to eight times those).
        let cycles = if full_speed {
            want.saturating_mul(8)
        } else {
            want
        }
        .min(cap - cycle);
        let start = crate::clock::frame::started_at().unwrap_or_else(now_ms);
        let (until, rate) = (start + p.stats.pacer.slice_ms(draw), p.stats.pacer.rate);
        self.pace.set(p);
        let t0 = now_ms();
        let stop = match (want > 0 && cycles > 0, full_speed) {
            (false, _) => None,
            (true, true) => self.run_to_deadline(cycles, until, rate),
            (true, false) => self.apply_quiet(&Command::Run { cycles }),
        };
        let took = if stop.is_some() { now_ms() - t0 } else { 0.0 };
        let mut p = self.pace.get();
        let ran = p.cycle_now.saturating_sub(cycle);
        p.stats.sim_ms_total += took;
        p.stats.sim_cycles_total += ran;
        p.cycles_since_view += ran;
        // A run that used its whole budget did not stop: nothing to show
        // until the next redraw is due.
        let stopped = stop.is_some_and(|s| s != RunStop::Budget);
        let at_moment = moment.filter(|m| !stopped && p.cycle_now == m.cycle);
        let end = stopped || p.cycle_now >= limit || at_moment.is_some();
        if (end || due) && p.ms_since_view > 0.0 {
            p.stats.cycles_per_sec = p.cycles_since_view as f64 * 1000.0 / p.ms_since_view;
        }
        let redraw = end || due || catching_up;
        p.last_frame = Some(LastFrame {
            slice_end_ms: now_ms() - start,
            // A frame that ends the run draws everything: not a sample of
            // any one draw's cost.
            drew: if end { None } else { draw },
        });
        p.stats.slice = ran;
        p.stats.slice_ms = took;
        if full_speed && stop == Some(RunStop::Budget) && p.cycle_now < limit {
            p.stats.pacer.observe_slice(ran, took);
        }
        self.pace.set(p);
        // Below full speed every frame shows the cycle counter move.
        (redraw || !full_speed).then_some(Todo::Draw {
            end,
            due,
            at_moment,
            stop,
            limit,
        })
    }

    /// Runs at most `max` cycles, in chunks, until the clock reads `until`
    /// (ms), starting at `rate` cycles/ms and then at the rate each chunk
    /// shows: a stretch of slow kernel work does not make the frame late,
    /// and a fast one does not leave it idle. Why the last chunk stopped.
    fn run_to_deadline(&self, max: u64, until: f64, rate: f64) -> Option<RunStop> {
        let (mut rate, mut left, mut t) = (rate, max, now_ms());
        loop {
            let cycles = Pacer::chunk(rate, until - t).min(left);
            if cycles == 0 {
                // The deadline came: the slice used its time.
                return Some(RunStop::Budget);
            }
            let before = self.pace.get().cycle_now;
            let stop = self.apply_quiet(&Command::Run { cycles });
            let now = now_ms();
            let ran = self.pace.get().cycle_now.saturating_sub(before);
            if now > t && ran > 0 {
                rate = ran as f64 / (now - t);
            }
            left = left.saturating_sub(ran);
            t = now;
            if stop != Some(RunStop::Budget) || left == 0 {
                return stop;
            }
        }
    }

    /// Draws what a frame left to draw, and stops the run if it ended.
    pub(super) fn draw(&mut self, todo: Todo) {
        let (end, due, at_moment, stop, limit) = match todo {
            Todo::Stop(why) => return self.stop(why),
            Todo::Draw {
                end,
                due,
                at_moment,
                stop,
                limit,
            } => (end, due, at_moment, stop, limit),
        };
        if end {
            self.refresh();
        } else if due {
            self.compute_view_for_groups();
        } else if self.next_group < PANEL_GROUPS {
            self.show_next_group();
        }
        if let Some(m) = at_moment {
            let why = format!("Key moment: {}.", m.caption);
            return self.stop(Some(why));
        }
        self.stop_if(stop, limit);
    }

    /// Runs (or would run) as fast as the frames allow: the fastest speed,
    /// or a seek run in frames.
    fn full_speed(&self) -> bool {
        self.run_until.is_some() || SPEEDS.get(self.speed).is_none_or(|s| s.1.is_none())
    }

    /// Running at full speed: panels change ten times a second, faster than
    /// anyone reads them, so long lists draw only what is in sight and
    /// listings do not scroll to follow the current line (all of it again
    /// on pause).
    pub fn lean(&self) -> bool {
        self.running && self.full_speed()
    }

    /// Cycles a watching speed owes for `dt_ms` of wall-clock time (the
    /// fraction carried to the next frame).
    fn cycles_owed(&self, p: &mut Pace, dt_ms: f64) -> u64 {
        let cps = SPEEDS.get(self.speed).and_then(|s| s.1).unwrap_or(1_000);
        // A hidden tab or a long pause must not turn into one huge slice.
        let owed = p.carry + cps as f64 * dt_ms.clamp(0.0, 100.0) / 1000.0;
        let whole = owed.floor();
        p.carry = owed - whole;
        whole as u64
    }

    /// Stops the run if the slice ended it: at a breakpoint, a halt, or the
    /// cycle `limit`.
    fn stop_if(&mut self, stop: Option<RunStop>, limit: u64) {
        match stop {
            Some(RunStop::Breakpoint) => {
                let line = self.view.as_ref().and_then(|v| v.code.current_line);
                self.stop(Some(line.map_or("Stopped at a breakpoint.".into(), |l| {
                    format!("Stopped at the breakpoint on line {l}.")
                })));
            }
            Some(RunStop::Halted) => {
                let why = end_notice(self.view.as_deref());
                self.stop(Some(why));
            }
            _ if self.cycle() >= limit => {
                let why = self
                    .run_until
                    .is_none()
                    .then(|| end_notice(self.view.as_deref()));
                self.stop(why);
            }
            _ => {}
        }
    }
}

/// Why a run ended, in words.
fn end_notice(view: Option<&View>) -> String {
    match view.map(|v| &v.status) {
        Some(Status::Finished) => "Finished: every process has exited.".into(),
        Some(Status::CycleLimit) => "Stopped at the scenario's cycle limit (max_cycles).".into(),
        Some(Status::Panic(p)) => format!("Kernel panic: {p}"),
        Some(Status::Stopped(s)) => format!("The machine stopped: {s}"),
        _ => "Stopped.".into(),
    }
}
