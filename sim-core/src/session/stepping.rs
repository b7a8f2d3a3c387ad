//! Stepping by a granularity, forward and back: forward runs cycle by cycle
//! until the next unit of `g` completes at an instruction boundary; back
//! undoes the newest forward step exactly, or finds the latest earlier
//! position that stepping forward reaches.

use super::{Granularity, Session, STEP_LIMIT, UNDO_LIMIT};
use crate::event::EventKind;
use crate::kernel::OsEvent;
use crate::trace::{TraceEvent, TraceKind};

impl Session {
    /// Steps forward by `g`, remembering the step for [`Command::StepBack`].
    pub(super) fn step_undoable(&mut self, g: Granularity) {
        let before = self.sim.cycle();
        self.step(g);
        let after = self.sim.cycle();
        if after > before {
            if self.undo.len() >= UNDO_LIMIT {
                self.undo.remove(0);
            }
            self.undo.push((g, before, after));
        }
    }

    /// Undoes the newest forward step if it was by `g` and ended here, else
    /// goes back to the previous unit of `g` (and forgets the steps).
    pub(super) fn undo_or_step_back(&mut self, g: Granularity) {
        let now = self.sim.cycle();
        match self.undo.last() {
            Some(&(ug, before, after)) if ug == g && after == now => {
                self.undo.pop();
                self.sim.seek(before);
            }
            _ => {
                self.undo.clear();
                self.step_back(g);
            }
        }
    }

    pub(super) fn step(&mut self, g: Granularity) {
        let start = self.sim.cycle();
        let mut seen = false;
        while self.sim.cycle() - start < STEP_LIMIT
            && self.sim.cycle() < self.limit()
            && self.sim.halted().is_none()
        {
            let (from, from_instr) = (self.sim.trace().len(), self.sim.instructions().len());
            self.sim.step();
            seen |= g == Granularity::Cycle
                || (g == Granularity::Instruction && self.sim.instructions().len() > from_instr)
                || self.sim.trace().iter_from(from).any(|e| matches(e, g));
            if seen && (g == Granularity::Cycle || self.at_boundary()) {
                break;
            }
        }
    }

    /// The CPU is between instructions and no kernel step is half done.
    pub(super) fn at_boundary(&self) -> bool {
        self.sim.machine().busy_cycles() == 0
    }

    /// Back to the latest position < now that stepping forward by `g` reaches:
    /// the boundary after an earlier event of that kind.
    pub(super) fn step_back(&mut self, g: Granularity) {
        let now = self.sim.cycle();
        if g == Granularity::Cycle {
            self.sim.seek(now.saturating_sub(1));
            return;
        }
        let mut candidates: Vec<u64> = self
            .sim
            .trace()
            .iter()
            .rev()
            .filter(|e| e.cycle < now && matches(e, g))
            .map(|e| e.cycle)
            .take(4)
            .collect();
        if g == Granularity::Instruction {
            candidates.extend(
                self.sim
                    .instructions()
                    .iter_rev()
                    .filter(|i| i.cycle < now)
                    .map(|i| i.cycle)
                    .take(4),
            );
            crate::sort::sort_by(&mut candidates, |a, b| b.cmp(a));
            candidates.dedup();
        }
        for c in candidates {
            self.sim.seek(c);
            self.step(g);
            if self.sim.cycle() < now {
                return;
            }
        }
        self.sim.seek(0);
    }
}

/// Whether trace event `e` completes a unit of `g`.
fn matches(e: &TraceEvent, g: Granularity) -> bool {
    use Granularity as G;
    matches!(
        (&e.kind, g),
        (_, G::Cycle)
            | (TraceKind::Os(OsEvent::KernelStep { .. }), G::Instruction)
            | (
                TraceKind::Machine(EventKind::TrapDelivered(_)),
                G::Instruction | G::Trap
            )
            | (
                TraceKind::Machine(EventKind::ModeSwitch { .. }),
                G::ModeSwitch
            )
            | (
                TraceKind::Os(OsEvent::ContextSwitch { .. }),
                G::ContextSwitch
            )
    )
}
