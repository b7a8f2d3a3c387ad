//! The disk driver (compare xv6's ide.c): a queue of requests, the head one
//! on the device; the disk interrupt finishes it and starts the next.

use crate::dev::disk;
use crate::machine::Machine;

use super::outcome::StepOutcome;
use super::{vm, Kernel};

impl Kernel {
    /// Programs the disk with the request at the head of the queue.
    pub(super) fn start_disk(&mut self, m: &mut Machine) {
        let Some(req) = self.disk_queue.front() else {
            return;
        };
        let d = m.devices_mut();
        d.port_out(disk::PORT_BLOCK, crate::bus::Size::Dword, req.block);
        d.port_out(disk::PORT_ADDR, crate::bus::Size::Dword, self.disk_buf);
        let cmd = if req.write {
            disk::CMD_WRITE
        } else {
            disk::CMD_READ
        };
        d.port_out(disk::PORT_CMD, crate::bus::Size::Byte, cmd);
    }

    /// The disk finished the head request: copy data out, wake its thread, start the next.
    pub(super) fn disk_interrupt(&mut self, m: &mut Machine) -> StepOutcome {
        let now = m.cycle();
        let Some(req) = self.disk_queue.pop_front() else {
            return StepOutcome::SpuriousDisk;
        };
        if !req.write {
            let mut bytes = vec![0u8; req.len as usize];
            m.mem().read_bytes(self.disk_buf + req.within, &mut bytes);
            if let Some(pgdir) = self
                .threads
                .get(&req.tid)
                .and_then(|t| self.procs.get(&t.pid))
                .filter(|p| p.exit_status.is_none())
                .map(|p| p.pgdir)
            {
                let _ = vm::copy_out(m.mem_mut(), pgdir, req.buf, &bytes);
            }
        }
        self.wake(req.tid, now);
        self.start_disk(m);
        StepOutcome::DiskDone {
            tid: req.tid,
            block: req.block,
        }
    }
}
