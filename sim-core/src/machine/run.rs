//! The fast loops: `Machine::run` without events, skipping busy and idle
//! cycles in bulk and executing instructions back to back while the devices
//! are quiet; and `Machine::run_traced`, the same quiet loop for a traced
//! machine, which hands each plain instruction to the caller and stops at
//! the first one with any other event.

use super::{Machine, StopReason};
use crate::cpu::{self, flags, Effect, Retired};
use crate::event::Event;

impl Machine {
    /// Runs up to `max_cycles` cycles without recording events; stops early at
    /// a breakpoint (not on the first instruction, so a run can resume from
    /// one), a halt nothing can end, or a stop.
    pub fn run(&mut self, max_cycles: u64) -> StopReason {
        if let Some(s) = self.stopped {
            return s;
        }
        self.board.set_tracing(false);
        self.board.clear_events();
        self.board.sync_devices();
        let stop = self.run_fast(max_cycles);
        self.board.sync_devices();
        stop
    }

    /// For a machine in traced mode: runs plain instructions back to back for
    /// at most `max_cycles` cycles while no device can fire, calling
    /// `mark(cycle, retired)` for each (`cycle`: the one it started in). Stops
    /// before executing at any of `stops` (sorted; never before the first
    /// instruction), at
    /// the cycle limit, when the CPU is busy or an interrupt is deliverable,
    /// or after an instruction with any event besides its retirement (a trap,
    /// `hlt`, a fault, a port access, `iret`): then it returns that
    /// instruction's starting cycle and its events, exactly as
    /// [`Machine::step`] would have returned them. Returns no events if it
    /// stopped otherwise (possibly without running anything: the caller then
    /// steps). Memory accesses are not recorded: use `step` for those.
    pub fn run_traced(
        &mut self,
        max_cycles: u64,
        stops: &[u32],
        mut mark: impl FnMut(u64, &Retired),
    ) -> (u64, &[Event]) {
        self.board.clear_events();
        // `step` ticks the devices without keeping their quiet time.
        self.board.sync_devices();
        let start = self.cycle;
        if self.stopped.is_some() || !self.can_run_quiet() {
            return (start, self.board.events());
        }
        self.board.set_tracing(true);
        let memory = self.board.memory_tracing();
        self.board.set_memory_tracing(false);
        let last = self.run_quiet::<true>(start.saturating_add(max_cycles), stops, &mut mark);
        self.board.set_memory_tracing(memory);
        self.board.sync_devices();
        (last, self.board.events())
    }

    fn run_fast(&mut self, max_cycles: u64) -> StopReason {
        // Borrowed by the quiet loop while it mutates the machine.
        let breakpoints = std::mem::take(&mut self.breakpoints);
        let stop = self.run_fast_with(max_cycles, &breakpoints);
        self.breakpoints = breakpoints;
        stop
    }

    fn run_fast_with(&mut self, max_cycles: u64, breakpoints: &[u32]) -> StopReason {
        let end = self.cycle.saturating_add(max_cycles);
        let mut first = true;
        while self.cycle < end {
            if self.busy > 0 {
                // Busy cycles only tick devices: do them in bulk.
                let n = u64::from(self.busy).min(end - self.cycle);
                self.cycle += n;
                self.busy -= n as u32;
                self.board.tick_devices_lazily(n);
                continue;
            }
            if !first && !self.cpu.halted && breakpoints.binary_search(&self.cpu.eip).is_ok() {
                return StopReason::Breakpoint(self.cpu.eip);
            }
            if self.halted_forever() {
                return StopReason::HaltedForever;
            }
            if self.cpu.halted && self.board.devices.pic.next().is_none() {
                // Idle until the cycle in which a device can next fire.
                let idle = self
                    .board
                    .quiet_left()
                    .saturating_sub(1)
                    .min(end - self.cycle);
                if idle > 0 {
                    self.cycle += idle;
                    self.board.tick_devices_lazily(idle);
                    continue;
                }
            }
            first = false;
            if self.can_run_quiet() {
                self.run_quiet::<false>(end, breakpoints, &mut |_, _| {});
            } else {
                self.cycle_once(true);
            }
            self.check_debug_exit();
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
            && !(self.cpu.flag(flags::IF) && self.board.devices.pic.next().is_some())
            && self.board.quiet_left() > 1
    }

    /// Executes instructions back to back while no device can fire (they are
    /// quiet until `quiet_left`) and no IRQ is pending: exactly what
    /// `cycle_once` would do in those cycles, without its per-cycle checks.
    /// Returns at `end`, when a device may fire next cycle (a port access may
    /// have shortened the quiet time), on an IRQ becoming deliverable
    /// (`sti`), before an instruction at one of `stops` (never the first), or
    /// after anything but a plain instruction (trap, halt, fault; when
    /// `TRACED`, also a port access or an `iret`, whose events the caller
    /// must see). Returns the cycle the last instruction started in.
    ///
    /// Plain instructions run in bursts ([`cpu::burst`]), which cannot touch
    /// a device, IF or the trace; the rest, one at a time through
    /// `cpu::step` with the checks that follow. Within the loop the devices
    /// cannot fire, so their deferred cycles are counted without the lazy
    /// tick's comparison; port accesses apply them (`Board::sync_devices`)
    /// before touching a device.
    #[inline(always)]
    fn run_quiet<const TRACED: bool>(
        &mut self,
        end: u64,
        stops: &[u32],
        mark: &mut impl FnMut(u64, &Retired),
    ) -> u64 {
        // The cycle and the instruction count live in locals (registers) and
        // are written back before anything that reads them.
        let mut cycle = self.cycle;
        let mut started = cycle;
        let mut done = 0u64;
        let mut limit = self.quiet_limit(end, cycle);
        while cycle < limit {
            let mut b = cpu::Burst {
                cycle,
                limit,
                stops,
                count: 0,
                started,
                busy: 0,
            };
            let why = cpu::burst::<_, TRACED>(
                &mut self.cpu,
                &mut self.board,
                &mut self.cache,
                &mut b,
                mark,
            );
            let (burst_end, burst_started, count, busy) = (b.cycle, b.started, b.count, b.busy);
            self.board.defer_quiet_cycles(burst_end - cycle);
            cycle = burst_end;
            started = burst_started;
            done += count;
            match why {
                cpu::BurstEnd::Step if cycle < limit => {}
                _ => {
                    self.busy = busy;
                    break;
                }
            }
            // One instruction the burst could not run.
            started = cycle;
            cycle += 1;
            self.board.defer_quiet_cycles(1);
            if TRACED {
                // Port accesses record events stamped with this.
                self.board.set_cycle(cycle);
            }
            // Only a traced `iret` needs the ring it left.
            let from_cpl = if TRACED { self.cpu.cpl() } else { 3 };
            let result = cpu::step(&mut self.cpu, &mut self.board, &mut self.cache);
            match &result {
                // A plain instruction; untraced, an `iret` is one too (its
                // events are not wanted).
                Ok(r)
                    if match r.effect {
                        Effect::None => !TRACED || self.board.events().is_empty(),
                        Effect::Iret => !TRACED,
                        _ => false,
                    } =>
                {
                    done += 1;
                    if TRACED {
                        mark(started, r);
                    }
                    if !TRACED && self.board.devices_synced() {
                        // A port access applied the deferred device cycles
                        // and may have shortened the quiet time.
                        limit = self.quiet_limit(end, cycle);
                    }
                    let extra = r.cycles.saturating_sub(1);
                    let n = u64::from(extra).min(limit - cycle);
                    cycle += n;
                    self.board.defer_quiet_cycles(n);
                    if u64::from(extra) > n {
                        self.busy = extra - n as u32;
                        break;
                    }
                    if stops.binary_search(&self.cpu.eip).is_ok()
                        || (self.cpu.flag(flags::IF) && self.board.devices.pic.next().is_some())
                    {
                        break;
                    }
                }
                Ok(r) => {
                    let r = *r;
                    self.finish_quiet(cycle, done);
                    done = 0;
                    self.retired(from_cpl, &r);
                    break;
                }
                Err(e) => {
                    let e = *e;
                    self.finish_quiet(cycle, done);
                    done = 0;
                    self.faulted(e);
                    break;
                }
            }
        }
        self.finish_quiet(cycle, done);
        started
    }

    /// The last cycle the quiet loop may reach from `cycle`: before the one
    /// in which a device may fire, and at most `end`.
    #[inline(always)]
    fn quiet_limit(&self, end: u64, cycle: u64) -> u64 {
        end.min(cycle.saturating_add(self.board.quiet_left().saturating_sub(1)))
    }

    /// Writes back the quiet loop's cycle and count of plain instructions.
    #[inline(always)]
    fn finish_quiet(&mut self, cycle: u64, done: u64) {
        self.cycle = cycle;
        self.board.set_cycle(cycle);
        self.instructions += done;
        self.retired_or_delivered += done;
    }
}
