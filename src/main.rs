//! Ringside's web front end: renders views of the sim-core engine.

mod app;
mod arrival;
mod clock;
mod components;
mod embed;
mod export;
mod fixed;
mod keys;
mod launch;
mod runner;
mod split;
mod state;
mod storage;

fn main() {
    clock::mark("ringside:main");
    split::start();
    // The first load carries what the default lesson runs (tools/split); anything else
    // waits for the rest of the code, without blocking the tab.
    if split::rest_needed() {
        split::start_after_rest();
    } else {
        ringside_render();
    }
}

/// Renders the app (the split loader calls it once the rest is there).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn ringside_render() {
    yew::Renderer::<app::App>::new().render();
}
