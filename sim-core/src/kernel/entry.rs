//! The kernel's trap entry and exit, as real x86 that runs on the engine
//! (compare xv6's vectors.S and trapasm.S).
//!
//! Each vector pushes an error code (unless the hardware did) and its number,
//! then `alltraps` saves the general registers with `pushal`, completing the
//! [`TrapFrame`](super::frame::TrapFrame). At `trap_c` the kernel's C-level code
//! runs: here that is Rust, as explicit kernel steps (see `kstep`), while the
//! CPU waits at that address. When the kernel is done it points ESP at the trap
//! frame of the thread to resume and continues at `trapret`, which pops the
//! registers and `iret`s back to user mode.

use crate::asm::{self, AsmOptions, Program};

use super::layout::{p2v, KERNEL_TEXT_PHYS};

/// Vectors with a stub: the 32 exceptions, hardware IRQs 0–15 and the syscall.
pub fn stub_vectors() -> impl Iterator<Item = u8> {
    (0..48u8).chain(std::iter::once(super::T_SYSCALL))
}

/// Intel SDM 6.13: the exceptions for which the CPU pushes an error code.
const fn has_error_code(v: u8) -> bool {
    matches!(v, 8 | 10..=14 | 17)
}

/// The stub source; one label `vectorN` per vector.
pub fn source() -> String {
    let mut s = String::from(
        "# Ringside kernel: trap entry and exit (cf. xv6 vectors.S, trapasm.S)\n.text\n",
    );
    for v in stub_vectors() {
        if has_error_code(v) {
            s += &format!("vector{v}:\n    pushl ${v}\n    jmp alltraps\n");
        } else {
            s += &format!("vector{v}:\n    pushl $0\n    pushl ${v}\n    jmp alltraps\n");
        }
    }
    s += "\
alltraps:
    pushal              # build the trap frame: save every general register
trap_c:                 # the kernel's C code (trap(), syscalls, sched()) runs here
    nop
trapret:
    popal               # restore the registers of the thread being resumed
    addl $8, %esp       # drop trap number and error code
    iret                # back to where the trap came from
idle:                   # nothing to run: wait for an interrupt
    sti
    hlt
    jmp idle
";
    s
}

/// The assembled stubs with their symbols (the kernel looks up `vectorN`,
/// `trap_c`, `trapret` and `idle`).
pub fn assemble() -> Result<Program, asm::AsmErrors> {
    asm::assemble(
        &source(),
        &AsmOptions {
            text_base: p2v(KERNEL_TEXT_PHYS),
            data_base: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_assemble_with_every_label() {
        let p = assemble().expect("kernel stubs assemble");
        for v in stub_vectors() {
            assert!(p.symbols.contains_key(&format!("vector{v}")), "vector{v}");
        }
        for l in ["alltraps", "trap_c", "trapret", "idle"] {
            assert!(p.symbols.contains_key(l), "{l}");
        }
    }
}
