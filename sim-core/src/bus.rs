//! The CPU's view of the outside world. Every memory and port access of an
//! instruction goes through a [`Bus`], which translates linear addresses (when
//! paging is on), checks page protection, counts and records the access. The CPU
//! never touches physical memory directly (as in mooneye-gb's `Bus`).

use crate::trap::Exception;

/// Width of an access or operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    Byte = 1,
    Word = 2,
    Dword = 4,
}

impl Size {
    pub const fn bytes(self) -> u32 {
        self as u32
    }
    pub const fn bits(self) -> u32 {
        self as u32 * 8
    }
    /// All-ones mask of this width.
    pub const fn mask(self) -> u32 {
        match self {
            Size::Byte => 0xff,
            Size::Word => 0xffff,
            Size::Dword => 0xffff_ffff,
        }
    }
    pub const fn sign_bit(self) -> u32 {
        1 << (self.bits() - 1)
    }
}

/// Why memory is being read: instruction fetches and data reads differ in the
/// page-fault error code (bit 4, I/D, is only set with NX, which we do not model,
/// so they are reported identically but traced apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    Data,
    Fetch,
}

/// Everything address translation needs from the CPU for one access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessCtx {
    /// CR0.PG: when false, linear address = physical address.
    pub paging: bool,
    /// CR3: physical address of the page directory.
    pub cr3: u32,
    /// A user-mode access (CPL 3 and not an implicit supervisor access such as
    /// reading the IDT or pushing onto the kernel stack during trap delivery).
    pub user: bool,
    /// CR0.WP: supervisor writes to read-only pages fault too.
    pub write_protect: bool,
}

/// Memory and I/O ports as seen by the CPU.
pub trait Bus {
    /// Read `size` bytes (little-endian) at linear address `lin`, zero-extended.
    fn read(
        &mut self,
        ctx: AccessCtx,
        lin: u32,
        size: Size,
        kind: ReadKind,
    ) -> Result<u32, Exception>;
    /// Write the low `size` bytes of `value` at linear address `lin`. A write that
    /// crosses a page boundary either completes on both pages or changes nothing.
    fn write(&mut self, ctx: AccessCtx, lin: u32, size: Size, value: u32) -> Result<(), Exception>;
    /// `in` from an I/O port.
    fn port_in(&mut self, port: u16, size: Size) -> u32;
    /// `out` to an I/O port.
    fn port_out(&mut self, port: u16, size: Size, value: u32);
    /// A counter that changes whenever memory that may hold cached instructions or
    /// page tables is written, or the mapping of linear addresses changes;
    /// decoded-instruction caches are flushed when it changes.
    ///
    /// `None` (the default) means "don't cache": every instruction is fetched and
    /// decoded again.
    fn code_epoch(&self) -> Option<u64> {
        None
    }
    /// Check, without writing or recording anything, that a write of `size` bytes at
    /// `lin` would succeed. The CPU calls it before an instruction that writes memory
    /// more than once (`pushal`, `call` through memory…), so that a fault on a later
    /// write leaves the earlier ones undone (Intel SDM vol. 3, 6.5: faults are
    /// restartable, the instruction has no effect).
    ///
    /// The default accepts everything, which is right for a bus without protection;
    /// a bus that can fault on writes should override it.
    fn probe_write(&mut self, ctx: AccessCtx, lin: u32, size: Size) -> Result<(), Exception> {
        let _ = (ctx, lin, size);
        Ok(())
    }
}
