//! The engine boundary: commands in, views out.
//!
//! stepping.rs: stepping, stepping back, runs, breakpoints, the cycle limit;
//! panels.rs: what the views show (trap frame, gates, processes, queues).

mod panels;
mod stepping;

use sim_core::session::{Command, Granularity, RunStop, Session, Status};
use sim_core::trace::Actor;

fn step(g: Granularity) -> Command {
    Command::Step { granularity: g }
}

const GRANULARITIES: [Granularity; 5] = [
    Granularity::Cycle,
    Granularity::Instruction,
    Granularity::ModeSwitch,
    Granularity::Trap,
    Granularity::ContextSwitch,
];

/// Steps one instruction at a time until the current source line's text
/// contains `needle` (in user code); panics after `max` steps.
fn step_to_line(s: &mut Session, needle: &str, max: usize) {
    for _ in 0..max {
        let v = s.view();
        if !v.code.kernel {
            if let Some(cur) = v.code.current_line {
                if v.code.lines[cur as usize - 1].text.contains(needle) {
                    return;
                }
            }
        }
        s.apply(&step(Granularity::Instruction));
    }
    panic!("never reached a line with {needle:?}");
}

fn names(v: &sim_core::session::View) -> Vec<String> {
    v.kernel_stack.as_ref().map_or(Vec::new(), |k| {
        k.words.iter().map(|w| w.name.clone()).collect()
    })
}
