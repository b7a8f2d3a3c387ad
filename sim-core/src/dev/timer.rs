//! Programmable interval timer, a much simplified 8253 counting machine cycles:
//! - channel 0, periodic: raises IRQ 0 (vector 32) every `interval` cycles,
//!   counted from when it was programmed (a late delivery does not shift the
//!   next tick); 0 turns it off;
//! - channel 2, one-shot alarm: raises IRQ 1 (vector 33) once, a programmed
//!   number of cycles later (the kernel sets it for the next process arrival).
//!
//! Ports: `outl` to 0x40 sets the interval and restarts the count; `inl` from
//! 0x40 reads the interval; `inl` from 0x41 reads the cycles left until the
//! next tick (0 when off); `outl` to 0x42 arms the alarm that many cycles
//! ahead (0 disarms it), `inl` from 0x42 reads the cycles left (0 when off).

pub const IRQ: u8 = 0;
/// The one-shot alarm's line.
pub const ALARM_IRQ: u8 = 1;
pub const PORT_INTERVAL: u16 = 0x40;
pub const PORT_COUNT: u16 = 0x41;
pub const PORT_ALARM: u16 = 0x42;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timer {
    interval: u32,
    left: u32,
    /// Cycles until the one-shot alarm fires (0: disarmed).
    alarm: u64,
}

impl Timer {
    pub fn new(interval: u32) -> Self {
        Timer {
            interval,
            left: interval,
            alarm: 0,
        }
    }

    /// Arms the one-shot alarm `cycles` from now (0 disarms it).
    pub fn set_alarm(&mut self, cycles: u64) {
        self.alarm = cycles;
    }

    /// Cycles until the alarm fires, or 0 when disarmed.
    pub fn alarm_left(&self) -> u64 {
        self.alarm
    }

    /// Advances the alarm `n` cycles; true if it fired in them.
    pub fn advance_alarm(&mut self, n: u64) -> bool {
        if self.alarm == 0 || n == 0 {
            return false;
        }
        if n < self.alarm {
            self.alarm -= n;
            return false;
        }
        self.alarm = 0;
        true
    }

    pub fn interval(&self) -> u32 {
        self.interval
    }

    /// Cycles until the next tick, or 0 when off.
    pub fn left(&self) -> u32 {
        self.left
    }

    /// Periodic every `interval` cycles, the first tick after `first` cycles.
    pub fn start(&mut self, interval: u32, first: u32) {
        self.interval = interval;
        self.left = if interval == 0 { 0 } else { first.max(1) };
    }

    pub fn set_interval(&mut self, interval: u32) {
        self.interval = interval;
        self.left = interval;
    }

    /// Advances one cycle; true when the timer fires in it.
    #[inline]
    pub fn tick(&mut self) -> bool {
        if self.interval == 0 {
            return false;
        }
        self.left -= 1;
        if self.left == 0 {
            self.left = self.interval;
            return true;
        }
        false
    }

    /// Advances `n` cycles at once, exactly like `n` calls of [`Timer::tick`];
    /// true if it fired at least once (the IRQ line is edge-triggered, so
    /// several ticks before the CPU takes one count as one).
    pub fn advance(&mut self, n: u64) -> bool {
        if self.interval == 0 || n == 0 {
            return false;
        }
        let left = u64::from(self.left);
        if n < left {
            self.left = (left - n) as u32;
            return false;
        }
        let past = (n - left) % u64::from(self.interval);
        self.left = self.interval - past as u32;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_every_interval_and_advance_matches_ticks() {
        let mut t = Timer::new(3);
        let fired: Vec<bool> = (0..7).map(|_| t.tick()).collect();
        assert_eq!(fired, [false, false, true, false, false, true, false]);
        for n in 0..20 {
            let (mut a, mut b) = (Timer::new(4), Timer::new(4));
            a.tick();
            b.tick();
            let any = (0..n).fold(false, |f, _| a.tick() | f);
            assert_eq!(b.advance(n), any, "n = {n}");
            assert_eq!(a, b, "n = {n}");
        }
        assert!(!Timer::new(0).tick());
    }
}
