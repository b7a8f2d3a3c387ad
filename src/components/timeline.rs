//! Limited-direct-execution timeline: OSTEP figure 6.2's three columns
//! (Program / Hardware / OS), following the newest row.

use super::{grouped, keyed_by, PanelProps};
use sim_core::session::Actor;
use yew::prelude::*;

/// Rows drawn: enough to read the last few traps, cheap to re-render per frame.
pub const SHOWN: usize = 80;
/// Rows drawn while running at full speed: about what the scroller, pinned
/// to the newest row, shows.
pub const LEAN_SHOWN: usize = 24;

#[function_component(TimelinePanel)]
pub fn timeline_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    let shown = if props.lean { LEAN_SHOWN } else { SHOWN };
    let skip = v.timeline.len().saturating_sub(shown);
    let first_index = v.timeline_total - v.timeline.len() + skip;
    let last = v.timeline.len().saturating_sub(1);
    let rows = v.timeline.iter().enumerate().skip(skip).map(|(i, r)| {
        let col = match r.actor {
            Actor::Program => 0,
            Actor::Hardware => 1,
            Actor::Os => 2,
        };
        let text = if r.count > 1 {
            format!("{} (\u{00d7}{})", r.text, r.count)
        } else {
            r.text.clone()
        };
        let cells = (0..3).map(|c| {
            if c == col {
                html! { <td class={classes!("cell", actor_class(r.actor))}>{ text.clone() }</td> }
            } else {
                html! { <td class="cell empty"></td> }
            }
        });
        let row = html! {
            <tr class={classes!((i == last).then_some("current"))}
                aria-current={(i == last).then_some("step")}>
                <td class="cyc mono">{ grouped(r.cycle) }</td>
                { for cells }
            </tr>
        };
        // Keyed by row number when paused; at full speed every drawn row is
        // new at each redraw, so the rows are rewritten in place.
        keyed_by(
            row,
            (!props.lean).then(|| (first_index + i - skip).to_string()),
        )
    });
    html! {
        <section class="panel timeline-panel" aria-labelledby="lde-title" data-testid="panel-timeline">
            <h2 id="lde-title">{ "Limited direct execution" }</h2>
            // A column-reverse scroller stays pinned to its bottom as rows are
            // added, so the newest row is followed without script or forced layout.
            <div class="scroll timeline-scroll follow" tabindex="0" role="region" aria-label="limited direct execution rows">
                <table class="timeline">
                    <thead><tr>
                        <th>{ "cycle" }</th><th class="program">{ "Program (user mode)" }</th>
                        <th class="hardware">{ "Hardware" }</th><th class="os">{ "OS (kernel mode)" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <p class="hint">{ format!("{} rows in all; the newest {} shown.", v.timeline_total, v.timeline.len().min(shown)) }</p>
        </section>
    }
}

pub fn actor_class(a: Actor) -> &'static str {
    match a {
        Actor::Program => "program",
        Actor::Hardware => "hardware",
        Actor::Os => "os",
    }
}
