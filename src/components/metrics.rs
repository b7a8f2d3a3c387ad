//! Scheduling metrics: turnaround, response and wait per process, their
//! averages, utilization and context switches (OSTEP chapter 7's measures).

use super::{
    aria_row, aria_rows, grouped, row_window, spacer_row, use_scroll_top, PanelProps, WINDOW_ROWS,
};
use crate::fixed::fixed;

/// About the height of a metrics-table row, px (spacers for rows not drawn).
const ROW_PX: i32 = 24;
use yew::prelude::*;

/// A time in the scenario's unit: whole cycles, or units to two decimals.
fn time(v: u64, unit: u64) -> String {
    if unit <= 1 {
        grouped(v)
    } else {
        fixed(v as f64 / unit as f64, 2)
    }
}

fn opt(v: Option<u64>, unit: u64) -> String {
    v.map_or_else(|| "\u{2014}".into(), |v| time(v, unit))
}

fn avg(v: Option<f64>, unit: u64) -> String {
    v.map_or_else(
        || "\u{2014}".into(),
        |x| {
            if unit <= 1 {
                grouped(x.round() as u64)
            } else {
                fixed(x / unit as f64, 2)
            }
        },
    )
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &PanelProps) -> Html {
    let m = &props.view.metrics;
    // Units by default; cycles on demand.
    let cycles = use_state(|| false);
    let unit = if *cycles { 1 } else { m.time_unit };
    let toggle = {
        let cycles = cycles.clone();
        Callback::from(move |_| cycles.set(!*cycles))
    };
    let book = &props.view.book;
    let count = m.rows.len();
    let (top, onscroll) = use_scroll_top(count > WINDOW_ROWS);
    let rows = row_window(count, top, ROW_PX, props.lean);
    let (above, below) = (rows.start, count - rows.end);
    html! {
        <section class="panel metrics-panel" aria-labelledby="metrics-title" data-testid="panel-metrics">
            <h2 id="metrics-title">{ format!("Metrics ({})", if unit <= 1 { "cycles".to_string() } else { m.unit.clone() }) }</h2>
            if m.time_unit > 1 {
                <button class="small" onclick={toggle}>{ if *cycles { "Show units" } else { "Show cycles" } }</button>
            }
            if !book.is_empty() {
                <p class="book" data-testid="book"><strong>{ "What the book says: " }</strong>{ book }
                    <br /><strong>{ "The engine: " }</strong>
                    { format!("average turnaround {}, response {}, wait {} ({})", avg(m.avg_turnaround, m.time_unit), avg(m.avg_response, m.time_unit), avg(m.avg_wait, m.time_unit), if m.time_unit > 1 { m.unit.as_str() } else { "cycles" }) }
                </p>
            }
            <div class="scroll" tabindex="0" role="region" aria-label="metrics table" {onscroll}>
                <table class="metrics" aria-rowcount={aria_rows(count, 2)}>
                    <thead><tr>
                        <th>{ "pid" }</th><th>{ "name" }</th><th>{ "arrival" }</th><th>{ "turn\u{00ad}around" }</th>
                        <th>{ "re\u{00ad}sponse" }</th><th>{ "wait" }</th><th>{ "CPU" }</th>
                    </tr></thead>
                    <tbody>
                        { spacer_row(above, ROW_PX) }
                        { for m.rows[rows].iter().enumerate().map(|(i, r)| html! {
                            <tr aria-rowindex={aria_row(count, above + i)}>
                                <td class="mono">{ r.pid.to_string() }</td><td>{ &r.name }</td>
                                <td class="num">{ time(r.arrival, unit) }</td><td class="num">{ opt(r.turnaround, unit) }</td>
                                <td class="num">{ opt(r.response, unit) }</td><td class="num">{ time(r.wait, unit) }</td>
                                <td class="num">{ time(r.cpu, unit) }</td>
                            </tr>
                        }) }
                        { spacer_row(below, ROW_PX) }
                    </tbody>
                    <tfoot><tr aria-rowindex={aria_row(count, count)}>
                        <th colspan="3">{ "average" }</th><td class="num">{ avg(m.avg_turnaround, unit) }</td>
                        <td class="num">{ avg(m.avg_response, unit) }</td><td class="num">{ avg(m.avg_wait, unit) }</td><td></td>
                    </tr></tfoot>
                </table>
            </div>
            <p>
                { format!("utilization {} % \u{00b7} context switches ", fixed(m.utilization * 100.0, 1)) }
                <strong data-testid="context-switches">{ m.context_switches }</strong>
            </p>
        </section>
    }
}
