//! Console: an output port that appends bytes to the console text and an
//! input queue the host fills (the keyboard). Feeding input raises IRQ 4
//! (vector 36, COM1's line on a PC); the line is masked at reset, see
//! [`super::Devices::default`].
//!
//! Ports: `outb` 0x3f8 appends a byte to the output; `inb` 0x3f8 takes the
//! next input byte, or reads 0xffffffff (all ones, a floating bus) when the
//! queue is empty; `inb` 0x3fd is the status: bit 0 = input available,
//! bit 5 = ready to send (always).

use std::collections::VecDeque;

pub const IRQ: u8 = 4;
pub const PORT_DATA: u16 = 0x3f8;
pub const PORT_STATUS: u16 = 0x3fd;
pub const STATUS_INPUT: u32 = 1 << 0;
pub const STATUS_READY: u32 = 1 << 5;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Console {
    output: Vec<u8>,
    input: VecDeque<u8>,
}

impl Console {
    /// Heap bytes of the output and input buffers.
    pub fn heap_bytes(&self) -> usize {
        self.output.capacity() + self.input.capacity()
    }

    /// Everything written so far, invalid UTF-8 shown as U+FFFD.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }

    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Queues host input; the caller raises [`IRQ`].
    pub fn feed(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    pub fn pending_input(&self) -> usize {
        self.input.len()
    }

    pub fn read_data(&mut self) -> u32 {
        self.input.pop_front().map_or(u32::MAX, u32::from)
    }

    pub fn status(&self) -> u32 {
        STATUS_READY | (u32::from(!self.input.is_empty()) * STATUS_INPUT)
    }

    pub fn write_data(&mut self, byte: u8) {
        self.output.push(byte);
    }
}
