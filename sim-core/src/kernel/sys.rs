//! The system calls (xv6's sysproc.c and sysfile.c). Arguments are read from
//! the user stack above the return address; results go into the frame's %eax.
//! A bad argument returns -1; it never harms the kernel.

use crate::machine::Machine;

use super::proc::{Pid, State, Tid, WaitFor};
use super::syscall::{Sys, TICK_CYCLES};
use super::{vm, Kernel, OsEvent};

/// Most bytes one `read`/`write` moves (keeps a single call's cost bounded).
const MAX_IO: u32 = 4096;

impl Kernel {
    /// Runs system call `sys` for the current thread; returns what it did.
    pub(super) fn syscall(&mut self, m: &mut Machine, sys: Sys) -> String {
        let now = m.cycle();
        let Some(tid) = self.current else {
            return "no current thread".into();
        };
        let Some(pid) = self.threads.get(&tid).map(|t| t.pid) else {
            return "no such thread".into();
        };
        let pgdir = self.procs[&pid].pgdir;
        let tf = self.entry_frame(m);
        let esp = tf.user_esp(self.entry_tf);
        let arg = |n: u32| -> Option<u32> {
            let bytes = vm::copy_in(m.mem(), pgdir, esp.wrapping_add(4 + 4 * n), 4).ok()?;
            Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        };
        let args: [Option<u32>; 3] = [arg(0), arg(1), arg(2)];
        let (ret, detail): (Option<i32>, String) = match sys {
            Sys::Getpid => (Some(pid.0 as i32), format!("{pid}")),
            Sys::Uptime => {
                let t = (now / TICK_CYCLES) as i32;
                (Some(t), format!("{t} ticks"))
            }
            Sys::Yield => {
                // Giving up the CPU early counts like an I/O for the policy
                // (OSTEP's MLFQ rule 4a) and sends the thread to the back.
                let ran = now.saturating_sub(self.slice_mark);
                self.sched
                    .charge(tid, ran, now, crate::sched::After::Blocked);
                self.sched.on_wake(tid, now);
                self.resched = true;
                (Some(0), format!("{tid} gives up the CPU"))
            }
            Sys::Sleep => match args[0] {
                Some(n) => {
                    let until = now + u64::from(n) * TICK_CYCLES;
                    self.set_return(m, 0);
                    self.block_current(WaitFor::Until(until), now);
                    (
                        None,
                        format!("{tid} sleeps {n} ticks (until cycle {until})"),
                    )
                }
                None => (Some(-1), "bad argument".into()),
            },
            Sys::Fork => self.sys_fork(m, pid, now),
            Sys::Exit => {
                let status = args[0].unwrap_or(0) as i32;
                self.exit_process(m, pid, status, None, now);
                (None, format!("{pid} exits with status {status}"))
            }
            Sys::Wait => self.sys_wait(m, pid, now),
            Sys::Kill => match args[0] {
                Some(target)
                    if self
                        .procs
                        .get(&Pid(target))
                        .is_some_and(|p| p.exit_status.is_none()) =>
                {
                    self.exit_process(m, Pid(target), -1, Some(format!("killed by {pid}")), now);
                    (Some(0), format!("kill P{target}"))
                }
                a => (
                    Some(-1),
                    format!(
                        "no live process {}",
                        a.map_or("?".into(), |a| a.to_string())
                    ),
                ),
            },
            Sys::Write | Sys::Read => {
                let (fd, buf, n) = (args[0], args[1], args[2]);
                match (fd, buf, n) {
                    (Some(fd), Some(buf), Some(n)) => {
                        self.sys_io(m, pid, tid, sys == Sys::Write, fd, buf, n.min(MAX_IO), now)
                    }
                    _ => (Some(-1), "bad arguments".into()),
                }
            }
            Sys::ThreadCreate => match (args[0], args[1]) {
                (Some(func), Some(arg)) => {
                    let prog = self.procs[&pid].program;
                    let ret = self
                        .programs
                        .get(prog)
                        .and_then(|p| p.program.symbols.get("__thread_return").copied())
                        .unwrap_or(0);
                    match self.create_thread(m, pid, func, Some(&[ret, arg]), now) {
                        Ok(t) => (
                            Some(t.0 as i32),
                            format!("new thread {t} of {pid} at {func:#010x}"),
                        ),
                        Err(e) => (Some(-1), e),
                    }
                }
                _ => (Some(-1), "bad arguments".into()),
            },
            Sys::ThreadJoin => self.sys_join(pid, tid, args[0], now),
            Sys::ThreadExit => {
                let value = args[0].unwrap_or(0);
                self.exit_thread(m, tid, value, now);
                (None, format!("{tid} finishes with {value}"))
            }
        };
        if let Some(v) = ret {
            self.set_return(m, v);
            self.events.push(OsEvent::SyscallReturn {
                pid,
                tid,
                name: sys.name().into(),
                value: v,
            });
        }
        detail
    }

    fn sys_fork(&mut self, m: &mut Machine, pid: Pid, now: u64) -> (Option<i32>, String) {
        let parent = self.procs[&pid].clone();
        let Some(pgdir) =
            vm::copy_address_space(m.mem_mut(), &mut self.frames, self.template, parent.pgdir)
        else {
            return (Some(-1), "out of memory".into());
        };
        let child = Pid(self.next_pid);
        self.next_pid += 1;
        let mut p = parent.clone();
        p.pid = child;
        p.parent = Some(pid);
        p.pgdir = pgdir;
        p.threads = Vec::new();
        p.acct = super::Accounting {
            arrival: now,
            ..Default::default()
        };
        p.thread_slots = 0;
        p.waiting_since = None;
        self.procs.insert(child, p);
        self.events.push(OsEvent::ProcessCreated {
            pid: child,
            name: parent.name.clone(),
            parent: Some(pid),
        });
        // The child resumes from the same trap frame, with fork() returning 0.
        let mut tf = self.entry_frame(m);
        tf.eax = 0;
        let slot = self
            .current
            .and_then(|t| self.threads.get(&t))
            .map_or(0, |t| t.slot);
        match self.create_thread(m, child, tf.eip, None, now) {
            Ok(t) => {
                if let Some(th) = self.threads.get_mut(&t) {
                    th.slot = slot;
                }
                if let Some(cp) = self.procs.get_mut(&child) {
                    cp.thread_slots = parent.thread_slots;
                }
                let at = self.threads[&t].tf;
                if self.config.mode == super::ExecMode::Direct {
                    // Same-ring frame: lives just below the user ESP of the parent.
                    let at = self.entry_tf;
                    tf.write(m.mem_mut(), pgdir, at);
                    if let Some(th) = self.threads.get_mut(&t) {
                        th.tf = at;
                    }
                } else {
                    tf.write(m.mem_mut(), pgdir, at);
                }
                (
                    Some(child.0 as i32),
                    format!("{pid} forks {child} (copied the address space)"),
                )
            }
            Err(e) => (Some(-1), e),
        }
    }

    fn sys_wait(&mut self, m: &mut Machine, pid: Pid, now: u64) -> (Option<i32>, String) {
        let children: Vec<Pid> = self
            .procs
            .values()
            .filter(|p| p.parent == Some(pid))
            .map(|p| p.pid)
            .collect();
        if let Some(z) = children
            .iter()
            .find(|c| self.procs[c].exit_status.is_some())
        {
            let z = *z;
            if let Some(p) = self.procs.get_mut(&z) {
                p.parent = None;
            }
            return (Some(z.0 as i32), format!("reap {z}"));
        }
        if children.is_empty() {
            return (Some(-1), "no children".into());
        }
        self.set_return(m, -1);
        let tid = self.current;
        self.block_current(WaitFor::Child, now);
        (
            None,
            format!(
                "{} waits for a child",
                tid.map_or("?".into(), |t| t.to_string())
            ),
        )
    }

    fn sys_join(
        &mut self,
        pid: Pid,
        me: Tid,
        target: Option<u32>,
        now: u64,
    ) -> (Option<i32>, String) {
        let Some(target) = target.map(Tid) else {
            return (Some(-1), "bad argument".into());
        };
        match self.threads.get(&target) {
            Some(t) if t.pid == pid && target != me => match t.exit_value {
                Some(v) => (Some(v as i32), format!("{target} already finished")),
                None => {
                    self.block_current(WaitFor::Join(target), now);
                    (None, format!("{me} waits for {target}"))
                }
            },
            _ => (Some(-1), format!("{target} is not another thread of {pid}")),
        }
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
        let mut tf = super::frame::TrapFrame::read(m.mem(), pgdir, t.tf);
        tf.eax = value as u32;
        tf.write(m.mem_mut(), pgdir, t.tf);
    }
}
