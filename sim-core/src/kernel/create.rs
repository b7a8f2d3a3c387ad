//! Creating processes and threads (xv6's allocproc and the loader).

use crate::cpu::{flags, selector};
use crate::machine::Machine;
use crate::mmu::pte;
use crate::sched::JobInfo;

use super::frame::{self, TrapFrame};
use super::layout::{self, p2v, ustack_top, PAGE, USER_TEXT, USTACK_PAGES};
use super::proc::{Accounting, File, Pid, Process, State, Thread, Tid};
use super::{vm, ExecMode, Kernel, OsEvent};

impl Kernel {
    pub(super) fn create_process(
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
}

fn p_expected(p: &Process) -> Option<u64> {
    p.expected_len
}
