//! Machine throughput: `cargo bench -p sim-core --bench machine`.
//!
//! Prints instructions per second for a tight ALU loop and a memory-heavy
//! loop, fast (`Machine::run`), traced (`Machine::run_traced`, the session's
//! loop at `Steps`: every instruction handed over) and stepped (`Machine::step`
//! in traced mode, every event collected), each next to its target (issue
//! 19), then divan's table of the same and the cost of cloning a machine (a
//! snapshot) with many touched pages.

use std::time::{Duration, Instant};

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use sim_core::machine::{Machine, StopReason, TraceMode};

fn main() {
    // Memory footprint of the memory-heavy loop, for the record.
    let m = run_fast(memory_loop(FAST_ITERS));
    println!(
        "memory loop: {} instructions, {} cycles, {} touched pages ({} KiB)",
        m.instructions(),
        m.cycle(),
        m.mem().touched_pages(),
        m.mem().touched_pages() * 4
    );
    report_targets();
    divan::main();
}

/// Instructions per second of one run of `run` on a fresh `make()`.
fn rate_once(make: fn() -> Machine, run: fn(Machine) -> Machine) -> f64 {
    let m = make();
    let t = Instant::now();
    let m = black_box(run(m));
    let secs = t.elapsed().max(Duration::from_nanos(1)).as_secs_f64();
    m.instructions() as f64 / secs
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A loop whose rate the issue sets a target for: how to make its machine,
/// how to run it.
type Loop = (fn() -> Machine, fn(Machine) -> Machine);

/// Median rate of each loop, and of each round's ratio of each loop to the
/// first, over `ROUNDS` rounds that run every loop once, in turn (after
/// one round that only warms the caches and the clock). Each run takes
/// ~20 ms and this machine's speed swings from second to second: in turns,
/// every loop sees the same swings, and a ratio compares runs made next to
/// each other.
fn rates(loops: &[Loop]) -> Vec<(f64, f64)> {
    const ROUNDS: usize = 25;
    for (make, run) in loops {
        black_box(run(make()));
    }
    let mut runs = vec![Vec::with_capacity(ROUNDS); loops.len()];
    for _ in 0..ROUNDS {
        for (i, (make, run)) in loops.iter().enumerate() {
            runs[i].push(rate_once(*make, *run));
        }
    }
    runs.iter()
        .map(|r| {
            let ratios = r.iter().zip(&runs[0]).map(|(x, first)| x / first).collect();
            (median(r.clone()), median(ratios))
        })
        .collect()
}

/// The figures, each next to its target.
fn report_targets() {
    let m = |r: f64| r / 1e6;
    let r = rates(&[
        (|| alu_loop(FAST_ITERS), run_fast),
        (|| alu_loop(FAST_ITERS), run_traced_loop),
        (|| alu_loop(TRACED_ITERS), |m| run_stepped(m).0),
        (|| memory_loop(FAST_ITERS), run_fast),
        (|| memory_loop(FAST_ITERS), run_traced_loop),
    ]);
    let [(alu_fast, _), (alu_traced, traced_ratio), (alu_stepped, _), (mem_fast, _), (mem_traced, _)] =
        r[..]
    else {
        unreachable!("five loops")
    };
    println!(
        "tight ALU loop fast (Machine::run): {:.0} M instr/s (target ≥ 250 M)",
        m(alu_fast)
    );
    println!(
        "tight ALU loop traced (Machine::run_traced): {:.0} M instr/s = {:.2}× fast (median of the rounds' ratios; target ≥ 0.8×)",
        m(alu_traced),
        traced_ratio
    );
    println!(
        "tight ALU loop stepped (Machine::step, every event): {:.0} M instr/s (target ≥ 5 M)",
        m(alu_stepped)
    );
    println!(
        "memory-heavy loop fast: {:.0} M instr/s (target ≥ 100 M); traced: {:.0} M instr/s",
        m(mem_fast),
        m(mem_traced)
    );
}

const CODE: u32 = 0x1000;

/// `mov $n,%ecx; 1: add %eax,%ebx; xor %ebx,%edx; inc %eax; dec %ecx; jnz 1b; hlt`
/// — 5 instructions per iteration.
fn alu_loop(n: u32) -> Machine {
    let mut code = vec![0xb9];
    code.extend(n.to_le_bytes());
    code.extend([0x01, 0xc3, 0x31, 0xda, 0x40, 0x49, 0x75, 0xf8, 0xf4]);
    machine(&code)
}

/// `mov $n,%ecx; 1: mov %eax,(%esi,%ecx,4); add (%edi,%ecx,4),%eax; dec %ecx;
/// jnz 1b; hlt` over two 4n-byte arrays — 4 instructions per iteration,
/// half of them memory accesses, touching fresh pages as it goes.
fn memory_loop(n: u32) -> Machine {
    let mut code = vec![0xb9];
    code.extend(n.to_le_bytes());
    code.extend([0x89, 0x04, 0x8e, 0x03, 0x04, 0x8f, 0x49, 0x75, 0xf7, 0xf4]);
    let mut m = machine(&code);
    m.cpu_mut().gpr[6] = 0x0040_0000;
    m.cpu_mut().gpr[7] = 0x0080_0000;
    m
}

fn machine(code: &[u8]) -> Machine {
    let mut m = Machine::new();
    m.load(CODE, code);
    m.cpu_mut().eip = CODE;
    m
}

fn run_fast(mut m: Machine) -> Machine {
    let stop = m.run(u64::MAX);
    debug_assert_eq!(stop, StopReason::HaltedForever);
    m
}

/// The session's traced loop: `run_traced` until the halt, each retired
/// instruction handed over (folded into a checksum here: what a consumer
/// does with them is its own cost), stepping where it ran nothing.
fn run_traced_loop(mut m: Machine) -> Machine {
    m.set_mode(TraceMode::Traced);
    let mut sum = 0u64;
    while !m.cpu().halted {
        let before = m.instructions();
        let (_, events) = m.run_traced(u64::MAX, &[], |cycle, r| {
            sum = sum.wrapping_add(cycle ^ u64::from(r.eip));
        });
        if events.is_empty() && m.instructions() == before {
            black_box(m.step());
        }
    }
    black_box(sum);
    m
}

fn run_stepped(mut m: Machine) -> (Machine, usize) {
    m.set_mode(TraceMode::Traced);
    let mut events = 0;
    while !m.cpu().halted {
        events += black_box(m.step()).len();
    }
    (m, events)
}

const FAST_ITERS: u32 = 1_000_000;
const TRACED_ITERS: u32 = 50_000;

#[divan::bench]
fn alu_fast(b: Bencher) {
    b.counter(ItemsCount::new(5 * FAST_ITERS as usize + 2))
        .with_inputs(|| alu_loop(FAST_ITERS))
        .bench_local_values(run_fast);
}

/// The same loop driven by `cpu::step` on a bare `Board`, without the
/// machine's cycle loop: the difference is the machine's own overhead.
#[divan::bench]
fn alu_cpu_only(b: Bencher) {
    use sim_core::cpu::{step, Cpu, DecodeCache, Effect};
    use sim_core::machine::Board;
    b.counter(ItemsCount::new(5 * FAST_ITERS as usize + 2))
        .with_inputs(|| {
            let m = alu_loop(FAST_ITERS);
            (
                m.cpu().clone(),
                Board::new(m.mem().clone()),
                DecodeCache::default(),
            )
        })
        .bench_local_values(|(mut cpu, mut sys, mut cache): (Cpu, Board, DecodeCache)| {
            while let Ok(r) = step(&mut cpu, &mut sys, &mut cache) {
                if r.effect == Effect::Halt {
                    break;
                }
            }
            cpu
        });
}

#[divan::bench]
fn alu_traced(b: Bencher) {
    b.counter(ItemsCount::new(5 * FAST_ITERS as usize + 2))
        .with_inputs(|| alu_loop(FAST_ITERS))
        .bench_local_values(run_traced_loop);
}

#[divan::bench]
fn alu_stepped(b: Bencher) {
    b.counter(ItemsCount::new(5 * TRACED_ITERS as usize + 2))
        .with_inputs(|| alu_loop(TRACED_ITERS))
        .bench_local_values(run_stepped);
}

#[divan::bench]
fn memory_fast(b: Bencher) {
    b.counter(ItemsCount::new(4 * FAST_ITERS as usize + 2))
        .with_inputs(|| memory_loop(FAST_ITERS))
        .bench_local_values(run_fast);
}

#[divan::bench]
fn memory_traced(b: Bencher) {
    b.counter(ItemsCount::new(4 * FAST_ITERS as usize + 2))
        .with_inputs(|| memory_loop(FAST_ITERS))
        .bench_local_values(run_traced_loop);
}

#[divan::bench]
fn memory_stepped(b: Bencher) {
    b.counter(ItemsCount::new(4 * TRACED_ITERS as usize + 2))
        .with_inputs(|| memory_loop(TRACED_ITERS))
        .bench_local_values(run_stepped);
}

/// Cloning a machine whose memory has `pages` touched pages: the cost grows
/// with the number of page-table leaves touched, not with memory size.
#[divan::bench(args = [16, 1024, 16384])]
fn clone_machine(b: Bencher, pages: u32) {
    let mut m = Machine::new();
    for p in 0..pages {
        m.mem_mut().write_u32(p.wrapping_mul(0x1000), p);
    }
    b.bench_local(|| black_box(m.clone()));
}
