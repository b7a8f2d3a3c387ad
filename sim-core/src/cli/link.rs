//! `ringside link SCENARIO.json|builtin:NAME [--cycle N] [--panels A,B]`:
//! prints the share-link fragment `#s=…` of a scenario (see
//! [`crate::scenario::link`]).

use crate::scenario::link::{self, Share};

const USAGE: &str =
    "usage: ringside link SCENARIO.json|builtin:NAME [--cycle N] [--panels NAME,NAME…]";

/// `ringside link`.
pub fn main(args: &[String]) -> i32 {
    let mut path = None;
    let mut cycle = None;
    let mut panels = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cycle" => match it.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(c) => cycle = Some(c),
                None => return usage("--cycle needs a cycle number"),
            },
            "--panels" => match it.next() {
                Some(v) => {
                    panels = Some(
                        v.split(',')
                            .filter(|p| !p.is_empty())
                            .map(str::to_string)
                            .collect(),
                    )
                }
                None => return usage("--panels needs a comma-separated list"),
            },
            s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
            s if path.is_none() => path = Some(s.to_string()),
            s => return usage(&format!("unexpected argument {s}")),
        }
    }
    let Some(path) = path else {
        return usage("no scenario given");
    };
    // Validated as for `ringside run`: parsed, checked, assembled.
    let scenario = match super::run::load(&path) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
    };
    if let Err(errors) = scenario.build(crate::sim::TraceLevel::Off) {
        for e in errors {
            eprintln!("{path}: {e}");
        }
        return 1;
    }
    let share = Share {
        scenario,
        cycle,
        panels,
    };
    let fragment = link::fragment(&share);
    // Only print a link that opens: too large a scenario would not.
    match link::decode(&fragment) {
        Ok(back) if back == share => {
            println!("#{fragment}");
            0
        }
        Ok(_) => {
            eprintln!("{path}: the link does not decode to the same scenario (a bug)");
            1
        }
        Err(e) => {
            eprintln!("{path}: cannot be shared as a link: {e}");
            1
        }
    }
}

fn usage(msg: &str) -> i32 {
    eprintln!("ringside link: {msg}\n{USAGE}");
    super::EXIT_USAGE
}
