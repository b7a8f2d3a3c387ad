//! Frame pacing at full speed: how much simulation fits in the next frame.
//!
//! A frame has about 16.7 ms (60 Hz). The page's JavaScript work per frame is
//! the simulation slice plus the render it causes: small on most frames
//! (the cycle counter), large on the frames that redraw every panel (every
//! ~100 ms). The pacer learns both render costs and the engine's rate
//! (cycles per ms) from measurements, and sizes each slice so that slice +
//! render stays within the frame's work budget; a redraw frame runs a
//! smaller slice, or none when the redraw alone fills the frame.
//!
//! The budget is learned too: what the browser needs of each frame for its
//! own work (style, layout, paint, garbage collection) depends on the page
//! and the machine. It grows a little on every frame that came on time and
//! shrinks by a step when a frame came late (additive increase,
//! a larger fixed decrease, as TCP's congestion window), so it settles
//! just below the point where frames start to be missed. Frames that redraw
//! panels and frames that draw nothing (most of them at full speed: the
//! page changes nothing, so the browser has nothing to lay out or paint)
//! leave the browser very different work, so each kind has its own budget.
//!
//! A late frame that draws nothing is cut for only when the frame before it
//! of that kind was late too. A frame the host stalled (a video call, a
//! busy laptop: the VM here misses a few percent of frames however little
//! the page asks) comes alone, and nothing on screen waited for it; a
//! budget too large for the browser makes frame after frame late. Cutting
//! for every lone stall sank the budget toward its floor on a noisy host
//! (49–64 % of the engine's rate reached the page against 85–88 % on a calm
//! one) without making a frame fewer late.

/// JavaScript work aimed for per frame at first (of a 16.7 ms refresh).
pub const WORK_TARGET_MS: f64 = 12.0;
/// The budget's bounds: never less than half a 60 Hz frame, and always
/// leaving the browser this much of the refresh period.
const MIN_BUDGET_MS: f64 = 8.0;
const BROWSER_MS: f64 = 0.25;
/// How far a frame that draws nothing may run past the next refresh, ms.
/// The next frame's callback then starts that much late, and its slice,
/// which ends by the clock of its own frame, is that much shorter: what
/// the overrun buys is the browser's idle gap between two callbacks (a
/// page spinning to 17.4 ms after each frame began spent 95 % of the time
/// in its callbacks here, to 18 ms 96.7 %). At 1.5 ms, not 0.75, the page
/// got 1–4 points more of the engine in alternating runs, its frames over
/// 20 ms still under 2 %.
const QUIET_OVERRUN_MS: f64 = 1.5;
/// Growth per frame on time, and the cut after a late frame.
const GROW_MS: f64 = 0.03;
const CUT_MS: f64 = 1.0;
/// Growth per redraw frame on time. Redraws are about one frame in five,
/// and a few are late whatever the slice (a render that spikes, a
/// collection): growing at the quiet frames' pace, those few held the
/// redraw budget near 10 ms where ~13 fit (late redraws measured 3–4 % of
/// them either way), and redraw frames ran slices of ~6 ms against ~15.7.
const REDRAW_GROW_MS: f64 = 0.15;
/// A frame interval this much longer than the refresh period missed a refresh.
const LATE: f64 = 1.25;
/// Slices below this are not worth starting on a redraw frame.
const MIN_SLICE_MS: f64 = 1.0;
const MIN_SLICE: u64 = 500;
/// A slice runs in chunks against its deadline (see [`Pacer::chunk`]): each
/// takes this share of the time left, down to a last one of about
/// `CHUNK_LAST_MS`; none starts with less than `CHUNK_MIN_MS` left.
const CHUNK_SHARE: f64 = 0.75;
const CHUNK_LAST_MS: f64 = 1.0;
const CHUNK_MIN_MS: f64 = 0.15;
const MAX_SLICE: u64 = 50_000_000;
/// What a redraw frame draws: one of four groups of panels, or (its own
/// frame) the new view they will show.
pub const DRAWS: usize = 5;
/// The draw that computes the view (the others are the panel groups).
pub const VIEW_DRAW: usize = DRAWS - 1;
/// Weight of a new measurement in the running averages.
const ALPHA: f64 = 0.25;
/// At full speed, drawing (the panels' renders and the browser's extra
/// work after them) takes at most about this share of the time: the
/// panels are redrawn less often than ten times a second rather than
/// slowing the engine (a full-speed run is for getting somewhere; its
/// numbers change faster than anyone reads them).
pub const DRAW_SHARE: f64 = 0.06;
/// The longest interval between two views at full speed, in shortest
/// intervals: whatever drawing costs, the panels move at least this often
/// (twice a second). With 64 or 256 processes drawing asks for ~500 ms
/// ([`DRAW_SHARE`]); at 4 (400 ms) the page got ~2 points less of the
/// engine in alternating runs (84/83 % against 88/85 % and 84/83 %).
pub const SLOWEST_VIEWS: f64 = 5.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacer {
    /// Engine speed, cycles per millisecond.
    pub rate: f64,
    /// Work besides the slice of a frame that draws nothing, ms.
    pub light_ms: f64,
    /// Work besides the slice of a frame that draws, by what it draws
    /// (a group of panels, or [`VIEW_DRAW`]), ms.
    pub draw_ms: [f64; DRAWS],
    /// JavaScript work aimed for per frame that draws nothing, ms.
    pub budget_ms: f64,
    /// JavaScript work aimed for per frame that redraws (slice + render), ms.
    pub redraw_budget_ms: f64,
    /// The display's refresh period, ms (the shortest frame intervals).
    pub refresh_ms: f64,
    /// How late a frame's callback starts after the frame began, ms: after
    /// a frame that drew nothing, and after one that redrew (the browser's
    /// style, layout and paint of a redraw spill into the next frame).
    pub lag_ms: [f64; 2],
    /// Whether the last frame that drew nothing was late.
    pub quiet_late: bool,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            rate: 2_000.0,
            light_ms: 1.0,
            draw_ms: [3.0; DRAWS],
            budget_ms: WORK_TARGET_MS,
            redraw_budget_ms: WORK_TARGET_MS,
            refresh_ms: 1000.0 / 60.0,
            lag_ms: [0.5; 2],
            quiet_late: false,
        }
    }
}

fn ema(old: f64, new: f64) -> f64 {
    old + ALPHA * (new - old)
}

impl Pacer {
    /// When the slice of a frame that will `draw` (see [`DRAWS`]) or not
    /// must end, ms after the frame began: what its budget leaves beside
    /// the work that follows the slice (drawing and rendering); 0 when the
    /// drawing leaves no time.
    pub fn slice_ms(&self, draw: Option<usize>) -> f64 {
        let (budget, render) = match draw {
            Some(d) => (self.redraw_budget_ms, self.draw_ms[d.min(DRAWS - 1)]),
            None => (self.budget_ms, self.light_ms),
        };
        let ms = budget - render;
        if draw.is_some() && ms < MIN_SLICE_MS {
            return 0.0;
        }
        ms.max(MIN_SLICE_MS)
    }

    /// Cycles to simulate in a frame that will `draw` or not, at the
    /// learned rate; 0 when the drawing leaves no time.
    pub fn slice(&self, draw: Option<usize>) -> u64 {
        let ms = self.slice_ms(draw);
        if ms <= 0.0 {
            return 0;
        }
        ((self.rate * ms) as u64).clamp(MIN_SLICE, MAX_SLICE)
    }

    /// The next chunk of a slice that must end `left_ms` from now, the
    /// engine running at `rate` cycles/ms: most of what is left while much
    /// is, then all of it, so the last chunk is short and a change of speed
    /// inside the frame moves the slice's end by a fraction of a
    /// millisecond. 0 when too little time is left to start one.
    pub fn chunk(rate: f64, left_ms: f64) -> u64 {
        if left_ms < CHUNK_MIN_MS {
            return 0;
        }
        let ms = if left_ms > 2.0 * CHUNK_LAST_MS {
            left_ms * CHUNK_SHARE
        } else {
            left_ms
        };
        ((rate * ms) as u64).clamp(MIN_SLICE, MAX_SLICE)
    }

    /// How often a full-speed run redraws its panels (ms between views),
    /// a redraw taking a frame per draw: at least `min_ms`, and
    /// seldom enough that drawing keeps to [`DRAW_SHARE`] of the time. A
    /// redraw frame costs its render and the time the browser takes after
    /// it beyond a quiet frame's: the difference of the two budgets, and
    /// how much later the next frame's callback starts.
    pub fn view_interval_ms(&self, min_ms: f64) -> f64 {
        let browser = (self.budget_ms - self.redraw_budget_ms).max(0.0)
            + (self.lag_ms[1] - self.lag_ms[0]).max(0.0);
        let draw: f64 = self.draw_ms.iter().map(|d| d + browser).sum();
        (draw / DRAW_SHARE).clamp(min_ms, SLOWEST_VIEWS * min_ms)
    }

    /// The costliest frame that draws panels (the view's own frame aside), ms.
    pub fn worst_redraw_ms(&self) -> f64 {
        self.draw_ms[..VIEW_DRAW]
            .iter()
            .copied()
            .fold(0.0, f64::max)
    }

    /// A slice of `cycles` took `ms` of simulation.
    pub fn observe_slice(&mut self, cycles: u64, ms: f64) {
        if cycles >= MIN_SLICE && ms > 0.05 {
            // One slow slice (a burst of kernel work) must not collapse the
            // rate: change by at most 2x at a time.
            let r = (cycles as f64 / ms).clamp(self.rate / 2.0, self.rate * 2.0);
            self.rate = ema(self.rate, r);
        }
    }

    /// The last frame, which `redrew` or not, came `dt_ms` after the one
    /// before: on time, its kind's budget grows a little; late (a refresh
    /// missed), it is cut, a quiet frame's only after a late one before it.
    pub fn observe_interval(&mut self, dt_ms: f64, redrew: bool) {
        if dt_ms.is_nan() || dt_ms <= 0.0 || dt_ms > 250.0 {
            return; // a hidden tab or a pause: says nothing about the frame
        }
        if dt_ms < self.refresh_ms * LATE {
            self.refresh_ms = ema(self.refresh_ms, dt_ms);
        }
        // A quiet frame changes nothing on screen, so its slice may run into
        // the next refresh: that frame's callback starts as this one ends.
        let max = if redrew {
            self.refresh_ms - BROWSER_MS
        } else {
            self.refresh_ms + QUIET_OVERRUN_MS
        }
        .max(MIN_BUDGET_MS);
        let late = dt_ms > self.refresh_ms * LATE;
        // A quiet frame late alone was a stall of the host's (see the module's notes).
        let cut = late && (redrew || std::mem::replace(&mut self.quiet_late, true));
        if !redrew && !late {
            self.quiet_late = false;
        }
        let (budget, grow) = if redrew {
            (&mut self.redraw_budget_ms, REDRAW_GROW_MS)
        } else {
            (&mut self.budget_ms, GROW_MS)
        };
        *budget = if cut {
            *budget - CUT_MS
        } else if late {
            *budget
        } else {
            *budget + grow
        }
        .clamp(MIN_BUDGET_MS, max);
    }

    /// This frame's callback started `lag_ms` after the frame began; the
    /// frame before it `redrew` or not.
    pub fn observe_lag(&mut self, lag_ms: f64, redrew: bool) {
        if (0.0..8.0).contains(&lag_ms) {
            let l = &mut self.lag_ms[usize::from(redrew)];
            *l = ema(*l, lag_ms);
        }
    }

    /// The previous frame's whole work took `work_ms` from the frame's
    /// start, its slice ended `slice_end_ms` after it; it drew `draw` or
    /// nothing.
    pub fn observe_frame(&mut self, work_ms: f64, slice_end_ms: f64, draw: Option<usize>) {
        let render = (work_ms - slice_end_ms).max(0.0);
        match draw {
            Some(d) => {
                let d = d.min(DRAWS - 1);
                self.draw_ms[d] = ema(self.draw_ms[d], render);
            }
            None => self.light_ms = ema(self.light_ms, render),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_fill_what_rendering_leaves() {
        let mut p = Pacer {
            rate: 10_000.0,
            light_ms: 2.0,
            draw_ms: [8.0, 2.0, 8.0, 8.0, 8.0],
            ..Pacer::default()
        };
        assert_eq!(p.slice(None), 100_000);
        assert_eq!(p.slice(Some(0)), 40_000);
        assert_eq!(p.slice(Some(1)), 100_000, "each draw has its own cost");
        p.redraw_budget_ms = 10.0;
        assert_eq!(
            p.slice(Some(0)),
            20_000,
            "a redraw frame has its own budget"
        );
        p.redraw_budget_ms = WORK_TARGET_MS;
        p.draw_ms[0] = 15.0;
        assert_eq!(
            p.slice(Some(0)),
            0,
            "a redraw that fills the frame runs alone"
        );
        assert_eq!(p.worst_redraw_ms(), 15.0);
    }

    #[test]
    fn a_slice_runs_in_chunks_that_shrink_toward_its_deadline() {
        // 10 ms left at 1,000 cycles/ms: three quarters of it, then of the
        // rest, until a last chunk of what is left.
        assert_eq!(Pacer::chunk(1_000.0, 10.0), 7_500);
        assert_eq!(Pacer::chunk(1_000.0, 2.5), 1_875);
        assert_eq!(Pacer::chunk(1_000.0, 1.5), 1_500);
        assert_eq!(Pacer::chunk(10_000.0, 0.5), 5_000);
        assert_eq!(Pacer::chunk(1_000.0, 0.1), 0, "too late to start one");
        assert_eq!(Pacer::chunk(1_000.0, -3.0), 0, "the deadline has passed");
        assert_eq!(Pacer::chunk(1.0, 1.0), MIN_SLICE, "never a tiny chunk");
        let p = Pacer {
            rate: 1_000.0,
            light_ms: 2.0,
            ..Pacer::default()
        };
        assert_eq!(p.slice_ms(None), WORK_TARGET_MS - 2.0);
        assert_eq!(p.slice(None), 10_000);
    }

    #[test]
    fn costly_redraws_come_less_often() {
        let mut p = Pacer {
            draw_ms: [1.0; DRAWS],
            ..Pacer::default()
        };
        assert_eq!(
            p.view_interval_ms(100.0),
            100.0,
            "cheap redraws: ten a second"
        );
        p.draw_ms = [2.0, 3.0, 2.0, 1.0, 2.0];
        p.redraw_budget_ms = p.budget_ms - 1.0;
        // Five frames of 10 ms render in all + 1 ms browser work each.
        assert!((p.view_interval_ms(100.0) - 15.0 / DRAW_SHARE).abs() < 1e-9);
        p.draw_ms[2] = 100.0;
        assert_eq!(
            p.view_interval_ms(100.0),
            SLOWEST_VIEWS * 100.0,
            "never less often than that"
        );
    }

    #[test]
    fn it_learns_rate_and_render_costs() {
        let mut p = Pacer::default();
        for _ in 0..40 {
            p.observe_slice(50_000, 5.0);
            p.observe_frame(14.0, 5.0, Some(2));
            p.observe_frame(6.0, 5.0, None);
        }
        assert!((p.rate - 10_000.0).abs() < 10.0, "{}", p.rate);
        assert!((p.draw_ms[2] - 9.0).abs() < 0.01);
        assert_eq!(
            p.draw_ms[1],
            Pacer::default().draw_ms[1],
            "only the draw seen"
        );
        assert!((p.light_ms - 1.0).abs() < 0.01);
        // One freak slice moves the rate by at most half.
        p.observe_slice(50_000, 500.0);
        assert!(p.rate > 8_000.0);
    }

    #[test]
    fn the_budget_grows_while_frames_are_on_time_and_is_cut_when_one_is_late() {
        let mut p = Pacer::default();
        for _ in 0..1000 {
            p.observe_interval(16.7, false);
            p.observe_interval(16.7, true);
        }
        assert!((p.refresh_ms - 16.7).abs() < 0.01);
        // A frame that draws nothing may run into the next refresh by the
        // callback's usual lag; one that redraws leaves the browser its time.
        assert!(
            (p.budget_ms - (16.7 + QUIET_OVERRUN_MS)).abs() < 1e-9,
            "{p:?}"
        );
        assert!(
            (p.redraw_budget_ms - (16.7 - BROWSER_MS)).abs() < 1e-9,
            "{p:?}"
        );
        let before = p.slice(None);
        let full = p.budget_ms;
        p.observe_interval(33.4, false);
        assert_eq!(p.budget_ms, full, "a quiet frame late alone: a stall");
        p.observe_interval(16.7, true);
        p.observe_interval(33.4, false);
        assert!(
            (p.budget_ms - (16.7 + QUIET_OVERRUN_MS - CUT_MS)).abs() < 1e-9,
            "late again"
        );
        p.observe_interval(16.7, false);
        let grown = p.budget_ms;
        p.observe_interval(33.4, false);
        assert_eq!(p.budget_ms, grown, "alone again: a frame on time between");
        // A late redraw cuts the redraw budget, not the quiet frames' one.
        let quiet = p.budget_ms;
        p.observe_interval(33.4, true);
        assert_eq!(p.budget_ms, quiet);
        assert!((p.redraw_budget_ms - (16.7 - BROWSER_MS - CUT_MS)).abs() < 1e-9);
        assert!(
            p.slice(None) < before,
            "a late frame shrinks the next slice"
        );
        // Redraws are about one frame in five: their budget grows back
        // faster per frame.
        let cut = p.redraw_budget_ms;
        for _ in 0..5 {
            p.observe_interval(16.7, true);
        }
        assert!((p.redraw_budget_ms - (cut + 5.0 * REDRAW_GROW_MS)).abs() < 1e-9);
        const { assert!(REDRAW_GROW_MS > GROW_MS) };
        // The late interval is not taken for the refresh period.
        assert!((p.refresh_ms - 16.7).abs() < 0.01);
        for _ in 0..20 {
            p.observe_interval(40.0, false);
        }
        assert_eq!(p.budget_ms, MIN_BUDGET_MS);
        // A hidden tab's long gap says nothing.
        p.observe_interval(5_000.0, false);
        assert_eq!(p.budget_ms, MIN_BUDGET_MS);
        // A 120 Hz display: the budget follows its shorter period.
        let mut q = Pacer::default();
        for _ in 0..200 {
            q.observe_interval(8.33, false);
        }
        assert!(q.refresh_ms < 9.0);
        assert!(q.budget_ms <= MIN_BUDGET_MS.max(q.refresh_ms + QUIET_OVERRUN_MS));
    }

    #[test]
    fn a_redraw_that_delays_the_next_frame_makes_views_rarer() {
        let mut p = Pacer {
            draw_ms: [1.0, 2.0, 1.0, 1.0, 1.0],
            ..Pacer::default()
        };
        p.redraw_budget_ms = p.budget_ms;
        let cheap = p.view_interval_ms(100.0);
        assert!((cheap - 6.0 / DRAW_SHARE).abs() < 1e-9);
        // The callback after a redraw starts 2 ms later than after a quiet
        // frame: five draws cost 10 ms more.
        for _ in 0..100 {
            p.observe_lag(0.8, false);
            p.observe_lag(2.8, true);
        }
        assert!((p.view_interval_ms(100.0) - 16.0 / DRAW_SHARE).abs() < 1e-6);
        // A lag that is no lag (a stale timestamp) is not learned.
        p.observe_lag(50.0, true);
        assert!((p.lag_ms[1] - 2.8).abs() < 1e-6);
    }
}
