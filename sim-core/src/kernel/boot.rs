//! Booting: the trap table, the kernel's address space, the first processes
//! (the "OS @ boot" rows of OSTEP's limited-direct-execution figure).

use crate::ordmap::OrdMap;
use std::collections::VecDeque;

use crate::cpu::{cr0, flags, Reg, TableReg};
use crate::machine::Machine;
use crate::sched::SchedError;
use crate::trap::{write_gate, Exception, Gate};

use super::layout::{
    p2v, FREE_PHYS, GDT_PHYS, IDLE_STACK_PHYS, IDT_PHYS, KERNEL_TEXT_PHYS, PAGE, PHYSTOP,
};
use super::outcome::StepOutcome;
use super::T_SYSCALL;
use super::{
    entry, vm, ExecMode, KStep, Kernel, KernelConfig, OsEvent, Spawn, StubSymbols, UserProgram,
};

/// Why the kernel could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootError {
    /// The kernel's own stubs failed to assemble (a bug, reported not panicked).
    Stubs(String),
    Scheduler(SchedError),
    OutOfMemory,
    /// Loading the GDT or TSS faulted (a bug, reported not panicked).
    Segments(Exception),
    /// A spawn names a program that does not exist.
    NoSuchProgram {
        spawn: usize,
        program: usize,
    },
}

impl std::fmt::Display for BootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BootError::Stubs(e) => write!(f, "kernel stubs: {e}"),
            BootError::Scheduler(e) => write!(f, "scheduler: {e}"),
            BootError::OutOfMemory => f.write_str("out of physical memory while booting"),
            BootError::Segments(e) => write!(f, "seginit: {e}"),
            BootError::NoSuchProgram { spawn, program } => {
                write!(
                    f,
                    "process {spawn} runs program {program}, which does not exist"
                )
            }
        }
    }
}

impl std::error::Error for BootError {}

impl Kernel {
    /// Boots the kernel on `m`: loads the entry stubs, fills the IDT (every
    /// vector DPL 0 except the system call, DPL 3), builds the kernel's page
    /// tables, turns paging on, programs the timer, and plans the admission
    /// of the processes that arrive at cycle 0.
    pub fn boot(
        m: &mut Machine,
        config: KernelConfig,
        programs: Vec<UserProgram>,
        spawns: Vec<Spawn>,
    ) -> Result<Kernel, BootError> {
        for (i, s) in spawns.iter().enumerate() {
            if s.program >= programs.len() {
                return Err(BootError::NoSuchProgram {
                    spawn: i,
                    program: s.program,
                });
            }
        }
        let sched = config.policy.build().map_err(BootError::Scheduler)?;
        let symbols = stub_symbols()?;
        let (frames, template, disk_buf) = setup_memory(m, &symbols)?;
        setup_cpu(m, &symbols, template);
        seginit(m)?;
        let timer = match config.mode {
            ExecMode::Preemptive => config.timer_interval,
            _ => 0,
        };
        // Counted from cycle 0: the device ticks once per cycle stepped
        // (0, 1, …), so tick k is raised in cycle k × interval exactly.
        m.devices_mut().timer.start(timer, timer.saturating_add(1));
        m.devices_mut().disk.set_latency(config.disk_latency);

        let mut k = Kernel {
            admitted: vec![false; spawns.len()],
            unadmitted: spawns.len(),
            live_threads: 0,
            next_wake: u64::MAX,
            programs: programs.into(),
            spawns: spawns.into(),
            procs: OrdMap::new(),
            threads: OrdMap::new(),
            sched,
            current: None,
            resched: false,
            frames,
            template,
            stubs: symbols,
            agenda: VecDeque::new(),
            in_kernel: true,
            entry_tf: 0,
            disk_queue: VecDeque::new(),
            disk_buf,
            next_pid: 1,
            next_tid: 1,
            switches: 0,
            dispatched_at: 0,
            slice_mark: 0,
            to_free: Vec::new(),
            events: Vec::new(),
            panic: None,
            idle: false,
            current_vector: None,
            last_vector: None,
            last_tick: 0,
            ticks: 0,
            // The timer starts at cycle 0: the first slice counts from there.
            tick_fired: Some(0),
            config,
        };
        let gates = k.stubs.vectors.len();
        k.note(
            "boot",
            StepOutcome::TrapTable {
                gates,
                syscall: T_SYSCALL,
            },
        );
        let (mode, interval) = (k.config.mode, k.config.timer_interval);
        k.note("boot", StepOutcome::Timer { mode, interval });
        k.admit_due(0);
        k.agenda.push_back(KStep::Schedule);
        Ok(k)
    }

    /// Plans `Admit` for every spawn due by `now`.
    pub(super) fn admit_due(&mut self, now: u64) {
        for i in 0..self.spawns.len() {
            if !self.admitted[i] && self.spawns[i].arrival <= now {
                self.admitted[i] = true;
                self.unadmitted -= 1;
                self.agenda.push_back(KStep::Admit { spawn: i });
            }
        }
    }

    /// The next arrival after `now`, if any.
    pub(super) fn next_arrival(&self) -> Option<u64> {
        self.spawns
            .iter()
            .zip(&self.admitted)
            .filter(|(_, a)| !**a)
            .map(|(s, _)| s.arrival)
            .min()
    }

    /// Reports a kernel step that ran: its function and what it did.
    pub(super) fn note(&mut self, function: &'static str, outcome: StepOutcome) {
        self.events.push(OsEvent::KernelStep { function, outcome });
    }
}

/// The entry stubs (vectors.s, trapasm.s) and their labels. Their source
/// never changes, so they are assembled once per process: every boot after
/// the first (a lesson switch, each policy of a comparison, each workload of
/// a homework, the copy of a lesson that finds its key moments) shares them.
fn stub_symbols() -> Result<StubSymbols, BootError> {
    static STUBS: std::sync::OnceLock<Result<StubSymbols, BootError>> = std::sync::OnceLock::new();
    STUBS.get_or_init(assemble_stubs).clone()
}

/// Assembles the entry stubs and finds their labels.
fn assemble_stubs() -> Result<StubSymbols, BootError> {
    let stubs = entry::assemble().map_err(|e| BootError::Stubs(e.to_string()))?;
    let sym = |name: &str| {
        stubs
            .symbols
            .get(name)
            .copied()
            .ok_or_else(|| BootError::Stubs(format!("missing {name}")))
    };
    let vectors: OrdMap<u8, u32> = entry::stub_vectors()
        .map(|v| sym(&format!("vector{v}")).map(|a| (v, a)))
        .collect::<Result<_, _>>()?;
    Ok(StubSymbols {
        trap_c: sym("trap_c")?,
        trapret: sym("trapret")?,
        idle: sym("idle")?,
        vectors,
        program: std::sync::Arc::new(stubs),
    })
}

/// Loads the stubs, builds the kernel's page tables and fills the IDT (every
/// vector DPL 0 except the system call, DPL 3); returns the frame allocator,
/// the kernel-only page directory and the disk buffer.
fn setup_memory(
    m: &mut Machine,
    symbols: &StubSymbols,
) -> Result<(vm::Frames, u32, u32), BootError> {
    let mem = m.mem_mut();
    mem.write_bytes(KERNEL_TEXT_PHYS, &symbols.program.text.bytes);
    let mut frames = vm::Frames::new(FREE_PHYS, PHYSTOP);
    let template =
        vm::setup_kernel_template(mem, &mut frames).map_err(|_| BootError::OutOfMemory)?;
    for (&v, &handler) in &symbols.vectors {
        let dpl = if v == T_SYSCALL { 3 } else { 0 };
        write_gate(mem, IDT_PHYS, v, Gate::interrupt(handler, dpl));
    }
    let disk_buf = frames.alloc(mem).ok_or(BootError::OutOfMemory)?;
    Ok((frames, template, disk_buf))
}

/// Loads the IDT register, turns paging on and parks the CPU at `trap_c` on
/// the idle stack, in ring 0 with interrupts off, for the first kernel steps.
fn setup_cpu(m: &mut Machine, symbols: &StubSymbols, template: u32) {
    let cpu = m.cpu_mut();
    cpu.idtr = TableReg {
        base: p2v(IDT_PHYS),
        limit: 256 * 8 - 1,
    };
    cpu.cr3 = template;
    cpu.cr0 |= cr0::PG | cr0::WP;
    cpu.eip = symbols.trap_c;
    cpu.set_reg(Reg::Esp, p2v(IDLE_STACK_PHYS + PAGE));
    cpu.eflags = flags::RESERVED1;
}

/// xv6's seginit() and the TSS half of switchuvm(): a GDT with flat kernel
/// and user segments and a TSS descriptor, the TSS itself (SS0 = kernel
/// data, no I/O bitmap, so `in`/`out` in ring 3 fault), then `lgdt` and
/// `ltr` (the GDT and TSS are read through the kernel's mapping).
fn seginit(m: &mut Machine) -> Result<(), BootError> {
    m.install_flat_segments(GDT_PHYS, p2v(GDT_PHYS), 0)
        .map_err(BootError::Segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stubs_are_assembled_once_and_shared() {
        let (a, b) = (stub_symbols().unwrap(), stub_symbols().unwrap());
        assert!(std::sync::Arc::ptr_eq(&a.program, &b.program));
        // What is shared is what a fresh assembly gives.
        assert_eq!(a, assemble_stubs().unwrap());
        assert_eq!(a.vectors.len(), entry::stub_vectors().count());
    }
}
