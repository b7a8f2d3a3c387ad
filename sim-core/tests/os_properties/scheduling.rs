//! (c) No scheduler loses or duplicates a thread at the kernel level.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sim_core::kernel::{OsEvent, Pid, State};
use sim_core::sched::{MlfqConfig, Policy};
use sim_core::sim::{Halt, Sim, TraceLevel};
use sim_core::trace::TraceKind;

use super::{build, scenario, spec};

#[derive(Clone, Copy, Debug)]
enum Job {
    Cpu(u32),
    Yielder(u32),
    Sleeper(u32),
    Reader(u32),
}

impl Job {
    fn source(self) -> String {
        let body = match self {
            Job::Cpu(n) => format!("    movl ${n}, %ecx\n1:  loop 1b\n"),
            Job::Yielder(k) => format!(
                "    movl ${k}, %edi\n1:  movl $300, %ecx\n2:  loop 2b\n    call yield\n    decl %edi\n    jnz 1b\n"
            ),
            Job::Sleeper(k) => format!(
                "    movl ${k}, %edi\n1:  pushl $1\n    call sleep\n    addl $4, %esp\n    decl %edi\n    jnz 1b\n"
            ),
            Job::Reader(k) => format!(
                "    movl ${k}, %edi\n1:  pushl $16\n    pushl $buf\n    pushl $2\n    call read\n    addl $12, %esp\n    decl %edi\n    jnz 1b\n"
            ),
        };
        format!("main:\n{body}    pushl $0\n    call exit\n.data\nbuf: .space 16\n")
    }
}

fn job() -> impl Strategy<Value = Job> {
    prop_oneof![
        (200u32..4000).prop_map(Job::Cpu),
        (1u32..5).prop_map(Job::Yielder),
        (1u32..4).prop_map(Job::Sleeper),
        (1u32..4).prop_map(Job::Reader),
    ]
}

fn policies(seed: i64) -> Vec<Policy> {
    let mut mlfq = MlfqConfig::uniform(3, 1000, 1);
    mlfq.boost_period = 10_000;
    vec![
        Policy::Fifo,
        Policy::Sjf,
        Policy::Stcf { overlap_io: true },
        Policy::RoundRobin { quantum: 1000 },
        Policy::Mlfq(mlfq),
        Policy::Lottery {
            quantum: 1000,
            seed,
            draw: sim_core::sched::LotteryDrawMode::RandBelow,
        },
        Policy::Stride { quantum: 1000 },
    ]
}

/// Every live thread is in exactly one place: a ready queue (running or
/// not) if it is ready or running, the blocked list if it is blocked.
fn check_queues(sim: &Sim) -> Result<(), String> {
    let k = sim.kernel();
    let view = k.policy().queues();
    let runnable: Vec<_> = view.runnable().collect();
    let count = |list: &[_], t| list.iter().filter(|&&x| x == t).count();
    for t in k.threads() {
        let (r, b) = (count(&runnable, t.tid), count(&view.blocked, t.tid));
        let ok = match t.state {
            State::Ready | State::Running => (r, b) == (1, 0),
            State::Blocked => (r, b) == (0, 1),
            State::New | State::Zombie => (r, b) == (0, 0),
        };
        if !ok {
            return Err(format!(
                "cycle {}: {} is {:?} but appears {r}x runnable, {b}x blocked: {view:?}",
                sim.cycle(),
                t.tid,
                t.state
            ));
        }
    }
    let known = |t| k.thread(t).is_some();
    if let Some(t) = runnable.iter().chain(&view.blocked).find(|t| !known(**t)) {
        return Err(format!("cycle {}: unknown thread {t} queued", sim.cycle()));
    }
    let running: Vec<_> = k.threads().filter(|t| t.state == State::Running).collect();
    if running.len() > 1 {
        return Err(format!(
            "cycle {}: {} threads running",
            sim.cycle(),
            running.len()
        ));
    }
    // User code (CPL 3) always belongs to the one running thread; at CPL 0
    // the CPU is in the entry stubs, the kernel's steps or the idle loop.
    if sim.machine().cpu().cpl() == 3 {
        let current = k.current().filter(|_| !k.is_idle());
        let ok = running.first().is_some_and(|t| current == Some(t.tid));
        if !ok {
            return Err(format!(
                "cycle {}: CPL {} with current {:?}, idle {}, running {:?}",
                sim.cycle(),
                sim.machine().cpu().cpl(),
                k.current(),
                k.is_idle(),
                running.first().map(|t| t.tid)
            ));
        }
    }
    Ok(())
}

/// The jobs as processes `job0`, `job1`, … (arrival, tickets) under `policy`.
fn workload(jobs: &[(Job, u64, u32)], policy: &Policy, seed: i64) -> Sim {
    let names: Vec<String> = (0..jobs.len()).map(|i| format!("job{i}")).collect();
    let programs: Vec<(&str, String)> = jobs
        .iter()
        .zip(&names)
        .map(|((j, _, _), n)| (n.as_str(), j.source()))
        .collect();
    let processes = jobs
        .iter()
        .zip(&names)
        .map(|(&(_, arrival, tickets), n)| spec(n, arrival, tickets, 5000))
        .collect();
    let mut s = scenario(policy.clone(), &programs, processes);
    s.seed = seed;
    build(&s, TraceLevel::Steps)
}

fn check_workload(jobs: &[(Job, u64, u32)], policy: Policy, seed: i64) -> Result<(), String> {
    let mut sim = workload(jobs, &policy, seed);
    let mut halt = None;
    while sim.cycle() < 1_000_000 {
        if let Some(h) = sim.halted() {
            halt = Some(h);
            break;
        }
        sim.step();
        if sim.cycle().is_multiple_of(61) {
            check_queues(&sim).map_err(|e| format!("{policy:?}: {e}"))?;
        }
    }
    if halt != Some(Halt::Finished) {
        return Err(format!(
            "{policy:?}: stopped with {halt:?} at {}",
            sim.cycle()
        ));
    }
    check_queues(&sim)?;
    let mut exits: BTreeMap<Pid, Vec<i32>> = BTreeMap::new();
    for e in sim.trace().iter() {
        if let TraceKind::Os(OsEvent::ProcessExited { pid, status, .. }) = &e.kind {
            exits.entry(*pid).or_default().push(*status);
        }
    }
    let expected: BTreeMap<Pid, Vec<i32>> =
        (1..=jobs.len() as u32).map(|p| (Pid(p), vec![0])).collect();
    if exits != expected {
        return Err(format!("{policy:?}: exits {exits:?}"));
    }
    Ok(())
}

#[test]
fn a_fixed_mix_finishes_under_every_policy() {
    let jobs = [
        (Job::Cpu(3000), 0, 100),
        (Job::Yielder(3), 0, 50),
        (Job::Sleeper(2), 500, 10),
        (Job::Reader(2), 1000, 200),
        (Job::Cpu(800), 4000, 100),
    ];
    for policy in policies(3) {
        if let Err(e) = check_workload(&jobs, policy, 3) {
            panic!("{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(42))]

    #[test]
    fn no_policy_loses_or_duplicates_a_thread(
        jobs in prop::collection::vec((job(), 0u64..8000, 1u32..200), 1..6),
        which in 0usize..7,
        seed in any::<i64>(),
    ) {
        let policy = policies(seed).swap_remove(which);
        if let Err(e) = check_workload(&jobs, policy, seed) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// A sleeper wakes at the first timer tick or `scheduler()` at or after
/// the cycle its sleep ends, not earlier and not later (the kernel looks
/// for sleepers only once one may be due: `Kernel::wake_sleepers`).
#[test]
fn a_sleeper_wakes_at_the_first_chance_once_its_sleep_ends() {
    use sim_core::kernel::{StepOutcome, SysOutcome};
    let jobs = [
        (Job::Sleeper(3), 0, 10),
        (Job::Cpu(2500), 0, 10),
        (Job::Sleeper(2), 300, 10),
        (Job::Yielder(4), 700, 10),
        (Job::Sleeper(1), 900, 10),
    ];
    for policy in policies(5) {
        let mut sim = workload(&jobs, &policy, 5);
        assert_eq!(sim.run(1_000_000, &[]), Some(Halt::Finished), "{policy:?}");
        let mut asleep = BTreeMap::new();
        let mut woken = 0;
        for e in sim.trace().iter() {
            match &e.kind {
                TraceKind::Os(OsEvent::KernelStep { outcome, function }) => {
                    if let StepOutcome::Syscall(SysOutcome::Sleeps { tid, until, .. }) = outcome {
                        asleep.insert(*tid, *until);
                    }
                    if matches!(*function, "timer_intr" | "scheduler") {
                        let late: Vec<_> = asleep.iter().filter(|(_, &u)| u <= e.cycle).collect();
                        assert!(
                            late.is_empty(),
                            "{policy:?}: at cycle {} {function} left {late:?} asleep",
                            e.cycle
                        );
                    }
                }
                TraceKind::Os(OsEvent::ThreadState {
                    tid,
                    from: State::Blocked,
                    to: State::Ready,
                    ..
                }) => {
                    if let Some(until) = asleep.remove(tid) {
                        assert!(
                            e.cycle >= until,
                            "{policy:?}: {tid} woke at {} before {until}",
                            e.cycle
                        );
                        woken += 1;
                    }
                }
                _ => {}
            }
        }
        assert_eq!(woken, 6, "{policy:?}: every sleep ended");
    }
}
