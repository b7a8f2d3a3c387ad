//! Processes and threads (compare xv6's proc.h and proc.c): the PCB and
//! thread types, `allocproc()`, `scheduler()`, sleeping and waking, exit.

use serde::{Deserialize, Serialize};

use crate::cpu::{flags, selector, Reg};
use crate::machine::Machine;
use crate::mmu::{pte, Walk};
use crate::sched::metrics::JobTimes;
use crate::sched::{After, JobInfo};

use super::frame::{self, TrapFrame};
use super::kstep::Ran;
use super::layout::{self, p2v, ustack_top, IDLE_STACK_PHYS, PAGE, USER_TEXT, USTACK_PAGES};
use super::outcome::{SchedOutcome, StepOutcome};
use super::syscall::TICK_CYCLES;
use super::{vm, ExecMode, KStep, Kernel, OsEvent};
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
        let mem = m.mem_mut();
        let pgdir =
            vm::new_address_space(mem, &mut self.frames, self.template).ok_or("out of memory")?;
        let text = &prog.program.text;
        let data = &prog.program.data;
        vm::map_user(
            mem,
            &mut self.frames,
            pgdir,
            text.base,
            text.bytes.len() as u32,
            &text.bytes,
            pte::US | pte::RW,
        )
        .map_err(|e| e.to_string())?;
        if !data.bytes.is_empty() {
            // The data section may share the last text page: map only what is new.
            let start = (text.base + text.bytes.len() as u32 + 0xfff) & !0xfff;
            let end = data.base + data.bytes.len() as u32;
            if end > start {
                vm::map_user(
                    mem,
                    &mut self.frames,
                    pgdir,
                    start,
                    end - start,
                    &[],
                    pte::US | pte::RW,
                )
                .map_err(|e| e.to_string())?;
            }
            for (i, b) in data.bytes.iter().enumerate() {
                if let Ok(p) = vm::user_phys(mem, pgdir, data.base + i as u32, true) {
                    mem.write_u8(p, *b);
                }
            }
        }
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        let image_end = text.base.max(data.base) + text.bytes.len().max(data.bytes.len()) as u32;
        self.procs.insert(
            pid,
            Process {
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
            },
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
        // In direct mode there is no ring change: the frame lives on the user
        // stack and `iret` leaves ESP just above it.
        let tf_at = if direct {
            esp - frame::SIZE_SAME_RING
        } else {
            p2v(kstack) + PAGE - frame::SIZE
        };
        tf.write(mem, pgdir, tf_at);
        let tid = Tid(self.next_tid);
        self.next_tid += 1;
        let acct = Accounting {
            arrival: now,
            ..Accounting::default()
        };
        self.live_threads += 1;
        self.threads.insert(
            tid,
            Thread {
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
            },
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

    /// The running thread, if it is still runnable.
    pub(super) fn running(&self) -> Option<Tid> {
        self.current.filter(|t| {
            self.threads
                .get(t)
                .is_some_and(|t| t.state == State::Running)
        })
    }

    /// `scheduler()`: the policy picks the thread that runs next, which
    /// then runs `swtch`, `switchuvm` and `trapret`; or the idle loop.
    pub(super) fn scheduler(&mut self, now: u64) -> Ran {
        if self.panic.is_some() {
            return Ran::done(SchedOutcome::Halted);
        }
        self.wake_sleepers(now);
        let mut preempted = None;
        if let Some(cur) = self.running() {
            // A job that arrived or woke may outrank the running one (STCF:
            // shorter remaining time; MLFQ rule 1: a higher queue).
            let ran = now.saturating_sub(self.slice_mark);
            if !self.resched && self.sched.preempts(cur, ran) {
                self.slice_mark = now;
                self.sched.charge(cur, ran, now, After::Ready);
                self.resched = true;
                preempted = Some(cur);
            }
            if !self.resched {
                return Ran::then(SchedOutcome::Keeps(cur), [KStep::Return { to: cur }]);
            }
            // Preempted or yielded: back to ready.
            self.set_state(cur, State::Ready, now);
        }
        self.resched = false;
        let queues = self.sched.queues();
        match self.sched.pick(now) {
            Some(next)
                if self
                    .threads
                    .get(&next)
                    .is_some_and(|t| t.state == State::Ready) =>
            {
                let picked = SchedOutcome::Picks {
                    preempted,
                    policy: self.sched.name(),
                    next,
                    queues,
                    draw: self.sched.last_draw_text(),
                };
                let run = [
                    KStep::Switch { to: next },
                    KStep::SwitchUvm { to: next },
                    KStep::Return { to: next },
                ];
                Ran::then(picked, run)
            }
            _ => {
                let policy = self.sched.name();
                Ran::then(SchedOutcome::Nothing { policy }, [KStep::Idle])
            }
        }
    }

    /// Where a slice dispatched at `now` starts counting. A slice chosen at
    /// a timer tick (or at boot, cycle 0, when the timer starts) began at
    /// that tick: the kernel's work after it counts towards the new slice,
    /// so slices are whole timer periods. A slice that starts between ticks
    /// (the previous thread blocked, yielded or exited, or was preempted by
    /// an arrival) counts from its dispatch and ends at the first tick at
    /// which it has used its quantum.
    pub(super) fn slice_start(&self, now: u64) -> u64 {
        self.tick_fired.map_or(now, |f| f.min(now))
    }

    /// Nothing runnable: the CPU runs the idle loop until an interrupt.
    pub(super) fn idle(&mut self, m: &mut Machine) -> StepOutcome {
        let now = m.cycle();
        self.account_off_cpu(now);
        if self.current.take().is_some() {
            self.events.push(OsEvent::ContextSwitch {
                from: self.current,
                to: None,
            });
        }
        self.idle = true;
        let cpu = m.cpu_mut();
        cpu.cr3 = self.template;
        cpu.set_reg(Reg::Esp, p2v(IDLE_STACK_PHYS + PAGE));
        cpu.eip = self.stubs.idle;
        self.free_deferred(m);
        // Without a timer the idle CPU still needs a clock for sleepers and
        // later arrivals (a tickless kernel arms its timer the same way).
        let sleepers = self
            .threads
            .values()
            .any(|t| matches!(t.wait, Some(WaitFor::Until(_))));
        if self.config.mode == ExecMode::Cooperative && (sleepers || self.next_arrival().is_some())
        {
            m.devices_mut().timer.set_interval(TICK_CYCLES as u32);
        }
        StepOutcome::Idle
    }

    pub(super) fn account_off_cpu(&mut self, now: u64) {
        if let Some(cur) = self.current {
            let ran = now - self.dispatched_at;
            if let Some(t) = self.threads.get_mut(&cur) {
                t.acct.cpu += ran;
                if let Some(p) = self.procs.get_mut(&t.pid) {
                    p.acct.cpu += ran;
                }
            }
            self.dispatched_at = now;
        }
    }

    /// CPU time of `tid` including the slice it is running now (a thread
    /// that exited or was killed stops counting at once).
    pub fn cpu_time(&self, tid: Tid, now: u64) -> u64 {
        let t = self.threads.get(&tid);
        let base = t.map_or(0, |t| t.acct.cpu);
        if self.current == Some(tid) && t.is_some_and(|t| t.state == State::Running) {
            base + (now - self.dispatched_at)
        } else {
            base
        }
    }

    pub(super) fn set_state(&mut self, tid: Tid, to: State, now: u64) {
        let Some(t) = self.threads.get_mut(&tid) else {
            return;
        };
        let from = t.state;
        if from == to {
            return;
        }
        if from == State::Ready {
            if let Some(since) = t.ready_since.take() {
                t.acct.wait += now - since;
            }
        }
        if to == State::Ready {
            t.ready_since = Some(now);
        }
        t.state = to;
        let pid = t.pid;
        self.account_process_wait(pid, now);
        if to == State::Zombie {
            self.live_threads -= 1;
        }
        self.events
            .push(OsEvent::ThreadState { pid, tid, from, to });
    }

    /// A process waits while it has a ready thread and none running (so its
    /// wait never exceeds its turnaround, however many threads it has).
    fn account_process_wait(&mut self, pid: Pid, now: u64) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let states = p.threads.iter().filter_map(|t| self.threads.get(t));
        let (mut ready, mut running) = (false, false);
        for t in states {
            ready |= t.state == State::Ready;
            running |= t.state == State::Running;
        }
        let waiting = ready && !running && p.exit_status.is_none();
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if let Some(since) = p.waiting_since.take() {
            p.acct.wait += now - since;
        }
        if waiting {
            p.waiting_since = Some(now);
        }
    }

    /// Blocks the running thread (the scheduler is told how long it ran).
    pub(super) fn block_current(&mut self, why: WaitFor, now: u64) {
        let Some(cur) = self.current else { return };
        let ran = now.saturating_sub(self.slice_mark);
        self.sched.charge(cur, ran, now, After::Blocked);
        if let Some(t) = self.threads.get_mut(&cur) {
            t.wait = Some(why);
        }
        self.set_state(cur, State::Blocked, now);
    }

    pub(super) fn wake(&mut self, tid: Tid, now: u64) {
        if self
            .threads
            .get(&tid)
            .is_some_and(|t| t.state == State::Blocked)
        {
            if let Some(t) = self.threads.get_mut(&tid) {
                t.wait = None;
            }
            self.set_state(tid, State::Ready, now);
            self.sched.on_wake(tid, now);
        }
    }

    pub(super) fn wake_sleepers(&mut self, now: u64) -> usize {
        let due: Vec<Tid> = self
            .threads
            .values()
            .filter(|t| matches!(t.wait, Some(WaitFor::Until(c)) if c <= now))
            .map(|t| t.tid)
            .collect();
        for t in &due {
            self.wake(*t, now);
        }
        due.len()
    }

    /// Ends thread `tid`; the last thread of a process ends the process.
    pub(super) fn exit_thread(&mut self, m: &mut Machine, tid: Tid, value: u32, now: u64) {
        let Some(pid) = self.threads.get(&tid).map(|t| t.pid) else {
            return;
        };
        if self.current == Some(tid) {
            self.account_off_cpu(now);
        }
        if let Some(t) = self.threads.get_mut(&tid) {
            t.exit_value = Some(value);
            t.acct.finish = Some(now);
        }
        self.sched.on_exit(tid, now);
        self.set_state(tid, State::Zombie, now);
        let joiners: Vec<Tid> = self
            .threads
            .values()
            .filter(|t| t.wait == Some(WaitFor::Join(tid)))
            .map(|t| t.tid)
            .collect();
        for j in joiners {
            self.set_frame_eax(m, j, value as i32);
            self.wake(j, now);
        }
        let alive = self.procs[&pid].threads.iter().any(|t| {
            self.threads
                .get(t)
                .is_some_and(|t| t.state != State::Zombie)
        });
        if !alive {
            self.exit_process(m, pid, value as i32, None, now);
        }
    }

    /// Ends every thread of `pid`, records its status, wakes a waiting parent.
    pub(super) fn exit_process(
        &mut self,
        m: &mut Machine,
        pid: Pid,
        status: i32,
        reason: Option<String>,
        now: u64,
    ) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        if p.exit_status.is_some() {
            return;
        }
        if self.current.is_some_and(|c| p.threads.contains(&c)) {
            self.account_off_cpu(now);
        }
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        for t in p.threads.clone() {
            if self
                .threads
                .get(&t)
                .is_some_and(|t| t.state != State::Zombie)
            {
                if let Some(th) = self.threads.get_mut(&t) {
                    th.acct.finish = Some(now);
                    th.wait = None;
                }
                self.sched.on_exit(t, now);
                self.set_state(t, State::Zombie, now);
            }
        }
        let parent = self.procs.get(&pid).and_then(|p| p.parent);
        if let Some(p) = self.procs.get_mut(&pid) {
            p.exit_status = Some(status);
            p.killed = reason.clone();
            p.acct.finish = Some(now);
            p.last_look = self
                .config
                .watch
                .iter()
                .map(|&addr| {
                    let walk = crate::mmu::walk(m.mem(), p.pgdir, addr);
                    (walk, walk.phys.map(|ph| m.mem().read_u32(ph)))
                })
                .collect();
            self.to_free.push(p.pgdir);
        }
        self.events.push(OsEvent::ProcessExited {
            pid,
            status,
            reason,
        });
        for c in self.procs.values_mut().filter(|c| c.parent == Some(pid)) {
            c.parent = None;
        }
        if let Some(pp) = parent {
            let waiters: Vec<Tid> = self
                .procs
                .get(&pp)
                .map(|p| p.threads.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|t| {
                    self.threads
                        .get(t)
                        .is_some_and(|t| t.wait == Some(WaitFor::Child))
                })
                .collect();
            if let Some(w) = waiters.first() {
                // wait() returns the child's pid; the parent reaps it now.
                self.set_frame_eax(m, *w, pid.0 as i32);
                if let Some(p) = self.procs.get_mut(&pid) {
                    p.parent = None;
                }
                self.wake(*w, now);
            }
        }
    }

    /// Sets the %eax a blocked thread will see when it resumes (its saved frame).
    fn set_frame_eax(&self, m: &mut Machine, tid: Tid, value: i32) {
        let Some(t) = self.threads.get(&tid) else {
            return;
        };
        let Some(pgdir) = self.procs.get(&t.pid).map(|p| p.pgdir) else {
            return;
        };
        let mut tf = TrapFrame::read(m.mem(), pgdir, t.tf);
        tf.eax = value as u32;
        tf.write(m.mem_mut(), pgdir, t.tf);
    }
}

fn p_expected(p: &Process) -> Option<u64> {
    p.expected_len
}
