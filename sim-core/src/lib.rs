//! sim-core: Ringside's deterministic machine.
//!
//! A small IA-32 computer advanced one cycle at a time: real x86 machine code
//! ([`asm`] assembles AT&T source to bytes, [`cpu`] fetches, decodes and executes
//! them), two-level paging ([`mmu`]) over sparse copy-on-write physical memory
//! ([`mem`]), the trap table and interrupt delivery ([`trap`]) and devices ([`dev`]),
//! wired together by [`machine::Machine`]. Nothing here knows about the web.

pub mod asm;
pub mod bus;
#[cfg(feature = "cli")]
pub mod cli;
pub mod cpu;
pub mod dev;
pub mod disasm;
pub mod event;
pub mod kernel;
pub mod machine;
pub mod mem;
pub mod mmu;
pub mod multiboot;
pub mod ordmap;
pub mod ostep;
pub mod scenario;
pub mod sched;
pub mod session;
pub mod sim;
pub mod sort;
pub mod trace;
pub mod trap;
