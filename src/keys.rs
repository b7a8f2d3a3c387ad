//! Keyboard shortcuts (documented in `components::help::SHORTCUTS`).

use crate::state::Action;
use sim_core::session::Granularity as G;

/// The action bound to `key` (a `KeyboardEvent.key` value), if any.
/// Help keys (`?`, `Escape`) are handled by the app shell itself.
pub fn action_for(key: &str) -> Option<Action> {
    Some(match key {
        " " => Action::ToggleRun,
        "ArrowRight" | "n" => Action::Step(G::Instruction),
        "ArrowLeft" | "p" => Action::Back(G::Instruction),
        "c" => Action::Step(G::Cycle),
        "C" => Action::Back(G::Cycle),
        "m" => Action::Step(G::ModeSwitch),
        "M" => Action::Back(G::ModeSwitch),
        "t" => Action::Step(G::Trap),
        "T" => Action::Back(G::Trap),
        "s" => Action::Step(G::ContextSwitch),
        "S" => Action::Back(G::ContextSwitch),
        "r" => Action::Reset,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::help::SHORTCUTS;

    #[test]
    fn every_documented_key_does_something() {
        for (keys, what) in SHORTCUTS {
            for label in keys.split(" or ") {
                let key = match label {
                    "Space" => " ",
                    "\u{2192}" => "ArrowRight",
                    "\u{2190}" => "ArrowLeft",
                    "Esc" => "Escape",
                    other => other,
                };
                let shell = matches!(key, "?" | "Escape");
                assert!(
                    shell || action_for(key).is_some(),
                    "{label} ({what}) is not bound"
                );
            }
        }
    }
}
