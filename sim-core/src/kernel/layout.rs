//! Where everything lives, physically and virtually (compare xv6's memlayout.h).
//!
//! Every address space maps the kernel supervisor-only at [`KERNBASE`] + phys for
//! the first [`PHYSTOP`] bytes of physical memory (the same kernel page tables are
//! shared by all page directories, as in a real kernel). User programs start at
//! [`USER_TEXT`]; the main thread's stack ends at [`USTACK_TOP`], so that
//! `0xffe84264` lies in it, near the top of the 4 GiB space as for a 32-bit process
//! on a 64-bit kernel. Thread k of a process gets its own stack
//! [`THREAD_STACK_GAP`] × k below.

/// Kernel virtual base: kernel virtual address = physical + KERNBASE.
pub const KERNBASE: u32 = 0x8000_0000;
/// Physical memory the kernel manages (and maps into every address space).
pub const PHYSTOP: u32 = 0x0100_0000;
/// Physical address of the kernel's code (trap vectors, `alltraps`, `trapret`).
pub const KERNEL_TEXT_PHYS: u32 = 0x0010_0000;
/// Physical address of the IDT (256 gates × 8 bytes).
pub const IDT_PHYS: u32 = 0x000f_0000;
/// Physical address of the GDT (xv6's seginit(): null, kernel code and data,
/// user code and data, the TSS).
pub const GDT_PHYS: u32 = 0x000e_e000;
/// Physical address of the TSS (104 bytes, no I/O bitmap), in the GDT's page.
pub const TSS_PHYS: u32 = GDT_PHYS + crate::machine::TSS_OFFSET;
/// Stack the CPU uses while idle (no runnable thread), top of a frame.
pub const IDLE_STACK_PHYS: u32 = 0x000e_f000;
/// First frame handed out for page tables, user pages and kernel stacks.
pub const FREE_PHYS: u32 = 0x0020_0000;

/// Where user programs are loaded.
pub const USER_TEXT: u32 = 0x0000_1000;
/// Top of the main thread's user stack.
pub const USTACK_TOP: u32 = 0xffe8_5000;
/// Pages per user stack.
pub const USTACK_PAGES: u32 = 4;
/// Distance between the stack tops of a process's threads.
pub const THREAD_STACK_GAP: u32 = 0x0001_0000;

pub const PAGE: u32 = 4096;
/// Threads one process may create (their stacks must stay clear of the kernel).
pub const MAX_THREADS: u32 = 64;

/// Kernel virtual address of a physical one.
pub const fn p2v(phys: u32) -> u32 {
    phys.wrapping_add(KERNBASE)
}

/// Top of thread `index`'s user stack (index 0 = the main thread).
pub const fn ustack_top(index: u32) -> u32 {
    USTACK_TOP - index * THREAD_STACK_GAP
}
