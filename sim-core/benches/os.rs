//! OS-model throughput and stepping back: `cargo bench -p sim-core --bench os`.
//!
//! The workload is 64 CPU-bound processes under round robin in preemptive
//! mode (a timer interrupt and a context switch every 2,000 cycles), the
//! heaviest thing a lesson asks of the engine. Prints simulated cycles per
//! second (divan's item throughput) with the trace off and at `Steps`, the
//! time `Sim::step_back` takes one cycle back at cycle 1,000,000 (the UI's
//! target is < 5 ms), and the memory cost: snapshots kept and touched pages.

use std::time::Instant;

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use sim_core::kernel::ExecMode;
use sim_core::scenario::{ProcessSpec, ProgramSource, Scenario, VERSION};
use sim_core::sched::Policy;
use sim_core::sim::{Sim, TraceLevel, SNAPSHOT_EVERY};

const PROCESSES: usize = 64;
/// Cycles simulated per throughput sample.
const RUN_CYCLES: u64 = 200_000;
/// Where the step-back benchmarks stand.
const DEEP: u64 = 1_000_000;

fn main() {
    for level in [TraceLevel::Off, TraceLevel::Steps] {
        report_step_back(level);
    }
    // 17 stretches of 50 M and the turns' 100 M leave the session 50 M
    // short of its scenario's limit, which it then runs to: a session holds
    // at most 10^9 cycles (`max_cycles`), so the seeks measured at its end
    // are the worst any session can have.
    report_long_session(PROCESSES, 17);
    report_long_session(256, 17);
    divan::main();
}

/// CPU time this process has used, in seconds (Linux: utime + stime from
/// /proc/self/stat, in the ABI's fixed 100 ticks per second). Rates per CPU
/// second hold still when other work shares the machine; wall-clock rates
/// do not.
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at 3.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// Resident memory of this process, in MiB (Linux), for the record.
fn rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

/// The web app's workload for a long time: a `Session` (trace at `Steps`,
/// timeline, Gantt chart, snapshots) running 64 processes in frame-sized
/// slices. Prints throughput, the cost of a view, and memory as the run
/// grows: the history is bounded, so memory must level off.
fn report_long_session(processes: usize, stretches: u64) {
    use sim_core::session::{Command, RunStop, Session, ViewDepth};
    let mut session = match Session::new(workload_of(processes)) {
        Ok(s) => s,
        Err(e) => panic!("the benchmark workload must build: {e:?}"),
    };
    let start = Instant::now();
    let mut last = Instant::now();
    let mut rates = Vec::new();
    let mut cpu_last = cpu_secs();
    for step in 1..=stretches {
        let mut worst = std::time::Duration::ZERO;
        for _ in 0..500 {
            let t = Instant::now();
            session.apply(&Command::Run { cycles: 100_000 });
            worst = worst.max(t.elapsed());
        }
        let run = last.elapsed();
        let cpu_now = cpu_secs();
        let cpu_run = cpu_now.zip(cpu_last).map(|(now, then)| now - then);
        cpu_last = cpu_now;
        // Per CPU second where known (see `cpu_secs`), else per second.
        let per_cpu = cpu_run.filter(|&s| s > 0.0).map(|s| 50.0 / s);
        rates.push(per_cpu.unwrap_or(50.0 / run.as_secs_f64()));
        let t = Instant::now();
        let view = black_box(session.view());
        let view_time = t.elapsed();
        // What the page asks for while running at full speed: the rows and
        // Gantt lanes in sight (`ViewDepth`), timed over 20 views.
        let t = Instant::now();
        for _ in 0..20 {
            black_box(session.view_to(ViewDepth {
                timeline: 24,
                events: 60,
                gantt_lanes: 64,
            }));
        }
        let running_view = t.elapsed() / 20;
        last = Instant::now();
        let held = session.memory();
        println!(
            "session, {processes} processes: {:>4} M cycles in {:.1?} ({:.1} M cycles/s over the last 50 M, {} per CPU second; slowest 100 k-cycle slice {worst:.2?}), view {view_time:.2?} (at the page's running depth {running_view:.2?}), \
             {} timeline rows, {} trace events kept, RSS {} MiB; history {:.1} MiB: {} snapshots {:.1}, trace {:.1}, instructions {:.1}, timeline and Gantt {:.1}; live memory {:.1} MiB",
            step * 50,
            start.elapsed(),
            50.0 / run.as_secs_f64(),
            per_cpu.map_or("?".into(), |r| format!("{r:.1} M")),
            view.timeline_total,
            session.trace_kept(),
            rss_mib().map_or("?".into(), |m| m.to_string()),
            mib(held.history()),
            held.sim.snapshots,
            mib(held.sim.snapshot_bytes),
            mib(held.sim.trace),
            mib(held.sim.instrs),
            mib(held.views),
            mib(held.sim.live_memory),
        );
    }
    // The drift target: a long run keeps its speed.
    if let (Some(first), Some(last)) = (rates.first(), rates.last()) {
        let rest = &rates[1..];
        let mean = rest.iter().sum::<f64>() / rest.len().max(1) as f64;
        println!(
            "session, {processes} processes, M cycles per CPU second: first 50 M {first:.1}, last 50 M {last:.1}, \
             mean after the first {mean:.1}: last/first {:.2} (target: no drift, ≥ 0.95)",
            last / first
        );
    }
    let target = if processes > 64 { 96 } else { 48 };
    println!(
        "session, {processes} processes: RSS {} MiB, history {:.1} MiB natively (target for the page's whole wasm memory after 60 s: ≤ {target} MB; \
         e2e/bench/browser.mjs prints it)",
        rss_mib().map_or("?".into(), |m| m.to_string()),
        mib(session.memory().history()),
    );
    // The rates above move with the load of the machine (other work on
    // its cores costs this process cache and CPU time). A fresh session
    // run in turns with the long one, in equal slices, sees the same load:
    // if the long one is as fast, its speed does not depend on how long it
    // has run.
    let mut fresh = match Session::new(workload_of(processes)) {
        Ok(s) => s,
        Err(e) => panic!("the benchmark workload must build: {e:?}"),
    };
    let slices = |s: &mut Session, m: u64| {
        let then = cpu_secs();
        for _ in 0..m * 10 {
            s.apply(&Command::Run { cycles: 100_000 });
        }
        cpu_secs()
            .zip(then)
            .map_or(0.0, |(now, then)| m as f64 / (now - then))
    };
    slices(&mut fresh, 10);
    let (mut long_rate, mut fresh_rate) = (0.0, 0.0);
    for turn in 0..TURNS {
        // Each goes first in half the turns.
        let order = if turn % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for long in order {
            if long {
                long_rate += slices(&mut session, 10) / TURNS as f64;
            } else {
                fresh_rate += slices(&mut fresh, 10) / TURNS as f64;
            }
        }
    }
    println!(
        "session, {processes} processes, in turns of 10 M cycles ({TURNS} each): the session {} M cycles long {long_rate:.1}, a fresh one \
         (10 M to {} M) {fresh_rate:.1} M cycles per CPU second: long/fresh {:.2} (target: no drift, ≥ 0.95)",
        stretches * 50,
        10 + TURNS * 10,
        long_rate / fresh_rate
    );
    drop(fresh);
    // To the scenario's limit: the longest a session can be.
    while session.apply(&Command::Run { cycles: 1_000_000 }) == Some(RunStop::Budget) {}
    // Back into the thinned far past: the replay from the nearest snapshot.
    let end = session.cycle();
    let held = session.memory().sim;
    let per = |bytes: usize| bytes / held.snapshots.max(1);
    println!(
        "session, {processes} processes: {} snapshots in {} bytes: {} bytes each on average, {} of them the kernel's (tables, queues, packed entries), {} the machine's",
        held.snapshots,
        held.snapshot_bytes,
        per(held.snapshot_bytes),
        per(held.snapshot_kernel_bytes),
        per(held.snapshot_bytes - held.snapshot_kernel_bytes),
    );
    // The worst seek replays the widest gap between two snapshots kept.
    let cycles = session.snapshot_cycles();
    let (gap_from, gap) = cycles
        .windows(2)
        .map(|w| (w[0], w[1] - w[0]))
        .max_by_key(|&(_, g)| g)
        .unwrap_or((0, 0));
    let worst = gap_from + gap - 1;
    let mut worst_time = std::time::Duration::ZERO;
    // The worst first: a seek back drops the snapshots after its target and
    // the way back to `end` makes new ones, so the gaps change after it.
    for target in [worst, end - 1, end - 5_000_000, 123_456_789] {
        let before = session.memory().history();
        let t = Instant::now();
        session.apply(&Command::Seek { cycle: target });
        let took = t.elapsed();
        if target == worst {
            worst_time = took;
        }
        println!(
            "session, {processes} processes: seek from {end} back to {target}: {took:.2?} (history {:.1} → {:.1} MiB)",
            mib(before),
            mib(session.memory().history())
        );
        session.apply(&Command::Seek { cycle: end });
    }
    println!(
        "session, {processes} processes: at the scenario's limit ({end} cycles, the most a session holds; \
         e2e/bench/browser.mjs prints when the page gets there): widest gap between snapshots {gap} cycles ({} kept); \
         the worst seek replays it (quietly, then the last stretch recorded): {worst_time:.1?} natively, \
         {:.0} M cycles/s (target < 100 ms in the page: e2e/bench/browser.mjs measures it there)",
        cycles.len(),
        gap as f64 / worst_time.as_secs_f64().max(1e-9) / 1e6,
    );
}

/// Turns of the long and the fresh session in the drift measurement.
const TURNS: u64 = 10;

/// A one-off measurement printed before divan's table, so the numbers the
/// lesson UI cares about are visible even in a quick run.
fn report_step_back(level: TraceLevel) {
    let t = Instant::now();
    let mut sim = deep_sim(level, DEEP);
    let run = t.elapsed();
    let t = Instant::now();
    sim.step_back();
    let back = t.elapsed();
    let worst = DEEP.next_multiple_of(SNAPSHOT_EVERY);
    sim.run(worst, &[]);
    let t = Instant::now();
    sim.step_back();
    let back_worst = t.elapsed();
    println!(
        "{level:?}: ran to cycle {DEEP} in {run:.2?} ({:.2} M cycles/s); \
         step_back at {DEEP}: {back:.2?}; at {worst} (replays {} cycles): {back_worst:.2?}; \
         {} snapshots, {} touched pages ({} KiB), {} trace events",
        DEEP as f64 / run.as_secs_f64() / 1e6,
        SNAPSHOT_EVERY - 1,
        sim.snapshot_count(),
        sim.machine().mem().touched_pages(),
        sim.machine().mem().touched_pages() * 4,
        sim.trace().len(),
    );
}

/// 64 copies of a loop that outlasts every benchmark here.
fn workload() -> Scenario {
    workload_of(PROCESSES)
}

/// `processes` copies of a loop that outlasts every benchmark here.
fn workload_of(processes: usize) -> Scenario {
    Scenario {
        version: VERSION,
        title: format!("{processes} CPU-bound processes"),
        lesson: String::new(),
        mode: ExecMode::Preemptive,
        timer_interval: 2000,
        disk_latency: 5000,
        scheduler: Policy::RoundRobin { quantum: 2000 },
        seed: 0,
        programs: vec![ProgramSource {
            name: "spin".into(),
            elf: None,
            source: "main:\n    movl $0xffffffff, %ecx\n1:  loop 1b\n    pushl $0\n    call exit\n"
                .into(),
        }],
        processes: (0..processes)
            .map(|_| ProcessSpec {
                program: "spin".into(),
                arrival: 0,
                tickets: 100,
                expected_len: None,
            })
            .collect(),
        max_cycles: 1_000_000_000,
        watch: Vec::new(),
        console_input: String::new(),
        time_unit: 1,
        chapter: String::new(),
        book: String::new(),
        questions: Vec::new(),
        homework: false,
    }
}

fn fresh(level: TraceLevel) -> Sim {
    match workload().build(level) {
        Ok(sim) => sim,
        Err(e) => panic!("the benchmark workload must build: {e:?}"),
    }
}

fn deep_sim(level: TraceLevel, cycle: u64) -> Sim {
    let mut sim = fresh(level);
    let halt = sim.run(cycle, &[]);
    assert!(halt.is_none(), "the workload never stops: {halt:?}");
    sim
}

fn run_cycles(b: Bencher, level: TraceLevel) {
    b.counter(ItemsCount::new(RUN_CYCLES as usize))
        .with_inputs(|| fresh(level))
        .bench_local_values(|mut sim| {
            sim.run(RUN_CYCLES, &[]);
            black_box(sim.cycle());
            sim
        });
}

/// Simulated cycles per second, nothing traced.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn cycles_trace_off(b: Bencher) {
    run_cycles(b, TraceLevel::Off);
}

/// Simulated cycles per second, every event but memory accesses traced.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn cycles_trace_steps(b: Bencher) {
    run_cycles(b, TraceLevel::Steps);
}

/// One cycle back from `at`: restore the nearest snapshot, replay the rest.
fn step_back_from(b: Bencher, level: TraceLevel, at: u64) {
    let base = deep_sim(level, at);
    b.with_inputs(|| base.clone())
        .bench_local_values(|mut sim| {
            sim.step_back();
            sim
        });
}

#[divan::bench(sample_count = 20, sample_size = 1, args = [DEEP, DEEP.next_multiple_of(SNAPSHOT_EVERY)])]
fn step_back_trace_off(b: Bencher, at: u64) {
    step_back_from(b, TraceLevel::Off, at);
}

#[divan::bench(sample_count = 20, sample_size = 1, args = [DEEP, DEEP.next_multiple_of(SNAPSHOT_EVERY)])]
fn step_back_trace_steps(b: Bencher, at: u64) {
    step_back_from(b, TraceLevel::Steps, at);
}
