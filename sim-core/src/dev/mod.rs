//! Devices on the I/O bus, one file each (as rvemu's `devices/`), and the
//! interrupt controller that orders their requests.
//!
//! | ports            | device                  | IRQ → vector |
//! |------------------|-------------------------|--------------|
//! | 0x20, 0x21       | [`pic::Pic`]            | –            |
//! | 0x40–0x42        | [`timer::Timer`]        | 0 → 32 (periodic), 1 → 33 (alarm) |
//! | 0x1f0–0x1f7      | [`disk::Disk`]          | 14 → 46      |
//! | 0x3f8, 0x3fd     | [`console::Console`]    | 4 → 36 (masked at reset) |
//!
//! Reads from unassigned ports return all ones (a floating bus); writes to
//! them are ignored.
//!
//! `ringside boot` wires the board as a PC instead ([`Wiring::Pc`], see
//! [`pc`]): only the serial port and QEMU's isa-debug-exit device are there.

pub mod console;
pub mod disk;
pub mod pc;
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
    /// Which ports the devices answer on.
    pub wiring: Wiring,
    /// Set by a write to isa-debug-exit ([`pc::PORT_DEBUG_EXIT`], PC wiring
    /// only): the value written. The machine stops.
    pub debug_exit: Option<u32>,
}

/// The port map of the board.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Wiring {
    /// The lessons' board (the table above).
    #[default]
    Lesson,
    /// What `ringside boot` offers a kernel: see [`pc`].
    Pc,
}

/// Default disk latency in cycles.
pub const DEFAULT_DISK_LATENCY: u32 = 1000;

impl Default for Devices {
    /// Reset state: timer off, disk idle, and the console's IRQ line masked,
    /// so host input only interrupts a kernel that unmasks it (port 0x21);
    /// a kernel that polls the console is not disturbed.
    fn default() -> Self {
        let mut pic = Pic::default();
        pic.set_mask(1 << console::IRQ);
        Devices {
            pic,
            timer: Timer::default(),
            disk: Disk::new(DEFAULT_DISK_LATENCY),
            console: Console::default(),
            wiring: Wiring::Lesson,
            debug_exit: None,
        }
    }
}

impl Devices {
    /// The PC wiring of `ringside boot` (see [`pc`]).
    pub fn pc() -> Self {
        Devices {
            wiring: Wiring::Pc,
            ..Devices::default()
        }
    }

    /// Advances every device one cycle.
    #[inline]
    pub fn tick(&mut self, mem: &mut PhysMem) -> Tick {
        let mut t = Tick::default();
        if self.timer.tick() {
            t.raised |= 1 << timer::IRQ;
        }
        if self.timer.advance_alarm(1) {
            t.raised |= 1 << timer::ALARM_IRQ;
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
        if self.timer.advance_alarm(n) {
            t.raised |= 1 << timer::ALARM_IRQ;
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

    /// Cycles during which ticking cannot fire anything: fewer ticks than
    /// this leave every IRQ line and memory as they are.
    pub fn quiet_cycles(&self) -> u64 {
        if self.debug_exit.is_some() {
            // The machine is about to stop: no more quiet runs.
            return 1;
        }
        let timer = match self.timer.interval() {
            0 => u64::MAX,
            _ => u64::from(self.timer.left()),
        };
        let alarm = match self.timer.alarm_left() {
            0 => u64::MAX,
            n => n,
        };
        timer
            .min(alarm)
            .min(self.disk.cycles_left().map_or(u64::MAX, u64::from))
    }

    /// Host input for the console; raises its IRQ (masked at reset, see
    /// [`Devices::default`]).
    pub fn feed_console(&mut self, bytes: &[u8]) {
        self.console.feed(bytes);
        if !bytes.is_empty() {
            self.pic.raise(console::IRQ);
        }
    }

    /// Whether any interrupt could still arrive without host action.
    pub fn may_interrupt(&self) -> bool {
        self.pic.next().is_some()
            || self.timer.interval() != 0
            || self.timer.alarm_left() != 0
            || self.disk.is_busy()
    }

    pub fn port_in(&mut self, port: u16, size: Size) -> u32 {
        if self.wiring == Wiring::Pc {
            return pc::port_in(port) & size.mask();
        }
        let v = match port {
            pic::PORT_PENDING => u32::from(self.pic.pending()),
            pic::PORT_MASK => u32::from(self.pic.mask()),
            timer::PORT_INTERVAL => self.timer.interval(),
            timer::PORT_COUNT => self.timer.left(),
            timer::PORT_ALARM => self.timer.alarm_left().min(u64::from(u32::MAX)) as u32,
            disk::PORT_CMD => self.disk.status(),
            console::PORT_DATA => self.console.read_data(),
            console::PORT_STATUS => self.console.status(),
            _ => u32::MAX,
        };
        v & size.mask()
    }

    pub fn port_out(&mut self, port: u16, size: Size, value: u32) {
        let value = value & size.mask();
        if self.wiring == Wiring::Pc {
            return pc::port_out(self, port, value);
        }
        match port {
            pic::PORT_MASK => self.pic.set_mask(value as u16),
            timer::PORT_INTERVAL => self.timer.set_interval(value),
            timer::PORT_ALARM => self.timer.set_alarm(u64::from(value)),
            disk::PORT_BLOCK => self.disk.set_block_number(value),
            disk::PORT_ADDR => self.disk.set_buffer(value),
            disk::PORT_CMD => self.disk.command(value),
            console::PORT_DATA => self.console.write_data(value as u8),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_irq_is_masked_until_the_kernel_unmasks_it() {
        let mut d = Devices::default();
        d.feed_console(b"hi");
        assert_eq!(d.pic.next(), None);
        assert_eq!(
            d.port_in(console::PORT_STATUS, Size::Byte) & console::STATUS_INPUT,
            1
        );
        d.port_out(pic::PORT_MASK, Size::Byte, 0);
        assert_eq!(d.pic.next(), Some(console::IRQ));
        assert_eq!(d.port_in(console::PORT_DATA, Size::Byte), u32::from(b'h'));
        assert_eq!(d.port_in(console::PORT_DATA, Size::Byte), u32::from(b'i'));
        assert_eq!(
            d.port_in(console::PORT_DATA, Size::Dword),
            u32::MAX,
            "empty queue"
        );
        assert_eq!(
            d.port_in(0x99, Size::Word),
            0xffff,
            "unassigned port floats"
        );
    }

    #[test]
    fn quiet_cycles_is_the_distance_to_the_next_device_event() {
        let mut d = Devices::default();
        assert_eq!(d.quiet_cycles(), u64::MAX);
        d.timer.set_interval(50);
        d.disk.set_latency(20);
        d.disk.command(disk::CMD_READ);
        assert_eq!(d.quiet_cycles(), 20);
        let mut mem = PhysMem::new();
        assert_eq!(d.advance(&mut mem, 19).raised, 0);
        assert_eq!(d.tick(&mut mem).raised, 1 << disk::IRQ);
        assert_eq!(d.quiet_cycles(), 30);
    }
}
