//! The path of a system call: every level lined up, one row each, from the
//! C-level call to the value in %eax. Each row is a button that seeks the
//! simulation to the cycle where it happened; the call is chosen from a list.

use crate::components::grouped;
use crate::state::Action;
use sim_core::session::{ConceptQuery, SyscallPath};
use yew::prelude::*;

pub fn path(p: &SyscallPath, now: u64, q: &ConceptQuery, on: &Callback<Action>) -> Html {
    if p.calls.is_empty() {
        return html! {
            <div data-testid="syscall-path"><p class="hint">{ "No system call yet: step or run until a program traps with int $64." }</p></div>
        };
    }
    let choose = {
        let (q, on) = (q.clone(), on.clone());
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let syscall = sel.value().parse().ok();
            on.emit(Action::Concept(ConceptQuery {
                syscall,
                ..q.clone()
            }));
        })
    };
    // The row the simulation is at: the last one not after now.
    let here = p.rows.iter().rposition(|r| r.cycle <= now);
    let rows = p.rows.iter().enumerate().map(|(i, r)| {
        let (on, q, cycle, chosen) = (on.clone(), q.clone(), r.cycle, p.chosen);
        // Seeking back truncates the future: pin the call so the path stays.
        let click = Callback::from(move |_| {
            on.emit(Action::Concept(ConceptQuery { syscall: chosen, ..q.clone() }));
            on.emit(Action::Seek(cycle));
        });
        html! {
            <li class={classes!("path-row", format!("level-{}", r.level.to_lowercase()), (here == Some(i)).then_some("here"))}>
                <button class="path-btn" onclick={click} data-testid={format!("syscall-row-{i}")} data-cycle={r.cycle.to_string()}
                        aria-current={(here == Some(i)).then_some("step")}>
                    <span class="level">{ &r.level }</span>
                    <span class="what mono">{ &r.text }</span>
                    <span class="at muted">{ format!("cycle {}", grouped(r.cycle)) }</span>
                </button>
            </li>
        }
    });
    html! {
        <div data-testid="syscall-path" class="syscall-path">
            <label class="field">{ "System call " }
                <select onchange={choose} data-testid="syscall-choice">
                    { for p.calls.iter().map(|c| html! {
                        <option value={c.cycle.to_string()} selected={p.chosen == Some(c.cycle)}>
                            { format!("cycle {} \u{00b7} T{} {}()", grouped(c.cycle), c.tid, c.name) }
                        </option>
                    }) }
                </select>
            </label>
            <ol class="path">{ for rows }</ol>
        </div>
    }
}
