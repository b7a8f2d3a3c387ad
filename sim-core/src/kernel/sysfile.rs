//! The file system calls (compare xv6's sysfile.c): console reads and writes
//! complete at once; disk requests queue (ide.rs), block the caller, and
//! finish in the disk interrupt. Under direct execution the caller does not
//! block: it spins on the CPU until the disk is done (ide.rs polls it).

use crate::dev::disk::BLOCK_SIZE;
use crate::machine::Machine;

use super::outcome::SysOutcome as Did;
use super::proc::{File, Pid, Tid, WaitFor};
use super::syscall::{SysArgs, SysResult};
use super::{vm, ExecMode, Kernel};

/// Most bytes one `read`/`write` moves (keeps a single call's cost bounded).
const MAX_IO: u32 = 4096;

impl Kernel {
    /// `read(fd, buf, n)`.
    pub(super) fn sys_read(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        self.sys_rw(m, a, false)
    }

    /// `write(fd, buf, n)`.
    pub(super) fn sys_write(&mut self, m: &mut Machine, a: &SysArgs) -> SysResult {
        self.sys_rw(m, a, true)
    }

    fn sys_rw(&mut self, m: &mut Machine, a: &SysArgs, write: bool) -> SysResult {
        match (a.args[0], a.args[1], a.args[2]) {
            (Some(fd), Some(buf), Some(n)) => {
                self.filerw(m, a.pid, a.tid, write, fd, buf, n.min(MAX_IO), a.now)
            }
            _ => (Some(-1), Did::BadArguments),
        }
    }

    /// Reads or writes open file `fd` of `pid` (xv6's fileread/filewrite).
    #[allow(clippy::too_many_arguments)]
    fn filerw(
        &mut self,
        m: &mut Machine,
        pid: Pid,
        tid: Tid,
        write: bool,
        fd: u32,
        buf: u32,
        n: u32,
        now: u64,
    ) -> SysResult {
        let pgdir = self.procs[&pid].pgdir;
        match self.procs[&pid].files.get(fd as usize).copied() {
            Some(File::ConsoleOut) if write => match vm::copy_in(m.mem(), pgdir, buf, n) {
                Ok(bytes) => {
                    for b in &bytes {
                        m.devices_mut().console.write_data(*b);
                    }
                    (Some(n as i32), Did::ConsoleWrote(bytes))
                }
                Err(e) => (Some(-1), Did::BadBuffer(e.0)),
            },
            Some(File::ConsoleIn) if !write => {
                let mut bytes = Vec::new();
                while (bytes.len() as u32) < n && m.devices().console.pending_input() > 0 {
                    bytes.push(m.devices_mut().console.read_data() as u8);
                }
                match vm::copy_out(m.mem_mut(), pgdir, buf, &bytes) {
                    Ok(()) => (Some(bytes.len() as i32), Did::ConsoleRead(bytes.len())),
                    Err(e) => (Some(-1), Did::BadBuffer(e.0)),
                }
            }
            Some(File::Disk { offset }) => {
                let within = offset % BLOCK_SIZE as u32;
                let len = n.min(BLOCK_SIZE as u32 - within);
                if vm::copy_in(m.mem(), pgdir, buf, len).is_err()
                    || (!write
                        && vm::copy_out(m.mem_mut(), pgdir, buf, &vec![0; len as usize]).is_err())
                {
                    return (Some(-1), Did::BadBuffer(buf));
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
                if self.config.mode == ExecMode::Direct {
                    // No OS to hand the CPU to another process: the caller
                    // busy-waits for the device (OSTEP 6: "wastes the CPU").
                    let cycles = self.disk_cycles_left(m, tid);
                    return (
                        None,
                        Did::DiskSpins {
                            write,
                            block: req.block,
                            tid,
                            cycles,
                        },
                    );
                }
                self.block_current(WaitFor::Disk, now);
                (
                    None,
                    Did::DiskQueued {
                        write,
                        block: req.block,
                        tid,
                    },
                )
            }
            _ => (Some(-1), Did::NotOpen { fd, write }),
        }
    }
}
