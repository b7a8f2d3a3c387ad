//! Direct vs limited direct execution: the same programs in two sessions run
//! to the same cycle, and for each of the notes' problems what each engine
//! shows (a process writes another's memory, a loop never gives the CPU
//! back, a process waits for I/O, `cli` at user level).

use serde::Serialize;

use super::Session;
use crate::cpu::flags;
use crate::event::EventKind;
use crate::kernel::layout::KERNBASE;
use crate::kernel::ExecMode;
use crate::trace::TraceKind;

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
        panes.sort_by_key(|p| p.mode != ExecMode::Direct);
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
        let (m, k) = (self.sim.machine(), self.sim.kernel());
        let now = self.sim.cycle();
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
        let killed = |needle: &str| -> Vec<CompareLine> {
            k.processes()
                .filter_map(|p| {
                    let r = p.killed.as_ref().filter(|r| r.contains(needle))?;
                    Some(line(
                        &p.name,
                        format!("{} ({}) killed: {r}", p.name, p.pid),
                        false,
                    ))
                })
                .collect()
        };
        memory.extend(killed("#PF"));
        let ticks = k.ticks();
        let mut looping = vec![line(
            "timer",
            format!(
                "{ticks} timer interrupts, {} context switches",
                k.context_switches()
            ),
            false,
        )];
        let cpu = m.cpu();
        let in_program = self.sim.halted().is_none()
            && !k.in_kernel()
            && k.current().is_some()
            && cpu.eip < KERNBASE;
        // How long the running program has kept the CPU: since the kernel last ran.
        let entered = self.sim.trace().iter_rev().find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(_) | EventKind::Iret { .. }) => {
                Some(e.cycle)
            }
            _ => None,
        });
        if let (true, Some(c)) = (in_program, entered) {
            let held = now - c;
            looping.push(line(
                "held",
                format!("the running program has kept the CPU for {held} cycles, since cycle {c}"),
                held > 2 * u64::from(self.scenario.timer_interval),
            ));
        }
        for p in k.processes().filter(|p| p.acct.first_run.is_none()) {
            looping.push(line(
                &p.name,
                format!("{} ({}) has never run", p.name, p.pid),
                true,
            ));
        }
        let busy: u64 = k
            .threads()
            .map(|t| k.cpu_time(t.tid, now))
            .sum::<u64>()
            .min(now);
        let waiting = k
            .threads()
            .filter(|t| t.state == crate::kernel::State::Blocked)
            .count();
        let io = vec![line(
            "cpu",
            format!(
                "CPU ran programs {busy} of {now} cycles, idle {}; {waiting} thread(s) waiting now",
                now - busy
            ),
            now > busy && k.is_idle(),
        )];
        let if_off = cpu.eflags & flags::IF == 0;
        let mut cli = vec![line(
            "if",
            if self.sim.halted().is_some() {
                format!("the run has ended at cycle {now}")
            } else if in_program && if_off {
                "a program runs with interrupts off (IF = 0): the timer goes silent".to_string()
            } else if in_program {
                "the program runs with interrupts on (IF = 1)".to_string()
            } else {
                format!("in the kernel, IF = {}", u8::from(!if_off))
            },
            in_program && if_off,
        )];
        cli.extend(killed("#GP"));
        ModesPane {
            mode: self.scenario.mode,
            cycle: now,
            cells: vec![
                cell("memory", memory),
                cell("loop", looping),
                cell("io", io),
                cell("cli", cli),
            ],
        }
    }
}
