//! `process-run` (cpu-intro/process-run.py): processes that compute or issue I/O on
//! one CPU, switching on I/O or only at exit, with the I/O-completion policy chosen
//! by `-I`. The per-tick state machine (including its quirks, e.g. two processes can
//! be shown RUNNING under SWITCH_ON_END + IO_RUN_LATER) follows the script exactly.

use super::optparse::{self, opt, Kind, Opt};
use super::{println, pyfmt, OstepError};
use crate::sched::pyrandom::PyRandom;
use std::collections::VecDeque;

const OPTIONS: &[Opt] = &[
    opt('s', "seed", "seed", Kind::Int),
    opt('P', "program", "program", Kind::Str),
    opt('l', "processlist", "process_list", Kind::Str),
    opt('L', "iolength", "io_length", Kind::Int),
    opt('S', "switch", "switch", Kind::Str),
    opt('I', "iodone", "iodone", Kind::Str),
    opt('c', "", "solve", Kind::Flag),
    opt('p', "printstats", "print_stats", Kind::Flag),
];

/// Upper bound on simulated ticks; the script has no such bound.
const MAX_TICKS: u64 = 10_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Instr {
    Cpu,
    Io,
    IoDone,
}

impl Instr {
    fn name(self) -> &'static str {
        match self {
            Instr::Cpu => "cpu",
            Instr::Io => "io",
            Instr::IoDone => "io_done",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running,
    Ready,
    Done,
    Blocked,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Running => "RUNNING",
            State::Ready => "READY",
            State::Done => "DONE",
            State::Blocked => "BLOCKED",
        }
    }
}

#[derive(Clone, Debug)]
struct Proc {
    code: VecDeque<Instr>,
    state: State,
    io_finish: Vec<u64>,
}

struct Machine {
    procs: Vec<Proc>,
    curr: usize,
    switch_on_io: bool,
    io_run_immediate: bool,
    io_length: u64,
}

/// The script's `assert`s: a broken invariant is reported, not a panic.
fn expect_state(p: &Proc, want: State) -> Result<(), OstepError> {
    if p.state == want {
        Ok(())
    } else {
        Err(OstepError::Invalid(format!(
            "AssertionError: process state {} (expected {})",
            p.state.name(),
            want.name()
        )))
    }
}

impl Machine {
    fn set(&mut self, pid: usize, from: State, to: State) -> Result<(), OstepError> {
        expect_state(&self.procs[pid], from)?;
        self.procs[pid].state = to;
        Ok(())
    }

    /// `next_proc(pid)`: run `pid`, which must be READY.
    fn run_pid(&mut self, pid: usize) -> Result<(), OstepError> {
        self.curr = pid;
        self.set(pid, State::Ready, State::Running)
    }

    /// `next_proc()`: the next READY process after the current one, cyclically.
    fn next_proc(&mut self) -> Result<(), OstepError> {
        let n = self.procs.len();
        let order = (self.curr + 1..n).chain(0..=self.curr);
        let found = order
            .into_iter()
            .find(|&p| self.procs[p].state == State::Ready);
        match found {
            Some(p) => self.run_pid(p),
            None => Ok(()),
        }
    }

    fn active(&self) -> usize {
        self.procs.iter().filter(|p| p.state != State::Done).count()
    }

    fn runnable(&self) -> usize {
        let ok = |s: State| matches!(s, State::Ready | State::Running);
        self.procs.iter().filter(|p| ok(p.state)).count()
    }

    fn check_if_done(&mut self) -> Result<(), OstepError> {
        let p = &self.procs[self.curr];
        if p.code.is_empty() && p.state == State::Running {
            self.procs[self.curr].state = State::Done;
            self.next_proc()?;
        }
        Ok(())
    }

    fn io_completions(&mut self, clock: u64) -> Result<bool, OstepError> {
        let mut io_done = false;
        for pid in 0..self.procs.len() {
            if !self.procs[pid].io_finish.contains(&clock) {
                continue;
            }
            io_done = true;
            self.set(pid, State::Blocked, State::Ready)?;
            if self.io_run_immediate {
                if self.curr != pid && self.procs[self.curr].state == State::Running {
                    self.procs[self.curr].state = State::Ready;
                }
                self.run_pid(pid)?;
            } else {
                if !self.switch_on_io && self.runnable() > 1 {
                    self.run_pid(pid)?;
                }
                if self.runnable() == 1 {
                    self.run_pid(pid)?;
                }
            }
            self.check_if_done()?;
        }
        Ok(io_done)
    }

    /// Runs to completion; returns (cpu busy, io busy, total ticks).
    fn run(&mut self, out: &mut String) -> Result<(u64, u64, u64), OstepError> {
        self.curr = 0;
        self.set(0, State::Ready, State::Running)?;
        let mut header = String::from("Time");
        for pid in 0..self.procs.len() {
            header += &format!("{:>14}", format!("PID:{pid:>2}"));
        }
        header += &format!("{:>14}{:>14}", "CPU", "IOs");
        println(out, &header);
        let (mut cpu_busy, mut io_busy, mut clock) = (0u64, 0u64, 0u64);
        while self.active() > 0 {
            clock += 1;
            if clock > MAX_TICKS {
                return Err(OstepError::Invalid(format!(
                    "simulation did not finish within {MAX_TICKS} ticks"
                )));
            }
            let io_done = self.io_completions(clock)?;
            let curr = self.curr;
            let mut executed = None;
            if self.procs[curr].state == State::Running {
                executed = self.procs[curr].code.pop_front();
            }
            if executed.is_some() {
                cpu_busy += 1;
            }
            let mut line = format!("{clock:>3}{}", if io_done { '*' } else { ' ' });
            for (pid, p) in self.procs.iter().enumerate() {
                match executed {
                    Some(i) if pid == curr => {
                        line += &format!("{:>14}", format!("RUN:{}", i.name()))
                    }
                    _ => line += &format!("{:>14}", p.state.name()),
                }
            }
            line += &format!("{:>14}", if executed.is_some() { "1" } else { " " });
            let outstanding: usize = self
                .procs
                .iter()
                .map(|p| p.io_finish.iter().filter(|&&t| t > clock).count())
                .sum();
            if outstanding > 0 {
                line += &format!("{outstanding:>14}");
                io_busy += 1;
            } else {
                line += &format!("{:>10}", " ");
            }
            println(out, &line);
            if executed == Some(Instr::Io) {
                self.set(curr, State::Running, State::Blocked)?;
                self.procs[curr].io_finish.push(clock + self.io_length + 1);
                if self.switch_on_io {
                    self.next_proc()?;
                }
            }
            self.check_if_done()?;
        }
        Ok((cpu_busy, io_busy, clock))
    }
}

fn bad(msg: String) -> OstepError {
    OstepError::Invalid(msg)
}

/// `-P c7,i,c1,i:…`: one program per `:`-separated part.
fn load_program(program: &str, out: &mut String) -> Result<VecDeque<Instr>, OstepError> {
    let mut code = VecDeque::new();
    for line in program.split(',') {
        match line.chars().next() {
            Some('c') => {
                let n = optparse::python_int(&line[1..], 10)
                    .ok_or_else(|| bad(format!("ValueError: invalid count in '{line}'")))?;
                for _ in 0..n.max(0) {
                    code.push_back(Instr::Cpu);
                }
            }
            Some('i') => code.extend([Instr::Io, Instr::IoDone]),
            Some(other) => {
                println(out, &format!("bad opcode {other} (should be c or i)"));
                return Err(OstepError::Exit(1));
            }
            None => return Err(bad("IndexError: empty instruction in -P".to_string())),
        }
    }
    Ok(code)
}

/// `-l X:Y`: X instructions, each a CPU one with chance Y percent.
fn load_random(
    desc: &str,
    rng: &mut PyRandom,
    out: &mut String,
) -> Result<VecDeque<Instr>, OstepError> {
    let parts: Vec<&str> = desc.split(':').collect();
    let [count, chance] = parts.as_slice() else {
        println(
            out,
            &format!("Bad description ({desc}): Must be number <x:y>"),
        );
        println(out, "  where X is the number of instructions");
        println(
            out,
            "  and Y is the percent change that an instruction is CPU not IO",
        );
        return Err(OstepError::Exit(1));
    };
    let n = optparse::python_int(count, 10)
        .ok_or_else(|| bad(format!("ValueError: invalid instruction count '{count}'")))?;
    let chance = pyfmt::parse_float(chance)
        .ok_or_else(|| bad(format!("ValueError: invalid CPU chance '{chance}'")))?
        / 100.0;
    let mut code = VecDeque::new();
    for _ in 0..n.max(0) {
        if rng.random() < chance {
            code.push_back(Instr::Cpu);
        } else {
            code.extend([Instr::Io, Instr::IoDone]);
        }
    }
    Ok(code)
}

pub fn run(args: &[String], out: &mut String) -> Result<(), OstepError> {
    let o = optparse::parse(OPTIONS, args)?;
    let mut rng = PyRandom::new(o.int("seed", 0));
    let switch = o.str("switch", "SWITCH_ON_IO");
    let iodone = o.str("iodone", "IO_RUN_LATER");
    if !matches!(switch, "SWITCH_ON_IO" | "SWITCH_ON_END") {
        return Err(bad(format!("AssertionError: bad -S value '{switch}'")));
    }
    if !matches!(iodone, "IO_RUN_LATER" | "IO_RUN_IMMEDIATE") {
        return Err(bad(format!("AssertionError: bad -I value '{iodone}'")));
    }
    let program = o.str("program", "");
    let mut codes = Vec::new();
    if !program.is_empty() {
        for p in program.split(':') {
            codes.push(load_program(p, out)?);
        }
    } else {
        for p in o.str("process_list", "").split(',') {
            codes.push(load_random(p, &mut rng, out)?);
        }
    }
    let io_length = u64::try_from(o.int("io_length", 5))
        .map_err(|_| bad("AssertionError: -L must not be negative".to_string()))?;
    if !o.flag("solve") {
        print_problem(&codes, switch, iodone, out);
        return Ok(());
    }
    let mut m = Machine {
        procs: codes
            .into_iter()
            .map(|code| Proc {
                code,
                state: State::Ready,
                io_finish: Vec::new(),
            })
            .collect(),
        curr: 0,
        switch_on_io: switch == "SWITCH_ON_IO",
        io_run_immediate: iodone == "IO_RUN_IMMEDIATE",
        io_length,
    };
    let (cpu, io, clock) = m.run(out)?;
    if o.flag("print_stats") {
        let pct = |v: u64| 100.0 * v as f64 / clock as f64;
        println(out, "");
        println(out, &format!("Stats: Total Time {clock}"));
        println(out, &format!("Stats: CPU Busy {cpu} ({:.2}%)", pct(cpu)));
        println(out, &format!("Stats: IO Busy  {io} ({:.2}%)", pct(io)));
        println(out, "");
    }
    Ok(())
}

fn print_problem(codes: &[VecDeque<Instr>], switch: &str, iodone: &str, out: &mut String) {
    println(
        out,
        "Produce a trace of what would happen when you run these processes:",
    );
    for (pid, code) in codes.iter().enumerate() {
        println(out, &format!("Process {pid}"));
        for i in code {
            println(out, &format!("  {}", i.name()));
        }
        println(out, "");
    }
    println(out, "Important behaviors:");
    out.push_str("  System will switch when ");
    if switch == "SWITCH_ON_IO" {
        println(out, "the current process is FINISHED or ISSUES AN IO");
    } else {
        println(out, "the current process is FINISHED");
    }
    out.push_str("  After IOs, the process issuing the IO will ");
    if iodone == "IO_RUN_IMMEDIATE" {
        println(out, "run IMMEDIATELY");
    } else {
        println(out, "run LATER (when it is its turn)");
    }
    println(out, "");
}
