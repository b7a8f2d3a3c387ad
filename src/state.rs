//! The one reducer: it owns the engine [`Session`], turns [`Action`]s into
//! session commands and computes one [`View`] per action (so per animation
//! frame while running), which every panel then renders from props.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use sim_core::scenario::{builtin, Scenario};
use sim_core::session::{Command, Granularity, RunStop, Session, Status, View};
use yew::Reducible;

use crate::clock::now_ms;

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
/// Simulation time per frame at full speed: leaves room for rendering in a
/// 16 ms frame, so the page keeps answering clicks.
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// A forward seek longer than this runs in frames instead of blocking.
pub const SEEK_IN_FRAMES: u64 = 200_000;
const MIN_SLICE: u64 = 500;
const MAX_SLICE: u64 = 50_000_000;

/// A view shared by all panels; equal only to itself, so comparing props is
/// a pointer comparison instead of a deep walk over the whole machine.
#[derive(Clone, Debug)]
pub struct Snap(pub Rc<View>);

impl PartialEq for Snap {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Snap {
    type Target = View;
    fn deref(&self) -> &View {
        &self.0
    }
}

/// Everything the user can ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open a built-in scenario by name.
    Load(String),
    /// Open a scenario built in the page (the benchmark), under a display name.
    LoadScenario(String, Box<Scenario>),
    Step(Granularity),
    Back(Granularity),
    Run,
    Pause,
    ToggleRun,
    /// One animation frame passed while running (`dt_ms` since the last one).
    Tick { dt_ms: f64 },
    Seek(u64),
    Reset,
    ToggleBreakpoint { program: usize, line: u32 },
    SetSpeed(usize),
}

/// Measured while running, shown in the controls and read by the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunStats {
    /// Cycles per slice at full speed (adapted to the frame budget).
    pub slice: u64,
    /// Milliseconds the last slice took (simulation plus view).
    pub slice_ms: f64,
    /// Cycles simulated per second of simulation time in the last slice.
    pub cycles_per_sec: f64,
}

#[derive(Clone)]
pub struct AppState {
    session: Option<Rc<RefCell<Session>>>,
    /// Name of the open scenario (a built-in name, or e.g. `bench-64`).
    pub name: String,
    pub view: Option<Snap>,
    /// The view before the last action, to highlight what changed.
    pub prev: Option<Snap>,
    pub running: bool,
    /// Stop the current run at this cycle (forward seeks run in frames).
    pub run_until: Option<u64>,
    pub speed: usize,
    /// Fraction of a cycle owed from slow speeds, carried between frames.
    carry: f64,
    pub stats: RunStats,
    pub max_seen: u64,
    pub breakpoints: Vec<(usize, u32)>,
    /// Why the last run stopped, or why a scenario did not load.
    pub notice: Option<String>,
    /// Overrides the scenario's `max_cycles` (URL parameter `max_cycles`).
    pub max_cycles_override: Option<u64>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            session: None,
            name: String::new(),
            view: None,
            prev: None,
            running: false,
            run_until: None,
            speed: DEFAULT_SPEED,
            carry: 0.0,
            stats: RunStats { slice: 100_000, ..RunStats::default() },
            max_seen: 0,
            breakpoints: Vec::new(),
            notice: None,
            max_cycles_override: None,
        }
    }
}

impl AppState {
    /// A state with a built-in scenario open (falls back to a notice).
    pub fn open(name: &str, max_cycles: Option<u64>) -> AppState {
        let base = AppState { max_cycles_override: max_cycles, ..AppState::default() };
        base.load_builtin(name)
    }

    pub fn cycle(&self) -> u64 {
        self.view.as_ref().map_or(0, |v| v.cycle)
    }

    fn load_builtin(self, name: &str) -> AppState {
        match builtin(name) {
            Some(s) => self.load(name.to_string(), s),
            None => AppState { notice: Some(format!("There is no built-in scenario called \u{201c}{name}\u{201d}.")), ..self },
        }
    }

    fn load(self, name: String, mut scenario: Scenario) -> AppState {
        if let Some(max) = self.max_cycles_override {
            scenario.max_cycles = max;
        }
        match Session::new(scenario) {
            Ok(session) => {
                let view = Snap(Rc::new(session.view()));
                AppState {
                    session: Some(Rc::new(RefCell::new(session))),
                    name,
                    max_seen: view.cycle,
                    view: Some(view),
                    prev: None,
                    running: false,
                    run_until: None,
                    carry: 0.0,
                    breakpoints: Vec::new(),
                    notice: None,
                    ..self
                }
            }
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                AppState { notice: Some(format!("{name} did not load: {}", list.join("; "))), running: false, ..self }
            }
        }
    }

    /// Applies `cmd` and refreshes the view; returns why a run stopped.
    fn apply(&mut self, cmd: &Command) -> Option<RunStop> {
        let session = self.session.as_ref()?;
        let stop = session.borrow_mut().apply(cmd);
        self.refresh();
        stop
    }

    fn refresh(&mut self) {
        let Some(session) = self.session.as_ref() else { return };
        let view = Snap(Rc::new(session.borrow().view()));
        self.max_seen = self.max_seen.max(view.cycle);
        self.prev = self.view.replace(view);
    }

    fn max_cycles(&self) -> u64 {
        self.view.as_ref().map_or(0, |v| v.max_cycles)
    }

    fn finished(&self) -> bool {
        self.view.as_ref().is_some_and(|v| !matches!(v.status, Status::Running))
    }

    fn start(&mut self) {
        if self.session.is_some() && !self.finished() {
            self.running = true;
            self.carry = 0.0;
            self.notice = None;
        } else if self.finished() {
            self.notice = Some("The scenario has ended: reset or step back to run again.".into());
        }
    }

    fn stop(&mut self, why: Option<String>) {
        self.running = false;
        self.run_until = None;
        if why.is_some() {
            self.notice = why;
        }
    }

    fn tick(&mut self, dt_ms: f64) {
        if !self.running {
            return;
        }
        let cycle = self.cycle();
        let limit = self.run_until.unwrap_or_else(|| self.max_cycles());
        if cycle >= limit || self.finished() {
            let why = self.run_until.is_none().then(|| end_notice(self.view.as_deref()));
            return self.stop(why);
        }
        let full_speed = self.run_until.is_some() || SPEEDS.get(self.speed).is_none_or(|s| s.1.is_none());
        let want = if full_speed {
            self.stats.slice
        } else {
            let cps = SPEEDS.get(self.speed).and_then(|s| s.1).unwrap_or(1_000);
            // A hidden tab or a long pause must not turn into one huge slice.
            let owed = self.carry + cps as f64 * dt_ms.clamp(0.0, 100.0) / 1000.0;
            let whole = owed.floor();
            self.carry = owed - whole;
            whole as u64
        };
        let cycles = want.min(limit - cycle);
        if cycles == 0 {
            return;
        }
        let t0 = now_ms();
        let stop = self.apply(&Command::Run { cycles });
        let took = (now_ms() - t0).max(0.05);
        self.stats.slice_ms = took;
        self.stats.cycles_per_sec = cycles as f64 * 1000.0 / took;
        if full_speed && cycles == want {
            // Aim the next slice at the frame budget; change by at most 2× per
            // frame so one slow frame (a big view) does not collapse the rate.
            let factor = (FRAME_BUDGET_MS / took).clamp(0.5, 2.0);
            self.stats.slice = ((self.stats.slice as f64 * factor) as u64).clamp(MIN_SLICE, MAX_SLICE);
        }
        match stop {
            Some(RunStop::Breakpoint) => {
                let line = self.view.as_ref().and_then(|v| v.code.current_line);
                self.stop(Some(line.map_or("Stopped at a breakpoint.".into(), |l| format!("Stopped at the breakpoint on line {l}."))));
            }
            Some(RunStop::Halted) => {
                let why = end_notice(self.view.as_deref());
                self.stop(Some(why));
            }
            _ if self.cycle() >= limit => {
                let why = self.run_until.is_none().then(|| end_notice(self.view.as_deref()));
                self.stop(why);
            }
            _ => {}
        }
    }

    fn seek(&mut self, target: u64) {
        if target > self.cycle().saturating_add(SEEK_IN_FRAMES) {
            self.run_until = Some(target);
            self.running = true;
            self.notice = Some(format!("Seeking to cycle {target}\u{2026}"));
        } else {
            self.stop(None);
            self.apply(&Command::Seek { cycle: target });
        }
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

/// Why a run ended, in words.
fn end_notice(view: Option<&View>) -> String {
    match view.map(|v| &v.status) {
        Some(Status::Finished) => "Finished: every process has exited.".into(),
        Some(Status::CycleLimit) => "Stopped at the scenario's cycle limit (max_cycles).".into(),
        Some(Status::Panic(p)) => format!("Kernel panic: {p}"),
        Some(Status::Stopped(s)) => format!("The machine stopped: {s}"),
        _ => "Stopped.".into(),
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if matches!(action, Action::Tick { .. }) && !self.running {
            return self;
        }
        let mut s = (*self).clone();
        match action {
            Action::Load(name) => return Rc::new(s.load_builtin(&name)),
            Action::LoadScenario(name, scenario) => return Rc::new(s.load(name, *scenario)),
            Action::Step(g) => {
                s.stop(None);
                s.notice = None;
                s.apply(&Command::Step { granularity: g });
            }
            Action::Back(g) => {
                s.stop(None);
                s.notice = None;
                s.apply(&Command::StepBack { granularity: g });
            }
            Action::Run => s.start(),
            Action::Pause => s.stop(None),
            Action::ToggleRun if s.running => s.stop(None),
            Action::ToggleRun => s.start(),
            Action::Tick { dt_ms } => s.tick(dt_ms),
            Action::Seek(c) => s.seek(c),
            Action::Reset => {
                s.stop(None);
                s.notice = None;
                s.apply(&Command::Reset);
            }
            Action::ToggleBreakpoint { program, line } => s.toggle_breakpoint(program, line),
            Action::SetSpeed(i) => s.speed = i.min(SPEEDS.len() - 1),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(s: Rc<AppState>, a: Action) -> Rc<AppState> {
        s.reduce(a)
    }

    #[test]
    fn opens_a_builtin_and_reports_unknown_names() {
        let s = AppState::open("syscall-read", None);
        assert!(s.view.is_some());
        let bad = AppState::open("no-such-thing", None);
        assert!(bad.view.is_none());
        assert!(bad.notice.is_some_and(|n| n.contains("no-such-thing")));
    }

    #[test]
    fn step_then_back_restores_the_view() {
        let s = Rc::new(AppState::open("io-overlap", None));
        let s = reduce(s, Action::Step(Granularity::Trap));
        let before = s.view.clone().map(|v| (*v.0).clone());
        let s = reduce(s, Action::Step(Granularity::ContextSwitch));
        let s = reduce(s, Action::Back(Granularity::ContextSwitch));
        assert_eq!(s.view.clone().map(|v| (*v.0).clone()), before);
    }

    #[test]
    fn running_stops_at_the_cycle_limit() {
        let mut s = Rc::new(AppState::open("loop-cooperative", Some(20_000)));
        s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
        s = reduce(s, Action::Run);
        for _ in 0..200 {
            if !s.running {
                break;
            }
            s = reduce(s, Action::Tick { dt_ms: 16.0 });
        }
        assert!(!s.running);
        assert_eq!(s.cycle(), 20_000);
        assert!(s.notice.as_deref().is_some_and(|n| n.contains("max_cycles")));
    }

    #[test]
    fn slow_speeds_carry_fractions_of_a_cycle() {
        let mut s = Rc::new(AppState::open("syscall-read", None));
        s = reduce(s, Action::SetSpeed(0));
        s = reduce(s, Action::Run);
        let start = s.cycle();
        for _ in 0..60 {
            s = reduce(s, Action::Tick { dt_ms: 1000.0 / 60.0 });
        }
        let ran = s.cycle() - start;
        assert!((99..=101).contains(&ran), "100 cycles/s for one second ran {ran}");
    }

    #[test]
    fn breakpoints_toggle_and_stop_a_run() {
        let mut s = Rc::new(AppState::open("syscall-read", None));
        s = reduce(s, Action::ToggleBreakpoint { program: 0, line: 8 });
        assert_eq!(s.breakpoints, vec![(0, 8)]);
        s = reduce(s, Action::SetSpeed(SPEEDS.len() - 1));
        s = reduce(s, Action::Run);
        for _ in 0..100 {
            if !s.running {
                break;
            }
            s = reduce(s, Action::Tick { dt_ms: 16.0 });
        }
        assert_eq!(s.view.as_ref().and_then(|v| v.code.current_line), Some(8));
        s = reduce(s, Action::ToggleBreakpoint { program: 0, line: 8 });
        assert!(s.breakpoints.is_empty());
    }

    #[test]
    fn long_forward_seeks_run_in_frames() {
        let mut s = Rc::new(AppState::open("loop-cooperative", Some(1_000_000)));
        s = reduce(s, Action::Seek(500_000));
        assert!(s.running && s.run_until == Some(500_000));
        for _ in 0..10_000 {
            if !s.running {
                break;
            }
            s = reduce(s, Action::Tick { dt_ms: 16.0 });
        }
        assert_eq!(s.cycle(), 500_000);
        s = reduce(s, Action::Seek(1_000));
        assert_eq!(s.cycle(), 1_000);
    }
}
