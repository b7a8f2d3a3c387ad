//! GNU `as`-compatible AT&T-syntax assembler for the IA-32 subset Ringside runs.
//!
//! ```
//! use sim_core::asm::{assemble, AsmOptions};
//! let p = assemble("movl $6, %eax\nint $64\n", &AsmOptions::default()).unwrap();
//! assert_eq!(p.text.bytes, [0xb8, 6, 0, 0, 0, 0xcd, 0x40]);
//! ```
//!
//! Pipeline: [`lexer`] (tokens per statement) -> [`parser`]/[`directive`] (pass 1: items
//! in source order, selecting each instruction's encoding with [`select`] exactly as
//! GNU as would on that line) -> [`layout`] (addresses, jump relaxation, final values,
//! bytes via [`encode`] and the opcode table).

mod codes;
mod directive;
mod emit;
mod encode;
mod error;
mod expr;
mod highlight;
mod layout;
mod lexer;
mod mnemonic;
mod opcodes;
mod operand;
mod parser;
mod select;
mod types;

pub use error::{AsmError, AsmErrors};
pub use highlight::{highlight, Span, SpanKind};
pub use types::{AsmOptions, LineInfo, Program, Section, SectionKind};

/// Largest accepted source text.
pub const MAX_SOURCE: usize = 1 << 20;

/// Assembles AT&T-syntax source into a [`Program`], or reports every error found.
pub fn assemble(src: &str, opts: &AsmOptions) -> Result<Program, AsmErrors> {
    if src.len() > MAX_SOURCE {
        return Err(AsmErrors(vec![AsmError::new(
            1,
            1,
            format!(
                "source is too large ({} bytes; the limit is 1 MiB)",
                src.len()
            ),
        )]));
    }
    let mut errors = Vec::new();
    let stmts = lexer::lex(src, &mut errors);
    let mut p = parser::Pass1::default();
    p.errors = errors;
    for st in &stmts {
        p.statement(st);
    }
    layout::finish(p, opts).map_err(AsmErrors::sorted)
}

#[cfg(test)]
mod tests;
