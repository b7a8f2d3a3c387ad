//! The application shell: header, panels, overlays.

use crate::components::help::HelpOverlay;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let help_open = use_state(|| false);

    // Global shortcuts: '?' toggles help, Escape closes it.
    {
        let help_open = help_open.clone();
        use_effect_with((), move |_| {
            let listener = gloo::utils::window().document().map(|doc| {
                EventListener::new(&doc, "keydown", move |e| {
                    let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    match e.key().as_str() {
                        "?" => help_open.set(!*help_open),
                        "Escape" => help_open.set(false),
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }

    let toggle_help = {
        let help_open = help_open.clone();
        Callback::from(move |_: MouseEvent| help_open.set(!*help_open))
    };
    let close_help = {
        let help_open = help_open.clone();
        Callback::from(move |_| help_open.set(false))
    };

    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>{ "Ringside" }</h1>
                    <span class="tagline">{ "CPU virtualization, one cycle at a time" }</span>
                </div>
                <button class="btn" id="help-button" onclick={toggle_help}
                        aria-pressed={(*help_open).to_string()}>{ "Help (?)" }</button>
            </header>
            <main class="workspace">
                <section class="panel intro">
                    <h2>{ "Welcome" }</h2>
                    <p>{ "Ringside runs real x86 machine code on a simulated computer with \
                          an operating system model, and shows every step: user and kernel \
                          mode, system calls as traps, the trap table, timer interrupts, \
                          context switches and scheduler queues." }</p>
                </section>
            </main>
            if *help_open {
                <HelpOverlay on_close={close_help} />
            }
        </div>
    }
}
