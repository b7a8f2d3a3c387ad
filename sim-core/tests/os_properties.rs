//! Invariants of the OS model, checked on random programs and workloads:
//! (a) user code can never change kernel memory or another process's frames;
//! (b) every restricted instruction in ring 3 faults with #GP and kills only
//!     its process; (c) no scheduler loses or duplicates a thread.

#[path = "os_properties/isolation.rs"]
mod isolation;
#[path = "os_properties/restricted.rs"]
mod restricted;
#[path = "os_properties/scheduling.rs"]
mod scheduling;

use sim_core::kernel::ExecMode;
use sim_core::scenario::{ProcessSpec, ProgramSource, Scenario, VERSION};
use sim_core::sched::Policy;
use sim_core::sim::{Sim, TraceLevel};

pub(crate) fn scenario(
    policy: Policy,
    programs: &[(&str, String)],
    processes: Vec<ProcessSpec>,
) -> Scenario {
    Scenario {
        version: VERSION,
        title: "property test".into(),
        lesson: String::new(),
        mode: ExecMode::Preemptive,
        timer_interval: 2000,
        disk_latency: 3000,
        scheduler: policy,
        seed: 0,
        programs: programs
            .iter()
            .map(|(name, source)| ProgramSource {
                name: (*name).into(),
                elf: None,
                source: source.clone(),
            })
            .collect(),
        processes,
        max_cycles: 2_000_000,
        watch: Vec::new(),
        console_input: String::new(),
        time_unit: 1,
        chapter: String::new(),
        book: String::new(),
        questions: Vec::new(),
        homework: false,
    }
}

pub(crate) fn spec(program: &str, arrival: u64, tickets: u32, expected_len: u64) -> ProcessSpec {
    ProcessSpec {
        program: program.into(),
        arrival,
        tickets,
        expected_len: Some(expected_len),
    }
}

pub(crate) fn build(s: &Scenario, level: TraceLevel) -> Sim {
    s.build(level)
        .unwrap_or_else(|e| panic!("test scenario must build: {e:?}\n{}", s.to_json()))
}

pub(crate) const RR: Policy = Policy::RoundRobin { quantum: 2000 };

/// Loops without touching memory: the bystander whose frames must not change.
pub(crate) const BYSTANDER: &str =
    "main:\n    movl $50000000, %ecx\n1:  loop 1b\n    pushl $0\n    call exit\n";
