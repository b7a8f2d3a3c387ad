use sim_core::session::{Command, Granularity, Session};
fn main() {
    let mut s = Session::load_builtin("io-overlap").unwrap();
    s.apply(&Command::Run { cycles: 7_000 });
    s.apply(&Command::Step { granularity: Granularity::Instruction });
    let b = s.cycle();
    let ecx = s.view().cpu.regs[1].1;
    s.apply(&Command::Step { granularity: Granularity::Instruction });
    println!("before {b} ecx {ecx}; after fwd {} ecx {}", s.cycle(), s.view().cpu.regs[1].1);
    for e in s.sim().trace().iter().rev().take(4) { println!("{} {:?}", e.cycle, e.kind); }
    s.apply(&Command::StepBack { granularity: Granularity::Instruction });
    println!("after back {} ecx {}", s.cycle(), s.view().cpu.regs[1].1);
}
