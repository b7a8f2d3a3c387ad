//! The application shell: gallery, lesson, controls and the panels, all fed
//! from one reducer ([`crate::state`]).

use crate::components::address::AddressPanel;
use crate::components::code::CodePanel;
use crate::components::controls::Controls;
use crate::components::cpu::CpuPanel;
use crate::components::events::EventsPanel;
use crate::components::gallery::Gallery;
use crate::components::gantt::GanttPanel;
use crate::components::help::HelpOverlay;
use crate::components::idt::IdtPanel;
use crate::components::kstack::KernelStackPanel;
use crate::components::metrics::MetricsPanel;
use crate::components::sched::SchedPanel;
use crate::components::timeline::TimelinePanel;
use crate::keys::action_for;
use crate::launch::{bench_scenario, Launch, DEFAULT_SCENARIO};
use crate::runner::use_frame_loop;
use crate::state::{Action, AppState};
use gloo::events::{EventListener, EventListenerOptions};
use sim_core::session::Status;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn initial_state() -> AppState {
    let launch = Launch::from_location();
    if let Some(n) = launch.bench {
        if let Some(s) = bench_scenario(n) {
            return AppState::open_scenario(format!("bench-{n}"), s, launch.max_cycles);
        }
    }
    let name = launch.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO);
    let state = AppState::open(name, launch.max_cycles);
    if state.view.is_none() {
        // Unknown name in the URL: open the default and keep the notice.
        let notice = state.notice.clone();
        return AppState::open(DEFAULT_SCENARIO, launch.max_cycles).with_notice(notice);
    }
    state
}

/// Keys typed into form fields belong to the field, not to the shortcuts.
fn typing_in_field(e: &KeyboardEvent) -> bool {
    let tag = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name());
    matches!(tag.as_deref(), Some("INPUT" | "SELECT" | "TEXTAREA"))
}

/// Records when the page became interactive (for the browser benchmark) and
/// keeps `?scenario=` in the address bar in step with the open lesson.
fn mark_ready_and_url(name: &str) {
    let Some(w) = web_sys::window() else { return };
    if let (Some(doc), Some(perf)) = (w.document(), w.performance()) {
        if let Some(root) = doc.document_element() {
            if root.get_attribute("data-ready-ms").is_none() {
                let _ = root.set_attribute("data-ready-ms", &format!("{:.1}", perf.now()));
            }
        }
    }
    if !name.starts_with("bench-") && !name.is_empty() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("?scenario={name}")),
            );
        }
    }
}

/// What the last step did, for screen readers: the newest event. Empty while
/// running, so a run is announced once, when it pauses.
fn announcement(state: &AppState) -> String {
    let Some(v) = state.view.as_ref().filter(|_| !state.running) else {
        return String::new();
    };
    let now = crate::components::grouped(v.cycle);
    match v.events.last() {
        Some(e) if e.cycle == v.cycle => format!("cycle {now}: {}", e.text),
        Some(e) => format!(
            "cycle {now}; last event at cycle {}: {}",
            crate::components::grouped(e.cycle),
            e.text
        ),
        None => format!("cycle {now}"),
    }
}

fn status_text(state: &AppState) -> String {
    match state.view.as_ref().map(|v| &v.status) {
        Some(Status::Running) if state.running => "running".into(),
        Some(Status::Running) => "paused".into(),
        Some(Status::Finished) => "finished".into(),
        Some(Status::CycleLimit) => "cycle limit".into(),
        Some(Status::Panic(_)) => "kernel panic".into(),
        Some(Status::Stopped(_)) => "machine stopped".into(),
        None => "no scenario".into(),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(initial_state);
    let help_open = use_state(|| false);
    use_frame_loop(state.running, state.dispatcher());
    // Runs after every render of the page (panels included): ends the
    // measurement of the frame's work that the runner started.
    use_effect(crate::clock::frame::rendered);
    {
        let name = state.name.clone();
        use_effect_with(name, |name| mark_ready_and_url(name));
    }
    {
        let help_open = help_open.clone();
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = gloo::utils::window().document().map(|doc| {
                EventListener::new_with_options(
                    &doc,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                            return;
                        };
                        if e.ctrl_key() || e.meta_key() || e.alt_key() || typing_in_field(e) {
                            return;
                        }
                        match e.key().as_str() {
                            "?" => help_open.set(!*help_open),
                            "Escape" => help_open.set(false),
                            key => {
                                if let Some(a) = action_for(key) {
                                    // Space would also scroll or press the focused button.
                                    e.prevent_default();
                                    dispatcher.dispatch(a);
                                }
                            }
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }
    // One callback for the page's lifetime: a new one per render would make
    // every panel that takes it re-render on every frame.
    let on_action = {
        let dispatcher = state.dispatcher();
        use_callback((), move |a: Action, _| dispatcher.dispatch(a))
    };
    let toggle_help = {
        let help_open = help_open.clone();
        Callback::from(move |_: MouseEvent| help_open.set(!*help_open))
    };
    let close_help = {
        let help_open = help_open.clone();
        Callback::from(move |_| help_open.set(false))
    };
    let prev = state.prev.clone();
    // Groups of panels, top of the page first: while running, a new view
    // reaches one group per frame (`AppState::shown`).
    let panels = state.view.clone().map(|view| {
        let group = |g: usize| state.shown(g).unwrap_or_else(|| view.clone());
        let (g0, g1, g2, g3) = (group(0), group(1), group(2), group(3));
        html! {
            <main class="workspace">
                <CpuPanel view={g0.clone()} prev={prev.clone()} />
                <CodePanel view={g0.clone()} on_action={on_action.clone()} />
                <AddressPanel view={g1.clone()} prev={prev.clone()} />
                <IdtPanel view={g0.clone()} />
                <KernelStackPanel view={g0.clone()} />
                <SchedPanel view={g1.clone()} />
                <TimelinePanel view={g2.clone()} />
                <GanttPanel view={g2.clone()} />
                <MetricsPanel view={g3.clone()} />
                <EventsPanel view={g3.clone()} />
                <section class="panel console-panel" aria-labelledby="console-title">
                    <h2 id="console-title">{ "Console" }</h2>
                    <pre class="console" data-testid="console">{ if g3.console.is_empty() { "(no output yet)" } else { g3.console.as_str() } }</pre>
                </section>
            </main>
        }
    });
    let (title, lesson) = state
        .view
        .as_ref()
        .map_or((String::new(), String::new()), |v| {
            (v.title.clone(), v.lesson.clone())
        });
    html! {
        <div class="app" data-running={state.running.to_string()} data-scenario={state.name.clone()}
             data-slice={state.stats.slice.to_string()} data-slice-ms={format!("{:.2}", state.stats.slice_ms)}
             data-view-ms={format!("{:.2}", state.stats.view_ms)}
             data-rate={format!("{:.0}", state.stats.pacer.rate)}
             data-light-ms={format!("{:.2}", state.stats.pacer.light_ms)}
             data-heavy-ms={format!("{:.2}", state.stats.pacer.heavy_ms)}>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>{ "Ringside" }</h1>
                    <span class="tagline">{ "CPU virtualization, one cycle at a time" }</span>
                </div>
                <button class="btn" id="help-button" onclick={toggle_help}
                        aria-pressed={(*help_open).to_string()}>{ "Help (?)" }</button>
            </header>
            <Gallery current={state.name.clone()} on_action={on_action.clone()} />
            <section class="lesson" aria-labelledby="lesson-title" data-testid="lesson">
                <h2 id="lesson-title">{ title }</h2>
                <p>{ lesson }</p>
                if let Some(n) = &state.notice {
                    <p class="notice" role="status" data-testid="notice">{ n }</p>
                }
            </section>
            <Controls running={state.running} cycle={state.cycle()} max_seen={state.max_seen}
                      max_cycles={state.view.as_ref().map_or(0, |v| v.max_cycles)} speed={state.speed}
                      stats={state.stats} status={status_text(&state)} on_action={on_action.clone()} />
            <p class="visually-hidden" aria-live="polite" data-testid="announce">{ announcement(&state) }</p>
            { panels.unwrap_or_default() }
            if *help_open {
                <HelpOverlay on_close={close_help} />
            }
        </div>
    }
}
