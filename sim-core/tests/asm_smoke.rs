//! Quick end-to-end checks of the public assembler API.
use sim_core::asm::{assemble, AsmOptions};

#[test]
fn hello() {
    let p = assemble("movl $6, %eax\nint $64\n", &AsmOptions::default()).unwrap();
    assert_eq!(p.text.bytes, [0xb8, 6, 0, 0, 0, 0xcd, 0x40]);
}
