//! The built-in lessons: data files `builtin/NAME.json`, read through the
//! same parser as a user's scenario ([`Scenario::from_json`]). Programs live
//! next to them in `builtin/*.s`; a source line `#include "FILE.s"` in a
//! lesson file stands for that file's text (a comment to the assembler, so
//! the lesson reads the same either way). A lesson's jobs set `UNITS` (and
//! `UNIT`, its cycles) before including `job.s`, so each CPU burst is a
//! whole number of the lesson's time units.

use super::Scenario;

/// Every built-in lesson with its file, in gallery order (chapter by chapter).
const LESSONS: [(&str, &str); 29] = [
    (
        "processes-vs-threads",
        include_str!("builtin/processes-vs-threads.json"),
    ),
    ("lde-boot", include_str!("builtin/lde-boot.json")),
    ("lde-syscall", include_str!("builtin/lde-syscall.json")),
    ("lde-timer", include_str!("builtin/lde-timer.json")),
    ("syscall-read", include_str!("builtin/syscall-read.json")),
    (
        "restricted-instruction",
        include_str!("builtin/restricted-instruction.json"),
    ),
    (
        "loop-cooperative",
        include_str!("builtin/loop-cooperative.json"),
    ),
    (
        "loop-preemptive",
        include_str!("builtin/loop-preemptive.json"),
    ),
    (
        "direct-execution",
        include_str!("builtin/direct-execution.json"),
    ),
    ("sched-fifo", include_str!("builtin/sched-fifo.json")),
    ("convoy-fifo", include_str!("builtin/convoy-fifo.json")),
    ("convoy-sjf", include_str!("builtin/convoy-sjf.json")),
    ("sjf-late", include_str!("builtin/sjf-late.json")),
    ("stcf-late", include_str!("builtin/stcf-late.json")),
    ("convoy-stcf", include_str!("builtin/convoy-stcf.json")),
    ("sjf-response", include_str!("builtin/sjf-response.json")),
    ("rr-response", include_str!("builtin/rr-response.json")),
    ("io-overlap", include_str!("builtin/io-overlap.json")),
    ("mlfq-long", include_str!("builtin/mlfq-long.json")),
    ("mlfq-short", include_str!("builtin/mlfq-short.json")),
    (
        "mlfq-interactive",
        include_str!("builtin/mlfq-interactive.json"),
    ),
    ("mlfq-starve", include_str!("builtin/mlfq-starve.json")),
    ("mlfq-boost", include_str!("builtin/mlfq-boost.json")),
    ("mlfq-gaming", include_str!("builtin/mlfq-gaming.json")),
    (
        "mlfq-accounting",
        include_str!("builtin/mlfq-accounting.json"),
    ),
    (
        "lottery-fairness",
        include_str!("builtin/lottery-fairness.json"),
    ),
    (
        "lottery-unfairness",
        include_str!("builtin/lottery-unfairness.json"),
    ),
    ("stride-table", include_str!("builtin/stride-table.json")),
    (
        "stride-fairness",
        include_str!("builtin/stride-fairness.json"),
    ),
];

/// The programs a lesson file may `#include`.
const SOURCES: [(&str, &str); 22] = [
    ("cli.s", include_str!("builtin/cli.s")),
    ("counter.s", include_str!("builtin/counter.s")),
    ("cpu.s", include_str!("builtin/cpu.s")),
    ("fork.s", include_str!("builtin/fork.s")),
    ("gamer.s", include_str!("builtin/gamer.s")),
    ("hello.s", include_str!("builtin/hello.s")),
    ("hog.s", include_str!("builtin/hog.s")),
    ("io.s", include_str!("builtin/io.s")),
    ("long.s", include_str!("builtin/long.s")),
    ("read.s", include_str!("builtin/read.s")),
    ("reader.s", include_str!("builtin/reader.s")),
    ("rogue.s", include_str!("builtin/rogue.s")),
    ("short.s", include_str!("builtin/short.s")),
    ("spin.s", include_str!("builtin/spin.s")),
    ("threads.s", include_str!("builtin/threads.s")),
    ("victim.s", include_str!("builtin/victim.s")),
    ("writer.s", include_str!("builtin/writer.s")),
    ("job.s", include_str!("builtin/job.s")),
    ("bursts.s", include_str!("builtin/bursts.s")),
    ("boot.s", include_str!("builtin/boot.s")),
    ("syscall.s", include_str!("builtin/syscall.s")),
    ("ticker.s", include_str!("builtin/ticker.s")),
];

/// Every built-in lesson's name, in gallery order.
pub const BUILTIN_NAMES: [&str; LESSONS.len()] = {
    let mut names = [""; LESSONS.len()];
    let mut i = 0;
    while i < LESSONS.len() {
        names[i] = LESSONS[i].0;
        i += 1;
    }
    names
};

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<Scenario> {
    let (_, text) = LESSONS.iter().find(|(n, _)| *n == name)?;
    // Read once, straight into the scenario (not via a JSON value and a
    // second parse): this runs before the page's first screen.
    let mut scenario: Scenario = serde_json::from_str(text).ok()?;
    for p in &mut scenario.programs {
        p.source = expand(&p.source);
    }
    scenario.validate().ok()?;
    Some(scenario)
}

/// Replaces each `#include "FILE.s"` line by the file's text.
fn expand(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let file = line
            .trim()
            .strip_prefix("#include \"")
            .and_then(|r| r.strip_suffix('"'));
        match file.and_then(|f| SOURCES.iter().find(|(n, _)| *n == f)) {
            Some((_, text)) => out.push_str(text),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The title of the built-in scenario called `name`, without building it
/// (the page's gallery names every lesson on its first screen).
pub fn builtin_title(name: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        title: String,
    }
    let (_, text) = LESSONS.iter().find(|(n, _)| *n == name)?;
    serde_json::from_str::<Head>(text).ok().map(|h| h.title)
}

pub fn builtins() -> Vec<(&'static str, Scenario)> {
    BUILTIN_NAMES
        .iter()
        .filter_map(|n| builtin(n).map(|s| (*n, s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_read_alone_is_the_built_scenario_s() {
        for name in BUILTIN_NAMES {
            let title = builtin(name).map(|s| s.title);
            assert!(title.as_ref().is_some_and(|t| !t.is_empty()), "{name}");
            assert_eq!(builtin_title(name), title, "{name}");
        }
        assert_eq!(builtin_title("no-such-lesson"), None);
    }

    #[test]
    fn every_lesson_file_parses_and_every_include_resolves() {
        for (name, text) in LESSONS {
            assert!(builtin(name).is_some(), "{name}: {:?}", {
                let doc: serde_json::Value = serde_json::from_str(text).expect("JSON");
                Scenario::from_json(&doc.to_string()).err()
            });
            for line in text.split("\\n") {
                if let Some(f) = line.split("#include \\\"").nth(1) {
                    let f = f.split("\\\"").next().unwrap_or("");
                    assert!(SOURCES.iter().any(|(n, _)| *n == f), "{name}: {f}");
                }
            }
        }
    }
}
