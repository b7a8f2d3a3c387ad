//! Predict, then check: the lesson's questions (choices as buttons, or a
//! number and "Check") with the engine's verdict and, when wrong, the trace
//! rows that decide it; and the homework table graded cell by cell.

use std::rc::Rc;

use sim_core::session::{CellVerdict, QuestionView, Scenario, Verdict};
use yew::prelude::*;

use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct QuestionsProps {
    pub questions: Rc<Vec<QuestionView>>,
    pub verdicts: Rc<Vec<(String, Verdict)>>,
    pub on_action: Callback<Action>,
}

#[derive(Properties, PartialEq)]
struct QuestionProps {
    question: QuestionView,
    verdict: Option<Verdict>,
    on_action: Callback<Action>,
}

/// The value typed into an `<input>` an event came from.
pub fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>()
        .value()
}

#[function_component(QuestionItem)]
fn question_item(p: &QuestionProps) -> Html {
    let q = &p.question;
    let typed = use_state(String::new);
    let answer = |a: String| {
        let (on, question) = (p.on_action.clone(), q.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on.emit(Action::Answer {
                question: question.clone(),
                answer: a.clone(),
            })
        })
    };
    let prompt_id = format!("q-{}", q.id);
    let form = if q.choices.is_empty() {
        let oninput = {
            let typed = typed.clone();
            Callback::from(move |e: InputEvent| typed.set(input_value(&e)))
        };
        html! {
            <form class="answer" onsubmit={answer((*typed).clone())}>
                <label>{ "Your answer " }
                    <input inputmode="decimal" value={(*typed).clone()} {oninput} aria-describedby={prompt_id.clone()} />
                </label>
                { q.unit.clone().unwrap_or_default() }
                <button class="btn small">{ "Check" }</button>
            </form>
        }
    } else {
        html! {
            <div class="answer" role="group" aria-labelledby={prompt_id.clone()}>
                { for q.choices.iter().map(|c| {
                    let on = p.on_action.clone();
                    let (question, a) = (q.id.clone(), c.clone());
                    let onclick = Callback::from(move |_| on.emit(Action::Answer { question: question.clone(), answer: a.clone() }));
                    html! { <button class="btn secondary small" {onclick}>{ c }</button> }
                }) }
            </div>
        }
    };
    let (text, rows) = p.verdict.as_ref().map_or((String::new(), &[][..]), |v| {
        let rows = if v.correct {
            &[][..]
        } else {
            &v.explanation[..]
        };
        (v.text.clone(), rows)
    });
    html! {
        <li class="question" data-testid="question" data-question={q.id.clone()}>
            <p id={prompt_id}>{ &q.prompt }</p>
            { form }
            <p class={classes!("verdict", p.verdict.as_ref().map(|v| if v.correct { "right" } else { "wrong" }))}
               data-testid="verdict" role="status">{ text }</p>
            if !rows.is_empty() {
                <ul class="explanation mono" aria-label="the trace rows that decide it">
                    { for rows.iter().map(|r| html! { <li>{ r }</li> }) }
                </ul>
            }
        </li>
    }
}

#[function_component(Questions)]
pub fn questions(p: &QuestionsProps) -> Html {
    if p.questions.is_empty() {
        return Html::default();
    }
    html! {
        <section class="exercises" aria-labelledby="questions-title" data-testid="questions">
            <h3 id="questions-title">{ "Predict, then check" }</h3>
            <ol>
                { for p.questions.iter().map(|q| {
                    let verdict = p.verdicts.iter().find(|(id, _)| *id == q.id).map(|(_, v)| v.clone());
                    html! { <QuestionItem key={q.id.clone()} question={q.clone()} {verdict} on_action={p.on_action.clone()} /> }
                }) }
            </ol>
        </section>
    }
}

const METRICS: [&str; 3] = ["response", "turnaround", "wait"];

#[derive(Properties, PartialEq)]
pub struct HomeworkProps {
    pub scenario: Rc<Scenario>,
    pub cells: Rc<Vec<CellVerdict>>,
    pub on_action: Callback<Action>,
}

/// A fresh seed for "New problem".
pub fn new_seed() -> u64 {
    (js_sys::Math::random() * 1_000_000.0) as u64
}

/// The homework table: one row per job, an input per metric, each cell
/// marked right or wrong (a word and a sign, not colour only) once checked.
#[function_component(Homework)]
pub fn homework(p: &HomeworkProps) -> Html {
    let jobs = p.scenario.processes.len();
    let typed = use_state(|| vec![String::new(); jobs * 3]);
    let seed = p.scenario.seed.max(0) as u64;
    let check = {
        let (on, typed) = (p.on_action.clone(), typed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let cells = typed
                .iter()
                .enumerate()
                .map(|(i, a)| (i / 3, METRICS[i % 3].to_string(), a.clone()))
                .collect();
            on.emit(Action::CheckHomework(cells))
        })
    };
    let new_problem = {
        let on = p.on_action.clone();
        Callback::from(move |_| on.emit(Action::NewHomework(new_seed())))
    };
    let cell = |job: usize, m: usize| {
        let i = job * 3 + m;
        let name = &p.scenario.processes[job].program;
        let oninput = {
            let typed = typed.clone();
            Callback::from(move |e: InputEvent| {
                let mut v = (*typed).clone();
                v[i] = input_value(&e);
                typed.set(v);
            })
        };
        let verdict = p
            .cells
            .iter()
            .find(|c| c.job == job && c.metric == METRICS[m]);
        html! {
            <td data-testid="homework-cell">
                <input inputmode="decimal" size="5" value={typed[i].clone()} {oninput}
                       aria-label={format!("{name} {} (units)", METRICS[m])} />
                if let Some(v) = verdict {
                    <span class={classes!("mark", if v.correct { "right" } else { "wrong" })} data-correct={v.correct.to_string()}>
                        { if v.correct { " \u{2713} right" } else { " \u{2717} wrong" } }
                    </span>
                }
            </td>
        }
    };
    let right = p.cells.iter().filter(|c| c.correct).count();
    html! {
        <section class="exercises homework" aria-labelledby="homework-title" data-testid="homework">
            <h3 id="homework-title">{ format!("Homework problem {seed}") }</h3>
            <form onsubmit={check}>
                <table>
                    <thead><tr><th>{ "job" }</th>{ for METRICS.iter().map(|m| html! { <th>{ m }</th> }) }</tr></thead>
                    <tbody>
                        { for (0..jobs).map(|j| html! {
                            <tr><th>{ &p.scenario.processes[j].program }</th>{ for (0..3).map(|m| cell(j, m)) }</tr>
                        }) }
                    </tbody>
                </table>
                <button class="btn small">{ "Check" }</button>
                <button type="button" class="btn secondary small" onclick={new_problem}>{ "New problem" }</button>
                <a class="small" href={format!("?homework={seed}")} data-testid="homework-link">{ "link to this problem" }</a>
                <span role="status">{ if p.cells.is_empty() { String::new() } else { format!(" {right} of {} cells right", p.cells.len()) } }</span>
            </form>
        </section>
    }
}
