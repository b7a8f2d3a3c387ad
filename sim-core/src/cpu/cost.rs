//! Cycle costs. Ringside's clock is a teaching clock, not a model of any real
//! pipeline: costs are chosen so that the expensive things (divides, I/O, traps,
//! memory traffic) visibly cost more than register arithmetic.
//!
//! | instruction class                                        | cycles |
//! |----------------------------------------------------------|--------|
//! | register ALU, `mov`, `lea`, flag ops, `nop`, `setcc`…    | 1      |
//! | each memory operand access (read or write; RMW = 2)      | +1     |
//! | each implicit stack access (push/pop, call/ret…)         | +1     |
//! | `mul`, `imul`                                            | 3      |
//! | `div`, `idiv`                                            | 20     |
//! | `jcc`, `loop` not taken / taken                          | 1 / 2  |
//! | `jmp`, `call`, `ret`                                     | 2      |
//! | `int n`                                                  | 6 (delivery is charged by `trap`) |
//! | `iret`                                                   | 6      |
//! | `in`, `out`                                              | 10     |
//! | `hlt`, `cli`, `sti`, `lidt`, `lgdt`, `ltr`, `mov` crN, `sidt`, `sgdt`, `str` | 2 |
//! | `lret` (far return)                                      | 2 + 2 stack accesses |
//! | `pushal` / `popal`                                       | 1 + 8 stack accesses |
//!
//! The base cost of an instruction is computed once at decode time (and cached);
//! [`TAKEN_BRANCH`] is added at run time when a conditional branch is taken.

use iced_x86::{Instruction, Mnemonic, OpKind};

/// Extra cycles of a taken conditional branch or `loop`.
pub const TAKEN_BRANCH: u32 = 1;

/// The run-time independent cost of `instr` (see the table above).
pub fn base_cycles(instr: &Instruction) -> u32 {
    use Mnemonic::*;
    let m = instr.mnemonic();
    let (core, stack) = match m {
        Mul | Imul => (3, 0),
        Div | Idiv => (20, 0),
        Jmp => (2, 0),
        Call => (2, 1),
        Ret => (2, 1),
        Int | Int3 | Into => (6, 0),
        Iretd | Iret => (6, 0),
        In | Out => (10, 0),
        Hlt | Cli | Sti | Lidt | Lgdt | Ltr | Sidt | Sgdt | Str => (2, 0),
        Retf => (2, 2),
        Push | Pop | Pushfd | Pushf | Popfd | Popf => (1, 1),
        Pushad | Pusha | Popad | Popa => (1, 8),
        Leave => (1, 1),
        Mov if is_control_register_move(instr) => (2, 0),
        _ => (1, 0),
    };
    core + stack + memory_accesses(instr, m)
}

fn is_control_register_move(instr: &Instruction) -> bool {
    (0..instr.op_count()).any(|i| {
        instr.op_kind(i) == OpKind::Register && super::operand::is_cr(instr.op_register(i))
    })
}

/// Explicit memory-operand accesses: 2 for a read-modify-write destination, 1 for
/// any other memory operand, 0 for `lea`/`nop` (they compute but never access).
fn memory_accesses(instr: &Instruction, m: Mnemonic) -> u32 {
    use Mnemonic::*;
    if !(0..instr.op_count()).any(|i| instr.op_kind(i) == OpKind::Memory) {
        return 0;
    }
    let dest_is_memory = instr.op0_kind() == OpKind::Memory;
    match m {
        Lea | Nop => 0,
        Add | Or | Adc | Sbb | And | Sub | Xor | Inc | Dec | Neg | Not | Shl | Sal | Shr | Sar
        | Rol | Ror | Xchg
            if dest_is_memory =>
        {
            2
        }
        Xchg => 2,
        _ => 1,
    }
}
