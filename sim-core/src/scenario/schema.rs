//! A JSON Schema (draft 2020-12) for the scenario format, written by hand to
//! match the serde representation of [`Scenario`](super::Scenario): field
//! names, defaults, integer widths, the `scheduler` object tagged by `policy`
//! ([`Policy`](crate::sched::Policy), with [`MlfqConfig`](crate::sched::MlfqConfig)'s
//! fields inline for `mlfq`) and the lottery draw mode as serde's externally
//! tagged enum.
//!
//! It also carries the simple single-field rules of `Scenario::validate`
//! (version 1, 1–64 programs, 1–256 processes, quanta ≥ 1, …), so a document
//! it accepts is one `Scenario::from_json` accepts, except for cross-field
//! rules (unique program names, processes naming existing programs, a timer
//! of at least 100 cycles in preemptive mode, a program giving `source` or
//! `elf` but not both, what an `elf` holds, a question naming a program
//! and a watched address) and the 1 MiB size limit.
//! Serde also reads structs written as arrays of their fields; the schema
//! describes only the object form every tool writes.

use serde_json::{json, Value};

/// The schema document. `ringside schema` prints it.
pub fn json_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ringside.example/scenario.schema.json",
        "title": "Ringside scenario",
        "description": "What to run: programs, processes and when they arrive, execution mode, scheduler, timer, disk, seed.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version", "title", "mode", "scheduler", "programs", "processes"],
        "properties": {
            "version": {"const": super::VERSION, "description": "Format version."},
            "title": {"type": "string"},
            "lesson": {"type": "string", "default": "", "description": "Lesson text; paragraphs split by blank lines."},
            "mode": {
                "enum": ["direct", "cooperative", "preemptive"],
                "description": "direct: ring 0, no timer; cooperative: ring 3, no timer; preemptive: ring 3 with a timer interrupt."
            },
            "timer_interval": u32_with(2000, "Cycles between timer interrupts (preemptive mode; at least 100 there)."),
            "disk_latency": {"type": "integer", "minimum": 1, "maximum": u32::MAX, "default": 5000, "description": "Cycles one disk request takes."},
            "scheduler": {"$ref": "#/$defs/policy"},
            "seed": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX, "default": 0, "description": "Seed for every random choice (lottery draws)."},
            "programs": {"type": "array", "minItems": 1, "maxItems": 64, "items": {"$ref": "#/$defs/program"}},
            "processes": {"type": "array", "minItems": 1, "maxItems": 256, "items": {"$ref": "#/$defs/process"}},
            "max_cycles": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000u64, "default": 2_000_000, "description": "The simulation stops here even if processes still run."},
            "watch": {"type": "array", "items": u32_schema(), "default": [0xffe8_4264u32], "description": "Virtual addresses the address-space view follows."},
            "console_input": {"type": "string", "default": "", "description": "Bytes available to read(0, ...)."},
            "time_unit": {"type": "integer", "minimum": 1, "maximum": super::MAX_TIME_UNIT, "default": 1, "description": "Cycles in one time unit; metrics are shown in units."},
            "chapter": {"type": "string", "default": "", "description": "Where the lesson comes from."},
            "book": {"type": "string", "default": "", "description": "What the book says, shown next to the engine's figure."},
            "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}, "default": []},
            "homework": {"type": "boolean", "default": false, "description": "Grade each job's response, turnaround and wait, cell by cell."}
        },
        "$defs": {
            "program": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "source": {"type": "string", "default": "", "description": "AT&T-syntax assembly; `main` (or `_start`) is the entry point."},
                    "elf": {"type": "string", "description": "Instead of `source`: a static 32-bit i386 ELF executable (as --32, ld -m elf_i386), base64; at most 256 KiB, segments in 0x1000..0x80000000, at most 1 MiB loaded."}
                }
            },
            "process": {
                "type": "object",
                "additionalProperties": false,
                "required": ["program"],
                "properties": {
                    "program": {"type": "string", "description": "Name of a program in `programs`."},
                    "arrival": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "default": 0},
                    "tickets": u32_with(100, "Lottery/stride tickets."),
                    "expected_len": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX, "default": null, "description": "Job length hint (cycles) for SJF/STCF."}
                }
            },
            "policy": policy_schema(),
            "question": {
                "type": "object",
                "additionalProperties": false,
                "required": ["id", "prompt", "ask"],
                "properties": {
                    "id": {"type": "string"},
                    "prompt": {"type": "string"},
                    "program": {"type": "string", "description": "Asked when the CPU is about to run `line` of this program."},
                    "line": {"type": "integer", "minimum": 0, "maximum": u32::MAX},
                    "ask": {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {
                            "kind": {"enum": ["next_pick", "mode_after", "fault", "value", "turnaround", "response", "average_turnaround", "average_response"]},
                            "process": {"type": "integer", "minimum": 0},
                            "address": u32_schema()
                        }
                    }
                }
            },
            "mlfq_level": {
                "type": "object",
                "required": ["quantum", "allotment"],
                "properties": {
                    "quantum": {"type": "integer", "minimum": 1, "maximum": i64::MAX},
                    "allotment": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX, "description": "Slices at this level before demotion; 0 or less: never demoted."}
                }
            },
            "draw": {
                "description": "How the lottery winner is drawn (serde's externally tagged enum).",
                "oneOf": [
                    {"enum": ["RandBelow"]},
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["RandBelow"],
                        "properties": {"RandBelow": {"type": "null"}}
                    },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["Scaled"],
                        "properties": {"Scaled": {
                            "type": "object",
                            "required": ["range"],
                            "properties": {"range": {"type": "integer", "minimum": 0, "maximum": u64::MAX}}
                        }}
                    }
                ]
            }
        }
    })
}

fn u32_schema() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": u32::MAX})
}

fn u32_with(default: u32, description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": u32::MAX, "default": default, "description": description})
}

/// `{"policy": NAME, …parameters}`. Serde's internally tagged enum ignores
/// keys a variant does not know, so the variants do not forbid extra keys.
fn policy_schema() -> Value {
    let quantum = json!({"type": "integer", "minimum": 1, "maximum": u64::MAX});
    let tag = |name: &str| json!({"const": name});
    json!({
        "type": "object",
        "required": ["policy"],
        "properties": {
            "policy": {"enum": ["fifo", "sjf", "stcf", "round_robin", "mlfq", "lottery", "stride"]}
        },
        "oneOf": [
            {"required": ["policy"], "properties": {"policy": tag("fifo")}},
            {"required": ["policy"], "properties": {"policy": tag("sjf")}},
            {"required": ["policy"], "properties": {"policy": tag("stcf"), "overlap_io": {"type": "boolean", "default": true, "description": "false: the CPU idles while a job waits for I/O (OSTEP figure 7.8)."}}},
            {
                "required": ["policy", "quantum"],
                "properties": {"policy": tag("round_robin"), "quantum": quantum.clone()}
            },
            {
                "required": ["policy", "levels"],
                "properties": {
                    "policy": tag("mlfq"),
                    "levels": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/mlfq_level"}},
                    "boost_period": {"type": "integer", "minimum": 0, "maximum": u64::MAX, "default": 0},
                    "stay_on_io": {"type": "boolean", "default": false},
                    "io_to_front": {"type": "boolean", "default": false},
                    "boost_order": {"enum": ["LowestFirst", "HighestFirst"], "default": "LowestFirst"}
                }
            },
            {
                "required": ["policy", "quantum", "seed"],
                "properties": {
                    "policy": tag("lottery"),
                    "quantum": quantum.clone(),
                    "seed": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX, "description": "Replaced by the scenario's seed."},
                    "draw": {"$ref": "#/$defs/draw", "default": "RandBelow"}
                }
            },
            {
                "required": ["policy", "quantum"],
                "properties": {"policy": tag("stride"), "quantum": quantum}
            }
        ]
    })
}

#[cfg(test)]
mod validate;

#[cfg(test)]
mod tests {
    use super::validate::validate;
    use super::*;
    use crate::scenario::{builtins, Scenario};

    fn schema_ok(v: &Value) -> bool {
        validate(&json_schema(), v).is_ok()
    }

    fn serde_ok(v: &Value) -> bool {
        Scenario::from_json(&v.to_string()).is_ok()
    }

    fn base() -> Value {
        let (_, mut s) = builtins().swap_remove(0);
        // A question about a value at an address is a cross-field rule (the
        // address must be watched): leave it out of the single-field checks.
        s.questions.clear();
        serde_json::from_str(&s.to_json()).expect("built-ins serialize")
    }

    #[test]
    fn every_builtin_validates() {
        for (name, s) in builtins() {
            let v: Value = serde_json::from_str(&s.to_json()).expect("serializes");
            if let Err(e) = validate(&json_schema(), &v) {
                panic!("{name}: {e}");
            }
        }
    }

    #[test]
    fn minimal_documents_use_the_defaults() {
        let v = json!({
            "version": 1, "title": "t", "mode": "preemptive",
            "scheduler": {"policy": "fifo"},
            "programs": [{"name": "p", "source": "main: jmp main"}],
            "processes": [{"program": "p"}]
        });
        assert!(schema_ok(&v) && serde_ok(&v));
    }

    #[test]
    fn an_elf_program_validates() {
        let file = crate::kernel::elf::tests::build(0x2000, &[(0x2000, &[0xeb, 0xfe], 2, 5)]);
        let p = crate::scenario::ProgramSource::from_elf("p", &file);
        let mut v = base();
        v["programs"] = json!([p]);
        v["processes"] = json!([{"program": "p"}]);
        assert!(schema_ok(&v) && serde_ok(&v), "{v}");
        v["programs"][0]["elf"] = json!(7);
        assert!(!schema_ok(&v) && !serde_ok(&v));
    }

    #[test]
    fn every_policy_form_agrees_with_serde() {
        let policies = [
            (json!({"policy": "fifo"}), true),
            (json!({"policy": "sjf", "ignored": 1}), true),
            (json!({"policy": "stcf"}), true),
            (json!({"policy": "round_robin", "quantum": 3}), true),
            (json!({"policy": "round_robin", "quantum": 0}), false),
            (json!({"policy": "round_robin"}), false),
            (json!({"policy": "rr", "quantum": 3}), false),
            (json!({"quantum": 3}), false),
            (
                json!({"policy": "mlfq", "levels": [{"quantum": 5, "allotment": 2}], "boost_period": 50, "stay_on_io": true, "io_to_front": true, "boost_order": "HighestFirst"}),
                true,
            ),
            (json!({"policy": "mlfq", "levels": []}), false),
            (json!({"policy": "mlfq", "levels": [{"quantum": 5}]}), false),
            (
                json!({"policy": "mlfq", "levels": [{"quantum": 5, "allotment": 1}], "boost_order": "Random"}),
                false,
            ),
            (json!({"policy": "lottery", "quantum": 1, "seed": -4}), true),
            (
                json!({"policy": "lottery", "quantum": 1, "seed": 0, "draw": "RandBelow"}),
                true,
            ),
            (
                json!({"policy": "lottery", "quantum": 1, "seed": 0, "draw": {"RandBelow": null}}),
                true,
            ),
            (
                json!({"policy": "lottery", "quantum": 1, "seed": 0, "draw": {"Scaled": {"range": 1000001}}}),
                true,
            ),
            (
                json!({"policy": "lottery", "quantum": 1, "seed": 0, "draw": {"Scaled": {}}}),
                false,
            ),
            (json!({"policy": "lottery", "quantum": 1}), false),
            (json!({"policy": "stride", "quantum": 2}), true),
            (json!({"policy": "stride", "quantum": -2}), false),
        ];
        for (policy, accepted) in policies {
            let mut v = base();
            v["scheduler"] = policy.clone();
            assert_eq!(serde_ok(&v), accepted, "serde on {policy}");
            assert_eq!(schema_ok(&v), accepted, "schema on {policy}");
        }
    }

    #[test]
    fn field_rules_agree_with_serde() {
        let cases: Vec<(&str, Value)> = vec![
            ("/version", json!(2)),
            ("/version", json!("1")),
            ("/title", json!(null)),
            ("/mode", json!("turbo")),
            ("/timer_interval", json!(-1)),
            ("/timer_interval", json!(4_294_967_296u64)),
            ("/disk_latency", json!(0)),
            ("/seed", json!(-9)),
            ("/max_cycles", json!(1_000_000_001u64)),
            ("/watch", json!([1, 2, 3])),
            ("/watch", json!([-1])),
            ("/programs", json!([])),
            ("/processes", json!([])),
            ("/processes/0/tickets", json!(7)),
            ("/processes/0/expected_len", json!(null)),
            ("/processes/0/expected_len", json!(-3)),
            ("/processes/0/arrival", json!("soon")),
            ("/programs/0/source", json!(["main:"])),
        ];
        for (pointer, value) in cases {
            let mut v = base();
            *v.pointer_mut(pointer).expect("pointer exists") = value.clone();
            assert_eq!(schema_ok(&v), serde_ok(&v), "{pointer} = {value}");
        }
        for (place, key) in [
            ("", "colour"),
            ("/programs/0", "lang"),
            ("/processes/0", "nice"),
        ] {
            let mut v = base();
            v.pointer_mut(place)
                .and_then(Value::as_object_mut)
                .expect("an object")
                .insert(key.into(), json!(1));
            assert!(
                !schema_ok(&v) && !serde_ok(&v),
                "unknown field {place}/{key}"
            );
        }
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
            assert!(!schema_ok(&v) && !serde_ok(&v), "missing {field}");
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r.clone());
                    }
                    m.values().for_each(|x| refs(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let schema = json_schema();
        let mut all = Vec::new();
        refs(&schema, &mut all);
        assert!(all.len() >= 5);
        for r in all {
            let pointer = r.strip_prefix('#').expect("local reference");
            assert!(schema.pointer(pointer).is_some(), "{r}");
        }
    }
}
