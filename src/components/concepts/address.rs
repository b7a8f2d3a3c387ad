//! The address-space picture: each process a box with its CR3, page
//! directory and page table, arrows through PDX and PTX to a frame in a
//! strip of physical memory, its threads drawn inside it. A write flashes
//! the frame and its new value; a child made by fork shows the copy of its
//! parent's frame. Exited processes stay, greyed.

use crate::components::hex;
use sim_core::session::{SpaceEntry, View};
use yew::prelude::*;

/// Processes drawn (a benchmark's 64 are summed up in a line).
const MAX_BOXES: usize = 8;
const ROW: i32 = 78;
const STRIP_X: i32 = 480;

pub fn diagram(v: &View, prev: Option<&View>) -> Html {
    let Some(a) = v.address_spaces.first() else {
        return html! { <p class="hint">{ "This scenario watches no address." }</p> };
    };
    let spaces: Vec<&SpaceEntry> = a.spaces.iter().take(MAX_BOXES).collect();
    // Physical frames reached, lowest first; an exited process's frame
    // apart from a live one's (its memory is freed and may be reused).
    let mut frames: Vec<(u32, bool)> = spaces
        .iter()
        .filter_map(|s| Some((s.walk.frame?, s.exited_at.is_some())))
        .collect();
    sim_core::sort::sort(&mut frames);
    frames.dedup();
    let slot = |s: &SpaceEntry| {
        frames
            .iter()
            .position(|f| Some(f.0) == s.walk.frame && f.1 == s.exited_at.is_some())
    };
    let fy = |i: usize| 16 + i as i32 * 40;
    let height = (spaces.len() as i32 * ROW).max(fy(frames.len())) + 10;
    let old = prev.and_then(|p| p.address_spaces.first());
    let label: Vec<String> = spaces
        .iter()
        .map(|s| {
            let value = s.value.map_or("nothing".into(), |x| x.to_string());
            let frame = s.walk.frame.map_or("no frame".into(), hex);
            format!("{} ({}): frame {frame}, value {value}", s.name, s.pid)
        })
        .collect();
    let parent_of = |pid| {
        v.processes
            .iter()
            .find(|p| p.pid == pid)
            .and_then(|p| p.parent)
    };
    let boxes = spaces.iter().enumerate().map(|(i, s)| {
        let y = i as i32 * ROW + 6;
        let w = &s.walk;
        let before = old.and_then(|o| o.spaces.iter().find(|x| x.pid == s.pid));
        let end = slot(s).map(|f| {
            let ty = fy(f) + 15;
            html! { <path class="arrow" d={format!("M374 {} C 430 {} 430 {ty} {STRIP_X} {ty}", y + 52, y + 52)} /> }
        });
        // A child made by fork: its frame is a copy of its parent's.
        let copy = parent_of(s.pid)
            .and_then(|pp| spaces.iter().find(|x| x.pid == pp))
            .and_then(|p| Some((slot(p)?, slot(s)?)))
            .map(|(from, to)| {
                let (y1, y2) = (fy(from) + 15, fy(to) + 15);
                html! {
                    <g class={classes!("copy", before.is_none().then_some("new"))}>
                        <path d={format!("M{} {y1} C {} {y1} {} {y2} {} {y2}", STRIP_X + 150, STRIP_X + 175, STRIP_X + 175, STRIP_X + 150)} />
                        <text x={(STRIP_X + 176).to_string()} y={((y1 + y2) / 2).to_string()}>{ "fork copy" }</text>
                    </g>
                }
            });
        let threads = s.threads.iter().enumerate().map(|(j, t)| {
            let x = 250 + j as i32 * 40;
            html! {
                <g class="thread" data-testid={format!("diagram-thread-T{t}")} data-frame={w.frame.map(hex).unwrap_or_default()}>
                    <circle cx={x.to_string()} cy={(y + 14).to_string()} r="10" />
                    <text x={x.to_string()} y={(y + 18).to_string()} text-anchor="middle">{ format!("T{t}") }</text>
                </g>
            }
        });
        let cell = |x: i32, wd: i32, text: String| html! {
            <>
                <rect class="table" x={x.to_string()} y={(y + 40).to_string()} width={wd.to_string()} height="24" rx="3" />
                <text x={(x + 5).to_string()} y={(y + 56).to_string()}>{ text }</text>
            </>
        };
        html! {
            <g class={classes!("space-box", s.exited_at.is_some().then_some("exited"))}
               data-testid={format!("diagram-space-{}", s.pid)} data-frame={w.frame.map(hex).unwrap_or_default()}>
                <rect class="box" x="4" y={y.to_string()} width="372" height={(ROW - 8).to_string()} rx="6" />
                <text class="title" x="12" y={(y + 18).to_string()}>
                    { format!("{} ({})", s.name, s.pid) }
                    { s.exited_at.map(|c| format!(" \u{00b7} exited at {c}")).unwrap_or_default() }
                </text>
                { for threads }
                { cell(10, 100, format!("CR3 {}", hex(w.cr3))) }
                { cell(136, 100, format!("PD[{:#x}]", w.pdx)) }
                { cell(262, 100, format!("PT[{:#x}]", w.ptx)) }
                <path class="arrow" d={format!("M110 {0} L136 {0} M236 {0} L262 {0}", y + 52)} />
                { end.unwrap_or_default() }
                { copy.unwrap_or_default() }
            </g>
        }
    });
    let cells = frames.iter().enumerate().map(|(i, &(f, exited))| {
        let holder = spaces
            .iter()
            .find(|s| s.walk.frame == Some(f) && s.exited_at.is_some() == exited);
        let value = holder.and_then(|s| s.value);
        let was = old.and_then(|o| o.spaces.iter().find(|x| x.walk.frame == Some(f)));
        let wrote = was.is_some_and(|w| w.value != value);
        let text = value.map_or("?".into(), |x| x.to_string());
        html! {
            // Keyed by the value: a new value re-creates it and replays the flash.
            <g key={format!("{f}-{exited}-{text}")} class={classes!("frame-cell", exited.then_some("exited"), wrote.then_some("wrote"))}
               data-testid={format!("diagram-frame-{}", hex(f))}>
                <rect x={STRIP_X.to_string()} y={fy(i).to_string()} width="150" height="30" rx="3" />
                <text x={(STRIP_X + 6).to_string()} y={(fy(i) + 19).to_string()}>{ format!("{} = {text}", hex(f)) }</text>
            </g>
        }
    });
    html! {
        <div data-testid="address-diagram" class="address-diagram">
            <p class="hint">{ format!("Virtual address {} in each address space \u{2192} a physical frame", hex(a.addr)) }</p>
            <svg viewBox={format!("0 0 760 {height}")} role="img" aria-label={label.join("; ")}>
                <text class="strip-title" x={STRIP_X.to_string()} y="11">{ "physical memory" }</text>
                { for boxes }
                { for cells }
            </svg>
            if a.spaces.len() > MAX_BOXES {
                <p class="hint">{ format!("\u{2026} and {} more address spaces.", a.spaces.len() - MAX_BOXES) }</p>
            }
        </div>
    }
}
