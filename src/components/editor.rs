//! The program editor: the source of each program of the open scenario, with
//! line numbers, syntax colours from the assembler's own lexer, and every
//! assembly error listed as "line L, column C: message" as you type. Edits
//! reach the reducer after a short pause in typing; a scenario with errors
//! keeps its last valid run on screen and cannot run.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use sim_core::session::{highlight, Scenario, ScenarioError, SpanKind};
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::elf_upload::ElfUpload;
use super::settings::Settings;

/// Pause in typing before the scenario is checked (the budget is 100 ms from
/// the last keystroke to the diagnostics).
const DEBOUNCE_MS: u32 = 15;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub scenario: Rc<Scenario>,
    pub problems: Rc<Vec<ScenarioError>>,
    pub on_edit: Callback<Scenario>,
}

/// The problems of program `i`'s source, as the diagnostics list shows them.
pub fn diagnostics(problems: &[ScenarioError], i: usize) -> Vec<(u32, u32, String)> {
    let path = format!("$.programs[{i}].source");
    problems
        .iter()
        .filter(|p| p.path == path)
        .map(|p| {
            (
                p.line.unwrap_or(1),
                p.column.unwrap_or(1),
                p.message.clone(),
            )
        })
        .collect()
}

fn class(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Plain => "",
        SpanKind::Comment => "tok-comment",
        SpanKind::Mnemonic => "tok-mnemonic",
        SpanKind::Directive => "tok-directive",
        SpanKind::Label => "tok-label",
        SpanKind::Register => "tok-register",
        SpanKind::Number => "tok-number",
        SpanKind::String => "tok-string",
        SpanKind::Punct => "tok-punct",
        SpanKind::Error => "tok-error",
    }
}

/// The coloured copy of `text` drawn under the (transparent) text area.
fn coloured(text: &str) -> Html {
    let lines: Vec<Vec<char>> = text.split('\n').map(|l| l.chars().collect()).collect();
    let spans = highlight(text);
    let rows = lines.iter().enumerate().map(|(i, chars)| {
        let parts = spans.get(i).into_iter().flatten().map(|s| {
            let t: String = chars[s.start.min(chars.len())..s.end.min(chars.len())]
                .iter()
                .collect();
            match class(s.kind) {
                "" => html! { { t } },
                c => html! { <span class={c}>{ t }</span> },
            }
        });
        html! { <>{ for parts }{ "\n" }</> }
    });
    html! { <>{ for rows }</> }
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let selected = use_state(|| 0usize);
    // What is typed, ahead of the scenario until the pause in typing.
    let draft = use_state(|| None::<(usize, String)>);
    let timer = use_mut_ref(|| None::<Timeout>);
    let (hl_ref, gutter_ref) = (use_node_ref(), use_node_ref());
    let programs = &props.scenario.programs;
    let i = (*selected).min(programs.len().saturating_sub(1));
    let Some(program) = programs.get(i) else {
        return html! {};
    };
    let text = match &*draft {
        Some((d, t)) if *d == i => t.clone(),
        _ => program.source.clone(),
    };
    let oninput = {
        let (draft, timer, scenario, on_edit) = (
            draft.clone(),
            timer.clone(),
            props.scenario.clone(),
            props.on_edit.clone(),
        );
        Callback::from(move |e: InputEvent| {
            let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            let value = area.value();
            draft.set(Some((i, value.clone())));
            let (scenario, on_edit) = (scenario.clone(), on_edit.clone());
            *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
                let mut s = (*scenario).clone();
                if let Some(p) = s.programs.get_mut(i) {
                    p.source = value;
                }
                on_edit.emit(s);
            }));
        })
    };
    let onscroll = {
        let (hl_ref, gutter_ref) = (hl_ref.clone(), gutter_ref.clone());
        Callback::from(move |e: Event| {
            if let Some(area) = e.target_dyn_into::<web_sys::Element>() {
                for r in [&hl_ref, &gutter_ref] {
                    if let Some(el) = r.cast::<web_sys::Element>() {
                        el.set_scroll_top(area.scroll_top());
                    }
                }
                if let Some(el) = hl_ref.cast::<web_sys::Element>() {
                    el.set_scroll_left(area.scroll_left());
                }
            }
        })
    };
    let on_select = {
        let (selected, draft) = (selected.clone(), draft.clone());
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                draft.set(None);
                selected.set(s.selected_index().max(0) as usize);
            }
        })
    };
    let diags = diagnostics(&props.problems, i);
    let bad_lines: Vec<u32> = diags.iter().map(|d| d.0).collect();
    let count = text.split('\n').count();
    let gutter = (1..=count as u32).map(|n| {
        let bad = bad_lines.contains(&n);
        html! { <span class={classes!(bad.then_some("bad"))}>{ n }{ "\n" }</span> }
    });
    html! {
        <section class="panel editor-panel" aria-labelledby="editor-title" data-testid="panel-editor">
            <h2 id="editor-title">{ "Edit the scenario" }</h2>
            <p class="hint">{ "Edits run from the start as you type; they are kept in this browser under \u{201c}My scenarios\u{201d}." }</p>
            <label class="program-pick">{ "program " }
                <select onchange={on_select} data-testid="program-select">
                    { for programs.iter().enumerate().map(|(k, p)| html! {
                        <option value={k.to_string()} selected={k == i}>{ &p.name }</option>
                    }) }
                </select>
            </label>
            if program.elf.is_none() {
                <div class="source-editor">
                    <pre class="gutter mono" aria-hidden="true" ref={gutter_ref}>{ for gutter }</pre>
                    <div class="source-stack">
                        <pre class="hl mono" aria-hidden="true" ref={hl_ref}>{ coloured(&text) }</pre>
                        <textarea class="mono" data-testid="program-editor" spellcheck="false"
                                  autocomplete="off" aria-label={format!("source of program {}", program.name)}
                                  aria-describedby="diagnostics" value={text.clone()} {oninput} {onscroll} />
                    </div>
                </div>
            }
            <ElfUpload scenario={props.scenario.clone()} index={i} problems={props.problems.clone()} on_edit={props.on_edit.clone()} />
            <div id="diagnostics" aria-live="polite">
                if diags.is_empty() && program.elf.is_none() {
                    <p class="ok-line" data-testid="diagnostics-ok">{ "No errors: the program assembles." }</p>
                }
                <ul class="diagnostics" data-testid="diagnostics">
                    { for diags.iter().map(|(l, c, m)| html! {
                        <li>{ format!("line {l}, column {c}: {m}") }</li>
                    }) }
                </ul>
            </div>
            <Settings scenario={props.scenario.clone()} problems={props.problems.clone()} on_edit={props.on_edit.clone()} />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_are_per_program() {
        let s = sim_core::session::builtin("syscall-read").unwrap();
        let mut bad = s.clone();
        bad.programs[0].source = "main:\n  movl %eaxx, %ebx\n  jmp nowhere\n".into();
        let errs = sim_core::session::Session::new(bad).err().unwrap();
        let d = diagnostics(&errs, 0);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!((d[0].0, d[0].1), (2, 8));
        assert!(d[0].2.contains("eaxx"));
        assert!(diagnostics(&errs, 1).is_empty());
    }
}
