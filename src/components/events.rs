//! Event log: the newest trace events, filterable by actor.

use super::{grouped, timeline::actor_class, PanelProps};
use sim_core::session::Actor;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const SHOWN: usize = 80;
/// Entries drawn while running at full speed (the scroller follows the newest).
const LEAN_SHOWN: usize = 20;
/// Entries a view carries while running at full speed: those drawn, and
/// enough more that hiding one kind of actor still leaves some to show.
pub const LEAN_CARRIED: usize = 3 * LEAN_SHOWN;
const ACTORS: [(Actor, &str); 3] = [
    (Actor::Program, "Program"),
    (Actor::Hardware, "Hardware"),
    (Actor::Os, "OS"),
];

#[function_component(EventsPanel)]
pub fn events_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    // Which actors are shown; local UI state, not part of the machine.
    let shown = use_state(|| [true, true, true]);
    let idx = |a: Actor| ACTORS.iter().position(|(x, _)| *x == a).unwrap_or(0);
    let filtered: Vec<_> = v.events.iter().filter(|e| shown[idx(e.actor)]).collect();
    let skip = filtered
        .len()
        .saturating_sub(if props.lean { LEAN_SHOWN } else { SHOWN });
    let boxes = ACTORS.iter().enumerate().map(|(i, (a, label))| {
        let checked = shown[i];
        let shown = shown.clone();
        let onchange = Callback::from(move |e: Event| {
            let on = e.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked());
            let mut next = *shown;
            next[i] = on;
            shown.set(next);
        });
        html! {
            <label class={classes!("filter", actor_class(*a))}>
                <input type="checkbox" checked={checked} {onchange} data-testid={format!("filter-{}", actor_class(*a))} />
                { *label }
            </label>
        }
    });
    html! {
        <section class="panel events-panel" aria-labelledby="ev-title" data-testid="panel-events">
            <h2 id="ev-title">{ "Event log" }</h2>
            <fieldset class="filters"><legend>{ "show" }</legend>{ for boxes }</fieldset>
            <div class="scroll events-scroll follow" tabindex="0" role="region" aria-label="event log entries">
                <ol class="events">
                    { for filtered.iter().skip(skip).map(|e| html! {
                        <li class={actor_class(e.actor)}>
                            <span class="cyc mono">{ grouped(e.cycle) }</span>
                            <span class="who">{ ACTORS[idx(e.actor)].1 }</span>
                            <span class="what">{ &e.text }</span>
                        </li>
                    }) }
                </ol>
            </div>
        </section>
    }
}
