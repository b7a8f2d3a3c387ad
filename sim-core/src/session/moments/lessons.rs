//! The key moments of each built-in lesson, as patterns over the trace
//! (the data [`super::find`] looks for).

/// What makes a moment, matched against trace events (or, for
/// [`Pat::Sees`], the write that changes what a process sees).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pat {
    /// A trap or interrupt of this vector was delivered.
    Trap(u8),
    /// The kernel runs this C-level step (`trap`, `sys_read`, …).
    Step(&'static str),
    /// `iret` back to a user program.
    Iret,
    /// A process was created by `fork` (it has a parent).
    Forked,
    /// A process exited with a kill reason.
    Killed,
    /// This process exited.
    Exit(u32),
    /// The kernel switched to a thread of this process.
    Switch(u32),
    /// A thread of this process blocked.
    Blocked(u32),
    /// This process returned from this system call.
    Syscall(u32, &'static str),
    /// MLFQ's priority boost.
    Boost,
    /// This process sees `value` at the first watched address: the write
    /// that put it there (found from the machine's memory, cycle-exact).
    Sees { pid: u32, value: u32 },
}

pub(crate) struct Spec {
    pub caption: &'static str,
    pub pat: Pat,
}

/// A moment spec (a macro, so the lists are constants promoted to `'static`).
macro_rules! m {
    ($caption:expr, $pat:expr $(,)?) => {
        Spec {
            caption: $caption,
            pat: $pat,
        }
    };
}

use Pat::*;

/// The key moments of the built-in lesson `name` (none for other names).
pub(crate) fn specs(name: &str) -> &'static [Spec] {
    match name {
        "processes-vs-threads" => &[
            m!("fork(): P3 gets its own copy of the address space", Forked),
            m!(
                "the child writes 200: only its own copy changes",
                Sees { pid: 3, value: 200 },
            ),
            m!(
                "the worker thread writes 200: the whole of P2 sees it",
                Sees { pid: 2, value: 200 },
            ),
            m!("the parent exits with the 100 it saw", Exit(1)),
            m!("main exits with the worker's 200", Exit(2)),
        ],
        "syscall-read" => &[
            m!("int $64: into the kernel", Trap(64)),
            m!("the frame is built: trap() runs", Step("trap")),
            m!(
                "sys_read copies the input into the buffer",
                Step("sys_read")
            ),
            m!("iret: back to user mode", Iret),
        ],
        "restricted-instruction" => &[
            m!("cli at CPL 3: #GP, vector 13", Trap(13)),
            m!("#GP: the process is killed", Killed),
            m!("counter runs on and exits", Exit(2)),
        ],
        "loop-cooperative" => &[
            m!("the kernel gives spin the CPU", Switch(1)),
            m!("spin loops in user mode: no trap will ever come", Iret),
        ],
        "loop-preemptive" => &[
            m!("spin loops in user mode", Iret),
            m!("the timer interrupts spin", Trap(32)),
            m!("the kernel switches to hello", Switch(2)),
            m!("hello prints and exits", Exit(2)),
        ],
        "direct-execution" => &[
            m!("the victim prints its message", Syscall(1, "write")),
            m!(
                "the writer has overwritten it in ring 0, and exits",
                Exit(2)
            ),
            m!(
                "the reader spins while the disk works: nothing else runs",
                Step("spin")
            ),
            m!(
                "the victim prints again: its message is damaged",
                Syscall(1, "write"),
            ),
            m!(
                "the rogue gets the CPU: cli, the OS never runs again",
                Switch(4)
            ),
        ],
        "io-overlap" => &[
            m!("io blocks on the disk", Blocked(1)),
            m!("the CPU-bound process runs meanwhile", Switch(2)),
            m!("the disk interrupt: the read is done", Trap(46)),
            m!("io finishes", Exit(1)),
        ],
        "convoy-fifo" => &[
            m!("FIFO runs the long job first", Iret),
            m!("a short job finally runs", Switch(2)),
            m!("the last short job finishes", Exit(3)),
        ],
        "convoy-sjf" => &[
            m!("SJF runs a short job first", Switch(2)),
            m!("the long job runs last", Switch(1)),
            m!("the long job finishes", Exit(1)),
        ],
        "convoy-stcf" => &[
            m!("the long job starts alone", Iret),
            m!(
                "the short jobs arrive: the alarm brings the kernel in",
                Trap(33)
            ),
            m!("STCF preempts the long job", Switch(2)),
            m!("the long job finishes last", Exit(1)),
        ],
        "rr-response" => &[
            m!("the first timer tick", Trap(32)),
            m!("the second job gets its first turn", Switch(2)),
            m!("every job has run once: quick response", Switch(3)),
            m!("the first job finishes, late", Exit(1)),
        ],
        "mlfq-gaming" => &[
            m!("the gamer blocks just before its slice ends", Blocked(2)),
            m!("A runs only while the gamer waits", Switch(1)),
            m!("the gamer finishes, on top all along", Exit(2)),
        ],
        "mlfq-accounting" => &[
            m!("the gamer arrives", Switch(2)),
            m!(
                "the gamer blocks: its slice used so far is kept",
                Blocked(2)
            ),
            m!("the gamer finishes", Exit(2)),
        ],
        "lottery-fairness" => &[
            m!("the 25-ticket job wins a draw", Switch(2)),
            m!("the 75-ticket job wins again", Switch(1)),
        ],
        "lottery-unfairness" => &[
            m!("B wins a draw", Switch(2)),
            m!("A wins one back", Switch(1)),
        ],
        "stride-table" => &[
            m!("B's turn: the lowest pass, tied with C", Switch(2)),
            m!("C's turn: pass 0", Switch(3)),
            m!("A again: pass 100 is now the lowest", Switch(1)),
        ],
        "lde-boot" => &[
            m!("the OS creates the process", Step("allocproc")),
            m!("return-from-trap: the program runs in user mode", Iret),
            m!("the program exits", Exit(1)),
        ],
        "lde-syscall" => &[
            m!(
                "int $64: the hardware saves the registers, kernel mode",
                Trap(64)
            ),
            m!("the handler does the work: sys_write", Step("sys_write")),
            m!("return-from-trap: back to user mode after the int", Iret),
            m!("main exits", Exit(1)),
        ],
        "lde-timer" => &[
            m!("the timer interrupts A", Trap(32)),
            m!("swtch: A's registers saved, B's restored", Switch(2)),
            m!("return-from-trap into B", Iret),
        ],
        "sched-fifo" => &[
            m!("A finishes at 10", Exit(1)),
            m!("B finishes at 20", Exit(2)),
            m!("C finishes at 30", Exit(3)),
        ],
        "sjf-late" => &[
            m!("B and C arrive: SJF lets A run on", Trap(33)),
            m!("A finishes at 100", Exit(1)),
            m!("C finishes at 120", Exit(3)),
        ],
        "stcf-late" => &[
            m!("B and C arrive: the alarm brings the kernel in", Trap(33)),
            m!("STCF preempts A for B", Switch(2)),
            m!("A finishes last", Exit(1)),
        ],
        "sjf-response" => &[
            m!("A finishes at 5", Exit(1)),
            m!("C first runs at 10", Switch(3)),
            m!("C finishes at 15", Exit(3)),
        ],
        "mlfq-long" => &[
            m!("the first timer tick", Trap(32)),
            m!("A finishes, in the lowest queue", Exit(1)),
        ],
        "mlfq-short" => &[
            m!("B arrives and preempts A", Switch(2)),
            m!("B finishes near the top", Exit(2)),
            m!("A finishes", Exit(1)),
        ],
        "mlfq-interactive" => &[
            m!("B arrives at the top", Switch(2)),
            m!("B waits for the disk", Blocked(2)),
            m!("A runs while B waits", Switch(1)),
        ],
        "mlfq-starve" => &[
            m!("the interactive jobs arrive", Switch(2)),
            m!("C finishes", Exit(3)),
            m!("only now does A run again, and finish", Exit(1)),
        ],
        "mlfq-boost" => &[
            m!("the interactive jobs arrive", Switch(2)),
            m!("the priority boost: every job back to the top", Boost),
            m!("A finishes", Exit(1)),
        ],
        "stride-fairness" => &[
            m!("the 25-ticket job gets its turn", Switch(2)),
            m!("the 75-ticket job finishes", Exit(1)),
            m!("the 25-ticket job finishes", Exit(2)),
        ],
        _ => &[],
    }
}
