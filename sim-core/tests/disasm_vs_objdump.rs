//! Conformance: our disassembler (`sim_core::disasm`) spells every
//! instruction of a corpus as GNU `objdump -d` does. The corpus (every form
//! of the instructions the engine executes, in all operand sizes and
//! addressing modes) is assembled with `as --32`, linked with `ld -m elf_i386`
//! and stripped; each line objdump prints is compared with ours for the same
//! bytes, whitespace collapsed. Set RINGSIDE_SKIP_GAS=1 to skip when binutils
//! are not installed.

use sim_core::disasm::listing;
use std::process::Command;

const R32: [&str; 8] = [
    "%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi",
];
const R16: [&str; 4] = ["%ax", "%cx", "%bx", "%di"];
const R8: [&str; 6] = ["%al", "%cl", "%dl", "%bl", "%ah", "%bh"];
const MEMS: [&str; 13] = [
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
    "-0x12345678(%eax,%edx,2)",
];
const IMMS: [&str; 7] = ["0", "1", "-1", "127", "-128", "0x1234", "-0x12345678"];
const CCS: [&str; 16] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
];

fn sized() -> [(char, Vec<&'static str>); 3] {
    [('b', R8.to_vec()), ('w', R16.to_vec()), ('l', R32.to_vec())]
}

fn corpus() -> Vec<String> {
    let mut c = Vec::new();
    for op in [
        "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "mov",
    ] {
        for (s, regs) in sized() {
            for r in &regs {
                c.push(format!("{op}{s} {},{r}", regs[0]));
                c.push(format!("{op}{s} {r},{}", regs[1]));
                for imm in IMMS {
                    if s != 'l' && imm.len() > 5 {
                        continue;
                    }
                    c.push(format!("{op}{s} ${imm},{r}"));
                }
            }
            for m in MEMS {
                c.push(format!("{op}{s} {},{m}", regs[2]));
                c.push(format!(
                    "{op}{s} ${},{m}",
                    if s == 'b' { "-3" } else { "300" }
                ));
                if op != "test" {
                    c.push(format!("{op}{s} {m},{}", regs[1]));
                }
            }
        }
    }
    for op in [
        "inc", "dec", "neg", "not", "mul", "imul", "div", "idiv", "push", "pop",
    ] {
        for (s, regs) in sized() {
            if (op == "push" || op == "pop") && s == 'b' {
                continue;
            }
            for r in &regs {
                c.push(format!("{op}{s} {r}"));
            }
            for m in MEMS {
                c.push(format!("{op}{s} {m}"));
            }
        }
    }
    for op in ["shl", "shr", "sar", "rol", "ror"] {
        for (s, regs) in sized() {
            for d in [regs[1], "8(%ebx)", "(%eax,%ebx)"] {
                c.push(format!("{op}{s} {d}"));
                c.push(format!("{op}{s} $3,{d}"));
                c.push(format!("{op}{s} %cl,{d}"));
            }
        }
    }
    for op in ["bt", "bts", "btr", "btc"] {
        for d in ["%ebx", "(%eax)", "8(%ebp,%ecx,4)"] {
            c.push(format!("{op}l $5,{d}"));
            c.push(format!("{op}l %eax,{d}"));
        }
        c.push(format!("{op}w %ax,%bx"));
    }
    for cc in CCS {
        c.push(format!("set{cc} %al"));
        c.push(format!("set{cc} 8(%ebx)"));
        c.push(format!("cmov{cc} %ebx,%eax"));
        c.push(format!("cmov{cc} (%eax),%ecx"));
        c.push(format!("cmov{cc}w %bx,%ax"));
        c.push(format!("j{cc} back"));
        c.push(format!("j{cc} far"));
    }
    for m in MEMS {
        c.push(format!("lea {m},%eax"));
        c.push(format!("lea {m},%si"));
        c.push(format!("xchg %ecx,{m}"));
        c.push(format!("jmp *{m}"));
        c.push(format!("call *{m}"));
        c.push(format!("movzbl {m},%eax"));
        c.push(format!("movswl {m},%ecx"));
        c.push(format!("movsbw {m},%dx"));
        c.push(format!("lidt {m}"));
        c.push(format!("nopl {m}"));
    }
    for (a, b) in [
        ("%al", "%eax"),
        ("%bl", "%cx"),
        ("%ax", "%edx"),
        ("%bh", "%esi"),
    ] {
        c.push(format!("movz{}{} {a},{b}", suffix(a), suffix(b)));
        c.push(format!("movs{}{} {a},{b}", suffix(a), suffix(b)));
    }
    for r in R32 {
        c.push(format!("xchg %eax,{r}"));
        c.push(format!("xchg {r},%edx"));
        c.push(format!("imul $7,{r},%eax"));
        c.push(format!("imul $300,{r}"));
        c.push(format!("imul {r},%ecx"));
        c.push(format!("jmp *{r}"));
        c.push(format!("call *{r}"));
        c.push(format!("mov 0x804a000,{r}"));
        c.push(format!("mov {r},0x804a000"));
    }
    for r in ["%cr0", "%cr2", "%cr3", "%cr4"] {
        c.push(format!("mov %eax,{r}"));
        c.push(format!("mov {r},%ebx"));
    }
    c.extend(
        [
            "mov 0x804a000,%al",
            "mov %ax,0x804a000",
            "imul $-2,(%eax),%ecx",
            "imulw $3,%bx,%ax",
            "pushl $1",
            "pushl $0x1000",
            "pushw $1",
            "push $-1",
            "pusha",
            "popa",
            "pushaw",
            "pushf",
            "popf",
            "pushfw",
            "iret",
            "cbtw",
            "cwtl",
            "cwtd",
            "cltd",
            "nop",
            "xchg %ax,%ax",
            "leave",
            "ret",
            "ret $8",
            "int $64",
            "int $0x80",
            "int3",
            "into",
            "hlt",
            "cli",
            "sti",
            "cld",
            "std",
            "clc",
            "stc",
            "cmc",
            "in %dx,%al",
            "in %dx,%ax",
            "in %dx,%eax",
            "in $0x60,%al",
            "out %al,%dx",
            "out %eax,$0x21",
            "outw %ax,$0x40",
            "lock addl $1,(%eax)",
            "lock incl 8(%ebx)",
            "lock xchg %eax,(%ebx)",
            "lock btsl $3,(%eax)",
            "movl %eax,%fs:(%ebx)",
            "movl %es:4,%eax",
            "call back",
            "call far",
            "jmp back",
            "jmp far",
            "1: loop 1b",
            "loope 1b",
            "loopne 1b",
            "jecxz 1b",
            // gas's padding and other SIB bytes without an index: objdump's %eiz
            ".byte 0x8d, 0x74, 0x26, 0x00",
            ".byte 0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00",
            ".byte 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00",
            ".byte 0x8b, 0x04, 0x60",
            ".byte 0x66, 0x0f, 0x1f, 0x44, 0x20, 0x08",
            ".p2align 4",
            "nop",
        ]
        .map(String::from),
    );
    c
}

fn suffix(r: &str) -> char {
    if R32.contains(&r) {
        'l'
    } else if r.len() == 3 && (r.ends_with('l') || r.ends_with('h')) {
        'b'
    } else {
        'w'
    }
}

/// (address, bytes, text) of every instruction objdump prints.
fn objdump(source: &str) -> Result<Vec<(u32, Vec<u8>, String)>, String> {
    let dir = std::env::temp_dir().join(format!("ringside_disasm_{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = |n: &str| dir.join(n).to_string_lossy().into_owned();
    std::fs::write(path("c.s"), source).map_err(|e| e.to_string())?;
    let run = |cmd: &str, args: &[&str]| -> Result<String, String> {
        let out = Command::new(cmd)
            .args(args)
            .output()
            .map_err(|e| format!("{cmd}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{cmd}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    run("as", &["--32", "-o", &path("c.o"), &path("c.s")])?;
    run(
        "ld",
        &[
            "-m",
            "elf_i386",
            "-e",
            "_start",
            "-o",
            &path("c"),
            &path("c.o"),
        ],
    )?;
    run("strip", &[&path("c")])?;
    let text = run("objdump", &["-d", &path("c")])?;
    let _ = std::fs::remove_dir_all(&dir);
    let mut lines: Vec<(u32, Vec<u8>, String)> = Vec::new();
    for l in text.lines() {
        let mut parts = l.splitn(3, '\t');
        let (Some(addr), Some(bytes)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(addr) = addr.trim().strip_suffix(':') else {
            continue;
        };
        let Ok(addr) = u32::from_str_radix(addr, 16) else {
            continue;
        };
        let bytes: Vec<u8> = bytes
            .split_whitespace()
            .filter_map(|b| u8::from_str_radix(b, 16).ok())
            .collect();
        match parts.next() {
            Some(t) => lines.push((addr, bytes, t.to_string())),
            // A long instruction's bytes continue on the next line.
            None => match lines.last_mut() {
                Some(last) => last.1.extend(bytes),
                None => return Err(format!("continuation first: {l}")),
            },
        }
    }
    Ok(lines)
}

fn normalize(s: &str) -> String {
    let s = match s.find(" <") {
        Some(at) => &s[..at],
        None => s,
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn disassembly_matches_objdump_line_by_line() {
    if std::env::var_os("RINGSIDE_SKIP_GAS").is_some() {
        return;
    }
    let corpus = corpus();
    let source = format!(
        ".globl _start\n.text\n_start:\nback:\n{}\nfar:\n.skip 300, 0x90\nnop\n",
        corpus.join("\n")
    );
    let lines = objdump(&source).expect("binutils (as, ld, strip, objdump) must be installed");
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (addr, bytes, text) in &lines {
        let ours = listing(*addr, bytes);
        let want = normalize(text);
        let got = ours.first().map(|l| normalize(&l.text)).unwrap_or_default();
        let len_ok = ours.first().is_some_and(|l| l.len as usize == bytes.len());
        if got != want || !len_ok {
            mismatches.push(format!(
                "{addr:x}: {bytes:02x?}: objdump `{want}`, ours `{got}`"
            ));
        }
        compared += 1;
    }
    assert!(
        compared >= corpus.len(),
        "objdump listed {compared} lines for {} corpus lines",
        corpus.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} lines differ:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(40)].join("\n")
    );
    eprintln!("{compared} lines match objdump");
}
