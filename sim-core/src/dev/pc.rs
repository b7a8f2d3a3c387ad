//! The PC wiring of `ringside boot`: the devices a kernel booted under QEMU
//! (`-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04`) may rely
//! on, answering as QEMU's do.
//!
//! | port  | access | meaning |
//! |-------|--------|---------|
//! | 0x3f8 | out    | COM1 transmit: the byte goes to the console output |
//! | 0x3fd | in     | COM1 line status: 0x60, transmitter empty (THRE, TEMT) |
//! | 0xf4  | out    | isa-debug-exit: the run ends; QEMU exits with (value << 1) \| 1 |
//!
//! Every other port has no device: writes are ignored (a kernel may mask the
//! interrupt controllers at 0x21 and 0xa1) and reads return all ones. The
//! timer, the disk and the PIC of the lessons' board are not wired, so no
//! interrupt ever arrives.

use super::{console, Devices};

/// isa-debug-exit's I/O base (`iobase=0xf4`).
pub const PORT_DEBUG_EXIT: u16 = 0xf4;
/// COM1's line status register.
pub const PORT_LSR: u16 = console::PORT_STATUS;
/// LSR bits 5 (THR empty) and 6 (transmitter empty): output is never held up.
pub const LSR_TRANSMITTER_EMPTY: u32 = 0x60;

/// `in` on the PC wiring (before masking to the access size).
pub fn port_in(port: u16) -> u32 {
    match port {
        PORT_LSR => LSR_TRANSMITTER_EMPTY,
        _ => u32::MAX,
    }
}

/// `out` on the PC wiring; `value` is already masked to the access size.
pub fn port_out(devices: &mut Devices, port: u16, value: u32) {
    match port {
        console::PORT_DATA => devices.console.write_data(value as u8),
        PORT_DEBUG_EXIT => devices.debug_exit = Some(value),
        _ => {}
    }
}

/// The exit status QEMU's isa-debug-exit gives the process for `value`.
pub const fn exit_status(value: u32) -> i32 {
    ((value << 1 | 1) & 0xff) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Size;

    #[test]
    fn only_the_serial_port_and_debug_exit_answer() {
        let mut d = Devices::pc();
        d.port_out(0x3f8, Size::Byte, u32::from(b'k'));
        d.port_out(0x21, Size::Byte, 0xff);
        d.port_out(0x40, Size::Byte, 10);
        assert_eq!(d.console.output(), b"k");
        assert_eq!(d.timer.interval(), 0, "the PIT port is not wired");
        assert_eq!(d.port_in(0x3fd, Size::Byte), 0x60);
        assert_eq!(d.port_in(0x21, Size::Byte), 0xff);
        assert_eq!(d.port_in(0x1f7, Size::Word), 0xffff);
        assert_eq!(d.debug_exit, None);
        d.port_out(0xf4, Size::Dword, 0x31);
        assert_eq!(d.debug_exit, Some(0x31));
        assert_eq!(exit_status(0x31), 0x63);
        assert_eq!(d.quiet_cycles(), 1);
    }
}
