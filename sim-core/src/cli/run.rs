//! `ringside run SCENARIO.json|PROG.elf|builtin:NAME|LINK [--until CYCLE] [--trace text|json] [--metrics [--json]]`
//! and `ringside scenarios [--json] [NAME]`. With `--metrics --json` the run
//! prints only its metrics, as JSON, in the scenario's time unit
//! ([`crate::session::Report`]). A LINK is a share link: a whole URL with
//! `#s=…`, or the fragment `#s=…` / `s=…` (see [`crate::scenario::link`]).
//! A static ELF executable runs as the one process of a preemptive round-robin
//! scenario; a scenario file may name one by `"elf_path"` (relative to it).

use std::io::Write;

use crate::kernel::State;
use crate::scenario::{builtin, builtins, link, ProgramSource, Scenario};
use crate::sim::{Sim, TraceLevel};
use crate::trace::TraceEvent;

const USAGE: &str = "usage: ringside run SCENARIO.json|PROG.elf|builtin:NAME|URL#s=…|#s=… [--until CYCLE] [--trace text|json] [--metrics [--json]]";

/// `ringside run`.
pub fn main(args: &[String]) -> i32 {
    let mut path = None;
    let mut until = None;
    let mut trace = None;
    let mut metrics = false;
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--until" => match it.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(c) => until = Some(c),
                None => return usage("--until needs a cycle number"),
            },
            "--trace" => match it.next().map(String::as_str) {
                Some(f @ ("text" | "json")) => trace = Some(f.to_string()),
                _ => return usage("--trace takes text or json"),
            },
            "--metrics" => metrics = true,
            "--json" => json = true,
            s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
            s if path.is_none() => path = Some(s.to_string()),
            s => return usage(&format!("unexpected argument {s}")),
        }
    }
    let Some(path) = path else {
        return usage("no scenario given");
    };
    if json && (!metrics || trace.is_some()) {
        return usage("--json goes with --metrics (and without --trace)");
    }
    let scenario = match load(&path) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
    };
    let level = if trace.is_some() {
        TraceLevel::Steps
    } else {
        TraceLevel::Off
    };
    let mut sim = match scenario.build(level) {
        Ok(sim) => sim,
        Err(errors) => {
            for e in errors {
                eprintln!("{path}: {e}");
            }
            return 1;
        }
    };
    let end = until.unwrap_or(scenario.max_cycles);
    let mut out = std::io::stdout().lock();
    if json {
        let halt = sim.run(end, &[]);
        let report = crate::session::Report::new(&scenario, sim.kernel(), sim.cycle());
        let mut doc = serde_json::to_value(&report).unwrap_or_default();
        if let Some(o) = doc.as_object_mut() {
            o.insert("title".into(), scenario.title.clone().into());
            o.insert(
                "status".into(),
                match &halt {
                    Some(h) => format!("{h:?}"),
                    None => "cycle limit".to_string(),
                }
                .into(),
            );
            if !scenario.book.is_empty() {
                o.insert("book".into(), scenario.book.clone().into());
            }
        }
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        return match writeln!(out, "{text}") {
            Ok(()) => 0,
            Err(_) => 1,
        };
    }
    let result = (|| -> std::io::Result<Option<crate::sim::Halt>> {
        let halt = match &trace {
            Some(f) => stream_trace(&mut sim, end, f == "json", &mut out)?,
            None => sim.run(end, &[]),
        };
        let console = sim.machine().devices().console.text();
        if !console.is_empty() && trace.is_none() {
            write!(out, "{console}")?;
        }
        let why = match &halt {
            Some(h) => format!("{h:?}"),
            None => "stopped at the cycle limit".to_string(),
        };
        writeln!(
            out,
            "# {} after {} cycles: {why}",
            scenario.title,
            sim.cycle()
        )?;
        if metrics {
            write_metrics(&mut out, &sim)?;
        }
        Ok(halt)
    })();
    if result.is_err() {
        return 1;
    }
    0
}

/// Cycles simulated between two flushes of the trace.
const STREAM_EVERY: u64 = 1 << 20;

/// Runs to `end` printing the whole trace (instructions merged in) as it
/// grows: the simulation keeps only a bounded window of its trace, so a long
/// run is printed piecewise, every event exactly once, in bounded memory.
fn stream_trace(
    sim: &mut Sim,
    end: u64,
    json: bool,
    out: &mut impl Write,
) -> std::io::Result<Option<crate::sim::Halt>> {
    let (mut events, mut instrs) = (0, 0);
    sim.keep_trace_from(events, instrs);
    loop {
        let to = end.min(sim.cycle().saturating_add(STREAM_EVERY));
        let halt = sim.run(to, &[]);
        let new_instrs: Vec<_> = sim.instructions().iter_from(instrs).copied().collect();
        let new_events: Vec<_> = sim.trace().iter_from(events).cloned().collect();
        for e in crate::sim::merge(&new_instrs, &new_events) {
            if json {
                writeln!(out, "{}", serde_json::to_string(&e).unwrap_or_default())?;
            } else {
                writeln!(out, "{}", text_line(&e))?;
            }
        }
        (events, instrs) = (sim.trace().len(), sim.instructions().len());
        sim.keep_trace_from(events, instrs);
        if halt.is_some() || sim.cycle() >= end {
            return Ok(halt);
        }
    }
}

/// `ringside scenarios` lists the built-ins (`--json`: with their chapter,
/// unit and what the book says); `ringside scenarios NAME` prints one as JSON.
pub fn scenarios(args: &[String]) -> i32 {
    let json = args.iter().any(|a| a == "--json");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--json").collect();
    match args.first() {
        None if json => {
            let list: Vec<serde_json::Value> = builtins()
                .into_iter()
                .map(|(name, s)| {
                    serde_json::json!({
                        "name": name,
                        "title": s.title,
                        "chapter": s.chapter,
                        "time_unit": s.time_unit,
                        "unit": s.unit_label(),
                        "book": s.book,
                        "questions": s.questions.len(),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
            0
        }
        None => {
            for (name, s) in builtins() {
                println!("{name:<24} {:<40} {}", s.title, s.chapter);
            }
            0
        }
        Some(name) => match builtin(name.as_str()) {
            Some(s) => {
                println!("{}", s.to_json());
                0
            }
            None => {
                eprintln!("no built-in scenario named '{name}' (see `ringside scenarios`)");
                1
            }
        },
    }
}

/// A scenario from `builtin:NAME`, a share link (a URL containing `#s=`, or
/// a fragment `#s=…`/`s=…`, unless a file has that name) or a JSON file.
pub(crate) fn load(path: &str) -> Result<Scenario, String> {
    if let Some(name) = path.strip_prefix("builtin:") {
        return builtin(name).ok_or_else(|| format!("no built-in scenario named '{name}'"));
    }
    let is_link = path.contains("#s=")
        || path.contains("&s=") && path.contains('#')
        || path.starts_with("s=");
    if is_link && !std::path::Path::new(path).exists() {
        return link::decode(path)
            .map(|share| share.scenario)
            .map_err(|e| format!("link: {e}"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    if bytes.starts_with(b"\x7fELF") {
        return elf_scenario(path, &bytes);
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{path}: not UTF-8 text"))?;
    let text = resolve_elf_paths(path, &text)?;
    Scenario::from_json(&text).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{path}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// `ringside run PROG.elf`: one process running the executable, preemptive,
/// round robin with the default timer, the default cycle limit.
fn elf_scenario(path: &str, file: &[u8]) -> Result<Scenario, String> {
    let name = std::path::Path::new(path)
        .file_stem()
        .map_or("program".into(), |s| s.to_string_lossy().into_owned());
    let doc = serde_json::json!({
        "version": crate::scenario::VERSION,
        "title": name,
        "mode": "preemptive",
        "scheduler": {"policy": "round_robin", "quantum": 2000},
        "programs": [ProgramSource::from_elf(name.clone(), file)],
        "processes": [{"program": name}],
    });
    Scenario::from_json(&doc.to_string()).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{path}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// A scenario file may name an ELF executable by `"elf_path"` (relative to
/// the scenario file) instead of carrying it as `"elf"`: the CLI reads the
/// file and puts its base64 in, so links and the page get the whole program.
fn resolve_elf_paths(path: &str, text: &str) -> Result<String, String> {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(text.to_string()); // from_json reports where the JSON is wrong
    };
    let dir = std::path::Path::new(path)
        .parent()
        .unwrap_or(std::path::Path::new("."));
    let mut changed = false;
    let programs = doc.get_mut("programs").and_then(|p| p.as_array_mut());
    for (i, p) in programs.into_iter().flatten().enumerate() {
        let Some(o) = p.as_object_mut() else { continue };
        let Some(rel) = o.remove("elf_path") else {
            continue;
        };
        let at = format!("{path}: $.programs[{i}].elf_path");
        let rel = rel.as_str().ok_or(format!("{at}: must be a string"))?;
        if o.contains_key("elf") {
            return Err(format!("{at}: give `elf` or `elf_path`, not both"));
        }
        let file = dir.join(rel);
        let bytes = std::fs::read(&file).map_err(|e| format!("{at}: {}: {e}", file.display()))?;
        if bytes.len() > crate::kernel::elf::MAX_ELF_BYTES {
            return Err(format!(
                "{at}: {} is {} bytes; the limit is {}",
                file.display(),
                bytes.len(),
                crate::kernel::elf::MAX_ELF_BYTES
            ));
        }
        o.insert("elf".into(), crate::scenario::base64::encode(&bytes).into());
        changed = true;
    }
    Ok(if changed {
        doc.to_string()
    } else {
        text.to_string()
    })
}

fn text_line(e: &TraceEvent) -> String {
    let kind = serde_json::to_string(&e.kind).unwrap_or_default();
    format!("{:>9} {:<8} {kind}", e.cycle, format!("{:?}", e.actor))
}

fn write_metrics(out: &mut impl Write, sim: &Sim) -> std::io::Result<()> {
    let k = sim.kernel();
    writeln!(
        out,
        "{:<5} {:<12} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "pid", "program", "state", "turnaround", "response", "wait", "cpu"
    )?;
    for p in k.processes() {
        let state = k.process_state(p.pid).unwrap_or(State::Zombie);
        let show = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        let (t, r) = (p.acct.turnaround(), p.acct.response());
        writeln!(
            out,
            "{:<5} {:<12} {:>8} {:>10} {:>10} {:>10} {:>10}",
            p.pid.to_string(),
            p.name,
            format!("{state:?}"),
            show(t),
            show(r),
            p.acct.wait,
            p.acct.cpu
        )?;
    }
    // Over the processes that completed (see sched::metrics).
    if let Some(a) = k.averages() {
        writeln!(
            out,
            "{:<5} {:<12} {:>8} {:>10.1} {:>10.1} {:>10.1}",
            "avg", "", "", a.turnaround, a.response, a.wait
        )?;
    }
    let busy: u64 = k.processes().map(|p| p.acct.cpu).sum();
    let cycles = sim.cycle().max(1);
    writeln!(
        out,
        "cpu utilization {:.1}%  context switches {}",
        100.0 * busy as f64 / cycles as f64,
        k.context_switches()
    )?;
    Ok(())
}

fn usage(msg: &str) -> i32 {
    eprintln!("ringside run: {msg}\n{USAGE}");
    super::EXIT_USAGE
}
