//! The disk driver (compare xv6's ide.c): a queue of requests, the head one
//! on the device; the disk interrupt finishes it and starts the next.

use crate::dev::disk;
use crate::machine::Machine;

use super::kstep::Ran;
use super::outcome::StepOutcome;
use super::proc::Tid;
use super::{vm, KStep, Kernel};

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

    /// Cycles until `tid`'s request is done, counting the requests queued
    /// ahead of it at the full latency (at least 1: the poll comes after).
    pub(super) fn disk_cycles_left(&self, m: &Machine, tid: Tid) -> u32 {
        let disk = &m.devices().disk;
        let ahead = self
            .disk_queue
            .iter()
            .position(|r| r.tid == tid)
            .unwrap_or(0) as u32;
        let head = disk.cycles_left().unwrap_or(0);
        let rest = ahead.saturating_sub(u32::from(disk.is_busy()));
        head.saturating_add(rest.saturating_mul(disk.latency()))
            .max(1)
    }

    /// Direct execution: the spinning `tid` polls the disk's status. Still
    /// busy, or another request ahead: spin on. Done: finish the head
    /// request as the interrupt would, clearing the IRQ the disk raised
    /// (the driver polled; nobody takes the interrupt).
    pub(super) fn disk_poll(&mut self, m: &mut Machine, tid: Tid) -> Ran {
        let spin_on = |k: &Kernel, m: &Machine| {
            let cycles = k.disk_cycles_left(m, tid);
            Ran::then(
                StepOutcome::Spin { tid, cycles },
                [KStep::Spin { tid, cycles }, KStep::DiskPoll { tid }],
            )
        };
        if m.devices().disk.is_busy() {
            return spin_on(self, m);
        }
        m.devices_mut().pic.acknowledge(disk::IRQ);
        match self.disk_interrupt(m) {
            StepOutcome::DiskDone { tid: t, block } if t == tid => {
                Ran::done(StepOutcome::DiskPolled { tid, block })
            }
            _ if self.disk_queue.iter().any(|r| r.tid == tid) => spin_on(self, m),
            other => Ran::done(other),
        }
    }
}
