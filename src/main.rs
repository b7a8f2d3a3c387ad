//! Ringside's web front end: renders views of the sim-core engine.

mod app;
mod clock;
mod components;
mod keys;
mod launch;
mod runner;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
