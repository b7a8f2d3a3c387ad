//! Hostile and malformed scenarios: every one is rejected with an error that
//! names the JSON path (and line/column inside assembly), never a panic; a
//! runaway program stops at `max_cycles`.

use proptest::prelude::*;
use serde_json::{json, Value};
use sim_core::scenario::{builtin, Scenario, ScenarioError, MAX_SCENARIO_BYTES};
use sim_core::sim::TraceLevel;

/// A valid scenario as a JSON value, to break one piece at a time.
fn base() -> Value {
    let s = builtin("loop-preemptive").expect("built-in exists");
    serde_json::from_str(&s.to_json()).expect("built-ins serialize to JSON")
}

fn parse(v: &Value) -> Result<Scenario, Vec<ScenarioError>> {
    Scenario::from_json(&v.to_string())
}

/// The errors of a scenario that must be rejected by `from_json`.
fn rejected(v: &Value) -> Vec<ScenarioError> {
    match parse(v) {
        Ok(_) => panic!("accepted: {v}"),
        Err(e) => {
            assert!(!e.is_empty(), "an error list is never empty");
            e
        }
    }
}

/// Asserts that some error sits at `path` and its message contains `needle`.
fn assert_error_at(errors: &[ScenarioError], path: &str, needle: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.path == path && e.message.contains(needle)),
        "expected an error at {path} mentioning {needle:?}, got {errors:#?}"
    );
}

#[test]
fn the_base_scenario_is_valid() {
    assert!(parse(&base()).is_ok());
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    let text = base().to_string();
    for cut in 0..text.len() {
        if !text.is_char_boundary(cut) {
            continue;
        }
        let errors = Scenario::from_json(&text[..cut])
            .err()
            .unwrap_or_else(|| panic!("a prefix of {cut} bytes was accepted"));
        assert!(errors[0].path.starts_with('$'), "{:?}", errors[0]);
        assert!(
            errors[0].message.contains("EOF") || cut == 0,
            "{cut}: {}",
            errors[0]
        );
    }
}

#[test]
fn wrong_types_name_their_path() {
    let cases: [(&str, &str, Value); 8] = [
        ("/version", "$.version", json!("1")),
        ("/title", "$.title", json!(42)),
        ("/timer_interval", "$.timer_interval", json!(-5)),
        ("/timer_interval", "$.timer_interval", json!(1u64 << 40)),
        ("/mode", "$.mode", json!("turbo")),
        ("/programs", "$.programs", json!({"spin": "main: jmp main"})),
        (
            "/processes/1/tickets",
            "$.processes[1].tickets",
            json!("many"),
        ),
        ("/watch/0", "$.watch[0]", json!(-1)),
    ];
    for (pointer, path, value) in cases {
        let mut v = base();
        *v.pointer_mut(pointer)
            .expect("the pointer exists in the base") = value;
        let errors = rejected(&v);
        assert_eq!(errors[0].path, path, "{pointer}: {errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (None, None));
    }
}

#[test]
fn scheduler_errors_point_into_the_scheduler() {
    for policy in [
        json!({"policy": "round_robin", "quantum": "fast"}),
        json!({"policy": "cfs"}),
        json!({"quantum": 5}),
        json!({"policy": "mlfq", "levels": [{"quantum": 10}]}),
        json!({"policy": "lottery", "quantum": 10}),
    ] {
        let mut v = base();
        v["scheduler"] = policy.clone();
        let errors = rejected(&v);
        assert!(
            errors[0].path.starts_with("$.scheduler"),
            "{policy}: {errors:?}"
        );
    }
}

#[test]
fn zero_quanta_are_rejected() {
    for policy in [
        json!({"policy": "round_robin", "quantum": 0}),
        json!({"policy": "stride", "quantum": 0}),
        json!({"policy": "lottery", "quantum": 0, "seed": 1}),
        json!({"policy": "mlfq", "levels": [{"quantum": 10, "allotment": 1}, {"quantum": 0, "allotment": 1}]}),
        json!({"policy": "mlfq", "levels": []}),
    ] {
        let mut v = base();
        v["scheduler"] = policy.clone();
        let errors = rejected(&v);
        assert_error_at(&errors, "$.scheduler", "");
        assert!(
            errors[0].message.contains("quantum") || errors[0].message.contains("level"),
            "{policy}: {errors:?}"
        );
    }
}

#[test]
fn unknown_fields_are_rejected_where_they_are() {
    let mut v = base();
    v["colour"] = json!("red");
    assert_error_at(&rejected(&v), "$.colour", "unknown field `colour`");

    let mut v = base();
    v["programs"][1]["language"] = json!("c");
    assert_error_at(
        &rejected(&v),
        "$.programs[1].language",
        "unknown field `language`",
    );

    let mut v = base();
    v["processes"][0]["priority"] = json!(3);
    assert_error_at(
        &rejected(&v),
        "$.processes[0].priority",
        "unknown field `priority`",
    );
}

#[test]
fn missing_required_fields_are_named() {
    for field in [
        "version",
        "title",
        "mode",
        "scheduler",
        "programs",
        "processes",
    ] {
        let mut v = base();
        v.as_object_mut().expect("an object").remove(field);
        assert_error_at(&rejected(&v), "$", &format!("missing field `{field}`"));
    }
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let mut v = base();
    v["lesson"] = json!("x".repeat(MAX_SCENARIO_BYTES + 1));
    assert_error_at(&rejected(&v), "$", "limit");
    // Not even valid JSON: the size check comes first and costs nothing.
    let junk = "[".repeat(2 * MAX_SCENARIO_BYTES);
    let errors = Scenario::from_json(&junk).expect_err("too large");
    assert_eq!(errors[0].path, "$");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let text = base()
        .to_string()
        .replacen("\"watch\":[", &format!("\"watch\":[{nested},"), 1);
    assert!(text.len() < MAX_SCENARIO_BYTES);
    let errors = Scenario::from_json(&text).expect_err("nested arrays are not addresses");
    assert!(errors[0].path.starts_with("$.watch"), "{errors:?}");
    let errors = Scenario::from_json(&nested).expect_err("not a scenario");
    assert!(errors[0].path.starts_with('$'), "{errors:?}");
    assert!(
        !errors[0].path.starts_with("$."),
        "no stray dot: {errors:?}"
    );
}

#[test]
fn semantic_errors_are_all_reported_with_paths() {
    let mut v = base();
    v["version"] = json!(2);
    v["processes"][1]["program"] = json!("nosuch");
    v["programs"][1]["name"] = json!("spin");
    v["timer_interval"] = json!(10);
    v["disk_latency"] = json!(0);
    v["max_cycles"] = json!(5_000_000_000u64);
    let errors = rejected(&v);
    assert_error_at(&errors, "$.version", "unsupported version 2");
    assert_error_at(
        &errors,
        "$.processes[1].program",
        "no program named 'nosuch'",
    );
    assert_error_at(&errors, "$.programs[1].name", "defined twice");
    assert_error_at(&errors, "$.timer_interval", "100");
    assert_error_at(&errors, "$.disk_latency", "at least 1");
    assert_error_at(&errors, "$.max_cycles", "at most");

    let mut v = base();
    v["programs"] = json!([]);
    v["processes"] = json!([]);
    let errors = rejected(&v);
    assert_error_at(&errors, "$.programs", "1 to");
    assert_error_at(&errors, "$.processes", "1 to");
}

#[test]
fn assembly_errors_carry_program_path_line_and_column() {
    let mut v = base();
    v["programs"][1]["source"] = json!("main:\n    movl $1, %eax\n    frobnicate %eax\n");
    // JSON and validation are fine; assembling finds the problem.
    let s = parse(&v).expect("valid JSON");
    let errors = s.build(TraceLevel::Off).err().expect("does not assemble");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.path, "$.programs[1].source");
    assert_eq!(e.line, Some(3), "{e}");
    assert_eq!(e.column, Some(5), "{e}");
    assert!(
        e.to_string().starts_with("$.programs[1].source:3:5: "),
        "{e}"
    );

    // An error on the first line is not shifted by the syscall prologue.
    v["programs"][0]["source"] = json!("  movl $1, %bogus\n");
    let errors = parse(&v)
        .expect("valid JSON")
        .build(TraceLevel::Off)
        .err()
        .expect("does not assemble");
    let first = errors
        .iter()
        .find(|e| e.path == "$.programs[0].source")
        .expect("program 0 reported");
    assert_eq!(first.line, Some(1), "{first}");
    assert!(first.column.is_some_and(|c| c < 20), "{first}");
    assert!(errors.iter().any(|e| e.path == "$.programs[1].source"));
}

#[test]
fn a_runaway_program_stops_at_max_cycles() {
    for mode in ["cooperative", "preemptive", "direct"] {
        let mut v = base();
        v["mode"] = json!(mode);
        v["max_cycles"] = json!(20_000);
        v["processes"] = json!([{"program": "spin"}]);
        let s = parse(&v).expect("valid");
        let mut sim = s.build(TraceLevel::Off).expect("builds");
        assert_eq!(sim.run(s.max_cycles, &[]), None, "{mode}: not halted");
        assert_eq!(sim.cycle(), 20_000, "{mode}");
        assert_eq!(sim.run(sim.cycle(), &[]), None);
        assert_eq!(sim.cycle(), 20_000, "{mode}: a zero budget does nothing");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::from_json(&text);
    }

    /// A valid scenario with one byte replaced: accepted or rejected with a
    /// path, never a panic (and whatever is accepted also builds or fails typed).
    #[test]
    fn one_byte_mutations_never_panic(at in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
        let mut bytes = base().to_string().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let text = String::from_utf8_lossy(&bytes);
        match Scenario::from_json(&text) {
            Ok(s) => {
                if let Ok(mut sim) = s.build(TraceLevel::Off) {
                    sim.run(2_000, &[]);
                }
            }
            Err(errors) => {
                prop_assert!(errors.iter().all(|e| e.path.starts_with('$')));
            }
        }
    }
}
