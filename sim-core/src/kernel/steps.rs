//! Running the kernel: entering at `trap_c`, executing planned steps, leaving
//! through `trapret` or into the idle loop.

use crate::cpu::Reg;
use crate::machine::Machine;
use crate::sched::{After, Decision, Policy, SchedEvent};

use super::frame::TrapFrame;
use super::layout::{p2v, IDLE_STACK_PHYS, PAGE};
use super::proc::{Pid, State, Tid, WaitFor};
use super::syscall::{Sys, TICK_CYCLES};
use super::{vm, ExecMode, KStep, Kernel, OsEvent, T_ALARM, T_DISK, T_SYSCALL, T_TIMER};

impl Kernel {
    /// The CPU reached `trap_c`: the trap frame is at ESP. Plans `trap()`.
    pub fn enter(&mut self, m: &Machine) {
        let now = m.cycle();
        let esp = m.cpu().reg(Reg::Esp);
        self.entry_tf = esp;
        self.in_kernel = true;
        self.idle = false;
        if let Some(cur) = self.current {
            if let Some(t) = self.threads.get_mut(&cur) {
                t.tf = esp;
            }
        }
        let tf = TrapFrame::read(m.mem(), m.cpu().cr3, esp);
        self.current_vector = Some(tf.trapno as u8);
        self.last_vector = self.current_vector;
        self.tick_fired = None;
        self.agenda.push_back(KStep::Trap {
            vector: tf.trapno as u8,
        });
        self.admit_due(now);
        self.agenda.push_back(KStep::Schedule);
    }

    /// Runs the next planned step; returns its cost in cycles, or `None` when
    /// the kernel has nothing left to do (the CPU continues on its own).
    pub fn run_step(&mut self, m: &mut Machine) -> Option<u32> {
        let step = self.agenda.pop_front()?;
        let cost = step.cycles();
        let detail = self.exec(m, &step);
        self.note(step.function(), detail);
        if self.agenda.is_empty() {
            self.in_kernel = false;
            self.current_vector = None;
            self.arm_arrival_alarm(m);
        }
        Some(cost)
    }

    fn exec(&mut self, m: &mut Machine, step: &KStep) -> String {
        let now = m.cycle();
        match step {
            KStep::Trap { vector } => self.dispatch_trap(m, *vector),
            KStep::Syscall { sys } => self.syscall(m, *sys),
            KStep::BadSyscall { number } => {
                self.set_return(m, -1);
                format!("unknown system call {number}: return -1")
            }
            KStep::TimerTick => self.timer_tick(now),
            KStep::DiskInterrupt => self.disk_interrupt(m),
            KStep::KillOnFault { pid, reason } => {
                self.exit_process(m, *pid, -1, Some(reason.clone()), now);
                format!("kill {pid}: {reason}")
            }
            KStep::Schedule => self.schedule(now),
            KStep::Switch { to } => self.switch_to(*to, now),
            KStep::SwitchUvm { to } => self.switch_uvm(m, *to),
            KStep::Return { to } => {
                let tf = self.threads.get(to).map_or(0, |t| t.tf);
                let cpu = m.cpu_mut();
                cpu.set_reg(Reg::Esp, tf);
                cpu.eip = self.stubs.trapret;
                format!("return to {to} through trapret (frame at {tf:#010x})")
            }
            KStep::Idle => self.go_idle(m),
            KStep::Admit { spawn } => match self.create_process(m, *spawn, now) {
                Ok(pid) => format!("create {pid} running '{}'", self.procs[&pid].name),
                Err(e) => format!("could not create process {spawn}: {e}"),
            },
        }
    }

    fn dispatch_trap(&mut self, m: &Machine, vector: u8) -> String {
        let tf = TrapFrame::read(m.mem(), m.cpu().cr3, self.entry_tf);
        let pos = |s: &mut Self, st: KStep| s.agenda.push_front(st);
        match vector {
            T_SYSCALL => match Sys::from_number(tf.eax) {
                Some(sys) => {
                    pos(self, KStep::Syscall { sys });
                    format!("vector 64: system call {} ({})", tf.eax, sys.name())
                }
                None => {
                    pos(self, KStep::BadSyscall { number: tf.eax });
                    format!("vector 64: system call {}", tf.eax)
                }
            },
            T_TIMER => {
                pos(self, KStep::TimerTick);
                "vector 32: timer interrupt".into()
            }
            T_DISK => {
                pos(self, KStep::DiskInterrupt);
                "vector 46: disk interrupt".into()
            }
            T_ALARM => "vector 33: timer alarm: a process arrives now".into(),
            v if v < 32 => {
                let name = exception_name(v);
                match self
                    .current
                    .and_then(|t| self.threads.get(&t))
                    .map(|t| t.pid)
                {
                    Some(pid) => {
                        let reason = format!(
                            "{name} (vector {v}, error code {:#x}) at eip {:#010x}",
                            tf.err, tf.eip
                        );
                        pos(self, KStep::KillOnFault { pid, reason });
                        format!("vector {v}: {name} in user code")
                    }
                    None => {
                        let msg = format!("{name} in kernel mode at eip {:#010x}", tf.eip);
                        self.events.push(OsEvent::Panic {
                            message: msg.clone(),
                        });
                        self.panic = Some(msg.clone());
                        self.agenda.clear();
                        format!("panic: {msg}")
                    }
                }
            }
            v => format!("vector {v}: ignored"),
        }
    }

    fn timer_tick(&mut self, now: u64) -> String {
        self.ticks += 1;
        // The periodic timer counts from boot, so tick k fires at exactly
        // k × interval; it is handled a little later (delivery, the entry stub).
        let interval = u64::from(self.config.timer_interval);
        let fired = if self.config.mode == ExecMode::Preemptive && interval > 0 {
            now / interval * interval
        } else {
            now
        };
        self.tick_fired = Some(fired);
        let woke = self.wake_sleepers(now);
        let mut detail = format!("tick {}", self.ticks);
        if fired != now {
            detail += &format!(
                " (the timer fired at cycle {fired}, handled {} cycles later)",
                now - fired
            );
        }
        if woke > 0 {
            detail += &format!(", woke {woke} sleeper(s)");
        }
        let prev = std::mem::replace(&mut self.last_tick, now);
        if let Some(SchedEvent::Boost) = self.sched.on_tick(self.tick_time(prev, now)) {
            self.events.push(OsEvent::Boost);
            detail += ", priority boost: every job back to the top queue";
        }
        if self.config.mode == ExecMode::Preemptive {
            if let Some(cur) = self.running() {
                // Charged up to the tick; the kernel's work after it counts
                // towards the next slice, so a slice is whole timer periods.
                let upto = fired.max(self.slice_mark);
                let ran = upto - self.slice_mark;
                self.slice_mark = upto;
                if self.sched.charge(cur, ran, now, After::Ready) == Decision::Reschedule {
                    self.resched = true;
                    detail += &format!(", {cur} used its time slice");
                }
            }
        }
        detail
    }

    /// Arms the timer's one-shot alarm for the next arrival, so a process
    /// arrives at its own cycle, not at the next kernel entry.
    fn arm_arrival_alarm(&self, m: &mut Machine) {
        let now = m.cycle();
        // The device ticks once per cycle from this one on: raised in cycle `a`.
        let alarm = self
            .next_arrival()
            .map_or(0, |a| a.saturating_sub(now).saturating_add(1));
        m.devices_mut().timer.set_alarm(alarm);
    }

    /// The time to hand `Scheduler::on_tick`. The protocol calls it at the
    /// start of every time unit, but the kernel only runs at timer ticks, which
    /// rarely fall exactly on a multiple of the MLFQ boost period: pass the
    /// last boundary crossed since the previous tick instead, so the boost
    /// (OSTEP rule 5) happens once per period.
    fn tick_time(&self, prev: u64, now: u64) -> u64 {
        match &self.config.policy {
            Policy::Mlfq(c) if c.boost_period > 0 => {
                let boundary = now / c.boost_period * c.boost_period;
                if boundary > prev {
                    boundary
                } else {
                    now
                }
            }
            _ => now,
        }
    }

    /// The running thread, if it is still runnable.
    pub(super) fn running(&self) -> Option<Tid> {
        self.current.filter(|t| {
            self.threads
                .get(t)
                .is_some_and(|t| t.state == State::Running)
        })
    }

    fn schedule(&mut self, now: u64) -> String {
        if self.panic.is_some() {
            return "halted".into();
        }
        self.wake_sleepers(now);
        let mut preempted = String::new();
        if let Some(cur) = self.running() {
            // A job that arrived or woke may outrank the running one (STCF:
            // shorter remaining time; MLFQ rule 1: a higher queue).
            let ran = now.saturating_sub(self.slice_mark);
            if !self.resched && self.sched.preempts(cur, ran) {
                self.slice_mark = now;
                self.sched.charge(cur, ran, now, After::Ready);
                self.resched = true;
                preempted = format!("{cur} is preempted; ");
            }
            if !self.resched {
                self.agenda.push_front(KStep::Return { to: cur });
                return format!("{cur} keeps the CPU");
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
                self.agenda.push_front(KStep::Return { to: next });
                self.agenda.push_front(KStep::SwitchUvm { to: next });
                self.agenda.push_front(KStep::Switch { to: next });
                let draw = self.sched.last_draw_text().unwrap_or_default();
                format!(
                    "{preempted}{} picks {next} from {}{draw}",
                    self.sched.name(),
                    describe(&queues)
                )
            }
            _ => {
                self.agenda.push_front(KStep::Idle);
                format!("{}: nothing runnable", self.sched.name())
            }
        }
    }

    fn switch_to(&mut self, to: Tid, now: u64) -> String {
        let from = self.current;
        self.account_off_cpu(now);
        self.set_state(to, State::Running, now);
        if let Some(t) = self.threads.get_mut(&to) {
            t.acct.first_run.get_or_insert(now);
            if let Some(p) = self.procs.get_mut(&t.pid) {
                p.acct.first_run.get_or_insert(now);
            }
        }
        self.current = Some(to);
        self.dispatched_at = now;
        self.slice_mark = self.slice_start(now);
        if from != Some(to) {
            self.switches += 1;
            self.events
                .push(OsEvent::ContextSwitch { from, to: Some(to) });
        }
        match from {
            Some(f) if f != to => format!("save context of {f}, restore {to}"),
            _ => format!("restore {to}"),
        }
    }

    /// Where a slice dispatched at `now` starts counting. A slice chosen at
    /// a timer tick (or at boot, cycle 0, when the timer starts) began at
    /// that tick: the kernel's work after it counts towards the new slice,
    /// so slices are whole timer periods. A slice that starts between ticks
    /// (the previous thread blocked, yielded or exited, or was preempted by
    /// an arrival) counts from its dispatch and ends at the first tick at
    /// which it has used its quantum.
    fn slice_start(&self, now: u64) -> u64 {
        self.tick_fired.map_or(now, |f| f.min(now))
    }

    fn switch_uvm(&mut self, m: &mut Machine, to: Tid) -> String {
        let Some(t) = self.threads.get(&to) else {
            return "no such thread".into();
        };
        let Some(p) = self.procs.get(&t.pid) else {
            return "no such process".into();
        };
        let (pgdir, esp0, pid) = (p.pgdir, p2v(t.kstack) + PAGE, t.pid);
        let cpu = m.cpu_mut();
        cpu.cr3 = pgdir;
        cpu.tss_esp0 = esp0;
        self.free_deferred(m);
        // The periodic timer keeps its period from boot (preemptive mode);
        // otherwise the idle loop's clock stops once a thread runs.
        if self.config.mode != ExecMode::Preemptive {
            m.devices_mut().timer.set_interval(0);
        }
        format!("CR3 = {pgdir:#010x} (page directory of {pid}), TSS.esp0 = {esp0:#010x}")
    }

    fn go_idle(&mut self, m: &mut Machine) -> String {
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
        "no runnable thread: idle loop (sti; hlt) until an interrupt".into()
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

    fn wake_sleepers(&mut self, now: u64) -> usize {
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

    /// Sets the system call's return value in the current trap frame.
    pub(super) fn set_return(&mut self, m: &mut Machine, value: i32) {
        let pgdir = m.cpu().cr3;
        let mut tf = TrapFrame::read(m.mem(), pgdir, self.entry_tf);
        tf.eax = value as u32;
        tf.write(m.mem_mut(), pgdir, self.entry_tf);
    }

    pub(super) fn entry_frame(&self, m: &Machine) -> TrapFrame {
        TrapFrame::read(m.mem(), m.cpu().cr3, self.entry_tf)
    }

    fn free_deferred(&mut self, m: &mut Machine) {
        for pgdir in std::mem::take(&mut self.to_free) {
            vm::free_address_space(m.mem_mut(), &mut self.frames, pgdir);
        }
    }
}

fn describe(q: &crate::sched::QueueView) -> String {
    let levels: Vec<String> = q
        .levels
        .iter()
        .map(|l| {
            let ts: Vec<String> = l.threads.iter().map(|t| t.to_string()).collect();
            format!("{} [{}]", l.label, ts.join(" "))
        })
        .collect();
    levels.join(", ")
}

/// Intel SDM table 6-1 names.
pub fn exception_name(v: u8) -> &'static str {
    match v {
        0 => "#DE divide error",
        1 => "#DB debug",
        3 => "#BP breakpoint",
        4 => "#OF overflow",
        5 => "#BR bound range",
        6 => "#UD invalid opcode",
        7 => "#NM no math coprocessor",
        8 => "#DF double fault",
        10 => "#TS invalid TSS",
        11 => "#NP segment not present",
        12 => "#SS stack fault",
        13 => "#GP general protection",
        14 => "#PF page fault",
        16 => "#MF x87 error",
        17 => "#AC alignment check",
        _ => "exception",
    }
}
