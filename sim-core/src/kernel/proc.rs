//! Processes and threads (compare xv6's proc.h and proc.c): the PCB and
//! thread types, `allocproc()` and thread creation. The rest of proc.c is in
//! scheduler.rs (`scheduler()`, idle), sleep.rs (sleep, wakeup) and exit.rs.

use serde::{Deserialize, Serialize};

use crate::cpu::{flags, selector};
use crate::machine::Machine;
use crate::mmu::{pte, Walk};
use crate::sched::metrics::JobTimes;
use crate::sched::JobInfo;

use super::frame::{self, TrapFrame};
use super::layout::{self, p2v, ustack_top, PAGE, USER_TEXT, USTACK_PAGES};
use super::shared::Shared;
use super::{vm, ExecMode, Kernel, OsEvent, UserProgram};
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
    /// The times the scheduling metrics are defined on ([`crate::sched::metrics`]).
    pub fn times(&self) -> JobTimes {
        JobTimes {
            arrival: self.arrival,
            first_run: self.first_run,
            completion: self.finish,
            wait: self.wait,
        }
    }
    pub fn turnaround(&self) -> Option<u64> {
        self.times().turnaround()
    }
    pub fn response(&self) -> Option<u64> {
        self.times().response()
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

impl Kernel {
    /// `allocproc()`: creates the process of spawn `spawn` that arrived: its
    /// address space with the program loaded, its PCB, its main thread.
    pub(super) fn allocproc(
        &mut self,
        m: &mut Machine,
        spawn: usize,
        now: u64,
    ) -> Result<Pid, String> {
        let s = self.spawns[spawn].clone();
        let prog = self.programs[s.program].clone();
        let (pgdir, image_end) = self.load_program(m, &prog)?;
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        self.procs.insert(
            pid,
            Shared::new(Process {
                pid,
                name: prog.name.clone(),
                program: s.program,
                parent: None,
                pgdir,
                threads: Vec::new(),
                files: vec![File::ConsoleIn, File::ConsoleOut, File::Disk { offset: 0 }],
                exit_status: None,
                killed: None,
                image_end: image_end.max(USER_TEXT),
                acct: Accounting {
                    arrival: now,
                    ..Accounting::default()
                },
                thread_slots: 0,
                tickets: s.tickets,
                last_look: Vec::new(),
                expected_len: s.expected_len,
                waiting_since: None,
            }),
        );
        self.events.push(OsEvent::ProcessCreated {
            pid,
            name: prog.name.clone(),
            parent: None,
        });
        let ret = prog
            .program
            .symbols
            .get("__main_return")
            .copied()
            .unwrap_or(0);
        let tid = self.create_thread(m, pid, prog.entry, Some(&[ret]), now)?;
        // The process arrived at its scenario cycle (the alarm brings the
        // kernel in then; creating it takes a few cycles more).
        let arrival = s.arrival.min(now);
        if let Some(p) = self.procs.get_mut(&pid) {
            p.acct.arrival = arrival;
        }
        if let Some(t) = self.threads.get_mut(&tid) {
            t.acct.arrival = arrival;
            t.ready_since = Some(arrival);
        }
        if let Some(p) = self.procs.get_mut(&pid) {
            p.waiting_since = Some(arrival);
        }
        Ok(pid)
    }

    /// A new address space with `prog`'s segments loaded (xv6's
    /// `inituvm`/`exec`); returns its page directory and the highest address
    /// of the image. Segments may share a page (an assembled program's data
    /// follows its text): a page is mapped once, when first needed.
    fn load_program(&mut self, m: &mut Machine, prog: &UserProgram) -> Result<(u32, u32), String> {
        let mem = m.mem_mut();
        let pgdir =
            vm::new_address_space(mem, &mut self.frames, self.template).ok_or("out of memory")?;
        let mut image_end = USER_TEXT;
        for s in &prog.segments {
            let end = s.vaddr.saturating_add(s.mem_size.max(1));
            let first = s.vaddr & !(PAGE - 1);
            for page in (u64::from(first)..u64::from(end)).step_by(PAGE as usize) {
                let page = page as u32;
                if vm::user_phys(mem, pgdir, page, true).is_err() {
                    vm::map_user(
                        mem,
                        &mut self.frames,
                        pgdir,
                        page,
                        PAGE,
                        &[],
                        pte::US | pte::RW,
                    )
                    .map_err(|e| e.to_string())?;
                }
            }
            vm::copy_out(mem, pgdir, s.vaddr, &s.bytes).map_err(|_| "segment not mapped")?;
            image_end = image_end.max(end);
        }
        Ok((pgdir, image_end))
    }

    /// A new thread of `pid` starting at `eip` with `stack` (lowest word first)
    /// on a fresh user stack; admitted to the scheduler as ready. With
    /// `stack: None` (fork) the stack already exists and the caller writes the frame.
    pub(super) fn create_thread(
        &mut self,
        m: &mut Machine,
        pid: Pid,
        eip: u32,
        stack: Option<&[u32]>,
        now: u64,
    ) -> Result<Tid, String> {
        let direct = self.config.mode == ExecMode::Direct;
        let p = self.procs.get_mut(&pid).ok_or("no such process")?;
        if stack.is_some() && p.thread_slots >= layout::MAX_THREADS {
            return Err(format!("{pid} already has {} threads", layout::MAX_THREADS));
        }
        let slot = p.thread_slots;
        p.thread_slots += 1;
        let pgdir = p.pgdir;
        let top = ustack_top(slot);
        let mem = m.mem_mut();
        let size = USTACK_PAGES * PAGE;
        let mut esp = top;
        if let Some(stack) = stack {
            vm::map_user(
                mem,
                &mut self.frames,
                pgdir,
                top - size,
                size,
                &[],
                pte::US | pte::RW,
            )
            .map_err(|e| e.to_string())?;
            esp = top - 4 * stack.len() as u32;
            let bytes: Vec<u8> = stack.iter().flat_map(|w| w.to_le_bytes()).collect();
            vm::copy_out(mem, pgdir, esp, &bytes).map_err(|_| "user stack not mapped")?;
        }
        let kstack = self.frames.alloc(mem).ok_or("out of memory")?;
        let tf_at = first_frame(mem, pgdir, kstack, eip, esp, direct);
        let tid = Tid(self.next_tid);
        self.next_tid += 1;
        let acct = Accounting {
            arrival: now,
            ..Accounting::default()
        };
        self.live_threads += 1;
        self.threads.insert(
            tid,
            Shared::new(Thread {
                tid,
                pid,
                state: State::New,
                wait: None,
                kstack,
                tf: tf_at,
                slot,
                exit_value: None,
                acct,
                ready_since: None,
            }),
        );
        let info = JobInfo {
            expected_len: p_expected(&self.procs[&pid]),
            tickets: self.procs[&pid].tickets,
        };
        if let Some(p) = self.procs.get_mut(&pid) {
            p.threads.push(tid);
        }
        self.set_state(tid, State::Ready, now);
        self.sched.admit(tid, &info, now);
        Ok(tid)
    }
}

/// Writes the trap frame a new thread starts from (`trapret` pops it and
/// `iret`s to `eip` with stack `esp`); returns where it is. In direct mode
/// there is no ring change: the frame lives on the user stack and `iret`
/// leaves ESP just above it; otherwise it is at the top of the kernel stack.
fn first_frame(
    mem: &mut crate::mem::PhysMem,
    pgdir: u32,
    kstack: u32,
    eip: u32,
    esp: u32,
    direct: bool,
) -> u32 {
    let (cs, ss) = if direct {
        (selector::KERNEL_CODE, selector::KERNEL_DATA)
    } else {
        (selector::USER_CODE, selector::USER_DATA)
    };
    let tf = TrapFrame {
        eip,
        cs: u32::from(cs),
        eflags: flags::RESERVED1 | flags::IF,
        esp,
        ss: u32::from(ss),
        ..TrapFrame::default()
    };
    let at = if direct {
        esp - frame::SIZE_SAME_RING
    } else {
        p2v(kstack) + PAGE - frame::SIZE
    };
    tf.write(mem, pgdir, at);
    at
}

fn p_expected(p: &Process) -> Option<u64> {
    p.expected_len
}
