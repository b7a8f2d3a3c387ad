//! Snapshots share the kernel's table entries copy-on-write and pack away
//! what neither neighbour shares; seeking back through them (into the
//! thinned-out past too) reaches exactly the state a straight run reaches.

use sim_core::scenario::{builtins, Scenario};
use sim_core::sim::{Sim, TraceLevel};

/// Everything the kernel and the machine hold that a view can show.
fn assert_same(a: &Sim, b: &Sim, what: &str) {
    assert_eq!(a.cycle(), b.cycle(), "{what}");
    assert_eq!(a.machine().cpu(), b.machine().cpu(), "{what}");
    assert!(a.machine().mem() == b.machine().mem(), "{what}: memory");
    let (ka, kb) = (a.kernel(), b.kernel());
    let procs = |k: &sim_core::kernel::Kernel| k.processes().cloned().collect::<Vec<_>>();
    let threads = |k: &sim_core::kernel::Kernel| k.threads().cloned().collect::<Vec<_>>();
    assert_eq!(procs(ka), procs(kb), "{what}: processes");
    assert_eq!(threads(ka), threads(kb), "{what}: threads");
    assert_eq!(ka.policy().queues(), kb.policy().queues(), "{what}: queues");
    assert_eq!(ka.current(), kb.current(), "{what}");
    assert_eq!(ka.context_switches(), kb.context_switches(), "{what}");
    assert_eq!(ka.ticks(), kb.ticks(), "{what}");
}

fn straight(s: &Scenario, at: u64) -> Sim {
    let mut sim = s.build(TraceLevel::Off).expect("builds");
    sim.run(at, &[]);
    sim
}

#[test]
fn every_lesson_seeks_back_exactly_through_packed_snapshots() {
    for (name, s) in builtins() {
        let mut sim = s.build(TraceLevel::Off).expect("builds");
        // Small enough that every lesson thins out and packs its snapshots.
        sim.set_snapshot_budget(48 << 10);
        sim.run(s.max_cycles.min(1_500_000), &[]);
        let end = sim.cycle();
        assert!(sim.memory().snapshot_bytes <= 48 << 10 || sim.snapshot_count() <= 2);
        // Far back first: later seeks replay from what the earlier left.
        for at in [end / 3, end / 2 + 777, end - end / 10, end / 5 + 1] {
            sim.seek(at);
            assert_same(&sim, &straight(&s, at), &format!("{name} at {at}"));
            sim.seek(end);
        }
        assert_same(&sim, &straight(&s, end), &format!("{name} back at {end}"));
    }
}
