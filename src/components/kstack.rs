//! Kernel-stack panel: the trap frame on the kernel stack, split into what
//! the CPU pushed on the trap and what the kernel's entry code saved.

use super::{hex, PanelProps};
use yew::prelude::*;

#[function_component(KernelStackPanel)]
pub fn kernel_stack_panel(props: &PanelProps) -> Html {
    let body = match &props.view.kernel_stack {
        None => {
            html! { <p class="hint">{ "Empty: no trap in progress (the CPU runs user code or the idle loop)." }</p> }
        }
        Some(ks) => html! {
            <>
                <p>{ format!("trap frame for vector {}, {} of 15 words, ESP = {}", ks.vector, ks.words.len(), hex(ks.frame_addr)) }</p>
                if ks.stale {
                    <p class="hint stale" role="note">{ "Stale: this frame belongs to a thread that has exited or was killed; the kernel will never return through it." }</p>
                }
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
                <p class="hint">{ "Highest address first: each word appears in the cycle it is pushed. The CPU pushes its part (and the error code of #DF, #TS, #NP, #SS, #GP, #PF, #AC) while delivering; the entry stub then pushes the vector number (and a dummy error code) and saves the registers with pushal; trapret pops them again before iret." }</p>
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
