//! The keyboard-shortcut overlay.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// Shortcuts the app understands; one source for the overlay and the handler.
/// Keys are separated by " or "; `crate::keys` maps each to an action.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "run / pause"),
    ("\u{2192} or n", "step one instruction"),
    ("\u{2190} or p", "step back one instruction"),
    ("c", "step one cycle"),
    ("C", "step back one cycle"),
    ("m", "step to the next mode switch (user \u{2194} kernel)"),
    ("M", "step back to the previous mode switch"),
    ("t", "step to the next trap or interrupt"),
    ("T", "step back to the previous trap"),
    ("s", "step to the next context switch"),
    ("S", "step back to the previous context switch"),
    ("r", "reset to cycle 0"),
    ("?", "show or hide this help"),
    ("Esc", "close this help"),
];

#[function_component(HelpOverlay)]
pub fn help_overlay(props: &HelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
            <div class="overlay-card">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <table class="shortcuts">
                    { for SHORTCUTS.iter().map(|(key, what)| html! {
                        <tr><td><kbd>{ *key }</kbd></td><td>{ *what }</td></tr>
                    }) }
                </table>
                <p class="hint">{ "Click a line number in the Code panel to set a breakpoint; drag the time slider to travel to any cycle. Add ?scenario=<name> to the address to open a lesson directly." }</p>
                <button class="btn" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
