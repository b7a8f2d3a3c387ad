//! Kernel-stack panel: the trap frame on the kernel stack, split into what
//! the CPU pushed on the trap and what the kernel's entry code saved.

use super::{hex, PanelProps};
use yew::prelude::*;

#[function_component(KernelStackPanel)]
pub fn kernel_stack_panel(props: &PanelProps) -> Html {
    let body = match &props.view.kernel_stack {
        None => {
            html! { <p class="hint">{ "Empty: no trap frame while the CPU runs user code or the kernel has not saved one yet." }</p> }
        }
        Some(ks) => html! {
            <>
                <p>{ format!("trap frame at {} for vector {}", hex(ks.frame_addr), ks.vector) }</p>
                <table class="stack">
                    <thead><tr><th>{ "address" }</th><th>{ "slot" }</th><th>{ "value" }</th><th>{ "saved by" }</th></tr></thead>
                    <tbody>
                        { for ks.words.iter().map(|w| html! {
                            <tr class={if w.by_cpu { "by-cpu" } else { "by-kernel" }}>
                                <td class="mono">{ hex(w.addr) }</td>
                                <td class="mono">{ &w.name }</td>
                                <td class="mono">{ hex(w.value) }</td>
                                <td>{ if w.by_cpu { "CPU (trap)" } else { "kernel (entry stub)" } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <p class="hint">{ "Highest address first: the CPU pushed its part first, then the kernel's entry stub saved the registers below it." }</p>
            </>
        },
    };
    html! {
        <section class="panel kstack-panel" aria-labelledby="ks-title" data-testid="panel-kstack">
            <h2 id="ks-title">{ "Kernel stack: trap frame" }</h2>
            { body }
        </section>
    }
}
