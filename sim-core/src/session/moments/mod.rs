//! Key moments of the built-in lessons, found from the trace.
//!
//! Each built-in names 2–5 moments as patterns over what the simulation
//! records (the first `TrapDelivered` of vector 64, the first process exit
//! with a kill reason, a context switch to a process …). [`find`] runs a
//! copy of the scenario — to the end, the cycle limit, or until every
//! moment is found — and records where each one is. Patterns are matched in
//! order, each after the previous one, so moments come in increasing cycle
//! order and "iret: back to user mode" is the `iret` that ends *that* trap.
//!
//! A moment's cycle is the first instruction boundary after its event (the
//! state with the event's effect visible: the gate lit, the process killed),
//! except for a kernel step, whose moment is the cycle it starts (the view
//! then names that step as the kernel function running). User scenarios have
//! no moments.

use crate::ordmap::OrdMap;

use serde::Serialize;

use crate::event::EventKind;
mod lessons;

use crate::kernel::{OsEvent, Pid, State};
use crate::scenario::Scenario;
use crate::sim::{Sim, TraceLevel};
use crate::trace::{TraceEvent, TraceKind};

/// A key moment of a lesson: a one-line caption and the cycle that shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moment {
    pub caption: String,
    pub cycle: u64,
}

pub(crate) use lessons::{specs, Pat};
use Pat::*;

/// Cycles run between two scans of the trace.
const CHUNK: u64 = 4096;

/// Whether trace event `e` is `pat`; `pid_of` maps threads to processes.
fn is(pat: Pat, e: &TraceEvent, pid_of: &OrdMap<u32, u32>) -> bool {
    match (&e.kind, pat) {
        (TraceKind::Machine(EventKind::TrapDelivered(d)), Trap(v)) => d.vector == v,
        (TraceKind::Machine(EventKind::Iret { eip, .. }), Iret) => {
            *eip < crate::kernel::layout::KERNBASE
        }
        (TraceKind::Os(OsEvent::KernelStep { function, .. }), Step(f)) => *function == f,
        (TraceKind::Os(OsEvent::ProcessCreated { parent, .. }), Forked) => parent.is_some(),
        (TraceKind::Os(OsEvent::ProcessExited { reason, .. }), Killed) => reason.is_some(),
        (TraceKind::Os(OsEvent::ProcessExited { pid, .. }), Exit(p)) => pid.0 == p,
        (TraceKind::Os(OsEvent::ContextSwitch { to: Some(t), .. }), Switch(p)) => {
            pid_of.get(&t.0) == Some(&p)
        }
        (TraceKind::Os(OsEvent::ThreadState { pid, to, .. }), Blocked(p)) => {
            pid.0 == p && *to == State::Blocked
        }
        (TraceKind::Os(OsEvent::SyscallReturn { pid, name, .. }), Syscall(p, n)) => {
            pid.0 == p && name == n
        }
        (TraceKind::Os(OsEvent::Boost), Boost) => true,
        _ => false,
    }
}

/// Whether `pid` sees `value` at the scenario's first watched address now.
fn sees(sim: &Sim, addr: u32, pid: u32, value: u32) -> bool {
    let (m, k) = (sim.machine(), sim.kernel());
    k.process(Pid(pid)).is_some_and(|p| {
        p.exit_status.is_none()
            && crate::mmu::walk(m.mem(), p.pgdir, addr)
                .phys
                .is_some_and(|ph| m.mem().read_u32(ph) == value)
    })
}

/// Steps to the next instruction boundary (the CPU not busy).
fn to_boundary(sim: &mut Sim, limit: u64) {
    while sim.machine().busy_cycles() != 0 && sim.cycle() < limit && sim.halted().is_none() {
        sim.step();
    }
}

/// The key moments of built-in lesson `name` run as `scenario` (its cycle
/// limit bounds the search; a moment not reached before it is left out).
pub fn find(name: &str, scenario: &Scenario) -> Vec<Moment> {
    let specs = specs(name);
    if specs.is_empty() {
        return Vec::new();
    }
    let Ok(mut sim) = scenario.build(TraceLevel::Steps) else {
        return Vec::new();
    };
    let limit = scenario.max_cycles;
    let addr = scenario.watch.first().copied().unwrap_or(0);
    let mut pid_of: OrdMap<u32, u32> = OrdMap::new();
    // (spec index, cycle of its event).
    let mut found: Vec<u64> = Vec::new();
    let mut consumed = sim.trace().first_index();
    let note = |e: &TraceEvent, pid_of: &mut OrdMap<u32, u32>| {
        if let TraceKind::Os(OsEvent::ThreadState { pid, tid, .. }) = &e.kind {
            pid_of.insert(tid.0, pid.0);
        }
    };
    'search: while let Some(spec) = specs.get(found.len()) {
        if let Sees { pid, value } = spec.pat {
            // From the previous moment's event on, in chunks: the first
            // chunk after which it holds holds the write.
            let from = found.last().copied().unwrap_or(0);
            if sim.cycle() > from {
                sim.seek(from);
                consumed = consumed.min(sim.trace().len());
            }
            loop {
                let start = sim.cycle();
                if sees(&sim, addr, pid, value) || start >= limit || sim.halted().is_some() {
                    break;
                }
                sim.run((start + CHUNK).min(limit), &[]);
                if sees(&sim, addr, pid, value) {
                    sim.seek(start);
                    while !sees(&sim, addr, pid, value) && sim.cycle() < limit {
                        sim.step();
                    }
                    break;
                }
            }
            if !sees(&sim, addr, pid, value) {
                break 'search;
            }
            to_boundary(&mut sim, limit);
            found.push(sim.cycle());
            // Events up to here happened before the write.
            for i in consumed..sim.trace().len() {
                if let Some(e) = sim.trace().get(i) {
                    note(e, &mut pid_of);
                }
            }
            consumed = sim.trace().len();
            continue;
        }
        while consumed < sim.trace().len() {
            let i = consumed;
            consumed += 1;
            let Some(e) = sim.trace().get(i) else {
                continue;
            };
            note(e, &mut pid_of);
            if is(spec.pat, e, &pid_of) {
                found.push(e.cycle);
                continue 'search;
            }
        }
        if sim.cycle() >= limit || sim.halted().is_some() {
            break;
        }
        let start = sim.cycle();
        sim.run((start + CHUNK).min(limit), &[]);
    }
    // Where each moment is shown: a kernel step where it starts, any other
    // event at the first boundary after it.
    let mut out: Vec<Moment> = Vec::new();
    for (spec, &at) in specs.iter().zip(&found) {
        let cycle = match spec.pat {
            Step(_) | Sees { .. } => at,
            _ => {
                sim.seek(at + 1);
                to_boundary(&mut sim, limit);
                sim.cycle()
            }
        };
        if cycle >= limit || out.last().is_some_and(|m| m.cycle >= cycle) {
            break;
        }
        out.push(Moment {
            caption: spec.caption.to_string(),
            cycle,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, BUILTIN_NAMES};
    use crate::session::{Command, Session, View};

    /// What the view must show at a moment of pattern `pat`.
    fn shows(pat: Pat, v: &View) -> Result<(), String> {
        let proc = |p: u32| v.processes.iter().find(|x| x.pid.0 == p);
        let ok = match pat {
            Trap(vec) => v.active_gate == Some(vec),
            Step(f) => v.cpu.kernel_function.as_deref() == Some(f),
            Iret => !v.code.kernel,
            Forked => v.processes.iter().any(|p| p.parent.is_some()),
            Killed => v.processes.iter().any(|p| p.killed.is_some()),
            Exit(p) => proc(p).is_some_and(|p| p.exit_status.is_some()),
            Switch(p) => proc(p).is_some_and(|p| p.state == State::Running),
            Blocked(p) => {
                proc(p).is_some_and(|p| p.threads.iter().any(|t| t.state == State::Blocked))
            }
            Syscall(p, _) => proc(p).is_some(),
            Boost => v.events.iter().any(|e| e.text.contains("boost")),
            Sees { pid, value } => v.address_spaces[0]
                .spaces
                .iter()
                .any(|s| s.pid.0 == pid && s.value == Some(value)),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{pat:?} not shown at cycle {}", v.cycle))
        }
    }

    #[test]
    fn every_builtin_has_its_moments_in_order_below_the_limit_and_they_show() {
        for name in BUILTIN_NAMES {
            let scenario = builtin(name).expect("built-in");
            let specs = specs(name);
            assert!(
                (2..=5).contains(&specs.len()),
                "{name}: {} moments",
                specs.len()
            );
            let moments = find(name, &scenario);
            let captions: Vec<&str> = moments.iter().map(|m| m.caption.as_str()).collect();
            assert_eq!(
                captions,
                specs.iter().map(|s| s.caption).collect::<Vec<_>>(),
                "{name}: {moments:?}"
            );
            assert!(
                moments.windows(2).all(|w| w[0].cycle < w[1].cycle),
                "{name}: {moments:?}"
            );
            assert!(moments.iter().all(|m| m.cycle < scenario.max_cycles));
            let mut s = Session::new(scenario).expect("builds");
            for (m, spec) in moments.iter().zip(specs) {
                s.apply(&Command::Seek { cycle: m.cycle });
                let v = s.view();
                assert_eq!(v.cycle, m.cycle);
                if let Err(e) = shows(spec.pat, &v) {
                    panic!("{name}: \u{201c}{}\u{201d}: {e}", m.caption);
                }
            }
        }
    }

    #[test]
    fn syscall_read_moments_show_the_gate_the_frame_and_user_mode() {
        let moments = find("syscall-read", &builtin("syscall-read").unwrap());
        let mut s = Session::load_builtin("syscall-read").unwrap();
        let at = |s: &mut Session, i: usize| {
            s.apply(&Command::Seek {
                cycle: moments[i].cycle,
            });
            s.view()
        };
        let v = at(&mut s, 0);
        assert_eq!(v.active_gate, Some(64));
        let words = &v.kernel_stack.as_ref().expect("frame").words;
        assert_eq!(words.len(), 5, "the CPU's five words during delivery");
        assert!(words.iter().all(|w| w.by_cpu));
        let v = at(&mut s, 1);
        assert_eq!(v.kernel_stack.as_ref().expect("frame").words.len(), 15);
        let v = at(&mut s, 3);
        assert_eq!(v.cpu.cpl, 3);
        assert_eq!(v.active_gate, None);
    }

    #[test]
    fn user_scenarios_and_unknown_names_have_none() {
        let s = builtin("syscall-read").unwrap();
        assert!(find("mine-1", &s).is_empty());
    }

    #[test]
    fn a_lower_cycle_limit_leaves_out_what_lies_beyond_it() {
        let mut s = builtin("restricted-instruction").unwrap();
        let all = find("restricted-instruction", &s);
        s.max_cycles = all[1].cycle;
        let some = find("restricted-instruction", &s);
        assert_eq!(some.len(), 1);
        assert_eq!(some[0], all[0]);
    }
}
