//! The keyboard-shortcut overlay.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// Shortcuts the app understands; one source for the overlay and the handler.
pub const SHORTCUTS: &[(&str, &str)] =
    &[("?", "show or hide this help"), ("Esc", "close this help")];

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
                <button class="btn" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
