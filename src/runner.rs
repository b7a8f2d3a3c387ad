//! Running without blocking: one `Tick` per animation frame, carrying how
//! long the previous frame's work took (see `clock::frame`). The reducer
//! sizes each slice so the frame's work fits in it, so the browser gets the
//! rest of the frame to paint and to deliver clicks (a Pause lands within a
//! frame).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::clock::frame;
use crate::state::{Action, AppState};

type FrameFn = Closure<dyn FnMut(f64)>;

/// Drives `Tick`s while `running` is true; stops (and cancels the pending
/// frame) as soon as it turns false or the component goes away.
#[hook]
pub fn use_frame_loop(running: bool, dispatcher: UseReducerDispatcher<AppState>) {
    use_effect_with(running, move |running| {
        let stop = running.then(|| start(dispatcher));
        move || {
            if let Some(stop) = stop {
                stop();
            }
        }
    });
}

fn request(f: &FrameFn) -> Option<i32> {
    web_sys::window()?
        .request_animation_frame(f.as_ref().unchecked_ref())
        .ok()
}

fn start(dispatcher: UseReducerDispatcher<AppState>) -> impl FnOnce() {
    let alive = Rc::new(Cell::new(true));
    let pending: Rc<Cell<Option<i32>>> = Rc::new(Cell::new(None));
    let slot: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
    let last: Cell<Option<f64>> = Cell::new(None);
    {
        let (alive, pending_in, me) = (alive.clone(), pending.clone(), slot.clone());
        let frame = Closure::new(move |ts: f64| {
            pending_in.set(None);
            if !alive.get() {
                return;
            }
            let dt = last
                .replace(Some(ts))
                .map_or(1000.0 / 60.0, |prev| ts - prev);
            let work_ms = frame::take_work_ms();
            frame::started(ts);
            dispatcher.dispatch(Action::Tick { dt_ms: dt, work_ms });
            if alive.get() {
                if let Some(f) = me.borrow().as_ref() {
                    pending_in.set(request(f));
                }
            }
        });
        pending.set(request(&frame));
        *slot.borrow_mut() = Some(frame);
    }
    move || {
        alive.set(false);
        if let (Some(id), Some(w)) = (pending.take(), web_sys::window()) {
            let _ = w.cancel_animation_frame(id);
        }
        // Breaks the closure's reference to itself; called outside the frame callback.
        slot.borrow_mut().take();
    }
}
