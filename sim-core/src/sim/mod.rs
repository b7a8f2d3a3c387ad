//! The whole simulated computer: the machine and the kernel that runs on it,
//! advanced one cycle at a time, with a trace and instant stepping back.
//!
//! Each cycle either runs one kernel step (when the CPU waits at `trap_c`),
//! enters the kernel (the CPU just reached `trap_c`), or lets the machine do
//! its cycle (execute an instruction, be busy, deliver an interrupt).
//! Stepping back restores the nearest earlier snapshot (cheap: pages are
//! copy-on-write) and replays deterministically.

mod log;
mod marks;
mod seek;
mod snapshots;

pub use log::{merge, InstrLog, InstrMark, Log, TraceLog, MAX_INSTRS, TRACE_CHUNK};
use marks::Marks;
pub use marks::MARK_EVERY;
pub use seek::{AHEAD_KEEPS, SEEK_EVENTS, SEEK_EVENTS_REACH, SEEK_KEEPS, SEEK_REPLAY_MAX};
pub use snapshots::{snapshot_budget, SNAPSHOT_BUDGET, SNAPSHOT_BUDGET_PER_PROCESS};
use snapshots::{Live, Snapshots};

use crate::event::{Event, EventKind};
use crate::kernel::{Kernel, OsEvent};
use crate::machine::{Machine, TraceMode};
use crate::trace::{self, Actor, TraceEvent, TraceKind};

/// How much of each cycle the trace keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceLevel {
    /// Everything, memory accesses included.
    Full,
    /// Everything but memory reads and writes.
    Steps,
    /// Nothing (fastest); metrics and state are still exact.
    Off,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Halt {
    /// Every process has exited.
    Finished,
    /// The kernel panicked (a fault in kernel mode).
    KernelPanic(String),
    /// The machine stopped (triple fault).
    MachineStopped(String),
}

#[derive(Clone)]
pub struct Sim {
    machine: Machine,
    kernel: Kernel,
    /// Events other than retired instructions; the oldest are dropped on
    /// long runs (see [`MAX_TRACE`]).
    trace: TraceLog,
    trace_limit: usize,
    instrs_limit: usize,
    /// Events and instructions from these absolute numbers on are not
    /// dropped (a reader has not seen them yet).
    trace_keep_from: usize,
    instrs_keep_from: usize,
    instrs: InstrLog,
    level: TraceLevel,
    snapshots: Snapshots,
    snapshot_every: u64,
    /// Where the logs stood every [`MARK_EVERY`] cycles (see `marks.rs`).
    marks: Marks,
    /// A seek's replay is running with nothing recorded (see `seek.rs`):
    /// no snapshots, no marks.
    quiet: bool,
    /// See [`Sim::cycles_run`].
    cycles_run: u64,
}

/// What the time-travel history holds, in bytes (measured from the sizes
/// of what is allocated: see [`Sim::memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryBytes {
    /// Snapshots kept, and the bytes they hold beside the live machine.
    pub snapshots: usize,
    pub snapshot_bytes: usize,
    /// Of `snapshot_bytes`, what the snapshots' kernels hold (the rest is
    /// their machines: CPU, devices, pages).
    pub snapshot_kernel_bytes: usize,
    /// The trace events other than retired instructions.
    pub trace: usize,
    /// The retired instructions.
    pub instrs: usize,
    /// Where the logs stood every [`MARK_EVERY`] cycles.
    pub marks: usize,
    /// Snapshots a seek back dropped, freed as the run goes on.
    pub retired_snapshots: usize,
    /// Snapshots a seek back kept after its target (see [`Sim::seek`]).
    pub ahead_snapshots: usize,
    /// The live machine's memory pages and table nodes.
    pub live_memory: usize,
}

impl HistoryBytes {
    /// Everything but the live machine: what time travel costs.
    pub fn history(&self) -> usize {
        self.snapshot_bytes
            + self.trace
            + self.instrs
            + self.marks
            + self.retired_snapshots
            + self.ahead_snapshots
    }
}

/// Default distance between snapshots for stepping back.
pub const SNAPSHOT_EVERY: u64 = 16_384;
/// Bytes of trace events kept at most (besides retired instructions):
/// beyond, the oldest go a chunk at a time. Bounds the memory of a long run
/// at full speed, while a lesson's whole trace fits many times over.
pub const TRACE_BYTES: usize = 4 << 20;
/// Trace events kept at most: [`TRACE_BYTES`] of them.
pub const MAX_TRACE: usize = TRACE_BYTES / std::mem::size_of::<TraceEvent>();

impl Sim {
    pub fn new(machine: Machine, kernel: Kernel, level: TraceLevel) -> Self {
        let mut s = Sim {
            machine,
            kernel,
            trace: TraceLog::default(),
            trace_limit: MAX_TRACE,
            instrs_limit: MAX_INSTRS,
            trace_keep_from: usize::MAX,
            instrs_keep_from: usize::MAX,
            instrs: InstrLog::default(),
            level,
            snapshots: Snapshots::default(),
            snapshot_every: SNAPSHOT_EVERY,
            marks: Marks::default(),
            quiet: false,
            cycles_run: 0,
        };
        s.set_machine_mode();
        s.collect_os_events();
        s.snapshot();
        s.mark();
        s
    }

    /// The machine's loops and memory tracing as the trace level wants.
    fn set_machine_mode(&mut self) {
        let level = self.level;
        self.machine.set_memory_tracing(level == TraceLevel::Full);
        self.machine.set_mode(if level == TraceLevel::Off {
            TraceMode::Fast
        } else {
            TraceMode::Traced
        });
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }
    pub fn cycle(&self) -> u64 {
        self.machine.cycle()
    }
    /// The recorded events except retired instructions (see
    /// [`Sim::instructions`]), oldest first, with absolute indices; on long
    /// runs the oldest are dropped.
    pub fn trace(&self) -> &TraceLog {
        &self.trace
    }

    /// Every retired instruction, in order (the oldest may have been dropped:
    /// see [`InstrLog`]).
    pub fn instructions(&self) -> &InstrLog {
        &self.instrs
    }

    /// The whole trace, instructions merged in (an instruction comes before
    /// the other events of its cycle).
    pub fn full_trace(&self) -> Vec<TraceEvent> {
        merge(&self.instrs.to_vec(), &self.trace.to_vec())
    }
    /// Snapshots kept for stepping back (memory cost: each shares unchanged
    /// pages with the others, copy-on-write).
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Bytes the snapshots may hold (default [`SNAPSHOT_BUDGET`]); beyond,
    /// all but the newest eighth thin out. The first snapshot and the newest two stay
    /// whatever they cost.
    pub fn set_snapshot_budget(&mut self, bytes: usize) {
        let live = Live {
            machine: &self.machine,
            kernel: &self.kernel,
        };
        self.snapshots.set_budget(bytes, live);
    }

    /// The cycles of the snapshots kept, oldest first (where a seek
    /// replays from), for benchmarks.
    pub fn snapshot_cycles(&self) -> Vec<u64> {
        self.snapshots.cycles()
    }

    /// Where a seek back left the run, while the snapshots up to there are
    /// kept (see [`Sim::seek`]): a seek forward to there replays from them.
    pub fn ahead_end(&self) -> Option<u64> {
        self.snapshots.ahead_end()
    }

    /// Where the snapshots kept ahead reach, if a seek forward to `cycle`
    /// would replay from one of them.
    pub fn ahead_for(&self, cycle: u64) -> Option<u64> {
        let first = self.snapshots.ahead_first()?;
        (first <= cycle).then_some(self.snapshots.ahead_end()?)
    }

    /// Cycles the machine has advanced since the simulation was built,
    /// replays included: what seeks and runs cost, for tests and benchmarks.
    pub fn cycles_run(&self) -> u64 {
        self.cycles_run
    }

    /// What the history holds now, in bytes.
    pub fn memory(&self) -> HistoryBytes {
        HistoryBytes {
            snapshots: self.snapshots.len(),
            snapshot_bytes: self.snapshots.bytes(),
            snapshot_kernel_bytes: self.snapshots.kernel_bytes(),
            trace: self.trace.bytes(),
            instrs: self.instrs.bytes(),
            marks: self.marks.bytes(),
            retired_snapshots: self.snapshots.retired_bytes(),
            ahead_snapshots: self.snapshots.ahead_bytes(),
            live_memory: self.machine.mem().bytes(),
        }
    }

    /// Why the simulation cannot go on, if it cannot.
    pub fn halted(&self) -> Option<Halt> {
        if let Some(p) = self.kernel.panicked() {
            return Some(Halt::KernelPanic(p.to_string()));
        }
        if let Some(s) = self.machine.stopped() {
            return Some(Halt::MachineStopped(format!("{s:?}")));
        }
        self.kernel.finished().then_some(Halt::Finished)
    }

    /// Advances one cycle; returns the number of trace events it added.
    pub fn step(&mut self) -> usize {
        if self.halted().is_some() {
            return 0;
        }
        let before = self.trace.len();
        let m = &mut self.machine;
        if m.busy_cycles() == 0 {
            let at_entry = !self.kernel.in_kernel()
                && m.cpu().eip == self.kernel.stubs().trap_c
                && m.cpu().cpl() == 0;
            if at_entry {
                self.kernel.enter(m);
            }
            if self.kernel.in_kernel() {
                if let Some(cost) = self.kernel.step(m) {
                    m.add_busy(cost);
                }
            }
        }
        let cycle = m.cycle();
        let events = m.step();
        record(&mut self.trace, &mut self.instrs, self.level, cycle, events);
        self.cycles_run += self.machine.cycle() - cycle;
        self.collect_os_events_at(cycle);
        self.settle();
        self.trace.len() - before
    }

    /// Keeps at most `events` trace events (default [`MAX_TRACE`]).
    pub fn set_trace_limit(&mut self, events: usize) {
        self.trace_limit = events.max(8);
        // The oldest events go a chunk at a time: a small limit needs small chunks.
        self.trace.rechunk((self.trace_limit / 8).min(TRACE_CHUNK));
        self.bound_trace();
    }

    /// Keeps at most `instrs` retired instructions (default [`MAX_INSTRS`]).
    pub fn set_instr_limit(&mut self, instrs: usize) {
        self.instrs_limit = instrs.max(8);
        self.instrs
            .rechunk((self.instrs_limit / 8).min(MAX_INSTRS / 4));
        self.bound_trace();
    }

    /// Events and instructions from absolute numbers `events` and `instrs`
    /// on are kept until this is called again with later numbers, whatever
    /// the limits: a reader that has consumed the trace that far misses none.
    pub fn keep_trace_from(&mut self, events: usize, instrs: usize) {
        (self.trace_keep_from, self.instrs_keep_from) = (events, instrs);
        self.bound_trace();
    }

    /// After every advance, once its events are recorded: a snapshot at each
    /// multiple of `snapshot_every` (runs stop there), then the trace bounded.
    fn settle(&mut self) {
        // Marks come with the snapshots (`MARK_EVERY` is their interval):
        // one test per cycle stepped, not two.
        if self.machine.cycle().is_multiple_of(self.snapshot_every) && !self.quiet {
            self.snapshot();
            self.mark();
        }
        self.bound_trace();
    }

    fn mark(&mut self) {
        self.marks
            .note(self.machine.cycle(), self.trace.len(), self.instrs.len());
    }

    fn bound_trace(&mut self) {
        self.trace
            .drop_front(self.trace_limit, self.trace_keep_from);
        self.instrs
            .drop_front(self.instrs_limit, self.instrs_keep_from);
    }

    /// Runs until cycle `until`, a halt, or the CPU about to execute at one
    /// of `stops` (linear addresses in any order, for breakpoints; never
    /// before the first instruction, so a run can resume from one). Returns
    /// the halt, if it halted. The same result as calling [`Sim::step`] that
    /// many times: user code runs in the machine's fast loops.
    ///
    /// ```no_run
    /// # fn demo(sim: &mut sim_core::sim::Sim) {
    /// let halt = sim.run(sim.cycle() + 10_000, &[]);
    /// # }
    /// ```
    pub fn run(&mut self, until: u64, stops: &[u32]) -> Option<Halt> {
        let mut first = true;
        while self.cycle() < until {
            if let Some(h) = self.halted() {
                return Some(h);
            }
            let m = &self.machine;
            if !first && m.busy_cycles() == 0 && stops.contains(&m.cpu().eip) {
                return None;
            }
            first = false;
            if !self.run_flat_out(until, stops) {
                self.step();
            }
        }
        self.halted()
    }

    /// User code between kernel entries runs in the machine's fast loops,
    /// stopping where the kernel must act (the CPU at `trap_c`), at `stops`,
    /// at the next snapshot and at `limit`: `Machine::run` without a trace,
    /// and `Machine::run_traced` at `Steps` (every retired instruction and
    /// every other event is recorded as stepping would). Same result as
    /// stepping. Returns false if it could not advance (the kernel is
    /// working, the CPU is busy…): the caller then steps a cycle.
    fn run_flat_out(&mut self, limit: u64, stops: &[u32]) -> bool {
        let m = &self.machine;
        let trap_c = self.kernel.stubs().trap_c;
        if self.level == TraceLevel::Full
            || self.kernel.in_kernel()
            || m.busy_cycles() != 0
            || m.cpu().eip == trap_c
        {
            return false;
        }
        let now = m.cycle();
        let next_snapshot = (now / self.snapshot_every + 1) * self.snapshot_every;
        // A quiet replay takes no snapshots and notes no marks: no stops.
        let budget = if self.quiet {
            limit
        } else {
            limit.min(next_snapshot)
        } - now;
        // Without breakpoints (every kernel entry of a plain run) the only
        // stop is `trap_c`: no list to build.
        let with_breakpoints;
        let all: &[u32] = if stops.is_empty() {
            std::slice::from_ref(&trap_c)
        } else {
            let mut v = stops.to_vec();
            v.push(trap_c);
            crate::sort::sort(&mut v);
            v.dedup();
            with_breakpoints = v;
            &with_breakpoints
        };
        if self.level == TraceLevel::Off {
            self.machine.set_breakpoints(all);
            self.machine.run(budget);
        } else {
            let instrs = &mut self.instrs;
            let (cycle, events) = self.machine.run_traced(budget, all, |cycle, r| {
                instrs.push(InstrMark::new(cycle, r.eip, r.len, r.cycles));
            });
            record(&mut self.trace, instrs, self.level, cycle, events);
        }
        self.cycles_run += self.machine.cycle() - now;
        self.settle();
        self.machine.cycle() > now
    }

    fn snapshot(&mut self) {
        let c = self.machine.cycle();
        if self.snapshots.last_cycle().is_some_and(|last| last >= c) {
            return;
        }
        let live = Live {
            machine: &self.machine,
            kernel: &self.kernel,
        };
        self.snapshots
            .push(live, self.trace.len(), self.instrs.len());
    }

    fn collect_os_events(&mut self) {
        let c = self.cycle();
        self.collect_os_events_at(c);
    }

    fn collect_os_events_at(&mut self, cycle: u64) {
        if !self.kernel.has_events() {
            return;
        }
        let events = self.kernel.take_events();
        if self.level != TraceLevel::Off {
            self.trace
                .extend(events.into_iter().map(|e: OsEvent| TraceEvent {
                    cycle,
                    actor: Actor::Os,
                    kind: TraceKind::Os(e),
                }));
        }
    }
}

/// Adds the machine events of one cycle (or of the instruction that started
/// in it) to the trace, stamped with `cycle`: retired instructions to the
/// instruction log, memory accesses only at `Full`, the rest with their actor.
fn record(
    trace: &mut TraceLog,
    instrs: &mut InstrLog,
    level: TraceLevel,
    cycle: u64,
    events: &[Event],
) {
    if level == TraceLevel::Off {
        return;
    }
    // Every event of this step is stamped with the cycle it started at, so
    // `seek(e.cycle)` shows the state just before it.
    let code = events
        .iter()
        .find_map(|e| match e.kind {
            EventKind::InstructionRetired { eip, .. } => Some(trace::actor_of_eip(eip)),
            _ => None,
        })
        .unwrap_or(Actor::Hardware);
    for e in events {
        match e.kind {
            EventKind::InstructionRetired { eip, len, cycles } => {
                instrs.push(InstrMark::new(cycle, eip, len, cycles));
            }
            EventKind::MemRead { .. } | EventKind::MemWrite { .. } if level != TraceLevel::Full => {
            }
            _ => trace.push(TraceEvent {
                cycle,
                actor: trace::machine_actor(&e.kind, code),
                kind: TraceKind::Machine(e.kind.clone()),
            }),
        }
    }
}
