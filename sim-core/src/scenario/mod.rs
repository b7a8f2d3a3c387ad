//! Scenarios: a versioned JSON description of what to run — programs,
//! processes and when they arrive, execution mode, scheduler, timer, disk,
//! seed — validated with errors that name the JSON path, built into a [`Sim`].

pub mod base64;
mod builtin;
mod elf_program;
mod json_path;
pub mod link;
mod question;
pub mod schema;
pub(crate) mod tagged;
#[cfg(test)]
mod tagged_tests;

pub use builtin::{builtin, builtin_title, builtins, BUILTIN_NAMES};
pub use elf_program::{elf_listing, elf_program};
pub use question::{Ask, Question};
pub use schema::json_schema;

use serde::{Deserialize, Serialize};

use crate::asm::{self, AsmOptions};
use crate::kernel::{layout::USER_TEXT, usys, ExecMode, Kernel, KernelConfig, Spawn, UserProgram};
use crate::machine::Machine;
use crate::sched::Policy;
use crate::sim::{Sim, TraceLevel};

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;
/// Largest scenario text accepted (a share URL or upload is untrusted).
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;
const MAX_PROGRAMS: usize = 64;
const MAX_PROCESSES: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub title: String,
    /// The lesson text shown with the scenario (plain text, paragraphs split by blank lines).
    #[serde(default)]
    pub lesson: String,
    pub mode: ExecMode,
    /// Cycles between timer interrupts (used in `preemptive` mode).
    #[serde(default = "default_timer")]
    pub timer_interval: u32,
    /// Cycles one disk request takes.
    #[serde(default = "default_disk")]
    pub disk_latency: u32,
    pub scheduler: Policy,
    /// Seed for every random choice (lottery draws); same seed, same trace.
    #[serde(default)]
    pub seed: i64,
    pub programs: Vec<ProgramSource>,
    pub processes: Vec<ProcessSpec>,
    /// The simulation stops here even if processes still run (runaway programs).
    #[serde(default = "default_max_cycles")]
    pub max_cycles: u64,
    /// Virtual addresses the address-space view follows.
    #[serde(default = "default_watch")]
    pub watch: Vec<u32>,
    /// Bytes of console input available to `read(0, …)`.
    #[serde(default)]
    pub console_input: String,
    /// Cycles in one time unit: metrics are shown in units (the book's
    /// milliseconds); 1 means plain cycles.
    #[serde(default = "default_unit", skip_serializing_if = "is_one")]
    pub time_unit: u64,
    /// Where the lesson comes from, e.g. "OSTEP 7: Scheduling".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub chapter: String,
    /// What the book says, shown next to the engine's own figure.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub book: String,
    /// Questions the lesson asks; the engine grades the answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// A homework problem: the student fills in each job's response,
    /// turnaround and wait (in units), graded cell by cell.
    #[serde(default, skip_serializing_if = "is_false")]
    pub homework: bool,
}

/// The largest time unit: a unit of 10 M cycles already makes a 100-unit
/// job a billion cycles.
pub const MAX_TIME_UNIT: u64 = 10_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSource {
    pub name: String,
    /// AT&T-syntax source; `main` (or `_start`) is the entry point. Empty
    /// (and left out of the JSON) for a program given as `elf`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Instead of source: a static 32-bit ELF executable, base64
    /// ([`elf_program`] reads it; caps in [`crate::kernel::elf`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elf: Option<String>,
}

impl ProgramSource {
    /// A program given as assembly source.
    pub fn assembly(name: impl Into<String>, source: impl Into<String>) -> ProgramSource {
        ProgramSource {
            name: name.into(),
            source: source.into(),
            elf: None,
        }
    }

    /// A program given as an ELF executable's bytes.
    pub fn from_elf(name: impl Into<String>, file: &[u8]) -> ProgramSource {
        ProgramSource {
            name: name.into(),
            source: String::new(),
            elf: Some(base64::encode(file)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessSpec {
    /// Name of a program in `programs`.
    pub program: String,
    /// Cycle at which the process arrives.
    #[serde(default)]
    pub arrival: u64,
    #[serde(default = "default_tickets")]
    pub tickets: u32,
    /// Job length hint (cycles) for SJF/STCF, which are oracles.
    #[serde(default)]
    pub expected_len: Option<u64>,
}

fn default_timer() -> u32 {
    2000
}
fn default_disk() -> u32 {
    5000
}
fn default_max_cycles() -> u64 {
    2_000_000
}
fn default_watch() -> Vec<u32> {
    vec![0xffe8_4264]
}
fn default_tickets() -> u32 {
    100
}
fn default_unit() -> u64 {
    1
}
fn is_one(v: &u64) -> bool {
    *v == 1
}
fn is_false(v: &bool) -> bool {
    !*v
}

/// One problem with a scenario: where (a JSON path such as
/// `programs[1].source`, plus line/column inside assembly) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioError {
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        path: path.into(),
        line: None,
        column: None,
        message: message.into(),
    }
}

impl Scenario {
    /// Parses and validates JSON text. Never panics, whatever the input.
    pub fn from_json(text: &str) -> Result<Scenario, Vec<ScenarioError>> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(vec![err(
                "$",
                format!(
                    "scenario is {} bytes; the limit is {MAX_SCENARIO_BYTES}",
                    text.len()
                ),
            )]);
        }
        let s: Scenario = serde_json::from_str(text)
            .map_err(|e| vec![err(json_path::error_path(text, &e), e.to_string())])?;
        s.validate()?;
        Ok(s)
    }

    /// `cycles` in this scenario's time unit.
    pub fn units(&self, cycles: u64) -> f64 {
        cycles as f64 / self.time_unit.max(1) as f64
    }

    /// The unit's name for labels: "unit (100,000 cycles)" or "cycles".
    pub fn unit_label(&self) -> String {
        if self.time_unit <= 1 {
            "cycles".into()
        } else {
            format!("units of {} cycles", group_digits(self.time_unit))
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks everything but the assembly.
    pub fn validate(&self) -> Result<(), Vec<ScenarioError>> {
        let mut errors = Vec::new();
        if self.version != VERSION {
            errors.push(err(
                "$.version",
                format!(
                    "unsupported version {} (this build reads {VERSION})",
                    self.version
                ),
            ));
        }
        if self.programs.is_empty() || self.programs.len() > MAX_PROGRAMS {
            errors.push(err(
                "$.programs",
                format!("need 1 to {MAX_PROGRAMS} programs"),
            ));
        }
        if self.processes.is_empty() || self.processes.len() > MAX_PROCESSES {
            errors.push(err(
                "$.processes",
                format!("need 1 to {MAX_PROCESSES} processes"),
            ));
        }
        for (i, p) in self.programs.iter().enumerate() {
            if self.programs[..i].iter().any(|q| q.name == p.name) {
                errors.push(err(
                    format!("$.programs[{i}].name"),
                    format!("program '{}' defined twice", p.name),
                ));
            }
        }
        for (i, p) in self.programs.iter().enumerate() {
            match &p.elf {
                Some(_) if !p.source.is_empty() => errors.push(err(
                    format!("$.programs[{i}]"),
                    "give the program as `source` or as `elf`, not both",
                )),
                Some(text) => {
                    if let Err(e) = elf_program::check(text) {
                        errors.push(err(format!("$.programs[{i}].elf"), e));
                    }
                }
                None => {}
            }
        }
        for (i, p) in self.processes.iter().enumerate() {
            if !self.programs.iter().any(|q| q.name == p.program) {
                errors.push(err(
                    format!("$.processes[{i}].program"),
                    format!("no program named '{}'", p.program),
                ));
            }
        }
        if self.mode == ExecMode::Preemptive && self.timer_interval < 100 {
            errors.push(err(
                "$.timer_interval",
                "a timer interval below 100 cycles leaves no time to run programs",
            ));
        }
        if self.disk_latency == 0 {
            errors.push(err("$.disk_latency", "must be at least 1 cycle"));
        }
        if self.max_cycles > 1_000_000_000 {
            errors.push(err("$.max_cycles", "at most 1,000,000,000"));
        }
        if let Err(e) = self.policy().build() {
            errors.push(err("$.scheduler", e.to_string()));
        }
        if !(1..=MAX_TIME_UNIT).contains(&self.time_unit) {
            errors.push(err(
                "$.time_unit",
                format!("must be 1 to {MAX_TIME_UNIT} cycles"),
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            if let Err(e) = q.validate(self) {
                errors.push(err(format!("$.questions[{i}]"), e));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The scheduler with the scenario's seed applied.
    pub fn policy(&self) -> Policy {
        match &self.scheduler {
            Policy::Lottery { quantum, draw, .. } => Policy::Lottery {
                quantum: *quantum,
                seed: self.seed,
                draw: *draw,
            },
            p => p.clone(),
        }
    }

    /// Assembles every program (with the user library) and boots the kernel.
    pub fn build(&self, level: TraceLevel) -> Result<Sim, Vec<ScenarioError>> {
        self.validate()?;
        let mut errors = Vec::new();
        let mut programs = Vec::new();
        for (i, p) in self.programs.iter().enumerate() {
            if let Some(text) = &p.elf {
                match elf_program(&p.name, text) {
                    Ok(prog) => programs.push(prog),
                    Err(e) => errors.push(err(format!("$.programs[{i}].elf"), e)),
                }
                continue;
            }
            match assemble_user(&p.source) {
                Ok(prog) => {
                    let entry = entry_point(&prog);
                    programs.push(UserProgram::assembled(p.name.clone(), prog, entry))
                }
                Err(es) => {
                    errors.extend(es.into_iter().map(|(line, column, message)| ScenarioError {
                        path: format!("$.programs[{i}].source"),
                        line: Some(line),
                        column: Some(column),
                        message,
                    }))
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let spawns = self
            .processes
            .iter()
            .map(|p| Spawn {
                program: self
                    .programs
                    .iter()
                    .position(|q| q.name == p.program)
                    .unwrap_or(0),
                arrival: p.arrival,
                tickets: p.tickets,
                expected_len: p.expected_len,
            })
            .collect();
        let config = KernelConfig {
            mode: self.mode,
            timer_interval: self.timer_interval,
            disk_latency: self.disk_latency,
            policy: self.policy(),
            watch: self.watch.clone(),
        };
        let mut machine = Machine::new();
        machine
            .devices_mut()
            .feed_console(self.console_input.as_bytes());
        let kernel = Kernel::boot(&mut machine, config, programs, spawns)
            .map_err(|e| vec![err("$", e.to_string())])?;
        Ok(Sim::new(machine, kernel, level))
    }
}

/// Assembles a user program with the syscall numbers in front (on its first
/// line, so line numbers do not move) and the user library after it.
/// Errors are (line, column, message) in the user's own text.
pub fn assemble_user(source: &str) -> Result<asm::Program, Vec<(u32, u32, String)>> {
    let prologue = usys::prologue();
    let full = format!("{prologue}{source}\n{}", usys::epilogue());
    let user_lines = source.lines().count().max(1) as u32;
    asm::assemble(
        &full,
        &AsmOptions {
            text_base: USER_TEXT,
            data_base: None,
        },
    )
    .map_err(|es| {
        es.0.into_iter()
            .map(|e| {
                let column = if e.line == 1 {
                    e.column
                        .saturating_sub(prologue.chars().count() as u32)
                        .max(1)
                } else {
                    e.column
                };
                let message = if e.line > user_lines {
                    format!("in the user library: {}", e.message)
                } else {
                    e.message
                };
                (e.line.min(user_lines + 1), column, message)
            })
            .collect()
    })
}

/// 100000 → "100,000".
pub fn group_digits(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn entry_point(p: &asm::Program) -> u32 {
    p.symbols
        .get("main")
        .or_else(|| p.symbols.get("_start"))
        .copied()
        .unwrap_or(p.text.base)
}
