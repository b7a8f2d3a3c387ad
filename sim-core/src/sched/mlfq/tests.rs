use super::*;

fn cfg(n: usize, quantum: i64, allotment: i64) -> MlfqConfig {
    MlfqConfig::uniform(n, quantum, allotment)
}

fn run_one(s: &mut Mlfq, now: u64) -> ThreadId {
    let Some(t) = s.pick(now) else {
        panic!("idle at {now}")
    };
    s.charge(t, 1, now + 1, After::Ready);
    t
}

#[test]
fn long_job_sinks_one_level_per_allotment() {
    let mut s = Mlfq::new(cfg(3, 2, 1));
    s.admit(ThreadId(0), &JobInfo::default(), 0);
    for now in 0..2 {
        run_one(&mut s, now);
    }
    assert_eq!(s.job(ThreadId(0)).map(|j| j.level), Some(1));
    for now in 2..8 {
        run_one(&mut s, now);
    }
    assert_eq!(s.job(ThreadId(0)).map(|j| j.level), Some(2));
}

#[test]
fn gaming_protection_keeps_accounting_across_io() {
    // Quantum 3: run 2, block, wake, run 1 more -> demoted anyway.
    let mut s = Mlfq::new(cfg(2, 3, 1));
    s.admit(ThreadId(0), &JobInfo::default(), 0);
    s.charge(ThreadId(0), 2, 2, After::Blocked);
    s.on_wake(ThreadId(0), 5);
    s.charge(ThreadId(0), 1, 6, After::Ready);
    assert_eq!(s.job(ThreadId(0)).map(|j| j.level), Some(1));

    let mut c = cfg(2, 3, 1);
    c.stay_on_io = true;
    let mut s = Mlfq::new(c);
    s.admit(ThreadId(0), &JobInfo::default(), 0);
    s.charge(ThreadId(0), 2, 2, After::Blocked);
    s.on_wake(ThreadId(0), 5);
    s.charge(ThreadId(0), 1, 6, After::Ready);
    assert_eq!(s.job(ThreadId(0)).map(|j| j.level), Some(0));
}

#[test]
fn boost_moves_everyone_to_top_lowest_first() {
    let mut c = cfg(3, 1, 1);
    c.boost_period = 10;
    let mut s = Mlfq::new(c);
    s.admit(ThreadId(0), &JobInfo::default(), 0);
    s.admit(ThreadId(1), &JobInfo::default(), 0);
    // 0 -> level 1, 1 -> level 1, 0 -> level 2.
    for now in 0..3 {
        run_one(&mut s, now);
    }
    assert_eq!(s.on_tick(5), None);
    assert_eq!(s.on_tick(10), Some(SchedEvent::Boost));
    let v = s.queues();
    assert_eq!(v.levels[0].threads, vec![ThreadId(0), ThreadId(1)]);
    assert_eq!(s.job(ThreadId(1)).map(|j| j.ticks_left), Some(1));
}

#[test]
fn io_to_front_requeues_at_head() {
    let mut c = cfg(1, 10, 1);
    c.io_to_front = true;
    let mut s = Mlfq::new(c);
    s.admit(ThreadId(0), &JobInfo::default(), 0);
    s.admit(ThreadId(1), &JobInfo::default(), 0);
    s.charge(ThreadId(0), 1, 1, After::Blocked);
    s.on_wake(ThreadId(0), 3);
    assert_eq!(s.pick(3), Some(ThreadId(0)));
}
