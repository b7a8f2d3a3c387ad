//! The scenario toolbar: my scenarios (open, rename, delete, export, import),
//! a new scenario, share by link, embed in a course page, and downloads.

use std::rc::Rc;

use sim_core::session::link::{self, Share};
use sim_core::session::{builtin, ProgramSource, Scenario};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::settings::TEMPLATE;
use crate::export::Export;
use crate::launch::PANELS;
use crate::state::{Action, Origin};
use crate::storage;

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub scenario: Rc<Scenario>,
    pub origin: Origin,
    pub cycle: u64,
    pub on_action: Callback<Action>,
    pub on_export: Callback<Export>,
}

/// The page's address without query or fragment.
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// The complete share link of `scenario` at `cycle`.
pub fn share_url(scenario: &Scenario, cycle: u64, panels: Option<Vec<String>>) -> String {
    let share = Share {
        scenario: scenario.clone(),
        cycle: (cycle > 0).then_some(cycle),
        panels,
    };
    format!("{}#{}", base_url(), link::fragment(&share))
}

/// `"` `<` `>` `&` escaped for an HTML attribute.
pub fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The `<iframe>` a course page pastes to embed `scenario`.
pub fn embed_snippet(
    src_base: &str,
    scenario: &Scenario,
    panels: &[String],
    readonly: bool,
    autoplay: bool,
) -> String {
    let share = Share::new(scenario.clone());
    let mut q = String::from("?embed=1");
    if panels.len() < PANELS.len() {
        q.push_str(&format!("&panels={}", panels.join(",")));
    }
    if readonly {
        q.push_str("&readonly=1");
    }
    if autoplay {
        q.push_str("&autoplay=1");
    }
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"520\" style=\"border:1px solid #d9dde3;border-radius:8px\" loading=\"lazy\"></iframe>",
        attr(&format!("{src_base}{q}#{}", link::fragment(&share))),
        attr(&format!("Ringside: {}", scenario.title))
    )
}

/// A new scenario: one program that makes a system call, under round robin.
pub fn template() -> Option<Scenario> {
    let mut s = builtin("syscall-read")?;
    s.title = "My scenario".into();
    s.lesson = "A scenario of my own: edit the program and the settings, then run it.".into();
    s.programs = vec![ProgramSource {
        name: "main".into(),
        elf: None,
        source: TEMPLATE.into(),
    }];
    s.processes.truncate(1);
    s.processes[0].program = "main".into();
    // The lesson's questions and book figures are about its own programs.
    s.chapter.clear();
    s.book.clear();
    s.questions.clear();
    s.homework = false;
    Some(s)
}

fn copy_to_clipboard(text: &str) {
    // navigator.clipboard.writeText, where the browser allows it.
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else {
        return;
    };
    if let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call1(&clip, &text.into());
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Dialog {
    None,
    Mine,
    Embed,
}

#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let url = use_state(|| None::<String>);
    let dialog = use_state(|| Dialog::None);
    let on_share = {
        let (url, scenario, cycle) = (url.clone(), props.scenario.clone(), props.cycle);
        Callback::from(move |_: MouseEvent| {
            let u = share_url(&scenario, cycle, None);
            copy_to_clipboard(&u);
            url.set(Some(u));
        })
    };
    let open = |d: Dialog| {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(d))
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: ()| dialog.set(Dialog::None))
    };
    let on_new = props.on_action.reform(|_: MouseEvent| match template() {
        Some(s) => Action::Open {
            origin: Origin::Mine(storage::new_id()),
            scenario: Box::new(s),
            cycle: None,
        },
        None => Action::Reset,
    });
    let export = |what: Export| props.on_export.reform(move |_: MouseEvent| what);
    // A built-in (or a link) is never changed: editing starts from a copy.
    let on_copy = {
        let scenario = props.scenario.clone();
        props.on_action.reform(move |_: MouseEvent| {
            let mut s = (*scenario).clone();
            s.title = format!("{} (my copy)", s.title);
            Action::Open {
                origin: Origin::Mine(storage::new_id()),
                scenario: Box::new(s),
                cycle: None,
            }
        })
    };
    let is_mine = matches!(props.origin, Origin::Mine(_));
    html! {
        <div class="toolbar" role="group" aria-label="scenario">
            if !is_mine {
                <button class="btn secondary small" onclick={on_copy} data-testid="edit-copy">{ "Edit a copy" }</button>
            }
            <button class="btn secondary small" onclick={open(Dialog::Mine)} data-testid="my-scenarios">{ "My scenarios" }</button>
            <button class="btn secondary small" onclick={on_new} data-testid="new-scenario">{ "New scenario" }</button>
            <button class="btn secondary small" onclick={on_share} data-testid="share-button" aria-label="Share this scenario by link">{ "Share" }</button>
            <button class="btn secondary small" onclick={open(Dialog::Embed)} data-testid="embed-button" aria-label="Embed this scenario in a course page">{ "Embed" }</button>
            <details class="export">
                <summary class="btn secondary small">{ "Export" }</summary>
                <div class="export-menu">
                    <button class="btn secondary small" onclick={export(Export::TraceJson)} data-testid="export-trace-json">{ "trace (JSON)" }</button>
                    <button class="btn secondary small" onclick={export(Export::TraceCsv)} data-testid="export-trace-csv">{ "trace (CSV)" }</button>
                    <button class="btn secondary small" onclick={export(Export::GanttSvg)} data-testid="export-gantt-svg">{ "Gantt chart (SVG)" }</button>
                    <button class="btn secondary small" onclick={export(Export::GanttPng)} data-testid="export-gantt-png">{ "Gantt chart (PNG)" }</button>
                    <button class="btn secondary small" onclick={export(Export::MetricsCsv)} data-testid="export-metrics-csv">{ "metrics (CSV)" }</button>
                </div>
            </details>
            if let Some(u) = &*url {
                <label class="share-url">{ "link " }
                    <input type="text" readonly=true value={u.clone()} data-testid="share-url"
                           onfocus={Callback::from(|e: FocusEvent| { if let Some(i) = e.target_dyn_into::<HtmlInputElement>() { i.select(); } })} />
                    <span class="muted">{ format!("{} characters; copied where the browser allows", u.len()) }</span>
                </label>
            }
            if *dialog == Dialog::Mine {
                <MineDialog on_action={props.on_action.clone()} on_close={close.clone()} current={props.origin.clone()} />
            }
            if *dialog == Dialog::Embed {
                <EmbedDialog scenario={props.scenario.clone()} on_close={close} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MineProps {
    on_action: Callback<Action>,
    on_close: Callback<()>,
    current: Origin,
}

#[function_component(MineDialog)]
fn mine_dialog(props: &MineProps) -> Html {
    // Bumped after a change to the store, so the list is read again.
    let version = use_state(|| 0u32);
    let error = use_state(|| None::<String>);
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let list = storage::list();
    let _ = *version;
    let close = props.on_close.reform(|_: MouseEvent| ());
    let on_import = {
        let (on_action, error, reader, on_close) = (
            props.on_action.clone(),
            error.clone(),
            reader.clone(),
            props.on_close.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
            else {
                return;
            };
            let (on_action, error, on_close) = (on_action.clone(), error.clone(), on_close.clone());
            let name = file.name();
            let task = gloo::file::callbacks::read_as_text(&file.into(), move |text| {
                let parsed = text.map_err(|e| e.to_string()).and_then(|t| {
                    Scenario::from_json(&t).map_err(|errs| {
                        errs.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                });
                match parsed {
                    Ok(s) => {
                        let id = storage::new_id();
                        if let Err(e) = storage::save(&id, &s) {
                            error.set(Some(e));
                            return;
                        }
                        on_action.emit(Action::Open {
                            origin: Origin::Mine(id),
                            scenario: Box::new(s),
                            cycle: None,
                        });
                        on_close.emit(());
                    }
                    Err(e) => error.set(Some(format!("{name} is not a valid scenario: {e}"))),
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="mine-title" data-testid="mine-dialog">
            <div class="overlay-card wide">
                <h2 id="mine-title">{ "My scenarios" }</h2>
                <p class="hint">{ "Kept in this browser. Open one, rename it, delete it, or save it as a .json file." }</p>
                if list.is_empty() {
                    <p data-testid="mine-empty">{ "None yet: edit a lesson or start a new scenario." }</p>
                }
                <ul class="mine-list">
                    { for list.iter().map(|s| {
                        let id = s.id.clone();
                        let current = props.current == Origin::Mine(id.clone());
                        let open = {
                            let (sc, id) = (s.scenario.clone(), id.clone());
                            let on_close = props.on_close.clone();
                            props.on_action.reform(move |_: MouseEvent| {
                                on_close.emit(());
                                Action::Open { origin: Origin::Mine(id.clone()), scenario: Box::new(sc.clone()), cycle: None }
                            })
                        };
                        let rename = {
                            let (id, version, error) = (id.clone(), version.clone(), error.clone());
                            Callback::from(move |e: Event| {
                                if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                                    match storage::rename(&id, &i.value()) {
                                        Ok(()) => version.set(*version + 1),
                                        Err(e) => error.set(Some(e)),
                                    }
                                }
                            })
                        };
                        let delete = {
                            let (id, version, error) = (id.clone(), version.clone(), error.clone());
                            Callback::from(move |_: MouseEvent| match storage::remove(&id) {
                                Ok(()) => version.set(*version + 1),
                                Err(e) => error.set(Some(e)),
                            })
                        };
                        let export = {
                            let sc = s.scenario.clone();
                            Callback::from(move |_: MouseEvent| {
                                let slug: String = sc.title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
                                crate::export::download(crate::export::File { name: format!("{slug}.json"), mime: "application/json", text: sc.to_json() }, false);
                            })
                        };
                        html! {
                            <li key={id.clone()} data-testid={format!("mine-{id}")}>
                                <input type="text" value={s.scenario.title.clone()} onchange={rename} aria-label={format!("name of {}", s.scenario.title)} />
                                if current { <span class="muted">{ " (open)" }</span> }
                                <button class="btn small" onclick={open} aria-label={format!("Open {}", s.scenario.title)}>{ "open" }</button>
                                <button class="btn secondary small" onclick={export} aria-label={format!("Export {} as JSON", s.scenario.title)}>{ "export" }</button>
                                <button class="btn secondary small" onclick={delete} aria-label={format!("Delete {}", s.scenario.title)}>{ "delete" }</button>
                            </li>
                        }
                    }) }
                </ul>
                <label class="field">{ "import a .json scenario " }
                    <input type="file" accept=".json,application/json" onchange={on_import} data-testid="import-file" />
                </label>
                if let Some(e) = &*error {
                    <p class="field-error" role="alert">{ e }</p>
                }
                <button class="btn" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct EmbedProps {
    scenario: Rc<Scenario>,
    on_close: Callback<()>,
}

#[function_component(EmbedDialog)]
fn embed_dialog(props: &EmbedProps) -> Html {
    let panels = use_state(|| PANELS.iter().map(|p| p.to_string()).collect::<Vec<_>>());
    let readonly = use_state(|| true);
    let autoplay = use_state(|| false);
    let snippet = embed_snippet(&base_url(), &props.scenario, &panels, *readonly, *autoplay);
    let toggle = |name: &'static str| {
        let panels = panels.clone();
        Callback::from(move |_: Event| {
            let mut next = (*panels).clone();
            if let Some(i) = next.iter().position(|p| p == name) {
                next.remove(i);
            } else {
                next.push(name.to_string());
                sim_core::sort::stable_sort_by_key(&mut next, |p| {
                    PANELS.iter().position(|q| q == p)
                });
            }
            panels.set(next);
        })
    };
    let flip = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_: Event| h.set(!*h))
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="embed-title" data-testid="embed-dialog">
            <div class="overlay-card wide">
                <h2 id="embed-title">{ "Embed in a course page" }</h2>
                <fieldset class="filters"><legend>{ "panels" }</legend>
                    { for PANELS.iter().map(|p| html! {
                        <label class="filter"><input type="checkbox" checked={panels.contains(&p.to_string())} onchange={toggle(p)} />{ *p }</label>
                    }) }
                </fieldset>
                <label class="filter"><input type="checkbox" checked={*readonly} onchange={flip(&readonly)} />{ "read-only (no editor)" }</label>
                <label class="filter"><input type="checkbox" checked={*autoplay} onchange={flip(&autoplay)} />{ "run on load" }</label>
                <label class="field wide">{ "paste this into the course page" }
                    <textarea class="mono" readonly=true rows="5" value={snippet} data-testid="embed-snippet" />
                </label>
                <button class="btn" onclick={props.on_close.reform(|_: MouseEvent| ())}>{ "Close" }</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_escapes_the_title_and_carries_the_scenario() {
        let mut s = builtin("syscall-read").unwrap();
        s.title = "<script>\"x\"</script>".into();
        let html = embed_snippet(
            "http://host/",
            &s,
            &["cpu".into(), "code".into()],
            true,
            false,
        );
        assert!(html.contains("title=\"Ringside: &lt;script&gt;&quot;x&quot;&lt;/script&gt;\""));
        assert!(html.contains("?embed=1&amp;panels=cpu,code&amp;readonly=1#s=1."));
        let frag = html.split("#s=").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(link::decode(frag).unwrap().scenario, s);
    }

    #[test]
    fn the_template_is_valid() {
        assert!(sim_core::session::Session::new(template().unwrap()).is_ok());
    }
}
