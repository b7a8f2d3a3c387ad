//! (a) User code can never change kernel memory or another process's frames.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sim_core::kernel::layout::{IDT_PHYS, KERNEL_TEXT_PHYS, PAGE};
use sim_core::kernel::{vm, Pid};
use sim_core::machine::Machine;
use sim_core::mmu::pte;
use sim_core::sim::{Sim, TraceLevel};

use super::{build, scenario, spec, BYSTANDER, RR};

/// Where a random write goes.
#[derive(Clone, Debug)]
enum Target {
    /// Anywhere in the kernel's half (supervisor-only pages).
    Kernel(u32),
    /// The stack range, 0xffe8xxxx: in another process this is its stack; in
    /// this one it is this process's own stack (the same virtual address).
    Stack(u32),
    /// Offset in the writer's own data buffer.
    OwnData(u32),
    /// Any address outside the writer's code (a write there could turn the
    /// test program into arbitrary code).
    Random(u32),
}

impl Target {
    fn operand(&self) -> String {
        match self {
            Target::Kernel(a) | Target::Stack(a) | Target::Random(a) => format!("{a:#x}"),
            Target::OwnData(o) => format!("buf+{o}"),
        }
    }

    /// Mapped and writable for the writer.
    fn harmless(&self) -> bool {
        match self {
            Target::OwnData(_) => true,
            Target::Stack(a) => *a >= 0xffe8_1000 && *a <= 0xffe8_4ff0,
            _ => false,
        }
    }
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        2 => prop_oneof![
            0x8000_0000u32..0x8100_0000,
            (0u32..0x100).prop_map(|o| 0x8010_0000 + 4 * o), // kernel text
            (0u32..0x200).prop_map(|o| 0x800f_0000 + 4 * o), // IDT
            (0u32..0x1000).prop_map(|o| 0x8020_0000 + 4 * o), // kernel page tables
        ]
        .prop_map(Target::Kernel),
        3 => (0xffe8_0000u32..0xffe8_5000).prop_map(|a| Target::Stack(a & !3)),
        4 => (0u32..60).prop_map(Target::OwnData),
        1 => any::<u32>()
            .prop_filter("not the writer's code", |a| !(0x1000..0x4000).contains(a))
            .prop_map(Target::Random),
    ]
}

#[derive(Clone, Debug)]
enum Write {
    Movl(Target, u32),
    Movb(Target, u8),
    Addl(Target, u32),
    Incl(Target),
    /// `pushl` with %esp pointed just above the target.
    Pushl(Target, u32),
}

impl Write {
    fn target(&self) -> &Target {
        match self {
            Write::Movl(t, _)
            | Write::Movb(t, _)
            | Write::Addl(t, _)
            | Write::Incl(t)
            | Write::Pushl(t, _) => t,
        }
    }

    fn asm(&self) -> String {
        match self {
            Write::Movl(t, v) => format!("    movl ${v:#x}, {}\n", t.operand()),
            Write::Movb(t, v) => format!("    movb ${v:#x}, {}\n", t.operand()),
            Write::Addl(t, v) => format!("    addl ${v:#x}, {}\n", t.operand()),
            Write::Incl(t) => format!("    incl {}\n", t.operand()),
            Write::Pushl(t, v) => format!(
                "    movl %esp, %ebp\n    movl ${}+4, %esp\n    pushl ${v:#x}\n    movl %ebp, %esp\n",
                t.operand()
            ),
        }
    }
}

fn write_op() -> impl Strategy<Value = Write> {
    prop_oneof![
        (target(), any::<u32>()).prop_map(|(t, v)| Write::Movl(t, v)),
        (target(), any::<u8>()).prop_map(|(t, v)| Write::Movb(t, v)),
        (target(), any::<u32>()).prop_map(|(t, v)| Write::Addl(t, v)),
        target().prop_map(Write::Incl),
        (target(), any::<u32>()).prop_map(|(t, v)| Write::Pushl(t, v)),
    ]
}

/// `spin` iterations first, so that some writers are preempted and the
/// bystander runs in between.
fn writer_source(spin: u32, ops: &[Write]) -> String {
    let body: String = ops.iter().map(Write::asm).collect();
    format!(
        "main:\n    movl ${spin}, %ecx\n    jecxz 2f\n1:  loop 1b\n2:\n{body}    pushl $0\n    call exit\n.data\nbuf: .space 64\n"
    )
}

/// The parts of kernel memory no user write may change: its code, the IDT
/// and the kernel page tables (shared by every address space). Accessed and
/// dirty bits are masked: the MMU sets them on the kernel's own accesses.
fn kernel_image(m: &Machine, pgdir: u32, text_len: usize) -> Vec<u8> {
    let mem = m.mem();
    let mut out = vec![0; text_len + 256 * 8];
    mem.read_bytes(KERNEL_TEXT_PHYS, &mut out[..text_len]);
    mem.read_bytes(IDT_PHYS, &mut out[text_len..]);
    for pdx in (0..1024).filter(|p| vm::is_kernel_pdx(*p)) {
        let pde = mem.read_u32(pgdir + 4 * pdx);
        out.extend(masked(pde).to_le_bytes());
        if pde & pte::P != 0 {
            for i in 0..1024 {
                out.extend(masked(mem.read_u32((pde & pte::FRAME) + 4 * i)).to_le_bytes());
            }
        }
    }
    out
}

fn masked(entry: u32) -> u32 {
    entry & !(pte::A | pte::D)
}

/// Every user-half frame of an address space (the user half of its page
/// directory and its page tables with A/D masked, and the pages they map),
/// by physical address.
fn user_frames(m: &Machine, pgdir: u32) -> BTreeMap<u32, Vec<u8>> {
    let mem = m.mem();
    let mut frames = BTreeMap::new();
    let mut directory = Vec::new();
    for pdx in (0..1024).filter(|p| !vm::is_kernel_pdx(*p)) {
        let pde = mem.read_u32(pgdir + 4 * pdx);
        directory.extend(masked(pde).to_le_bytes());
        if pde & pte::P == 0 {
            continue;
        }
        let table = pde & pte::FRAME;
        let mut entries = Vec::new();
        for i in 0..1024 {
            let e = mem.read_u32(table + 4 * i);
            entries.extend(masked(e).to_le_bytes());
            if e & pte::P != 0 {
                let mut page = vec![0; PAGE as usize];
                mem.read_bytes(e & pte::FRAME, &mut page);
                frames.insert(e & pte::FRAME, page);
            }
        }
        frames.insert(table, entries);
    }
    frames.insert(pgdir, directory);
    frames
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn user_writes_never_reach_the_kernel_or_another_process(
        ops in prop::collection::vec(write_op(), 1..12),
        spin in prop_oneof![Just(0u32), 0u32..6000],
    ) {
        let s = scenario(
            RR,
            &[("writer", writer_source(spin, &ops)), ("bystander", BYSTANDER.to_string())],
            vec![spec("writer", 0, 100, 1000), spec("bystander", 0, 100, 1000)],
        );
        let mut sim = build(&s, TraceLevel::Off);
        // Boot admits both processes before any user code runs.
        while sim.kernel().in_kernel() || sim.kernel().process(Pid(2)).is_none() {
            sim.step();
        }
        let text_len = sim.kernel().stubs().program.text.bytes.len();
        let pgdir2 = sim.kernel().process(Pid(2)).map(|p| p.pgdir).unwrap_or_default();
        let kernel_before = kernel_image(sim.machine(), pgdir2, text_len);
        let frames_before = user_frames(sim.machine(), pgdir2);
        prop_assert!(frames_before.len() >= 4, "bystander image mapped");

        let writer_done = |sim: &Sim| {
            sim.kernel().process(Pid(1)).is_some_and(|p| p.exit_status.is_some())
        };
        while !writer_done(&sim) && sim.cycle() < 300_000 && sim.halted().is_none() {
            sim.step();
        }
        prop_assert_eq!(sim.halted(), None, "no kernel panic, bystander still runs");
        let writer = sim.kernel().process(Pid(1)).cloned();
        let writer = writer.expect("the writer exists");
        prop_assert!(writer.exit_status.is_some(), "the writer finished");
        match &writer.killed {
            Some(reason) => {
                prop_assert!(
                    reason.starts_with("#PF") || reason.starts_with("#GP"),
                    "killed for {}", reason
                );
                prop_assert_eq!(writer.exit_status, Some(-1));
            }
            None => prop_assert_eq!(writer.exit_status, Some(0)),
        }
        // A write to the kernel half with only harmless writes before it must fault.
        let first_risky = ops.iter().position(|w| !w.target().harmless());
        if let Some(i) = first_risky {
            if matches!(ops[i].target(), Target::Kernel(_)) {
                let reason = writer.killed.clone().unwrap_or_default();
                prop_assert!(reason.starts_with("#PF"), "kernel write gave {:?}", reason);
            }
        } else {
            prop_assert_eq!(&writer.killed, &None);
        }
        prop_assert!(
            kernel_image(sim.machine(), pgdir2, text_len) == kernel_before,
            "kernel text, IDT or kernel page tables changed"
        );
        prop_assert!(
            user_frames(sim.machine(), pgdir2) == frames_before,
            "the bystander's frames changed"
        );
    }
}
