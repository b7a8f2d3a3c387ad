//! Frame pacing at full speed: how much simulation fits in the next frame.
//!
//! A frame has about 16.7 ms (60 Hz). The page's JavaScript work per frame is
//! the simulation slice plus the render it causes: small on most frames
//! (the cycle counter), large on the frames that redraw every panel (every
//! ~100 ms). The pacer learns both render costs and the engine's rate
//! (cycles per ms) from measurements, and sizes each slice so that slice +
//! render stays within [`WORK_TARGET_MS`]; a redraw frame runs a smaller
//! slice, or none when the redraw alone fills the frame.

/// JavaScript work aimed for per frame; the rest of the 16.7 ms is the
/// browser's own (style, layout, paint, garbage collection).
pub const WORK_TARGET_MS: f64 = 12.0;
/// Slices below this are not worth starting on a redraw frame.
const MIN_SLICE_MS: f64 = 1.0;
const MIN_SLICE: u64 = 500;
const MAX_SLICE: u64 = 50_000_000;
/// Weight of a new measurement in the running averages.
const ALPHA: f64 = 0.25;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacer {
    /// Engine speed, cycles per millisecond.
    pub rate: f64,
    /// Render work of a frame that only updates the controls, ms.
    pub light_ms: f64,
    /// Render work of a frame that redraws every panel, ms.
    pub heavy_ms: f64,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            rate: 2_000.0,
            light_ms: 1.0,
            heavy_ms: 6.0,
        }
    }
}

fn ema(old: f64, new: f64) -> f64 {
    old + ALPHA * (new - old)
}

impl Pacer {
    /// Cycles to simulate in a frame that will (`redraw`) or will not
    /// redraw the panels; 0 when a redraw leaves no time.
    pub fn slice(&self, redraw: bool) -> u64 {
        let render = if redraw { self.heavy_ms } else { self.light_ms };
        let ms = WORK_TARGET_MS - render;
        if redraw && ms < MIN_SLICE_MS {
            return 0;
        }
        ((self.rate * ms.max(MIN_SLICE_MS)) as u64).clamp(MIN_SLICE, MAX_SLICE)
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

    /// The previous frame's whole work was `work_ms`, of which `sim_ms`
    /// simulation; it redrew the panels or not.
    pub fn observe_frame(&mut self, work_ms: f64, sim_ms: f64, redraw: bool) {
        let render = (work_ms - sim_ms).max(0.0);
        if redraw {
            self.heavy_ms = ema(self.heavy_ms, render);
        } else {
            self.light_ms = ema(self.light_ms, render);
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
            heavy_ms: 8.0,
        };
        assert_eq!(p.slice(false), 100_000);
        assert_eq!(p.slice(true), 40_000);
        p.heavy_ms = 15.0;
        assert_eq!(p.slice(true), 0, "a redraw that fills the frame runs alone");
    }

    #[test]
    fn it_learns_rate_and_render_costs() {
        let mut p = Pacer::default();
        for _ in 0..40 {
            p.observe_slice(50_000, 5.0);
            p.observe_frame(14.0, 5.0, true);
            p.observe_frame(6.0, 5.0, false);
        }
        assert!((p.rate - 10_000.0).abs() < 10.0, "{}", p.rate);
        assert!((p.heavy_ms - 9.0).abs() < 0.01);
        assert!((p.light_ms - 1.0).abs() < 0.01);
        // One freak slice moves the rate by at most half.
        p.observe_slice(50_000, 500.0);
        assert!(p.rate > 8_000.0);
    }
}
