//! The one boundary between the engine and any front end: typed commands in,
//! a plain-data [`View`] out. The web app (and tests) never reach into the
//! machine or the kernel; they send a [`Command`] and render the view.
//!
//! ```
//! use sim_core::session::{Command, Granularity, Session};
//! let mut s = Session::load_builtin("syscall-read").unwrap();
//! s.apply(&Command::Step { granularity: Granularity::Instruction });
//! let view = s.view();
//! assert!(view.cycle > 0);
//! ```

pub mod compare;
mod compare_modes;
pub mod concepts;
mod describe;
mod exercises;
pub mod gantt;
mod history;
pub mod moments;
pub mod report;
mod stepping;
mod syscall_path;
pub mod unfairness;
pub mod view;

/// What a front end needs to open, edit and check scenarios.
pub use crate::asm::{highlight, Span, SpanKind};
pub use crate::kernel::ExecMode;
/// Types the view carries, named here so front ends need only this module.
pub use crate::kernel::{Pid, State};
pub use crate::scenario::{
    builtin, builtin_title, link, Ask, ProcessSpec, ProgramSource, Question, Scenario,
    ScenarioError, BUILTIN_NAMES,
};
pub use crate::sched::{Policy, ThreadId};
pub use crate::trace::Actor;
pub use compare::{CompareColumn, CompareView};
pub use concepts::*;
pub use describe::{event_view, kernel_step, vector_name};
pub use exercises::{homework, CellVerdict, QuestionView, Verdict};
pub use history::{GanttSpan, Memory, Mode, TimelineRow};
pub use moments::Moment;
pub use report::{JobReport, Report};
pub use view::*;

use serde::{Deserialize, Serialize};

use crate::sim::{Sim, TraceLevel};

/// What a stepping command waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Cycle,
    /// An instruction retired, a trap was delivered (a faulting instruction
    /// or an interrupt: the next stop is the handler's first instruction) or
    /// a kernel step ran.
    Instruction,
    /// CPL changed (user ↔ kernel).
    ModeSwitch,
    /// A trap or interrupt was delivered.
    Trap,
    /// The kernel switched threads.
    ContextSwitch,
}

/// Everything a front end can ask of the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Forward by one unit of `granularity` (never more than `STEP_LIMIT` cycles).
    Step { granularity: Granularity },
    /// Back to just before the previous unit of `granularity`. Right after
    /// `Step`s of the same granularity it undoes them, newest first: each
    /// returns to exactly the cycle (and so the view) that step started
    /// from. Any other command that moves the machine forgets those steps.
    StepBack { granularity: Granularity },
    /// Run at most `cycles` cycles; stops early at a breakpoint or the end.
    Run { cycles: u64 },
    /// Go to exactly this cycle (back or forward).
    Seek { cycle: u64 },
    /// Back to cycle 0 of the loaded scenario.
    Reset,
    /// Break before executing these source lines: (program index, 1-based line).
    SetBreakpoints { lines: Vec<(usize, u32)> },
}

/// Long runs and seeks bring the history up to date this often (cycles).
/// The logs keep what the history has not read yet, and keep the chunks it
/// filled for reuse: at most a stretch's instructions (one per cycle, 16
/// bytes each) beyond their limits, 1 MiB here. At 1 << 20 a page slicing
/// 700 k cycles per call (a fast machine) held 2 MB more than one slicing
/// 100 k, a 1-cycle-per-instruction program up to 16 MiB more; syncing 16
/// times as often cost no measurable time natively.
const SYNC_EVERY: u64 = 1 << 16;

/// Longest a single step command may run (a runaway program cannot hang it).
pub const STEP_LIMIT: u64 = 1_000_000;

/// Forward steps remembered for `StepBack` (the oldest are forgotten).
const UNDO_LIMIT: usize = 4096;

/// What stopped a `Run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStop {
    Budget,
    Breakpoint,
    Halted,
    /// The scenario's `max_cycles`: nothing runs past it.
    CycleLimit,
}

/// A loaded scenario being simulated, with derived history (timeline, Gantt).
pub struct Session {
    scenario: Scenario,
    sim: Sim,
    breakpoints: Vec<(usize, u32)>,
    history: history::History,
    /// The history as it was where a seek back left the run, while the
    /// simulation keeps its snapshots up to there ([`Sim::ahead_end`]): a
    /// seek forward into them goes back from there.
    ahead_history: Option<(u64, history::History)>,
    /// Forward steps just taken, newest last: (granularity, cycle before,
    /// cycle after). A `StepBack` of the same granularity at `after` returns
    /// to `before` exactly, so forward-then-back always restores the view.
    undo: Vec<(Granularity, u64, u64)>,
    /// System-call arguments read at their trap (see `syscall_path`).
    args_cache: Vec<(u64, Vec<Option<u32>>)>,
    /// Per program: the disassembly of one given as an ELF executable
    /// (made once; the code panel shows it where there is no source).
    listings: Vec<Option<String>>,
}

impl Session {
    /// Builds a session; scenario errors carry their JSON path and location.
    pub fn new(scenario: Scenario) -> Result<Session, Vec<ScenarioError>> {
        let mut sim = scenario.build(TraceLevel::Steps)?;
        sim.set_snapshot_budget(crate::sim::snapshot_budget(scenario.processes.len()));
        let listings = scenario
            .programs
            .iter()
            .zip(sim.kernel().programs())
            .map(|(p, u)| p.elf.is_some().then(|| crate::scenario::elf_listing(u)))
            .collect();
        let mut s = Session {
            scenario,
            sim,
            breakpoints: Vec::new(),
            history: history::History::default(),
            ahead_history: None,
            undo: Vec::new(),
            args_cache: Vec::new(),
            listings,
        };
        s.history
            .sync(s.sim.trace(), s.sim.instructions(), s.sim.cycle());
        Ok(s)
    }

    pub fn load_builtin(name: &str) -> Option<Session> {
        Session::new(builtin(name)?).ok()
    }

    pub fn from_json(text: &str) -> Result<Session, Vec<ScenarioError>> {
        Session::new(Scenario::from_json(text)?)
    }

    /// The key moments of built-in lesson `name` in this session's
    /// scenario (found by running a copy of it; see [`moments`]).
    pub fn moments(&self, name: &str) -> Vec<Moment> {
        moments::find(name, &self.scenario)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Program `p`'s text as its line map numbers it, and how many of its
    /// lines are the program's own: its source followed by the user
    /// library, or, for an ELF executable, the disassembly of its code.
    pub(crate) fn program_text(&self, p: usize) -> (String, u32) {
        if let Some(listing) = self.listings.get(p).and_then(Option::as_ref) {
            return (listing.clone(), listing.lines().count() as u32);
        }
        let source = self
            .scenario
            .programs
            .get(p)
            .map_or("", |s| s.source.as_str());
        let own = source.lines().count() as u32;
        (
            format!("{source}\n{}", crate::kernel::usys::epilogue()),
            own,
        )
    }

    pub fn cycle(&self) -> u64 {
        self.sim.cycle()
    }

    /// How many trace events the simulation keeps now (bounded: the
    /// history reads them and the oldest are dropped), for benchmarks.
    pub fn trace_kept(&self) -> usize {
        self.sim.trace().kept()
    }

    /// How many snapshots the simulation keeps for stepping back and seeking
    /// (thinned out in the far past), for benchmarks.
    pub fn snapshots_kept(&self) -> usize {
        self.sim.snapshot_count()
    }

    /// What time travel holds, in bytes: the simulation's snapshots, trace
    /// and instructions, and the timeline and Gantt history derived from
    /// them (measured from what is allocated), for benchmarks and tests.
    pub fn memory(&self) -> Memory {
        Memory {
            sim: self.sim.memory(),
            views: self.history.bytes() + self.ahead_history.as_ref().map_or(0, |(_, h)| h.bytes()),
        }
    }

    /// The cycles of the snapshots kept (where seeks replay from), oldest
    /// first, for benchmarks.
    pub fn snapshot_cycles(&self) -> Vec<u64> {
        self.sim.snapshot_cycles()
    }

    /// Bytes the snapshots may hold (see [`Sim::set_snapshot_budget`]).
    pub fn set_snapshot_budget(&mut self, bytes: usize) {
        self.sim.set_snapshot_budget(bytes);
    }

    /// The program (its index in the scenario) and source line the CPU is
    /// about to run, at an instruction boundary in a user program; `None`
    /// in the kernel or mid-instruction. Where a breakpoint on that line stops.
    pub fn user_line(&self) -> Option<(usize, u32)> {
        let k = self.sim.kernel();
        if !self.at_boundary() || k.in_kernel() {
            return None;
        }
        let p = k
            .current()
            .and_then(|t| k.thread(t))
            .and_then(|t| k.process(t.pid))?
            .program;
        let eip = self.sim.machine().cpu().eip;
        let line = k.programs().get(p)?.program.line_at(eip)?;
        (line.addr == eip).then_some((p, line.line))
    }

    /// Every trace event the simulation still keeps (the newest [`crate::sim::MAX_TRACE`];
    /// retired instructions are not included), oldest first: for export.
    pub fn trace_events(&self) -> Vec<EventView> {
        self.sim.trace().iter().map(event_view).collect()
    }

    /// Applies one command; returns why a run stopped (for `Run`).
    pub fn apply(&mut self, cmd: &Command) -> Option<RunStop> {
        self.sim
            .keep_trace_from(self.history.consumed(), self.history.consumed_instrs());
        let stop = match cmd {
            Command::Step { granularity } => {
                self.step_undoable(*granularity);
                None
            }
            Command::StepBack { granularity } => {
                self.undo_or_step_back(*granularity);
                None
            }
            Command::Run { cycles } => {
                self.undo.clear();
                Some(self.run(*cycles))
            }
            Command::Seek { cycle } => {
                self.undo.clear();
                let cycle = (*cycle).min(self.limit().max(self.sim.cycle()));
                self.seek(cycle);
                None
            }
            Command::Reset => {
                self.undo.clear();
                self.seek(0);
                None
            }
            Command::SetBreakpoints { lines } => {
                self.breakpoints = lines.clone();
                None
            }
        };
        self.sync_history();
        stop
    }

    /// The cycle of the snapshot a seek back to `cycle` replays from: how
    /// far such a seek runs.
    pub fn snapshot_before(&self, cycle: u64) -> Option<u64> {
        self.sim.snapshot_before(cycle)
    }

    /// Runs the boot and stops before the first instruction of a user
    /// program: where a lesson's story starts. The boot (`allocproc`, the
    /// trap stubs) stays reachable one step back. Returns the cycle.
    pub fn skip_boot(&mut self) -> u64 {
        self.undo.clear();
        let start = self.sim.cycle();
        while !self.in_user_program()
            && self.sim.halted().is_none()
            && self.sim.cycle() - start < STEP_LIMIT
            && self.sim.cycle() < self.limit()
        {
            self.step(Granularity::Instruction);
        }
        self.sync_history();
        self.sim.cycle()
    }

    /// The CPU is about to run a user program's instruction.
    fn in_user_program(&self) -> bool {
        let k = self.sim.kernel();
        self.at_boundary()
            && !k.in_kernel()
            && k.current().is_some()
            && self.sim.machine().cpu().eip < crate::kernel::layout::KERNBASE
    }

    /// The scenario's cycle limit: no command runs past it.
    fn limit(&self) -> u64 {
        self.scenario.max_cycles
    }

    fn run(&mut self, cycles: u64) -> RunStop {
        let limit = self.limit();
        let end = self.sim.cycle().saturating_add(cycles).min(limit);
        let at_end = |s: &Self, stop: RunStop| match stop {
            RunStop::Budget if s.sim.cycle() >= limit => RunStop::CycleLimit,
            _ => stop,
        };
        let bps = self.breakpoint_addrs();
        if bps.is_empty() {
            // Nothing to check between cycles: the simulation's fast loops.
            let stop = match self.run_synced(end) {
                Some(_) => RunStop::Halted,
                None => RunStop::Budget,
            };
            return at_end(self, stop);
        }
        // The simulation stops before any breakpoint address; whether it is
        // one of the running program's is decided here.
        let addrs: Vec<u32> = bps.iter().map(|&(_, a)| a).collect();
        loop {
            if self.sim.run(end, &addrs).is_some() {
                return RunStop::Halted;
            }
            if self.sim.cycle() >= end {
                return at_end(self, RunStop::Budget);
            }
            if self.at_boundary() && self.at_breakpoint(&bps) {
                return RunStop::Breakpoint;
            }
        }
    }

    /// Runs to `end` in stretches of [`SYNC_EVERY`] cycles, bringing the
    /// history up to date after each, so the trace can drop what the history
    /// has read and a long run or seek stays within its memory bound.
    fn run_synced(&mut self, end: u64) -> Option<crate::sim::Halt> {
        loop {
            let to = end.min(self.sim.cycle().saturating_add(SYNC_EVERY));
            if let Some(h) = self.sim.run(to, &[]) {
                return Some(h);
            }
            if to >= end {
                return None;
            }
            self.sync_history();
        }
    }

    /// How far the run has been: where it is, or where a seek back left it
    /// (a seek forward to there costs what a seek back does).
    pub fn reached(&self) -> u64 {
        let now = self.sim.cycle();
        self.sim.ahead_end().map_or(now, |end| end.max(now))
    }

    /// Goes to exactly `cycle`. Forward into what a seek back left ahead,
    /// the history starts from where the run was and goes back from there,
    /// as the simulation does; further forward, it runs.
    fn seek(&mut self, cycle: u64) {
        if cycle <= self.sim.cycle() {
            self.sim.seek(cycle);
            return;
        }
        let kept = self.ahead_history.take();
        match (self.sim.ahead_for(cycle), kept) {
            (Some(end), Some((at, history))) if at == end => {
                self.history = history.clone();
                self.ahead_history = Some((end, history));
                self.sim.seek(cycle.min(end));
                self.sync_history();
                if cycle > end {
                    self.run_synced(cycle);
                }
            }
            (_, kept) => {
                self.ahead_history = kept;
                self.run_synced(cycle);
            }
        }
    }

    /// Cold: only after a seek far back (and not in a page's first load).
    #[cold]
    #[inline(never)]
    fn keep_history_ahead(&mut self, end: u64) {
        self.ahead_history = Some((end, self.history.clone()));
    }

    fn sync_history(&mut self) {
        // A seek back that left snapshots ahead came first: the history is
        // still where the run was. A run that passed them dropped them.
        match self.sim.ahead_end() {
            None => self.ahead_history = None,
            Some(end) => {
                if self.ahead_history.as_ref().is_none_or(|(at, _)| *at != end) {
                    self.keep_history_ahead(end);
                }
            }
        }
        self.history
            .sync(self.sim.trace(), self.sim.instructions(), self.sim.cycle());
        self.sim
            .keep_trace_from(self.history.consumed(), self.history.consumed_instrs());
    }

    /// (program index, address) of every breakpoint line.
    fn breakpoint_addrs(&self) -> Vec<(usize, u32)> {
        let programs = self.sim.kernel().programs();
        self.breakpoints
            .iter()
            .flat_map(|&(p, line)| {
                programs.get(p).into_iter().flat_map(move |prog| {
                    prog.program
                        .lines
                        .iter()
                        .filter(move |l| l.line == line)
                        .map(move |l| (p, l.addr))
                })
            })
            .collect()
    }

    fn at_breakpoint(&self, bps: &[(usize, u32)]) -> bool {
        let eip = self.sim.machine().cpu().eip;
        let k = self.sim.kernel();
        if k.in_kernel() {
            return false;
        }
        let prog = k
            .current()
            .and_then(|t| k.thread(t))
            .and_then(|t| k.process(t.pid))
            .map(|p| p.program);
        prog.is_some_and(|p| bps.contains(&(p, eip)))
    }
}

#[cfg(test)]
mod tests;
