//! Compare policies: the open scenario (built-in or edited) under two to
//! four policies, one click; Gantt charts on one time axis and a metrics
//! table with a column per policy.

use crate::fixed::fixed;
use std::rc::Rc;

use sim_core::session::compare::{default_policies, label, CompareColumn, CompareView};
use sim_core::session::{Policy, Report, Scenario};
use yew::prelude::*;

use super::gantt::{chart, legend};
use crate::state::{Action, Compared};

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub scenario: Rc<Scenario>,
    pub compared: Compared,
    /// The comparison under way, in words (`None`: none is).
    pub status: Option<String>,
    pub on_action: Callback<Action>,
}

/// The policies offered: the defaults (checked), then FIFO, SJF, STCF and
/// RR with a one-unit slice if not among them.
fn candidates(s: &Scenario) -> (Vec<Policy>, usize) {
    let mut all = default_policies(s);
    let checked = all.len();
    let rr = Policy::RoundRobin {
        quantum: s.time_unit.max(100),
    };
    for p in [
        Policy::Fifo,
        Policy::Sjf,
        Policy::Stcf { overlap_io: true },
        rr,
    ] {
        if !all.contains(&p) {
            all.push(p);
        }
    }
    (all, checked)
}

fn units(v: f64) -> String {
    fixed(v, 2)
}

/// The rows of the metrics table: a name and how to read it from a run.
type Row = (&'static str, fn(&Report) -> String);
const ROWS: [Row; 6] = [
    ("average turnaround", |r| {
        r.averages
            .map_or("\u{2014}".into(), |a| units(a.turnaround))
    }),
    ("average response", |r| {
        r.averages.map_or("\u{2014}".into(), |a| units(a.response))
    }),
    ("average wait", |r| {
        r.averages.map_or("\u{2014}".into(), |a| units(a.wait))
    }),
    ("end of the run", |r| units(r.time)),
    ("idle", |r| units(r.idle)),
    ("context switches", |r| r.context_switches.to_string()),
];

/// What a chart shows, for screen readers: in the lesson's units when it has
/// them (the axis is labelled in them too).
fn axis_label(c: &CompareView, col: &CompareColumn) -> String {
    if c.time_unit > 1 {
        let end = col.end as f64 / c.time_unit as f64;
        format!(
            "{}: CPU use by process, time 0 to {} ({})",
            col.policy,
            fixed(end, 2),
            c.unit
        )
    } else {
        format!("{}: CPU use by process, cycle 0 to {}", col.policy, col.end)
    }
}

#[function_component(ComparePolicies)]
pub fn compare_policies(p: &CompareProps) -> Html {
    let (all, checked) = candidates(&p.scenario);
    let picked = use_state(|| (0..all.len()).map(|i| i < checked).collect::<Vec<_>>());
    let n = picked.iter().filter(|b| **b).count();
    let run = {
        let (on, picked, all) = (p.on_action.clone(), picked.clone(), all.clone());
        Callback::from(move |_| {
            let chosen = all
                .iter()
                .zip(picked.iter())
                .filter(|(_, on)| **on)
                .map(|(p, _)| p.clone())
                .collect();
            on.emit(Action::Compare(chosen))
        })
    };
    let boxes = all.iter().enumerate().map(|(i, pol)| {
        let on = picked[i];
        let onchange = {
            let picked = picked.clone();
            Callback::from(move |_| {
                let mut v = (*picked).clone();
                v[i] = !v[i];
                picked.set(v);
            })
        };
        html! {
            <label class="choice">
                <input type="checkbox" checked={on} disabled={!on && n >= 4} {onchange} />
                { format!(" {}", label(&p.scenario, pol)) }
            </label>
        }
    });
    let result = match p.compared.as_deref() {
        None => Html::default(),
        Some(Err(e)) => {
            html! { <p class="notice" role="status">{ format!("The comparison could not run: {e}") }</p> }
        }
        Some(Ok(c)) => html! {
            <>
                <div class="scroll" tabindex="0" role="region" aria-label="metrics per policy">
                    <table class="metrics" data-testid="compare-table">
                        <thead><tr><th>{ format!("({})", c.unit) }</th>
                            { for c.columns.iter().map(|col| html! { <th scope="col">{ &col.policy }</th> }) }
                        </tr></thead>
                        <tbody>
                            { for ROWS.iter().map(|(name, read)| html! {
                                <tr><th scope="row">{ name }</th>
                                    { for c.columns.iter().map(|col| html! { <td class="num">{ read(&col.report) }</td> }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <p>{ format!("Time axis in {}.", c.unit) }</p>
                { for c.columns.iter().map(|col| html! {
                    <figure class="compare-chart">
                        <figcaption>{ &col.policy }</figcaption>
                        { chart(&col.lanes, col.end, c.end, c.time_unit, axis_label(c, col)) }
                    </figure>
                }) }
                { legend() }
            </>
        },
    };
    html! {
        <details class="panel compare-policies" data-testid="compare-policies">
            <summary><h2>{ "Compare policies" }</h2></summary>
            <fieldset>
                <legend>{ "Run this workload under (2 to 4)" }</legend>
                { for boxes }
            </fieldset>
            <button class="btn small" onclick={run} disabled={!(2..=4).contains(&n) || p.status.is_some()}>{ "Compare" }</button>
            <p role="status" class="compare-status" data-testid="compare-status">{ p.status.clone().unwrap_or_default() }</p>
            { result }
        </details>
    }
}
