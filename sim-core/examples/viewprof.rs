use sim_core::scenario::{builtin, ProcessSpec};
use sim_core::session::{Command, Session};
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).map_or(256, |a| a.parse().unwrap());
    let mut s = builtin("loop-preemptive").unwrap();
    let spin = s
        .programs
        .iter()
        .find(|p| p.name == "spin")
        .unwrap()
        .clone();
    s.programs = vec![spin];
    s.processes = (0..n)
        .map(|_| ProcessSpec {
            program: "spin".into(),
            arrival: 0,
            tickets: 100,
            expected_len: None,
        })
        .collect();
    s.max_cycles = 1_000_000_000;
    let mut ses = Session::new(s).unwrap();
    ses.skip_boot();
    let _ = ses.apply(&Command::Run { cycles: 30_000_000 });
    let t = Instant::now();
    let mut tot = 0u64;
    let mut vt = std::time::Duration::ZERO;
    for _ in 0..300 {
        let _ = ses.apply(&Command::Run { cycles: 20_000 });
        let t1 = Instant::now();
        let v = ses.view();
        vt += t1.elapsed();
        tot += v.cycle;
    }
    println!(
        "{:?} per view+20k run; view {:?} {}",
        t.elapsed() / 300,
        vt / 300,
        tot
    );
}
