//! The Gantt chart's data: who had the CPU, in which mode, binned in time.
//!
//! A chart of the whole run is drawn a few hundred pixels wide, however long
//! the run, so the history keeps occupancy per thread in at most
//! [`MAX_BINS`] time bins whose width (a power of two of cycles) doubles,
//! merging neighbours, as the run grows. Adding a span costs the bins it
//! covers, and a view resamples the bins to the chart's columns, so neither
//! grows with the number of context switches.

use crate::ordmap::OrdMap;
use std::rc::Rc;

use serde::Serialize;

use super::history::{GanttSpan, Mode};
use crate::kernel::{Pid, Tid};

/// Bins per lane at most; at least twice the columns a view asks for, so a
/// bin is never wider than a column.
pub const MAX_BINS: usize = 2048;
/// Columns of the chart the view carries.
pub const COLUMNS: usize = 600;
/// Bit of a bin or column: the thread ran in user mode there.
pub const USER: u8 = 1;
/// Bit of a bin or column: the thread (or the kernel, idle) ran in kernel mode.
pub const KERNEL: u8 = 2;

/// Occupancy bins per thread (`None`: no thread, the kernel booting or idle).
#[derive(Clone, Debug, Default)]
pub struct GanttBins {
    /// Cycles per bin, a power of two.
    width: u64,
    lanes: OrdMap<Option<Tid>, Vec<u8>>,
    /// Where the spans added reach (exclusive).
    filled: u64,
    /// Whether to keep [`Level`]s (the bins of the spans a history dropped:
    /// a seek far back draws from them).
    keep: bool,
    /// Finest first; shared by copies (a session keeps one of its history
    /// where a seek back left the run).
    levels: Rc<Vec<Level>>,
}

/// The bins as they were when the run first outgrew a width: all it had run
/// up to `width` × [`MAX_BINS`] cycles, four bins to a byte. A seek back
/// to before that point draws from them at the width a straight run there
/// has (the bins kept since are too coarse: at cycle 1,000 of a run of
/// 10^9 cycles, one bin would be 2^19 cycles of everyone's time).
#[derive(Clone, Debug)]
struct Level {
    width: u64,
    lanes: Vec<(Option<Tid>, Vec<u8>)>,
}

impl Level {
    fn heap_bytes(&self) -> usize {
        self.lanes.capacity() * std::mem::size_of::<(Option<Tid>, Vec<u8>)>()
            + self.lanes.iter().map(|(_, b)| b.capacity()).sum::<usize>()
    }
}

/// Four 2-bit bins to a byte.
fn pack(bins: &[u8]) -> Vec<u8> {
    bins.chunks(4)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0, |a, (i, b)| a | (b & 3) << (2 * i))
        })
        .collect()
}

fn unpack(packed: &[u8], bins: usize) -> Vec<u8> {
    (0..bins)
        .map(|i| (packed[i / 4] >> (2 * (i % 4))) & 3)
        .collect()
}

/// One lane of the chart: a process (its threads merged) or "no thread".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GanttLane {
    pub pid: Option<Pid>,
    pub label: String,
    /// [`COLUMNS`] columns from cycle 0 to the view's cycle: [`USER`] |
    /// [`KERNEL`] bits (both: the two modes within one column).
    pub cols: Vec<u8>,
}

fn bit(mode: Mode) -> u8 {
    match mode {
        Mode::User => USER,
        Mode::Kernel => KERNEL,
    }
}

impl GanttBins {
    /// Heap bytes of the lanes and the levels kept.
    pub fn bytes(&self) -> usize {
        self.lanes.heap_bytes()
            + self.lanes.values().map(Vec::capacity).sum::<usize>()
            + self.levels.iter().map(Level::heap_bytes).sum::<usize>()
    }

    /// From now on, keeps the bins of each width the run outgrows (see
    /// [`Level`]).
    pub fn keep_levels(&mut self) {
        self.keep = true;
    }

    /// A copy without the levels, which keeps none.
    pub fn without_levels(&self) -> GanttBins {
        GanttBins {
            width: self.width,
            lanes: self.lanes.clone(),
            filled: self.filled,
            keep: false,
            levels: Rc::default(),
        }
    }

    /// Marks `[start, end)` as run by `tid` in `mode`.
    pub fn add(&mut self, tid: Option<Tid>, mode: Mode, start: u64, end: u64) {
        if end <= start {
            return;
        }
        if self.width == 0 {
            self.width = 1;
        }
        while end > self.width * MAX_BINS as u64 {
            if self.keep {
                self.save_level(tid, mode, start);
            }
            self.coarsen();
        }
        self.filled = self.filled.max(end);
        self.mark(tid, mode, start, end);
    }

    /// Keeps the bins before they coarsen, with the part of the span being
    /// added (from `start`) that they hold. Cold: a few times in a long run,
    /// and not in a page's first load (`tools/split`).
    #[cold]
    #[inline(never)]
    fn save_level(&mut self, tid: Option<Tid>, mode: Mode, start: u64) {
        let edge = self.width * MAX_BINS as u64;
        if start < edge {
            self.mark(tid, mode, start, edge);
        }
        let level = Level {
            width: self.width,
            lanes: self.lanes.iter().map(|(t, b)| (*t, pack(b))).collect(),
        };
        Rc::make_mut(&mut self.levels).push(level);
    }

    /// Back to cycle `now` (a seek back): nothing after it, at the width
    /// a straight run to `now` has (from the levels kept, if finer).
    /// Returns whether anything changed.
    pub fn rewind(&mut self, now: u64) -> bool {
        if self.filled <= now {
            return false;
        }
        self.rewind_past(now);
        true
    }

    /// See [`GanttBins::rewind`]; cold like [`GanttBins::save_level`].
    #[cold]
    #[inline(never)]
    fn rewind_past(&mut self, now: u64) {
        let finer = self
            .levels
            .iter()
            .position(|l| l.width * MAX_BINS as u64 >= now);
        if let Some(i) = finer {
            let levels = Rc::make_mut(&mut self.levels);
            let level = &levels[i];
            self.width = level.width;
            self.lanes = level
                .lanes
                .iter()
                .map(|(t, b)| (*t, unpack(b, b.len() * 4)))
                .collect();
            levels.truncate(i);
        }
        // The bin holding `now` keeps what ran in it after `now` (less than
        // a column of the chart); the later ones go.
        let kept = usize::try_from(now.div_ceil(self.width.max(1))).unwrap_or(usize::MAX);
        for lane in self.lanes.values_mut() {
            lane.truncate(kept);
        }
        self.filled = now;
    }

    /// Marks `[start, end)` within the bins as they are (no coarsening).
    fn mark(&mut self, tid: Option<Tid>, mode: Mode, start: u64, end: u64) {
        let lane = self.lanes.get_or_insert_with(tid, Vec::new);
        let (first, last) = (
            (start / self.width) as usize,
            ((end - 1) / self.width) as usize,
        );
        if lane.len() <= last {
            lane.resize(last + 1, 0);
        }
        for b in &mut lane[first..=last] {
            *b |= bit(mode);
        }
    }

    /// Doubles the bin width, merging neighbours.
    fn coarsen(&mut self) {
        self.width *= 2;
        for lane in self.lanes.values_mut() {
            let merged: Vec<u8> = lane
                .chunks(2)
                .map(|pair| pair.iter().fold(0, |a, b| a | b))
                .collect();
            *lane = merged;
        }
    }

    /// Adds the closed ones of `spans`.
    pub fn extend<'a>(&mut self, spans: impl Iterator<Item = &'a GanttSpan>) {
        for s in spans {
            if let Some(end) = s.end {
                self.add(s.tid, s.mode, s.start, end);
            }
        }
    }

    /// The chart from cycle 0 to `now`, with the still open span `open`,
    /// one lane per process (`lanes`: pid and label, in order) plus "no
    /// thread"; `pid_of` maps a thread to its process.
    pub fn view(
        &self,
        now: u64,
        open: Option<&GanttSpan>,
        lanes: Vec<(Pid, String)>,
        pid_of: impl Fn(Tid) -> Option<Pid>,
    ) -> Vec<GanttLane> {
        let mut out: Vec<GanttLane> = lanes
            .into_iter()
            .map(|(pid, label)| GanttLane {
                pid: Some(pid),
                label,
                cols: vec![0; COLUMNS],
            })
            .chain(std::iter::once(GanttLane {
                pid: None,
                label: "no thread".into(),
                cols: vec![0; COLUMNS],
            }))
            .collect();
        let now = now.max(1);
        // 64-bit arithmetic while cycle × COLUMNS fits (always, in practice:
        // 128-bit division was a visible part of a view with 256 lanes).
        let column = |cycle: u64| {
            let c = match cycle.checked_mul(COLUMNS as u64) {
                Some(x) => x / now,
                None => (cycle as u128 * COLUMNS as u128 / now as u128) as u64,
            };
            (c as usize).min(COLUMNS - 1)
        };
        // Each process's lane, found by binary search (a scan per lane was
        // quadratic in the number of processes).
        let mut by_pid: Vec<(Option<Pid>, usize)> =
            out.iter().enumerate().map(|(i, l)| (l.pid, i)).collect();
        crate::sort::sort(&mut by_pid);
        let lane_of = |tid: Option<Tid>| {
            let pid = tid.and_then(&pid_of);
            let i = by_pid.partition_point(|&(p, _)| p < pid);
            by_pid.get(i).filter(|&&(p, _)| p == pid).map(|&(_, l)| l)
        };
        // Each bin's first and last column, once for all lanes (with 256
        // lanes of 2,048 bins, dividing per bin and lane was most of a view).
        let width = self.width.max(1);
        let bins_before_now = usize::try_from(now.div_ceil(width)).unwrap_or(usize::MAX);
        let longest = self.lanes.values().map(Vec::len).max().unwrap_or(0);
        let edges: Vec<(usize, usize)> = (0..longest.min(bins_before_now))
            .map(|i| {
                let start = i as u64 * width;
                let end = (start + width).min(now);
                (column(start), column(end - 1))
            })
            .collect();
        for (tid, bins) in &self.lanes {
            let Some(l) = lane_of(*tid) else {
                continue;
            };
            let cols = &mut out[l].cols;
            let bins = &bins[..bins.len().min(edges.len())];
            // Eight bins at a time, as one word: most of a lane is empty
            // when many processes share the CPU.
            let mut mark = |i: usize, b: u8| {
                let (a, z) = edges[i];
                for c in &mut cols[a..=z] {
                    *c |= b;
                }
            };
            let words = bins.chunks_exact(8);
            let tail = words.remainder();
            for (k, word) in words.enumerate() {
                let mut w = u64::from_le_bytes(word.try_into().unwrap_or_default());
                while w != 0 {
                    let j = w.trailing_zeros() as usize / 8;
                    mark(k * 8 + j, word[j]);
                    w &= !(0xff << (j * 8));
                }
            }
            let base = bins.len() - tail.len();
            for (j, &b) in tail.iter().enumerate().filter(|(_, &b)| b != 0) {
                mark(base + j, b);
            }
        }
        if let Some(s) = open {
            if let Some(l) = lane_of(s.tid) {
                if s.start < now {
                    for c in &mut out[l].cols[column(s.start)..=column(now - 1)] {
                        *c |= bit(s.mode);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resamples one lane's bins bin by bin, dividing for each: the
    /// obvious way, to check the view's shared column table against.
    fn columns_one_by_one(bins: &[u8], width: u64, now: u64) -> Vec<u8> {
        let column = |cycle: u64| {
            ((cycle as u128 * COLUMNS as u128 / now as u128) as usize).min(COLUMNS - 1)
        };
        let mut cols = vec![0; COLUMNS];
        for (i, &b) in bins.iter().enumerate() {
            let start = i as u64 * width;
            if b == 0 || start >= now {
                continue;
            }
            let end = (start + width).min(now);
            for c in &mut cols[column(start)..=column(end - 1)] {
                *c |= b;
            }
        }
        cols
    }

    #[test]
    fn a_rewind_far_back_draws_from_the_bins_of_that_time() {
        let t = |n| Some(Tid(n));
        let mut kept = GanttBins::default();
        kept.keep_levels();
        let mut straight = GanttBins::default();
        // Two threads taking turns of 100 cycles, user then kernel, for
        // 10^6 cycles; the straight run stops at 3,000.
        for i in 0..10_000u64 {
            let (tid, mode) = (
                t(i as u32 % 2),
                [Mode::User, Mode::Kernel][i as usize % 4 / 2],
            );
            kept.add(tid, mode, i * 100, i * 100 + 100);
            if i < 30 {
                straight.add(tid, mode, i * 100, i * 100 + 100);
            }
        }
        assert!(kept.width > straight.width);
        assert!(kept.rewind(3_000));
        assert!(!kept.rewind(3_000), "nothing after 3,000 left");
        assert_eq!(kept.width, straight.width);
        for (tid, bins) in straight.lanes.iter() {
            let got = kept.lanes.get_or_insert_with(*tid, Vec::new);
            assert_eq!(&got[..bins.len()], &bins[..], "{tid:?}");
            assert!(got[bins.len()..].iter().all(|&b| b == 0), "{tid:?}");
        }
        // Four bins to a byte, each two bits.
        let bins = [0, 1, 2, 3, 3, 0, 1];
        assert_eq!(unpack(&pack(&bins), bins.len()), bins);
        assert_eq!(pack(&bins).len(), 2);
    }

    #[test]
    fn the_shared_column_table_resamples_as_bin_by_bin_does() {
        // Lanes of many lengths and patterns, viewed at many cycles.
        let mut seed = 0x2545_f491_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..40 {
            let mut bins = GanttBins::default();
            let mut end = 0;
            for tid in 0..5u32 {
                for _ in 0..(next() % 60) {
                    let start = next() % 3_000_000;
                    let len = 1 + next() % 40_000;
                    let mode = if next() % 2 == 0 {
                        Mode::User
                    } else {
                        Mode::Kernel
                    };
                    bins.add(Some(Tid(tid)), mode, start, start + len);
                    end = end.max(start + len);
                }
            }
            let now = if round % 3 == 0 {
                end / 2 + 1
            } else {
                end + next() % 1000
            };
            let pid_of = |t: Tid| Some(Pid(t.0));
            let lanes = bins.view(
                now,
                None,
                (0..5).map(|p| (Pid(p), p.to_string())).collect(),
                pid_of,
            );
            for lane in lanes.iter().filter(|l| l.pid.is_some()) {
                let tid = Some(Tid(lane.pid.map_or(0, |p| p.0)));
                let want = bins.lanes.get(&tid).map_or(vec![0; COLUMNS], |b| {
                    columns_one_by_one(b, bins.width, now.max(1))
                });
                assert_eq!(lane.cols, want, "round {round}, lane {:?}", lane.pid);
            }
        }
    }

    fn span(tid: Option<u32>, mode: Mode, start: u64, end: Option<u64>) -> GanttSpan {
        GanttSpan {
            tid: tid.map(Tid),
            pid: None,
            mode,
            start,
            end,
        }
    }

    #[test]
    fn bins_stay_bounded_and_keep_who_ran_when() {
        let mut bins = GanttBins::default();
        // Thread 1 in user mode for the first half, thread 2 in kernel mode after.
        let half = 50_000_000;
        for k in 0..1000u64 {
            let (a, b) = (k * half / 1000, (k + 1) * half / 1000);
            bins.add(Some(Tid(1)), Mode::User, a, b);
            bins.add(Some(Tid(2)), Mode::Kernel, half + a, half + b);
        }
        assert!(bins.lanes.values().all(|l| l.len() <= MAX_BINS));
        let pid_of = |t: Tid| Some(Pid(t.0));
        let lanes = bins.view(
            2 * half,
            None,
            vec![(Pid(1), "1".into()), (Pid(2), "2".into())],
            pid_of,
        );
        assert_eq!(lanes.len(), 3);
        assert!(lanes[0].cols[..COLUMNS / 2 - 1].iter().all(|&c| c == USER));
        assert!(lanes[0].cols[COLUMNS / 2 + 1..].iter().all(|&c| c == 0));
        assert!(lanes[1].cols[COLUMNS / 2 + 1..]
            .iter()
            .all(|&c| c == KERNEL));
        assert!(lanes[2].cols.iter().all(|&c| c == 0));
    }

    #[test]
    fn the_open_span_runs_to_now_and_threads_merge_into_their_process() {
        let spans = [
            span(None, Mode::Kernel, 0, Some(100)),
            span(Some(7), Mode::User, 100, Some(600)),
            span(Some(8), Mode::User, 600, None),
        ];
        let mut bins = GanttBins::default();
        bins.extend(spans.iter());
        let lanes = bins.view(1200, spans.last(), vec![(Pid(3), "3 t".into())], |_| {
            Some(Pid(3))
        });
        assert_eq!(
            lanes[0].cols.iter().filter(|&&c| c == USER).count(),
            COLUMNS - 50
        );
        assert_eq!(lanes[1].label, "no thread");
        assert_eq!(lanes[1].cols.iter().filter(|&&c| c == KERNEL).count(), 50);
    }
}
