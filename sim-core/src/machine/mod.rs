//! The machine: CPU + board, advanced one cycle at a time.
//!
//! Timing model. An instruction that costs k cycles executes entirely in the
//! first of its k cycles (its effects and events appear there) and the CPU is
//! busy for the remaining k − 1. Delivering an interrupt or exception costs
//! [`TRAP_CYCLES`] more (an `int n` costs its own cycles plus the delivery; a
//! faulting instruction costs only the delivery). Devices tick every cycle,
//! busy or not, before the CPU; pending IRQs are taken only at instruction
//! boundaries with IF = 1. A halted CPU idles cycle by cycle until an IRQ
//! arrives.
//!
//! Advancing: [`Machine::step`] does one cycle and returns its events;
//! [`Machine::run`] does many as fast as it can, without events (its traced
//! form, [`Machine::run_traced`], hands over every instruction and stops at
//! the first other event). The layers above have the same pair:
//! `Sim::step`/`Sim::run`, and the session's `Command::Step`/`Command::Run`.

mod board;
mod run;
mod segments;

pub use board::Board;
pub use segments::TSS_OFFSET;

use serde::Serialize;

use crate::cpu::segment::Unmodelled;
use crate::cpu::{self, flags, Cpu, DecodeCache, Effect, Retired};
use crate::dev::{pic, Devices};
use crate::event::{Event, EventKind, SwitchCause};
use crate::mem::{PackedPage, PhysMem};
use crate::mmu::{self, Walk};
use crate::trap::{
    deliver, deliver_escalating, read_idt, Delivery, DeliveryInfo, Exception, IdtEntry, TRAP_CYCLES,
};

/// Whether `step` records events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TraceMode {
    /// Every access, instruction and trap becomes an [`Event`].
    Traced,
    /// Nothing is recorded; nothing is allocated per access.
    Fast,
}

/// What happens when an instruction raises an exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ExceptionPolicy {
    /// Deliver it through the IDT, as hardware does.
    Deliver,
    /// Stop the machine with the exception (registers as at the fault): for
    /// running bare code without an IDT, as `ringside exec` does.
    Stop,
}

/// Why [`Machine::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StopReason {
    /// The cycle budget is spent.
    CycleLimit,
    /// `hlt` with nothing that could ever wake the CPU (IF = 0, or no timer,
    /// no disk request and no pending IRQ).
    HaltedForever,
    /// An exception while delivering #DF; the machine is stopped for good.
    TripleFault,
    /// About to execute the instruction at this breakpoint address.
    Breakpoint(u32),
    /// An exception under [`ExceptionPolicy::Stop`]; the machine is stopped.
    Exception(Exception),
    /// A write of this value to isa-debug-exit (PC wiring, see
    /// [`crate::dev::pc`]); the machine is stopped.
    DebugExit(u32),
}

/// Everything the simulated computer is. Cloning costs O(touched pages).
///
/// ```
/// use sim_core::machine::{Machine, StopReason, TraceMode};
/// let mut m = Machine::new();
/// m.load(0x1000, &[0xb8, 5, 0, 0, 0, 0xf4]); // mov $5, %eax; hlt
/// m.cpu_mut().eip = 0x1000;
/// m.set_mode(TraceMode::Traced);
/// assert!(!m.step().is_empty()); // cycle 1: the mov, with its fetch reads
/// assert_eq!(m.run(100), StopReason::HaltedForever);
/// assert_eq!(m.cpu().gpr[0], 5);
/// ```
#[derive(Clone, Debug)]
pub struct Machine {
    cpu: Cpu,
    board: Board,
    cache: DecodeCache,
    cycle: u64,
    /// Cycles the CPU is still busy with the last instruction or delivery.
    busy: u32,
    mode: TraceMode,
    policy: ExceptionPolicy,
    breakpoints: Vec<u32>,
    /// Set by a triple fault or a stopping exception: the machine is frozen.
    stopped: Option<StopReason>,
    instructions: u64,
    /// Instructions retired + traps delivered (+ faults under `Stop`).
    retired_or_delivered: u64,
    /// The last feature outside the model the CPU met (raised as #UD), and
    /// where: for `ringside boot` to explain a kernel's #UD.
    unmodelled: Option<(u32, Unmodelled)>,
}

impl Default for Machine {
    fn default() -> Self {
        Self::new()
    }
}

impl Machine {
    /// A machine with zeroed memory, the reset CPU state of [`Cpu::default`]
    /// (ring 0, paging off), idle devices, in fast mode.
    pub fn new() -> Self {
        Self::with_parts(Cpu::default(), Board::default())
    }

    pub fn with_parts(cpu: Cpu, board: Board) -> Self {
        Machine {
            cpu,
            board,
            cache: DecodeCache::default(),
            cycle: 0,
            busy: 0,
            mode: TraceMode::Fast,
            policy: ExceptionPolicy::Deliver,
            breakpoints: Vec::new(),
            stopped: None,
            instructions: 0,
            retired_or_delivered: 0,
            unmodelled: None,
        }
    }

    /// A copy for stepping back: everything but the decoded-instruction
    /// cache, which is transparent (a restored machine refills it) and would
    /// otherwise be shared with the live machine, which then has to copy the
    /// whole table on its next miss: per snapshot, the bulk of its memory.
    pub fn snapshot(&self) -> Machine {
        Machine {
            cpu: self.cpu.clone(),
            board: self.board.clone(),
            cache: DecodeCache::default(),
            breakpoints: self.breakpoints.clone(),
            ..*self
        }
    }

    /// Bytes a snapshot of this machine holds beside `newer` (a later
    /// snapshot, or the live machine): its own size, the console's buffers,
    /// the disk's block table, and the memory pages and table nodes it does
    /// not share with `newer`.
    pub fn bytes_beside(&self, newer: &Machine) -> usize {
        let devices = &self.board.devices;
        std::mem::size_of::<Machine>()
            + devices.console.heap_bytes()
            + devices.disk.heap_bytes()
            + self.breakpoints.capacity() * std::mem::size_of::<u32>()
            + self.mem().bytes_not_in(newer.mem())
    }

    /// Takes out the memory pages neither `older` nor `newer` shares with
    /// this machine, packed (see [`PhysMem::pack_unshared`]): for a snapshot
    /// between two others. It must get them back ([`Machine::unpack`])
    /// before it runs again.
    pub fn pack_unshared(&mut self, older: Option<&Machine>, newer: &Machine) -> Vec<PackedPage> {
        // The bytes go back unchanged before the machine runs: cached
        // translations and decoded code stay valid (no `invalidate_all`).
        self.board
            .mem_unchanged_mut()
            .pack_unshared(older.map(Machine::mem), newer.mem())
    }

    /// Puts back pages taken out by [`Machine::pack_unshared`].
    pub fn unpack(&mut self, pages: &[PackedPage]) {
        self.board.mem_unchanged_mut().unpack(pages);
    }

    pub fn cpu(&self) -> &Cpu {
        &self.cpu
    }

    /// Host edits of the CPU (setting up registers before a run).
    pub fn cpu_mut(&mut self) -> &mut Cpu {
        &mut self.cpu
    }

    pub fn mem(&self) -> &PhysMem {
        self.board.mem()
    }

    /// Host edits of physical memory; drops cached translations and code.
    pub fn mem_mut(&mut self) -> &mut PhysMem {
        self.board.mem_mut()
    }

    /// Copies `bytes` into physical memory at `phys`.
    pub fn load(&mut self, phys: u32, bytes: &[u8]) {
        self.board.mem_mut().write_bytes(phys, bytes);
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    pub fn devices(&self) -> &Devices {
        &self.board.devices
    }

    pub fn devices_mut(&mut self) -> &mut Devices {
        &mut self.board.devices
    }

    /// The page walk for `lin` under the current CR3 (no side effects).
    pub fn walk(&self, lin: u32) -> Walk {
        mmu::walk(self.board.mem(), self.cpu.cr3, lin)
    }

    /// The IDT as the CPU would read it now.
    pub fn idt(&self) -> Vec<IdtEntry> {
        let ctx = self.cpu.access_ctx();
        read_idt(
            self.board.mem(),
            self.cpu.idtr,
            ctx.paging.then_some(ctx.cr3),
        )
    }

    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Instructions retired so far.
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// Cycles left before the next instruction boundary.
    pub fn busy_cycles(&self) -> u32 {
        self.busy
    }

    /// Keeps the CPU busy for `cycles` more cycles, as if an instruction took
    /// that long: how the OS model charges its C-level kernel work, during
    /// which devices keep running and no instruction executes.
    pub fn add_busy(&mut self, cycles: u32) {
        self.busy = self.busy.saturating_add(cycles);
    }

    pub fn mode(&self) -> TraceMode {
        self.mode
    }

    pub fn set_mode(&mut self, mode: TraceMode) {
        self.mode = mode;
    }

    /// In traced mode, whether memory reads and writes are recorded too.
    pub fn set_memory_tracing(&mut self, on: bool) {
        self.board.set_memory_tracing(on);
    }

    pub fn set_exception_policy(&mut self, policy: ExceptionPolicy) {
        self.policy = policy;
    }

    /// Linear addresses at which [`Machine::run`] stops before executing.
    pub fn set_breakpoints(&mut self, addrs: &[u32]) {
        self.breakpoints = addrs.to_vec();
        crate::sort::sort(&mut self.breakpoints);
        self.breakpoints.dedup();
    }

    /// The last feature outside the model the CPU met (it raised #UD), with
    /// the EIP it was met at.
    pub fn unmodelled(&self) -> Option<(u32, Unmodelled)> {
        self.unmodelled
    }

    /// `Some` once the machine has stopped for good.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// Advances exactly one cycle and returns its events (always empty in
    /// fast mode). A stopped machine does not advance.
    pub fn step(&mut self) -> &[Event] {
        self.board.clear_events();
        if self.stopped.is_some() {
            return self.board.events();
        }
        self.board.set_tracing(self.mode == TraceMode::Traced);
        self.cycle_once(false);
        self.check_debug_exit();
        self.board.events()
    }

    /// Stops the machine once a kernel has written to isa-debug-exit.
    pub(super) fn check_debug_exit(&mut self) {
        if let Some(value) = self.board.devices.debug_exit {
            self.stopped.get_or_insert(StopReason::DebugExit(value));
        }
    }

    /// Instructions retired plus traps delivered (plus faults under
    /// [`ExceptionPolicy::Stop`]): the units a debugger's "step instruction"
    /// waits for.
    pub fn retired_or_delivered(&self) -> u64 {
        self.retired_or_delivered
    }

    /// The CPU is halted and nothing can wake it (interrupts off, or no
    /// device that may still raise one).
    pub fn halted_forever(&self) -> bool {
        self.cpu.halted && (!self.cpu.flag(flags::IF) || !self.board.devices.may_interrupt())
    }

    /// One cycle: devices, then the CPU (busy, idle, or at a boundary).
    /// `lazy`: let the devices skip quiet cycles (only inside `run`, which
    /// syncs them before returning).
    #[inline]
    fn cycle_once(&mut self, lazy: bool) {
        self.cycle += 1;
        self.board.set_cycle(self.cycle);
        let raised = if lazy {
            self.board.tick_devices_lazily(1)
        } else {
            self.board.tick_devices(1)
        };
        if raised != 0 && self.board.tracing() {
            for irq in (0..16u8).filter(|i| raised & (1 << i) != 0) {
                self.board.record(|| EventKind::DeviceIrq { irq });
            }
        }
        if self.busy > 0 {
            self.busy -= 1;
            return;
        }
        if self.cpu.flag(flags::IF) {
            if let Some(irq) = self.board.devices.pic.next() {
                self.board.devices.pic.acknowledge(irq);
                self.trap(Delivery::Irq(pic::VECTOR_BASE + irq));
                self.busy -= 1; // the delivery's first cycle is this one
                return;
            }
        }
        if !self.cpu.halted {
            self.execute();
        }
    }

    fn execute(&mut self) {
        let from_cpl = self.cpu.cpl();
        let result = cpu::step(&mut self.cpu, &mut self.board, &mut self.cache);
        // Fields are read one by one through an opaque reference: copying the
        // result whole made the compiler load 8 bytes spanning two of the
        // callee's 4-byte stores, a store-forwarding stall that cost ~40% of
        // fast-mode throughput (`cargo bench -p sim-core`, alu_fast).
        match std::hint::black_box(&result) {
            Ok(r) => self.retired(from_cpl, r),
            Err(e) => self.faulted(*e),
        }
    }

    #[inline]
    fn retired(&mut self, from_cpl: u8, r: &Retired) {
        self.instructions += 1;
        self.retired_or_delivered += 1;
        let cycles = r.cycles;
        self.busy = cycles.saturating_sub(1);
        if self.board.tracing() {
            let (eip, len) = (r.eip, r.len);
            self.board
                .record(|| EventKind::InstructionRetired { eip, len, cycles });
        }
        match r.effect {
            Effect::None => {}
            Effect::Iret => self.record_iret(from_cpl),
            Effect::SoftInt(v) => self.soft_int(v, r.eip),
            Effect::Halt => {
                self.cpu.halted = true;
                let eip = r.eip;
                self.board.record(|| EventKind::Halted { eip });
            }
        }
    }

    fn record_iret(&mut self, from_cpl: u8) {
        let (to_cpl, eip) = (self.cpu.cpl(), self.cpu.eip);
        self.board.record(|| EventKind::Iret {
            from_cpl,
            to_cpl,
            eip,
        });
        if to_cpl != from_cpl {
            self.board.record(|| EventKind::ModeSwitch {
                from_cpl,
                to_cpl,
                cause: SwitchCause::Iret,
            });
        }
    }

    #[cold]
    fn faulted(&mut self, exception: Exception) {
        self.retired_or_delivered += 1;
        if let Exception::Unmodelled(u) = exception {
            self.unmodelled = Some((self.cpu.eip, u));
        }
        if let Exception::PageFault { addr, .. } = exception {
            self.cpu.cr2 = addr;
        }
        let eip = self.cpu.eip;
        self.board.record(|| EventKind::Fault { exception, eip });
        match self.policy {
            ExceptionPolicy::Stop => self.stopped = Some(StopReason::Exception(exception)),
            ExceptionPolicy::Deliver => {
                self.trap(Delivery::Exception(exception));
                self.busy = self.busy.saturating_sub(1);
            }
        }
    }

    /// `int n`. If its own delivery faults (say the gate's DPL check), the
    /// exception is a fault of the `int` instruction: it is reported with EIP
    /// back at the `int`, so the handler sees where it happened (SDM 6.12.1.1).
    fn soft_int(&mut self, vector: u8, int_eip: u32) {
        let from_cpl = self.cpu.cpl();
        match deliver(&mut self.cpu, &mut self.board, Delivery::SoftInt(vector)) {
            Ok(info) => self.delivered(from_cpl, info),
            Err(exception) => {
                self.cpu.eip = int_eip;
                self.board.record(|| EventKind::Fault {
                    exception,
                    eip: int_eip,
                });
                match self.policy {
                    ExceptionPolicy::Stop => self.stopped = Some(StopReason::Exception(exception)),
                    ExceptionPolicy::Deliver => self.trap(Delivery::Exception(exception)),
                }
            }
        }
    }

    fn delivered(&mut self, from_cpl: u8, info: DeliveryInfo) {
        self.busy += TRAP_CYCLES;
        if info.to_cpl != from_cpl {
            let (to_cpl, vector) = (info.to_cpl, info.vector);
            self.board.record(|| EventKind::ModeSwitch {
                from_cpl,
                to_cpl,
                cause: SwitchCause::Trap { vector },
            });
        }
        self.board.record(|| EventKind::TrapDelivered(info));
    }

    /// Delivers `event` (escalating to #DF or a triple fault as needed) and
    /// charges [`TRAP_CYCLES`].
    fn trap(&mut self, event: Delivery) {
        let from_cpl = self.cpu.cpl();
        self.retired_or_delivered += 1;
        let esc = deliver_escalating(&mut self.cpu, &mut self.board, event);
        let eip = self.cpu.eip;
        for &exception in &esc.raised {
            if let Exception::Unmodelled(u) = exception {
                self.unmodelled = Some((eip, u));
            }
            self.board.record(|| EventKind::Fault { exception, eip });
        }
        match esc.delivered {
            Some(info) => self.delivered(from_cpl, info),
            None => {
                self.busy += 1;
                self.stopped = Some(StopReason::TripleFault);
                self.board.record(|| EventKind::TripleFault { eip });
            }
        }
    }
}
