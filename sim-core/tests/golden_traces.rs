//! Golden traces: every built-in scenario's trace (at `TraceLevel::Steps`,
//! without `InstructionRetired` events to keep the files small) is compared
//! byte for byte with `tests/golden/<name>.trace`. A change that alters what
//! a lesson shows must change its golden file on purpose:
//!
//! ```text
//! RINGSIDE_BLESS=1 cargo test -p sim-core --test golden_traces
//! ```
//!
//! Also checks that the simulation is deterministic: the same scenario gives
//! the same full trace twice, and another lottery seed gives another trace.

use std::path::PathBuf;

use sim_core::event::EventKind;
use sim_core::scenario::{builtin, builtins, Scenario};
use sim_core::sim::{Sim, TraceLevel};
use sim_core::trace::{TraceEvent, TraceKind};

/// Golden traces stop here even if the scenario allows more.
const GOLDEN_CYCLES: u64 = 200_000;

fn run(s: &Scenario, cycles: u64) -> Sim {
    let mut sim = s
        .build(TraceLevel::Steps)
        .unwrap_or_else(|e| panic!("{}: {e:?}", s.title));
    sim.run(cycles, &[]);
    sim
}

/// One line per event: `{cycle} {actor:?} {json of kind}`.
fn render(trace: &[TraceEvent]) -> String {
    let mut out = String::new();
    for e in trace {
        if matches!(
            e.kind,
            TraceKind::Machine(EventKind::InstructionRetired { .. })
        ) {
            continue;
        }
        let kind = serde_json::to_string(&e.kind).unwrap_or_else(|err| format!("<{err}>"));
        out += &format!("{} {:?} {kind}\n", e.cycle, e.actor);
    }
    out
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.trace"))
}

fn blessing() -> bool {
    std::env::var_os("RINGSIDE_BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// `None` if equal, else a description of the first difference.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let (mut e, mut a) = (expected.lines(), actual.lines());
    let mut line = 1;
    loop {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                let show = |s: Option<&str>| s.unwrap_or("<end of trace>").to_string();
                return Some(format!(
                    "first difference at line {line}:\n  golden: {}\n  actual: {}",
                    show(x),
                    show(y)
                ));
            }
        }
    }
}

#[test]
fn every_builtin_matches_its_golden_trace() {
    let mut failures = Vec::new();
    for (name, s) in builtins() {
        let sim = run(&s, s.max_cycles.min(GOLDEN_CYCLES));
        let actual = render(&sim.trace().to_vec());
        let path = golden_path(name);
        if blessing() {
            if let Err(e) = std::fs::write(&path, &actual) {
                failures.push(format!("{name}: cannot write {}: {e}", path.display()));
            }
            continue;
        }
        let expected = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                failures.push(format!(
                    "{name}: no golden trace at {} ({e})",
                    path.display()
                ));
                continue;
            }
        };
        if let Some(diff) = first_difference(&expected, &actual) {
            failures.push(format!("{name}: {diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the change is intended, re-bless the golden files with\n  \
         RINGSIDE_BLESS=1 cargo test -p sim-core --test golden_traces\n\
         and review the diff of sim-core/tests/golden/.",
        failures.join("\n\n")
    );
}

#[test]
fn golden_traces_show_each_lesson() {
    // Guards against blessing an empty or meaningless trace.
    let must_contain = [
        ("syscall-read", "\"name\":\"read\""),
        ("restricted-instruction", "#GP general protection"),
        ("loop-preemptive", "\"type\":\"DeviceIrq\""),
        ("lde-timer", "\"type\":\"ContextSwitch\""),
        ("stride-table", ": pass "),
        ("mlfq-long", "\"type\":\"DeviceIrq\""),
        ("processes-vs-threads", "\"type\":\"ProcessCreated\""),
    ];
    for (name, needle) in must_contain {
        let s = builtin(name).expect("built-in exists");
        let text = render(&run(&s, s.max_cycles.min(GOLDEN_CYCLES)).trace().to_vec());
        assert!(text.contains(needle), "{name} lacks {needle}");
    }
}

#[test]
fn the_same_scenario_gives_the_same_full_trace() {
    for name in ["processes-vs-threads", "lottery-fairness", "mlfq-gaming"] {
        let s = builtin(name).expect("built-in exists");
        let (a, b) = (run(&s, 60_000), run(&s, 60_000));
        assert!(a.full_trace().len() > 1000, "{name}");
        assert_eq!(a.full_trace(), b.full_trace(), "{name}");
        assert_eq!(a.machine().cpu(), b.machine().cpu(), "{name}");
    }
}

#[test]
fn another_lottery_seed_gives_another_trace() {
    let s = builtin("lottery-fairness").expect("built-in exists");
    let mut other = s.clone();
    other.seed += 1;
    let (a, b) = (run(&s, 60_000), run(&other, 60_000));
    assert_ne!(render(&a.trace().to_vec()), render(&b.trace().to_vec()));
    // Stride has no randomness: the seed does not matter.
    let s = builtin("stride-fairness").expect("built-in exists");
    let mut other = s.clone();
    other.seed += 1;
    assert_eq!(run(&s, 60_000).trace(), run(&other, 60_000).trace());
}

#[test]
fn the_mlfq_boost_happens_once_per_period() {
    // Timer ticks rarely land exactly on a multiple of the boost period; the
    // kernel must still boost once per period (OSTEP rule 5).
    let s = builtin("mlfq-boost").expect("built-in exists");
    let period = match &s.scheduler {
        sim_core::sched::Policy::Mlfq(c) => c.boost_period,
        p => panic!("mlfq-boost uses {p:?}"),
    };
    let sim = run(&s, s.max_cycles);
    let boosts: Vec<u64> = sim
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Os(sim_core::kernel::OsEvent::Boost)))
        .map(|e| e.cycle)
        .collect();
    assert_eq!(boosts.len() as u64, sim.cycle() / period, "{boosts:?}");
    for (i, c) in boosts.iter().enumerate() {
        let due = (i as u64 + 1) * period;
        assert!((due..due + 2 * 2000).contains(c), "boost {i} at {c}");
    }
}

#[test]
fn running_records_the_same_full_trace_as_stepping_every_cycle() {
    // `run` goes through the machine's fast loops between kernel entries;
    // `step` is the reference, one cycle at a time.
    for (name, s) in builtins() {
        let cycles = s.max_cycles.min(60_000);
        let ran = run(&s, cycles);
        let mut stepped = s.build(TraceLevel::Steps).expect("built-in builds");
        while stepped.cycle() < ran.cycle() && stepped.halted().is_none() {
            stepped.step();
        }
        assert_eq!(stepped.cycle(), ran.cycle(), "{name}");
        assert_eq!(stepped.machine().cpu(), ran.machine().cpu(), "{name}");
        assert_eq!(stepped.instructions(), ran.instructions(), "{name}");
        assert_eq!(stepped.trace(), ran.trace(), "{name}");
    }
}
