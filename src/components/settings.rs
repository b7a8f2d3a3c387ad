//! Scenario settings as a form: programs, processes, mode, scheduler, timer,
//! disk, seed, cycle limit, watched addresses, console input. A change is
//! checked by the engine's own validation (`Scenario::from_json`), and a
//! refused value stays in its field with the engine's message beside it.

use sim_core::ordmap::OrdMap;
use std::rc::Rc;

use serde_json::{json, Value};
use sim_core::session::{Policy, ProcessSpec, ProgramSource, Scenario, ScenarioError};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub scenario: Rc<Scenario>,
    pub problems: Rc<Vec<ScenarioError>>,
    pub on_edit: Callback<Scenario>,
}

/// A new program's source: a complete program that makes a system call.
pub const TEMPLATE: &str = "# write(1, msg, len) through the trap table, then exit(0)
main:
    pushl $len
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    pushl $0
    call exit

.data
msg: .ascii \"hello from my program\\n\"
end:
len = end - msg
";

/// Sets `path` (JSON pointer, e.g. `/processes/0/arrival`) in the scenario's
/// JSON and validates the result with the engine; `Err` holds its message.
pub fn set_field(s: &Scenario, pointer: &str, value: Value) -> Result<Scenario, String> {
    let mut v: Value = serde_json::from_str(&s.to_json()).map_err(|e| e.to_string())?;
    match v.pointer_mut(pointer) {
        Some(slot) => *slot = value,
        None => {
            // An optional field not yet present (`expected_len`): add it.
            let (parent, key) = pointer.rsplit_once('/').ok_or("bad field")?;
            let obj = v
                .pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .ok_or("bad field")?;
            obj.insert(key.to_string(), value);
        }
    }
    Scenario::from_json(&v.to_string()).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// What was typed, as JSON: a number where it reads as one (decimal or
/// 0x-hex), else the text (so the engine says what it expected).
pub fn typed(text: &str) -> Value {
    let t = text.trim().replace(['_', ' ', '\u{202f}'], "");
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if let Ok(n) = u64::from_str_radix(h, 16) {
            return json!(n);
        }
    }
    if let Ok(n) = t.parse::<i64>() {
        return json!(n);
    }
    if t.is_empty() {
        return Value::Null;
    }
    json!(text)
}

fn watch_value(text: &str) -> Value {
    Value::Array(
        text.split(',')
            .filter(|w| !w.trim().is_empty())
            .map(typed)
            .collect(),
    )
}

fn input_value(e: &Event) -> Option<String> {
    let t = e.target()?;
    use wasm_bindgen::JsCast;
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        return Some(i.value());
    }
    if let Some(s) = t.dyn_ref::<HtmlSelectElement>() {
        return Some(s.value());
    }
    t.dyn_ref::<HtmlTextAreaElement>().map(|a| a.value())
}

#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let s = &props.scenario;
    // Refused values: field pointer → the engine's message.
    let refused = use_state(OrdMap::<String, String>::new);
    let change = |pointer: String, to_json: fn(&str) -> Value| {
        let (scenario, on_edit, refused) = (
            props.scenario.clone(),
            props.on_edit.clone(),
            refused.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(text) = input_value(&e) else { return };
            let mut r = (*refused).clone();
            match set_field(&scenario, &pointer, to_json(&text)) {
                Ok(next) => {
                    r.remove(&pointer);
                    on_edit.emit(next);
                }
                Err(msg) => {
                    r.insert(pointer.clone(), msg);
                }
            }
            refused.set(r);
        })
    };
    let number = |v: &str| typed(v);
    let text = |v: &str| json!(v);
    let note = |pointer: &str| {
        let path = format!("${}", pointer.replace('/', "."));
        let engine = props
            .problems
            .iter()
            .find(|p| p.path == path)
            .map(ToString::to_string);
        let msg = refused.get(pointer).cloned().or(engine);
        html! {
            if let Some(m) = msg {
                <span class="field-error" role="alert" data-testid={format!("field-error{}", pointer.replace('/', "-"))}>{ m }</span>
            }
        }
    };
    let field = |label: &str, pointer: &str, value: String, to_json: fn(&str) -> Value| {
        html! {
            <label class="field">
                <span>{ label.to_string() }</span>
                <input type="text" value={value} onchange={change(pointer.to_string(), to_json)}
                       data-testid={format!("field{}", pointer.replace('/', "-"))} />
                { note(pointer) }
            </label>
        }
    };
    let edit = |f: &dyn Fn(&mut Scenario)| {
        let mut next = (**s).clone();
        f(&mut next);
        next
    };
    let add_program = {
        let n = s.programs.len() + 1;
        let next = edit(&|x: &mut Scenario| {
            let mut k = n;
            while x.programs.iter().any(|p| p.name == format!("prog{k}")) {
                k += 1;
            }
            x.programs.push(ProgramSource {
                name: format!("prog{k}"),
                elf: None,
                source: TEMPLATE.into(),
            })
        });
        props.on_edit.reform(move |_: MouseEvent| next.clone())
    };
    let add_process = {
        let first = s
            .programs
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let next = edit(&|x: &mut Scenario| {
            x.processes.push(ProcessSpec {
                program: first.clone(),
                arrival: 0,
                tickets: 100,
                expected_len: None,
            })
        });
        props.on_edit.reform(move |_: MouseEvent| next.clone())
    };
    let policy_name = serde_json::to_value(&s.scheduler)
        .ok()
        .and_then(|v| v.get("policy").and_then(Value::as_str).map(String::from))
        .unwrap_or_default();
    let on_policy = {
        let (scenario, on_edit) = (props.scenario.clone(), props.on_edit.clone());
        Callback::from(move |e: Event| {
            let Some(name) = input_value(&e) else { return };
            if let Ok(p) = Policy::by_name(&name) {
                let mut next = (*scenario).clone();
                next.scheduler = p;
                on_edit.emit(next);
            }
        })
    };
    let scheduler_json = serde_json::to_string(&s.scheduler).unwrap_or_default();
    html! {
        <details class="settings" data-testid="settings" open=true>
            <summary>{ "Scenario settings" }</summary>
            <div class="fields">
                { field("title", "/title", s.title.clone(), text) }
                <label class="field">
                    <span>{ "mode" }</span>
                    <select onchange={change("/mode".into(), text)} data-testid="field-mode">
                        { for ["direct", "cooperative", "preemptive"].iter().map(|m| html! {
                            <option value={*m} selected={serde_json::to_value(s.mode).ok().and_then(|v| v.as_str().map(String::from)).as_deref() == Some(*m)}>{ *m }</option>
                        }) }
                    </select>
                    { note("/mode") }
                </label>
                <label class="field">
                    <span>{ "scheduler" }</span>
                    <select onchange={on_policy} data-testid="field-policy">
                        { for [("fifo", "fifo"), ("sjf", "sjf"), ("stcf", "stcf"), ("round_robin", "round robin"), ("mlfq", "mlfq"), ("lottery", "lottery"), ("stride", "stride")].iter().map(|(v, l)| html! {
                            <option value={*v} selected={policy_name == *v}>{ *l }</option>
                        }) }
                    </select>
                </label>
                <label class="field wide">
                    <span>{ "scheduler parameters (JSON)" }</span>
                    <input type="text" class="mono" value={scheduler_json} data-testid="field-scheduler"
                           onchange={change("/scheduler".into(), |t| serde_json::from_str(t).unwrap_or_else(|_| json!(t)))} />
                    { note("/scheduler") }
                </label>
                { field("timer interval (cycles)", "/timer_interval", s.timer_interval.to_string(), number) }
                { field("disk latency (cycles)", "/disk_latency", s.disk_latency.to_string(), number) }
                { field("seed", "/seed", s.seed.to_string(), number) }
                { field("cycle limit", "/max_cycles", s.max_cycles.to_string(), number) }
                { field("watched addresses", "/watch", s.watch.iter().map(|w| format!("{w:#x}")).collect::<Vec<_>>().join(", "), watch_value) }
                <label class="field wide">
                    <span>{ "console input" }</span>
                    <textarea value={s.console_input.clone()} onchange={change("/console_input".into(), text)} data-testid="field-console_input" rows="2" />
                    { note("/console_input") }
                </label>
                <label class="field wide">
                    <span>{ "lesson text" }</span>
                    <textarea value={s.lesson.clone()} onchange={change("/lesson".into(), text)} rows="3" />
                </label>
            </div>
            <h3>{ "Programs" }</h3>
            <ul class="rows">
                { for s.programs.iter().enumerate().map(|(i, p)| {
                    let remove = edit(&|x: &mut Scenario| {
                        let name = x.programs.remove(i).name;
                        x.processes.retain(|q| q.program != name);
                    });
                    let name_change = {
                        let (scenario, on_edit, refused) = (props.scenario.clone(), props.on_edit.clone(), refused.clone());
                        let pointer = format!("/programs/{i}/name");
                        Callback::from(move |e: Event| {
                            let Some(new) = input_value(&e) else { return };
                            let mut next = (*scenario).clone();
                            let old = std::mem::replace(&mut next.programs[i].name, new.clone());
                            // Processes follow their program to its new name.
                            for q in next.processes.iter_mut().filter(|q| q.program == old) {
                                q.program = new.clone();
                            }
                            let mut r = (*refused).clone();
                            match Scenario::from_json(&next.to_json()) {
                                Ok(ok) => { r.remove(&pointer); on_edit.emit(ok); }
                                Err(errs) => { r.insert(pointer.clone(), errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")); }
                            }
                            refused.set(r);
                        })
                    };
                    html! {
                        <li>
                            <label class="field"><span>{ format!("program {}", i + 1) }</span>
                                <input type="text" value={p.name.clone()} onchange={name_change} data-testid={format!("program-name-{i}")} />
                                { note(&format!("/programs/{i}/name")) }
                            </label>
                            <button class="btn secondary small" disabled={s.programs.len() == 1}
                                    aria-label={format!("Remove program {}", p.name)}
                                    onclick={props.on_edit.reform(move |_: MouseEvent| remove.clone())}>{ "remove" }</button>
                        </li>
                    }
                }) }
            </ul>
            <button class="btn secondary small" onclick={add_program} data-testid="add-program">{ "+ program" }</button>
            <h3>{ "Processes" }</h3>
            <div class="scroll" tabindex="0" role="region" aria-label="processes of the scenario">
            <table class="rows">
                <thead><tr><th>{ "#" }</th><th>{ "program" }</th><th>{ "arrival (cycle)" }</th><th>{ "tickets" }</th><th>{ "job length hint" }</th><th><span class="visually-hidden">{ "remove" }</span></th></tr></thead>
                <tbody>
                { for s.processes.iter().enumerate().map(|(i, p)| {
                    let remove = edit(&|x: &mut Scenario| { x.processes.remove(i); });
                    html! {
                        <tr>
                            <td>{ i + 1 }</td>
                            <td>
                                <select aria-label={format!("program of process {}", i + 1)} onchange={change(format!("/processes/{i}/program"), text)}>
                                    { for s.programs.iter().map(|q| html! { <option value={q.name.clone()} selected={q.name == p.program}>{ &q.name }</option> }) }
                                </select>
                            </td>
                            <td><input type="text" aria-label={format!("arrival of process {}", i + 1)} value={p.arrival.to_string()} onchange={change(format!("/processes/{i}/arrival"), number)} data-testid={format!("field-processes-{i}-arrival")} />{ note(&format!("/processes/{i}/arrival")) }</td>
                            <td><input type="text" aria-label={format!("tickets of process {}", i + 1)} value={p.tickets.to_string()} onchange={change(format!("/processes/{i}/tickets"), number)} />{ note(&format!("/processes/{i}/tickets")) }</td>
                            <td><input type="text" aria-label={format!("job length hint of process {}", i + 1)} value={p.expected_len.map(|n| n.to_string()).unwrap_or_default()} onchange={change(format!("/processes/{i}/expected_len"), number)} />{ note(&format!("/processes/{i}/expected_len")) }</td>
                            <td><button class="btn secondary small" disabled={s.processes.len() == 1}
                                        aria-label={format!("Remove process {}", i + 1)}
                                        onclick={props.on_edit.reform(move |_: MouseEvent| remove.clone())}>{ "remove" }</button></td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            </div>
            <button class="btn secondary small" onclick={add_process} data-testid="add-process">{ "+ process" }</button>
            { for props.problems.iter().filter(|p| !p.path.contains(".source")).map(|p| html! {
                <p class="field-error" role="alert">{ p.to_string() }</p>
            }) }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_by_the_engine() {
        let s = sim_core::session::builtin("rr-response").unwrap();
        let ok = set_field(&s, "/timer_interval", typed("5 000")).unwrap();
        assert_eq!(ok.timer_interval, 5000);
        let err = set_field(&s, "/timer_interval", typed("soon")).unwrap_err();
        assert!(err.starts_with("$.timer_interval"), "{err}");
        let err = set_field(&s, "/disk_latency", typed("0")).unwrap_err();
        assert!(err.contains("at least 1"), "{err}");
        let w = set_field(&s, "/watch", watch_value("0x1000, 4096")).unwrap();
        assert_eq!(w.watch, vec![0x1000, 4096]);
        let hint = set_field(&s, "/processes/0/expected_len", typed("300")).unwrap();
        assert_eq!(hint.processes[0].expected_len, Some(300));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever is typed into whichever field, the check answers: no panic, no hang.
        #[test]
        fn any_value_in_any_field_is_answered(
            field in proptest::sample::select(vec![
                "/title", "/mode", "/scheduler", "/timer_interval", "/disk_latency", "/seed",
                "/max_cycles", "/watch", "/console_input", "/lesson", "/processes/0/arrival",
                "/processes/0/tickets", "/processes/0/expected_len", "/processes/0/program",
                "/programs/0/name", "/processes/9/arrival", "/nonsense",
            ]),
            text in ".{0,40}",
        ) {
            let s = sim_core::session::builtin("rr-response").unwrap();
            for v in [typed(&text), watch_value(&text), serde_json::from_str(&text).unwrap_or(Value::Null)] {
                if let Ok(next) = set_field(&s, field, v) {
                    proptest::prop_assert!(next.validate().is_ok());
                }
            }
        }
    }

    #[test]
    fn the_template_makes_a_system_call_and_runs() {
        let s = crate::components::share::template().expect("the template");
        assert_eq!(s.programs[0].source, TEMPLATE);
        let mut session = sim_core::session::Session::new(s).expect("the template assembles");
        session.apply(&sim_core::session::Command::Run { cycles: 1_000_000 });
        assert_eq!(session.view().console, "hello from my program\n");
    }
}
