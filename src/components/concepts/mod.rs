//! The concept views of the course notes, one tab each: the address-space
//! picture, process anatomy, ring levels, the path of a system call, direct
//! vs limited direct execution. Each renders its part of the view (SVG and
//! HTML, no canvas), and updates with its panel group.

mod address;
mod anatomy;
mod compare;
mod rings;
mod syscall;

use crate::state::{Action, SharedView};
use sim_core::session::{ConceptQuery, ConceptTab, ConceptView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConceptsProps {
    pub view: SharedView,
    #[prop_or_default]
    pub prev: Option<SharedView>,
    pub query: ConceptQuery,
    pub on_action: Callback<Action>,
}

const TABS: [(ConceptTab, &str); 5] = [
    (ConceptTab::Address, "Address spaces"),
    (ConceptTab::Anatomy, "Process anatomy"),
    (ConceptTab::Rings, "Ring levels"),
    (ConceptTab::Syscall, "Path of a system call"),
    (ConceptTab::Compare, "Direct vs limited direct"),
];

#[function_component(ConceptsPanel)]
pub fn concepts_panel(p: &ConceptsProps) -> Html {
    let v = &p.view;
    let q = &p.query;
    let open = |tab: ConceptTab| {
        let (q, on) = (q.clone(), p.on_action.clone());
        Callback::from(move |_| on.emit(Action::Concept(ConceptQuery { tab, ..q.clone() })))
    };
    let body = match (&v.concept, q.tab) {
        (_, ConceptTab::Address) => address::diagram(v, p.prev.as_deref()),
        (Some(ConceptView::Anatomy(a)), _) => anatomy::pair(a, v, q, &p.on_action),
        (Some(ConceptView::Rings(r)), _) => rings::rings(r, v.cycle),
        (Some(ConceptView::Syscall(s)), _) => syscall::path(s, v.cycle, q, &p.on_action),
        (Some(ConceptView::Compare(c)), _) => compare::table(c, &p.on_action),
        _ => html! { <p class="hint">{ "Not available for this scenario." }</p> },
    };
    html! {
        <section class="panel concepts-panel" aria-labelledby="concepts-title" data-testid="panel-concepts">
            <h2 id="concepts-title">{ "Concepts" }</h2>
            <div class="concept-tabs" role="group" aria-label="concept views">
                { for TABS.iter().map(|(tab, label)| html! {
                    <button class={classes!("btn", "small", (q.tab != *tab).then_some("secondary"))}
                            aria-pressed={(q.tab == *tab).to_string()} onclick={open(*tab)}
                            data-testid={format!("concept-tab-{}", tab_name(*tab))}>{ *label }</button>
                }) }
            </div>
            { body }
        </section>
    }
}

/// The tab's name in test ids.
fn tab_name(t: ConceptTab) -> &'static str {
    match t {
        ConceptTab::Address => "address",
        ConceptTab::Anatomy => "anatomy",
        ConceptTab::Rings => "rings",
        ConceptTab::Syscall => "syscall",
        ConceptTab::Compare => "compare",
    }
}
