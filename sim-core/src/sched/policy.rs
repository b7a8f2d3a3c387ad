//! Building a policy by name and parameters (scenario files, the UI, the CLI).

use super::{
    Fifo, Lottery, LotteryDrawMode, Mlfq, MlfqConfig, RoundRobin, Scheduler, Sjf, Stcf, Stride,
};
use serde::{Deserialize, Deserializer, Serialize};

/// A scheduling policy with its parameters, e.g. `{"policy":"round_robin","quantum":10}`.
/// (Read by hand, see `Deserialize` below; written by serde's derive.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Policy {
    Fifo,
    Sjf,
    Stcf {
        /// Run another job while one waits for I/O (OSTEP 7.7); `false`
        /// leaves the CPU idle instead, as figure 7.8.
        #[serde(skip_serializing_if = "is_true")]
        overlap_io: bool,
    },
    RoundRobin {
        quantum: u64,
    },
    Mlfq(MlfqConfig),
    Lottery {
        quantum: u64,
        seed: i64,
        #[serde(default = "default_draw")]
        draw: LotteryDrawMode,
    },
    Stride {
        quantum: u64,
    },
}

/// The tags, in serde's order, for "unknown variant" messages.
const POLICIES: &[&str] = &[
    "fifo",
    "sjf",
    "stcf",
    "round_robin",
    "mlfq",
    "lottery",
    "stride",
];

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scenario::tagged::deserialize(d, Policy::from_value)
    }
}

impl Policy {
    /// The policy in a JSON object, as serde's derive for an internally
    /// tagged enum would read it (unknown fields ignored), without its
    /// buffering code (see `scenario::tagged`).
    fn from_value(value: serde_json::Value) -> Result<Policy, serde_json::Error> {
        use crate::scenario::tagged::{read, required, set, visit};
        use serde::de::Error;
        let (tag, fields) = read(value, "policy", "internally tagged enum Policy")?;
        let (mut quantum, mut seed, mut draw, mut overlap_io) = (None, None, None, None);
        let mut quantum_only =
            |fields| visit(fields, &["quantum"], false, |_, v| set(&mut quantum, v));
        Ok(match tag.as_str() {
            "fifo" => Policy::Fifo,
            "sjf" => Policy::Sjf,
            "stcf" => {
                visit(fields, &["overlap_io"], false, |_, v| {
                    set(&mut overlap_io, v)
                })?;
                Policy::Stcf {
                    overlap_io: overlap_io.unwrap_or(true),
                }
            }
            "round_robin" => {
                quantum_only(fields)?;
                Policy::RoundRobin {
                    quantum: required(quantum, "quantum")?,
                }
            }
            "stride" => {
                quantum_only(fields)?;
                Policy::Stride {
                    quantum: required(quantum, "quantum")?,
                }
            }
            "mlfq" => Policy::Mlfq(MlfqConfig::deserialize(serde_json::Value::Object(fields))?),
            "lottery" => {
                visit(
                    fields,
                    &["quantum", "seed", "draw"],
                    false,
                    |k, v| match k {
                        "quantum" => set(&mut quantum, v),
                        "seed" => set(&mut seed, v),
                        _ => set(&mut draw, v),
                    },
                )?;
                Policy::Lottery {
                    quantum: required(quantum, "quantum")?,
                    seed: required(seed, "seed")?,
                    draw: draw.unwrap_or_else(default_draw),
                }
            }
            other => return Err(serde_json::Error::unknown_variant(other, POLICIES)),
        })
    }
}

fn is_true(v: &bool) -> bool {
    *v
}

fn default_draw() -> LotteryDrawMode {
    LotteryDrawMode::RandBelow
}

/// Invalid policy configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchedError {
    /// A quantum (or slice) of zero would never make progress.
    ZeroQuantum { policy: &'static str },
    /// MLFQ needs at least one level.
    NoLevels,
    /// MLFQ level `level` has a quantum below 1.
    ZeroLevelQuantum { level: usize },
    /// `name` is not one of fifo, sjf, stcf, rr, mlfq, lottery, stride.
    UnknownPolicy { name: String },
}

impl std::fmt::Display for SchedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchedError::ZeroQuantum { policy } => write!(f, "{policy}: quantum must be at least 1"),
            SchedError::NoLevels => write!(f, "MLFQ: at least one level is required"),
            SchedError::ZeroLevelQuantum { level } => {
                write!(f, "MLFQ: level {level} needs a quantum of at least 1")
            }
            SchedError::UnknownPolicy { name } => write!(
                f,
                "unknown policy '{name}' (expected fifo, sjf, stcf, rr, mlfq, lottery or stride)"
            ),
        }
    }
}

impl std::error::Error for SchedError {}

impl Policy {
    /// The policy called `name` (case-insensitive) with textbook default parameters:
    /// RR quantum 10, MLFQ 3 levels of quantum 10 / allotment 1, lottery and stride
    /// quantum 1 (lottery seed 0).
    pub fn by_name(name: &str) -> Result<Policy, SchedError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "fifo" | "fcfs" => Policy::Fifo,
            "sjf" => Policy::Sjf,
            "stcf" | "psjf" | "srtf" => Policy::Stcf { overlap_io: true },
            "rr" | "round_robin" => Policy::RoundRobin { quantum: 10 },
            "mlfq" => Policy::Mlfq(MlfqConfig::uniform(3, 10, 1)),
            "lottery" => Policy::Lottery {
                quantum: 1,
                seed: 0,
                draw: LotteryDrawMode::RandBelow,
            },
            "stride" => Policy::Stride { quantum: 1 },
            _ => {
                return Err(SchedError::UnknownPolicy {
                    name: name.to_string(),
                })
            }
        })
    }

    /// Checks the parameters and builds the scheduler.
    pub fn build(&self) -> Result<Box<dyn Scheduler>, SchedError> {
        Ok(match self {
            Policy::Fifo => Box::new(Fifo::new()),
            Policy::Sjf => Box::new(Sjf::new()),
            Policy::Stcf { overlap_io: true } => Box::new(Stcf::new()),
            Policy::Stcf { overlap_io: false } => Box::new(Stcf::without_overlap()),
            Policy::RoundRobin { quantum } => {
                nonzero(*quantum, "RR")?;
                Box::new(RoundRobin::new(*quantum))
            }
            Policy::Mlfq(config) => {
                if config.levels.is_empty() {
                    return Err(SchedError::NoLevels);
                }
                if let Some(level) = config.levels.iter().position(|l| l.quantum <= 0) {
                    return Err(SchedError::ZeroLevelQuantum { level });
                }
                Box::new(Mlfq::new(config.clone()))
            }
            Policy::Lottery {
                quantum,
                seed,
                draw,
            } => {
                nonzero(*quantum, "Lottery")?;
                Box::new(Lottery::new(*quantum, *seed, *draw))
            }
            Policy::Stride { quantum } => {
                nonzero(*quantum, "Stride")?;
                Box::new(Stride::new(*quantum))
            }
        })
    }
}

fn nonzero(quantum: u64, policy: &'static str) -> Result<(), SchedError> {
    if quantum == 0 {
        return Err(SchedError::ZeroQuantum { policy });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_names() {
        let p: Policy =
            serde_json::from_str(r#"{"policy":"round_robin","quantum":4}"#).expect("valid");
        assert_eq!(p, Policy::RoundRobin { quantum: 4 });
        let m = Policy::by_name("MLFQ").expect("known name");
        let text = serde_json::to_string(&m).expect("serializable");
        assert!(text.contains("\"policy\":\"mlfq\""), "{text}");
        for n in ["fifo", "sjf", "stcf", "rr", "mlfq", "lottery", "stride"] {
            let built = Policy::by_name(n).and_then(|p| p.build());
            assert!(built.is_ok(), "{n}");
        }
        assert!(Policy::by_name("cfs").is_err());
        assert_eq!(
            Policy::RoundRobin { quantum: 0 }.build().err(),
            Some(SchedError::ZeroQuantum { policy: "RR" })
        );
    }
}
