//! The built-in lessons: each a scenario with its lesson text; programs live
//! in `builtin/*.s`.

use super::{ProcessSpec, ProgramSource, Scenario, VERSION};
use crate::kernel::ExecMode;
use crate::sched::Policy;

pub const BUILTIN_NAMES: [&str; 1] = ["syscall-read"];

fn program(name: &str, source: &str) -> ProgramSource {
    ProgramSource { name: name.into(), source: source.into() }
}

fn process(program: &str, arrival: u64) -> ProcessSpec {
    ProcessSpec { program: program.into(), arrival, tickets: 100, expected_len: None }
}

fn base(title: &str, lesson: &str, mode: ExecMode, scheduler: Policy) -> Scenario {
    Scenario {
        version: VERSION,
        title: title.into(),
        lesson: lesson.into(),
        mode,
        timer_interval: 2000,
        disk_latency: 5000,
        scheduler,
        seed: 0,
        programs: Vec::new(),
        processes: Vec::new(),
        max_cycles: 2_000_000,
        watch: vec![0xffe8_4264],
        console_input: String::new(),
    }
}

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<Scenario> {
    Some(match name {
        "syscall-read" => {
            let mut s = base(
                "A read() system call, round trip",
                "The program asks the kernel to read from the console: it puts the system call \
                 number 6 (read) in %eax and executes int $64. The CPU looks up gate 64 in the trap \
                 table, switches to kernel mode and to the kernel stack, and jumps to the handler. \
                 The kernel copies the bytes into the program's buffer and returns with iret, back \
                 to user mode right after the int.",
                ExecMode::Preemptive,
                Policy::RoundRobin { quantum: 2000 },
            );
            s.programs = vec![program("reader", include_str!("builtin/read.s"))];
            s.processes = vec![process("reader", 0)];
            s.console_input = "hello, trap!\n".into();
            s
        }
        _ => return None,
    })
}

pub fn builtins() -> Vec<(&'static str, Scenario)> {
    BUILTIN_NAMES.iter().filter_map(|n| builtin(n).map(|s| (*n, s))).collect()
}
