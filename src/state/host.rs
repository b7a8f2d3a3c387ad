//! Commands from the page that embeds this one (`postMessage`), applied like
//! the user's own; the page answers each (see `crate::embed`).

use sim_core::session::{Granularity, Scenario};

use super::{Action, AppState, Origin, Reducible};
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum HostCommand {
    Load(Box<Scenario>),
    Step {
        granularity: Granularity,
        back: bool,
    },
    Run,
    Pause,
    Seek(u64),
    /// Only asks for the state.
    Get,
}

impl AppState {
    /// Applies a host command; `host_seq` counts it so the page answers once.
    pub(super) fn host(self, cmd: HostCommand) -> AppState {
        let seq = self.host_seq + 1;
        let me = Rc::new(self);
        let blocked = me.blocked();
        let (next, error) = match cmd {
            HostCommand::Load(scenario) => {
                let wanted = scenario.clone();
                let next = me.reduce(Action::Open {
                    origin: Origin::Host,
                    scenario,
                    cycle: None,
                });
                let error = (next.scenario.as_deref() != Some(&*wanted)).then(|| {
                    next.notice
                        .clone()
                        .unwrap_or_else(|| "the scenario did not load".into())
                });
                (next, error)
            }
            HostCommand::Step { .. } | HostCommand::Run if blocked.is_some() => (me, blocked),
            HostCommand::Step { granularity, back } => {
                let a = if back {
                    Action::Back(granularity)
                } else {
                    Action::Step(granularity)
                };
                (me.reduce(a), None)
            }
            HostCommand::Run => {
                let next = me.reduce(Action::Run);
                let error = (!next.running).then(|| {
                    next.notice
                        .clone()
                        .unwrap_or_else(|| "nothing to run".into())
                });
                (next, error)
            }
            HostCommand::Pause => (me.reduce(Action::Pause), None),
            HostCommand::Seek(c) => (me.reduce(Action::Seek(c)), None),
            HostCommand::Get => (me, None),
        };
        let mut next = Rc::unwrap_or_clone(next);
        next.host_seq = seq;
        next.host_error = error;
        next
    }
}
