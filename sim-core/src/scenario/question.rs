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

/// What to predict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
