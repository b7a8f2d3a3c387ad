//! Ending threads and processes (compare xv6's `exit()`): a zombie keeps
//! its status for `wait`, a waiting parent is woken, its memory is freed once
//! the CPU no longer uses it.

use crate::machine::Machine;

use super::frame::TrapFrame;
use super::proc::{Pid, State, Tid, WaitFor};
use super::{Kernel, OsEvent};

impl Kernel {
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
