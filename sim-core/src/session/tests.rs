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
    let name = "rr-response";
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
