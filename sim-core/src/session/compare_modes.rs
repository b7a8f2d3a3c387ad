//! Direct vs limited direct execution: the same programs in two sessions run
//! to the same cycle, and for each of the notes' problems what each engine
//! shows (a process writes another's memory, a loop never gives the CPU
//! back, a process waits for I/O, `cli` at user level). The rows read the
//! live state (each process's data, IF, who is ready) and one pass over the
//! trace: disk waits (direct: the cycles spun with the CPU; limited direct:
//! who the scheduler ran while the caller was blocked) and the timer ticks
//! that ended a time slice and switched to another thread.

use serde::Serialize;

use super::Session;
use crate::cpu::flags;
use crate::event::EventKind;
use crate::kernel::layout::KERNBASE;
use crate::kernel::{ExecMode, OsEvent, State, StepOutcome, SysOutcome, Tid};
use crate::trace::TraceKind;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModesView {
    /// Direct execution first, then limited direct execution.
    pub panes: Vec<ModesPane>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModesPane {
    pub mode: ExecMode,
    pub cycle: u64,
    /// One cell per problem: "memory", "loop", "io", "cli".
    pub cells: Vec<ModesCell>,
}

/// What one engine shows for one problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModesCell {
    pub row: String,
    pub lines: Vec<CompareLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompareLine {
    /// What it is about (a process's name, "timer"), for lookups.
    pub subject: String,
    pub text: String,
    /// The problem shows here (memory changed by another, a process that
    /// never runs, a silent timer, the CPU idle).
    pub bad: bool,
}

/// Bytes of a process's data shown.
const DATA_SHOWN: u32 = 32;

fn line(subject: &str, text: String, bad: bool) -> CompareLine {
    CompareLine {
        subject: subject.into(),
        text,
        bad,
    }
}

fn cell(row: &str, lines: Vec<CompareLine>) -> ModesCell {
    ModesCell {
        row: row.into(),
        lines,
    }
}

impl Session {
    /// The comparison of this session with `other` (the same programs in the
    /// other mode, at the same cycle): direct execution's pane first.
    pub fn compare(&self, other: &Session) -> ModesView {
        let mut panes = vec![self.compare_pane(), other.compare_pane()];
        crate::sort::stable_sort_by_key(&mut panes, |p| p.mode != ExecMode::Direct);
        ModesView { panes }
    }

    /// A copy of this session's scenario in the mode to compare it with:
    /// direct if it is not, else preemptive (limited direct with a timer).
    pub fn compare_scenario(&self) -> super::Scenario {
        let mut s = self.scenario.clone();
        s.mode = if s.mode == ExecMode::Direct {
            ExecMode::Preemptive
        } else {
            ExecMode::Direct
        };
        s
    }

    fn compare_pane(&self) -> ModesPane {
        let seen = self.evidence();
        ModesPane {
            mode: self.scenario.mode,
            cycle: self.sim.cycle(),
            cells: vec![
                cell("memory", self.memory_lines()),
                cell("loop", self.loop_lines(&seen)),
                cell("io", self.io_lines(&seen)),
                cell("cli", self.cli_lines()),
            ],
        }
    }

    /// `name (pid)` of the process `tid` belongs to.
    fn who(&self, tid: Tid) -> (String, String) {
        let k = self.sim.kernel();
        k.thread(tid)
            .and_then(|t| k.process(t.pid))
            .map_or((tid.to_string(), tid.to_string()), |p| {
                (p.name.clone(), format!("{} ({})", p.name, p.pid))
            })
    }

    /// Whether a user program is running right now (not the kernel, not idle).
    fn in_program(&self) -> bool {
        let k = self.sim.kernel();
        self.sim.halted().is_none()
            && !k.in_kernel()
            && k.current().is_some()
            && self.sim.machine().cpu().eip < KERNBASE
    }

    /// The cycle the kernel was last entered or left (a trap delivered, an
    /// `iret`): since then the running program has had the CPU to itself.
    fn last_crossing(&self) -> Option<u64> {
        self.sim.trace().iter_rev().find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(_) | EventKind::Iret { .. }) => {
                Some(e.cycle)
            }
            _ => None,
        })
    }

    /// Lines of the killed processes whose reason contains `needle`.
    fn killed(&self, needle: &str) -> Vec<CompareLine> {
        self.sim
            .kernel()
            .processes()
            .filter_map(|p| {
                let r = p.killed.as_ref().filter(|r| r.contains(needle))?;
                Some(line(
                    &p.name,
                    format!("{} ({}) killed: {r}", p.name, p.pid),
                    false,
                ))
            })
            .collect()
    }

    /// A process writes another's memory: each process's data as it is now.
    fn memory_lines(&self) -> Vec<CompareLine> {
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let mut memory = Vec::new();
        for p in k.processes() {
            let Some(prog) = k.programs().get(p.program).map(|u| &u.program) else {
                continue;
            };
            let image = &prog.data.bytes;
            if image.is_empty() {
                continue;
            }
            // An exited process's frames are freed, not cleared: its data
            // reads as it was left until the frames are handed out again.
            let n = DATA_SHOWN.min(image.len() as u32);
            let now_bytes: Vec<Option<u8>> = (0..n)
                .map(|i| {
                    crate::mmu::walk(m.mem(), p.pgdir, prog.data.base + i)
                        .phys
                        .map(|ph| m.mem().read_u8(ph))
                })
                .collect();
            let text: String = now_bytes
                .iter()
                .map(|b| match b {
                    Some(b @ 0x20..=0x7e) => char::from(*b),
                    Some(b'\n') => '\u{21b5}',
                    Some(_) => '\u{00b7}',
                    None => '?',
                })
                .collect();
            let changed = now_bytes
                .iter()
                .zip(image)
                .any(|(b, i)| b.is_some_and(|b| b != *i));
            let what = if changed {
                "changed by another process"
            } else {
                "as loaded"
            };
            memory.push(line(
                &p.name,
                format!(
                    "{} ({}) data: \u{201c}{text}\u{201d}, {what}",
                    p.name, p.pid
                ),
                changed,
            ));
        }
        memory.extend(self.killed("#PF"));
        memory
    }

    /// A loop runs forever: the timer's interrupts and what they took back,
    /// how long the running program has kept the CPU, who waits for it.
    fn loop_lines(&self, seen: &Evidence) -> Vec<CompareLine> {
        let k = self.sim.kernel();
        let now = self.sim.cycle();
        let limit = 2 * u64::from(self.scenario.timer_interval);
        let mut looping = vec![line(
            "timer",
            format!(
                "{} timer interrupts, {} context switches",
                k.ticks(),
                k.context_switches()
            ),
            false,
        )];
        if !seen.preempted.is_empty() {
            let each: Vec<String> = seen
                .preempted
                .iter()
                .map(|(t, n)| format!("{} {n}", self.who(*t).0))
                .collect();
            let total: u64 = seen.preempted.values().sum();
            looping.push(line(
                "preempted",
                format!(
                    "the timer took the CPU back {total} times ({})",
                    each.join(", ")
                ),
                false,
            ));
        }
        if let (true, Some(c)) = (self.in_program(), self.last_crossing()) {
            let held = now - c;
            looping.push(line(
                "held",
                format!("the running program has kept the CPU for {held} cycles, since cycle {c}"),
                held > limit,
            ));
        }
        for p in k.processes().filter(|p| p.acct.first_run.is_none()) {
            looping.push(line(
                &p.name,
                format!("{} ({}) has never run", p.name, p.pid),
                true,
            ));
        }
        let ready = k.threads().filter_map(|t| {
            let since = t.ready_since.filter(|_| t.state == State::Ready)?;
            let p = k.process(t.pid).filter(|p| p.acct.first_run.is_some())?;
            Some((p, now - since))
        });
        for (p, waited) in ready {
            looping.push(line(
                &p.name,
                format!(
                    "{} ({}) is ready and has waited {waited} cycles for the CPU",
                    p.name, p.pid
                ),
                waited > limit,
            ));
        }
        looping
    }

    /// A process waits for I/O: under direct execution the cycles it spun
    /// with the CPU; under limited direct execution who ran while it was
    /// blocked; and the CPU's time overall.
    fn io_lines(&self, seen: &Evidence) -> Vec<CompareLine> {
        let k = self.sim.kernel();
        let now = self.sim.cycle();
        let mut io = Vec::new();
        for (tid, w) in &seen.spins {
            let (name, who) = self.who(*tid);
            let what = match w.pending {
                Some(left) => format!("spins now, the disk needs {left} more cycles"),
                None => "the disk is done".to_string(),
            };
            io.push(line(
                &name,
                format!(
                    "{who} spun {} cycles on the CPU waiting for the disk ({}): nothing else ran meanwhile; {what}",
                    w.cycles,
                    requests(w.requests)
                ),
                true,
            ));
        }
        for (tid, w) in &seen.blocks {
            let (name, who) = self.who(*tid);
            let others: Vec<String> = w.others.iter().map(|t| self.who(*t).0).collect();
            let meanwhile = if others.is_empty() {
                "nothing else was ready: the CPU idled".to_string()
            } else {
                format!("meanwhile the scheduler ran {}", others.join(", "))
            };
            let now_text = if w.pending.is_some() {
                "; it waits now"
            } else {
                ""
            };
            io.push(line(
                &name,
                format!(
                    "{who} waited {} cycles for the disk ({}), blocked: {meanwhile}{now_text}",
                    w.cycles,
                    requests(w.requests)
                ),
                others.is_empty(),
            ));
        }
        if io.is_empty() {
            io.push(line(
                "disk",
                "no process has waited for the disk yet".to_string(),
                false,
            ));
        }
        let busy: u64 = k
            .threads()
            .map(|t| k.cpu_time(t.tid, now))
            .sum::<u64>()
            .min(now);
        let waiting = k.threads().filter(|t| t.state == State::Blocked).count();
        io.push(line(
            "cpu",
            format!(
                "CPU ran programs {busy} of {now} cycles, idle {}; {waiting} thread(s) blocked now",
                now - busy
            ),
            now > busy && k.is_idle(),
        ));
        io
    }

    /// `cli` at user level: direct execution obeys it (IF = 0, no interrupt
    /// reaches the CPU any more); limited direct execution refuses it (#GP).
    fn cli_lines(&self) -> Vec<CompareLine> {
        let cpu = self.sim.machine().cpu();
        let now = self.sim.cycle();
        let if_off = cpu.eflags & flags::IF == 0;
        let in_program = self.in_program();
        let text = if in_program && if_off {
            let who = self
                .sim
                .kernel()
                .current()
                .map_or_else(|| "the program".to_string(), |t| self.who(t).1);
            let since = self.last_crossing().unwrap_or(0);
            let cli = self.cli_cycle(since).map_or_else(
                || format!("since before cycle {since}"),
                |c| format!("since its cli at cycle {c}"),
            );
            format!(
                "{who} runs with interrupts off (IF = 0) {cli}: no interrupt has reached the CPU since cycle {since} ({} cycles), the timer goes silent",
                now - since
            )
        } else if self.sim.halted().is_some() {
            format!("the run has ended at cycle {now}")
        } else if in_program {
            "the program runs with interrupts on (IF = 1)".to_string()
        } else {
            format!("in the kernel, IF = {}", u8::from(!if_off))
        };
        let mut cli = vec![line("if", text, in_program && if_off)];
        cli.extend(self.killed("#GP"));
        cli
    }

    /// The cycle of the latest `cli` the running program retired since
    /// cycle `since`, if the instruction log still holds it.
    fn cli_cycle(&self, since: u64) -> Option<u64> {
        let m = self.sim.machine();
        let cr3 = m.cpu().cr3;
        self.sim
            .instructions()
            .iter_rev()
            .take_while(|i| i.cycle >= since)
            .find(|i| {
                crate::mmu::walk(m.mem(), cr3, i.eip)
                    .phys
                    .is_some_and(|ph| m.mem().read_u8(ph) == CLI)
            })
            .map(|i| i.cycle)
    }

    /// What the trace shows about disk waits and the timer's preemptions.
    fn evidence(&self) -> Evidence {
        let now = self.sim.cycle();
        let mut seen = Evidence::default();
        // Threads blocked on the disk, and since when.
        let mut blocked: BTreeMap<Tid, u64> = BTreeMap::new();
        // The thread whose time slice the timer just ended (this kernel entry).
        let mut slice_over: Option<Tid> = None;
        for e in self.sim.trace().iter() {
            let TraceKind::Os(os) = &e.kind else {
                continue;
            };
            match os {
                OsEvent::KernelStep { outcome, .. } => match outcome {
                    StepOutcome::Trap { .. } => slice_over = None,
                    StepOutcome::Tick(t) => slice_over = t.slice_used,
                    StepOutcome::Spin { tid, cycles } => {
                        let w = seen.spins.entry(*tid).or_default();
                        let done = u64::from(*cycles).min(now - e.cycle);
                        w.cycles += done;
                        w.pending = (done < u64::from(*cycles)).then(|| u64::from(*cycles) - done);
                    }
                    StepOutcome::Syscall(SysOutcome::DiskSpins { tid, .. }) => {
                        seen.spins.entry(*tid).or_default().requests += 1;
                    }
                    StepOutcome::Syscall(SysOutcome::DiskQueued { tid, .. }) => {
                        seen.blocks.entry(*tid).or_default().requests += 1;
                        blocked.insert(*tid, e.cycle);
                    }
                    StepOutcome::DiskDone { tid, .. } => {
                        if let Some(from) = blocked.remove(tid) {
                            seen.blocks.entry(*tid).or_default().cycles += e.cycle - from;
                        }
                    }
                    _ => {}
                },
                OsEvent::ContextSwitch { from, to: Some(to) } => {
                    for (t, _) in blocked.iter().filter(|(t, _)| *t != to) {
                        let w = seen.blocks.entry(*t).or_default();
                        if !w.others.contains(to) {
                            w.others.push(*to);
                        }
                    }
                    if let Some(f) = from.filter(|f| Some(*f) == slice_over && f != to) {
                        *seen.preempted.entry(f).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        for (t, from) in blocked.iter() {
            let w = seen.blocks.entry(*t).or_default();
            w.cycles += now - from;
            w.pending = Some(0);
        }
        seen
    }
}

fn requests(n: u64) -> String {
    if n == 1 {
        "1 request".into()
    } else {
        format!("{n} requests")
    }
}

/// The `cli` opcode.
const CLI: u8 = 0xfa;

/// What the trace shows, gathered in one pass for the rows.
#[derive(Default)]
struct Evidence {
    /// Direct execution: threads that spun waiting for the disk.
    spins: BTreeMap<Tid, DiskWait>,
    /// Limited direct execution: threads that blocked on the disk.
    blocks: BTreeMap<Tid, DiskWait>,
    /// How often the timer took the CPU from each thread for another.
    preempted: BTreeMap<Tid, u64>,
}

#[derive(Default)]
struct DiskWait {
    requests: u64,
    /// Cycles waited so far (spun, or blocked).
    cycles: u64,
    /// Still waiting: the cycles the spin has left (0 for a blocked wait).
    pending: Option<u64>,
    /// Threads the scheduler ran while this one was blocked.
    others: Vec<Tid>,
}
