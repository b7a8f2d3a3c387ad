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
//! writes move the bus's code epoch, which the burst checks after every
//! instruction that used the bus (the others cannot move it), so the next
//! instruction is never taken from a stale table, as in `step`.

use super::cache::{space_of, DecodeCache, Decoded};
use super::state::Cpu;
use super::{lazy, uop};
use super::{Effect, Retired};
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
    /// The next instruction must go through [`super::step`]: not cached,
    /// not plain, or faulting.
    Step,
}

/// Runs plain instructions from the decode cache while `b.cycle < b.limit`.
/// `TRACED`: each one is handed to `mark` with the cycle it started in (a
/// parameter of the type, so the untraced loop has no trace code at all).
#[inline(never)]
pub(crate) fn burst<B: Bus, const TRACED: bool>(
    cpu: &mut Cpu,
    bus: &mut B,
    cache: &mut DecodeCache,
    b: &mut Burst,
    mark: &mut impl FnMut(u64, &Retired),
) -> BurstEnd {
    // Everything an instruction cannot change, in locals.
    let space = space_of(cpu);
    let ctx = cpu.access_ctx();
    let epoch = cache.epoch();
    let (limit, stops) = (b.limit, b.stops);
    // The common case, one stop or none, is one comparison (an EIP of
    // u32::MAX would only end the burst early, never change the result);
    // the rest are checked with the code epoch, only when needed.
    let first_stop = stops.first().copied().unwrap_or(u32::MAX);
    let many_stops = stops.len() > 1;
    let mut cycle = b.cycle;
    let mut started = b.started;
    let mut count = 0u64;
    // Status flags not computed yet (see `cpu::lazy`); settled below.
    let mut pending = lazy::Pending::settled(cpu.eflags);
    let mut watch = uop::EpochWatch {
        epoch,
        recheck: many_stops,
    };
    let end = match cache.table(space) {
        _ if cycle >= limit => BurstEnd::Limit,
        // `None`: the bus does not let instructions be cached.
        _ if epoch.is_none() || bus.code_epoch() != epoch => BurstEnd::Step,
        None => BurstEnd::Step,
        Some((table, blocks)) => 'run: loop {
            let eip = cpu.eip;
            // A whole block when it ends before the limit and holds no
            // stop (with many stops, every instruction is checked).
            let whole = match many_stops {
                true => None,
                false => blocks.at(&table, eip).filter(|b| {
                    let stop = first_stop.wrapping_sub(eip);
                    cycle + b.most < limit && (stop == 0 || stop >= b.span)
                }),
            };
            if let Some(block) = whole {
                loop {
                    let mut next = eip;
                    for d in block.ops.iter() {
                        let Some((to, cycles)) =
                            uop::execute(cpu, bus, ctx, d, &mut pending, &mut watch)
                        else {
                            // Unchanged by the fault: `cpu::step` raises it.
                            cpu.eip = d.ip32();
                            break 'run BurstEnd::Step;
                        };
                        count += 1;
                        started = cycle;
                        if TRACED {
                            mark(cycle, &retired(d, cycles));
                        }
                        cycle += u64::from(cycles);
                        next = to;
                        // The epoch moved: the rest of the block may be stale.
                        if watch.recheck {
                            break;
                        }
                    }
                    cpu.eip = next;
                    // A loop that is this block alone runs it again without
                    // a lookup when the checks below could only pass: the
                    // same EIP (not the stop), the epoch unmoved, the whole
                    // block again before the limit.
                    if next != eip
                        || next == first_stop
                        || watch.recheck
                        || cycle + block.most >= limit
                    {
                        break;
                    }
                }
            } else {
                let Some(d) = table.lookup(eip) else {
                    break BurstEnd::Step;
                };
                let Some((next, cycles)) = uop::execute(cpu, bus, ctx, d, &mut pending, &mut watch)
                else {
                    break BurstEnd::Step;
                };
                cpu.eip = next;
                count += 1;
                started = cycle;
                if TRACED {
                    mark(cycle, &retired(d, cycles));
                }
                cycle += u64::from(cycles);
            }
            if cycle >= limit {
                // The last instruction may have overrun the limit: it is busy
                // for the rest.
                b.busy = (cycle - limit) as u32;
                cycle = limit;
                break BurstEnd::Limit;
            }
            if cpu.eip == first_stop {
                break BurstEnd::Stop;
            }
            if watch.recheck {
                if many_stops && stops.binary_search(&cpu.eip).is_ok() {
                    break BurstEnd::Stop;
                }
                // The table is stale: `cpu::step` flushes it.
                if bus.code_epoch() != epoch {
                    break BurstEnd::Step;
                }
                watch.recheck = many_stops;
            }
        },
    };
    lazy::settle(cpu, &mut pending);
    b.started = started;
    cache.count_hits(count);
    b.cycle = cycle;
    b.count += count;
    end
}

/// What a burst reports of an instruction it ran.
#[inline(always)]
fn retired(d: &Decoded, cycles: u32) -> Retired {
    Retired {
        eip: d.ip32(),
        len: d.len() as u8,
        cycles,
        effect: Effect::None,
    }
}
