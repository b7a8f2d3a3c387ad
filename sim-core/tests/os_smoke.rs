use sim_core::scenario::builtin;
use sim_core::sim::{Halt, TraceLevel};

#[test]
fn syscall_read_round_trip() {
    let s = builtin("syscall-read").expect("builtin");
    let mut sim = s.build(TraceLevel::Steps).expect("build");
    let halt = sim.run(200_000);
    for e in sim.trace().iter().filter(|e| !matches!(e.kind, sim_core::trace::TraceKind::Machine(sim_core::event::EventKind::InstructionRetired{..}))).take(80) {
        eprintln!("{:>6} {:?} {}", e.cycle, e.actor, serde_json::to_string(&e.kind).unwrap());
    }
    eprintln!("halt {halt:?} at {}", sim.cycle());
    eprintln!("console: {:?}", sim.machine().devices().console.text());
    assert_eq!(halt, Some(Halt::Finished));
    assert_eq!(sim.machine().devices().console.text(), "hello, trap!\n");
}
