//! Running the kernel: entering at `trap_c`, executing the planned steps one
//! by one, leaving through `trapret` or into the idle loop. The steps
//! themselves are the xv6 functions: `trap()` (trap.rs), `syscall()`
//! (syscall.rs), the `sys_*` calls (sysproc.rs, sysfile.rs), `scheduler()`
//! and `allocproc()` (proc.rs), `swtch()` (swtch.rs), `switchuvm()` (vm.rs).

use crate::cpu::Reg;
use crate::machine::Machine;

use super::frame::TrapFrame;
use super::kstep::Ran;
use super::outcome::{StepOutcome, SysOutcome};
use super::proc::Tid;
use super::{syscall, KStep, Kernel};

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
    pub fn step(&mut self, m: &mut Machine) -> Option<u32> {
        let step = self.agenda.pop_front()?;
        let cost = step.cycles();
        let Ran { outcome, then } = self.exec(m, &step);
        // What the step planned runs next, before what was planned earlier.
        let later = std::mem::take(&mut self.agenda);
        self.agenda.extend(then);
        self.agenda.extend(later);
        self.note(step.function(), outcome);
        if self.agenda.is_empty() {
            self.in_kernel = false;
            self.current_vector = None;
            self.arm_arrival_alarm(m);
        }
        Some(cost)
    }

    /// One step: the xv6 function it stands for.
    fn exec(&mut self, m: &mut Machine, step: &KStep) -> Ran {
        let now = m.cycle();
        match step {
            KStep::Trap { vector } => self.trap(m, *vector),
            KStep::Syscall { num } => match syscall::lookup(*num) {
                Some(call) => match self.syscall(m, call) {
                    // Direct execution: the caller spins, then polls the disk.
                    did @ SysOutcome::DiskSpins { tid, cycles, .. } => {
                        Ran::then(did, [KStep::Spin { tid, cycles }, KStep::DiskPoll { tid }])
                    }
                    did => Ran::done(did),
                },
                None => Ran::done(StepOutcome::BadSyscall { number: *num }),
            },
            KStep::BadSyscall { number } => {
                self.set_return(m, -1);
                Ran::done(StepOutcome::BadSyscall { number: *number })
            }
            KStep::TimerTick => Ran::done(StepOutcome::Tick(self.timer_tick(now))),
            KStep::DiskInterrupt => Ran::done(self.disk_interrupt(m)),
            KStep::Spin { tid, cycles } => Ran::done(StepOutcome::Spin {
                tid: *tid,
                cycles: *cycles,
            }),
            KStep::DiskPoll { tid } => self.disk_poll(m, *tid),
            KStep::KillOnFault { pid, reason } => {
                self.exit_process(m, *pid, -1, Some(reason.clone()), now);
                Ran::done(StepOutcome::Killed {
                    pid: *pid,
                    reason: reason.clone(),
                })
            }
            KStep::Schedule => self.scheduler(now),
            KStep::Switch { to } => Ran::done(self.swtch(m, *to)),
            KStep::SwitchUvm { to } => Ran::done(self.switchuvm(m, *to)),
            KStep::Return { to } => Ran::done(self.trapret(m, *to)),
            KStep::Idle => Ran::done(self.idle(m)),
            KStep::Admit { spawn } => Ran::done(match self.allocproc(m, *spawn, now) {
                Ok(pid) => StepOutcome::Created {
                    pid,
                    name: self.procs[&pid].name.clone(),
                },
                Err(error) => StepOutcome::CreateFailed {
                    spawn: *spawn,
                    error,
                },
            }),
        }
    }

    /// Leave the kernel through `trapret`, which pops `to`'s trap frame and
    /// `iret`s. `swtch` already loaded its stack pointer when it switched;
    /// a thread that keeps the CPU is still on the frame it entered with.
    fn trapret(&mut self, m: &mut Machine, to: Tid) -> StepOutcome {
        let frame = self.threads.get(&to).map_or(0, |t| t.tf);
        m.cpu_mut().eip = self.stubs.trapret;
        StepOutcome::Trapret { to, frame }
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
}
