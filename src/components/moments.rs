//! Key moments of the open lesson: one button each (seek there), and the
//! "pause at key moments" switch for runs.

use super::grouped;
use crate::state::Action;
use sim_core::session::Moment;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MomentsProps {
    pub moments: Rc<Vec<Moment>>,
    pub cycle: u64,
    pub pause: bool,
    pub on_action: Callback<Action>,
}

#[function_component(Moments)]
pub fn moments(props: &MomentsProps) -> Html {
    if props.moments.is_empty() {
        return html! {};
    }
    let toggle = props.on_action.reform(|e: Event| {
        let on = e
            .target_dyn_into::<HtmlInputElement>()
            .is_some_and(|i| i.checked());
        Action::SetPauseAtMoments(on)
    });
    html! {
        <div class="moments" data-testid="moments">
            <span class="group-label">{ "Key moments:" }</span>
            <ol>
                { for props.moments.iter().enumerate().map(|(i, m)| {
                    let c = m.cycle;
                    let onclick = props.on_action.reform(move |_: MouseEvent| Action::Seek(c));
                    let here = props.cycle == c;
                    html! {
                        <li>
                            <button class={classes!("btn", "secondary", "small", "moment", here.then_some("here"))}
                                    {onclick} data-testid={format!("moment-{i}")} data-cycle={c.to_string()}
                                    aria-current={here.then_some("step")}
                                    title={format!("Go to cycle {}", grouped(c))}>
                                <span class="moment-n">{ i + 1 }</span>{ " " }{ &m.caption }
                            </button>
                        </li>
                    }
                }) }
            </ol>
            <label class="pause-moments">
                <input type="checkbox" checked={props.pause} onchange={toggle} data-testid="pause-at-moments" />
                { " pause at key moments" }
            </label>
        </div>
    }
}

/// The class on `<main>` that puts the panels a lesson is about first
/// (CSS `order`): scheduling lessons lead with the Gantt chart, metrics
/// and queues; trap lessons with the CPU, code, trap table and kernel
/// stack; the address-space lesson with the address spaces.
pub fn lesson_kind(name: &str) -> Option<&'static str> {
    match name {
        "syscall-read" | "restricted-instruction" | "direct-execution" => Some("lesson-traps"),
        n if n.starts_with("lde-") => Some("lesson-traps"),
        "processes-vs-threads" => Some("lesson-memory"),
        "loop-cooperative" | "loop-preemptive" | "io-overlap" | "rr-response" => {
            Some("lesson-scheduling")
        }
        n if [
            "convoy-", "sched-", "sjf-", "stcf-", "mlfq-", "lottery-", "stride-",
        ]
        .iter()
        .any(|p| n.starts_with(p)) =>
        {
            Some("lesson-scheduling")
        }
        _ => None,
    }
}
