//! Views derived from the trace as it grows: the limited-direct-execution
//! timeline (OSTEP figure 6.2's three columns) and Gantt spans. Stepping
//! back undoes just what the removed events had added.

use std::cell::OnceCell;

use serde::{Deserialize, Serialize};

use crate::event::EventKind;
use crate::kernel::{OsEvent, Tid};
use crate::sim::{InstrLog, TraceLog};
use crate::trace::{Actor, TraceEvent, TraceKind};

use super::gantt::GanttBins;

mod spans;
mod words;
use spans::SpanOrigin;
pub use spans::{GanttSpan, Mode};
use words::sentence;

/// What a session's time travel holds, in bytes (see [`super::Session::memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pub sim: crate::sim::HistoryBytes,
    /// The timeline rows, Gantt spans and chart bins.
    pub views: usize,
}

impl Memory {
    /// Snapshots, trace, instructions and views: all of the history.
    pub fn history(&self) -> usize {
        self.sim.history() + self.views
    }
}

/// One row of the three-column timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub cycle: u64,
    pub actor: Actor,
    pub text: String,
    /// Instructions folded into this row (runs of code), else 1.
    pub count: u32,
    /// A row of code runs (more instructions fold into it).
    #[serde(skip)]
    pub code: bool,
}

/// A timeline row as the history keeps it: the sentence is made only when
/// a view shows the row. A long run adds millions of rows and drops all
/// but the newest; formatting each as it came was most of the allocations
/// of a long session (heaptrack: 64 %), and that churn fragmented the heap
/// so malloc grew slower as the run went on (perf: malloc's own functions
/// took twice the time 400 M cycles in, for the same work).
#[derive(Clone, Debug)]
struct Row {
    cycle: u64,
    actor: Actor,
    text: RowText,
    /// The sentence, made the first time a view shows the row: views come
    /// every ~100 ms while running and show mostly the same newest rows.
    worded: OnceCell<String>,
    count: u32,
    code: bool,
}

/// What a row says: a fixed sentence, or the event it describes.
#[derive(Clone, Debug)]
enum RowText {
    Fixed(&'static str),
    Event(TraceKind),
}

impl Row {
    fn view(&self) -> TimelineRow {
        TimelineRow {
            cycle: self.cycle,
            actor: self.actor,
            text: self
                .worded
                .get_or_init(|| match &self.text {
                    RowText::Fixed(s) => (*s).to_string(),
                    RowText::Event(kind) => sentence(kind),
                })
                .clone(),
            count: self.count,
            code: self.code,
        }
    }
}

/// What made a timeline row: the trace event (absolute number) or, for a
/// row of code, the first retired instruction folded into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Event(usize),
    Code(usize),
}

/// Where rows were dropped: the first row kept after the drop, and how many
/// rows came before it.
#[derive(Clone, Copy, Debug)]
struct RowDrop {
    origin: Origin,
    before: usize,
}

/// Timeline rows kept at most (the oldest half goes beyond): the view shows
/// only the newest, and a long run at full speed must not grow without bound.
pub const MAX_ROWS: usize = 1 << 12;
/// Gantt spans kept at most for stepping back; older ones live on in bins.
pub const MAX_SPANS: usize = 1 << 14;

/// How much of its history a session keeps (the defaults: [`MAX_ROWS`],
/// [`MAX_SPANS`]; smaller in tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub rows: usize,
    pub spans: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: MAX_ROWS,
            spans: MAX_SPANS,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct History {
    pub limits: Limits,
    /// Trace events and instructions consumed (absolute numbers).
    consumed: usize,
    consumed_instrs: usize,
    rows: Vec<Row>,
    row_origins: Vec<Origin>,
    rows_dropped: usize,
    /// Each drop of old rows (see [`History::reword`]).
    drops: Vec<RowDrop>,
    /// Adding rows only, not spans (see [`History::reword`]).
    rows_only: bool,
    /// Every span since cycle 0, empty ones included (the view skips them).
    spans: Vec<GanttSpan>,
    span_origins: Vec<SpanOrigin>,
    /// The closed spans, binned for the chart.
    bins: GanttBins,
    /// The spans dropped from `spans` (at most [`MAX_SPANS`] are kept),
    /// binned: where a rebuild of `bins` starts.
    base_bins: GanttBins,
    who: Option<Tid>,
    mode: Option<Mode>,
    /// The trace event or instruction being added.
    at_event: usize,
    at_instr: usize,
}

impl History {
    /// The newest timeline rows (at most [`MAX_ROWS`]).
    #[cfg(test)]
    pub fn rows(&self) -> Vec<TimelineRow> {
        self.rows_tail(self.rows.len())
    }

    /// The newest `n` timeline rows (fewer if fewer are kept), oldest first.
    pub fn rows_tail(&self, n: usize) -> Vec<TimelineRow> {
        let from = self.rows.len().saturating_sub(n);
        self.rows[from..].iter().map(Row::view).collect()
    }

    /// Trace events read so far (absolute number).
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// Retired instructions read so far (absolute number).
    pub fn consumed_instrs(&self) -> usize {
        self.consumed_instrs
    }

    /// Rows since cycle 0, dropped ones included.
    pub fn rows_total(&self) -> usize {
        self.rows_dropped + self.rows.len()
    }

    /// Heap bytes of the timeline rows (with the sentences views made), the
    /// Gantt spans kept for stepping back and the chart's bins.
    pub fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.rows.capacity() * size_of::<Row>()
            + self
                .rows
                .iter()
                .filter_map(|r| r.worded.get())
                .map(String::capacity)
                .sum::<usize>()
            + self.row_origins.capacity() * size_of::<Origin>()
            + self.drops.capacity() * size_of::<RowDrop>()
            + self.spans.capacity() * size_of::<GanttSpan>()
            + self.span_origins.capacity() * size_of::<SpanOrigin>()
            + self.bins.bytes()
            + self.base_bins.bytes()
    }

    /// Brings the derived views up to date with the trace and the retired
    /// instructions, merged by cycle, instructions first. After stepping back
    /// (both shorter) it first undoes what the dropped events and
    /// instructions had added, so a step back costs what it removes, not the
    /// whole history.
    pub fn sync(&mut self, trace: &TraceLog, instrs: &InstrLog, now: u64) {
        let (trace_len, trace_start) = (trace.len(), trace.first_index());
        if trace_len < self.consumed || instrs.len() < self.consumed_instrs {
            self.rewind(
                trace_len.min(self.consumed),
                instrs.len().min(self.consumed_instrs),
                now,
            );
            // Every row was newer: make them again from what the logs hold
            // (a seek's replay records from its last mark, not from cycle 0).
            if self.rows.is_empty() {
                self.reword(trace, instrs);
            }
        }
        if self.consumed < trace_start {
            // Events we never saw were dropped from the trace: start afresh.
            *self = History {
                limits: self.limits,
                consumed: trace_start,
                consumed_instrs: instrs.len(),
                ..History::default()
            };
        }
        self.consume(trace, instrs, self.consumed, self.consumed_instrs);
        self.consumed = trace_len;
        self.consumed_instrs = instrs.len();
        if self.rows.len() > self.limits.rows {
            let drop = self.rows.len() - self.limits.rows / 2;
            self.rows.drain(..drop);
            self.row_origins.drain(..drop);
            self.rows_dropped += drop;
            self.drops.push(RowDrop {
                origin: self.row_origins[0],
                before: self.rows_dropped,
            });
            // A long sync may have grown them far past the limit.
            self.rows.shrink_to(self.limits.rows);
            self.row_origins.shrink_to(self.limits.rows);
        }
        if self.spans.len() > self.limits.spans {
            let drop = self.spans.len() - self.limits.spans / 2;
            self.base_bins.keep_levels();
            for s in self.spans.drain(..drop) {
                if let Some(end) = s.end {
                    self.base_bins.add(s.tid, s.mode, s.start, end);
                }
            }
            self.span_origins.drain(..drop);
            self.spans.shrink_to(self.limits.spans);
            self.span_origins.shrink_to(self.limits.spans);
        }
    }

    /// Adds what the logs hold from event `event` and instruction `instr`
    /// on, merged by cycle, instructions first.
    fn consume(&mut self, trace: &TraceLog, instrs: &InstrLog, event: usize, instr: usize) {
        let mut marks = instrs.iter_from(instr).peekable();
        let mut events = trace.iter_from(event).peekable();
        let mut j = event;
        self.at_instr = instr.max(instrs.first_index());
        loop {
            let take_mark = match (marks.peek(), events.peek()) {
                (Some(m), Some(e)) => m.cycle <= e.cycle,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_mark {
                if let Some(m) = marks.next() {
                    self.code(m.cycle, m.actor());
                    self.at_instr += 1;
                }
            } else if let Some(e) = events.next() {
                self.at_event = j;
                self.add(e);
                j += 1;
            }
        }
    }

    /// After a seek into the far past: every row kept was newer than where
    /// the seek went, and the rows before it were dropped long ago. The seek
    /// replayed the logs' newest entries, so the rows are made again from
    /// them (rows only: the Gantt spans were rewound exactly). The rows
    /// counted before them are those before the last drop at or before where
    /// the logs start: exact to within the rows that drop kept.
    fn reword(&mut self, trace: &TraceLog, instrs: &InstrLog) {
        let (event, instr) = (trace.first_index(), instrs.first_index());
        let before = |o: Origin| match o {
            Origin::Event(e) => e < event,
            Origin::Code(i) => i < instr,
        };
        while self.drops.last().is_some_and(|d| !before(d.origin)) {
            self.drops.pop();
        }
        self.rows_dropped = self.drops.last().map_or(0, |d| d.before);
        self.rows_only = true;
        self.consume(trace, instrs, event, instr);
        self.rows_only = false;
    }

    /// Undoes everything derived from events from number `events` on and
    /// instructions from number `instrs` on: back to cycle `now`.
    fn rewind(&mut self, events: usize, instrs: usize, now: u64) {
        let undone = |o: &Origin| match *o {
            Origin::Event(e) => e >= events,
            Origin::Code(i) => i >= instrs,
        };
        while self.row_origins.last().is_some_and(undone) {
            self.rows.pop();
            self.row_origins.pop();
        }
        if let (Some(Origin::Code(first)), Some(row)) =
            (self.row_origins.last(), self.rows.last_mut())
        {
            let kept = instrs.saturating_sub(*first) as u32;
            row.count = row.count.min(kept.max(1));
        }
        let spans = self.spans.len();
        while let Some(o) = self.span_origins.last().copied() {
            if o.event < events {
                break;
            }
            self.spans.pop();
            self.span_origins.pop();
            (self.who, self.mode) = (o.who, o.mode);
            if let Some(last) = self.spans.last_mut() {
                last.end = None;
            }
        }
        // Before the oldest span kept, the dropped ones' bins go back too.
        let base = self.base_bins.rewind(now);
        if self.spans.len() != spans || base {
            self.bins = self.base_bins.without_levels();
            self.bins.extend(self.spans.iter());
        }
        self.consumed = events;
        self.consumed_instrs = instrs;
    }

    fn add(&mut self, e: &TraceEvent) {
        match &e.kind {
            TraceKind::Machine(k) => self.machine(e.cycle, e.actor, k),
            TraceKind::Os(o) => self.os(e.cycle, o),
        }
    }

    fn row(&mut self, cycle: u64, actor: Actor, text: RowText) {
        self.row_origins.push(Origin::Event(self.at_event));
        self.rows.push(Row {
            cycle,
            actor,
            text,
            worded: OnceCell::new(),
            count: 1,
            code: false,
        });
    }

    fn code(&mut self, cycle: u64, actor: Actor) {
        if let Some(last) = self.rows.last_mut() {
            if last.actor == actor && last.code {
                last.count += 1;
                return;
            }
        }
        self.row_origins.push(Origin::Code(self.at_instr));
        let text = if actor == Actor::Program {
            "run the program's code"
        } else {
            "run the kernel's trap entry/exit code"
        };
        self.rows.push(Row {
            cycle,
            actor,
            text: RowText::Fixed(text),
            worded: OnceCell::new(),
            count: 1,
            code: true,
        });
    }

    fn machine(&mut self, cycle: u64, actor: Actor, k: &EventKind) {
        match k {
            EventKind::InstructionRetired { .. } => self.code(cycle, actor),
            EventKind::ModeSwitch { to_cpl, .. } => self.set_mode(
                cycle,
                if *to_cpl == 3 {
                    Mode::User
                } else {
                    Mode::Kernel
                },
            ),
            EventKind::TrapDelivered(_)
            | EventKind::Iret { .. }
            | EventKind::Fault { .. }
            | EventKind::DeviceIrq { .. }
            | EventKind::TripleFault { .. } => self.row(
                cycle,
                Actor::Hardware,
                RowText::Event(TraceKind::Machine(k.clone())),
            ),
            EventKind::Halted { .. } => self.row(
                cycle,
                Actor::Hardware,
                RowText::Fixed("hlt: the CPU waits for an interrupt"),
            ),
            _ => {}
        }
    }

    fn os(&mut self, cycle: u64, o: &OsEvent) {
        match o {
            OsEvent::KernelStep { .. } | OsEvent::Panic { .. } => {
                self.row(cycle, Actor::Os, RowText::Event(TraceKind::Os(o.clone())))
            }
            OsEvent::ContextSwitch { to, .. } => self.open_span(cycle, *to, self.mode),
            OsEvent::Boost => self.row(
                cycle,
                Actor::Os,
                RowText::Fixed("MLFQ rule 5: priority boost, every job moves to the top queue"),
            ),
            _ => {}
        }
    }
}
