//! `ringside`: the native command-line tool (see `sim_core::cli`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(sim_core::cli::main(&args));
}
