//! Ringside's web front end: renders views of the sim-core engine.

mod app;
mod components;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
