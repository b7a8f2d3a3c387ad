//! What the page opens with, from its URL: `?scenario=<name>` opens a built-in
//! lesson, `?bench=<n>` builds the benchmark with n CPU-bound processes, and
//! `max_cycles=<n>` overrides the scenario's cycle limit.

use sim_core::scenario::{builtin, ProcessSpec, Scenario};

/// The lesson opened when the URL names none.
pub const DEFAULT_SCENARIO: &str = "syscall-read";
/// Upper bound on `?bench=` (the scenario format allows 256 processes).
pub const MAX_BENCH: usize = 256;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Launch {
    pub scenario: Option<String>,
    pub bench: Option<usize>,
    pub max_cycles: Option<u64>,
}

impl Launch {
    /// Parses a query string such as `?scenario=syscall-read&max_cycles=5000`.
    /// Unknown keys and malformed numbers are ignored, never fatal.
    pub fn parse(query: &str) -> Launch {
        let mut l = Launch::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "scenario" if !v.is_empty() => l.scenario = Some(v.to_string()),
                "bench" => l.bench = v.parse::<usize>().ok().map(|n| n.clamp(1, MAX_BENCH)),
                "max_cycles" => l.max_cycles = v.parse().ok(),
                _ => {}
            }
        }
        l
    }

    /// The query string of the page now.
    pub fn from_location() -> Launch {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        Launch::parse(&search)
    }
}

/// The browser benchmark: `n` copies of an endless CPU-bound loop under
/// round robin with the timer, so every frame has a full run queue to switch.
pub fn bench_scenario(n: usize) -> Option<Scenario> {
    let mut s = builtin("loop-preemptive")?;
    let spin = s.programs.iter().find(|p| p.name == "spin")?.clone();
    s.title = format!("Benchmark: {n} CPU-bound processes, round robin");
    s.lesson = format!(
        "{n} processes each loop forever. The timer interrupts every {} cycles and the round-robin \
         scheduler switches to the next one: a stress test for the simulator and this page.",
        s.timer_interval
    );
    s.programs = vec![spin];
    s.processes = (0..n)
        .map(|_| ProcessSpec {
            program: "spin".into(),
            arrival: 0,
            tickets: 100,
            expected_len: None,
        })
        .collect();
    s.max_cycles = 1_000_000_000;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_query() {
        let l = Launch::parse("?scenario=syscall-read&max_cycles=5000&x=1");
        assert_eq!(l.scenario.as_deref(), Some("syscall-read"));
        assert_eq!(l.max_cycles, Some(5000));
        assert_eq!(Launch::parse("?bench=99999").bench, Some(MAX_BENCH));
        assert_eq!(Launch::parse("?bench=abc&max_cycles=-1"), Launch::default());
        assert_eq!(Launch::parse(""), Launch::default());
    }

    #[test]
    fn the_bench_scenario_builds() {
        let s = bench_scenario(64).expect("built");
        assert_eq!(s.processes.len(), 64);
        assert!(sim_core::session::Session::new(s).is_ok());
    }
}
