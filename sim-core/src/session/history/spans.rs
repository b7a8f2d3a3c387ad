//! Who had the CPU when: the spans of the Gantt chart as the history opens
//! and closes them, and the chart a view resamples from their bins.

use serde::{Deserialize, Serialize};

use super::History;
use crate::kernel::{Pid, Tid};
use crate::session::gantt::GanttLane;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    User,
    Kernel,
}

/// Who had the CPU from `start` to `end` (exclusive; `None` = still running).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GanttSpan {
    /// `None`: no thread (boot, idle loop).
    pub tid: Option<Tid>,
    /// Filled in by the view from the thread table.
    pub pid: Option<Pid>,
    pub mode: Mode,
    pub start: u64,
    pub end: Option<u64>,
}

/// What opened a Gantt span: the trace event, and who/which mode it
/// replaced (restored when the span is undone).
#[derive(Clone, Copy, Debug)]
pub(super) struct SpanOrigin {
    pub(super) event: usize,
    pub(super) who: Option<Tid>,
    pub(super) mode: Option<Mode>,
}

impl History {
    /// The Gantt chart from cycle 0 to `now`: one lane per process in
    /// `lanes` (pid, label), then one for no thread if `idle_lane`.
    pub fn gantt(
        &self,
        now: u64,
        lanes: Vec<(Pid, String)>,
        idle_lane: bool,
        pid_of: impl Fn(Tid) -> Option<Pid>,
    ) -> Vec<GanttLane> {
        let open = self.spans.last().filter(|s| s.end.is_none());
        let mut chart = self.bins.view(now, open, lanes, pid_of);
        if !idle_lane {
            chart.pop();
        }
        chart
    }

    pub(super) fn set_mode(&mut self, cycle: u64, mode: Mode) {
        if self.mode != Some(mode) {
            self.open_span(cycle, self.who, Some(mode));
        }
    }

    /// Closes the open span at `cycle` and opens one for (who, mode); the
    /// state it replaces is kept for [`History::rewind`].
    pub(super) fn open_span(&mut self, cycle: u64, who: Option<Tid>, mode: Option<Mode>) {
        if self.rows_only {
            return;
        }
        self.span_origins.push(SpanOrigin {
            event: self.at_event,
            who: self.who,
            mode: self.mode,
        });
        (self.who, self.mode) = (who, mode);
        if let Some(last) = self.spans.last_mut() {
            if last.end.is_none() {
                last.end = Some(cycle);
                self.bins.add(last.tid, last.mode, last.start, cycle);
            }
        }
        self.spans.push(GanttSpan {
            tid: self.who,
            pid: None,
            mode: self.mode.unwrap_or(Mode::Kernel),
            start: cycle,
            end: None,
        });
    }
}
