//! Devices on the I/O bus, one file each (as rvemu's `devices/`), and the
//! interrupt controller that orders their requests.
//!
//! | ports            | device                  | IRQ → vector |
//! |------------------|-------------------------|--------------|
//! | 0x20, 0x21       | [`pic::Pic`]            | –            |
//! | 0x40, 0x41       | [`timer::Timer`]        | 0 → 32       |
//! | 0x1f0–0x1f7      | [`disk::Disk`]          | 14 → 46      |
//! | 0x3f8, 0x3fd     | [`console::Console`]    | 4 → 36       |
//!
//! Reads from unassigned ports return all ones (a floating bus); writes to
//! them are ignored.

pub mod console;
pub mod disk;
pub mod pic;
pub mod timer;

use crate::bus::Size;
use crate::mem::PhysMem;
use console::Console;
use disk::{Disk, DmaWrite};
use pic::Pic;
use timer::Timer;

/// What the devices did in a cycle (or a run of cycles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// Bit n set: IRQ line n was raised.
    pub raised: u16,
    pub dma: Option<DmaWrite>,
}

/// All devices of the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Devices {
    pub pic: Pic,
    pub timer: Timer,
    pub disk: Disk,
    pub console: Console,
}

/// Default disk latency in cycles.
pub const DEFAULT_DISK_LATENCY: u32 = 1000;

impl Default for Devices {
    fn default() -> Self {
        Devices {
            pic: Pic::default(),
            timer: Timer::default(),
            disk: Disk::new(DEFAULT_DISK_LATENCY),
            console: Console::default(),
        }
    }
}

impl Devices {
    /// Advances every device one cycle.
    #[inline]
    pub fn tick(&mut self, mem: &mut PhysMem) -> Tick {
        let mut t = Tick::default();
        if self.timer.tick() {
            t.raised |= 1 << timer::IRQ;
        }
        if let Some(dma) = self.disk.tick(mem) {
            t.raised |= 1 << disk::IRQ;
            t.dma = dma;
        }
        self.raise(t.raised);
        t
    }

    /// Advances `n` cycles at once; same final state as `n` ticks.
    pub fn advance(&mut self, mem: &mut PhysMem, n: u64) -> Tick {
        let mut t = Tick::default();
        if self.timer.advance(n) {
            t.raised |= 1 << timer::IRQ;
        }
        if let Some(dma) = self.disk.advance(mem, n) {
            t.raised |= 1 << disk::IRQ;
            t.dma = dma;
        }
        self.raise(t.raised);
        t
    }

    fn raise(&mut self, lines: u16) {
        if lines != 0 {
            for irq in 0..16 {
                if lines & (1 << irq) != 0 {
                    self.pic.raise(irq);
                }
            }
        }
    }

    /// Host input for the console; raises its IRQ.
    pub fn feed_console(&mut self, bytes: &[u8]) {
        self.console.feed(bytes);
        if !bytes.is_empty() {
            self.pic.raise(console::IRQ);
        }
    }

    /// Whether any interrupt could still arrive without host action.
    pub fn may_interrupt(&self) -> bool {
        self.pic.next().is_some() || self.timer.interval() != 0 || self.disk.is_busy()
    }

    pub fn port_in(&mut self, port: u16, size: Size) -> u32 {
        let v = match port {
            pic::PORT_PENDING => u32::from(self.pic.pending()),
            pic::PORT_MASK => u32::from(self.pic.mask()),
            timer::PORT_INTERVAL => self.timer.interval(),
            timer::PORT_COUNT => self.timer.left(),
            disk::PORT_CMD => self.disk.status(),
            console::PORT_DATA => self.console.read_data(),
            console::PORT_STATUS => self.console.status(),
            _ => u32::MAX,
        };
        v & size.mask()
    }

    pub fn port_out(&mut self, port: u16, size: Size, value: u32) {
        let value = value & size.mask();
        match port {
            pic::PORT_MASK => self.pic.set_mask(value as u16),
            timer::PORT_INTERVAL => self.timer.set_interval(value),
            disk::PORT_BLOCK => self.disk.set_block_number(value),
            disk::PORT_ADDR => self.disk.set_buffer(value),
            disk::PORT_CMD => self.disk.command(value),
            console::PORT_DATA => self.console.write_data(value as u8),
            _ => {}
        }
    }
}
