//! One property test per policy, from the book's rules, over random
//! workloads: jobs of random lengths and tickets arrive at random times, run
//! one unit at a time, and sometimes block (and wake later) or exit early.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Job {
    arrival: u64,
    len: u64,
    tickets: u32,
}

#[derive(Clone, Debug)]
struct Workload {
    jobs: Vec<Job>,
    /// Per unit of time: block the running job (true) or not.
    blocks: Vec<bool>,
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        prop::collection::vec(
            (0u64..30, 1u64..25, 1u32..100).prop_map(|(arrival, len, tickets)| Job {
                arrival,
                len,
                tickets,
            }),
            1..7,
        ),
        prop::collection::vec(prop::bool::weighted(0.08), 300),
    )
        .prop_map(|(jobs, blocks)| Workload { jobs, blocks })
}

/// What the driver saw at one unit: who ran, and the policy's state before.
struct Unit {
    ran: Option<ThreadId>,
    /// The thread running before this unit, if still runnable.
    previous: Option<ThreadId>,
    /// Whether something arrived or woke at this unit.
    newcomer: bool,
    /// Whether `previous` asked for a new decision at its last charge.
    rescheduled: bool,
}

/// Drives `s` like the kernel: admits arrivals, asks `preempts`, picks, runs
/// one unit, charges it. Blocked jobs wake 3 units later. `check` sees the
/// policy before each pick with the unit's facts.
fn drive(
    s: &mut dyn Scheduler,
    w: &Workload,
    mut check: impl FnMut(&dyn Scheduler, &Unit, &BTreeMap<ThreadId, u64>) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let mut left: BTreeMap<ThreadId, u64> = BTreeMap::new();
    let mut waking: Vec<(u64, ThreadId)> = Vec::new();
    let mut current: Option<ThreadId> = None;
    let mut resched = true;
    for now in 0..w.blocks.len() as u64 {
        let mut newcomer = false;
        for (i, j) in w.jobs.iter().enumerate() {
            if j.arrival == now {
                let t = ThreadId(i as u32);
                let info = JobInfo {
                    expected_len: Some(j.len),
                    tickets: j.tickets,
                };
                s.admit(t, &info, now);
                left.insert(t, j.len);
                newcomer = true;
            }
        }
        for (at, t) in std::mem::take(&mut waking) {
            if at == now {
                s.on_wake(t, now);
                newcomer = true;
            } else {
                waking.push((at, t));
            }
        }
        if s.on_tick(now).is_some() {
            resched = true;
        }
        if let Some(c) = current {
            if !resched && s.preempts(c, 0) {
                s.charge(c, 0, now, After::Ready);
                resched = true;
            }
        }
        let unit_before = Unit {
            ran: None,
            previous: current,
            newcomer,
            rescheduled: resched,
        };
        let ran = if resched || current.is_none() {
            s.pick(now)
        } else {
            current
        };
        check(s, &Unit { ran, ..unit_before }, &left)?;
        current = ran;
        resched = false;
        let Some(t) = ran else {
            resched = true;
            continue;
        };
        let l = left.entry(t).or_insert(1);
        *l -= 1;
        let after = if *l == 0 {
            left.remove(&t);
            After::Exited
        } else if w.blocks[now as usize] {
            waking.push((now + 3, t));
            After::Blocked
        } else {
            After::Ready
        };
        if s.charge(t, 1, now + 1, after) == Decision::Reschedule || after != After::Ready {
            resched = true;
        }
        if after != After::Ready {
            current = None;
        }
    }
    Ok(())
}

fn runnable(s: &dyn Scheduler) -> Vec<ThreadId> {
    s.queues().runnable().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// FIFO never preempts: a job keeps the CPU until it blocks or exits,
    /// and the next is the one that became ready first.
    #[test]
    fn fifo_never_preempts(w in workload()) {
        let mut s = Fifo::new();
        drive(&mut s, &w, |s, u, _| {
            if let (Some(p), false) = (u.previous, u.rescheduled) {
                prop_assert_eq!(u.ran, Some(p), "FIFO took the CPU from {}", p);
            }
            prop_assert!(u.previous.is_none_or(|p| !s.preempts(p, 0)));
            if u.rescheduled {
                prop_assert_eq!(u.ran, runnable(s).first().copied());
            }
            Ok(())
        })?;
    }

    /// SJF runs the shortest job (by expected length) at each decision and
    /// never preempts.
    #[test]
    fn sjf_picks_the_shortest(w in workload()) {
        let mut s = Sjf::new();
        let lens: Vec<u64> = w.jobs.iter().map(|j| j.len).collect();
        drive(&mut s, &w, |s, u, _| {
            if let (Some(p), false) = (u.previous, u.rescheduled) {
                prop_assert_eq!(u.ran, Some(p));
            }
            if u.rescheduled {
                let shortest = runnable(s).iter().map(|t| lens[t.0 as usize]).min();
                prop_assert_eq!(u.ran.map(|t| lens[t.0 as usize]), shortest);
            }
            Ok(())
        })?;
    }

    /// STCF: the job with the least remaining time always runs; a shorter
    /// arrival (or waker) preempts at once.
    #[test]
    fn stcf_preempts_on_a_shorter_arrival(w in workload()) {
        let mut s = Stcf::new();
        drive(&mut s, &w, |s, u, left| {
            let least = runnable(s).iter().filter_map(|t| left.get(t).copied()).min();
            prop_assert_eq!(u.ran.and_then(|t| left.get(&t).copied()), least,
                "STCF ran {:?} (newcomer: {})", u.ran, u.newcomer);
            Ok(())
        })?;
    }

    /// RR rotates every slice: a job runs at most `quantum` units in a row
    /// while others wait, and then goes to the back of the queue.
    #[test]
    fn rr_rotates_every_slice(w in workload(), q in 1u64..5) {
        let mut s = RoundRobin::new(q);
        let mut run = (None, 0u64);
        drive(&mut s, &w, |s, u, _| {
            prop_assert!(u.previous.is_none_or(|p| !s.preempts(p, 0)));
            // Units run in a row while others wait.
            if u.ran != run.0 {
                run = (u.ran, 0);
            }
            if runnable(s).len() > 1 && u.ran.is_some() {
                run.1 += 1;
                prop_assert!(run.1 <= q, "{:?} ran {} units with quantum {}", u.ran, run.1, q);
            } else {
                run.1 = 0;
            }
            prop_assert_eq!(u.ran, runnable(s).first().copied());
            Ok(())
        })?;
    }

    /// MLFQ rules 1-5: the highest non-empty queue runs (rule 1) in round
    /// robin (2); new jobs start on top (3); using an allotment moves a job
    /// down (4); the boost brings every job back to the top (5).
    #[test]
    fn mlfq_rules_1_to_5(w in workload()) {
        let mut config = MlfqConfig::uniform(3, 2, 1);
        config.boost_period = 40;
        let mut s = Mlfq::new(config);
        let mut seen: BTreeMap<ThreadId, usize> = BTreeMap::new();
        drive(&mut s, &w, |s, u, _| {
            let view = s.queues();
            let top = view.levels.iter().position(|l| !l.threads.is_empty());
            let ran_level = u.ran.and_then(|t| view.levels.iter().position(|l| l.threads.contains(&t)));
            prop_assert_eq!(ran_level, top, "rule 1: ran {:?} from {:?}", u.ran, view);
            if let Some(t) = u.ran {
                prop_assert_eq!(view.levels[ran_level.unwrap_or(0)].threads.first(), Some(&t), "rule 2");
            }
            Ok(())
        })?;
        // Rules 3-5 on the job accounting, directly.
        let mut m = Mlfq::new({
            let mut c = MlfqConfig::uniform(3, 2, 1);
            c.boost_period = 10;
            c
        });
        for (i, _) in w.jobs.iter().enumerate() {
            let t = ThreadId(i as u32);
            m.admit(t, &JobInfo::default(), 0);
            prop_assert_eq!(m.job(t).map(|j| j.level), Some(0), "rule 3");
            seen.insert(t, 0);
        }
        for now in 0..9 {
            let Some(t) = m.pick(now) else { break };
            let before = m.job(t).map(|j| j.level).unwrap_or(0);
            m.charge(t, 2, now + 1, After::Ready);
            let after = m.job(t).map(|j| j.level).unwrap_or(0);
            prop_assert_eq!(after, (before + 1).min(2), "rule 4: a used allotment moves down");
        }
        prop_assert!(m.on_tick(10).is_some());
        for t in seen.keys() {
            prop_assert_eq!(m.job(*t).map(|j| j.level), Some(0), "rule 5");
        }
    }

    /// Stride: each new slice goes to a runnable job with the minimum pass.
    #[test]
    fn stride_picks_the_minimum_pass(w in workload(), q in 1u64..4) {
        let mut s = Stride::new(q);
        drive(&mut s, &w, |s, u, _| {
            prop_assert!(u.previous.is_none_or(|p| !s.preempts(p, 0)));
            Ok(())
        })?;
        // Minimum pass at each fresh decision, checked on a clone before the pick.
        let mut s = Stride::new(1);
        for (i, j) in w.jobs.iter().enumerate() {
            s.admit(ThreadId(i as u32), &JobInfo { expected_len: None, tickets: j.tickets }, 0);
        }
        for now in 0..60 {
            let min = runnable(&s).iter().filter_map(|t| s.pass(*t)).min();
            let Some(t) = s.pick(now) else { break };
            prop_assert_eq!(s.pass(t), min, "stride ran {} with pass {:?}", t, s.pass(t));
            s.charge(t, 1, now + 1, After::Ready);
        }
    }
}
