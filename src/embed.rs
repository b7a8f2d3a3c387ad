//! The `postMessage` API an embedding course page drives the frame with.
//! Host → frame: `{ringside: 1, type: "load" | "step" | "run" | "pause" |
//! "seek" | "get", …}`; the frame answers the sender with `{ringside: 1,
//! type: "state", cycle, mode, cpl, status, running}` after each command and
//! whenever a run stops, or `{ringside: 1, type: "error", message}`; it posts
//! `{ringside: 1, type: "ready"}` to its parent once it is up, and
//! `{ringside: 1, type: "answer", lesson, question, correct}` for each
//! question the engine grades, so a course page can record it. Anything else
//! is ignored, and no message can break the frame.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use serde_json::{json, Value};
use sim_core::session::{Granularity, Scenario};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::state::{Action, AppState, HostCommand};

/// Largest message accepted, as JSON text (a scenario is at most 1 MiB).
const MAX_MESSAGE: usize = 2 << 20;

/// Reads a host message: `None` if it is not for us (no `ringside: 1`).
pub fn parse_message(v: &Value) -> Option<Result<HostCommand, String>> {
    if v.get("ringside").and_then(Value::as_u64) != Some(1) {
        return None;
    }
    Some(command(v))
}

fn command(v: &Value) -> Result<HostCommand, String> {
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or("a message needs a \"type\" string")?;
    Ok(match kind {
        "load" => {
            let s = v
                .get("scenario")
                .filter(|s| s.is_object())
                .ok_or("load: \"scenario\" must be a scenario object")?;
            let scenario = Scenario::from_json(&s.to_string()).map_err(|errs| {
                let list: Vec<String> = errs.iter().map(ToString::to_string).collect();
                format!("load: invalid scenario: {}", list.join("; "))
            })?;
            HostCommand::Load(Box::new(scenario))
        }
        "step" => {
            let g = v
                .get("granularity")
                .and_then(Value::as_str)
                .unwrap_or("instruction");
            let granularity = match g {
                "cycle" => Granularity::Cycle,
                "instruction" => Granularity::Instruction,
                "mode" => Granularity::ModeSwitch,
                "trap" => Granularity::Trap,
                "switch" => Granularity::ContextSwitch,
                other => {
                    return Err(format!(
                        "step: unknown granularity {other:?} (cycle, instruction, mode, trap or switch)"
                    ))
                }
            };
            let back = match v.get("back") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("step: \"back\" must be true or false".into()),
            };
            HostCommand::Step { granularity, back }
        }
        "run" => HostCommand::Run,
        "pause" => HostCommand::Pause,
        "get" => HostCommand::Get,
        "seek" => HostCommand::Seek(
            v.get("cycle")
                .and_then(Value::as_u64)
                .ok_or("seek: \"cycle\" must be a whole number ≥ 0")?,
        ),
        other => return Err(format!("unknown message type {other:?}")),
    })
}

/// The state answer for the host.
pub fn state_message(state: &AppState) -> Value {
    let v = state.view.as_ref();
    let cpl = v.map_or(0, |v| v.cpu.cpl);
    json!({
        "ringside": 1,
        "type": "state",
        "cycle": state.cycle(),
        "mode": if cpl == 3 { "user" } else { "kernel" },
        "cpl": cpl,
        "status": crate::app::status_text(state),
        "running": state.running,
    })
}

/// A graded answer, for the course page.
pub fn answer_message(lesson: &str, question: &str, correct: bool) -> Value {
    json!({ "ringside": 1, "type": "answer", "lesson": lesson, "question": question, "correct": correct })
}

pub fn error_message(message: &str) -> Value {
    json!({ "ringside": 1, "type": "error", "message": message })
}

/// Where answers go: the window that sent the last command, at its origin.
#[derive(Clone)]
struct Sender {
    window: web_sys::Window,
    origin: String,
}

fn post(to: &Sender, msg: &Value) {
    if let Ok(obj) = js_sys::JSON::parse(&msg.to_string()) {
        let origin = if to.origin == "null" || to.origin.is_empty() {
            "*"
        } else {
            to.origin.as_str()
        };
        let _ = to.window.post_message(&obj, origin);
    }
}

/// The message's data as JSON, if it is plain data of a sane size.
fn data_json(e: &web_sys::MessageEvent) -> Option<Value> {
    let data = e.data();
    let text: String = if let Some(s) = data.as_string() {
        s
    } else if data.is_object() {
        // Throws on cycles or hostile getters: then it is not for us.
        js_sys::JSON::stringify(&data).ok()?.as_string()?
    } else {
        return None;
    };
    if text.len() > MAX_MESSAGE {
        return Some(json!({ "ringside": 1, "type": "too-large" }));
    }
    serde_json::from_str(&text).ok()
}

/// Listens for host messages and answers them; tells the parent when ready.
#[hook]
pub fn use_host_api(state: UseReducerHandle<AppState>) {
    let sender: Rc<RefCell<Option<Sender>>> = use_mut_ref(|| None);
    {
        let sender = sender.clone();
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let window = gloo::utils::window();
            let listener = EventListener::new(&window, "message", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                let Some(v) = data_json(e) else { return };
                let Some(parsed) = parse_message(&v) else {
                    return;
                };
                // The sender is usually a cross-origin window, which fails an
                // `instanceof Window` check; it answers `postMessage` all the same.
                let Some(window) = e
                    .source()
                    .map(|s| JsValue::from(s).unchecked_into::<web_sys::Window>())
                else {
                    return;
                };
                let from = Sender {
                    window,
                    origin: e.origin(),
                };
                if v.get("type").and_then(Value::as_str) == Some("too-large") {
                    post(&from, &error_message("message too large (limit 2 MiB)"));
                    return;
                }
                match parsed {
                    Ok(cmd) => {
                        *sender.borrow_mut() = Some(from);
                        dispatcher.dispatch(Action::Host(cmd));
                    }
                    Err(msg) => post(&from, &error_message(&msg)),
                }
            });
            // Tell an embedding page we are up.
            let w = gloo::utils::window();
            if let Ok(Some(parent)) = w.parent() {
                if parent != w {
                    post(
                        &Sender {
                            window: parent,
                            origin: "*".into(),
                        },
                        &json!({ "ringside": 1, "type": "ready" }),
                    );
                }
            }
            move || drop(listener)
        });
    }
    // One answer per host command.
    {
        let sender = sender.clone();
        let state = state.clone();
        use_effect_with(state.host_seq, move |seq| {
            if *seq > 0 {
                if let Some(to) = sender.borrow().as_ref() {
                    let msg = match &state.host_error {
                        Some(e) => error_message(e),
                        None => state_message(&state),
                    };
                    post(to, &msg);
                }
            }
        });
    }
    // Each graded answer goes to the embedding page.
    {
        let state = state.clone();
        use_effect_with(state.answered.clone(), move |answered| {
            if let Some(a) = answered {
                let w = gloo::utils::window();
                if let Ok(Some(parent)) = w.parent() {
                    if parent != w {
                        let to = Sender {
                            window: parent,
                            origin: "*".into(),
                        };
                        post(&to, &answer_message(&state.name, &a.question, a.correct));
                    }
                }
            }
        });
    }
    // A run that pauses or finishes is reported to the host that drives us.
    {
        let state = state.clone();
        let was_running = use_mut_ref(|| false);
        use_effect_with(state.running, move |running| {
            let stopped = *was_running.borrow() && !*running;
            *was_running.borrow_mut() = *running;
            if stopped {
                if let Some(to) = sender.borrow().as_ref() {
                    post(to, &state_message(&state));
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_host_messages() {
        assert!(parse_message(&json!({"type": "run"})).is_none());
        assert!(parse_message(&json!({"ringside": 2, "type": "run"})).is_none());
        assert_eq!(
            parse_message(
                &json!({"ringside": 1, "type": "step", "granularity": "trap", "back": true})
            ),
            Some(Ok(HostCommand::Step {
                granularity: Granularity::Trap,
                back: true
            }))
        );
        assert_eq!(
            parse_message(&json!({"ringside": 1, "type": "seek", "cycle": 500})),
            Some(Ok(HostCommand::Seek(500)))
        );
        for bad in [
            json!({"ringside": 1}),
            json!({"ringside": 1, "type": "fly"}),
            json!({"ringside": 1, "type": "seek", "cycle": -1}),
            json!({"ringside": 1, "type": "step", "granularity": "<b>"}),
            json!({"ringside": 1, "type": "step", "back": "yes"}),
            json!({"ringside": 1, "type": "load", "scenario": "x"}),
            json!({"ringside": 1, "type": "load", "scenario": {"version": 1}}),
        ] {
            assert!(matches!(parse_message(&bad), Some(Err(_))), "{bad}");
        }
        let s = sim_core::session::builtin("syscall-read").unwrap();
        let v: Value = serde_json::from_str(&s.to_json()).unwrap();
        assert!(matches!(
            parse_message(&json!({"ringside": 1, "type": "load", "scenario": v})),
            Some(Ok(HostCommand::Load(_)))
        ));
    }
}
