//! Conformance: every recorded run of the OSTEP homework simulators
//! (a copy kept in `tests/data/ostep/public.jsonl`, see its README) must be reproduced byte for byte.
//! Explicit vectors must all pass; seeded vectors must pass for the tools listed
//! in `SEEDED_SUPPORTED`. Set `RINGSIDE_OSTEP_VECTORS=/path/file.jsonl` to check
//! another recording in the same format (e.g. a differential run of the scripts).

use serde::Deserialize;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ostep/public.jsonl");

/// Tools whose seeded vectors we claim to reproduce.
const SEEDED_SUPPORTED: &[&str] = &["process-run", "scheduler", "mlfq", "lottery"];

#[derive(Deserialize)]
struct Vector {
    tool: String,
    args: Vec<String>,
    kind: String,
    stdout: String,
}

fn run(v: &Vector) -> String {
    let mut args = vec![v.tool.clone()];
    args.extend(v.args.iter().cloned());
    let mut out = Vec::new();
    sim_core::ostep::main(&args, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!("line {}:\n  want {:?}\n  got  {:?}", i + 1, a, b);
        }
    }
    "no line differs (trailing bytes?)".to_string()
}

#[test]
fn ostep_vectors_match_byte_for_byte() {
    let path = std::env::var("RINGSIDE_OSTEP_VECTORS").unwrap_or_else(|_| VECTORS.to_string());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the OSTEP vectors at {path}: {e}"));
    let (mut explicit, mut explicit_ok, mut seeded, mut seeded_ok) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Vector = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{path}:{}: bad JSON: {e}", n + 1));
        let got = run(&v);
        let ok = got == v.stdout;
        let must_pass = v.kind == "explicit" || SEEDED_SUPPORTED.contains(&v.tool.as_str());
        if v.kind == "explicit" {
            explicit += 1;
            explicit_ok += usize::from(ok);
        } else {
            seeded += 1;
            seeded_ok += usize::from(ok);
        }
        if !ok && must_pass {
            failures.push(format!(
                "{path}:{}: {} {} ({})\n{}",
                n + 1,
                v.tool,
                v.args.join(" "),
                v.kind,
                first_difference(&v.stdout, &got)
            ));
        }
    }
    println!("explicit: {explicit_ok}/{explicit} pass; seeded: {seeded_ok}/{seeded} pass");
    assert!(explicit > 0, "no explicit vectors found in {path}");
    assert!(
        failures.is_empty(),
        "{} failing vector(s); first:\n{}",
        failures.len(),
        failures[0]
    );
}
