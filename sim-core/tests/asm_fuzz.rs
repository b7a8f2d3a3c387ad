//! Property tests: `assemble` never panics and terminates quickly on any input.
use proptest::prelude::*;
use sim_core::asm::{assemble, AsmOptions};

const TOKENS: &[&str] = &[
    "movl",
    "mov",
    "addb",
    "jmp",
    "je",
    "call",
    "ret",
    "push",
    "pop",
    "imul",
    "shl",
    "inc",
    "lea",
    "int",
    "in",
    "out",
    "lidt",
    "loop",
    "setne",
    "cmovl",
    "xchg",
    "movzbl",
    ".long",
    ".byte",
    ".ascii",
    ".space",
    ".align",
    ".equ",
    ".data",
    ".text",
    "x",
    "1",
    "1b",
    "1f",
    "x:",
    "1:",
    "%eax",
    "%al",
    "%ax",
    "%esp",
    "%ebp",
    "%cl",
    "%dx",
    "%cr0",
    "%ds",
    "%eaxx",
    "$",
    "$-1",
    "$0x80000000",
    "(",
    ")",
    ",",
    "*",
    "+",
    "-",
    "/",
    "%",
    "<<",
    ">>",
    "~",
    "=",
    ";",
    "\n",
    "\"s\\n\"",
    "'a",
    "#",
    "/*",
    "*/",
    "0x7fffffff",
    "4",
    "8",
    "0",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,300}") {
        let _ = assemble(&s, &AsmOptions::default());
    }

    #[test]
    fn token_soup_never_panics(idx in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
        let src: Vec<&str> = idx.iter().map(|&i| TOKENS[i]).collect();
        let src = src.join(" ");
        let start = std::time::Instant::now();
        let _ = assemble(&src, &AsmOptions::default());
        prop_assert!(start.elapsed().as_secs() < 2, "slow on {src:?}");
    }
}
