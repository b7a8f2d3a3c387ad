//! Opening a scenario: a built-in, one built in the page, one from a link
//! or "my scenarios"; a new session and its first view.

use super::*;
use crate::clock::mark;

impl AppState {
    /// A state with a built-in scenario open (falls back to a notice).
    pub fn open(name: &str, max_cycles: Option<u64>) -> AppState {
        let base = AppState {
            max_cycles_override: max_cycles,
            ..AppState::default()
        };
        base.load_builtin(name)
    }

    /// A state with a scenario built in the page open (the benchmark).
    pub fn open_scenario(name: String, scenario: Scenario, max_cycles: Option<u64>) -> AppState {
        let base = AppState {
            max_cycles_override: max_cycles,
            ..AppState::default()
        };
        base.load(name, scenario)
    }

    /// The same state showing `notice` (e.g. why the URL's scenario did not open).
    pub fn with_notice(self, notice: Option<String>) -> AppState {
        AppState { notice, ..self }
    }

    /// The same state showing `alert` (e.g. what was wrong with a link).
    pub fn with_alert(self, alert: String) -> AppState {
        AppState {
            alert: Some(alert),
            ..self
        }
    }

    /// A state with `scenario` open, from `origin`, at `cycle` if given.
    pub fn open_from(origin: Origin, scenario: Scenario, cycle: Option<u64>) -> AppState {
        AppState::default().opened(origin, scenario, cycle)
    }

    pub(super) fn opened(self, origin: Origin, scenario: Scenario, cycle: Option<u64>) -> AppState {
        let name = match &origin {
            Origin::Builtin(n) => n.clone(),
            Origin::Mine(id) => format!("mine-{id}"),
            Origin::Link => "link".into(),
            Origin::Host => "host".into(),
            Origin::Homework(seed) => format!("homework-{seed}"),
            Origin::Bench => "bench".into(),
        };
        let mut s = AppState { origin, ..self }.load(name, scenario);
        if let Some(c) = cycle.filter(|_| s.session.is_some()) {
            s.apply(&Command::Seek {
                cycle: c.min(s.max_cycles()),
            });
        }
        s
    }

    pub(super) fn load_builtin(self, name: &str) -> AppState {
        match builtin(name) {
            Some(s) => AppState {
                origin: Origin::Builtin(name.to_string()),
                ..self
            }
            .load(name.to_string(), s),
            None => AppState {
                notice: Some(format!(
                    "There is no built-in scenario called \u{201c}{name}\u{201d}."
                )),
                ..self
            },
        }
    }

    /// Finds the open lesson's key moments, if they are due.
    pub(super) fn find_moments(&mut self) {
        if !std::mem::take(&mut self.moments_due) {
            return;
        }
        if let Some(session) = &self.session {
            self.moments = Rc::new(session.borrow().moments(&self.name));
            mark("ringside:moments");
        }
    }

    pub(super) fn load(self, name: String, mut scenario: Scenario) -> AppState {
        if let Some(max) = self.max_cycles_override {
            scenario.max_cycles = max;
        }
        let kept = Rc::new(scenario.clone());
        match Session::new(scenario) {
            Ok(mut session) => {
                mark("ringside:session");
                // Key moments: only a built-in lesson has them (by its name).
                // Finding them runs a copy of the lesson, so the page asks
                // for them after its first render (`Action::FindMoments`).
                let moments_due = matches!(self.origin, Origin::Builtin(_));
                // A lesson opens where its story starts; the boot is one step back.
                session.skip_boot();
                mark("ringside:boot");
                let mut state = AppState {
                    concept: ConceptQuery {
                        tab: super::default_tab(&name),
                        ..ConceptQuery::default()
                    },
                    twin: None,
                    last_path: None,
                    ..self
                };
                let mut view = session.view_to(super::views::depth(false));
                state.add_concept(&mut session, &mut view);
                let view = SharedView(Rc::new(view));
                let questions = Rc::new(session.questions());
                mark("ringside:view");
                AppState {
                    session: Some(Rc::new(RefCell::new(session))),
                    name,
                    pace: Cell::new(super::running::Pace {
                        cycle_now: view.cycle,
                        max_seen: view.cycle,
                        carry: 0.0,
                        ..state.pace.get()
                    }),
                    view_at: now_ms(),
                    group_views: std::array::from_fn(|_| Some(view.clone())),
                    next_group: PANEL_GROUPS,
                    shown: Default::default(),
                    view: Some(view),
                    prev: None,
                    running: false,
                    run_until: None,
                    breakpoints: Vec::new(),
                    notice: None,
                    scenario: Some(kept),
                    problems: Rc::default(),
                    alert: None,
                    link_panels: None,
                    moments: Rc::default(),
                    moments_due,
                    questions,
                    verdicts: Rc::default(),
                    homework_cells: Rc::default(),
                    compared: None,
                    unfairness: None,
                    plotting: None,
                    plot_status: None,
                    ..state
                }
            }
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                AppState {
                    notice: Some(format!("{name} did not load: {}", list.join("; "))),
                    running: false,
                    ..self
                }
            }
        }
    }
}
