//! `Policy` and `Ask` are read by hand (`tagged.rs`); these tests hold them
//! to what serde's derive for the same internally tagged enums reads and
//! says, on a corpus of objects with every tag, field and wrong type.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::sched::{LotteryDrawMode, MlfqConfig, Policy};

use super::question::Ask;

/// The enums as they were declared, with serde's derive (same type names,
/// which serde's messages quote).
mod by_derive {
    use super::*;

    /// `Policy` as it was declared, with serde's derive.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(tag = "policy", rename_all = "snake_case")]
    pub enum Policy {
        Fifo,
        Sjf,
        Stcf {
            #[serde(default = "yes")]
            overlap_io: bool,
        },
        RoundRobin {
            quantum: u64,
        },
        Mlfq(MlfqConfig),
        Lottery {
            quantum: u64,
            seed: i64,
            #[serde(default = "rand_below")]
            draw: LotteryDrawMode,
        },
        Stride {
            quantum: u64,
        },
    }

    fn yes() -> bool {
        true
    }

    fn rand_below() -> LotteryDrawMode {
        LotteryDrawMode::RandBelow
    }

    /// `Ask` as it was declared, with serde's derive.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Ask {
        NextPick,
        ModeAfter,
        Fault,
        Value { process: usize, address: u32 },
        Turnaround { process: usize },
        Response { process: usize },
        AverageTurnaround,
        AverageResponse,
    }
}

/// Both readings of `v` (a `Value`, whose keys are in sorted order: on text,
/// serde's derive sees them in the document's order, so when an object has
/// several problems the two may name a different one first): equal values (compared as JSON with the defaults
/// filled in) or the same message.
fn same<A, B>(v: &Value)
where
    A: for<'de> Deserialize<'de> + Serialize,
    B: for<'de> Deserialize<'de> + Serialize,
{
    let ours = A::deserialize(v.clone()).map(|a| serde_json::to_value(a).unwrap());
    let derived = B::deserialize(v.clone()).map(|b| serde_json::to_value(b).unwrap());
    match (ours, derived) {
        (Ok(a), Ok(b)) => assert_eq!(normal(a), normal(b), "{v}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{v}"),
        (a, b) => panic!("{v}: ours {a:?}, serde's derive {b:?}"),
    }
}

/// `Policy` skips serializing `overlap_io: true`; the derive copy does not.
fn normal(mut v: Value) -> Value {
    if v.get("overlap_io") == Some(&json!(true)) {
        v.as_object_mut().unwrap().remove("overlap_io");
    }
    v
}

fn values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u64..20).prop_map(|n| json!(n)),
        Just(json!(-3)),
        Just(json!(2.5)),
        Just(json!("fast")),
        Just(json!([])),
        Just(json!([{"quantum": 10, "allotment": 1}])),
        Just(json!({"Scaled": {"range": 1000001}})),
        Just(json!("RandBelow")),
        Just(json!({})),
    ]
}

fn objects(
    tag: &'static str,
    tags: &'static [&'static str],
    fields: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    let tag_value = prop_oneof![
        4 => proptest::sample::select(tags).prop_map(|t| json!(t)),
        1 => Just(json!("cfs")),
        1 => values(),
    ];
    (
        proptest::option::weighted(0.9, tag_value),
        proptest::collection::vec((proptest::sample::select(fields), values()), 0..4),
    )
        .prop_map(move |(t, fs)| {
            let mut m = serde_json::Map::new();
            if let Some(t) = t {
                m.insert(tag.into(), t);
            }
            for (k, v) in fs {
                m.insert(k.into(), v);
            }
            Value::Object(m)
        })
}

const POLICY_TAGS: &[&str] = &[
    "fifo",
    "sjf",
    "stcf",
    "round_robin",
    "mlfq",
    "lottery",
    "stride",
];
const POLICY_FIELDS: &[&str] = &[
    "overlap_io",
    "quantum",
    "seed",
    "draw",
    "levels",
    "boost_period",
    "stay_on_io",
    "io_to_front",
    "boost_order",
    "other",
];
const ASK_TAGS: &[&str] = &[
    "next_pick",
    "mode_after",
    "fault",
    "value",
    "turnaround",
    "response",
    "average_turnaround",
    "average_response",
];
const ASK_FIELDS: &[&str] = &["process", "address", "other"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn policy_reads_as_serde_derive_reads(v in objects("policy", POLICY_TAGS, POLICY_FIELDS)) {
        same::<Policy, by_derive::Policy>(&v);
    }

    #[test]
    fn ask_reads_as_serde_derive_reads(v in objects("kind", ASK_TAGS, ASK_FIELDS)) {
        same::<Ask, by_derive::Ask>(&v);
    }
}

/// serde's derive also read a tagged enum from an array (`["fifo"]`, the
/// fields after the tag in order); no scenario was ever written so, and
/// these are refused as what they are.
#[test]
fn arrays_are_refused() {
    let e = serde_json::from_value::<Policy>(json!(["fifo"])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid type: sequence, expected internally tagged enum Policy"
    );
    assert!(serde_json::from_value::<Ask>(json!(["fault"])).is_err());
}

#[test]
fn non_objects_get_serde_derive_messages() {
    for v in [
        json!(null),
        json!(5),
        json!("fifo"),
        json!(true),
        json!(-1),
        json!(1.5),
    ] {
        same::<Policy, by_derive::Policy>(&v);
        same::<Ask, by_derive::Ask>(&v);
    }
}

#[test]
fn errors_in_a_scenario_file_keep_their_position() {
    let text = r#"{"policy": "round_robin", "quantum": "fast"}"#;
    let ours = serde_json::from_str::<Policy>(text).unwrap_err();
    let derived = serde_json::from_str::<by_derive::Policy>(text).unwrap_err();
    assert_eq!(ours.to_string(), derived.to_string());
}
