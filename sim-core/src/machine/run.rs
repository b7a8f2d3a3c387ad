//! The fast loop: `Machine::run` without events, skipping busy and idle
//! cycles in bulk and executing instructions back to back while the devices
//! are quiet.

use super::{Machine, StopReason};
use crate::cpu::{self, flags, Effect};

impl Machine {
    /// Runs up to `max_cycles` cycles without recording events; stops early at
    /// a breakpoint (not on the first instruction, so a run can resume from
    /// one), a halt nothing can end, or a stop.
    pub fn run(&mut self, max_cycles: u64) -> StopReason {
        if let Some(s) = self.stopped {
            return s;
        }
        self.sys.set_tracing(false);
        self.sys.clear_events();
        self.sys.sync_devices();
        let stop = self.run_fast(max_cycles);
        self.sys.sync_devices();
        stop
    }

    fn run_fast(&mut self, max_cycles: u64) -> StopReason {
        let end = self.cycle.saturating_add(max_cycles);
        let mut first = true;
        while self.cycle < end {
            if self.busy > 0 {
                // Busy cycles only tick devices: do them in bulk.
                let n = u64::from(self.busy).min(end - self.cycle);
                self.cycle += n;
                self.busy -= n as u32;
                self.sys.tick_devices_lazily(n);
                continue;
            }
            if !first && !self.cpu.halted && self.breakpoints.binary_search(&self.cpu.eip).is_ok() {
                return StopReason::Breakpoint(self.cpu.eip);
            }
            if self.halted_forever() {
                return StopReason::HaltedForever;
            }
            if self.cpu.halted && self.sys.devices.pic.next().is_none() {
                // Idle until the cycle in which a device can next fire.
                let idle = self
                    .sys
                    .quiet_left()
                    .saturating_sub(1)
                    .min(end - self.cycle);
                if idle > 0 {
                    self.cycle += idle;
                    self.sys.tick_devices_lazily(idle);
                    continue;
                }
            }
            first = false;
            if self.breakpoints.is_empty() && self.can_run_quiet() {
                self.run_quiet(end);
            } else {
                self.cycle_once(true);
            }
            if let Some(s) = self.stopped {
                return s;
            }
        }
        StopReason::CycleLimit
    }

    /// No interrupt can be taken now and the CPU is ready for its next
    /// instruction: the precondition of [`Machine::run_quiet`].
    fn can_run_quiet(&self) -> bool {
        self.busy == 0
            && !self.cpu.halted
            && !(self.cpu.flag(flags::IF) && self.sys.devices.pic.next().is_some())
            && self.sys.quiet_left() > 1
    }

    /// Executes instructions back to back while no device can fire (they are
    /// quiet until `quiet_left`) and no IRQ is pending: exactly what
    /// `cycle_once` would do in those cycles, without its per-cycle checks.
    /// Returns at `end`, when a device may fire next cycle (a port access may
    /// have shortened the quiet time), on an IRQ becoming deliverable
    /// (`sti`), or on anything but a plain instruction (trap, halt, fault).
    fn run_quiet(&mut self, end: u64) {
        loop {
            let limit = end.min(self.cycle.saturating_add(self.sys.quiet_left() - 1));
            if self.cycle >= limit {
                self.sys.set_cycle(self.cycle);
                return;
            }
            self.cycle += 1;
            // Untraced: the system's cycle only stamps events, so it is set lazily.
            self.sys.tick_devices_lazily(1);
            let result = cpu::step(&mut self.cpu, &mut self.sys, &mut self.cache);
            match &result {
                Ok(r) if r.effect == Effect::None => {
                    self.instructions += 1;
                    self.work += 1;
                    let extra = r.cycles.saturating_sub(1);
                    let n = u64::from(extra).min(limit - self.cycle);
                    self.cycle += n;
                    self.sys.tick_devices_lazily(n);
                    self.busy = extra - n as u32;
                    if self.busy > 0
                        || (self.cpu.flag(flags::IF) && self.sys.devices.pic.next().is_some())
                    {
                        self.sys.set_cycle(self.cycle);
                        return;
                    }
                }
                Ok(r) => {
                    let r = *r;
                    self.sys.set_cycle(self.cycle);
                    self.retired(self.cpu.cpl(), &r);
                    return;
                }
                Err(e) => {
                    let e = *e;
                    self.sys.set_cycle(self.cycle);
                    self.faulted(e);
                    return;
                }
            }
        }
    }
}
