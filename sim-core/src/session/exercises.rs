//! Exercises the engine grades: a lesson's questions (predict, then step)
//! and homework problems as in the book's simulators. The right answer is
//! never stored: grading runs a fresh copy of the scenario to the question's
//! point and reads the engine's own state there; a wrong answer gets the
//! trace rows that decide it.

use serde::Serialize;

use super::describe::event_view;
use super::{Granularity, Report, Session};
use crate::event::EventKind;
use crate::kernel::{ExecMode, OsEvent, Pid};
use crate::scenario::{Ask, ProcessSpec, ProgramSource, Question, Scenario, VERSION};
use crate::sched::pyrandom::PyRandom;
use crate::sched::Policy;
use crate::sim::{Sim, TraceLevel};
use crate::trace::{TraceEvent, TraceKind};

/// A question as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub prompt: String,
    /// Buttons to choose from; empty: a number to type (in `unit`).
    pub choices: Vec<String>,
    pub unit: Option<String>,
}

/// The engine's grade of an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub correct: bool,
    /// "Correct: …" or "Not quite: …".
    pub text: String,
    /// What the engine did.
    pub answer: String,
    /// The trace rows that decide it.
    pub explanation: Vec<String>,
}

/// One graded cell of a homework table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellVerdict {
    pub job: usize,
    /// "response", "turnaround" or "wait".
    pub metric: String,
    pub correct: bool,
    /// The engine's value, in units.
    pub engine: f64,
}

const MODES: [&str; 2] = ["user \u{00b7} CPL 3", "kernel \u{00b7} CPL 0"];
const FAULTS: [&str; 5] = ["no fault", "#DE", "#UD", "#GP", "#PF"];

/// A number typed for a time: right if within 0.05 units (or 0.1 %) of the
/// engine's, so the book's figure to two decimals is right and a figure
/// rounded to a whole unit is not.
fn close(answer: f64, engine: f64) -> bool {
    (answer - engine).abs() <= (0.001 * engine.abs()).max(0.05)
}

/// A typed number: digits with an optional sign, decimal point and
/// thousands commas ("103.33", "1,200", "-2"). Read by hand rather than by
/// `str::parse::<f64>`, whose tables would add ~15 KB to the page's wasm
/// for answers that never need an exponent.
fn number(text: &str) -> Option<f64> {
    let t = text
        .trim()
        .trim_end_matches("units")
        .trim()
        .replace(',', "");
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit()) && d.len() <= 15;
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let whole = int.parse::<u64>().unwrap_or(0) as f64;
    let part = frac.parse::<u64>().unwrap_or(0) as f64 / 10f64.powi(frac.len() as i32);
    let v = whole + part;
    Some(if neg { -v } else { v })
}

fn fmt_units(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// "P2 B": the label of the `i`-th process, pids counting from 1.
fn process_label(s: &Scenario, i: usize) -> String {
    match s.processes.get(i) {
        Some(p) => format!("P{} {}", i + 1, p.program),
        None => format!("P{}", i + 1),
    }
}

impl Session {
    /// The lesson's questions.
    pub fn questions(&self) -> Vec<QuestionView> {
        let s = &self.scenario;
        s.questions
            .iter()
            .map(|q| {
                let (choices, unit) = match q.ask {
                    Ask::NextPick => (
                        (0..s.processes.len())
                            .map(|i| process_label(s, i))
                            .collect(),
                        None,
                    ),
                    Ask::ModeAfter => (MODES.iter().map(|m| m.to_string()).collect(), None),
                    Ask::Fault => (FAULTS.iter().map(|m| m.to_string()).collect(), None),
                    Ask::Value { .. } => (Vec::new(), None),
                    _ => (Vec::new(), Some(s.unit_label())),
                };
                QuestionView {
                    id: q.id.clone(),
                    prompt: q.prompt.clone(),
                    choices,
                    unit,
                }
            })
            .collect()
    }

    /// Grades `answer` to question `id` against a run of the engine.
    pub fn grade(&self, id: &str, answer: &str) -> Option<Verdict> {
        let q = self.scenario.questions.iter().find(|q| q.id == id)?;
        let (engine, explanation, correct) = match q.ask {
            Ask::NextPick | Ask::ModeAfter | Ask::Fault => {
                let (engine, rows) = self.step_truth(q)?;
                let correct = answer.trim() == engine;
                (engine, rows, correct)
            }
            Ask::Value { process, address } => {
                let mut s = Session::new(self.scenario.clone()).ok()?;
                s.apply(&super::Command::Run {
                    cycles: self.scenario.max_cycles,
                });
                let v = s.view();
                let pid = Pid(process as u32 + 1);
                let value = v
                    .address_spaces
                    .iter()
                    .find(|a| a.addr == address)?
                    .spaces
                    .iter()
                    .find(|e| e.pid == pid)?
                    .value?;
                let rows = vec![format!(
                    "{pid} reads {value} at {address:#010x} (through its own page directory)"
                )];
                let correct = number(answer).is_some_and(|a| a == f64::from(value));
                (value.to_string(), rows, correct)
            }
            _ => {
                let (engine, rows) = self.metric_truth(&q.ask)?;
                let correct = number(answer).is_some_and(|a| close(a, engine));
                (fmt_units(engine), rows, correct)
            }
        };
        let text = if correct {
            format!("Correct: the engine gives {engine}.")
        } else {
            format!("Not quite: the engine gives {engine}.")
        };
        Some(Verdict {
            correct,
            text,
            answer: engine,
            explanation,
        })
    }

    /// A fresh copy of the scenario at the question's point: the first
    /// time the CPU is about to run its line, or where the lesson opens.
    fn at_point(&self, q: &Question) -> Option<Session> {
        let mut s = Session::new(self.scenario.clone()).ok()?;
        s.skip_boot();
        if let (Some(p), Some(line)) = (&q.program, q.line) {
            let prog = self.scenario.programs.iter().position(|x| &x.name == p)?;
            if s.user_line() != Some((prog, line)) {
                s.apply(&super::Command::SetBreakpoints {
                    lines: vec![(prog, line)],
                });
                s.apply(&super::Command::Run {
                    cycles: self.scenario.max_cycles,
                });
                s.breakpoints.clear();
                if s.user_line() != Some((prog, line)) {
                    return None;
                }
            }
        }
        Some(s)
    }

    /// Next pick, mode after and fault: one step from the question's point.
    fn step_truth(&self, q: &Question) -> Option<(String, Vec<String>)> {
        let mut s = self.at_point(q)?;
        let (from, start) = (s.sim.trace().len(), s.sim.cycle());
        let g = match q.ask {
            Ask::NextPick => Granularity::ContextSwitch,
            _ => Granularity::Instruction,
        };
        s.step(g);
        let events: Vec<TraceEvent> = s.sim.trace().iter_from(from).cloned().collect();
        let k = s.sim.kernel();
        let row = |e: &TraceEvent| {
            let v = event_view(e);
            format!("cycle {}: {}", v.cycle, v.text)
        };
        let deciding = |e: &&TraceEvent| match (&e.kind, &q.ask) {
            (TraceKind::Os(OsEvent::KernelStep { function, .. }), Ask::NextPick) => {
                *function == "scheduler" || *function == "swtch"
            }
            (TraceKind::Os(OsEvent::ContextSwitch { .. }), Ask::NextPick) => true,
            (_, Ask::NextPick) => false,
            (TraceKind::Machine(EventKind::InstructionRetired { .. }), _) => true,
            (TraceKind::Machine(EventKind::TrapDelivered(_)), _) => true,
            (TraceKind::Machine(EventKind::ModeSwitch { .. }), _) => true,
            _ => false,
        };
        let mut rows: Vec<String> = events.iter().filter(deciding).map(row).collect();
        rows.truncate(8);
        let engine = match q.ask {
            Ask::NextPick => {
                let pid = k.current().and_then(|t| k.thread(t)).map(|t| t.pid)?;
                process_label(&self.scenario, pid.0 as usize - 1)
            }
            Ask::ModeAfter => {
                let cpl = s.sim.machine().cpu().cpl();
                if cpl == 3 { MODES[0] } else { MODES[1] }.to_string()
            }
            _ => events
                .iter()
                .find_map(|e| match &e.kind {
                    TraceKind::Machine(EventKind::TrapDelivered(d)) if d.vector < 32 => {
                        let name = crate::trap::exception_name(d.vector);
                        Some(name.split(' ').next().unwrap_or("").to_string())
                    }
                    _ => None,
                })
                .unwrap_or_else(|| FAULTS[0].to_string()),
        };
        if rows.is_empty() {
            rows.push(format!("cycle {start}: nothing happened"));
        }
        Some((engine, rows))
    }

    /// Times of jobs: run a copy to the end and read the metrics.
    fn metric_truth(&self, ask: &Ask) -> Option<(f64, Vec<String>)> {
        let sc = &self.scenario;
        let mut sim = sc.build(TraceLevel::Steps).ok()?;
        sim.run(sc.max_cycles, &[]);
        let report = Report::new(sc, sim.kernel(), sim.cycle());
        let job = |i: usize| report.jobs.iter().find(|j| j.pid == format!("P{}", i + 1));
        let (value, rows) = match *ask {
            Ask::Turnaround { process } | Ask::Response { process } => {
                let j = job(process)?;
                let turnaround = matches!(ask, Ask::Turnaround { .. });
                let v = if turnaround {
                    j.turnaround?
                } else {
                    j.response?
                };
                let mut rows = job_rows(&sim, Pid(process as u32 + 1));
                rows.push(if turnaround {
                    format!(
                        "{} arrived at {} and finished at {}: turnaround {} units",
                        j.pid,
                        fmt_units(j.arrival),
                        fmt_units(j.finish?),
                        fmt_units(v)
                    )
                } else {
                    format!(
                        "{} arrived at {} and first ran at {}: response {} units",
                        j.pid,
                        fmt_units(j.arrival),
                        fmt_units(j.arrival + v),
                        fmt_units(v)
                    )
                });
                (v, rows)
            }
            _ => {
                let a = report.averages?;
                let turnaround = matches!(ask, Ask::AverageTurnaround);
                let mut rows: Vec<String> = report
                    .jobs
                    .iter()
                    .filter_map(|j| {
                        let v = if turnaround {
                            j.turnaround?
                        } else {
                            j.response?
                        };
                        Some(format!(
                            "{} {}: {} {} units",
                            j.pid,
                            j.program,
                            if turnaround { "turnaround" } else { "response" },
                            fmt_units(v)
                        ))
                    })
                    .collect();
                let v = if turnaround { a.turnaround } else { a.response };
                rows.push(format!(
                    "average over the {} jobs: {} units",
                    a.jobs,
                    fmt_units(v)
                ));
                (v, rows)
            }
        };
        Some((value, rows))
    }

    /// Grades homework cells: (job index, "response" | "turnaround" |
    /// "wait", answer in units), against one run of the engine.
    pub fn grade_homework(&self, cells: &[(usize, String, String)]) -> Vec<CellVerdict> {
        let sc = &self.scenario;
        let Ok(mut sim) = sc.build(TraceLevel::Off) else {
            return Vec::new();
        };
        sim.run(sc.max_cycles, &[]);
        let report = Report::new(sc, sim.kernel(), sim.cycle());
        cells
            .iter()
            .filter_map(|(job, metric, answer)| {
                let j = report
                    .jobs
                    .iter()
                    .find(|j| j.pid == format!("P{}", job + 1))?;
                let engine = match metric.as_str() {
                    "response" => j.response?,
                    "turnaround" => j.turnaround?,
                    "wait" => j.wait,
                    _ => return None,
                };
                Some(CellVerdict {
                    job: *job,
                    metric: metric.clone(),
                    correct: number(answer).is_some_and(|a| close(a, engine)),
                    engine,
                })
            })
            .collect()
    }
}

/// The trace rows of one job's life: its first switch in and its exit.
fn job_rows(sim: &Sim, pid: Pid) -> Vec<String> {
    let k = sim.kernel();
    let mut first = None;
    let mut exit = None;
    for e in sim.trace().iter() {
        match &e.kind {
            TraceKind::Os(OsEvent::ContextSwitch { to: Some(t), .. })
                if first.is_none() && k.thread(*t).is_some_and(|t| t.pid == pid) =>
            {
                first = Some(e.clone())
            }
            TraceKind::Os(OsEvent::ProcessExited { pid: p, .. }) if *p == pid => {
                exit = Some(e.clone())
            }
            _ => {}
        }
    }
    [first, exit]
        .into_iter()
        .flatten()
        .map(|e| {
            let v = event_view(&e);
            format!("cycle {}: {}", v.cycle, v.text)
        })
        .collect()
}

/// Cycles in a homework problem's time unit.
pub const HOMEWORK_UNIT: u64 = 100_000;

/// A homework problem drawn from `seed`, as scheduler.py draws one: three
/// jobs of 1–9 units arriving in the first 4 units, under FIFO, SJF or RR
/// with a slice of 1–3 units. The jobs are real programs; the student
/// predicts each job's response, turnaround and wait, in units.
pub fn homework(seed: u64) -> Scenario {
    let mut rng = PyRandom::new(seed as i64);
    let u = HOMEWORK_UNIT;
    let policy_pick = rng.randbelow(3);
    let quantum = 1 + rng.randbelow(3);
    let jobs: Vec<(u64, u64)> = (0..3)
        .map(|i| {
            let len = 1 + rng.randbelow(9);
            let arrival = if i == 0 { 0 } else { rng.randbelow(5) };
            (len, arrival)
        })
        .collect();
    let (policy, mode, name, slack) = match policy_pick {
        0 => (Policy::Fifo, ExecMode::Cooperative, "FIFO".to_string(), 0),
        1 => (Policy::Sjf, ExecMode::Cooperative, "SJF".to_string(), 0),
        _ => (
            Policy::RoundRobin {
                quantum: quantum * u,
            },
            ExecMode::Preemptive,
            format!("RR with a {quantum}-unit time slice"),
            200,
        ),
    };
    let names = ["A", "B", "C"];
    let programs = jobs
        .iter()
        .zip(names)
        .map(|(&(len, _), n)| ProgramSource {
            name: n.into(),
            elf: None,
            source: format!(
                ".equ UNITS, {len}\n.equ UNIT, {u}\n.equ SLACK, {slack}\nmain:\n    movl $(UNITS * (UNIT - SLACK) / 2), %ecx\n1:  loop 1b\n    pushl $0\n    call exit\n"
            ),
        })
        .collect();
    let processes = jobs
        .iter()
        .zip(names)
        .map(|(&(len, arrival), n)| ProcessSpec {
            program: n.into(),
            arrival: arrival * u,
            tickets: 100,
            expected_len: Some(len * u),
        })
        .collect();
    let desc: Vec<String> = jobs
        .iter()
        .zip(names)
        .map(|(&(len, arrival), n)| format!("{n}: {len} units, arrives at {arrival}"))
        .collect();
    let total: u64 = jobs.iter().map(|j| j.0).sum::<u64>() + 4;
    Scenario {
        version: VERSION,
        title: format!("Homework problem {seed}"),
        lesson: format!(
            "Three jobs under {name}: {}. Compute each job's response, turnaround and wait time in units (1 unit = {} cycles), fill in the table and check each cell; then run the engine and watch.",
            desc.join("; "),
            crate::scenario::group_digits(u)
        ),
        mode,
        timer_interval: u as u32,
        disk_latency: 5000,
        scheduler: policy,
        seed: seed as i64,
        programs,
        processes,
        max_cycles: (total + 5) * u,
        watch: vec![0xffe8_4264],
        console_input: String::new(),
        time_unit: u,
        chapter: "OSTEP 7: Scheduling".into(),
        book: "scheduler.py -c computes the same table, with the kernel's work counted as zero."
            .into(),
        questions: Vec::new(),
        homework: true,
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn reads_typed_numbers() {
        assert_eq!(number("103.33"), Some(103.33));
        assert_eq!(number(" 1,200 units"), Some(1200.0));
        assert_eq!(number("-2"), Some(-2.0));
        assert_eq!(number(".5"), Some(0.5));
        assert_eq!(number("7."), Some(7.0));
        for bad in ["", ".", "1e3", "abc", "1.2.3", "--1", "12345678901234567"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }
}
