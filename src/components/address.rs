//! Address-spaces panel: the watched virtual address translated in every
//! process (two-level page walk: PDX, PTX, offset → frame) and the value each
//! sees. Threads of one process share the page directory, so they share the
//! frame and the value; processes after fork do not. A process that exited
//! stays, greyed, with what it saw when it exited.

use super::{grouped, hex, PanelProps};
use sim_core::session::{AddressView, SpaceEntry};
use yew::prelude::*;

/// Cards drawn per watched address; a 64-process benchmark lists the rest by count.
const MAX_CARDS: usize = 16;

#[function_component(AddressPanel)]
pub fn address_panel(props: &PanelProps) -> Html {
    let spaces = &props.view.address_spaces;
    let prev = props.prev.as_ref().map(|p| &p.address_spaces);
    html! {
        <section class="panel address-panel" aria-labelledby="addr-title" data-testid="panel-address">
            <h2 id="addr-title">{ "Address spaces" }</h2>
            if spaces.is_empty() {
                <p class="hint">{ "This scenario watches no address." }</p>
            }
            { for spaces.iter().enumerate().map(|(i, a)| watched(a, prev.and_then(|p| p.get(i)))) }
        </section>
    }
}

fn watched(a: &AddressView, prev: Option<&AddressView>) -> Html {
    let (pdx, ptx, off) = (a.addr >> 22, (a.addr >> 12) & 0x3ff, a.addr & 0xfff);
    html! {
        <div class="watch">
            <p class="watch-addr">
                { "virtual address " }<code>{ hex(a.addr) }</code>{ " = " }
                <span class="bits pdx" title="page-directory index, bits 31..22">{ format!("PDX {pdx:#x}") }</span>{ " | " }
                <span class="bits ptx" title="page-table index, bits 21..12">{ format!("PTX {ptx:#x}") }</span>{ " | " }
                <span class="bits off" title="byte in the page, bits 11..0">{ format!("offset {off:#x}") }</span>
            </p>
            if a.spaces.is_empty() {
                <p class="hint">{ "No process yet." }</p>
            }
            <div class="spaces">
                { for a.spaces.iter().take(MAX_CARDS).map(|e| space(e, prev.and_then(|p| p.spaces.iter().find(|x| x.pid == e.pid)))) }
            </div>
            if a.spaces.len() > MAX_CARDS {
                <p class="hint">{ format!("\u{2026} and {} more address spaces.", a.spaces.len() - MAX_CARDS) }</p>
            }
        </div>
    }
}

fn value_text(v: Option<u32>) -> String {
    v.map_or("not mapped".into(), |v| format!("{v} ({v:#x})"))
}

fn space(e: &SpaceEntry, prev: Option<&SpaceEntry>) -> Html {
    let w = &e.walk;
    let changed = prev.is_some_and(|p| p.value != e.value);
    let pid = e.pid.to_string();
    let value = value_text(e.value);
    let frame = w.frame.map_or_else(|| "\u{2014}".to_string(), hex);
    let fault = w.fault;
    html! {
        <article class={classes!("space", e.exited_at.is_some().then_some("exited"))} data-testid={format!("space-{pid}")}>
            <header>
                <strong>{ format!("{} ({pid})", e.name) }</strong>
                <span class="muted">{ format!(" \u{00b7} {} thread{}", e.threads.len(), if e.threads.len() == 1 { "" } else { "s" }) }</span>
                if let Some(c) = e.exited_at {
                    <span class="exited-tag" data-testid={format!("space-exited-{pid}")}>{ format!("exited at cycle {}", grouped(c)) }</span>
                }
            </header>
            <ol class="walk mono">
                <li title="CR3: this process's page directory">{ "CR3 " }{ hex(w.cr3) }</li>
                <li title="page-directory entry at CR3 + 4 \u{00d7} PDX">
                    { format!("PDE[{:#x}] @ {}", w.pdx, hex(w.pde_addr)) }{ " = " }{ w.pde.map(hex).unwrap_or_else(|| "\u{2014}".into()) }
                </li>
                <li title="page-table entry at PDE frame + 4 \u{00d7} PTX">
                    { format!("PTE[{:#x}] @ ", w.ptx) }{ w.pte_addr.map(hex).unwrap_or_else(|| "\u{2014}".into()) }
                    { " = " }{ w.pte.map(hex).unwrap_or_else(|| "\u{2014}".into()) }
                </li>
                <li class="frame" data-testid={format!("space-frame-{pid}")}>{ "frame " }{ frame }{ format!(" + {:#x}", w.offset) }</li>
            </ol>
            if let Some(f) = fault {
                <p class="fault">{ format!("walk stops: {f}") }</p>
            }
            // Keyed by the value: a new value re-creates the element and replays its flash.
            <p class={classes!("space-value", changed.then_some("changed"))} key={value.clone()}>
                { "value " }<strong data-testid={format!("space-value-{pid}")} class="mono">{ value.clone() }</strong>
            </p>
            <ul class="threads">
                { for e.threads.iter().map(|t| html! {
                    <li class="thread-chip">
                        <span>{ format!("T{t}") }</span>{ " sees " }
                        <span class="mono" data-testid={format!("thread-value-T{t}")}>{ value.clone() }</span>
                    </li>
                }) }
            </ul>
        </article>
    }
}
