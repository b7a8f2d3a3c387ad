//! The board: physical memory, the MMU with its TLB, and the devices, behind
//! the CPU's [`Bus`]. Every access the CPU makes comes through here, so this is
//! where accesses are translated, checked, traced and where cached
//! translations and decoded instructions are invalidated.

use crate::ordmap::OrdSet;

use crate::bus::{AccessCtx, Bus, ReadKind, Size};
use crate::dev::Devices;
use crate::event::{Event, EventKind};
use crate::mem::{PhysMem, PAGE_MASK, PAGE_SHIFT};
use crate::mmu::{self, Access, Tlb, TlbEntry};
use crate::trap::Exception;

/// A set of frame numbers shared between a machine and its snapshots: it
/// grows rarely (a frame first used as code or as a page table), so a clone
/// costs a reference count and an insertion copies only when it adds.
#[derive(Clone, Debug, Default)]
struct FrameSet(std::rc::Rc<OrdSet<u32>>);

impl FrameSet {
    fn contains(&self, frame: &u32) -> bool {
        self.0.contains(frame)
    }

    /// Adds `frame`; whether it was new.
    fn insert(&mut self, frame: u32) -> bool {
        !self.0.contains(&frame) && std::rc::Rc::make_mut(&mut self.0).insert(frame)
    }
}

/// Memory, MMU and devices: the CPU's [`Bus`].
#[derive(Clone, Debug)]
pub struct Board {
    mem: PhysMem,
    tlb: Tlb,
    /// Frames used as page directories or page tables by some walk.
    page_table_frames: FrameSet,
    /// Frames instructions were fetched from.
    code_frames: FrameSet,
    /// See [`Bus::code_epoch`].
    epoch: u64,
    pub devices: Devices,
    /// Traced mode: accesses are recorded into `events`.
    tracing: bool,
    /// Record memory reads and writes too (only while `tracing`).
    trace_memory: bool,
    events: Vec<Event>,
    /// Stamp for recorded events; the machine keeps it current.
    cycle: u64,
    /// Device cycles not applied yet (see [`Board::tick_devices_lazily`]).
    lag: u64,
    /// Cycles after the last device update during which they stay quiet.
    quiet: u64,
}

impl Default for Board {
    fn default() -> Self {
        Self::new(PhysMem::new())
    }
}

impl Board {
    pub fn new(mem: PhysMem) -> Self {
        Board {
            mem,
            tlb: Tlb::default(),
            page_table_frames: FrameSet::default(),
            code_frames: FrameSet::default(),
            epoch: 0,
            devices: Devices::default(),
            tracing: false,
            trace_memory: true,
            events: Vec::new(),
            cycle: 0,
            lag: 0,
            quiet: 0,
        }
    }

    pub fn mem(&self) -> &PhysMem {
        &self.mem
    }

    /// Host-side changes to physical memory (loading programs, building page
    /// tables). Cached translations and decoded instructions are dropped, since
    /// the host may write anything.
    pub fn mem_mut(&mut self) -> &mut PhysMem {
        self.invalidate_all();
        &mut self.mem
    }

    /// Physical memory for packing a snapshot's pages away and back
    /// ([`crate::machine::Machine::pack_unshared`]): every byte reads as
    /// before once unpacked, so nothing cached is dropped.
    pub(super) fn mem_unchanged_mut(&mut self) -> &mut PhysMem {
        &mut self.mem
    }

    /// Forget every cached translation and decoded instruction.
    pub fn invalidate_all(&mut self) {
        self.tlb.flush();
        self.epoch += 1;
    }

    pub fn tlb(&self) -> &Tlb {
        &self.tlb
    }

    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    pub fn tracing(&self) -> bool {
        self.tracing
    }

    /// Whether traced runs also record every memory access (the bulk of a
    /// trace; a coarser trace runs faster without them).
    pub fn set_memory_tracing(&mut self, on: bool) {
        self.trace_memory = on;
    }

    pub(crate) fn memory_tracing(&self) -> bool {
        self.trace_memory
    }

    pub(crate) fn set_cycle(&mut self, cycle: u64) {
        self.cycle = cycle;
    }

    /// Records an event (traced mode only; free otherwise).
    #[inline]
    pub fn record(&mut self, kind: impl FnOnce() -> EventKind) {
        if self.tracing {
            self.events.push(Event {
                cycle: self.cycle,
                kind: kind(),
            });
        }
    }

    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    pub(crate) fn clear_events(&mut self) {
        self.events.clear();
    }

    /// Advances the devices one cycle, or `n` cycles at once.
    pub(crate) fn tick_devices(&mut self, n: u64) -> u16 {
        let t = if n == 1 {
            self.devices.tick(&mut self.mem)
        } else {
            self.devices.advance(&mut self.mem, n)
        };
        if let Some(dma) = t.dma {
            // A DMA write may land on code or page tables like any other write.
            for frame in [
                dma.addr >> PAGE_SHIFT,
                dma.addr.wrapping_add(511) >> PAGE_SHIFT,
            ] {
                self.wrote_frame(frame);
            }
        }
        t.raised
    }

    /// Like [`Board::tick_devices`], but cycles in which no device can fire
    /// (see [`Devices::quiet_cycles`]) are only counted, and applied in one
    /// `advance` when something could happen, before any port access, or at
    /// [`Board::sync_devices`]. Nothing observable changes in those cycles,
    /// so the result is identical to ticking each one; this is the fast path.
    #[inline]
    pub(crate) fn tick_devices_lazily(&mut self, n: u64) -> u16 {
        if self.lag + n < self.quiet {
            self.lag += n;
            return 0;
        }
        let total = self.lag + n;
        self.lag = 0;
        let raised = self.tick_devices(total);
        self.quiet = self.devices.quiet_cycles();
        raised
    }

    /// Counts `n` device cycles without the lazy tick's check: only for
    /// callers that know the devices stay quiet through them (`lag + n` is
    /// below `quiet`).
    #[inline(always)]
    pub(crate) fn defer_quiet_cycles(&mut self, n: u64) {
        debug_assert!(self.lag + n < self.quiet);
        self.lag += n;
    }

    /// Whether no device cycle is deferred: right after a port access (which
    /// applies them first) inside the quiet loop, which defers one per cycle.
    #[inline(always)]
    pub(crate) fn devices_synced(&self) -> bool {
        self.lag == 0
    }

    /// Cycles from now to the first one in which a device may fire (≥ 1).
    pub(crate) fn quiet_left(&self) -> u64 {
        self.quiet.saturating_sub(self.lag)
    }

    /// Applies deferred device cycles; afterwards devices are exact.
    pub(crate) fn sync_devices(&mut self) {
        if self.lag > 0 {
            // Fewer than `quiet` cycles: nothing fires, no IRQ, no DMA.
            let lag = std::mem::take(&mut self.lag);
            self.tick_devices(lag);
        }
        self.quiet = self.devices.quiet_cycles();
    }

    fn wrote_frame(&mut self, frame: u32) {
        if self.page_table_frames.contains(&frame) {
            self.tlb.flush();
            self.epoch += 1;
        } else if self.code_frames.contains(&frame) {
            self.epoch += 1;
        }
    }

    /// The cached TLB entry for `lin` if it allows `access` under `ctx` (the
    /// entries were filled under the same CR0.PG and CR3): every access's
    /// fast path, which changes nothing.
    #[inline(always)]
    fn hit(&self, ctx: AccessCtx, lin: u32, access: Access, fetch: bool) -> Option<TlbEntry> {
        if !self.tlb.is_for(ctx.paging, ctx.cr3) {
            return None;
        }
        let e = self.tlb.get(lin >> PAGE_SHIFT)?;
        let rights = (!ctx.user || e.user)
            && (access == Access::Read
                || (e.dirty && (e.writable || (!ctx.user && !ctx.write_protect))));
        (rights && (e.code || !fetch)).then_some(*e)
    }

    /// The TLB entry for `lin` allowing `access`, walking the tables on a miss.
    #[inline]
    fn entry(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        access: Access,
        fetch: bool,
    ) -> Result<TlbEntry, Exception> {
        if self.tlb.sync(ctx.paging, ctx.cr3) {
            self.epoch += 1;
        }
        match self.hit(ctx, lin, access, fetch) {
            Some(e) => Ok(e),
            None => self.fill(ctx, lin, access, fetch),
        }
    }

    #[cold]
    fn fill(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        access: Access,
        fetch: bool,
    ) -> Result<TlbEntry, Exception> {
        let mut entry = TlbEntry {
            vpn: lin >> PAGE_SHIFT,
            frame: lin & !PAGE_MASK,
            user: true,
            writable: true,
            dirty: true,
            ..TlbEntry::EMPTY
        };
        if ctx.paging {
            let t = mmu::translate(&mut self.mem, ctx, lin, access)?;
            let new_pd = self.page_table_frames.insert(t.pd_frame >> PAGE_SHIFT);
            let new_pt = self.page_table_frames.insert(t.pt_frame >> PAGE_SHIFT);
            if new_pd || new_pt {
                // Entries cached earlier may alias these frames without
                // knowing they now hold page tables.
                self.tlb.flush();
            }
            entry.frame = t.phys & !PAGE_MASK;
            (entry.user, entry.writable, entry.dirty) = (t.user, t.writable, t.dirty);
        }
        let frame = entry.frame >> PAGE_SHIFT;
        if fetch && self.code_frames.insert(frame) {
            self.tlb.flush();
        }
        entry.page_table = self.page_table_frames.contains(&frame);
        entry.code = self.code_frames.contains(&frame);
        self.tlb.insert(entry);
        Ok(entry)
    }
}

impl Bus for Board {
    #[inline]
    fn read(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        kind: ReadKind,
    ) -> Result<u32, Exception> {
        let fetch = kind == ReadKind::Fetch;
        // The common case: within one page, translation cached, untraced.
        if within_page(lin, size) && !(self.tracing && self.trace_memory) {
            if let Some(e) = self.hit(ctx, lin, Access::Read, fetch) {
                let off = (lin & PAGE_MASK) as usize;
                return Ok(self
                    .mem
                    .frame(e.frame >> PAGE_SHIFT)
                    .map_or(0, |p| load(p, off, size)));
            }
        }
        self.read_slow(ctx, lin, size, fetch)
    }

    // Always inlined: a burst's writes otherwise pay for a call that saves
    // six registers and returns its `Result` through memory (the copying
    // paths below are out of line, so the inlined part is small).
    #[inline(always)]
    fn write(&mut self, ctx: AccessCtx, lin: u32, size: Size, value: u32) -> Result<(), Exception> {
        if within_page(lin, size) && !(self.tracing && self.trace_memory) {
            if let Some(e) = self.hit(ctx, lin, Access::Write, false) {
                let off = (lin & PAGE_MASK) as usize;
                store(self.mem.frame_mut(e.frame >> PAGE_SHIFT), off, size, value);
                if e.page_table || e.code {
                    self.wrote_frame(e.frame >> PAGE_SHIFT);
                }
                return Ok(());
            }
        }
        self.write_slow(ctx, lin, size, value)
    }

    fn port_in(&mut self, port: u16, size: Size) -> u32 {
        self.sync_devices();
        let value = self.devices.port_in(port, size);
        self.quiet = self.devices.quiet_cycles();
        self.record(|| EventKind::PortIn {
            port,
            size: size.bytes() as u8,
            value,
        });
        value
    }

    fn port_out(&mut self, port: u16, size: Size, value: u32) {
        self.sync_devices();
        self.devices.port_out(port, size, value);
        self.quiet = self.devices.quiet_cycles();
        self.record(|| EventKind::PortOut {
            port,
            size: size.bytes() as u8,
            value: value & size.mask(),
        });
    }

    #[inline]
    fn code_epoch(&self) -> Option<u64> {
        Some(self.epoch)
    }

    fn probe_write(&mut self, ctx: AccessCtx, lin: u32, size: Size) -> Result<(), Exception> {
        if !ctx.paging {
            return Ok(());
        }
        if self.tlb.sync(ctx.paging, ctx.cr3) {
            self.epoch += 1;
        }
        let last = lin.wrapping_add(size.bytes() - 1);
        for page in [lin, last] {
            let cached = self.tlb.get(page >> PAGE_SHIFT).is_some_and(|e| {
                (!ctx.user || e.user) && (e.writable || (!ctx.user && !ctx.write_protect))
            });
            if !cached {
                mmu::check(&self.mem, ctx, page, Access::Write)?;
            }
        }
        Ok(())
    }
}

#[path = "board_access.rs"]
mod access;
use access::{load, store, within_page};

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
