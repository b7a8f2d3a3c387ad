//! The trace: every event with its cycle and its actor, so that OSTEP's
//! limited-direct-execution figure (Program / Hardware / OS columns), Gantt
//! spans and the event log can all be drawn from it.

use serde::{Deserialize, Serialize};

use crate::event::EventKind;
use crate::kernel::layout::KERNBASE;
use crate::kernel::OsEvent;

/// Who did it: the columns of OSTEP figure 6.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// User code (in user mode, or in ring 0 under direct execution).
    Program,
    /// The CPU and devices on their own: traps, mode switches, interrupts.
    Hardware,
    /// The kernel: its x86 stubs and its C-level steps.
    Os,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TraceKind {
    Machine(EventKind),
    Os(OsEvent),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    pub cycle: u64,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// The actor of a machine event; `code_actor` is who ran the instruction of
/// this cycle (memory accesses belong to it).
pub fn machine_actor(e: &EventKind, code_actor: Actor) -> Actor {
    match e {
        EventKind::InstructionRetired { .. }
        | EventKind::MemRead { .. }
        | EventKind::MemWrite { .. }
        | EventKind::PortIn { .. }
        | EventKind::PortOut { .. } => code_actor,
        _ => Actor::Hardware,
    }
}

/// Kernel code lives at and above KERNBASE.
pub fn actor_of_eip(eip: u32) -> Actor {
    if eip >= KERNBASE {
        Actor::Os
    } else {
        Actor::Program
    }
}
