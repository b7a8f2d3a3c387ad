//! Differential test: `assemble` must produce the same bytes as GNU `as --32`.
//! Set RINGSIDE_SKIP_GAS=1 to skip when binutils are not installed.

use sim_core::asm::{assemble, AsmOptions};
use std::process::Command;

const R32: [&str; 8] = [
    "%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi",
];
const R16: [&str; 8] = ["%ax", "%cx", "%dx", "%bx", "%sp", "%bp", "%si", "%di"];
const R8: [&str; 8] = ["%al", "%cl", "%dl", "%bl", "%ah", "%ch", "%dh", "%bh"];
const MEMS: [&str; 12] = [
    "(%eax)",
    "(%esp)",
    "(%ebp)",
    "8(%ebx)",
    "-8(%ebp)",
    "0x1000(%esi)",
    "4(%esp)",
    "(%eax,%ebx)",
    "8(%ebp,%ecx,4)",
    "(,%ecx,4)",
    "0x1000",
    "-0x80(%edi,%esi,8)",
];
const IMMS: [&str; 12] = [
    "0",
    "1",
    "-1",
    "127",
    "128",
    "-128",
    "-129",
    "0x7fffffff",
    "0x80000000",
    "0xffffffff",
    "'a'",
    "(4096*2)",
];
const IMMS8: [&str; 6] = ["0", "1", "-1", "127", "-128", "255"];
const IMMS16: [&str; 7] = ["0", "1", "-1", "127", "128", "-129", "0xffff"];
const CCS: [&str; 30] = [
    "e", "z", "ne", "nz", "b", "c", "nae", "ae", "nb", "nc", "a", "nbe", "be", "na", "l", "nge",
    "ge", "nl", "g", "nle", "le", "ng", "s", "ns", "o", "no", "p", "pe", "np", "po",
];

fn regs(s: char) -> &'static [&'static str; 8] {
    match s {
        'b' => &R8,
        'w' => &R16,
        _ => &R32,
    }
}

fn imms(s: char) -> Vec<&'static str> {
    match s {
        'b' => IMMS8.to_vec(),
        'w' => IMMS16.to_vec(),
        _ => IMMS.to_vec(),
    }
}

fn cases() -> Vec<String> {
    let mut v = Vec::new();
    let two = |v: &mut Vec<String>, m: &str, sizes: &str, imm: bool| {
        for s in sizes.chars() {
            let rs = regs(s);
            for a in rs {
                for b in rs {
                    v.push(format!("{m}{s} {a}, {b}"));
                }
                for mem in MEMS {
                    v.push(format!("{m}{s} {a}, {mem}"));
                    v.push(format!("{m}{s} {mem}, {a}"));
                }
                if imm {
                    for i in imms(s) {
                        v.push(format!("{m}{s} ${i}, {a}"));
                    }
                }
            }
            if imm {
                for mem in MEMS {
                    for i in imms(s) {
                        v.push(format!("{m}{s} ${i}, {mem}"));
                    }
                }
            }
        }
    };
    for m in [
        "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "mov", "test",
    ] {
        two(&mut v, m, "bwl", true);
    }
    two(&mut v, "xchg", "bwl", false);
    for m in ["not", "neg", "mul", "imul", "div", "idiv", "inc", "dec"] {
        for s in "bwl".chars() {
            v.extend(regs(s).iter().map(|r| format!("{m}{s} {r}")));
            v.extend(MEMS.iter().map(|x| format!("{m}{s} {x}")));
        }
    }
    for m in ["rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"] {
        for s in "bwl".chars() {
            for t in regs(s).iter().chain(MEMS.iter()) {
                v.push(format!("{m}{s} {t}"));
                v.push(format!("{m}{s} $1, {t}"));
                v.push(format!("{m}{s} $5, {t}"));
                v.push(format!("{m}{s} %cl, {t}"));
            }
        }
    }
    for s in "wl".chars() {
        for r in regs(s) {
            for src in regs(s).iter().chain(MEMS.iter()) {
                v.push(format!("imul{s} {src}, {r}"));
                v.push(format!(
                    "lea{s} {}, {r}",
                    if src.starts_with("%") { "4(%eax)" } else { src }
                ));
                for cc in ["e", "ne", "l", "ge", "b", "a"] {
                    v.push(format!("cmov{cc}{s} {src}, {r}"));
                }
            }
            for i in imms(s) {
                v.push(format!("imul{s} ${i}, {r}"));
                v.push(format!("imul{s} ${i}, 8(%ebp), {r}"));
                v.push(
                    format!("imul{s} ${i}, %ecx, {r}")
                        .replace("%ecx", if s == 'w' { "%cx" } else { "%ecx" }),
                );
            }
            v.push(format!("push{s} {r}"));
            v.push(format!("pop{s} {r}"));
            for t in regs(s).iter().chain(MEMS.iter()) {
                for m in ["bt", "bts", "btr", "btc"] {
                    v.push(format!("{m}{s} {r}, {t}"));
                    v.push(format!("{m}{s} $3, {t}"));
                }
            }
        }
        for x in MEMS {
            v.push(format!("push{s} {x}"));
            v.push(format!("pop{s} {x}"));
        }
    }
    for i in IMMS {
        v.push(format!("pushl ${i}"));
        v.push(format!("push ${i}"));
    }
    for (d, ss) in [
        ("movzbl", (&R8, &R32)),
        ("movsbl", (&R8, &R32)),
        ("movzbw", (&R8, &R16)),
        ("movsbw", (&R8, &R16)),
        ("movzwl", (&R16, &R32)),
        ("movswl", (&R16, &R32)),
    ] {
        for src in ss.0.iter().chain(MEMS.iter()) {
            for dst in ss.1 {
                v.push(format!("{d} {src}, {dst}"));
            }
        }
    }
    for cc in CCS {
        for t in R8.iter().chain(MEMS.iter()) {
            v.push(format!("set{cc} {t}"));
        }
        v.push(format!("cmov{cc}l %ebx, %eax"));
        v.push(format!("cmov{cc} %bx, %ax"));
    }
    for m in [
        "mov %eax, %ebx",
        "mov %al, (%ecx)",
        "push $5",
        "pushl $label",
        "movl $label, %eax",
        "movl label, %eax",
        "movl %eax, label",
        "movb label, %al",
        "movw %ax, 0x10",
        "movl label+4(,%ecx,4), %eax",
        "leal label(%ebx), %esi",
        "jmp *%eax",
        "call *(%ebx)",
        "jmp *label",
        "call *%ecx",
        "jmp *8(%ebp,%ecx,4)",
        "ret",
        "ret $8",
        "int $0x80",
        "int $3",
        "int $64",
        "iret",
        "iretl",
        "hlt",
        "cli",
        "sti",
        "cld",
        "std",
        "clc",
        "stc",
        "cmc",
        "nop",
        "leave",
        "cltd",
        "cdq",
        "cwtl",
        "cwde",
        "cbtw",
        "cwtd",
        "pusha",
        "pushal",
        "popa",
        "popal",
        "pushf",
        "pushfl",
        "popf",
        "popfl",
        "inb $0x60, %al",
        "inb %dx, %al",
        "inw $0x60, %ax",
        "inw %dx, %ax",
        "inl $0x60, %eax",
        "inl %dx, %eax",
        "outb %al, $0x80",
        "outb %al, %dx",
        "outw %ax, $0x80",
        "outw %ax, %dx",
        "outl %eax, $0x80",
        "outl %eax, %dx",
        "in $0x60, %al",
        "out %eax, %dx",
        "lidt (%eax)",
        "lidt idt_desc",
        "lgdt 8(%ebx)",
        "sidt (%eax)",
        "movl %eax, %cr3",
        "movl %cr0, %eax",
        "mov %cr2, %edx",
        "mov %ecx, %cr4",
        "mov %eax, %cr0",
        "movw %ax, %ds",
        "movl %eax, %ds",
        "mov %ds, %ax",
        "movl %ds, %eax",
        "mov %es, (%eax)",
        "mov (%eax), %ss",
        "push %ds",
        "pop %es",
        "push %fs",
        "pop %gs",
        "xchg %eax, %eax",
        "xchg %ax, %bx",
        "movzb %al, %eax",
        "movsb (%eax), %ax",
        "movl $SYS_write, %eax",
        "movl $(4096*2), %eax",
        "addl $(end_ - start_), %eax",
        "movb $'a', %al",
        "movl $'a, %eax",
        "movl %ss:4(%eax), %eax",
        "movl %es:0x10, %eax",
        "addl $K, %ebx",
        "addl $K2, %ebx",
        "movl K(%ebx), %eax",
    ] {
        v.push(m.to_string());
    }
    v
}

fn program() -> String {
    let mut s = String::from(".equ SYS_write, 4\n.equ K, 5\n.text\nstart_:\n");
    for (i, c) in cases().iter().enumerate() {
        s.push_str(c);
        s.push('\n');
        if i % 97 == 0 {
            s.push_str(&format!(
                "1: jmp 1f\njne 1b\nloop 1b\ncall 1b\nj{} label\n",
                CCS[i % 30]
            ));
        }
    }
    s.push_str("end_:\n.equ K2, 7\nlabel: jmp start_\n jmp label\n je start_\n.align 16\nidt_desc: .word 0x7ff\n .long idt_desc\n.p2align 3\n.byte 1, -1, 255, 'x\n.ascii \"a\\n\\t\\\\\\\"\\0\\101\\x41\"\n.asciz \"z\"\n.string \"q\"\n.space 3\n.skip 2, 0xaa\n.align 8, 0xcc\n.word 1, -2, 0xffff\n.short (end_ - start_) & 0xfff\n.long (end_-start_)*2, label\n1:\n");
    s
}

fn gas_bytes(src: &str) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("ringside_asm_vs_gas_{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (s, o, b) = (dir.join("t.s"), dir.join("t.o"), dir.join("t.bin"));
    std::fs::write(&s, src).map_err(|e| e.to_string())?;
    let out = Command::new("as")
        .args(["--32", "-o"])
        .arg(&o)
        .arg(&s)
        .output()
        .map_err(|e| {
            format!("cannot run `as` ({e}); install binutils or set RINGSIDE_SKIP_GAS=1")
        })?;
    if !out.status.success() {
        return Err(format!(
            "as failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new("objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(&o)
        .arg(&b)
        .output()
        .map_err(|e| format!("cannot run objcopy: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "objcopy failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let bytes = std::fs::read(&b).map_err(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

#[test]
fn matches_gnu_as_byte_for_byte() {
    if std::env::var("RINGSIDE_SKIP_GAS").as_deref() == Ok("1") {
        eprintln!("RINGSIDE_SKIP_GAS=1: differential test skipped");
        return;
    }
    let src = program();
    // Place .text at 0 like the relocatable object, and keep data in .text for gas too.
    let src = src.replace(".data\n", "");
    let expected = gas_bytes(&src).unwrap_or_else(|e| panic!("{e}"));
    let opts = AsmOptions {
        text_base: 0,
        data_base: None,
    };
    let prog = assemble(&src, &opts).unwrap_or_else(|e| panic!("assemble failed:\n{e}"));
    let got = &prog.text.bytes;
    let lines: Vec<&str> = src.lines().collect();
    let mut mismatches = Vec::new();
    for l in &prog.lines {
        let (a, n) = (l.addr as usize, l.len as usize);
        let want = expected.get(a..a + n);
        if want != got.get(a..a + n) {
            mismatches.push(format!(
                "line {} `{}`: ours {:02x?}, gas {:02x?}",
                l.line,
                lines[l.line as usize - 1],
                &got[a..a + n],
                want
            ));
            if mismatches.len() >= 400 {
                break;
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} cases; first mismatches:\n{}",
        lines.len(),
        mismatches.join("\n")
    );
    assert_eq!(got.len(), expected.len(), "total length differs");
    assert!(lines.len() > 5000);
}
