//! End-to-end unit tests of `assemble` (byte values checked against `as --32`).

use super::*;

fn bytes(src: &str) -> Vec<u8> {
    match assemble(src, &AsmOptions::default()) {
        Ok(p) => p.text.bytes,
        Err(e) => panic!("{e}"),
    }
}

fn errs(src: &str) -> Vec<(u32, u32, String)> {
    match assemble(src, &AsmOptions::default()) {
        Ok(_) => panic!("expected errors for {src:?}"),
        Err(e) => {
            e.0.into_iter()
                .map(|e| (e.line, e.column, e.message))
                .collect()
        }
    }
}

#[test]
fn basic_encodings() {
    assert_eq!(bytes("movl $6, %eax"), [0xb8, 6, 0, 0, 0]);
    assert_eq!(bytes("addl %ebx,%eax"), [0x01, 0xd8]);
    assert_eq!(bytes("addl $1000,%eax"), [0x05, 0xe8, 0x03, 0, 0]);
    assert_eq!(bytes("addl $-1,%ebx"), [0x83, 0xc3, 0xff]);
    assert_eq!(bytes("movl 8(%ebp,%ecx,4), %edx"), [0x8b, 0x54, 0x8d, 0x08]);
    assert_eq!(bytes("movl 0x1000, %eax"), [0xa1, 0, 0x10, 0, 0]);
    assert_eq!(bytes("shl $1, %eax"), [0xd1, 0xe0]);
    assert_eq!(bytes("int $3"), [0xcc]);
    assert_eq!(bytes("movl %eax, %cr3"), [0x0f, 0x22, 0xd8]);
}

#[test]
fn labels_jumps_and_data() {
    assert_eq!(bytes("1: jmp 1b\n jmp 1f\n1:"), [0xeb, 0xfe, 0xeb, 0x00]);
    let far = "jmp x\n.space 200\nx: je x";
    let b = bytes(far);
    assert_eq!(&b[..5], [0xe9, 0xc8, 0, 0, 0]);
    let p = assemble(
        ".data\nv: .long 7, v\ns: .asciz \"hi\"\n.text\nmovl v, %eax\n",
        &AsmOptions::default(),
    )
    .unwrap();
    assert_eq!(p.data.base, 0x1008);
    assert_eq!(p.data.bytes, [7, 0, 0, 0, 8, 0x10, 0, 0, b'h', b'i', 0]);
    assert_eq!(p.symbols["s"], 0x1010);
    assert_eq!(p.line_at(0x1002).map(|l| l.line), Some(5));
}

#[test]
fn equ_and_expressions() {
    assert_eq!(
        bytes(".equ SYS_write, 4\nmovl $SYS_write, %eax"),
        [0xb8, 4, 0, 0, 0]
    );
    assert_eq!(bytes("N = 4096*2\npushl $(N/N)"), [0x6a, 1]);
    assert_eq!(bytes("s: nop\ne: pushl $(e-s)"), [0x90, 0x6a, 1]);
    assert_eq!(bytes("movb $'a', %al"), [0xb0, 0x61]);
}

#[test]
fn errors_are_specific_and_all_reported() {
    let e = errs("movl %eaxx, %ebx\nmovb %eax, %bl\nmovx %eax,%ebx\njmp foo\nmovb $300, %al\nx:\nx:\ninc (%eax)\n");
    let msgs: Vec<&str> = e.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(e.len(), 7, "{msgs:?}");
    assert_eq!((e[0].0, e[0].1), (1, 6));
    assert_eq!(msgs[0], "unknown register %eaxx");
    assert!(msgs[1].starts_with("operand size mismatch: movb with %eax"));
    assert_eq!(msgs[2], "unknown instruction 'movx'");
    assert_eq!(msgs[3], "undefined symbol 'foo'");
    assert_eq!(msgs[4], "immediate 300 does not fit in a byte");
    assert_eq!(msgs[5], "label 'x' defined twice (first on line 6)");
    assert!(msgs[6].starts_with("ambiguous operand size for 'inc'"));
}

#[test]
fn limits() {
    assert!(assemble(&" ".repeat(MAX_SOURCE + 1), &AsmOptions::default()).is_err());
    let e = errs(".space 0x7fffffff");
    assert!(e[0].2.contains("too large"));
}
