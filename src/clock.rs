//! Milliseconds from a monotonic clock: `performance.now()` in the browser,
//! `Instant` in native unit tests.

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// A `performance.mark` (what the browser benchmark reads to say where the
/// time to interactive goes); nothing natively.
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// The JavaScript work of the last animation frame: from the start of its
/// callback to the end of the render it caused (the app marks both), so the
/// reducer can size the next simulation slice to what rendering leaves.
pub mod frame {
    use std::cell::Cell;

    thread_local! {
        static START: Cell<Option<f64>> = const { Cell::new(None) };
        static WORK: Cell<Option<f64>> = const { Cell::new(None) };
        static LAG: Cell<Option<f64>> = const { Cell::new(None) };
    }

    /// An animation-frame callback begins, for the frame that began at
    /// `frame_ms` (the callback's timestamp, on the clock of `now_ms`). The
    /// frame's work counts from there: the browser starts the callback a
    /// little after the refresh, and that delay is part of what the frame
    /// has to fit in.
    pub fn started(frame_ms: f64) {
        let now = super::now_ms();
        // A timestamp from another clock, or far behind, says nothing.
        let start = if frame_ms <= now && now - frame_ms < 8.0 {
            frame_ms
        } else {
            now
        };
        START.with(|s| s.set(Some(start)));
        LAG.with(|l| l.set((start == frame_ms).then_some(now - frame_ms)));
    }

    /// How long after its frame began the current frame's callback started,
    /// ms (none when the timestamp was not usable).
    pub fn lag() -> Option<f64> {
        LAG.with(Cell::get)
    }

    /// When the current frame's callback began, if one is under way.
    pub fn started_at() -> Option<f64> {
        START.with(Cell::get)
    }

    /// The render caused by the frame is done (called from an effect).
    pub fn rendered() {
        if let Some(start) = START.with(Cell::take) {
            WORK.with(|w| w.set(Some(super::now_ms() - start)));
        }
    }

    /// Milliseconds the previous frame's work took, once.
    pub fn take_work_ms() -> Option<f64> {
        WORK.with(Cell::take)
    }
}
