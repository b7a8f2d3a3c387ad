//! Ring levels: the concentric rings 0–3 (kernel in ring 0, user programs in
//! ring 3, rings 1 and 2 unused as in xv6 and Linux), the CPU's ring now,
//! and the newest crossing animated: inward through an IDT gate, outward by
//! `iret`, or refused by the CPU and bouncing off with its reason. Reduced
//! motion: the crossing is shown where it ends, without movement.

use sim_core::session::RingView;
use yew::prelude::*;

const C: i32 = 150;

fn radius(ring: u8) -> i32 {
    38 + 34 * i32::from(ring)
}

pub fn rings(r: &RingView, now: u64) -> Html {
    let label = if r.cpl == 0 {
        "CPU in ring 0, kernel mode"
    } else {
        "CPU in ring 3, user mode"
    };
    let names = ["0 kernel", "1 unused", "2 unused", "3 user programs"];
    let circles = (0..4u8).rev().map(|ring| {
        html! {
            <g class={classes!("ring", format!("ring-{ring}"), (ring == r.cpl).then_some("now"))}>
                <circle cx={C.to_string()} cy={C.to_string()} r={radius(ring).to_string()} />
                <text x={C.to_string()} y={(C - radius(ring) + 14).to_string()} text-anchor="middle">{ names[ring as usize] }</text>
            </g>
        }
    });
    // Along the diagonal: a point at distance d from the center.
    let at = |d: i32| (C + d * 7 / 10, C + d * 7 / 10);
    let crossing = r.crossing.as_ref().map(|x| {
        let (fx, fy) = at(radius(x.from) - 17);
        let (tx, ty) = at(radius(x.to) - 17);
        let (bx, by) = at((radius(x.from) + radius(x.to)) / 2 - 17);
        let style = if x.refused.is_some() {
            format!("--fx:{}px;--fy:{}px", bx - fx, by - fy)
        } else {
            format!("--fx:{}px;--fy:{}px", fx - tx, fy - ty)
        };
        let (dx, dy) = if x.refused.is_some() { (fx, fy) } else { (tx, ty) };
        let gate = x
            .gate
            .map(|(v, dpl)| format!("IDT[{v}] \u{00b7} DPL {dpl}"))
            .unwrap_or_else(|| "iret".into());
        let (gx, gy) = at(radius(x.from.min(x.to)) + 17);
        html! {
            <g key={x.cycle.to_string()} class={classes!("crossing", if x.refused.is_some() { "refused" } else if x.to < x.from { "inward" } else { "outward" })}>
                <text class="gate-label" x={(gx + 8).to_string()} y={gy.to_string()}>{ gate }</text>
                <circle class="mover" cx={dx.to_string()} cy={dy.to_string()} r="8" style={style} />
            </g>
        }
    });
    let text = r.crossing.as_ref().map(|x| {
        let how = match (&x.refused, x.to < x.from) {
            (Some(why), _) => format!("refused: {why}"),
            (None, true) => format!("inward through {}: ring {} \u{2192} ring {}", x.what, x.from, x.to),
            (None, false) => format!("outward: {} (ring {} \u{2192} ring {})", x.what, x.from, x.to),
        };
        let ago = now.saturating_sub(x.cycle);
        html! { <p class={classes!("crossing-note", x.refused.is_some().then_some("denied"))} data-testid="ring-crossing">{ format!("cycle {} ({ago} cycles ago): {how}", x.cycle) }</p> }
    });
    html! {
        <div class="ring-view">
            <svg data-testid="ring-view" viewBox="0 0 300 300" role="img" aria-label={label}>
                { for circles }
                { crossing.unwrap_or_default() }
                <text class="cpu-ring" x={C.to_string()} y={(C + 4).to_string()} text-anchor="middle">{ format!("CPL {}", r.cpl) }</text>
            </svg>
            { text.unwrap_or_else(|| html! { <p class="hint">{ "No crossing yet." }</p> }) }
        </div>
    }
}
