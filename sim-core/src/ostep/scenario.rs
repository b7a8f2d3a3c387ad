//! `ringside ostep scheduler|mlfq|lottery … --scenario`: the homework's
//! command line as a scenario that runs the same jobs as real programs —
//! each job a loop of its length in time units, mlfq.py's jobs with a disk
//! read every ioFreq units — under the same policy and parameters.

use super::optparse::{self, python_int};
use super::{lottery, mlfq, pyfmt, scheduler, OstepError};
use crate::kernel::ExecMode;
use crate::scenario::{ProcessSpec, ProgramSource, Scenario, VERSION};
use crate::sched::pyrandom::PyRandom;
use crate::sched::{MlfqConfig, MlfqLevel, Policy};

/// Cycles in one of the book's time units (a "second" of scheduler.py, a
/// tick of mlfq.py and lottery.py).
pub const UNIT: u64 = 100_000;
/// The cycles of each unit a job leaves for the kernel's timer work.
const SLACK: u64 = 200;

fn bad(msg: String) -> OstepError {
    OstepError::Invalid(msg)
}

fn job_program(name: &str, units: f64, slack: u64) -> ProgramSource {
    let cycles = (units * (UNIT - slack) as f64).round() as u64;
    ProgramSource {
        name: name.into(),
        elf: None,
        source: format!(
            "# {} units of work ({} cycles of loop), then exit.\nmain:\n    movl ${}, %ecx\n1:  loop 1b\n    pushl $0\n    call exit\n",
            pyfmt::float_repr(units),
            cycles,
            (cycles / 2).max(1)
        ),
    }
}

fn io_program(name: &str, run: i64, freq: i64) -> ProgramSource {
    let freq = if freq <= 0 { run.max(1) } else { freq };
    ProgramSource {
        name: name.into(),
        elf: None,
        source: format!(
            ".equ RUN, {}\n.equ FREQ, {freq}\n.equ UNIT, {UNIT}\n.equ SLACK, {SLACK}\n{}",
            run.max(1),
            include_str!("../scenario/builtin/ioevery.s")
        ),
    }
}

fn scenario(title: String, lesson: String, scheduler: Policy, mode: ExecMode) -> Scenario {
    Scenario {
        version: VERSION,
        title,
        lesson,
        mode,
        timer_interval: UNIT as u32,
        disk_latency: 5 * UNIT as u32,
        scheduler,
        seed: 0,
        programs: Vec::new(),
        processes: Vec::new(),
        max_cycles: 0,
        watch: vec![0xffe8_4264],
        console_input: String::new(),
        time_unit: UNIT,
        chapter: String::new(),
        book: String::new(),
        questions: Vec::new(),
        homework: false,
    }
}

fn name(i: usize) -> String {
    format!("job{i}")
}

fn process(i: usize, arrival: u64, len: f64, tickets: u32) -> ProcessSpec {
    ProcessSpec {
        program: name(i),
        arrival: arrival * UNIT,
        tickets,
        expected_len: Some((len * UNIT as f64).round() as u64),
    }
}

/// The scenario for `tool` with `args` (the tool's own flags).
pub fn to_scenario(tool: &str, args: &[String]) -> Result<Scenario, OstepError> {
    let line = format!("{tool}.py {}", args.join(" "));
    let mut s = match tool.trim_end_matches(".py") {
        "scheduler" => from_scheduler(args)?,
        "mlfq" => from_mlfq(args)?,
        "lottery" => from_lottery(args)?,
        other => return Err(OstepError::UnknownTool(other.to_string())),
    };
    s.title = format!("OSTEP homework: {line}");
    s.lesson = format!(
        "The jobs of `{line}` as real programs: one time unit is {} cycles. Compare the metrics (in units) with the tool's answers (-c); the kernel's own work adds a little.",
        crate::scenario::group_digits(UNIT)
    );
    let total: u64 = s
        .processes
        .iter()
        .map(|p| p.expected_len.unwrap_or(0) + p.arrival)
        .sum();
    // Room for every job, its I/O and the kernel's work.
    s.max_cycles = (total * 3 + 20 * UNIT).min(1_000_000_000);
    s.validate().map_err(|e| {
        bad(e
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "))
    })?;
    Ok(s)
}

fn from_scheduler(args: &[String]) -> Result<Scenario, OstepError> {
    let o = optparse::parse(scheduler::OPTIONS, args)?;
    let mut rng = PyRandom::new(o.int("seed", 0));
    let jlist = o.str("jlist", "");
    let lens: Vec<f64> = if jlist.is_empty() {
        let maxlen = o.int("maxlen", 10);
        (0..o.int("jobs", 3).max(0))
            .map(|_| (pyfmt::trunc(maxlen as f64 * rng.random()) + 1) as f64)
            .collect()
    } else {
        jlist
            .split(',')
            .map(|t| pyfmt::parse_float(t).ok_or_else(|| bad(format!("bad job length '{t}'"))))
            .collect::<Result<_, _>>()?
    };
    let q = o.int("quantum", 1).max(1) as u64;
    let (policy, mode, slack) = match o.str("policy", "FIFO") {
        "FIFO" => (Policy::Fifo, ExecMode::Cooperative, 0),
        "SJF" => (Policy::Sjf, ExecMode::Cooperative, 0),
        "RR" => (
            Policy::RoundRobin { quantum: q * UNIT },
            ExecMode::Preemptive,
            SLACK,
        ),
        other => return Err(bad(format!("Policy {other} is not available."))),
    };
    let mut s = scenario(String::new(), String::new(), policy, mode);
    for (i, &len) in lens.iter().enumerate() {
        s.programs.push(job_program(&name(i), len, slack));
        s.processes.push(process(i, 0, len, 100));
    }
    Ok(s)
}

fn from_mlfq(args: &[String]) -> Result<Scenario, OstepError> {
    let o = optparse::parse(mlfq::OPTIONS, args)?;
    let mut ignored = String::new();
    let levels: Vec<MlfqLevel> = mlfq::levels(&o, &mut ignored)?
        .into_iter()
        .map(|l| MlfqLevel {
            quantum: l.quantum.saturating_mul(UNIT as i64),
            allotment: l.allotment,
        })
        .collect();
    let jobs = mlfq::load_jobs(&o, &mut ignored)?;
    let mut config = MlfqConfig::uniform(1, 1, 1);
    config.levels = levels;
    config.boost_period = (o.int("boost", 0).max(0) as u64) * UNIT;
    config.stay_on_io = o.flag("stay");
    config.io_to_front = o.flag("iobump");
    let mut s = scenario(
        String::new(),
        String::new(),
        Policy::Mlfq(config),
        ExecMode::Preemptive,
    );
    s.disk_latency = u32::try_from(o.int("ioTime", 5).max(1) as u64 * UNIT)
        .map_err(|_| bad("ioTime is too large".into()))?;
    for (i, j) in jobs.iter().enumerate() {
        s.programs.push(io_program(&name(i), j.run, j.io_freq));
        s.processes
            .push(process(i, j.start.max(0) as u64, j.run.max(1) as f64, 100));
    }
    Ok(s)
}

fn from_lottery(args: &[String]) -> Result<Scenario, OstepError> {
    let o = optparse::parse(lottery::OPTIONS, args)?;
    let seed = o.int("seed", 0);
    let mut rng = PyRandom::new(seed);
    let jlist = o.str("jlist", "");
    let mut jobs = Vec::new();
    if jlist.is_empty() {
        let draw = |rng: &mut PyRandom, limit: i64| -> Result<i64, OstepError> {
            if limit <= 1 {
                return Err(bad("maxlen and maxticket must be at least 2".into()));
            }
            loop {
                let v = (limit as f64 * rng.random()).trunc() as i64;
                if v != 0 {
                    return Ok(v);
                }
            }
        };
        for _ in 0..o.int("jobs", 3).max(0) {
            let len = draw(&mut rng, o.int("maxlen", 10))?;
            let tickets = draw(&mut rng, o.int("maxticket", 100))?;
            jobs.push((len, tickets));
        }
    } else {
        for entry in jlist.split(',') {
            let parsed = entry
                .split_once(':')
                .and_then(|(l, t)| Some((python_int(l, 10)?, python_int(t, 10)?)));
            jobs.push(parsed.ok_or_else(|| bad(format!("bad job '{entry}'")))?);
        }
    }
    let q = o.int("quantum", 1).max(1) as u64;
    let mut s = scenario(
        String::new(),
        String::new(),
        Policy::Lottery {
            quantum: q * UNIT,
            seed,
            draw: crate::sched::LotteryDrawMode::RandBelow,
        },
        ExecMode::Preemptive,
    );
    s.seed = seed;
    for (i, &(len, tickets)) in jobs.iter().enumerate() {
        s.programs
            .push(job_program(&name(i), len.max(1) as f64, SLACK));
        s.processes.push(process(
            i,
            0,
            len.max(1) as f64,
            u32::try_from(tickets.max(1)).unwrap_or(u32::MAX),
        ));
    }
    Ok(s)
}
