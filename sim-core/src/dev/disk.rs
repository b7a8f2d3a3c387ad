//! A disk with fixed per-request latency and DMA, modelled on an IDE drive
//! reduced to one outstanding request.
//!
//! The driver programs a request with `outl` to 0x1f0 (block number) and
//! 0x1f4 (physical address of a 512-byte buffer), then `outb` to 0x1f7 with a
//! command: 1 = read the block into memory, 2 = write memory to the block.
//! The disk is busy for `latency` cycles; then it copies the block (DMA,
//! physical addresses, no paging), sets DONE and raises IRQ 14 (vector 46).
//! `inb` 0x1f7 reads the status: bit 0 BUSY, bit 1 DONE (cleared by the next
//! command), bit 2 ERROR (a command while busy, or an unknown command; the
//! request in progress is unaffected).

use crate::ordmap::OrdMap;
use std::sync::Arc;

use crate::mem::PhysMem;

pub const IRQ: u8 = 14;
pub const BLOCK_SIZE: usize = 512;
pub const PORT_BLOCK: u16 = 0x1f0;
pub const PORT_ADDR: u16 = 0x1f4;
pub const PORT_CMD: u16 = 0x1f7;
pub const CMD_READ: u32 = 1;
pub const CMD_WRITE: u32 = 2;
pub const STATUS_BUSY: u32 = 1 << 0;
pub const STATUS_DONE: u32 = 1 << 1;
pub const STATUS_ERROR: u32 = 1 << 2;

type Block = [u8; BLOCK_SIZE];

/// A request being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Request {
    block: u32,
    addr: u32,
    write: bool,
    left: u32,
}

/// A finished DMA transfer that wrote physical memory `[addr, addr + 512)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaWrite {
    pub addr: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    /// Sparse backing store: unwritten blocks read as zeros.
    blocks: OrdMap<u32, Arc<Block>>,
    latency: u32,
    block: u32,
    addr: u32,
    status: u32,
    busy: Option<Request>,
}

impl Disk {
    /// Heap bytes of the block table (the blocks are shared by every copy).
    pub fn heap_bytes(&self) -> usize {
        self.blocks.heap_bytes()
    }

    pub fn new(latency: u32) -> Self {
        Disk {
            blocks: OrdMap::new(),
            latency,
            block: 0,
            addr: 0,
            status: 0,
            busy: None,
        }
    }

    pub fn latency(&self) -> u32 {
        self.latency
    }

    pub fn set_latency(&mut self, latency: u32) {
        self.latency = latency;
    }

    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    /// Cycles until the request in progress completes.
    pub fn cycles_left(&self) -> Option<u32> {
        self.busy.map(|r| r.left)
    }

    pub fn status(&self) -> u32 {
        self.status
    }

    /// The contents of block `n` (host side, e.g. to build a file system).
    pub fn block(&self, n: u32) -> Block {
        self.blocks.get(&n).map_or([0; BLOCK_SIZE], |b| **b)
    }

    pub fn set_block(&mut self, n: u32, data: &[u8]) {
        let mut b = [0; BLOCK_SIZE];
        let len = data.len().min(BLOCK_SIZE);
        b[..len].copy_from_slice(&data[..len]);
        self.blocks.insert(n, Arc::new(b));
    }

    pub fn set_block_number(&mut self, n: u32) {
        self.block = n;
    }

    pub fn set_buffer(&mut self, addr: u32) {
        self.addr = addr;
    }

    pub fn command(&mut self, cmd: u32) {
        if self.busy.is_some() || !(cmd == CMD_READ || cmd == CMD_WRITE) {
            self.status |= STATUS_ERROR;
            return;
        }
        self.status = STATUS_BUSY;
        self.busy = Some(Request {
            block: self.block,
            addr: self.addr,
            write: cmd == CMD_WRITE,
            left: self.latency.max(1),
        });
    }

    /// Advances one cycle. `Some` when the request completed in it (the
    /// caller raises [`IRQ`]); its `Option<DmaWrite>` says memory changed.
    #[inline]
    pub fn tick(&mut self, mem: &mut PhysMem) -> Option<Option<DmaWrite>> {
        let req = self.busy.as_mut()?;
        req.left -= 1;
        if req.left > 0 {
            return None;
        }
        Some(self.complete(mem))
    }

    /// Advances `n` cycles at once, like `n` calls of [`Disk::tick`].
    pub fn advance(&mut self, mem: &mut PhysMem, n: u64) -> Option<Option<DmaWrite>> {
        let req = self.busy.as_mut()?;
        if n < u64::from(req.left) {
            req.left -= n as u32;
            return None;
        }
        Some(self.complete(mem))
    }

    fn complete(&mut self, mem: &mut PhysMem) -> Option<DmaWrite> {
        let req = self.busy.take()?;
        self.status = STATUS_DONE;
        if req.write {
            let mut b = [0; BLOCK_SIZE];
            mem.read_bytes(req.addr, &mut b);
            self.blocks.insert(req.block, Arc::new(b));
            None
        } else {
            mem.write_bytes(req.addr, &self.block(req.block));
            Some(DmaWrite { addr: req.addr })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_completes_after_latency_with_dma() {
        let mut mem = PhysMem::new();
        let mut d = Disk::new(3);
        d.set_block(7, b"hello");
        d.set_block_number(7);
        d.set_buffer(0x8000);
        d.command(CMD_READ);
        assert_eq!(d.status(), STATUS_BUSY);
        assert_eq!(d.tick(&mut mem), None);
        assert_eq!(d.tick(&mut mem), None);
        assert_eq!(d.tick(&mut mem), Some(Some(DmaWrite { addr: 0x8000 })));
        assert_eq!(d.status(), STATUS_DONE);
        assert_eq!(mem.read_u8(0x8004), b'o');
        // Write it back to another block.
        d.set_block_number(9);
        d.command(CMD_WRITE);
        d.command(CMD_WRITE);
        assert_eq!(d.status(), STATUS_BUSY | STATUS_ERROR);
        assert_eq!(d.advance(&mut mem, 10), Some(None));
        assert_eq!(&d.block(9)[..5], b"hello");
    }
}
