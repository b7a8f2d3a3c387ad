//! The fast loop's bursts (micro-ops decided at decode, deferred flags, the
//! board's cached-translation fast path) reach exactly the states stepping
//! reaches: random loops of the micro-ops mixed with instructions that read
//! the flags; faults in the middle of a burst; code rewritten by micro-ops;
//! an address-space switch; snapshots taken between runs.

mod machine_support;

use machine_support::*;
use proptest::prelude::*;
use sim_core::asm::{assemble, AsmOptions};
use sim_core::cpu::cr0;
use sim_core::machine::{Machine, StopReason, TraceMode};
use sim_core::mem::FrameAllocator;
use sim_core::mmu::{map_page, pte};
use sim_core::trap::Gate;

const DATA: u32 = 0x8000;

fn assemble_at(src: &str, base: u32) -> Vec<u8> {
    let opts = AsmOptions {
        text_base: base,
        data_base: None,
    };
    let p = assemble(src, &opts).unwrap_or_else(|e| panic!("{src}\n{e:?}"));
    p.text.bytes
}

/// The address of the immediate 0x11111111 in `code` assembled at `base`.
fn marked_immediate(code: &[u8], base: u32) -> u32 {
    let at = code.windows(4).position(|w| w == [0x11; 4]);
    base + at.expect("the immediate 0x11111111") as u32
}

/// Runs `build()` fast to its halt and, separately, steps it cycle by cycle
/// to the same cycle; both must agree on every register, flag and byte.
fn fast_equals_stepped(build: impl Fn() -> Machine) -> Machine {
    fast_to_equals_stepped(build, 50_000_000, StopReason::HaltedForever)
}

/// The same, the fast run ending at cycle `until` for `why`.
fn fast_to_equals_stepped(build: impl Fn() -> Machine, until: u64, why: StopReason) -> Machine {
    let mut fast = build();
    assert_eq!(fast.run(until), why);
    let mut stepped = build();
    stepped.set_mode(TraceMode::Traced);
    while stepped.cycle() < fast.cycle() {
        stepped.step();
    }
    assert_eq!(fast.cycle(), stepped.cycle());
    assert_eq!(fast.instructions(), stepped.instructions());
    assert_eq!(fast.cpu(), stepped.cpu());
    assert!(fast.mem() == stepped.mem(), "memory differs");
    fast
}

/// Registers the random instructions may use: not ESP, EBP (the loop
/// counter) or ESI (the data pointer).
const REGS: [&str; 5] = ["%eax", "%ecx", "%edx", "%ebx", "%edi"];
const OPS: [&str; 9] = [
    "add", "sub", "and", "or", "xor", "cmp", "test", "adc", "sbb",
];
const CONDS: [&str; 16] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
];

/// One line of a loop body: a micro-op form, or an instruction that reads
/// the flags some other way.
fn line() -> impl Strategy<Value = String> {
    let reg = || proptest::sample::select(REGS.to_vec());
    let op = proptest::sample::select(OPS.to_vec());
    let cond = proptest::sample::select(CONDS.to_vec());
    let disp = (0u32..64).prop_map(|d| d * 4);
    let imm = prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7fff_ffff),
        Just(0x8000_0000),
        any::<u32>()
    ];
    prop_oneof![
        (op.clone(), reg(), reg()).prop_map(|(o, a, b)| format!("{o}l {a}, {b}")),
        (op.clone(), imm.clone(), reg()).prop_map(|(o, i, r)| format!("{o}l ${i:#x}, {r}")),
        (op.clone(), disp.clone(), reg()).prop_map(|(o, d, r)| if o == "test" {
            format!("testl {r}, {d}(%esi)")
        } else {
            format!("{o}l {d}(%esi), {r}")
        }),
        (op, reg(), disp.clone()).prop_map(|(o, r, d)| format!("{o}l {r}, {d}(%esi)")),
        reg().prop_map(|r| format!("incl {r}")),
        reg().prop_map(|r| format!("decl {r}")),
        (reg(), reg()).prop_map(|(a, b)| format!("movl {a}, {b}")),
        (imm, reg()).prop_map(|(i, r)| format!("movl ${i:#x}, {r}")),
        (disp.clone(), reg()).prop_map(|(d, r)| format!("movl {d}(%esi), {r}")),
        (reg(), disp).prop_map(|(r, d)| format!("movl {r}, {d}(%esi)")),
        cond.clone().prop_map(|c| format!("j{c} 1f; incl %edi; 1:")),
        cond.clone().prop_map(|c| format!("set{c} %al")),
        (cond, reg(), reg()).prop_map(|(c, a, b)| format!("cmov{c}l {a}, {b}")),
        Just("pushfl; popl %edx".to_string()),
        Just("shll $3, %ebx".to_string()),
        Just("stc".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Random loops of micro-ops and flag readers: every burst path (deferred
    /// flags settled by a `jcc`, by another instruction, at the burst's end)
    /// against `cpu::step`, which the differential tests check against the
    /// real CPU.
    #[test]
    fn micro_op_loops_agree_with_stepping(
        body in proptest::collection::vec(line(), 1..24),
        regs in proptest::array::uniform8(any::<u32>()),
        status in 0u32..0x1000,
        rounds in 1u32..12,
    ) {
        fast_equals_stepped(random_loop(&body, regs, status, rounds));
    }

    /// Bursts run straight-line code as whole blocks only when it fits: a
    /// run sliced at random cycle limits, with breakpoints at random
    /// instructions of the loop (one, or several), stops exactly where
    /// stepping says, with the same state; a traced run hands over the
    /// instructions stepping retires, at the same cycles.
    #[test]
    fn slices_and_stops_inside_straight_line_code_agree_with_stepping(
        body in proptest::collection::vec(line(), 1..24),
        regs in proptest::array::uniform8(any::<u32>()),
        rounds in 1u32..6,
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..3),
        slices in proptest::collection::vec(1u64..60, 1..6),
    ) {
        let build = random_loop(&body, regs, 0, rounds);
        // Each cycle of a stepped run: the instruction retired in it, if any.
        let mut stepped = build();
        stepped.set_mode(TraceMode::Traced);
        let mut retired = Vec::new();
        while !stepped.cpu().halted {
            let (eip, done, cycle) = (stepped.cpu().eip, stepped.instructions(), stepped.cycle());
            stepped.step();
            if stepped.instructions() > done {
                retired.push((cycle, eip));
            }
        }
        let stops = {
            let mut s: Vec<u32> = picks.iter().map(|i| retired[i.index(retired.len())].1).collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        // Sliced, with breakpoints: each stop where stepping puts it.
        let mut fast = build();
        fast.set_breakpoints(&stops);
        let mut stepped = build();
        stepped.set_mode(TraceMode::Traced);
        for &slice in slices.iter().cycle().take(200) {
            let from = fast.cycle();
            let why = fast.run(slice);
            // No instruction at a stop ran in between, but the first.
            let ran: Vec<_> = retired
                .iter()
                .filter(|&&(c, _)| c >= from && c < fast.cycle())
                .collect();
            let passed = ran.iter().skip(1).find(|(_, eip)| stops.contains(eip));
            prop_assert!(passed.is_none(), "ran past a stop: {passed:?} ({why:?})");
            while stepped.cycle() < fast.cycle() {
                stepped.step();
            }
            prop_assert_eq!(fast.cycle(), stepped.cycle());
            prop_assert_eq!(fast.cpu(), stepped.cpu());
            prop_assert!(fast.mem() == stepped.mem(), "memory differs");
            match why {
                StopReason::Breakpoint(at) => prop_assert!(stops.contains(&at) && fast.cpu().eip == at),
                StopReason::HaltedForever => break,
                _ => prop_assert_eq!(why, StopReason::CycleLimit),
            }
        }
        // Traced, with the same stops: every instruction handed over.
        let mut traced = build();
        traced.set_mode(TraceMode::Traced);
        let mut marks = Vec::new();
        for &slice in slices.iter().cycle().take(5_000) {
            if traced.cpu().halted {
                break;
            }
            let before = marks.len();
            let (_, events) = traced.run_traced(slice, &stops, |cycle, r| marks.push((cycle, r.eip)));
            if events.is_empty() && marks.len() == before {
                let (eip, done, cycle) = (traced.cpu().eip, traced.instructions(), traced.cycle());
                traced.step();
                if traced.instructions() > done {
                    marks.push((cycle, eip));
                }
            }
        }
        let halt = retired.last().copied();
        marks.retain(|&m| Some(m) != halt);
        prop_assert_eq!(&marks[..], &retired[..retired.len() - 1], "all but the halt");
    }
}

/// The random loop `body` run `rounds` times over a data page at ESI, with
/// the other registers and the status flags as given.
fn random_loop(body: &[String], regs: [u32; 8], status: u32, rounds: u32) -> impl Fn() -> Machine {
    let src = format!(
        "movl ${rounds}, %ebp\n2:\n{}\ndecl %ebp\njnz 2b\nhlt\n",
        body.join("\n")
    );
    let code = assemble_at(&src, 0x1000);
    move || {
        let mut m = Machine::new();
        m.load(0x1000, &code);
        let data: Vec<u8> = (0..256u32).map(|i| (i * 37 + regs[0]) as u8).collect();
        m.load(DATA, &data);
        let cpu = m.cpu_mut();
        cpu.eip = 0x1000;
        cpu.gpr = regs;
        cpu.gpr[4] = 0x7000;
        cpu.gpr[6] = DATA;
        cpu.eflags = 0x2 | (status & 0x8d5);
        m
    }
}

/// A machine with paging on in ring 0: 0–64 KiB identity-mapped, and
/// 0x10000–0x12fff mapped to frames at 0x40000; 0x13000 is not mapped. A
/// page fault goes to a handler that halts.
fn paged(code: &str) -> Machine {
    let mut m = machine();
    set_gate(&mut m, 14, Gate::interrupt(HANDLER, 0));
    m.load(HANDLER, &[HLT]);
    m.load(USER_CODE, &assemble_at(code, USER_CODE));
    let mut frames = FrameAllocator::new(0x20_0000, 0x30_0000);
    let mem = m.mem_mut();
    let cr3 = frames.alloc(mem).expect("frame");
    for page in 0..16 {
        map_page(mem, &mut frames, cr3, page << 12, page << 12, pte::RW).expect("map");
    }
    for page in 0..3 {
        let lin = 0x10000 + (page << 12);
        map_page(mem, &mut frames, cr3, lin, 0x40000 + (page << 12), pte::RW).expect("map");
    }
    let cpu = m.cpu_mut();
    cpu.cr3 = cr3;
    cpu.cr0 |= cr0::PG;
    cpu.eip = USER_CODE;
    cpu.gpr[6] = 0x10000;
    m
}

/// A loop of micro-ops walks off the mapped pages: the fault comes from the
/// middle of a burst, at the exact instruction (the handler's frame holds
/// its EIP), with CR2 the address and every earlier write done.
#[test]
fn a_fault_in_the_middle_of_a_burst_is_exact() {
    let code = "movl $0, %eax\n\
                1: addl $3, %eax\n\
                movl %eax, 0x7fc(%esi)\n\
                addl 0x7fc(%esi), %ebx\n\
                addl $0x100, %esi\n\
                cmpl $0x20000, %esi\n\
                jne 1b\n\
                hlt\n";
    let m = fast_equals_stepped(|| paged(code));
    // 0x12ffc + 0x100 = 0x130fc is the first unmapped address written.
    assert_eq!(m.cpu().cr2, 0x130fc);
    let frame_eip = m.mem().read_u32(KSTACK_TOP - 12);
    assert_eq!(frame_eip, USER_CODE + 5 + 3, "the faulting mov's EIP");
    // The last write before it, through 0x12ffc (frame 0x42000).
    assert_eq!(m.mem().read_u32(0x42ffc), 3 * 0x29);
}

/// Code rewritten by micro-ops (`mov` and `add` to memory) while the loop
/// runs from the decode cache: the bursts see every rewrite, as stepping
/// does, also of the very next instruction, within a page and when the
/// rewritten instruction crosses into the next page.
#[test]
fn code_rewritten_by_micro_ops_is_seen_at_once() {
    let run = |src: &str, at: u32| {
        let code = assemble_at(src, at);
        fast_equals_stepped(|| {
            let mut m = Machine::new();
            m.load(at, &code);
            m.cpu_mut().eip = at;
            m
        })
    };
    // 0x1000: movl $50, %ecx; 0x1005: addl $imm32, %ebx (imm at 0x1007).
    let m = run(
        "movl $50, %ecx\n1: addl $0x11111111, %ebx\nmovl %ecx, 0x1007\ndecl %ecx\njnz 1b\nhlt\n",
        0x1000,
    );
    // Each round adds the previous round's ECX (the first, its own).
    let expected = (2..=50u32).sum::<u32>().wrapping_add(0x1111_1111);
    assert_eq!(m.cpu().gpr[3], expected);
    // A loop that writes data until ECX is 25, then (EDI moved by a
    // `cmov`, which is no transfer) the immediate of its next instruction:
    // that instruction, already cached and run 25 times, must add this
    // round's ECX at once.
    let src = "movl $50, %ecx\n1: cmpl $25, %ecx\ncmovel %edx, %edi\nmovl %ecx, (%edi)\n\
               addl $0x11111111, %ebx\ndecl %ecx\njnz 1b\nhlt\n";
    let code = assemble_at(src, 0x1000);
    let imm = marked_immediate(&code, 0x1000);
    let m = fast_equals_stepped(|| {
        let mut m = Machine::new();
        m.load(0x1000, &code);
        let cpu = m.cpu_mut();
        cpu.eip = 0x1000;
        (cpu.gpr[7], cpu.gpr[2]) = (DATA, imm);
        m
    });
    let expected = (1..=25u32)
        .sum::<u32>()
        .wrapping_add(25u32.wrapping_mul(0x1111_1111));
    assert_eq!(m.cpu().gpr[3], expected);
    // 0x1ff8: movl $50, %ecx; 0x1ffd: addl $imm32, %eax (imm at 0x1ffe,
    // across the page boundary), rewritten twice a round.
    let m = run(
        "movl $50, %ecx\n1: addl $0x12345678, %eax\nmovl %ecx, 0x1ffe\n\
         addl %ecx, 0x1ffe\ndecl %ecx\njnz 1b\nhlt\n",
        0x1ff8,
    );
    let expected = (2..=50u32)
        .map(|c| 2 * c)
        .sum::<u32>()
        .wrapping_add(0x1234_5678);
    assert_eq!(m.cpu().gpr[0], expected);
}

/// A loop that is one block, ended by a `call` back to its own start, whose
/// push (to data until ECX is 25, then, ESP moved by a `cmov`, over the
/// first instruction of that block) rewrites the block after it ran 25 times
/// from it: every later round runs the new code, as stepping does, not
/// the block just run.
#[test]
fn a_call_that_rewrites_its_own_block_is_seen_at_once() {
    let code = assemble_at(
        "1: addl $0x11111111, %ebx\nmovl $0x9000, %esp\ncmpl $25, %ecx\n\
         cmovel %edx, %esp\ndecl %ecx\ncall 1b\n",
        0x1000,
    );
    let imm = marked_immediate(&code, 0x1000);
    let ret = 0x1000 + code.len() as u32;
    let build = || {
        let mut m = Machine::new();
        m.load(0x1000, &code);
        let cpu = m.cpu_mut();
        cpu.eip = 0x1000;
        // The push below EDX lands on the immediate.
        (cpu.gpr[1], cpu.gpr[2]) = (50, imm + 4);
        m
    };
    let fast = fast_to_equals_stepped(build, 30_000, StopReason::CycleLimit);
    // Six instructions a round, the add first: the adds done so far; the
    // 26th round's push (ECX was 25) rewrote the immediate to `ret`. (The
    // block's first instruction: a stale block would run it once more.)
    let adds = fast.instructions().div_ceil(6) as u32;
    assert!(adds > 100, "{adds} rounds");
    let expected = 26u32
        .wrapping_mul(0x1111_1111)
        .wrapping_add((adds - 26).wrapping_mul(ret));
    assert_eq!(fast.cpu().gpr[3], expected);
}

/// Two address spaces map the same linear code page to different code; a
/// switch of CR3 between bursts runs the other one (the decode cache and
/// the TLB are keyed by CR3).
#[test]
fn an_address_space_switch_runs_the_other_code() {
    let build = || {
        let mut m = machine();
        let mut frames = FrameAllocator::new(0x20_0000, 0x30_0000);
        let mem = m.mem_mut();
        let (a, b) = (
            frames.alloc(mem).expect("frame"),
            frames.alloc(mem).expect("frame"),
        );
        for cr3 in [a, b] {
            for page in 0..16 {
                map_page(mem, &mut frames, cr3, page << 12, page << 12, pte::RW).expect("map");
            }
        }
        map_page(mem, &mut frames, a, 0x10000, 0x50000, pte::RW).expect("map");
        map_page(mem, &mut frames, b, 0x10000, 0x51000, pte::RW).expect("map");
        let loop_at =
            |add: &str| format!("movl $100, %ecx\n1: {add}\ndecl %ecx\njnz 1b\njmp *%edi\n");
        let code_a = assemble_at(&loop_at("addl $1, %eax"), 0x10000);
        let code_b = assemble_at(&loop_at("addl $1000, %eax"), 0x10000);
        mem.write_bytes(0x50000, &code_a);
        mem.write_bytes(0x51000, &code_b);
        // At USER_CODE: run A's loop, switch to B, run the same addresses.
        let main = format!(
            "movl $0x10000, %ebx\nmovl $2f, %edi\njmp *%ebx\n\
             2: movl ${b:#x}, %edx\nmovl %edx, %cr3\nmovl $3f, %edi\njmp *%ebx\n3: hlt\n"
        );
        m.load(USER_CODE, &assemble_at(&main, USER_CODE));
        let cpu = m.cpu_mut();
        cpu.cr3 = a;
        cpu.cr0 |= cr0::PG;
        cpu.eip = USER_CODE;
        m
    };
    let m = fast_equals_stepped(build);
    assert_eq!(m.cpu().gpr[0], 100 + 100 * 1000);
}

/// A snapshot (clone) taken between runs keeps its memory while the
/// original goes on writing through the fast path (copy-on-write), and
/// resuming it gives what a straight run gives.
#[test]
fn snapshots_between_runs_keep_their_pages() {
    let src = "movl $2000, %ecx\n\
               1: movl %ecx, (%esi,%ecx,4)\n\
               addl (%esi,%ecx,4), %eax\n\
               decl %ecx\n\
               jnz 1b\n\
               hlt\n";
    let code = assemble_at(src, 0x1000);
    let build = || {
        let mut m = Machine::new();
        m.load(0x1000, &code);
        m.cpu_mut().eip = 0x1000;
        m.cpu_mut().gpr[6] = 0x10000;
        m
    };
    let mut m = build();
    m.run(3000);
    let snapshot = m.clone();
    let at = snapshot.mem().read_u32(0x10000 + 4 * 1000);
    m.run(u64::MAX);
    assert_eq!(snapshot.mem().read_u32(0x10000 + 4 * 1000), at);
    let mut resumed = snapshot.clone();
    resumed.run(u64::MAX);
    assert_eq!(resumed.cpu(), m.cpu());
    assert!(resumed.mem() == m.mem());
    let mut straight = build();
    straight.run(3000);
    assert_eq!(straight.cpu(), snapshot.cpu());
    assert!(straight.mem() == snapshot.mem());
}
