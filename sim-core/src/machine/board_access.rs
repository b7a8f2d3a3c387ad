//! The board's full access path: translation misses, accesses that cross a
//! page, recorded accesses (the fast path, a cached translation within one
//! page, is in `board.rs`).

use super::Board;
use crate::bus::{AccessCtx, Size};
use crate::event::EventKind;
use crate::mem::{PAGE_MASK, PAGE_SHIFT, PAGE_SIZE};
use crate::mmu::{Access, TlbEntry};
use crate::trap::Exception;

impl Board {
    /// Physical addresses of the first byte and (if the access crosses a page)
    /// of the first byte on the second page. Both pages are checked before
    /// anything is read or written.
    #[inline]
    pub(super) fn resolve(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        access: Access,
        fetch: bool,
    ) -> Result<(TlbEntry, Option<TlbEntry>), Exception> {
        let first = self.entry(ctx, lin, access, fetch)?;
        if (lin & PAGE_MASK) + size.bytes() <= PAGE_SIZE as u32 {
            return Ok((first, None));
        }
        let next = lin.wrapping_add(size.bytes()) & !PAGE_MASK;
        let second = self.entry(ctx, next, access, fetch)?;
        // Filling the second entry may have evicted or flushed the first;
        // the values stay valid for this one access.
        Ok((first, Some(second)))
    }

    pub(super) fn read_resolved(
        &self,
        lin: u32,
        size: Size,
        pages: (TlbEntry, Option<TlbEntry>),
    ) -> u32 {
        let phys = pages.0.frame | (lin & PAGE_MASK);
        match pages.1 {
            None => self.mem.read(phys, size.bytes()),
            Some(second) => (0..size.bytes()).fold(0, |acc, i| {
                let l = lin.wrapping_add(i);
                let e = if l >> PAGE_SHIFT == lin >> PAGE_SHIFT {
                    pages.0
                } else {
                    second
                };
                acc | u32::from(self.mem.read_u8(e.frame | (l & PAGE_MASK))) << (8 * i)
            }),
        }
    }

    /// [`Bus::read`] with everything: a TLB miss, a page-crossing access,
    /// recording the access.
    #[inline(never)]
    pub(super) fn read_slow(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        fetch: bool,
    ) -> Result<u32, Exception> {
        let pages = self.resolve(ctx, lin, size, Access::Read, fetch)?;
        let value = self.read_resolved(lin, size, pages);
        if self.trace_memory {
            self.record(|| EventKind::MemRead {
                lin,
                phys: pages.0.frame | (lin & PAGE_MASK),
                size: size.bytes() as u8,
                value,
                fetch,
            });
        }
        Ok(value)
    }

    /// [`Bus::write`] with everything, as [`Board::read_slow`].
    #[inline(never)]
    pub(super) fn write_slow(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        value: u32,
    ) -> Result<(), Exception> {
        let pages = self.resolve(ctx, lin, size, Access::Write, false)?;
        let phys = pages.0.frame | (lin & PAGE_MASK);
        if self.tracing && self.trace_memory {
            let old = self.read_resolved(lin, size, pages);
            self.record(|| EventKind::MemWrite {
                lin,
                phys,
                size: size.bytes() as u8,
                old,
                new: value & size.mask(),
            });
        }
        match pages.1 {
            None => self.mem.write(phys, size.bytes(), value),
            Some(second) => {
                for i in 0..size.bytes() {
                    let l = lin.wrapping_add(i);
                    let e = if l >> PAGE_SHIFT == lin >> PAGE_SHIFT {
                        pages.0
                    } else {
                        second
                    };
                    self.mem
                        .write_u8(e.frame | (l & PAGE_MASK), (value >> (8 * i)) as u8);
                }
            }
        }
        for e in std::iter::once(pages.0).chain(pages.1) {
            if e.page_table || e.code {
                self.wrote_frame(e.frame >> PAGE_SHIFT);
            }
        }
        Ok(())
    }
}

/// Whether an access of `size` bytes at `lin` stays within one page.
#[inline(always)]
pub(super) fn within_page(lin: u32, size: Size) -> bool {
    (lin & PAGE_MASK) + size.bytes() <= PAGE_SIZE as u32
}

/// Little-endian load of `size` bytes at `off` (within the page).
#[inline(always)]
pub(super) fn load(page: &[u8; PAGE_SIZE], off: usize, size: Size) -> u32 {
    match size {
        Size::Byte => u32::from(page[off]),
        Size::Word => u32::from(u16::from_le_bytes([page[off], page[off + 1]])),
        Size::Dword => u32::from_le_bytes([page[off], page[off + 1], page[off + 2], page[off + 3]]),
    }
}

/// Little-endian store of the low `size` bytes of `value` at `off`.
#[inline(always)]
pub(super) fn store(page: &mut [u8; PAGE_SIZE], off: usize, size: Size, value: u32) {
    match size {
        Size::Byte => page[off] = value as u8,
        Size::Word => page[off..off + 2].copy_from_slice(&(value as u16).to_le_bytes()),
        Size::Dword => page[off..off + 4].copy_from_slice(&value.to_le_bytes()),
    }
}
