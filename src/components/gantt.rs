//! Gantt chart (SVG): who had the CPU when, user time solid and kernel time
//! hatched, so the two differ by pattern as well as by color. The engine
//! bins the whole run to one column per pixel (`session::gantt`), so the
//! chart costs the same however long the run.

use super::{grouped, PanelProps};
use crate::fixed::fixed;
use gloo::events::EventListener;
use sim_core::session::gantt::{GanttLane, COLUMNS, USER};
use std::ops::Range;
use yew::prelude::*;

const WIDTH: usize = COLUMNS;
const LABEL: f64 = 86.0;
const ROW: f64 = 18.0;
/// A bar's height (its stroke's width, `.bar` in the style sheet): the row
/// less a gap (whole pixels, so paths are written with integers: formatting
/// floats for 256 lanes was a visible part of a redraw).
const BAR: u32 = 14;

/// Runs of equal non-zero columns: (start column, length, bits).
fn runs(cols: &[u8]) -> Vec<(usize, usize, u8)> {
    let mut out: Vec<(usize, usize, u8)> = Vec::new();
    for (i, &c) in cols.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == c && last.0 + last.1 == i => last.1 += 1,
            _ if c != 0 => out.push((i, 1, c)),
            _ => {}
        }
    }
    out
}

/// SVG path data for a lane's user columns and its kernel columns (mixed
/// columns, both modes within one pixel, count as kernel): a stroke
/// `BAR` thick along the row's middle (`y`), one `h` per run, with relative
/// moves between runs, so the path data the browser parses on each redraw
/// is a third of what rectangles took.
fn lane_paths(cols: &[u8], y: u32) -> (String, String) {
    let (mut user, mut kernel) = (String::new(), String::new());
    let (mut user_end, mut kernel_end) = (None, None);
    for (x, w, bits) in runs(cols) {
        let (d, end) = if bits == USER {
            (&mut user, &mut user_end)
        } else {
            (&mut kernel, &mut kernel_end)
        };
        bar(d, end, x as u32, y, w as u32);
    }
    (user, kernel)
}

/// Appends a run from `x`, `w` wide: `M{x} {y}h{w}` for a path's first,
/// `m{gap} 0h{w}` after one that ended at `end`. Digits are written by
/// hand: with 64 lanes of hundreds of runs each, `core::fmt` showed.
fn bar(d: &mut String, end: &mut Option<u32>, x: u32, y: u32, w: u32) {
    match *end {
        None => {
            d.push('M');
            push_u32(d, x);
            d.push(' ');
            push_u32(d, y);
        }
        Some(e) => {
            d.push('m');
            push_u32(d, x - e);
            d.push_str(" 0");
        }
    }
    d.push('h');
    push_u32(d, w);
    *end = Some(x + w);
}

fn push_u32(d: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &c in &digits[i..] {
        d.push(char::from(c));
    }
}

/// Time-axis ticks for a chart from cycle 0 to `now` drawn `WIDTH` wide:
/// (cycle, x) at round steps (1, 2 or 5 × a power of ten), about six of them.
/// Tick marks for an axis from 0 to `now` cycles, at round numbers of
/// `unit` cycles (1: cycles): (value in units, x).
fn ticks(now: u64, unit: u64) -> Vec<(u64, f64)> {
    let unit = unit.max(1);
    let span = now / unit;
    if span == 0 {
        return vec![(0, 0.0)];
    }
    let rough = (span / 6).max(1);
    let mut step = 1u64;
    while step * 10 <= rough {
        step *= 10;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|k| k * step)
        .find(|s| *s >= rough)
        .unwrap_or(step * 10);
    (0..=span / step)
        .map(|i| {
            let v = i * step;
            (v, (v * unit) as f64 * WIDTH as f64 / now as f64)
        })
        .collect()
}

/// The chart of `lanes` binned from cycle 0 to `end`, drawn on an axis
/// from 0 to `axis` (≥ `end`), so charts of runs of different lengths share
/// one time axis, labelled in multiples of `unit` cycles (1: cycles; a
/// lesson's time unit, so the book's figures read in its units). Kernel bars
/// use the `#hatch` pattern of [`hatch_defs`].
pub fn chart(lanes: &[GanttLane], end: u64, axis: u64, unit: u64, label: String) -> Html {
    chart_of(lanes, 0..lanes.len(), end, axis, unit, label)
}

/// [`chart`] drawing only the lanes in `drawn` (the chart keeps every
/// lane's height).
fn chart_of(
    lanes: &[GanttLane],
    drawn: Range<usize>,
    end: u64,
    axis: u64,
    unit: u64,
    label: String,
) -> Html {
    let height = ROW * lanes.len() as f64 + 26.0;
    let total = LABEL + WIDTH as f64 + 4.0;
    let scale = if axis == 0 {
        1.0
    } else {
        end as f64 / axis as f64
    };
    // One transform for every lane.
    let transform = format!(
        "translate({} 0) scale({} 1)",
        fixed(LABEL, 1),
        fixed(scale, 6)
    );
    // All lanes' bars in one path per mode: a redraw sets two attributes,
    // not two per lane (with 64 lanes drawn, the per-lane paths made the
    // chart's group the costliest frame of a run at full speed).
    let (mut user, mut kernel) = (String::new(), String::new());
    let shown = || lanes.iter().enumerate().filter(|(r, _)| drawn.contains(r));
    for (r, lane) in shown() {
        // The bar's middle: its top 2 below the row's, half a bar down.
        let middle = u32::try_from(r)
            .unwrap_or(u32::MAX / 32)
            .saturating_mul(ROW as u32)
            + 2
            + BAR / 2;
        let (u, k) = lane_paths(&lane.cols, middle);
        user.push_str(&u);
        kernel.push_str(&k);
    }
    let labels = shown().map(|(r, lane)| {
        let y = ROW * r as f64;
        html! {
            <text x="0" y={fixed(y + 13.0, 1)} class="lane-label">{ lane.label.clone() }</text>
        }
    });
    let axis_y = ROW * lanes.len() as f64 + 14.0;
    html! {
        <svg class="gantt" viewBox={format!("0 0 {} {}", fixed(total, 1), fixed(height, 1))} role="img" aria-label={label}>
            { for labels }
            <g transform={transform}>
                <path class="bar user" d={user} />
                <path class="bar kernel" d={kernel} />
            </g>
            <line class="axis" x1={fixed(LABEL, 1)} x2={fixed(LABEL + WIDTH as f64, 1)}
                  y1={fixed(axis_y - 10.0, 1)} y2={fixed(axis_y - 10.0, 1)} />
            { for ticks(axis, unit).into_iter().map(|(c, x)| {
                let x = LABEL + x;
                let anchor = if x > LABEL + WIDTH as f64 - 30.0 { "tick end" } else if c == 0 { "tick" } else { "tick mid" };
                html! {
                    <g class="tick-mark">
                        <line class="axis" x1={fixed(x, 1)} x2={fixed(x, 1)}
                              y1={fixed(axis_y - 10.0, 1)} y2={fixed(axis_y - 6.0, 1)} />
                        <text x={fixed(x, 1)} y={fixed(axis_y + 2.0, 1)} class={anchor}>{ grouped(c) }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// The hatch pattern kernel bars are filled with (once per page).
pub fn hatch_defs() -> Html {
    html! {
        <svg width="0" height="0" aria-hidden="true" class="defs">
            <defs>
                <pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="5" height="5" class="hatch-bg" />
                    <line x1="0" y1="0" x2="0" y2="5" class="hatch-line" />
                </pattern>
            </defs>
        </svg>
    }
}

/// Solid user time, hatched kernel time.
pub fn legend() -> Html {
    html! {
        <p class="legend">
            <span class="swatch user" aria-hidden="true"></span>{ " user mode (solid) " }
            <span class="swatch kernel" aria-hidden="true"></span>{ " kernel mode (hatched)" }
        </p>
    }
}

/// Lanes drawn (and asked of the engine) while running at full speed; the
/// rest are drawn on pause.
pub const LEAN_LANES: usize = 64;

/// Paused, a chart of more than [`LEAN_LANES`] lanes draws those in the
/// page's sight, in blocks of this many, and a block either side; it keeps
/// its height and draws again as the page scrolls. (Early in a run of 256
/// processes in round robin each lane is striped, and the whole chart's
/// path held ~240,000 characters: ~35 ms to parse and paint after a seek.)
const SIGHT_BLOCK: usize = 16;

/// The lanes of `total` in sight, the chart's top `top` px below the
/// viewport's (negative: above it), each lane `lane_px` tall, in a viewport
/// `height` px tall: whole blocks of [`SIGHT_BLOCK`], and one either side.
fn lanes_in_sight(total: usize, top: f64, lane_px: f64, height: f64) -> Range<usize> {
    if lane_px.is_nan() || lane_px <= 0.0 {
        return 0..total.min(LEAN_LANES);
    }
    // Float to integer casts saturate (NaN and negatives give 0).
    let first = (-top / lane_px) as usize / SIGHT_BLOCK;
    let last = ((height - top) / lane_px) as usize / SIGHT_BLOCK;
    let start = first.saturating_sub(1) * SIGHT_BLOCK;
    let end = last.saturating_add(2).saturating_mul(SIGHT_BLOCK);
    start.min(total)..end.min(total)
}

#[function_component(GanttPanel)]
pub fn gantt_panel(props: &PanelProps) -> Html {
    let v = &props.view;
    let drawn = if props.lean { LEAN_LANES } else { usize::MAX };
    let lanes = &v.gantt[..v.gantt.len().min(drawn)];
    let more = v.gantt_total.saturating_sub(lanes.len());
    let svg = use_node_ref();
    let sight = use_state_eq(|| 0..LEAN_LANES);
    let windowed = lanes.len() > LEAN_LANES;
    {
        // Where the chart is in the page: measured now and on every scroll
        // and resize while it is windowed.
        let (svg, sight, total) = (svg.clone(), sight.clone(), lanes.len());
        use_effect_with((windowed, total), move |&(windowed, total)| {
            let listeners = windowed.then(|| {
                let measure = std::rc::Rc::new(move || {
                    let Some(el) = svg.cast::<web_sys::Element>() else {
                        return;
                    };
                    let height = gloo::utils::window()
                        .inner_height()
                        .ok()
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0);
                    // Out of sight, the panel skips laying out what it holds
                    // (`content-visibility`), and measuring inside it would
                    // lay that out at every scroll: its own box says enough.
                    if let Some(panel) = el.parent_element() {
                        let p = panel.get_bounding_client_rect();
                        if p.bottom() < 0.0 || p.top() > height {
                            return;
                        }
                    }
                    let r = el.get_bounding_client_rect();
                    // A lane is `ROW` of the viewBox's height, scaled to the page.
                    let lane_px = r.height() / (ROW * total as f64 + 26.0) * ROW;
                    sight.set(lanes_in_sight(total, r.top(), lane_px, height));
                });
                measure();
                let window = gloo::utils::window();
                let on = |kind: &'static str| {
                    let m = measure.clone();
                    EventListener::new(&window, kind, move |_| m())
                };
                (on("scroll"), on("resize"))
            });
            move || drop(listeners)
        });
    }
    let drawn = if windowed {
        (*sight).clone()
    } else {
        0..lanes.len()
    };
    html! {
        <section class="panel gantt-panel" aria-labelledby="gantt-title" data-testid="panel-gantt">
            <h2 id="gantt-title">{ "Gantt chart" }</h2>
            <div ref={svg}>
                { chart_of(lanes, drawn, v.cycle, v.cycle, 1, format!("CPU use by process from cycle 0 to {}", v.cycle)) }
            </div>
            if more > 0 {
                <p class="hint">{ format!("\u{2026} and {more} more lanes, drawn when paused.") }</p>
            }
            { legend() }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_chart_of_many_lanes_draws_the_blocks_in_sight() {
        // 257 lanes of 20 px; the chart's top 1,000 px above the viewport's,
        // which is 900 px tall: lanes 50..95 in sight, blocks 48..96, and one
        // block either side.
        assert_eq!(lanes_in_sight(257, -1_000.0, 20.0, 900.0), 32..112);
        // The chart below the fold: its first two blocks, ready when it comes.
        assert_eq!(lanes_in_sight(257, 2_000.0, 20.0, 900.0), 0..32);
        // Scrolled past its end: none; never beyond the lanes there are.
        assert!(lanes_in_sight(257, -6_000.0, 20.0, 900.0).is_empty());
        assert_eq!(lanes_in_sight(257, -4_900.0, 20.0, 900.0), 224..257);
        // Not laid out (hidden, or nothing measured): the first lanes.
        assert_eq!(lanes_in_sight(257, 0.0, 0.0, 900.0), 0..LEAN_LANES);
        assert_eq!(lanes_in_sight(257, 0.0, f64::NAN, 900.0), 0..LEAN_LANES);
    }

    #[test]
    fn runs_merge_equal_neighbours() {
        assert_eq!(
            runs(&[0, 1, 1, 2, 0, 2]),
            vec![(1, 2, 1), (3, 1, 2), (5, 1, 2)]
        );
        assert!(runs(&[0, 0]).is_empty());
        let t = ticks(37_680, 1);
        assert_eq!(t.first(), Some(&(0, 0.0)));
        assert_eq!(t[1].0, 10_000);
        assert_eq!(t.len(), 4);
        assert!(t.iter().all(|(_, x)| *x <= WIDTH as f64));
        assert_eq!(ticks(0, 1), vec![(0, 0.0)]);
        // FIFO's convoy in units of 100,000 cycles: 0, 20, ... 120 (end 120.3 units).
        let u = ticks(12_030_000, 100_000);
        assert_eq!(
            u.iter().map(|t| t.0).collect::<Vec<_>>(),
            [0, 20, 40, 60, 80, 100, 120]
        );
        let x120 = 120.0 * 100_000.0 * WIDTH as f64 / 12_030_000.0;
        assert!((u[6].1 - x120).abs() < 1e-9);
        let (user, kernel) = lane_paths(&[1, 1, 0, 3, 1, 0, 0, 1], 9);
        assert_eq!(user, "M0 9h2m2 0h1m2 0h1");
        assert_eq!(kernel, "M3 9h1");
        let (mut d, mut end) = (String::new(), None);
        bar(&mut d, &mut end, 0, u32::MAX, 1_000_000);
        assert_eq!(d, format!("M0 {}h1000000", u32::MAX));
        assert_eq!(end, Some(1_000_000));
    }
}
