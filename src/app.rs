//! The application shell: gallery, lesson, scenario toolbar, editor, controls
//! and the panels, all fed from one reducer ([`crate::state`]). With
//! `?embed=1` it is a minimal frame for a course page's iframe.

use crate::components::address::AddressPanel;
use crate::components::code::CodePanel;
use crate::components::compare::ComparePolicies;
use crate::components::concepts::ConceptsPanel;
use crate::components::controls::Controls;
use crate::components::cpu::CpuPanel;
use crate::components::editor::Editor;
use crate::components::events::EventsPanel;
use crate::components::exercises::{new_seed, Homework, Questions, UnfairnessPlot};
use crate::components::gallery::Gallery;
use crate::components::gantt::GanttPanel;
use crate::components::help::HelpOverlay;
use crate::components::idt::IdtPanel;
use crate::components::kstack::KernelStackPanel;
use crate::components::metrics::MetricsPanel;
use crate::components::moments::{lesson_kind, Moments};
use crate::components::sched::SchedPanel;
use crate::components::share::{share_url, Toolbar};
use crate::components::timeline::TimelinePanel;
use crate::embed::use_host_api;
use crate::export::Export;
use crate::fixed::fixed;
use crate::keys::action_for;
use crate::launch::Launch;
use crate::runner::use_frame_loop;
use crate::state::{Action, AppState, Origin, Panel};
use crate::storage;
use gloo::events::{EventListener, EventListenerOptions};
use sim_core::session::{Scenario, Status};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Keys typed into form fields belong to the field, not to the shortcuts.
fn typing_in_field(e: &KeyboardEvent) -> bool {
    let tag = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.tag_name());
    matches!(tag.as_deref(), Some("INPUT" | "SELECT" | "TEXTAREA"))
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

pub fn status_text(state: &AppState) -> String {
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

/// A file name for downloads from the scenario's title.
fn slug(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "ringside".into()
    } else {
        s.chars().take(40).collect()
    }
}

/// Every change to one of my scenarios is saved: work is never lost.
#[hook]
fn use_autosave(state: &UseReducerHandle<AppState>) {
    use_effect_with(
        (
            state.origin.clone(),
            state.scenario.clone().map(|s| Rc::as_ptr(&s) as usize),
        ),
        {
            let scenario = state.scenario.clone();
            move |(origin, _)| {
                if let (Origin::Mine(id), Some(s)) = (origin, scenario) {
                    if let Err(e) = storage::save(id, &s) {
                        gloo::console::error!(format!("could not save the scenario: {e}"));
                    }
                }
            }
        },
    );
}

/// The keyboard shortcuts (see `keys.rs`) and `?` for help, for the page's
/// lifetime; ignored while typing in a field.
#[hook]
fn use_shortcuts(help_open: UseStateHandle<bool>, dispatcher: UseReducerDispatcher<AppState>) {
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

/// The panels, in groups from the top of the page: while running, a new
/// view reaches one group per frame, and a panel whose data did not change
/// keeps its props, so it does not re-render (`AppState::panel_view`).
/// Only the first `drawn_groups` are drawn while the page arrives (`arrival`).
fn workspace(
    state: &AppState,
    drawn_groups: usize,
    shows: &dyn Fn(&str) -> bool,
    on_action: &Callback<Action>,
) -> Option<Html> {
    state.view.as_ref()?;
    Some(html! {
        <main class={classes!("workspace", lesson_kind(&state.name))}>
            if drawn_groups > 0 { { panels(state, drawn_groups, shows, on_action) } }
        </main>
    })
}

/// The panels drawn so far. Not inlined, and not called for the first
/// screen: V8 compiles a wasm function whole on its first call, and the
/// panels' markup is most of the app's.
#[inline(never)]
fn panels(
    state: &AppState,
    drawn_groups: usize,
    shows: &dyn Fn(&str) -> bool,
    on_action: &Callback<Action>,
) -> Html {
    let shown = |p: Panel| state.panel_view(p);
    let lean = state.lean();
    let panel = |name: &str, p: Panel| {
        (p.group() < drawn_groups && shows(name))
            .then(|| shown(p))
            .flatten()
    };
    html! {
        <>
            if let Some(s) = panel("cpu", Panel::Cpu) { <CpuPanel view={s.view} prev={s.prev} /> }
            if let Some(s) = panel("code", Panel::Code) { <CodePanel view={s.view} {lean} on_action={on_action.clone()} /> }
            if let Some(s) = panel("address", Panel::Address) { <AddressPanel view={s.view} prev={s.prev} /> }
            if let Some(s) = panel("idt", Panel::Idt) { <IdtPanel view={s.view} {lean} /> }
            if let Some(s) = panel("kstack", Panel::KernelStack) { <KernelStackPanel view={s.view} /> }
            if let Some(s) = panel("sched", Panel::Sched) { <SchedPanel view={s.view} {lean} /> }
            if let Some(s) = panel("concepts", Panel::Concepts) { <ConceptsPanel view={s.view} prev={s.prev} query={state.concept.clone()} on_action={on_action.clone()} /> }
            if let Some(s) = panel("timeline", Panel::Timeline) { <TimelinePanel view={s.view} {lean} /> }
            if let Some(s) = panel("gantt", Panel::Gantt) { <GanttPanel view={s.view} {lean} /> }
            if let Some(s) = panel("metrics", Panel::Metrics) { <MetricsPanel view={s.view} {lean} /> }
            if let Some(s) = panel("events", Panel::Events) { <EventsPanel view={s.view} {lean} /> }
            if let Some(s) = panel("console", Panel::Console) {
                <section class="panel console-panel" aria-labelledby="console-title">
                    <h2 id="console-title">{ "Console" }</h2>
                    <pre class="console" data-testid="console">{ if s.view.console.is_empty() { "(no output yet)" } else { s.view.console.as_str() } }</pre>
                </section>
            }
        </>
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let launch = use_memo((), |_| Launch::from_location());
    let state = use_reducer(crate::launch::initial_state);
    let drawn_groups = crate::arrival::use_arrival(launch.embed);
    let help_open = use_state(|| false);
    let editor_opened = use_state(|| false);
    use_frame_loop(state.running || state.in_background(), state.dispatcher());
    use_host_api(state.clone());
    // Runs after every render of the page (panels included): ends the
    // measurement of the frame's work that the runner started.
    use_effect(crate::clock::frame::rendered);
    {
        let launch = launch.clone();
        let opened = use_mut_ref(|| false);
        use_effect_with(state.origin.clone(), move |origin| {
            let opening = !std::mem::replace(&mut *opened.borrow_mut(), true);
            crate::launch::sync_url(origin, &launch, opening)
        });
    }
    crate::launch::use_links_entered();
    use_autosave(&state);
    {
        // A lesson's key moments are found once its first screen is
        // painted (a run of a copy of it): neither waits for the other.
        let dispatcher = state.dispatcher();
        let arrived = drawn_groups > 0;
        use_effect_with(
            (state.moments_due && arrived, state.name.clone()),
            move |(due, _)| {
                if *due {
                    gloo::timers::callback::Timeout::new(0, move || {
                        dispatcher.dispatch(Action::FindMoments)
                    })
                    .forget();
                }
            },
        );
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with(launch.autoplay, move |auto| {
            if *auto {
                dispatcher.dispatch(Action::Run);
            }
        });
    }
    use_shortcuts(help_open.clone(), state.dispatcher());
    // One callback for the page's lifetime: a new one per render would make
    // every panel that takes it re-render on every frame.
    let on_action = {
        let dispatcher = state.dispatcher();
        use_callback((), move |a: Action, _| dispatcher.dispatch(a))
    };
    let on_edit = {
        let dispatcher = state.dispatcher();
        use_callback((), move |s: Scenario, _| {
            dispatcher.dispatch(Action::Edit {
                scenario: Box::new(s),
                fresh_id: storage::new_id(),
            })
        })
    };
    let on_export = {
        let state = state.clone();
        Callback::from(move |what: Export| {
            let (Some(view), Some(scenario)) = (state.view.as_ref(), state.scenario.as_ref())
            else {
                return;
            };
            let file =
                crate::export::file(what, &slug(&scenario.title), view, || state.trace_events());
            crate::export::download(file, what == Export::GanttPng);
        })
    };
    let toggle_help = {
        let help_open = help_open.clone();
        Callback::from(move |_: MouseEvent| help_open.set(!*help_open))
    };
    let close_help = {
        let help_open = help_open.clone();
        Callback::from(move |_| help_open.set(false))
    };
    // The panels a share link names, unless the page's own query names some.
    let shows = |p: &str| match (&launch.panels, &state.link_panels) {
        (None, Some(list)) => list.iter().any(|x| x == p),
        _ => launch.shows(p),
    };
    let panels = workspace(&state, drawn_groups, &shows, &on_action);
    let (title, lesson) = state
        .view
        .as_ref()
        .map_or((String::new(), String::new()), |v| {
            (v.title.clone(), v.lesson.clone())
        });
    let editing = !launch.readonly && state.origin != Origin::Bench;
    let mine = matches!(state.origin, Origin::Mine(_));
    // The editor is built when first opened, not with the page: most visits
    // never open it, and it is a large part of the first render.
    let on_editor_toggle = {
        let editor_opened = editor_opened.clone();
        Callback::from(move |e: Event| {
            let open = e
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|d| d.has_attribute("open"));
            if open && !*editor_opened {
                editor_opened.set(true);
            }
        })
    };
    let editor = state.scenario.clone().filter(|_| editing).map(|s| {
        // Remounts on another scenario, so drafts of the last one go.
        let key = format!("{:?}", state.origin);
        html! {
            <details class="editor-box" open={mine} data-testid="editor-toggle" ontoggle={on_editor_toggle}>
                <summary class="btn secondary small">{ "Edit this scenario" }</summary>
                if mine || *editor_opened {
                    <Editor key={key} scenario={s} problems={state.problems.clone()} on_edit={on_edit.clone()} />
                }
            </details>
        }
    });
    let toolbar = state.scenario.clone().filter(|_| !launch.embed).map(|s| {
        html! {
            <Toolbar scenario={s} origin={state.origin.clone()} cycle={state.cycle()}
                     on_action={on_action.clone()} on_export={on_export.clone()} />
        }
    });
    let is_homework = state.scenario.as_ref().is_some_and(|s| s.homework);
    let homework = state.scenario.clone().filter(|s| s.homework).map(|s| {
        let key = s.seed.to_string();
        html! { <Homework {key} scenario={s} cells={state.homework_cells.clone()} on_action={on_action.clone()} /> }
    });
    let new_homework = {
        let on = on_action.clone();
        Callback::from(move |_| on.emit(Action::NewHomework(new_seed())))
    };
    let compare = state.scenario.clone().filter(|_| !launch.embed && state.origin != Origin::Bench && drawn_groups == crate::state::PANEL_GROUPS).map(|s| {
        let key = format!("{:p}", Rc::as_ptr(&s));
        html! { <ComparePolicies key={key} scenario={s} compared={state.compared.clone()} status={state.compare_status.clone()} on_action={on_action.clone()} /> }
    });
    let open_full = state.scenario.as_ref().filter(|_| launch.embed).map(|s| {
        html! {
            <a class="open-full" href={share_url(s, state.cycle(), None)} target="_blank" rel="noopener" data-testid="open-in-ringside">
                { "open in Ringside \u{2197}" }
            </a>
        }
    });
    let stats = state.stats();
    // The benchmark's slowest seek back: the end of the widest gap.
    let widest_gap = (state.origin == Origin::Bench && !state.running)
        .then(|| state.widest_snapshot_gap())
        .flatten()
        .map(|(from, to)| format!("{from} {to}"));
    html! {
        <div class={classes!("app", launch.embed.then_some("embed"), state.lean().then_some("lean"))} data-running={state.running.to_string()} data-scenario={state.name.clone()}
             data-slice={stats.slice.to_string()} data-slice-ms={fixed(stats.slice_ms, 2)}
             data-view-ms={fixed(stats.view_ms, 2)}
             data-rate={fixed(stats.pacer.rate, 0)}
             data-sim-ms-total={fixed(stats.sim_ms_total, 1)} data-sim-cycles-total={stats.sim_cycles_total.to_string()}
             data-light-ms={fixed(stats.pacer.light_ms, 2)}
             data-heavy-ms={fixed(stats.pacer.worst_redraw_ms(), 2)}
             data-draw-ms={stats.pacer.draw_ms.iter().map(|d| fixed(*d, 2)).collect::<Vec<_>>().join(" ")}
             data-budget-ms={fixed(stats.pacer.budget_ms, 2)}
             data-redraw-budget-ms={fixed(stats.pacer.redraw_budget_ms, 2)}
             data-view-interval-ms={fixed(stats.pacer.view_interval_ms(crate::state::VIEW_INTERVAL_MS), 0)}
             data-command-ms={fixed(stats.command_ms, 1)} data-snapshot-gap={widest_gap}>
            if !launch.embed {
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
            }
            if let Some(a) = &state.alert {
                <p class="alert" role="alert" data-testid="link-alert">{ a }</p>
            }
            <section class="lesson" aria-labelledby="lesson-title" data-testid="lesson">
                <h2 id="lesson-title">{ title }{ open_full }</h2>
                if !launch.embed { <p>{ lesson }</p> }
                <Moments moments={state.moments.clone()} cycle={state.cycle()} pause={state.pause_at_moments} on_action={on_action.clone()} />
                <Questions questions={state.questions.clone()} verdicts={state.verdicts.clone()} on_action={on_action.clone()} />
                { homework.unwrap_or_default() }
                if state.scenario.as_deref().is_some_and(sim_core::session::unfairness::plottable) {
                    <UnfairnessPlot points={state.unfairness.clone()} status={state.plot_status.clone()} on_action={on_action.clone()} />
                }
                if let Some(n) = &state.notice {
                    <p class="notice" role="status" data-testid="notice">{ n }</p>
                }
                { toolbar.unwrap_or_default() }
                if !launch.embed && !is_homework {
                    <button class="btn secondary small" onclick={new_homework} data-testid="new-homework">{ "New homework problem" }</button>
                }
            </section>
            { editor.unwrap_or_default() }
            <Controls running={state.running} cycle={state.cycle()} max_seen={state.max_seen()}
                      max_cycles={state.view.as_ref().map_or(0, |v| v.max_cycles)} speed={state.speed}
                      stats={stats} status={status_text(&state)} blocked={state.blocked()}
                      on_action={on_action.clone()} />
            <p class="visually-hidden" aria-live="polite" data-testid="announce">{ announcement(&state) }</p>
            { panels.unwrap_or_default() }
            { compare.unwrap_or_default() }
            { crate::components::gantt::hatch_defs() }
            if *help_open {
                <HelpOverlay on_close={close_help} />
            }
        </div>
    }
}
