//! Processes & scheduler panel: the process table (PCBs) and the scheduler's
//! queues, with each thread drawn as a chip that moves between queues.

use std::collections::HashMap;

use super::{grouped, keyed_by, row_window, spacer_row, use_scroll_top, PanelProps, WINDOW_ROWS};
use sim_core::session::{ProcessView, State, ThreadId, View};
use yew::prelude::*;

/// About the height of a process-table row, px (spacers for rows not drawn).
const ROW_PX: i32 = 26;
/// Chips drawn per queue while running at full speed; the rest are counted.
const LEAN_CHIPS: usize = 24;
/// Chips drawn per queue when paused: a queue of 256 threads is a wall no one
/// reads, and redrawing it after each step cost more than the rest of the
/// panel. The process table names every thread's queue.
const CHIPS: usize = 64;

#[function_component(SchedPanel)]
pub fn sched_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    let count = v.processes.len();
    let windowed = count > WINDOW_ROWS;
    let (top, onscroll) = use_scroll_top(windowed);
    let rows = row_window(count, top, ROW_PX, props.lean);
    let (above, below) = (rows.start, count - rows.end);
    // Row numbers for screen readers in a windowed table: a process with an
    // exit row below it takes two.
    let exit_rows = |ps: &[ProcessView]| ps.iter().filter(|p| has_exit(p)).count();
    let total_rows = windowed.then(|| (count + exit_rows(&v.processes) + 1).to_string());
    let first_index = rows.start + exit_rows(&v.processes[..rows.start]) + 2;
    html! {
        <section class="panel sched-panel" aria-labelledby="sched-title" data-testid="panel-sched">
            <h2 id="sched-title">{ "Processes & scheduler" }<span class="policy">{ format!(" \u{00b7} {}", v.policy) }</span></h2>
            { queues(v, props.lean) }
            <div class="scroll" tabindex="0" role="region" aria-label="process table" {onscroll}>
                <table class="pcbs" aria-rowcount={total_rows}>
                    <thead><tr>
                        <th>{ "pid" }</th><th>{ "name" }</th><th>{ "state" }</th><th>{ "threads" }</th>
                        <th>{ "queue" }</th><th>{ "CPU time" }</th>
                        if v.policy_uses.job_length { <th>{ "job length" }</th><th>{ "remaining" }</th> }
                        if v.policy_uses.tickets { <th>{ "tickets" }</th> }
                    </tr></thead>
                    <tbody>
                        { spacer_row(above, ROW_PX) }
                        { for v.processes[rows].iter().scan(first_index, |at, p| {
                            let index = *at;
                            *at += 1 + usize::from(has_exit(p));
                            Some(pcb(v, p, windowed.then_some(index)))
                        }) }
                        { spacer_row(below, ROW_PX) }
                    </tbody>
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

fn has_exit(p: &ProcessView) -> bool {
    p.killed.is_some() || p.exit_status.is_some()
}

/// A process's row (and its exit row), numbered from `index` for screen
/// readers when the table is windowed.
fn pcb(v: &View, p: &ProcessView, index: Option<usize>) -> Html {
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
        <tr class={classes!("pcb", format!("state-{state}"), (!exit.is_empty()).then_some("has-exit"))} data-testid={format!("pcb-{}", p.pid)} aria-rowindex={index.map(|i| i.to_string())}>
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
            <tr class={classes!("pcb-exit", format!("state-{state}"))} aria-rowindex={index.map(|i| (i + 1).to_string())}>
                <td></td>
                <td class="exit" colspan={columns.to_string()} data-testid={format!("exit-{}", p.pid)}>{ exit }</td>
            </tr>
        }
    </> }
}

/// Each thread's process, "P3 forker", looked up once per render.
fn owners(v: &View) -> HashMap<u32, String> {
    v.processes
        .iter()
        .flat_map(|p| {
            let name = format!("{} {}", p.pid, p.name);
            p.threads.iter().map(move |t| (t.tid, name.clone()))
        })
        .collect()
}

/// A thread's chip. Keyed by thread when `keyed`: moving to another queue
/// re-creates the chip there and its entry animation shows the move. At
/// full speed nothing animates and most chips change at each redraw, so
/// chips are unkeyed there: Yew rewrites their text in place instead of
/// making and removing a chip per move (about half the panel's redraw with
/// 256 processes).
fn chip(owners: &HashMap<u32, String>, t: ThreadId, running: bool, keyed: bool) -> Html {
    let owner = owners.get(&t.0).cloned().unwrap_or_default();
    let chip = html! {
        <li class={classes!("chip", running.then_some("running"))} data-testid={format!("chip-{t}")}>
            if running { <span aria-label="running">{ "\u{25b6} " }</span> }
            <strong>{ t.to_string() }</strong>{ " " }<span class="muted">{ owner }</span>
        </li>
    };
    keyed_by(chip, keyed.then(|| t.0.to_string()))
}

/// A queue's first chips ([`CHIPS`], or [`LEAN_CHIPS`] while running at
/// full speed) and how many more.
fn chips<'a>(
    owners: &HashMap<u32, String>,
    threads: impl Iterator<Item = &'a ThreadId>,
    lean: bool,
) -> Html {
    let threads: Vec<ThreadId> = threads.copied().collect();
    let drawn = if lean { LEAN_CHIPS } else { CHIPS };
    let more = threads.len().saturating_sub(drawn);
    html! { <>
        { for threads.iter().take(drawn).map(|t| chip(owners, *t, false, !lean)) }
        if more > 0 { { keyed_by(html! { <li class="muted more">{ format!("+{more} more") }</li> }, (!lean).then(|| "more".to_string())) } }
    </> }
}

fn queues(v: &View, lean: bool) -> Html {
    let q = &v.queues;
    let running = q.running;
    let owners = owners(v);
    let exited: Vec<ThreadId> = v
        .processes
        .iter()
        .flat_map(|p| p.threads.iter())
        .filter(|t| t.state == State::Zombie)
        .map(|t| ThreadId(t.tid))
        .collect();
    html! {
        <div class="queues">
            <div class="queue running-q">
                <h3>{ "running" }</h3>
                <ul>{ for running.map(|t| chip(&owners, t, true, !lean)) }</ul>
            </div>
            { for q.levels.iter().map(|l| html! {
                <div class="queue">
                    <h3>{ &l.label }</h3>
                    <ul>{ chips(&owners, l.threads.iter().filter(|t| Some(**t) != running), lean) }</ul>
                </div>
            }) }
            <div class="queue blocked-q">
                <h3>{ "blocked (I/O, wait, join)" }</h3>
                <ul>{ chips(&owners, q.blocked.iter(), lean) }</ul>
            </div>
            // Threads leave the scheduler when they exit; they stay in sight here.
            <div class="queue exited-q" data-testid="queue-exited">
                <h3>{ "exited" }</h3>
                <ul>{ chips(&owners, exited.iter(), lean) }</ul>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_are_keyed_by_thread_except_at_full_speed() {
        let owners = HashMap::from([(5, "3 worker".to_string())]);
        let key = |h: &Html| h.key().map(|k| k.to_string());
        assert_eq!(
            key(&chip(&owners, ThreadId(5), false, true)).as_deref(),
            Some("5")
        );
        assert_eq!(key(&chip(&owners, ThreadId(5), true, false)), None);
    }
}
