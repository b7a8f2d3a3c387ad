//! Ringside's web front end: renders views of the sim-core engine.

mod app;
mod clock;
mod components;
mod embed;
mod export;
mod keys;
mod launch;
mod runner;
mod split;
mod state;
mod storage;

fn main() {
    clock::mark("ringside:main");
    split::start();
    yew::Renderer::<app::App>::new().render();
}
