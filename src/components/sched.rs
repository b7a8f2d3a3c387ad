//! Processes & scheduler panel: the process table (PCBs) and the scheduler's
//! queues, with each thread drawn as a chip that moves between queues.

use super::{grouped, PanelProps};
use sim_core::session::{ProcessView, State, ThreadId, View};
use yew::prelude::*;

#[function_component(SchedPanel)]
pub fn sched_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    html! {
        <section class="panel sched-panel" aria-labelledby="sched-title" data-testid="panel-sched">
            <h2 id="sched-title">{ "Processes & scheduler" }<span class="policy">{ format!(" \u{00b7} {}", v.policy) }</span></h2>
            { queues(v) }
            <div class="scroll" tabindex="0" role="region" aria-label="process table">
                <table class="pcbs">
                    <thead><tr>
                        <th>{ "pid" }</th><th>{ "name" }</th><th>{ "state" }</th><th>{ "threads" }</th>
                        <th>{ "queue" }</th><th>{ "CPU time" }</th>
                        if v.policy_uses.job_length { <th>{ "job length" }</th><th>{ "remaining" }</th> }
                        if v.policy_uses.tickets { <th>{ "tickets" }</th> }
                    </tr></thead>
                    <tbody>{ for v.processes.iter().map(|p| pcb(v, p)) }</tbody>
                </table>
            </div>
        </section>
    }
}

fn state_name(s: impl std::fmt::Debug) -> String {
    format!("{s:?}").to_lowercase()
}

/// The queue label holding `tid`, or "blocked"/"—".
fn queue_of(v: &View, tid: u32) -> String {
    let t = ThreadId(tid);
    if let Some(l) = v.queues.levels.iter().find(|l| l.threads.contains(&t)) {
        return l.label.clone();
    }
    if v.queues.blocked.contains(&t) {
        return "blocked".into();
    }
    "\u{2014}".into()
}

fn pcb(v: &View, p: &ProcessView) -> Html {
    let state = state_name(p.state);
    let queue: Vec<String> = p.threads.iter().map(|t| queue_of(v, t.tid)).collect();
    let at = p
        .exited_at
        .map_or_else(String::new, |c| format!(" at cycle {}", grouped(c)));
    let exit = match (&p.killed, p.exit_status) {
        (Some(k), _) => format!("killed{at}: {k}"),
        (None, Some(s)) => format!("exited{at} with {s}"),
        (None, None) => String::new(),
    };
    let columns =
        5 + 2 * usize::from(v.policy_uses.job_length) + usize::from(v.policy_uses.tickets);
    html! { <>
        <tr class={classes!("pcb", format!("state-{state}"), (!exit.is_empty()).then_some("has-exit"))} data-testid={format!("pcb-{}", p.pid)}>
            <td class="mono">{ p.pid.to_string() }</td>
            <td>{ &p.name }</td>
            <td><span class={classes!("state", format!("state-{state}"))}>{ state.clone() }</span></td>
            <td>{ for p.threads.iter().map(|t| html! {
                <span class="tid" title={t.waiting_for.as_ref().map(|w| format!("waiting for {w}")).unwrap_or_default()}>
                    { format!("T{} {}", t.tid, state_name(t.state)) }
                </span>
            }) }</td>
            <td>{ queue.join(", ") }</td>
            <td class="num">{ grouped(p.cpu) }</td>
            if v.policy_uses.job_length {
                <td class="num" data-testid={format!("job-length-{}", p.pid)}>{ p.job_length.map_or_else(|| "\u{2014}".into(), grouped) }</td>
                <td class="num" data-testid={format!("remaining-{}", p.pid)}>{ p.remaining.map_or_else(|| "\u{2014}".into(), grouped) }</td>
            }
            if v.policy_uses.tickets { <td class="num" data-testid={format!("tickets-{}", p.pid)}>{ p.tickets }</td> }
        </tr>
        // Exit status and kill reason on a row of their own, the table's
        // full width: never clipped however long the reason.
        if !exit.is_empty() {
            <tr class={classes!("pcb-exit", format!("state-{state}"))}>
                <td></td>
                <td class="exit" colspan={columns.to_string()} data-testid={format!("exit-{}", p.pid)}>{ exit }</td>
            </tr>
        }
    </> }
}

fn owner(v: &View, t: ThreadId) -> String {
    v.processes
        .iter()
        .find(|p| p.threads.iter().any(|x| x.tid == t.0))
        .map_or_else(String::new, |p| format!("{} {}", p.pid, p.name))
}

fn chip(v: &View, t: ThreadId, running: bool) -> Html {
    html! {
        // Keyed by thread: moving to another queue re-creates the chip there
        // and its entry animation shows the move.
        <li key={t.0} class={classes!("chip", running.then_some("running"))} data-testid={format!("chip-{t}")}>
            if running { <span aria-label="running">{ "\u{25b6} " }</span> }
            <strong>{ t.to_string() }</strong>{ " " }<span class="muted">{ owner(v, t) }</span>
        </li>
    }
}

fn queues(v: &View) -> Html {
    let q = &v.queues;
    let running = q.running;
    html! {
        <div class="queues">
            <div class="queue running-q">
                <h3>{ "running" }</h3>
                <ul>{ for running.map(|t| chip(v, t, true)) }</ul>
            </div>
            { for q.levels.iter().map(|l| html! {
                <div class="queue">
                    <h3>{ &l.label }</h3>
                    <ul>{ for l.threads.iter().filter(|t| Some(**t) != running).map(|t| chip(v, *t, false)) }</ul>
                </div>
            }) }
            <div class="queue blocked-q">
                <h3>{ "blocked (I/O, wait, join)" }</h3>
                <ul>{ for q.blocked.iter().map(|t| chip(v, *t, false)) }</ul>
            </div>
            // Threads leave the scheduler when they exit; they stay in sight here.
            <div class="queue exited-q" data-testid="queue-exited">
                <h3>{ "exited" }</h3>
                <ul>{ for v.processes.iter().flat_map(|p| p.threads.iter()).filter(|t| t.state == State::Zombie).map(|t| chip(v, ThreadId(t.tid), false)) }</ul>
            </div>
        </div>
    }
}
