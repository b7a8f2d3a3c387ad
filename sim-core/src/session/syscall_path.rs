//! The path of one system call through every level, from the trace: the
//! C-level call, the user-library stub, the CPU's trap through the IDT, the
//! kernel's entry stub and C-level steps, blocking and who runs meanwhile,
//! the interrupt that wakes it, and the way back to user mode.

use serde::Serialize;

use super::{vector_name, Session};
use crate::event::EventKind;
use crate::kernel::layout::KERNBASE;
use crate::kernel::syscall::SYSCALLS;
use crate::kernel::{OsEvent, State, T_SYSCALL};
use crate::sched::ThreadId;
use crate::sim::Log;
use crate::trace::TraceKind;
use crate::trap::DeliveryInfo;

/// A system call the trace keeps: when it trapped, who made it, which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallCall {
    /// The cycle of its trap (`int $64` delivered): its identity.
    pub cycle: u64,
    pub tid: u32,
    pub name: String,
}

/// One level of the path, at the cycle it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathRow {
    /// "C", "library", "CPU", "kernel", "scheduler", "device".
    pub level: String,
    pub text: String,
    pub cycle: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallPath {
    /// The newest system calls, oldest first.
    pub calls: Vec<SyscallCall>,
    /// The call shown (its trap cycle).
    pub chosen: Option<u64>,
    pub rows: Vec<PathRow>,
}

/// System calls listed at most (the newest).
const MAX_CALLS: usize = 200;
/// Trace events followed after a trap, at most.
const FOLLOW: usize = 100_000;
/// Arguments are read as they were at the trap by going back to it and
/// returning, which replays up to this many cycles: only that close.
const ARGS_WITHIN: u64 = 100_000;

/// The C library's signature of system call `name`.
fn params(name: &str) -> &'static [&'static str] {
    match name {
        "read" | "write" => &["fd", "buf", "n"],
        "exit" => &["status"],
        "sleep" => &["cycles"],
        "kill" => &["pid"],
        "thread_create" => &["fn", "arg"],
        "thread_join" => &["tid"],
        _ => &[],
    }
}

/// Absolute index of the first entry of `log` after `cycle` (entries are
/// in cycle order).
fn first_after<T>(log: &Log<T>, cycle: u64, at: impl Fn(&T) -> u64) -> usize {
    let (mut lo, mut hi) = (log.first_index(), log.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if log.get(mid).is_some_and(|x| at(x) <= cycle) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

fn row(level: &str, text: String, cycle: u64) -> PathRow {
    PathRow {
        level: level.into(),
        text,
        cycle,
    }
}

impl Session {
    /// Every system call the trace keeps (the newest [`MAX_CALLS`]) and the
    /// path of the one that trapped at cycle `chosen` (default: the newest).
    pub fn syscall_path(&mut self, chosen: Option<u64>) -> SyscallPath {
        let mut calls: Vec<SyscallCall> = Vec::new();
        let mut cur = None;
        let mut naming = None;
        for e in self.sim.trace().iter() {
            match &e.kind {
                TraceKind::Os(OsEvent::ContextSwitch { to, .. }) => cur = *to,
                TraceKind::Machine(EventKind::TrapDelivered(d)) if d.vector == T_SYSCALL => {
                    if let Some(t) = cur {
                        calls.push(SyscallCall {
                            cycle: e.cycle,
                            tid: t.0,
                            name: "?".into(),
                        });
                        naming = Some(calls.len() - 1);
                    }
                }
                TraceKind::Os(OsEvent::KernelStep { function, .. }) if naming.is_some() => {
                    if let Some(s) = SYSCALLS.iter().find(|s| s.function == *function) {
                        calls[naming.take().unwrap_or(0)].name = s.name.into();
                    } else if *function == "syscall" {
                        naming = None;
                    }
                }
                _ => {}
            }
        }
        let calls = calls.split_off(calls.len().saturating_sub(MAX_CALLS));
        let call = chosen
            .and_then(|c| calls.iter().find(|x| x.cycle == c))
            .or(calls.last())
            .cloned();
        // Before its kernel step ran, a call is named by %eax at its trap.
        let call = call.map(|mut c| {
            if c.name == "?" {
                let eax = self.trap_eax(&c);
                if let Some(s) = SYSCALLS.iter().find(|s| Some(s.num) == eax) {
                    c.name = s.name.into();
                }
            }
            c
        });
        let mut calls = calls;
        if let Some(c) = &call {
            for x in calls.iter_mut().filter(|x| x.cycle == c.cycle) {
                x.name = c.name.clone();
            }
        }
        let rows = call.as_ref().map_or_else(Vec::new, |c| self.path_rows(c));
        SyscallPath {
            chosen: call.map(|c| c.cycle),
            calls,
            rows,
        }
    }

    /// The delivery of the trap at `call.cycle`.
    fn delivery(&self, call: &SyscallCall) -> Option<DeliveryInfo> {
        let trace = self.sim.trace();
        let from = first_after(trace, call.cycle.saturating_sub(1), |e| e.cycle);
        trace.iter_from(from).find_map(|e| match &e.kind {
            TraceKind::Machine(EventKind::TrapDelivered(d)) if e.cycle == call.cycle => {
                Some(d.clone())
            }
            _ => None,
        })
    }

    /// Where the user stack was at the trap `d` (the return address of the
    /// call into the stub; the CPU pushed it only on a ring change).
    fn user_esp(d: &DeliveryInfo) -> u32 {
        if d.from_cpl != d.to_cpl {
            d.frame.get(3).copied().unwrap_or(0)
        } else {
            d.esp.wrapping_add(12)
        }
    }

    fn trap_eax(&mut self, call: &SyscallCall) -> Option<u32> {
        let d = self.delivery(call)?;
        self.at_trap(call.cycle, ThreadId(call.tid), Self::user_esp(&d))[0]
    }

    fn path_rows(&mut self, call: &SyscallCall) -> Vec<PathRow> {
        let t = ThreadId(call.tid);
        let Some(d) = self.delivery(call) else {
            return Vec::new();
        };
        let mut rows = self.user_side(call, t, &d);
        let (from, to) = (d.from_cpl, d.to_cpl);
        let esp0 = d.esp.wrapping_add(4 * d.frame.len() as u32);
        let pushed = if from != to {
            "SS, ESP, EFLAGS, CS, EIP"
        } else {
            "EFLAGS, CS, EIP"
        };
        let stack = if from != to {
            format!("switch to the kernel stack (TSS.esp0 = {esp0:#010x}), ")
        } else {
            String::new()
        };
        rows.push(row(
            "CPU",
            format!(
                "trap through IDT[{}]: DPL {} \u{2265} CPL {from}, allowed; {stack}push {pushed}; CPL {to}",
                d.vector, d.gate.dpl
            ),
            self.boundary_after(call.cycle),
        ));
        let instrs = self.sim.instructions();
        let after = first_after(instrs, call.cycle, |i| i.cycle);
        if let Some(i) = instrs.iter_from(after).find(|i| i.eip >= KERNBASE) {
            // The stub pushes a dummy error code and the vector; `pushal` the rest.
            let frame = d.esp.wrapping_sub(8 + 32);
            rows.push(row(
                "kernel",
                format!(
                    "entry stub vector{}, alltraps: pushal builds the trap frame at {frame:#010x}",
                    d.vector
                ),
                i.cycle,
            ));
        }
        rows.extend(self.kernel_side(call, t));
        rows
    }

    /// The C-level call and the library stub's instructions before the trap.
    fn user_side(&mut self, call: &SyscallCall, t: ThreadId, d: &DeliveryInfo) -> Vec<PathRow> {
        let instrs = self.sim.instructions();
        let end = first_after(instrs, call.cycle, |i| i.cycle);
        let before: Vec<(u64, u32)> = instrs
            .iter_from(end.saturating_sub(3).max(instrs.first_index()))
            .take(end.saturating_sub(instrs.first_index()).min(3))
            .map(|i| (i.cycle, i.eip))
            .collect();
        let lines: Vec<(u64, String)> = before
            .iter()
            .filter_map(|&(c, eip)| self.line_of(t, eip).map(|(_, text)| (c, text)))
            .collect();
        // The stub: `movl $N, %eax` and `int $64`, after the `call` into it if any.
        let stub = &lines[lines.len().saturating_sub(2)..];
        let start = lines
            .iter()
            .find(|(_, l)| l.starts_with("call"))
            .or(stub.first())
            .map_or(call.cycle, |(c, _)| *c);
        let names = params(&call.name);
        let words = self.at_trap(call.cycle, t, Self::user_esp(d));
        let shown: Vec<String> = names
            .iter()
            .zip(words.iter().skip(1))
            .map(|(n, v)| match v {
                Some(v) if *n == "buf" || *n == "fn" => format!("{n} = {v:#x}"),
                Some(v) => format!("{n} = {v}"),
                None => n.to_string(),
            })
            .collect();
        let mut rows = vec![row(
            "C",
            format!("{}({})", call.name, shown.join(", ")),
            start,
        )];
        rows.extend(stub.iter().map(|(c, l)| row("library", l.clone(), *c)));
        rows
    }

    /// The first instruction boundary after an event at `cycle` (where its
    /// effect shows): the next instruction or kernel step.
    fn boundary_after(&self, cycle: u64) -> u64 {
        let instrs = self.sim.instructions();
        let trace = self.sim.trace();
        let instr = instrs
            .get(first_after(instrs, cycle, |i| i.cycle))
            .map(|i| i.cycle);
        let step = trace
            .iter_from(first_after(trace, cycle, |e| e.cycle))
            .find(|e| matches!(e.kind, TraceKind::Os(OsEvent::KernelStep { .. })))
            .map(|e| e.cycle);
        instr.into_iter().chain(step).min().unwrap_or(cycle + 1)
    }

    /// %eax (the system-call number) and the three words above the return
    /// address on `t`'s user stack at `esp`, as they were at the trap at
    /// `cycle` (found by going back there; `None` when that is too far).
    fn at_trap(&mut self, cycle: u64, t: ThreadId, esp: u32) -> Vec<Option<u32>> {
        let now = self.sim.cycle();
        if let Some((_, w)) = self.args_cache.iter().find(|(c, _)| *c == cycle) {
            return w.clone();
        }
        let pgdir = self.process_of(t).map(|p| p.pgdir);
        let (Some(pgdir), true) = (pgdir, now.saturating_sub(cycle) <= ARGS_WITHIN) else {
            return vec![None; 4];
        };
        self.sim.seek(cycle);
        let m = self.sim.machine();
        let word = |a: u32| {
            crate::mmu::walk(m.mem(), pgdir, a)
                .phys
                .map(|p| m.mem().read_u32(p))
        };
        let mut words = vec![Some(m.cpu().reg(crate::cpu::Reg::Eax))];
        words.extend((1..4).map(|i| word(esp.wrapping_add(4 * i))));
        // The simulation is deterministic: back to exactly where it was.
        self.sim.seek(now);
        if self.args_cache.len() >= 64 {
            self.args_cache.remove(0);
        }
        self.args_cache.push((cycle, words.clone()));
        words
    }

    /// From the trap to the return: the kernel's steps on `t`'s behalf,
    /// blocking, who ran meanwhile, the waking interrupt, `iret`.
    fn kernel_side(&self, call: &SyscallCall, t: ThreadId) -> Vec<PathRow> {
        let mut rows = Vec::new();
        let mut cur = Some(t);
        let mut irq: Option<(u64, u8)> = None;
        let mut iret_at = None;
        let trace = self.sim.trace();
        let events = trace
            .iter_from(first_after(trace, call.cycle, |e| e.cycle))
            .take(FOLLOW);
        for e in events {
            let mine = cur == Some(t);
            match &e.kind {
                TraceKind::Os(OsEvent::KernelStep { function, outcome }) if mine => {
                    let keep = *function == "trap"
                        || function.starts_with("sys_")
                        || *function == "trapret";
                    if keep {
                        let detail = super::kernel_step(outcome);
                        rows.push(row("kernel", format!("{function}(): {detail}"), e.cycle));
                    }
                }
                TraceKind::Os(OsEvent::ThreadState { tid, from, to, .. }) if *tid == t => {
                    match (from, to) {
                        (_, State::Blocked) => rows.push(row(
                            "kernel",
                            format!("{t} blocks: nothing to return yet"),
                            e.cycle,
                        )),
                        (State::Blocked, State::Ready) => {
                            let (c, v) =
                                irq.map_or((e.cycle, 0), |(c, v)| (self.boundary_after(c), v));
                            let by = if v == 0 {
                                "the kernel".into()
                            } else {
                                format!("the {} interrupt (vector {v})", vector_name(v))
                            };
                            rows.push(row("device", format!("{by} wakes {t}: ready"), c));
                        }
                        (_, State::Zombie) => {
                            rows.push(row("kernel", format!("{t} ends: no return"), e.cycle));
                            break;
                        }
                        _ => {}
                    }
                }
                TraceKind::Os(OsEvent::ContextSwitch { from, to }) => {
                    if *from == Some(t) && *to != Some(t) {
                        let who =
                            to.map_or("nobody: the CPU idles".into(), |o| format!("{o} runs"));
                        rows.push(row("scheduler", format!("meanwhile {who}"), e.cycle));
                    } else if *to == Some(t) && cur != Some(t) {
                        rows.push(row(
                            "scheduler",
                            format!("scheduler() picks {t} again; swtch() to it"),
                            e.cycle,
                        ));
                    }
                    cur = *to;
                }
                TraceKind::Machine(EventKind::TrapDelivered(d))
                    if !mine && d.vector != T_SYSCALL =>
                {
                    irq = Some((e.cycle, d.vector));
                }
                TraceKind::Os(OsEvent::SyscallReturn { tid, value, .. }) if *tid == t => {
                    rows.push(row(
                        "kernel",
                        format!("%eax = {value} in the trap frame: the return value"),
                        e.cycle,
                    ));
                }
                TraceKind::Machine(EventKind::Iret { to_cpl, eip, .. }) if mine => {
                    rows.push(row(
                        "CPU",
                        format!(
                            "iret: pop EIP, CS, EFLAGS (ESP, SS) back to {eip:#010x}, CPL {to_cpl}"
                        ),
                        self.boundary_after(e.cycle),
                    ));
                    iret_at = Some(e.cycle);
                    break;
                }
                _ => {}
            }
        }
        let ret = iret_at.and_then(|c| {
            let instrs = self.sim.instructions();
            let i = instrs.get(first_after(instrs, c, |i| i.cycle))?;
            let (_, text) = self.line_of(t, i.eip)?;
            text.starts_with("ret").then(|| {
                row(
                    "library",
                    format!("{text}: back to the caller, result in %eax"),
                    i.cycle,
                )
            })
        });
        rows.extend(ret);
        rows
    }
}
