//! Process anatomy: for two picked threads, side by side, the execution
//! stream (the instructions it retired, the next one marked, in its own
//! program's source) and the state it runs in: registers (or their saved
//! copy, and where), the address space as a map, the open files. What the
//! two share (address space, files, the watched value) and what each has
//! of its own (registers, stack, EIP) is marked on both.

use crate::components::hex;
use crate::state::{Action, SharedView};
use sim_core::session::{Anatomy, ConceptQuery};
use yew::prelude::*;

fn mark(shared: bool) -> Html {
    html! { <span class={classes!("tag", if shared { "shared" } else { "own" })}>{ if shared { "shared" } else { "own" } }</span> }
}

pub fn pair(a: &[Anatomy], v: &SharedView, q: &ConceptQuery, on: &Callback<Action>) -> Html {
    let threads: Vec<(u32, String)> = v
        .processes
        .iter()
        .flat_map(|p| {
            p.threads
                .iter()
                .map(move |t| (t.tid, format!("T{} \u{00b7} {} ({})", t.tid, p.name, p.pid)))
        })
        .collect();
    let (x, y) = match a {
        [x, y, ..] => (x, y),
        [x] => (x, x),
        [] => return html! { <p class="hint">{ "No process yet." }</p> },
    };
    let picker = |i: usize, current: u32| {
        let (q, on, shown) = (q.clone(), on.clone(), [x.tid, y.tid]);
        let change = Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let mut pick = shown.map(Some);
            pick[i] = sel.value().parse().ok();
            on.emit(Action::Concept(ConceptQuery { pick, ..q.clone() }));
        });
        html! {
            <label class="field">{ if i == 0 { "Thread " } else { "beside " } }
                <select onchange={change} data-testid={format!("anatomy-pick-{i}")}>
                    { for threads.iter().map(|(t, name)| html! { <option value={t.to_string()} selected={*t == current}>{ name }</option> }) }
                </select>
            </label>
        }
    };
    let same_space = x.cr3 == y.cr3 && x.pid == y.pid;
    let same_value = x.watched.map(|w| w.1) == y.watched.map(|w| w.1);
    html! {
        <div data-testid="process-anatomy" class="anatomy">
            <p>{ picker(0, x.tid) }{ picker(1, y.tid) }</p>
            <div class="anatomy-pair">
                { column(x, same_space, same_value, x.tid == y.tid) }
                { column(y, same_space, same_value, x.tid == y.tid) }
            </div>
        </div>
    }
}

fn column(a: &Anatomy, shared: bool, same_value: bool, same_thread: bool) -> Html {
    let stream = a.stream.iter().map(|l| {
        let next = l.cycle.is_none();
        html! {
            <li class={classes!("mono", next.then_some("current"))}>
                <span class="muted">{ l.cycle.map_or("next \u{25b6}".into(), |c| format!("{c}")) }</span>
                { format!(" {:>3}  {}", l.line, l.text) }
                if l.times > 1 { <span class="muted">{ format!(" \u{00d7}{}", l.times) }</span> }
            </li>
        }
    });
    let regions = a.regions.iter().map(|r| {
        let present = r.pages.iter().filter(|p| p.1.is_some()).count();
        let frames: Vec<String> = r.pages.iter().filter_map(|p| p.1).map(hex).collect();
        html! {
            <tr>
                <td>{ &r.name }{ " " }{ mark(!r.per_thread && (shared || r.pages.is_empty())) }</td>
                <td class="mono">{ format!("{}\u{2013}{}", hex(r.start), hex(r.end)) }</td>
                <td class="mono">{ if r.pages.is_empty() { "\u{2014}".into() } else { format!("{present}/{} present {}", r.pages.len(), frames.join(" ")) } }</td>
            </tr>
        }
    });
    html! {
        <article class="anatomy-col" data-testid={format!("anatomy-T{}", a.tid)}>
            <h3>{ format!("T{} of {} ({}) \u{00b7} {:?}", a.tid, a.name, a.pid, a.state) }</h3>
            <h4>{ "Execution stream " }{ mark(same_thread) }</h4>
            <ol class="stream">{ for stream }</ol>
            <h4>{ "Registers " }{ mark(same_thread) }</h4>
            <p class="muted">{ &a.saved }</p>
            <p class="regs mono">
                <span>{ format!("eip {}", hex(a.eip)) }</span>
                { for a.regs.iter().map(|(n, v)| html! { <span>{ format!("{n} {}", hex(*v)) }</span> }) }
            </p>
            <h4 data-testid="anatomy-space" data-shared={shared.to_string()}>{ format!("Address space \u{00b7} CR3 {} ", hex(a.cr3)) }{ mark(shared) }</h4>
            <table class="regions"><tbody>{ for regions }</tbody></table>
            <h4>{ "Open files " }{ mark(shared) }</h4>
            <p class="mono">{ a.files.join(" \u{00b7} ") }</p>
            if let Some((addr, value)) = a.watched {
                <p data-testid="anatomy-value">
                    { format!("{} holds {} ", hex(addr), value.map_or("nothing".into(), |v| v.to_string())) }
                    <span class={classes!("tag", if same_value { "shared" } else { "own" })}>{ if same_value { "same value" } else { "different value" } }</span>
                </p>
            }
        </article>
    }
}
