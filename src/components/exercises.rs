//! Predict, then check: the lesson's questions (choices as buttons, or a
//! number and "Check") with the engine's verdict and, when wrong, the trace
//! rows that decide it; the homework table graded cell by cell; and the
//! lottery unfairness plot drawn from the engine's runs.

use crate::fixed::fixed;
use std::rc::Rc;

use sim_core::session::unfairness::UnfairnessPoint;
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

#[derive(Properties, PartialEq)]
pub struct UnfairnessProps {
    pub points: Option<Rc<Vec<UnfairnessPoint>>>,
    /// What the plot under way is running (none when idle).
    pub status: Option<String>,
    pub on_action: Callback<Action>,
}

/// OSTEP figure 9.2 from the engine: mean unfairness U against job length
/// (log scale), as an SVG with the numbers in a table beside it.
#[function_component(UnfairnessPlot)]
pub fn unfairness_plot(p: &UnfairnessProps) -> Html {
    let draw = {
        let on = p.on_action.clone();
        Callback::from(move |_| on.emit(Action::PlotUnfairness))
    };
    let (w, h) = (300.0, 120.0);
    let x = |len: u64| 30.0 + (len as f64).log10() / 3.0 * w;
    let y = |u: f64| 10.0 + (1.0 - u) * h;
    let plot = p.points.as_ref().map(|pts| {
        let line: Vec<String> = pts
            .iter()
            .map(|q| format!("{},{}", fixed(x(q.length), 1), fixed(y(q.mean), 1)))
            .collect();
        let label = pts
            .iter()
            .map(|q| format!("length {}: U {}", q.length, fixed(q.mean, 2)))
            .collect::<Vec<_>>()
            .join(", ");
        html! {
            <>
            <svg viewBox="0 0 345 160" role="img" aria-label={format!("Mean unfairness by job length: {label}")}>
                <line class="axis" x1="30" y1="130" x2="335" y2="130" />
                <line class="axis" x1="30" y1="10" x2="30" y2="130" />
                { for [1u64, 10, 100, 1000].iter().map(|&l| html! {
                    <text x={fixed(x(l), 0)} y="145" text-anchor="middle">{ l }</text>
                }) }
                { for [0.0, 0.5, 1.0].iter().map(|&u| html! {
                    <text x="25" y={fixed(y(u) + 4.0, 0)} text-anchor="end">{ fixed(u, 1) }</text>
                }) }
                <text x="180" y="158" text-anchor="middle">{ "job length (units, log scale)" }</text>
                <polyline points={line.join(" ")} />
                { for pts.iter().map(|q| html! {
                    <circle cx={fixed(x(q.length), 1)} cy={fixed(y(q.mean), 1)} r="3" />
                }) }
            </svg>
            <table data-testid="unfairness-table">
                <caption>{ format!("U = first finish / second finish, mean of {} seeds", pts.first().map_or(0, |q| q.runs)) }</caption>
                <tr><th scope="row">{ "length" }</th>{ for pts.iter().map(|q| html! { <td>{ q.length }</td> }) }</tr>
                <tr><th scope="row">{ "mean U" }</th>{ for pts.iter().map(|q| html! { <td>{ fixed(q.mean, 2) }</td> }) }</tr>
            </table>
            </>
        }
    });
    html! {
        <div class="unfairness" data-testid="unfairness-plot">
            <h3>{ "The unfairness plot (OSTEP figure 9.2)" }</h3>
            <button class="btn secondary small" onclick={draw} disabled={p.status.is_some()}>{ "Draw the plot from the engine" }</button>
            <p class="small" role="status" data-testid="unfairness-status">{ p.status.clone().unwrap_or_default() }</p>
            { plot.unwrap_or_default() }
        </div>
    }
}
