//! Invariant for every policy: no thread is ever lost or duplicated. After any
//! sequence of admit/pick/charge/wake/tick, the runnable threads in `queues()` are
//! exactly the admitted, not blocked, not exited ones, each once; `pick` returns one
//! of them, and returns `None` only when there is none.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Admit(u32, u64, u32),
    Pick,
    /// Charge the last picked thread (or `id` if none) for `ran`, then `after`.
    Charge(u32, u64, u8),
    Wake(u32),
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..8, 0u64..40, 1u32..50).prop_map(|(t, l, k)| Op::Admit(t, l, k)),
        Just(Op::Pick),
        (0u32..8, 0u64..6, 0u8..3).prop_map(|(t, r, a)| Op::Charge(t, r, a)),
        (0u32..8).prop_map(Op::Wake),
        Just(Op::Tick),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Runnable,
    Blocked,
    Exited,
}

fn policies() -> Vec<Policy> {
    let mut mlfq = MlfqConfig::uniform(3, 3, 2);
    mlfq.boost_period = 7;
    let mut gaming = mlfq.clone();
    gaming.stay_on_io = true;
    gaming.io_to_front = true;
    vec![
        Policy::Fifo,
        Policy::Sjf,
        Policy::Stcf { overlap_io: true },
        Policy::RoundRobin { quantum: 2 },
        Policy::Mlfq(mlfq),
        Policy::Mlfq(gaming),
        Policy::Lottery {
            quantum: 2,
            seed: 9,
            draw: LotteryDrawMode::Scaled { range: 1_000_001 },
        },
        Policy::Stride { quantum: 2 },
    ]
}

fn check(s: &dyn Scheduler, model: &BTreeMap<u32, State>) -> Result<(), TestCaseError> {
    let view = s.queues();
    let mut runnable: Vec<u32> = view.runnable().map(|t| t.0).collect();
    let n = runnable.len();
    runnable.sort_unstable();
    runnable.dedup();
    prop_assert_eq!(n, runnable.len(), "duplicate in {:?}", view);
    let want: Vec<u32> = model
        .iter()
        .filter(|(_, s)| **s == State::Runnable)
        .map(|(&t, _)| t)
        .collect();
    prop_assert_eq!(&runnable, &want, "{} runnable set", s.name());
    let mut blocked: Vec<u32> = view.blocked.iter().map(|t| t.0).collect();
    blocked.sort_unstable();
    let want_blocked: Vec<u32> = model
        .iter()
        .filter(|(_, s)| **s == State::Blocked)
        .map(|(&t, _)| t)
        .collect();
    prop_assert_eq!(blocked, want_blocked, "{} blocked set", s.name());
    Ok(())
}

proptest! {
    #[test]
    fn no_lost_or_duplicated_threads(ops in proptest::collection::vec(op(), 1..80)) {
        for policy in policies() {
            let mut s = policy.build().expect("valid policy");
            let mut model: BTreeMap<u32, State> = BTreeMap::new();
            let mut last: Option<ThreadId> = None;
            for (now, op) in ops.iter().enumerate() {
                let now = now as u64;
                match *op {
                    Op::Admit(t, len, tickets) => {
                        let info = JobInfo { expected_len: Some(len), tickets };
                        s.admit(ThreadId(t), &info, now);
                        if matches!(model.get(&t), None | Some(State::Exited)) {
                            model.insert(t, State::Runnable);
                        }
                    }
                    Op::Pick => {
                        last = s.pick(now);
                        let any = model.values().any(|s| *s == State::Runnable);
                        prop_assert_eq!(last.is_some(), any, "{} pick", s.name());
                        if let Some(t) = last {
                            prop_assert!(model.get(&t.0) == Some(&State::Runnable));
                        }
                    }
                    Op::Charge(t, ran, after) => {
                        let t = last.map_or(t, |l| l.0);
                        let after = [After::Ready, After::Blocked, After::Exited][after as usize];
                        s.charge(ThreadId(t), ran, now, after);
                        if model.get(&t) == Some(&State::Runnable) {
                            model.insert(t, match after {
                                After::Ready => State::Runnable,
                                After::Blocked => State::Blocked,
                                After::Exited => State::Exited,
                            });
                        }
                        if after != After::Ready {
                            last = None;
                        }
                    }
                    Op::Wake(t) => {
                        s.on_wake(ThreadId(t), now);
                        if model.get(&t) == Some(&State::Blocked) {
                            model.insert(t, State::Runnable);
                        }
                    }
                    Op::Tick => {
                        s.on_tick(now);
                    }
                }
                check(s.as_ref(), &model)?;
            }
        }
    }
}
