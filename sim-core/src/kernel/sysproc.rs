//! The process system calls (compare xv6's sysproc.c). Arguments come in
//! [`SysArgs`]; a bad argument returns -1; it never harms the kernel.

use crate::machine::Machine;

use super::outcome::SysOutcome as Did;
use super::proc::{Pid, Process, Tid, WaitFor};
use super::shared::Shared;
use super::syscall::{SysArgs, SysResult, TICK_CYCLES};
use super::{vm, Kernel, OsEvent};

impl Kernel {
    pub(super) fn sys_getpid(&mut self, _m: &mut Machine, a: &SysArgs) -> SysResult {
        (Some(a.pid.0 as i32), Did::Getpid(a.pid))
    }

    pub(super) fn sys_uptime(&mut self, _m: &mut Machine, a: &SysArgs) -> SysResult {
        let t = (a.now / TICK_CYCLES) as i32;
        (Some(t), Did::Uptime(t))
    }

    pub(super) fn sys_yield(&mut self, _m: &mut Machine, a: &SysArgs) -> SysResult {
        let (tid, now) = (a.tid, a.now);
        // Giving up the CPU early counts like an I/O for the policy
        // (OSTEP's MLFQ rule 4a) and sends the thread to the back.
        let ran = now.saturating_sub(self.slice_mark);
        self.sched
            .charge(tid, ran, now, crate::sched::After::Blocked);
        self.sched.on_wake(tid, now);
        self.resched = true;
        (Some(0), Did::Yield(tid))
    }

    pub(super) fn sys_sleep(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let (tid, now) = (a.tid, a.now);
        match a.args[0] {
            Some(n) => {
                let until = now + u64::from(n) * TICK_CYCLES;
                self.set_return(m, 0);
                self.block_current(WaitFor::Until(until), now);
                (
                    None,
                    Did::Sleeps {
                        tid,
                        ticks: n,
                        until,
                    },
                )
            }
            None => (Some(-1), Did::BadArgument),
        }
    }

    pub(super) fn sys_exit(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let pid = a.pid;
        let status = a.args[0].unwrap_or(0) as i32;
        self.exit_process(m, pid, status, None, a.now);
        (None, Did::Exits { pid, status })
    }

    pub(super) fn sys_kill(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let (pid, now) = (a.pid, a.now);
        match a.args[0] {
            Some(target)
                if self
                    .procs
                    .get(&Pid(target))
                    .is_some_and(|p| p.exit_status.is_none()) =>
            {
                self.exit_process(m, Pid(target), -1, Some(format!("killed by {pid}")), now);
                (Some(0), Did::Kill { target })
            }
            a => (Some(-1), Did::NoLiveProcess(a)),
        }
    }

    pub(super) fn sys_fork(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let (pid, now) = (a.pid, a.now);
        let parent = self.procs[&pid].clone();
        let Some(pgdir) =
            vm::copy_address_space(m.mem_mut(), &mut self.frames, self.template, parent.pgdir)
        else {
            return (Some(-1), Did::OutOfMemory);
        };
        let child = Pid(self.next_pid);
        self.next_pid += 1;
        let mut p = Process::clone(&parent);
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
        self.procs.insert(child, Shared::new(p));
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
                (Some(child.0 as i32), Did::Forked { parent: pid, child })
            }
            Err(e) => (Some(-1), Did::Failed(e)),
        }
    }

    pub(super) fn sys_wait(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let (pid, now) = (a.pid, a.now);
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
            return (Some(z.0 as i32), Did::Reaped(z));
        }
        if children.is_empty() {
            return (Some(-1), Did::NoChildren);
        }
        self.set_return(m, -1);
        let tid = self.current;
        self.block_current(WaitFor::Child, now);
        (None, Did::WaitsForChild(tid))
    }

    pub(super) fn sys_thread_create(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let (pid, now) = (a.pid, a.now);
        match (a.args[0], a.args[1]) {
            (Some(func), Some(arg)) => {
                let prog = self.procs[&pid].program;
                let ret = self
                    .programs
                    .get(prog)
                    .and_then(|p| p.program.symbols.get("__thread_return").copied())
                    .unwrap_or(0);
                match self.create_thread(m, pid, func, Some(&[ret, arg]), now) {
                    Ok(tid) => (Some(tid.0 as i32), Did::NewThread { tid, pid, func }),
                    Err(e) => (Some(-1), Did::Failed(e)),
                }
            }
            _ => (Some(-1), Did::BadArguments),
        }
    }

    pub(super) fn sys_thread_join(&mut self, _m: &mut Machine, a: &SysArgs) -> SysResult {
        let (pid, me, now) = (a.pid, a.tid, a.now);
        let Some(target) = a.args[0].map(Tid) else {
            return (Some(-1), Did::BadArgument);
        };
        match self.threads.get(&target) {
            Some(t) if t.pid == pid && target != me => match t.exit_value {
                Some(v) => (Some(v as i32), Did::AlreadyFinished(target)),
                None => {
                    self.block_current(WaitFor::Join(target), now);
                    (None, Did::WaitsForThread { me, target })
                }
            },
            _ => (Some(-1), Did::NotAThreadOf { target, pid }),
        }
    }

    pub(super) fn sys_thread_exit(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        let tid = a.tid;
        let value = a.args[0].unwrap_or(0);
        self.exit_thread(m, tid, value, a.now);
        (None, Did::ThreadFinishes { tid, value })
    }
}
