//! The page's first screen before its panels. A visit opens on the header,
//! the lesson gallery, the lesson and the controls; the panels sit below
//! them. So the page paints that screen first (the ready mark: interactive)
//! and then draws the panels one group per task: no single long task, so a
//! click in between is answered at once. An embedded page is all panels,
//! so it draws them with the rest.

use gloo::timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::state::PANEL_GROUPS;

/// How many panel groups (top of the page first) the page draws now.
#[hook]
pub fn use_arrival(embed: bool) -> usize {
    let first = if embed { PANEL_GROUPS } else { 0 };
    let drawn = use_state(|| first);
    // Asked for while the first screen renders, so the frame that paints it
    // runs the callback (from an effect, it would wait one frame more).
    let asked = use_mut_ref(|| false);
    if !std::mem::replace(&mut *asked.borrow_mut(), true) {
        let handle = drawn.clone();
        after_paint(move || {
            mark_ready();
            if first < PANEL_GROUPS {
                handle.set(first + 1);
            } else {
                crate::clock::mark("ringside:drawn");
            }
        });
    }
    {
        let handle = drawn.clone();
        use_effect_with(*drawn, move |&groups| {
            if groups == first {
                // The first screen: its callback was asked for above.
            } else if groups == PANEL_GROUPS {
                after_paint(|| crate::clock::mark("ringside:drawn"));
            } else {
                // A task of its own, not a frame: input and paint come
                // between two groups, and the page is whole about as soon
                // as it would have been in one render.
                Timeout::new(0, move || handle.set(groups + 1)).forget();
            }
        });
    }
    *drawn
}

/// Runs `f` once what was just rendered is on screen: the next animation
/// frame paints it, and a task queued from that frame runs after the paint
/// (after those asked for earlier, such as the ready mark's).
pub fn after_paint(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = Closure::once_into_js(move || {
        let task = Closure::once_into_js(f);
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(task.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

/// Records when the page became interactive (for the browser benchmark),
/// once, then fetches what the first load left out.
fn mark_ready() {
    let Some(w) = web_sys::window() else { return };
    let (Some(doc), Some(perf)) = (w.document(), w.performance()) else {
        return;
    };
    let Some(root) = doc.document_element() else {
        return;
    };
    if root.get_attribute("data-ready-ms").is_none() {
        crate::clock::mark("ringside:ready");
        let _ = root.set_attribute("data-ready-ms", &crate::fixed::fixed(perf.now(), 1));
        // What the first load left out comes next, before anyone asks for it.
        Timeout::new(0, crate::split::fetch_rest).forget();
    }
}
