//! Scheduling metrics: turnaround, response and wait per process, their
//! averages, utilization and context switches (OSTEP chapter 7's measures).

use super::{grouped, PanelProps};
use yew::prelude::*;

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "\u{2014}".into(), grouped)
}

fn avg(v: Option<f64>) -> String {
    v.map_or_else(|| "\u{2014}".into(), |x| grouped(x.round() as u64))
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &PanelProps) -> Html {
    let m = &props.view.metrics;
    html! {
        <section class="panel metrics-panel" aria-labelledby="metrics-title" data-testid="panel-metrics">
            <h2 id="metrics-title">{ "Metrics (cycles)" }</h2>
            <div class="scroll" tabindex="0" role="region" aria-label="metrics table">
                <table class="metrics">
                    <thead><tr>
                        <th>{ "pid" }</th><th>{ "name" }</th><th>{ "arrival" }</th><th>{ "turn\u{00ad}around" }</th>
                        <th>{ "re\u{00ad}sponse" }</th><th>{ "wait" }</th><th>{ "CPU" }</th>
                    </tr></thead>
                    <tbody>
                        { for m.rows.iter().map(|r| html! {
                            <tr>
                                <td class="mono">{ r.pid.to_string() }</td><td>{ &r.name }</td>
                                <td class="num">{ grouped(r.arrival) }</td><td class="num">{ opt(r.turnaround) }</td>
                                <td class="num">{ opt(r.response) }</td><td class="num">{ grouped(r.wait) }</td>
                                <td class="num">{ grouped(r.cpu) }</td>
                            </tr>
                        }) }
                    </tbody>
                    <tfoot><tr>
                        <th colspan="3">{ "average" }</th><td class="num">{ avg(m.avg_turnaround) }</td>
                        <td class="num">{ avg(m.avg_response) }</td><td class="num">{ avg(m.avg_wait) }</td><td></td>
                    </tr></tfoot>
                </table>
            </div>
            <p>
                { format!("utilization {:.1} % \u{00b7} context switches ", m.utilization * 100.0) }
                <strong data-testid="context-switches">{ m.context_switches }</strong>
            </p>
        </section>
    }
}
