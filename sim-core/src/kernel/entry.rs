//! The kernel's trap entry and exit, as real x86 that runs on the engine:
//! `vectors.s` and `trapasm.s` (xv6's vectors.S and trapasm.S), assembled at
//! boot by our own assembler.
//!
//! Each vector pushes an error code (unless the hardware did) and its number,
//! then `alltraps` saves the general registers with `pushal`, completing the
//! [`TrapFrame`](super::frame::TrapFrame). At `trap_c` the kernel's C-level code
//! runs: here that is Rust, as explicit kernel steps (see `kstep`), while the
//! CPU waits at that address. When the kernel is done it points ESP at the trap
//! frame of the thread to resume and continues at `trapret`, which pops the
//! registers and `iret`s back to user mode.

use crate::asm::{self, AsmOptions, Program};

use super::frame::has_error_code;
use super::layout::{p2v, KERNEL_TEXT_PHYS};
use super::StubSymbols;

/// Vectors with a stub: the 32 exceptions, hardware IRQs 0–15 and the syscall.
pub fn stub_vectors() -> impl Iterator<Item = u8> {
    (0..48u8).chain(std::iter::once(super::T_SYSCALL))
}

/// The vector stubs, one label `vectorN` each (xv6's vectors.S).
pub const VECTORS_S: &str = include_str!("vectors.s");
/// `alltraps`, `trap_c`, `trapret` and the idle loop (xv6's trapasm.S).
pub const TRAPASM_S: &str = include_str!("trapasm.s");

/// The kernel's assembly source as assembled at boot: the vectors, then
/// `alltraps` (the stubs must come first: [`StubSymbols::phase`] finds a
/// stub as the last `vectorN` below `alltraps`).
pub fn source() -> String {
    format!("{VECTORS_S}{TRAPASM_S}")
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

/// Where the CPU is on the trap path, told by EIP alone (see
/// [`StubSymbols::phase`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrapPhase {
    /// Words on the stack below the EIP the CPU pushed: the error code, the
    /// vector number, then `pushal`'s eight, as far as they are pushed now.
    pub below: u32,
    /// The vector, when EIP is in its stub `vectorN`.
    pub vector: Option<u8>,
    /// On the way out: `trapret` up to the `iret`.
    pub leaving: bool,
}

impl StubSymbols {
    /// The trap-path phase for EIP `eip` (the next instruction): in a stub
    /// `vectorN` (the CPU's words are pushed, then the stub's one by one),
    /// at `alltraps`, at `trap_c` (the whole frame), or in `trapret`
    /// (popping it). `None` elsewhere (user code, the idle loop).
    pub fn phase(&self, eip: u32) -> Option<TrapPhase> {
        let p = &self.program;
        let next = |a: u32| p.line_at(a).map(|l| l.addr + l.len);
        let alltraps = p.symbols.get("alltraps").copied()?;
        let at = |below, leaving| {
            Some(TrapPhase {
                below,
                vector: None,
                leaving,
            })
        };
        if eip == alltraps {
            return at(2, false);
        }
        if eip == self.trap_c {
            return at(10, false);
        }
        if eip == self.trapret {
            return at(10, true);
        }
        let addl = next(self.trapret)?;
        if eip == addl {
            return at(2, true);
        }
        if eip == next(addl)? {
            return at(0, true);
        }
        let (&v, &start) = self
            .vectors
            .iter()
            .filter(|(_, &a)| a <= eip && eip < alltraps)
            .max_by_key(|(_, &a)| a)?;
        // The stub pushes what the CPU did not: a dummy error code, then the
        // vector number; then it jumps to `alltraps`.
        let by_cpu = u32::from(has_error_code(v));
        let (mut a, mut done) = (start, 0);
        while a < eip {
            a = next(a)?;
            done += 1;
        }
        (a == eip).then_some(TrapPhase {
            below: by_cpu + done.min(2 - by_cpu),
            vector: Some(v),
            leaving: false,
        })
    }
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

    #[test]
    fn vectors_s_has_a_stub_for_exactly_the_stub_vectors() {
        let labels: Vec<String> = VECTORS_S
            .lines()
            .filter_map(|l| l.strip_suffix(':'))
            .map(str::to_string)
            .collect();
        let want: Vec<String> = stub_vectors().map(|v| format!("vector{v}")).collect();
        assert_eq!(labels, want);
    }

    #[test]
    fn phases_count_the_words_pushed_so_far() {
        let p = assemble().expect("kernel stubs assemble");
        let sym = |n: &str| p.symbols[n];
        let stubs = StubSymbols {
            trap_c: sym("trap_c"),
            trapret: sym("trapret"),
            idle: sym("idle"),
            vectors: stub_vectors()
                .map(|v| (v, sym(&format!("vector{v}"))))
                .collect(),
            program: std::sync::Arc::new(p.clone()),
        };
        let next = |a: u32| p.line_at(a).map(|l| l.addr + l.len).unwrap();
        for v in stub_vectors() {
            let start = stubs.vectors[&v];
            let first = stubs.phase(start).unwrap();
            // #DF, #TS, #NP, #SS, #GP, #PF, #AC: the CPU pushed the error code.
            let cpu_err = u32::from(matches!(v, 8 | 10..=14 | 17));
            assert_eq!((first.below, first.vector), (cpu_err, Some(v)), "{v}");
            let second = stubs.phase(next(start)).unwrap();
            assert_eq!(second.below, cpu_err + 1, "{v}");
        }
        let below = |a: u32| stubs.phase(a).map(|p| (p.below, p.leaving));
        assert_eq!(below(sym("alltraps")), Some((2, false)));
        assert_eq!(below(stubs.trap_c), Some((10, false)));
        assert_eq!(below(stubs.trapret), Some((10, true)));
        assert_eq!(below(next(stubs.trapret)), Some((2, true)));
        assert_eq!(below(next(next(stubs.trapret))), Some((0, true)));
        assert_eq!(below(stubs.idle), None);
    }

    #[test]
    fn stubs_push_a_dummy_error_code_only_where_the_cpu_pushes_none() {
        let src = source();
        for v in stub_vectors() {
            let stub = src
                .split(&format!("vector{v}:\n"))
                .nth(1)
                .and_then(|s| s.split("jmp alltraps").next())
                .unwrap_or_default();
            let pushes = stub.matches("pushl").count();
            // #DF, #TS, #NP, #SS, #GP, #PF, #AC: the CPU pushed the error code.
            let want = if matches!(v, 8 | 10 | 11 | 12 | 13 | 14 | 17) {
                1
            } else {
                2
            };
            assert_eq!(has_error_code(v), want == 1, "vector {v}");
            assert_eq!(pushes, want, "vector {v}");
        }
    }
}
