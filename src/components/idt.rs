//! Trap-table panel: the IDT gates the kernel installed; the gate being used
//! lights up (and the table scrolls to it), and a gate refused to user code
//! (DPL < CPL) says why.

use super::{hex, PanelProps};
use yew::prelude::*;

#[function_component(IdtPanel)]
pub fn idt_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    let active = v.active_gate;
    let denied = v.denied_gate.as_ref();
    let (scroller, lit) = (use_node_ref(), use_node_ref());
    let shown = denied.map(|d| d.vector).or(active);
    {
        let (scroller, lit) = (scroller.clone(), lit.clone());
        // Not while running at full speed: reading the row's position would
        // force a layout of the page on every redraw.
        use_effect_with((shown, props.lean), move |(_, lean)| {
            if !lean {
                super::reveal(&scroller, &lit);
            }
        });
    }
    let summary = match (active, denied) {
        (_, Some(d)) => {
            html! { <p class="gate-note denied" role="status">{ "\u{26d4} refused: " }{ &d.reason }</p> }
        }
        (Some(g), None) => {
            let name = v
                .idt
                .iter()
                .find(|x| x.vector == g)
                .map_or("", |x| x.name.as_str());
            html! { <p class="gate-note active" role="status">{ format!("\u{25b6} in use: gate {g} ({name})") }</p> }
        }
        (None, None) => html! { <p class="gate-note">{ "No trap being handled." }</p> },
    };
    let rows = v.idt.iter().map(|g| {
        let is_active = active == Some(g.vector);
        let is_denied = denied.is_some_and(|d| d.vector == g.vector);
        let tag = if is_denied {
            "refused"
        } else if is_active {
            "in use"
        } else {
            ""
        };
        html! {
            <tr class={classes!("gate", is_active.then_some("active"), is_denied.then_some("denied"), (g.dpl == 3).then_some("user-callable"))}
                data-testid={format!("gate-{}", g.vector)}
                ref={if shown == Some(g.vector) { lit.clone() } else { NodeRef::default() }}>
                <td class="mono">{ g.vector }</td>
                <td>{ &g.name }{ if tag.is_empty() { html! {} } else { html! { <span class="tag">{ tag }</span> } } }</td>
                <td class="mono">{ hex(g.handler) }</td>
                <td title={if g.dpl == 3 { "user code may use int $n on this gate" } else { "only the kernel or hardware may use this gate" }}>
                    { g.dpl }
                </td>
                <td>{ if g.trap_gate { "trap" } else { "interrupt" } }</td>
            </tr>
        }
    });
    html! {
        <section class="panel idt-panel" aria-labelledby="idt-title" data-testid="panel-idt">
            <h2 id="idt-title">{ "Trap table (IDT)" }</h2>
            { summary }
            <div class="scroll gates-scroll" tabindex="0" role="region" aria-label="trap table gates" ref={scroller}>
                <table class="gates">
                    <thead><tr><th>{ "vector" }</th><th>{ "name" }</th><th>{ "handler" }</th><th>{ "DPL" }</th><th>{ "gate" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </section>
    }
}
