//! The generated cases, one function per instruction group.

use super::gen::{imm, mem, reg, Case, Rng, SIZES, STACK};

const BINOPS: [&str; 9] = [
    "add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test",
];
const UNOPS: [&str; 4] = ["inc", "dec", "neg", "not"];
const SHIFTS: [&str; 6] = ["shl", "sal", "shr", "sar", "rol", "ror"];
const CONDS: [&str; 16] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
];

/// Every case, deterministically from `seed`; `per_form` scales the count.
pub fn all(seed: u64, per_form: u32) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut v = Vec::new();
    let gens: [fn(&mut Rng, &mut Vec<Case>); 10] = [
        alu, unary, shifts, muldiv, bits, conds, moves, stack, branches, misc,
    ];
    for _ in 0..per_form {
        for g in gens {
            g(&mut rng, &mut v);
        }
    }
    v
}

fn alu(rng: &mut Rng, v: &mut Vec<Case>) {
    for op in BINOPS {
        for (s, _) in SIZES {
            let (r1, r2, m, i) = (reg(rng, s), reg(rng, s), mem(rng), imm(rng, s));
            let forms = [
                format!("{op}{s} %{r1},%{r2}"),
                format!("{op}{s} {i},%{r1}"),
                format!("{op}{s} %{r1},{m}"),
                format!("{op}{s} {i},{m}"),
                format!("{op}{s} {i},%{}", ["al", "ax", "eax"][size_index(s)]),
            ];
            for f in forms {
                v.push(Case::new(op, f, rng));
            }
            if op != "test" {
                v.push(Case::new(op, format!("{op}{s} {m},%{r1}"), rng));
            }
        }
    }
}

fn size_index(s: char) -> usize {
    match s {
        'b' => 0,
        'w' => 1,
        _ => 2,
    }
}

fn unary(rng: &mut Rng, v: &mut Vec<Case>) {
    for op in UNOPS {
        for (s, _) in SIZES {
            v.push(Case::new(op, format!("{op}{s} %{}", reg(rng, s)), rng));
            v.push(Case::new(op, format!("{op}{s} {}", mem(rng)), rng));
        }
    }
}

fn shifts(rng: &mut Rng, v: &mut Vec<Case>) {
    for op in SHIFTS {
        for (s, _) in SIZES {
            let r = reg(rng, s)
                .replace("cl", "dl")
                .replace("ecx", "edx")
                .replace("cx", "dx");
            let count = rng.below(40);
            let cl = rng.below(70);
            v.push(Case::new(op, format!("{op}{s} $1,%{r}"), rng));
            v.push(Case::new(op, format!("{op}{s} %{r}"), rng));
            v.push(Case::new(op, format!("{op}{s} ${count},%{r}"), rng));
            v.push(Case::new(op, format!("{op}{s} ${count},{}", mem(rng)), rng));
            v.push(Case::new(op, format!("{op}{s} %cl,%{r}"), rng).reg(1, cl));
            v.push(Case::new(op, format!("{op}{s} %cl,{}", mem(rng)), rng).reg(1, cl));
        }
    }
}

fn muldiv(rng: &mut Rng, v: &mut Vec<Case>) {
    for (s, _) in SIZES {
        for op in ["mul", "imul", "div", "idiv"] {
            let r = reg(rng, s);
            v.push(Case::new(op, format!("{op}{s} %{r}"), rng));
            v.push(Case::new(op, format!("{op}{s} {}", mem(rng)), rng));
            if op.ends_with("div") {
                // Mostly non-faulting: a small high half and a nonzero divisor.
                let small = Case::new(op, format!("{op}{s} %{r}"), rng);
                let hi = rng.below(3);
                v.push(small.reg(2, hi));
            }
        }
        if s != 'b' {
            let (r1, r2) = (reg(rng, s), reg(rng, s));
            v.push(Case::new("imul2", format!("imul{s} %{r1},%{r2}"), rng));
            v.push(Case::new(
                "imul2",
                format!("imul{s} {},%{r2}", mem(rng)),
                rng,
            ));
            let k = rng.value() as i32;
            let k8 = rng.below(256) as i32 - 128;
            v.push(Case::new("imul3", format!("imul{s} ${k},%{r1},%{r2}"), rng));
            v.push(Case::new(
                "imul3",
                format!("imul{s} ${k8},{},%{r2}", mem(rng)),
                rng,
            ));
        }
    }
}

fn bits(rng: &mut Rng, v: &mut Vec<Case>) {
    for op in ["bt", "bts", "btr", "btc"] {
        for s in ['w', 'l'] {
            let r = reg(rng, s).replace("si", "dx");
            let bit = rng.below(256);
            // Bit-string offsets within ±1000 bits of ESI stay inside the scratch area.
            let off = (rng.below(2000) as i32 - 1000) as u32;
            v.push(Case::new(op, format!("{op}{s} ${bit},%{r}"), rng));
            v.push(Case::new(op, format!("{op}{s} ${bit},{}", mem(rng)), rng));
            v.push(Case::new(op, format!("{op}{s} %{r},%{}", reg(rng, s)), rng));
            let c = Case::new(op, format!("{op}{s} %{r},(%esi)"), rng);
            let idx = reg_index(&r);
            let off = if s == 'w' { off & 0xffff } else { off };
            v.push(c.reg(idx, off));
        }
    }
}

/// Index (encoding order) of a 16/32-bit register name.
fn reg_index(r: &str) -> usize {
    let base = r.trim_start_matches('e');
    ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]
        .iter()
        .position(|n| *n == base)
        .unwrap_or(0)
}

fn conds(rng: &mut Rng, v: &mut Vec<Case>) {
    for c in CONDS {
        v.push(Case::new(
            "setcc",
            format!("set{c} %{}", reg(rng, 'b')),
            rng,
        ));
        v.push(Case::new("setcc", format!("set{c} {}", mem(rng)), rng));
        for s in ['w', 'l'] {
            let (r1, r2) = (reg(rng, s), reg(rng, s));
            v.push(Case::new("cmov", format!("cmov{c}{s} %{r1},%{r2}"), rng));
            v.push(Case::new(
                "cmov",
                format!("cmov{c}{s} {},%{r2}", mem(rng)),
                rng,
            ));
        }
        let jcc = format!("j{c} 1f; movl $1,%eax; 1: addl $2,%eax");
        v.push(Case::new("jcc", jcc, rng));
    }
}

fn moves(rng: &mut Rng, v: &mut Vec<Case>) {
    for (s, _) in SIZES {
        let (r1, r2, m, i) = (reg(rng, s), reg(rng, s), mem(rng), imm(rng, s));
        for f in [
            format!("mov{s} %{r1},%{r2}"),
            format!("mov{s} {i},%{r1}"),
            format!("mov{s} %{r1},{m}"),
            format!("mov{s} {m},%{r1}"),
            format!("mov{s} {i},{m}"),
            format!("xchg{s} %{r1},%{r2}"),
            format!("xchg{s} %{r1},{m}"),
        ] {
            v.push(Case::new("mov/xchg", f, rng));
        }
    }
    // moffs forms of the accumulator.
    let a = super::gen::MEM_BASE + rng.below(0x40);
    v.push(Case::new(
        "mov moffs",
        format!("movl {a:#x},%eax; movb %al,{:#x}", a + 3),
        rng,
    ));
    v.push(Case::new("mov moffs", format!("movw %ax,{a:#x}"), rng));
    for (op, s, d) in [
        ("movzb", 'b', 'l'),
        ("movzb", 'b', 'w'),
        ("movzw", 'w', 'l'),
        ("movsb", 'b', 'l'),
        ("movsb", 'b', 'w'),
        ("movsw", 'w', 'l'),
    ] {
        let dst = reg(rng, d);
        v.push(Case::new(
            op,
            format!("{op}{d} %{},%{dst}", reg(rng, s)),
            rng,
        ));
        v.push(Case::new(op, format!("{op}{d} {},%{dst}", mem(rng)), rng));
    }
    let (b, i, d) = (reg(rng, 'l'), reg(rng, 'l'), rng.next() as i32);
    let sc = *rng.pick(&[1, 2, 4, 8]);
    for f in [
        format!("leal {d}(%{b},%{i},{sc}),%{}", reg(rng, 'l')),
        format!("leal (,%{i},{sc}),%{}", reg(rng, 'l')),
        format!("leaw {}(%{b}),%{}", d % 1000, reg(rng, 'w')),
        format!("leal {:#x},%{}", rng.value(), reg(rng, 'l')),
    ] {
        v.push(Case::new("lea", f, rng));
    }
    for op in ["cltd", "cwtl", "cbtw", "cwtd"] {
        v.push(Case::new(op, op, rng));
    }
}

fn stack(rng: &mut Rng, v: &mut Vec<Case>) {
    let r = reg(rng, 'l');
    let popf_value = rng.next() as u32 & sim_core::cpu::flags::MODELED & !sim_core::cpu::flags::TF;
    for f in [
        format!("pushl %{r}"),
        format!("pushl {}", mem(rng)),
        format!("pushl {}", imm(rng, 'l')),
        format!("pushw {}", imm(rng, 'w')),
        format!("pushw %{}", reg(rng, 'w')),
        format!("popl %{r}"),
        format!("popw %{}", reg(rng, 'w')),
        format!("popl {}", mem(rng)),
        "popl 4(%esp)".to_string(),
        "pushl %esp".to_string(),
        "pushl (%esp)".to_string(),
        "popl %esp".to_string(),
        "pushal".to_string(),
        "popal".to_string(),
        "pushfl".to_string(),
        "pushfw".to_string(),
        format!("pushl ${popf_value:#x}; popfl"),
        format!("pushw ${:#x}; popfw", popf_value & 0xffff),
        "movl %esp,%ebp; subl $8,%esp; pushl %eax; leave".to_string(),
    ] {
        v.push(Case::new("stack", f, rng));
    }
}

fn branches(rng: &mut Rng, v: &mut Vec<Case>) {
    let m = mem(rng);
    let n = 1 + rng.below(5);
    for f in [
        "jmp 1f; movl $1,%eax; 1: incl %ebx".to_string(),
        "movl $1f,%edx; jmp *%edx; movl $1,%eax; 1: incl %ebx".to_string(),
        format!("movl $1f,{m}; jmp *{m}; movl $1,%eax; 1: incl %ebx"),
        "call 1f; jmp 2f; 1: addl %ebx,%eax; ret; 2: nop".to_string(),
        "pushl $7; pushl $9; call 1f; jmp 2f; 1: ret $8; 2: nop".to_string(),
        "movl $1f,%ecx; call *%ecx; jmp 2f; 1: incl %eax; ret; 2: nop".to_string(),
        format!("movl $1f,{m}; call *{m}; jmp 2f; 1: incl %eax; ret; 2: nop"),
        format!("movl ${n},%ecx; 1: addl %edx,%eax; loop 1b"),
        format!("movl ${},%ecx; jecxz 1f; incl %eax; 1: nop", rng.below(2)),
        format!("movl ${n},%ecx; 1: incl %eax; cmpl $2,%eax; loopne 1b"),
    ] {
        v.push(Case::new("branch", f, rng));
    }
}

fn misc(rng: &mut Rng, v: &mut Vec<Case>) {
    for f in [
        "nop",
        "clc",
        "stc",
        "cmc",
        "cld",
        "std",
        "cld; std; cmc; clc",
    ] {
        v.push(Case::new("flags", f, rng));
    }
    let _ = STACK;
}
