//! Direct vs limited direct execution, side by side: the same programs in
//! `direct` and in a limited direct mode, in two panes on one clock
//! (stepping either steps both), with the notes' problems as rows, each
//! cell filled from its engine.

use crate::components::grouped;
use crate::state::Action;
use sim_core::session::{ExecMode, Granularity, ModesView};
use yew::prelude::*;

const ROWS: [(&str, &str); 4] = [
    ("memory", "A process writes another's memory"),
    ("loop", "A loop runs forever"),
    ("io", "A process waits for I/O"),
    ("cli", "cli at user level"),
];

fn mode_name(m: ExecMode) -> &'static str {
    match m {
        ExecMode::Direct => "direct",
        ExecMode::Cooperative => "cooperative",
        ExecMode::Preemptive => "preemptive",
    }
}

pub fn table(c: &ModesView, on: &Callback<Action>) -> Html {
    let step = {
        let on = on.clone();
        Callback::from(move |_| on.emit(Action::Step(Granularity::Instruction)))
    };
    let head = c.panes.iter().map(|p| {
        let title = match p.mode {
            ExecMode::Direct => "Direct execution",
            _ => "Limited direct execution",
        };
        html! {
            <th scope="col">
                { format!("{title} ({}) \u{00b7} cycle {} ", mode_name(p.mode), grouped(p.cycle)) }
                <button class="btn small secondary" onclick={step.clone()}
                        aria-label={format!("Step both panes one instruction (from the {} pane)", mode_name(p.mode))}>{ "step \u{25b8}" }</button>
            </th>
        }
    });
    let rows = ROWS.iter().enumerate().map(|(i, (key, problem))| {
        html! {
            <tr>
                <th scope="row">{ *problem }</th>
                { for c.panes.iter().map(|p| html! {
                    <td>
                        { for p.cells.get(i).into_iter().flat_map(|cell| &cell.lines).map(|l| html! {
                            <p class={classes!("cmp-line", l.bad.then_some("bad"))}
                               data-testid={format!("compare-{}-{key}-{}", mode_name(p.mode), l.subject)} data-bad={l.bad.to_string()}>
                                if l.bad { <span class="tag bad">{ "problem" }</span>{ " " } }
                                { &l.text }
                            </p>
                        }) }
                    </td>
                }) }
            </tr>
        }
    });
    html! {
        <div data-testid="compare-modes" class="compare-modes scroll" tabindex="0" role="region" aria-label="direct and limited direct execution compared">
            <table class="compare">
                <thead><tr><th scope="col">{ "problem" }</th>{ for head }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
