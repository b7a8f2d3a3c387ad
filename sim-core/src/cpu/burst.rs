//! Plain instructions back to back, for the machine's quiet loop.
//!
//! [`super::step`] is one instruction with everything a caller might need
//! (fetch on a miss, every effect, a [`Retired`] record). Between device
//! events most instructions are *plain* (decided once, at decode: general
//! registers, flags, memory, near transfers; see `cache::is_plain`), and for
//! those the machine needs much less: their cost and where EIP went. A burst
//! executes them straight from the decode cache, with the address-space tag
//! computed once (a plain instruction cannot change CR3 or the CPL), and
//! hands anything else back: a cache miss, a non-plain instruction, a fault.
//! The caller then runs that one instruction through [`super::step`], which
//! fetches, caches and reports it exactly as stepping does; a faulting
//! instruction changed nothing (faults are restartable), so executing it
//! again there raises the same fault. Self-modifying code and page-table
//! writes move the bus's code epoch, which the burst checks before every
//! instruction, as `step` does.

use super::cache::{space_of, DecodeCache};
use super::exec::{self, FlowKind};
use super::state::Cpu;
use super::{cost, Effect, Retired};
use crate::bus::Bus;

/// A burst's budget and what it did.
pub(crate) struct Burst<'a> {
    /// The cycle the next instruction starts in; advanced by each one's cost.
    pub cycle: u64,
    /// No instruction starts at or after this cycle. An instruction that
    /// starts before it but costs more ends the burst with `busy` > 0.
    pub limit: u64,
    /// Stop before executing at these addresses (sorted); never before the
    /// first instruction of the burst.
    pub stops: &'a [u32],
    /// Traced: each instruction with the cycle it started in.
    pub retired: Option<&'a mut Vec<(u64, Retired)>>,
    /// Instructions executed.
    pub count: u64,
    /// Cycle the last executed instruction started in.
    pub started: u64,
    /// Cycles of the last instruction beyond `limit`.
    pub busy: u32,
}

/// Why a burst ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BurstEnd {
    /// `cycle` reached `limit`, or the last instruction overran it (`busy`).
    Limit,
    /// EIP is at one of the stops.
    Stop,
    /// The trace buffer is full: drain it and go on.
    Full,
    /// The next instruction must go through [`super::step`]: not cached,
    /// not plain, or faulting.
    Step,
}

/// Traced bursts hand over their instructions in batches of this many.
pub(crate) const TRACE_BATCH: usize = 1024;

/// Runs plain instructions from the decode cache while `b.cycle < b.limit`.
#[inline(never)]
pub(crate) fn burst<B: Bus>(
    cpu: &mut Cpu,
    bus: &mut B,
    cache: &mut DecodeCache,
    b: &mut Burst,
) -> BurstEnd {
    let space = space_of(cpu);
    let mut cycle = b.cycle;
    let mut count = 0u64;
    let end = loop {
        if cycle >= b.limit {
            break BurstEnd::Limit;
        }
        let epoch = bus.code_epoch();
        if epoch.is_none() || epoch != cache.epoch() {
            break BurstEnd::Step;
        }
        let eip = cpu.eip;
        let Some(d) = cache.lookup(eip, space).filter(|d| d.plain) else {
            break BurstEnd::Step;
        };
        let Ok(flow) = exec::execute(cpu, bus, d) else {
            break BurstEnd::Step;
        };
        let mut cycles = d.cycles;
        cpu.eip = match flow.kind {
            FlowKind::Next => d.next_eip,
            FlowKind::Taken => {
                cycles += cost::TAKEN_BRANCH;
                flow.target
            }
            // Plain instructions transfer control only as above or `Jump`.
            _ => flow.target,
        };
        count += 1;
        b.started = cycle;
        if let Some(trace) = b.retired.as_deref_mut() {
            trace.push((
                cycle,
                Retired {
                    eip,
                    len: d.len() as u8,
                    cycles,
                    effect: Effect::None,
                },
            ));
        }
        let done = cycle + u64::from(cycles);
        if done > b.limit {
            b.busy = (done - b.limit) as u32;
            cycle = b.limit;
            break BurstEnd::Limit;
        }
        cycle = done;
        if stop_at(b.stops, cpu.eip) {
            break BurstEnd::Stop;
        }
        if b.retired.as_ref().is_some_and(|t| t.len() >= TRACE_BATCH) {
            break BurstEnd::Full;
        }
    };
    cache.count_hits(count);
    b.cycle = cycle;
    b.count += count;
    end
}

#[inline(always)]
fn stop_at(stops: &[u32], eip: u32) -> bool {
    match stops {
        [] => false,
        [only] => eip == *only,
        many => many.binary_search(&eip).is_ok(),
    }
}
