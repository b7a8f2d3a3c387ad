//! Controls: stepping at every granularity (forward and back), run/pause with
//! a speed, reset, and a scrubber to seek to any cycle.

use super::grouped;
use crate::fixed::fixed;
use crate::state::{Action, RunStats, SPEEDS};
use sim_core::session::Granularity;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The stepping granularities, with button labels and test ids.
pub const STEPS: [(Granularity, &str, &str); 5] = [
    (Granularity::Cycle, "cycle", "cycle"),
    (Granularity::Instruction, "instruction", "instruction"),
    (Granularity::ModeSwitch, "mode switch", "mode"),
    (Granularity::Trap, "trap", "trap"),
    (Granularity::ContextSwitch, "context switch", "switch"),
];

/// What a step button does, in words a screen reader can tell apart from
/// its nine siblings (the visible label is only the unit).
pub fn step_name(g: Granularity, back: bool) -> String {
    let unit = STEPS
        .iter()
        .find(|(x, ..)| *x == g)
        .map_or("", |(_, label, _)| *label);
    match (g, back) {
        (Granularity::Cycle | Granularity::Instruction, false) => {
            format!("Step forward one {unit}")
        }
        (Granularity::Cycle | Granularity::Instruction, true) => format!("Step back one {unit}"),
        (_, false) => format!("Step forward to the next {unit}"),
        (_, true) => format!("Step back to the previous {unit}"),
    }
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub running: bool,
    pub cycle: u64,
    pub max_seen: u64,
    pub max_cycles: u64,
    pub speed: usize,
    pub stats: RunStats,
    pub status: String,
    /// Why nothing may run or step (an edited scenario with errors).
    #[prop_or_default]
    pub blocked: Option<String>,
    pub on_action: Callback<Action>,
}

fn parse_cycle(text: &str) -> Option<u64> {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != ',')
        .collect::<String>()
        .parse()
        .ok()
}

#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let act = |a: Action| props.on_action.reform(move |_: MouseEvent| a.clone());
    let blocked = props.blocked.is_some();
    let run = if props.running {
        html! { <button class="btn run" data-testid="pause-button" onclick={act(Action::Pause)} title="Pause (Space)">{ "\u{23f8} Pause" }</button> }
    } else {
        html! { <button class="btn run" data-testid="run-button" onclick={act(Action::Run)} title="Run (Space)"
        disabled={blocked} aria-describedby={blocked.then_some("blocked-reason")}>{ "\u{25b6} Run" }</button> }
    };
    let steps = |back: bool| {
        STEPS.iter().map(move |(g, label, id)| {
            let (action, testid) = if back {
                (Action::Back(*g), format!("back-{id}"))
            } else {
                (Action::Step(*g), format!("step-{id}"))
            };
            let name = step_name(*g, back);
            html! { <button class="btn secondary small" data-testid={testid} aria-label={name.clone()} title={name} onclick={act(action)}
                            disabled={blocked} aria-describedby={blocked.then_some("blocked-reason")}>{ *label }</button> }
        })
    };
    let on_speed = props.on_action.reform(|e: Event| {
        let i = e
            .target_dyn_into::<HtmlSelectElement>()
            .map_or(0, |s| s.selected_index().max(0) as usize);
        Action::SetSpeed(i)
    });
    let scrub_max = props.max_seen.max(props.cycle).max(1);
    let on_scrub = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(c) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| parse_cycle(&i.value()))
            {
                cb.emit(Action::Seek(c));
            }
        })
    };
    let on_goto = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(c) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| parse_cycle(&i.value()))
            {
                cb.emit(Action::Seek(c));
            }
        })
    };
    let rate = if props.running && props.stats.cycles_per_sec > 0.0 {
        format!("{} M cycles/s", fixed(props.stats.cycles_per_sec / 1e6, 1))
    } else {
        String::new()
    };
    html! {
        <div class="controls" role="toolbar" aria-label="simulation controls">
            if let Some(why) = &props.blocked {
                <p class="blocked" id="blocked-reason" role="alert" data-testid="blocked-reason">{ why }</p>
            }
            <div class="group main">
                { run }
                <button class="btn secondary" data-testid="reset" onclick={act(Action::Reset)} title="Reset to cycle 0 (R)">{ "\u{21ba} Reset" }</button>
                <label class="speed">{ "speed " }
                    <select data-testid="speed" onchange={on_speed} aria-label="run speed">
                        { for SPEEDS.iter().enumerate().map(|(i, (label, _))| html! {
                            <option value={i.to_string()} selected={i == props.speed}>{ *label }</option>
                        }) }
                    </select>
                </label>
                <span class="cycle-readout">
                    { "cycle " }<strong data-testid="cycle">{ props.cycle }</strong>
                    <span class="muted">{ format!(" / {}", grouped(props.max_cycles)) }</span>
                </span>
                <span class="status" data-testid="status">{ &props.status }</span>
                <span class="muted rate" data-testid="rate">{ rate }</span>
            </div>
            <div class="group">
                <span class="group-label">{ "step \u{2192}" }</span>{ for steps(false) }
            </div>
            <div class="group">
                <span class="group-label">{ "\u{2190} back" }</span>{ for steps(true) }
            </div>
            <div class="group scrub">
                <label for="scrubber" class="group-label">{ "time" }</label>
                <input id="scrubber" type="range" min="0" max={scrub_max.to_string()} value={props.cycle.to_string()}
                       data-testid="scrubber" onchange={on_scrub} aria-label="seek to cycle" />
                <label class="goto">{ "go to cycle " }
                    <input type="number" min="0" data-testid="seek-input" onchange={on_goto} placeholder="e.g. 30000" />
                </label>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_cycle, step_name, STEPS};

    #[test]
    fn step_buttons_have_distinct_names() {
        let mut names: Vec<String> = [false, true]
            .iter()
            .flat_map(|b| STEPS.iter().map(move |(g, ..)| step_name(*g, *b)))
            .collect();
        assert_eq!(names[1], "Step forward one instruction");
        assert_eq!(names[8], "Step back to the previous trap");
        sim_core::sort::sort(&mut names);
        names.dedup();
        assert_eq!(names.len(), 10);
    }

    #[test]
    fn cycle_numbers_accept_separators() {
        assert_eq!(parse_cycle("30 000"), Some(30_000));
        assert_eq!(parse_cycle("1,000"), Some(1_000));
        assert_eq!(parse_cycle("-5"), None);
        assert_eq!(parse_cycle("abc"), None);
    }
}
