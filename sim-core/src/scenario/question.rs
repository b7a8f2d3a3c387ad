//! Questions a lesson asks before the student looks: predict, then step.
//! A question names what to predict and where; the answer is never stored
//! here — the session runs the engine to that point and grades against
//! its state (see `session::exercises`).

use serde::{Deserialize, Serialize};

use super::Scenario;

/// One question of a lesson.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Short name, unique in the lesson (posted to an embedding host).
    pub id: String,
    pub prompt: String,
    /// Asked when the CPU is about to run this line of this program (its
    /// first time); without it, where the lesson opens (the first user
    /// instruction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub ask: Ask,
}

/// What to predict. Written by serde's derive; read by hand (see
/// `Deserialize` below and `scenario::tagged`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ask {
    /// The process the scheduler switches to next.
    NextPick,
    /// The CPU's mode and ring after the next instruction.
    ModeAfter,
    /// Whether the next instruction faults, and with which exception.
    Fault,
    /// The value process `process` (index in `processes`, forked children
    /// after them) reads at `address` when the run ends.
    Value { process: usize, address: u32 },
    /// A job's turnaround time, in the scenario's unit.
    Turnaround { process: usize },
    /// A job's response time, in the scenario's unit.
    Response { process: usize },
    /// The average turnaround time of the jobs, in units.
    AverageTurnaround,
    /// The average response time of the jobs, in units.
    AverageResponse,
}

/// The tags, in serde's order, for "unknown variant" messages.
const ASKS: &[&str] = &[
    "next_pick",
    "mode_after",
    "fault",
    "value",
    "turnaround",
    "response",
    "average_turnaround",
    "average_response",
];

impl<'de> Deserialize<'de> for Ask {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::tagged::deserialize(d, Ask::from_value)
    }
}

impl Ask {
    /// The question's `ask` object, as serde's derive for an internally
    /// tagged enum with `deny_unknown_fields` would read it.
    fn from_value(value: serde_json::Value) -> Result<Ask, serde_json::Error> {
        use super::tagged::{read, required, set, visit};
        use serde::de::Error;
        let (tag, fields) = read(value, "kind", "internally tagged enum Ask")?;
        let (mut process, mut address) = (None, None);
        let mut process_only =
            |fields| visit(fields, &["process"], true, |_, v| set(&mut process, v));
        Ok(match tag.as_str() {
            // serde's deny_unknown_fields does not reach unit variants.
            "next_pick" => Ask::NextPick,
            "mode_after" => Ask::ModeAfter,
            "fault" => Ask::Fault,
            "average_turnaround" => Ask::AverageTurnaround,
            "average_response" => Ask::AverageResponse,
            "turnaround" => {
                process_only(fields)?;
                Ask::Turnaround {
                    process: required(process, "process")?,
                }
            }
            "response" => {
                process_only(fields)?;
                Ask::Response {
                    process: required(process, "process")?,
                }
            }
            "value" => {
                visit(fields, &["process", "address"], true, |k, v| match k {
                    "process" => set(&mut process, v),
                    _ => set(&mut address, v),
                })?;
                Ask::Value {
                    process: required(process, "process")?,
                    address: required(address, "address")?,
                }
            }
            other => return Err(serde_json::Error::unknown_variant(other, ASKS)),
        })
    }
}

impl Question {
    pub(super) fn validate(&self, s: &Scenario) -> Result<(), String> {
        if self.id.is_empty() || self.prompt.is_empty() {
            return Err("a question needs an id and a prompt".into());
        }
        match (&self.program, self.line) {
            (Some(p), Some(_)) if !s.programs.iter().any(|q| &q.name == p) => {
                return Err(format!("no program named '{p}'"));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err("program and line go together".into());
            }
            _ => {}
        }
        if let Ask::Value { address, .. } = self.ask {
            if !s.watch.contains(&address) {
                return Err(format!("{address:#010x} is not a watched address"));
            }
        }
        match self.ask {
            Ask::Turnaround { process }
            | Ask::Response { process }
            | Ask::Value { process, .. }
                if process >= s.processes.len() + 64 =>
            {
                Err(format!("no process {process}"))
            }
            _ => Ok(()),
        }
    }
}
