//! The one reducer: it owns the engine [`Session`], turns [`Action`]s into
//! session commands and computes one [`View`] per action (while running,
//! one per redraw interval: `running`), which every panel then renders from
//! props.

use std::cell::{Cell, RefCell};
use std::ops::Deref;
use std::rc::Rc;

use sim_core::session::compare::Comparison;
use sim_core::session::{
    builtin, CellVerdict, Command, ConceptQuery, Granularity, Moment, QuestionView, RunStop,
    Scenario, ScenarioError, Session, Status, Verdict, View,
};
use yew::Reducible;

use crate::clock::now_ms;

mod action;
mod concepts;
mod exercises;
mod host;
mod open;
mod pacing;
mod panels;
mod running;
mod views;
pub use action::{Action, Origin};
pub use concepts::default_tab;
pub use exercises::{Answered, Compared};
pub use host::HostCommand;
pub use pacing::Pacer;
pub use panels::{Panel, Shown};

/// Speeds offered by the speed control: label and cycles per second
/// (`None`: as fast as the frame budget allows).
pub const SPEEDS: &[(&str, Option<u64>)] = &[
    ("100 cycles/s", Some(100)),
    ("1 k cycles/s", Some(1_000)),
    ("10 k cycles/s", Some(10_000)),
    ("100 k cycles/s", Some(100_000)),
    ("1 M cycles/s", Some(1_000_000)),
    ("as fast as possible", None),
];
/// Index into [`SPEEDS`] used when the page opens.
pub const DEFAULT_SPEED: usize = 3;
/// A forward seek longer than this runs in frames instead of blocking.
pub const SEEK_IN_FRAMES: u64 = 200_000;
/// While running, the panels are redrawn at most this often (at full speed
/// less often when redraws are costly: `Pacer::view_interval_ms`): a full
/// redraw of a 64-process machine costs more than a frame, and nobody reads
/// panels changing 60 times a second.
pub const VIEW_INTERVAL_MS: f64 = 100.0;
const MIN_FRAMES_BETWEEN_VIEWS: u32 = 4;
/// While running, a new view reaches the panels one group per frame (see
/// `AppState::group_views`), so no frame pays for redrawing every panel.
pub const PANEL_GROUPS: usize = 4;

/// A view shared by all panels; equal only to itself, so comparing props is
/// a pointer comparison instead of a deep walk over the whole machine.
#[derive(Clone, Debug)]
pub struct SharedView(pub Rc<View>);

impl PartialEq for SharedView {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for SharedView {
    type Target = View;
    fn deref(&self) -> &View {
        &self.0
    }
}

/// Measured while running, shown in the controls and read by the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunStats {
    /// Cycles in the last slice.
    pub slice: u64,
    /// Milliseconds the last slice took (simulation only).
    pub slice_ms: f64,
    /// Cycles simulated per second of wall-clock time, over the last redraw
    /// interval (what the user gets, drawing included).
    pub cycles_per_sec: f64,
    /// Milliseconds the last view took to compute.
    pub view_ms: f64,
    /// What the pacer has learnt (engine rate, render costs).
    pub pacer: Pacer,
    /// Milliseconds spent in simulation slices and the cycles they ran,
    /// since the page opened: over any stretch, the engine's own rate
    /// inside slices (time-weighted, unlike the pacer's running average)
    /// and the share of wall-clock time it got (the browser benchmark
    /// reads both).
    pub sim_ms_total: f64,
    pub sim_cycles_total: u64,
    /// The engine's time for the last command applied alone (a step, a
    /// seek): the browser benchmark reads a seek's share.
    pub command_ms: f64,
}

#[derive(Clone)]
pub struct AppState {
    session: Option<Rc<RefCell<Session>>>,
    /// Name of the open scenario (a built-in name, or e.g. `bench-64`).
    pub name: String,
    pub view: Option<SharedView>,
    /// What each group of panels shows: `view`, except while running, when a
    /// new view reaches the groups one frame after another.
    group_views: [Option<SharedView>; PANEL_GROUPS],
    /// The next group to show the new view (`PANEL_GROUPS`: all show it).
    next_group: usize,
    /// What each panel shows (see `panels`), by [`Panel`] index.
    shown: [Option<Shown>; Panel::ALL.len()],
    /// The view before the last action, to highlight what changed.
    pub prev: Option<SharedView>,
    pub running: bool,
    /// When the view was last computed (ms, `now_ms`).
    view_at: f64,
    /// The run's bookkeeping, which a frame that draws nothing updates in
    /// place (see [`running::Pace`]).
    pace: Cell<running::Pace>,
    /// Stop the current run at this cycle (forward seeks run in frames).
    pub run_until: Option<u64>,
    pub speed: usize,
    pub breakpoints: Vec<(usize, u32)>,
    /// Why the last run stopped, or why a scenario did not load.
    pub notice: Option<String>,
    /// Something the user must know (a link that could not be opened).
    pub alert: Option<String>,
    /// The panels an opened share link asks for.
    pub link_panels: Option<Vec<String>>,
    /// Overrides the scenario's `max_cycles` (URL parameter `max_cycles`).
    pub max_cycles_override: Option<u64>,
    pub origin: Origin,
    /// The open scenario as edited (the session runs its last valid version).
    pub scenario: Option<Rc<Scenario>>,
    /// Why the edited scenario cannot run (empty: it runs).
    pub problems: Rc<Vec<ScenarioError>>,
    /// Host commands applied so far, and the last one's error: the page
    /// answers the host once per command (see `host`).
    pub host_seq: u64,
    pub host_error: Option<String>,
    /// The open built-in lesson's key moments (none for other scenarios).
    pub moments: Rc<Vec<Moment>>,
    /// The lesson is a built-in whose key moments are not found yet: the
    /// page asks for them once it has drawn the lesson, so finding them
    /// (a run of a copy of the lesson) does not delay the first render.
    pub moments_due: bool,
    /// The view was made while running at full speed, with only the
    /// history rows in sight (`views::depth`).
    view_lean: bool,
    /// A run (below full speed) pauses at each key moment it reaches.
    pub pause_at_moments: bool,
    /// The concept view open and what it shows.
    pub concept: ConceptQuery,
    /// The comparison's second session: the same programs in the other
    /// mode, kept at the main session's cycle (only while it is open).
    twin: Option<Rc<RefCell<Session>>>,
    /// The system-call path last shown (kept whole when going back).
    last_path: Option<Rc<sim_core::session::SyscallPath>>,
    /// The open scenario's questions and the verdicts given so far.
    pub questions: Rc<Vec<QuestionView>>,
    pub verdicts: Rc<Vec<(String, Verdict)>>,
    /// The last graded answer (an embedded frame posts it to the host).
    pub answered: Option<Answered>,
    /// The graded cells of a homework problem.
    pub homework_cells: Rc<Vec<CellVerdict>>,
    /// The last comparison of policies (or why it could not run).
    pub compared: Compared,
    /// A comparison under way, run a slice per frame (see `exercises`).
    comparing: Option<Rc<RefCell<Comparison>>>,
    /// What the comparison under way is doing, in words.
    pub compare_status: Option<String>,
    /// Its speed, cycles per ms, learned to fill its share of a frame.
    compare_rate: f64,
    /// The unfairness plot of the open lottery scenario, once drawn.
    pub unfairness: Option<Rc<Vec<sim_core::session::unfairness::UnfairnessPoint>>>,
    /// The plot being computed, a slice per frame like a comparison.
    plotting: Option<Rc<RefCell<sim_core::session::unfairness::CurveJob>>>,
    /// What the plot under way is running, in words.
    pub plot_status: Option<String>,
    /// Views computed so far (tests check one per click).
    #[cfg(test)]
    views_computed: u64,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            session: None,
            name: String::new(),
            view: None,
            group_views: Default::default(),
            next_group: PANEL_GROUPS,
            shown: Default::default(),
            prev: None,
            running: false,
            view_at: 0.0,
            pace: Cell::default(),
            run_until: None,
            speed: DEFAULT_SPEED,
            breakpoints: Vec::new(),
            notice: None,
            alert: None,
            link_panels: None,
            max_cycles_override: None,
            origin: Origin::Bench,
            scenario: None,
            problems: Rc::default(),
            host_seq: 0,
            host_error: None,
            moments: Rc::default(),
            moments_due: false,
            view_lean: false,
            pause_at_moments: true,
            concept: ConceptQuery::default(),
            twin: None,
            last_path: None,
            questions: Rc::default(),
            verdicts: Rc::default(),
            answered: None,
            homework_cells: Rc::default(),
            compared: None,
            comparing: None,
            compare_status: None,
            compare_rate: exercises::COMPARE_START_RATE,
            unfairness: None,
            plotting: None,
            plot_status: None,
            #[cfg(test)]
            views_computed: 0,
        }
    }
}

impl AppState {
    /// The machine's cycle now (the view may lag by one redraw interval while running).
    pub fn cycle(&self) -> u64 {
        self.pace.get().cycle_now
    }

    /// The highest cycle reached (the scrubber's end).
    pub fn max_seen(&self) -> u64 {
        self.pace.get().max_seen
    }

    /// What the run measured (shown in the controls, read by the benchmark).
    pub fn stats(&self) -> RunStats {
        self.pace.get().stats
    }

    /// The widest gap between two snapshots kept (from, to): where the
    /// slowest seek back lands, for the benchmark (`?bench=`).
    pub fn widest_snapshot_gap(&self) -> Option<(u64, u64)> {
        let cycles = self.session.as_ref()?.borrow().snapshot_cycles();
        cycles
            .windows(2)
            .map(|w| (w[0], w[1]))
            .max_by_key(|&(a, b)| b - a)
    }

    /// Applies `cmd` and refreshes the view; returns why a run stopped.
    pub(super) fn apply(&mut self, cmd: &Command) -> Option<RunStop> {
        let stop = self.apply_quiet(cmd);
        self.refresh();
        stop
    }

    /// Applies `cmd` without computing a view (frames between redraws).
    pub(super) fn apply_quiet(&self, cmd: &Command) -> Option<RunStop> {
        let session = self.session.as_ref()?;
        let mut session = session.borrow_mut();
        let t0 = now_ms();
        let stop = session.apply(cmd);
        let mut pace = self.pace.get();
        pace.stats.command_ms = now_ms() - t0;
        pace.cycle_now = session.cycle();
        pace.max_seen = pace.max_seen.max(pace.cycle_now);
        self.pace.set(pace);
        drop(session);
        self.sync_twin();
        stop
    }

    fn max_cycles(&self) -> u64 {
        self.view.as_ref().map_or(0, |v| v.max_cycles)
    }

    fn finished(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| !matches!(v.status, Status::Running))
    }

    /// One step forward (the engine remembers it for a step back).
    fn step(&mut self, g: Granularity) {
        self.apply(&Command::Step { granularity: g });
    }

    /// One step back: right after steps forward of `g` the engine undoes
    /// the newest exactly (see [`Command::StepBack`]).
    fn step_back(&mut self, g: Granularity) {
        self.apply(&Command::StepBack { granularity: g });
    }

    /// The edited scenario: runs it from the start if it is valid, else keeps
    /// the last valid run on screen and lists the problems (nothing runs).
    fn edit(&mut self, scenario: Scenario, fresh_id: String) {
        if !matches!(self.origin, Origin::Mine(_)) {
            self.origin = Origin::Mine(fresh_id.clone());
            self.name = format!("mine-{fresh_id}");
        }
        self.scenario = Some(Rc::new(scenario.clone()));
        match Session::new(scenario) {
            Ok(mut session) => {
                session.skip_boot();
                self.questions = Rc::new(session.questions());
                self.verdicts = Rc::default();
                self.homework_cells = Rc::default();
                self.compared = None;
                self.comparing = None;
                self.compare_status = None;
                self.plotting = None;
                self.plot_status = None;
                self.unfairness = None;
                let _ = session.apply(&Command::SetBreakpoints {
                    lines: self.breakpoints.clone(),
                });
                self.session = Some(Rc::new(RefCell::new(session)));
                self.twin = None;
                self.last_path = None;
                self.moments = Rc::default();
                self.moments_due = false;
                self.problems = Rc::default();
                self.pace.get_mut().max_seen = 0;
                self.halt();
                self.refresh();
            }
            Err(errors) => {
                self.stop(None);
                self.problems = Rc::new(errors);
            }
        }
    }

    /// The session's kept trace, for export.
    pub fn trace_events(&self) -> Vec<sim_core::session::EventView> {
        self.session
            .as_ref()
            .map(|s| s.borrow().trace_events())
            .unwrap_or_default()
    }

    /// Why nothing may run now, if something is wrong with the scenario.
    pub fn blocked(&self) -> Option<String> {
        let n = self.problems.len();
        let first = self.problems.first()?;
        let more = if n > 1 {
            format!(" (and {} more)", n - 1)
        } else {
            String::new()
        };
        Some(format!(
            "The scenario has {n} error{}: fix {} first. {first}{more}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        ))
    }

    fn toggle_breakpoint(&mut self, program: usize, line: u32) {
        let bp = (program, line);
        if let Some(i) = self.breakpoints.iter().position(|b| *b == bp) {
            self.breakpoints.remove(i);
        } else {
            self.breakpoints.push(bp);
        }
        let lines = self.breakpoints.clone();
        self.apply(&Command::SetBreakpoints { lines });
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Tick { dt_ms, work_ms } = action {
            if !self.running && !self.in_background() {
                return self;
            }
            // A frame that draws nothing leaves the state as it is (updated
            // in place), so nothing re-renders.
            if !self.in_background() {
                return match self.frame(dt_ms, work_ms) {
                    None => {
                        crate::clock::frame::rendered();
                        self
                    }
                    Some(todo) => {
                        let mut s = (*self).clone();
                        s.draw(todo);
                        Rc::new(s)
                    }
                };
            }
        }
        let mut s = (*self).clone();
        // An edited scenario with errors cannot run or step.
        if s.blocked().is_some()
            && matches!(
                action,
                Action::Step(_) | Action::Back(_) | Action::Run | Action::ToggleRun
            )
        {
            return self;
        }
        match action {
            Action::Load(name) => return Rc::new(s.load_builtin(&name)),
            Action::Open {
                origin,
                scenario,
                cycle,
            } => return Rc::new(s.opened(origin, *scenario, cycle)),
            Action::Edit { scenario, fresh_id } => s.edit(*scenario, fresh_id),
            Action::Host(cmd) => return Rc::new(s.host(cmd)),
            Action::Step(g) => {
                s.halt();
                s.notice = None;
                s.step(g);
            }
            Action::Back(g) => {
                s.halt();
                s.notice = None;
                s.step_back(g);
            }
            Action::Run => s.start(),
            Action::Pause => s.stop(None),
            Action::ToggleRun if s.running => s.stop(None),
            Action::ToggleRun => s.start(),
            Action::Tick { dt_ms, work_ms } => {
                s.compare_slice();
                s.plot_slice();
                s.tick(dt_ms, work_ms);
            }
            Action::Seek(c) => s.seek(c),
            Action::Reset => {
                s.halt();
                s.notice = None;
                s.apply(&Command::Reset);
            }
            Action::ToggleBreakpoint { program, line } => s.toggle_breakpoint(program, line),
            Action::SetSpeed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::SetPauseAtMoments(on) => s.pause_at_moments = on,
            Action::FindMoments => s.find_moments(),
            Action::Concept(q) => s.set_concept(q),
            Action::Answer { question, answer } => s.answer(question, &answer),
            Action::NewHomework(seed) => return Rc::new(s.new_homework(seed)),
            Action::CheckHomework(cells) => s.check_homework(&cells),
            Action::Compare(policies) => s.compare(&policies),
            Action::PlotUnfairness => s.plot_unfairness(),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod exercises_tests;
#[cfg(test)]
mod tests;
