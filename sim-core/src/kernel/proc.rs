//! Process control blocks and threads (compare xv6's proc.h).

use serde::{Deserialize, Serialize};

use crate::mmu::Walk;
pub use crate::sched::ThreadId as Tid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pid(pub u32);

impl std::fmt::Display for Pid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P{}", self.0)
    }
}

/// The life cycle of OSTEP figure 4.2, plus `New` (created, not yet admitted)
/// and `Zombie` (exited, not yet reaped by `wait`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    New,
    Ready,
    Running,
    Blocked,
    Zombie,
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitFor {
    /// Its disk request (read or write) to complete.
    Disk,
    /// A child process to exit (`wait`).
    Child,
    /// Another thread of its process to finish (`thread_join`).
    Join(Tid),
    /// The clock to reach this cycle (`sleep`).
    Until(u64),
}

/// Per-thread (and, summed, per-process) time accounting, in cycles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounting {
    pub arrival: u64,
    pub first_run: Option<u64>,
    pub finish: Option<u64>,
    /// Cycles on the CPU (user code and kernel work on its behalf).
    pub cpu: u64,
    /// Cycles spent ready but not running. For a process: cycles in which it
    /// had a ready thread and none running (not the sum of its threads').
    pub wait: u64,
}

impl Accounting {
    pub fn turnaround(&self) -> Option<u64> {
        self.finish.map(|f| f - self.arrival)
    }
    pub fn response(&self) -> Option<u64> {
        self.first_run.map(|r| r - self.arrival)
    }
}

/// An open file of a process (xv6's `ofile`): descriptors 0, 1, 2 are opened
/// for every process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum File {
    ConsoleIn,
    ConsoleOut,
    /// The disk as a flat file of 512-byte blocks, with a file offset.
    Disk {
        offset: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub pid: Pid,
    /// The program it runs (scenario program name) and its index.
    pub name: String,
    pub program: usize,
    pub parent: Option<Pid>,
    /// Physical address of its page directory (CR3), shared by its threads.
    pub pgdir: u32,
    pub threads: Vec<Tid>,
    pub files: Vec<File>,
    /// Set when the process has exited (all threads gone).
    pub exit_status: Option<i32>,
    /// Why the kernel killed it, if it did (a fault, `kill`).
    pub killed: Option<String>,
    /// Highest user address of its program image (text + data), for `fork`.
    pub image_end: u32,
    pub acct: Accounting,
    /// Threads created so far (the next one's stack index).
    pub thread_slots: u32,
    /// Lottery/stride tickets and the job length hint for SJF/STCF.
    pub tickets: u32,
    pub expected_len: Option<u64>,
    /// What the watched addresses translated to, and held, when it exited:
    /// its memory is freed then, but the views keep showing what it saw.
    #[serde(default)]
    pub last_look: Vec<(Walk, Option<u32>)>,
    /// Since when it has had a ready thread and none running.
    #[serde(default)]
    pub waiting_since: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub tid: Tid,
    pub pid: Pid,
    pub state: State,
    pub wait: Option<WaitFor>,
    /// Physical address of its kernel stack frame.
    pub kstack: u32,
    /// Kernel virtual address of its saved trap frame (its `context`).
    pub tf: u32,
    /// Index among its process's threads (0 = main): picks its user stack.
    pub slot: u32,
    /// Value returned by its start function (for `thread_join`).
    pub exit_value: Option<u32>,
    pub acct: Accounting,
    /// Cycle it last became ready (for wait-time accounting).
    pub ready_since: Option<u64>,
}
