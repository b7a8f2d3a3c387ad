//! Long runs keep bounded history: with small limits (the defaults need
//! tens of millions of cycles), the trace, the timeline and the Gantt spans
//! stay within them, and going back within what is kept still shows what
//! going straight there shows.

use super::history::{Limits, TimelineRow};
use super::*;

fn small(name: &str) -> Session {
    let mut s = Session::load_builtin(name).expect("built-in");
    s.sim.set_trace_limit(400);
    s.history.limits = Limits {
        rows: 128,
        spans: 32,
    };
    s
}

#[test]
fn bounded_history_stays_bounded_and_exact() {
    let name = "loop-preemptive";
    let mut back = small(name);
    back.apply(&Command::Run { cycles: 60_000 });
    assert!(back.sim.trace().kept() <= 400);
    assert!(
        back.sim.trace().first_index() > 0,
        "old events were dropped"
    );
    assert!(back.history.rows().len() <= 128);
    assert!(back.history.rows_total() > 128);
    for target in [59_500, 58_800] {
        back.apply(&Command::Seek { cycle: target });
        let mut straight = small(name);
        straight.apply(&Command::Run { cycles: target });
        let mut unbounded = Session::load_builtin(name).expect("built-in");
        unbounded.apply(&Command::Run { cycles: target });
        let (got, want, exact) = (back.view(), straight.view(), unbounded.view());
        // The rewound session may keep fewer rows (it dropped some before
        // going back); the rows both keep are the same.
        let n = got.timeline.len().min(want.timeline.len());
        assert!(n >= 10, "{n} rows kept");
        let tail = |rows: &[TimelineRow]| rows[rows.len() - n..].to_vec();
        assert_eq!(tail(&got.timeline), tail(&want.timeline), "at {target}");
        assert_eq!(got.gantt, want.gantt, "at {target}");
        assert_eq!(got.gantt, exact.gantt, "the chart keeps the dropped spans");
        assert_eq!(got.timeline_total, exact.timeline_total);
        assert_eq!(got.events, exact.events);
    }
}

/// Inside a user-library stub the code panel shows the stub; while the
/// kernel runs a C-level step it names that step and what it does.
#[test]
fn the_code_view_follows_library_stubs_and_kernel_steps() {
    let mut s = Session::load_builtin("processes-vs-threads").expect("built-in");
    s.skip_boot();
    // movl $100, …; call fork → the CPU is in the stub `fork:`.
    s.apply(&Command::Step {
        granularity: Granularity::Instruction,
    });
    s.apply(&Command::Step {
        granularity: Granularity::Instruction,
    });
    let v = s.view();
    let code = &v.code;
    assert!(code.title.contains("user library: fork"), "{}", code.title);
    let from = code.library_from.expect("stub shown");
    let cur = code.current_line.expect("a current line");
    assert!(cur > from);
    let text = &code.lines.iter().find(|l| l.line == cur).unwrap().text;
    assert!(text.contains("movl $SYS_fork, %eax"), "{text}");
    assert!(code.lines.iter().any(|l| l.text.contains("int $64")));
    assert!(!code.lines.iter().any(|l| l.text.starts_with("exit:")));
    // Into the kernel: the step running is named, never a lone nop.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        s.apply(&Command::Step {
            granularity: Granularity::Instruction,
        });
        let v = s.view();
        if let Some(step) = &v.code.step {
            assert!(v.code.kernel);
            assert!(!step.about.is_empty());
            if step.function == "sys_fork" {
                // From the one system-call table.
                assert_eq!(
                    step.about,
                    "copy the address space into a new child process"
                );
            }
            assert_eq!(
                v.cpu.kernel_function.as_deref(),
                Some(step.function.as_str())
            );
            seen.insert(step.function.clone());
        }
    }
    for f in ["trap", "sys_fork", "scheduler", "trapret"] {
        assert!(seen.contains(f), "{f} not named: {seen:?}");
    }
}

#[test]
fn the_process_table_has_what_the_policy_decides_by() {
    let mut s = Session::load_builtin("convoy-stcf").expect("built-in");
    s.apply(&Command::Seek { cycle: 10_000 });
    let v = s.view();
    assert!(v.policy_uses.job_length && !v.policy_uses.tickets);
    let p = &v.processes[0];
    let len = 100 * s.scenario().time_unit;
    assert_eq!(p.job_length, Some(len));
    assert_eq!(p.remaining, Some(len - p.cpu));
    let v = Session::load_builtin("lottery-fairness").unwrap().view();
    assert!(v.policy_uses.tickets && !v.policy_uses.job_length);
    let v = Session::load_builtin("rr-response").unwrap().view();
    assert_eq!(v.policy_uses, PolicyUses::default());
}
