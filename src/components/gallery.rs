//! Scenario gallery: every built-in lesson one click away.

use crate::state::Action;
use sim_core::session::{builtin_title, BUILTIN_NAMES};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    pub current: String,
    pub on_action: Callback<Action>,
}

#[function_component(Gallery)]
pub fn gallery(props: &GalleryProps) -> Html {
    // Titles come from the scenarios' files, read once per page (building
    // every lesson for its title was ~10 ms of the first render).
    let titles = use_memo((), |_| {
        BUILTIN_NAMES
            .iter()
            .map(|n| (*n, builtin_title(n).unwrap_or_else(|| n.to_string())))
            .collect::<Vec<_>>()
    });
    html! {
        <nav class="gallery" aria-label="scenarios">
            <h2 class="visually-hidden">{ "Scenarios" }</h2>
            <ul>
                { for titles.iter().map(|(name, title)| {
                    let current = props.current == *name;
                    let name: &'static str = name;
                    let onclick = props.on_action.reform(move |_: MouseEvent| Action::Load(name.to_string()));
                    html! {
                        <li>
                            <button class={classes!("card", current.then_some("current"))} {onclick}
                                    aria-current={current.then_some("page")} data-testid={format!("scenario-{name}")}
                                    title={title.clone()}>
                                <span class="card-name mono">{ name }</span>
                                <span class="card-title">{ title.clone() }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
