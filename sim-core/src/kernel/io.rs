//! File I/O system calls and the disk driver (xv6's sysfile.c and ide.c):
//! console reads and writes complete at once; disk requests queue, block the
//! caller, and finish in the disk interrupt.

use crate::dev::disk::{self, BLOCK_SIZE};
use crate::machine::Machine;

use super::proc::{File, Pid, Tid, WaitFor};
use super::{vm, Kernel};

impl Kernel {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sys_io(
        &mut self,
        m: &mut Machine,
        pid: Pid,
        tid: Tid,
        write: bool,
        fd: u32,
        buf: u32,
        n: u32,
        now: u64,
    ) -> (Option<i32>, String) {
        let pgdir = self.procs[&pid].pgdir;
        match self.procs[&pid].files.get(fd as usize).copied() {
            Some(File::ConsoleOut) if write => match vm::copy_in(m.mem(), pgdir, buf, n) {
                Ok(bytes) => {
                    for b in &bytes {
                        m.devices_mut().console.write_data(*b);
                    }
                    (
                        Some(n as i32),
                        format!(
                            "console ← {}",
                            String::from_utf8_lossy(&bytes).escape_debug()
                        ),
                    )
                }
                Err(e) => (Some(-1), format!("bad buffer at {:#010x}", e.0)),
            },
            Some(File::ConsoleIn) if !write => {
                let mut bytes = Vec::new();
                while (bytes.len() as u32) < n && m.devices().console.pending_input() > 0 {
                    bytes.push(m.devices_mut().console.read_data() as u8);
                }
                match vm::copy_out(m.mem_mut(), pgdir, buf, &bytes) {
                    Ok(()) => (
                        Some(bytes.len() as i32),
                        format!("console → {} bytes", bytes.len()),
                    ),
                    Err(e) => (Some(-1), format!("bad buffer at {:#010x}", e.0)),
                }
            }
            Some(File::Disk { offset }) => {
                let within = offset % BLOCK_SIZE as u32;
                let len = n.min(BLOCK_SIZE as u32 - within);
                if vm::copy_in(m.mem(), pgdir, buf, len).is_err()
                    || (!write
                        && vm::copy_out(m.mem_mut(), pgdir, buf, &vec![0; len as usize]).is_err())
                {
                    return (Some(-1), format!("bad buffer at {buf:#010x}"));
                }
                let req = super::DiskRequest {
                    tid,
                    block: offset / BLOCK_SIZE as u32,
                    write,
                    buf,
                    len,
                    within,
                };
                if write {
                    // Stage the user's bytes in the block: read-modify-write of one block.
                    if let Ok(bytes) = vm::copy_in(m.mem(), pgdir, buf, len) {
                        let mut block = m.devices().disk.block(req.block);
                        block[within as usize..(within + len) as usize].copy_from_slice(&bytes);
                        m.mem_mut().write_bytes(self.disk_buf, &block);
                    }
                }
                if let Some(File::Disk { offset }) = self
                    .procs
                    .get_mut(&pid)
                    .and_then(|p| p.files.get_mut(fd as usize))
                {
                    *offset += len;
                }
                let start = self.disk_queue.is_empty();
                self.disk_queue.push_back(req.clone());
                if start {
                    self.start_disk(m);
                }
                self.set_return(m, len as i32);
                self.block_current(WaitFor::Disk, now);
                let dir = if write { "write" } else { "read" };
                (
                    None,
                    format!(
                        "disk {dir} of block {} queued; {tid} blocks until the disk interrupt",
                        req.block
                    ),
                )
            }
            _ => (
                Some(-1),
                format!(
                    "fd {fd} is not open for {}",
                    if write { "writing" } else { "reading" }
                ),
            ),
        }
    }

    /// Programs the disk with the request at the head of the queue.
    fn start_disk(&mut self, m: &mut Machine) {
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
    pub(super) fn disk_interrupt(&mut self, m: &mut Machine) -> String {
        let now = m.cycle();
        let Some(req) = self.disk_queue.pop_front() else {
            return "spurious disk interrupt".into();
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
        format!(
            "disk request of {} done (block {}); {} is ready",
            req.tid, req.block, req.tid
        )
    }
}
