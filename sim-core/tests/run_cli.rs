//! `ringside run … --trace`: the printed trace is the simulation's whole
//! trace, even for a run longer than the trace the simulation keeps.

use std::process::Command;

use sim_core::scenario::builtin;
use sim_core::sim::TraceLevel;

fn run_cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ringside"))
        .arg("run")
        .args(args)
        .output()
        .expect("ringside runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_json_trace_is_the_full_trace() {
    let s = builtin("lde-syscall").expect("built-in");
    let mut sim = s.build(TraceLevel::Steps).expect("builds");
    sim.run(s.max_cycles, &[]);
    let want: Vec<String> = sim
        .full_trace()
        .iter()
        .map(|e| serde_json::to_string(e).expect("serializes"))
        .collect();
    let text = run_cli(&["builtin:lde-syscall", "--trace", "json"]);
    let got: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(got.len(), want.len());
    assert!(got.iter().zip(&want).all(|(a, b)| a == b));
}

#[test]
fn a_long_trace_is_printed_whole_in_bounded_memory() {
    // 2 M cycles of round robin: more retired instructions than the 1 M the
    // simulation keeps, so the trace must be streamed as it grows.
    let text = run_cli(&[
        "builtin:loop-preemptive",
        "--until",
        "2000000",
        "--trace",
        "text",
    ]);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(lines.len() > 1_200_000, "{} lines", lines.len());
    let cycles: Vec<u64> = lines
        .iter()
        .map(|l| {
            l.split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .expect("a cycle")
        })
        .collect();
    assert!(cycles.windows(2).all(|w| w[0] <= w[1]), "in cycle order");
    assert_eq!(cycles.first(), Some(&0));
    assert!(*cycles.last().unwrap_or(&0) > 1_990_000);
}
