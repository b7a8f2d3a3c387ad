//! Scenario gallery: every built-in lesson one click away.
//!
//! Half the first screen's elements are these cards, and they never change
//! but for which one is current. So the list is one HTML string (the browser
//! parses it natively) with one delegated click listener, not ~120 elements
//! and 29 listeners made one by one from wasm: the first screen comes sooner.

use crate::components::share::attr;
use crate::state::Action;
use sim_core::session::{builtin_title, BUILTIN_NAMES};
use wasm_bindgen::JsCast;
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
    let cards = use_memo(props.current.clone(), |current| {
        Html::from_html_unchecked(cards_html(&titles, current).into())
    });
    // A click on a card (or Enter/Space on it) names its scenario; one
    // between the cards names none.
    let onclick = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: MouseEvent| {
            let name = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("button[data-scenario]").ok().flatten())
                .and_then(|b| b.get_attribute("data-scenario"));
            if let Some(name) = name {
                on_action.emit(Action::Load(name));
            }
        })
    };
    html! {
        <nav class="gallery" aria-label="scenarios">
            <h2 class="visually-hidden">{ "Scenarios" }</h2>
            <ul {onclick}>{ (*cards).clone() }</ul>
        </nav>
    }
}

/// The cards as HTML, `current` marked. Names and titles are escaped: they
/// come from the built-in files, but nothing reaches the page unescaped.
fn cards_html(titles: &[(&str, String)], current: &str) -> String {
    let mut out = String::with_capacity(titles.len() * 260);
    for (name, title) in titles {
        let on = *name == current;
        let (name, title) = (attr(name), attr(title));
        out.push_str(&format!(
            "<li><button class=\"card{cur}\"{aria} data-testid=\"scenario-{name}\" data-scenario=\"{name}\" title=\"{title}\">\
             <span class=\"card-name\">{name}</span><span class=\"card-title\">{title}</span></button></li>",
            cur = if on { " current" } else { "" },
            aria = if on { " aria-current=\"page\"" } else { "" },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_mark_the_current_one_and_escape_their_text() {
        let titles = [("a", "A <b>&\"".to_string()), ("b", "B".to_string())];
        let html = cards_html(&titles, "b");
        assert_eq!(html.matches("<li>").count(), 2);
        assert!(html.contains("title=\"A &lt;b&gt;&amp;&quot;\""));
        assert!(html.contains("<span class=\"card-title\">A &lt;b&gt;&amp;&quot;</span>"));
        assert!(html
            .contains("class=\"card current\" aria-current=\"page\" data-testid=\"scenario-b\""));
        assert!(html.contains("class=\"card\" data-testid=\"scenario-a\" data-scenario=\"a\""));
    }
}
