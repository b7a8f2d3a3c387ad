//! The built-in lessons: each a scenario with its lesson text; programs live
//! in `builtin/*.s`.

use super::{ProcessSpec, ProgramSource, Scenario, VERSION};
use crate::kernel::ExecMode;
use crate::sched::Policy;

pub const BUILTIN_NAMES: [&str; 14] = [
    "processes-vs-threads",
    "syscall-read",
    "restricted-instruction",
    "loop-cooperative",
    "loop-preemptive",
    "direct-execution",
    "io-overlap",
    "convoy-fifo",
    "convoy-sjf",
    "convoy-stcf",
    "rr-response",
    "mlfq-gaming",
    "lottery-fairness",
    "stride-fairness",
];

fn program(name: &str, source: &str) -> ProgramSource {
    ProgramSource {
        name: name.into(),
        source: source.into(),
    }
}

fn process(program: &str, arrival: u64) -> ProcessSpec {
    ProcessSpec {
        program: program.into(),
        arrival,
        tickets: 100,
        expected_len: None,
    }
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

fn job(program: &str, arrival: u64, expected_len: u64, tickets: u32) -> ProcessSpec {
    ProcessSpec {
        program: program.into(),
        arrival,
        tickets,
        expected_len: Some(expected_len),
    }
}

/// The built-in scenario called `name`.
pub fn builtin(name: &str) -> Option<Scenario> {
    use ExecMode::*;
    let rr = Policy::RoundRobin { quantum: 2000 };
    #[allow(clippy::redundant_clone)]
    let mut s = match name {
        "processes-vs-threads" => {
            let mut s = base(
                "Processes vs threads at 0xffe84264",
                "Two programs store 100 at virtual address 0xffe84264, on their stack page. The \
                 first forks: parent and child then have separate page directories, and after \
                 the child writes 200 the two processes read different values at the same \
                 address, through different physical frames. The second creates a thread: both \
                 threads use one page directory, so the worker's write of 200 is what the main \
                 thread reads.",
                Preemptive,
                rr,
            );
            s.programs = vec![
                program("forker", include_str!("builtin/fork.s")),
                program("threader", include_str!("builtin/threads.s")),
            ];
            s.processes = vec![process("forker", 0), process("threader", 0)];
            s
        }
        "syscall-read" => {
            let mut s = base(
                "A read() system call, round trip",
                "The program asks the kernel to read from the console: it puts the system call \
                 number 6 (read) in %eax and executes int $64. The CPU looks up gate 64 in the trap \
                 table, switches to kernel mode and to the kernel stack, and jumps to the handler. \
                 The kernel copies the bytes into the program's buffer and returns with iret, back \
                 to user mode right after the int.",
                Preemptive,
                rr,
            );
            s.programs = vec![program("reader", include_str!("builtin/read.s"))];
            s.processes = vec![process("reader", 0)];
            s.console_input = "hello, trap!\n".into();
            s
        }
        "restricted-instruction" => {
            let mut s = base(
                "A restricted instruction in user mode",
                "cli (disable interrupts) is privileged. At CPL 3 the CPU refuses it with a general \
                 protection fault (#GP, vector 13): it traps into the kernel, which kills the \
                 offending process. The other process never notices.",
                Preemptive,
                rr,
            );
            s.programs = vec![
                program("rogue", include_str!("builtin/cli.s")),
                program("counter", include_str!("builtin/counter.s")),
            ];
            s.processes = vec![process("rogue", 0), process("counter", 0)];
            s
        }
        "loop-cooperative" | "loop-preemptive" => {
            let coop = name == "loop-cooperative";
            let mut s = base(
                if coop {
                    "An infinite loop, cooperative scheduling"
                } else {
                    "An infinite loop, with a timer interrupt"
                },
                if coop {
                    "Without a timer the OS only runs when a program traps. A program that loops \
                     forever without system calls keeps the CPU: the other process never runs \
                     (the run stops at max_cycles)."
                } else {
                    "The timer interrupts the looping program every 2,000 cycles; the kernel gets \
                     control back and the other process runs, prints and exits."
                },
                if coop { Cooperative } else { Preemptive },
                rr,
            );
            s.programs = vec![
                program("spin", include_str!("builtin/spin.s")),
                program("hello", include_str!("builtin/hello.s")),
            ];
            s.processes = vec![process("spin", 0), process("hello", 0)];
            s.max_cycles = 60_000;
            s
        }
        "direct-execution" => {
            let mut s = base(
                "Direct execution gone wrong",
                "With direct execution programs run in kernel mode and there is no timer. The rogue \
                 program reads and writes any physical memory, overwriting the other program's \
                 message, then disables interrupts and loops: the OS never runs again.",
                Direct,
                rr.clone(),
            );
            s.programs = vec![
                program("victim", include_str!("builtin/victim.s")),
                program("rogue", include_str!("builtin/rogue.s")),
            ];
            s.processes = vec![process("victim", 0), process("rogue", 0)];
            s.max_cycles = 400_000;
            s
        }
        "io-overlap" => {
            let mut s = base(
                "Overlapping I/O with computation",
                "The first process reads the disk; each read blocks it for 5,000 cycles until the \
                 disk interrupt. Meanwhile the scheduler runs the CPU-bound process, so the CPU \
                 stays busy while the disk works.",
                Preemptive,
                rr,
            );
            s.programs = vec![
                program("io", include_str!("builtin/io.s")),
                program("cpu", include_str!("builtin/cpu.s")),
            ];
            s.processes = vec![process("io", 0), process("cpu", 0)];
            s
        }
        "convoy-fifo" | "convoy-sjf" | "convoy-stcf" => {
            let (policy, title, lesson, late) = match name {
                "convoy-fifo" => (Policy::Fifo, "The convoy effect under FIFO", "A long job arrives first; two short jobs wait behind it, so the average turnaround time is large.", 0),
                "convoy-sjf" => (Policy::Sjf, "Shortest job first", "With the same jobs, SJF runs the short jobs first and the average turnaround time drops.", 0),
                _ => (Policy::Stcf, "Shortest time-to-completion first", "The short jobs arrive at cycle 1,500, just after the long one has started. SJF could not help; STCF re-decides the moment they arrive (the timer's one-shot alarm brings the kernel in at their arrival cycle) and preempts the long job.", 1500),
            };
            let mut s = base(title, lesson, Preemptive, policy);
            s.programs = vec![
                program("long", include_str!("builtin/long.s")),
                program("short", include_str!("builtin/short.s")),
            ];
            s.processes = vec![
                job("long", 0, 30_000, 100),
                job("short", late, 3_000, 100),
                job("short", late, 3_000, 100),
            ];
            s
        }
        "rr-response" => {
            let mut s = base(
                "Round robin: response time vs turnaround",
                "Three equal jobs under round robin with a 2,000-cycle quantum: each gets the CPU \
                 quickly (good response time) but all finish late (poor turnaround time).",
                Preemptive,
                rr,
            );
            s.programs = vec![program("long", include_str!("builtin/long.s"))];
            s.processes = vec![process("long", 0), process("long", 0), process("long", 0)];
            s
        }
        "mlfq-gaming" => {
            let mut levels = crate::sched::MlfqConfig::uniform(3, 2000, 1);
            levels.stay_on_io = true;
            levels.boost_period = 40_000;
            let mut s = base(
                "MLFQ: a job that games the scheduler, and the boost",
                "The gamer blocks on a tiny disk read just before its time slice ends. This MLFQ \
                 forgets the slice used when a job blocks (no gaming protection), so the gamer \
                 stays at the top while the CPU-bound hog sinks to the bottom queue. The periodic \
                 priority boost lifts the hog back up now and then.",
                Preemptive,
                Policy::Mlfq(levels),
            );
            s.disk_latency = 1000;
            s.programs = vec![
                program("gamer", include_str!("builtin/gamer.s")),
                program("hog", include_str!("builtin/hog.s")),
            ];
            s.processes = vec![process("hog", 0), process("gamer", 0)];
            s
        }
        "lottery-fairness" | "stride-fairness" => {
            let lottery = name == "lottery-fairness";
            let mut s = base(
                if lottery {
                    "Lottery scheduling: 75 vs 25 tickets"
                } else {
                    "Stride scheduling: 75 vs 25 tickets"
                },
                if lottery {
                    "Each time slice goes to a random ticket, drawn as lottery.py does: winner = a \
                     random integer in [0, 100), then walk the job list summing tickets until the sum \
                     exceeds it (the 75-ticket job holds 0–74, the other 75–99); every scheduler() \
                     line shows the winning ticket. 3:1 holds only in expectation, and a short run \
                     drifts far from it: with this seed the 25-ticket job wins just 3 of the 43 \
                     draws held before the other finishes (7 %, not 25 %). Over 240 draws the same \
                     generator gives it 48 (20 %); fairness needs many draws."
                } else {
                    "Stride scheduling gives the same 3:1 split deterministically: each job's pass \
                     advances by its stride, and the lowest pass runs next."
                },
                Preemptive,
                if lottery {
                    Policy::Lottery {
                        quantum: 2000,
                        seed: 0,
                        draw: crate::sched::LotteryDrawMode::RandBelow,
                    }
                } else {
                    Policy::Stride { quantum: 2000 }
                },
            );
            s.seed = 7;
            s.programs = vec![program("hog", include_str!("builtin/hog.s"))];
            s.processes = vec![job("hog", 0, 80_000, 75), job("hog", 0, 80_000, 25)];
            s
        }
        _ => return None,
    };
    s.version = VERSION;
    Some(s)
}

pub fn builtins() -> Vec<(&'static str, Scenario)> {
    BUILTIN_NAMES
        .iter()
        .filter_map(|n| builtin(n).map(|s| (*n, s)))
        .collect()
}
