//! Code panel: the running program's source (or the kernel's trap stubs when
//! the CPU is in the kernel), the current line, machine-code bytes, and
//! breakpoints toggled by clicking a line number.

use super::hex;
use crate::state::{Action, SharedView};
use sim_core::session::CodeLine;
use std::ops::Range;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CodeProps {
    pub view: SharedView,
    pub on_action: Callback<Action>,
    /// Running at full speed: the listing does not follow the current line
    /// (reading its position would force a layout of the page every redraw).
    #[prop_or_default]
    pub lean: bool,
}

/// Lines a long listing (the kernel's, ~200) draws: about twice what its
/// scroller shows (~30 of 34rem). A step into the kernel, or a seek that
/// changes the listing, then makes, lays out and paints a third of it.
const CODE_WINDOW: usize = 72;
/// How close what is in sight may come to the window's edge before the
/// window moves (so scrolling re-renders every ~20 lines, not every line).
const CODE_MARGIN: usize = 4;

/// The lines of a listing of `count` lines to draw, the last window drawn
/// starting at `start`, with `sight` the lines its scroller shows: all of
/// them up to [`CODE_WINDOW`]; else the same window while `sight` stays
/// inside it, or one around `sight`. When the listing follows its current
/// line (`follow`) and that is out of sight, it is about to be scrolled to
/// the middle, so the window goes there.
fn code_window(
    count: usize,
    start: usize,
    sight: Range<usize>,
    follow: Option<usize>,
) -> Range<usize> {
    if count <= CODE_WINDOW {
        return 0..count;
    }
    let shown = sight.len().clamp(1, CODE_WINDOW - 2 * CODE_MARGIN);
    let first = match follow {
        Some(line) if !sight.contains(&line) => line.saturating_sub(shown / 2),
        _ => sight.start,
    }
    .min(count - shown);
    let last = first + shown;
    let start = if start + CODE_MARGIN <= first && last + CODE_MARGIN <= start + CODE_WINDOW {
        start
    } else {
        first.saturating_sub((CODE_WINDOW - shown) / 2)
    }
    .min(count - CODE_WINDOW);
    start..start + CODE_WINDOW
}

/// Where a listing's scroller is: `(scrollTop, scrollHeight, clientHeight)`.
type Scroll = (i32, i32, i32);

/// The lines of `count` the scroller shows (lines of equal height).
fn in_sight((top, height, client): Scroll, count: usize) -> Range<usize> {
    if height <= 0 {
        return 0..CODE_WINDOW / 2;
    }
    let line = |px: i32| {
        usize::try_from(i64::from(px.max(0)) * count as i64 / i64::from(height)).unwrap_or(0)
    };
    let first = line(top);
    first..(first + line(client).max(1)).min(count)
}

/// A spacer standing in for `lines` not drawn (each `--line` tall, see
/// `.code` in style.css). It holds their text, unstyled and hidden from
/// screen readers (the drawn lines say where they stand in the whole), so
/// the browser's find-in-page still finds every line; scrolling to a match
/// moves the window there and draws it.
fn spacer(lines: &[CodeLine]) -> Html {
    if lines.is_empty() {
        return Html::default();
    }
    let text = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let height = format!("height: calc({} * var(--line))", lines.len());
    html! { <li class="spacer" aria-hidden="true" style={height}>{ text }</li> }
}

#[function_component(CodePanel)]
pub fn code_panel(props: &CodeProps) -> Html {
    let code = &props.view.code;
    let scroller = use_node_ref();
    let current = use_node_ref();
    {
        // Keep the current line in the middle of the listing without moving the page.
        let (scroller, current) = (scroller.clone(), current.clone());
        use_effect_with(
            (code.title.clone(), code.current_line, props.lean),
            move |(_, _, lean)| {
                if !lean {
                    super::reveal(&scroller, &current);
                }
            },
        );
    }
    // A long listing draws a window of its lines (see `code_window`).
    let count = code.lines.len();
    let scroll = use_mut_ref(Scroll::default);
    let start = use_mut_ref(|| 0);
    // The effect above is about to scroll to a new current line: the window
    // goes there first. Otherwise it follows the scroller (the student may
    // have scrolled away from the current line).
    let seen = use_mut_ref(|| None);
    let now = Some((code.title.clone(), code.current_line, props.lean));
    let moved = *seen.borrow() != now;
    *seen.borrow_mut() = now;
    let follow = if props.lean || !moved {
        None
    } else {
        code.current_line
            .and_then(|c| code.lines.iter().position(|l| l.line == c))
    };
    let window = code_window(
        count,
        *start.borrow(),
        in_sight(*scroll.borrow(), count),
        follow,
    );
    *start.borrow_mut() = window.start;
    let onscroll = {
        let update = use_force_update();
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let at = (el.scroll_top(), el.scroll_height(), el.client_height());
            *scroll.borrow_mut() = at;
            let now = *start.borrow();
            if code_window(count, now, in_sight(at, count), None).start != now {
                update.force_update();
            }
        })
    };
    let windowed = count > CODE_WINDOW;
    let above = window.start;
    let (before, after) = (&code.lines[..above], &code.lines[window.end..]);
    let program = code.program;
    let lines = code.lines[window].iter().enumerate().map(|(i, l)| {
        let i = above + i;
        let is_current = code.current_line == Some(l.line);
        let lib_start = code.library_from == Some(l.line);
        let bp = code.breakpoints.contains(&l.line);
        let toggle = program.map(|p| {
            let line = l.line;
            props.on_action.reform(move |_: MouseEvent| Action::ToggleBreakpoint { program: p, line })
        });
        let label = if bp { format!("remove the breakpoint on line {}", l.line) } else { format!("break before line {}", l.line) };
        html! { <>
            if lib_start {
                <li class="library-note" aria-hidden="true">{ "user library (usys): the stub the program called" }</li>
            }
            <li class={classes!("code-line", is_current.then_some("current"), bp.then_some("bp"), lib_start.then_some("library-start"))}
                data-testid={format!("code-line-{}", l.line)}
                aria-posinset={windowed.then(|| (i + 1).to_string())}
                aria-setsize={windowed.then(|| count.to_string())}
                aria-current={is_current.then_some("step")}
                ref={if is_current { current.clone() } else { NodeRef::default() }}>
                <span class="marker" aria-hidden="true">{ if is_current { "\u{25b6}" } else { "" } }</span>
                if let Some(onclick) = toggle {
                    <button class="lineno" onclick={onclick} title={label.clone()} aria-label={label}
                            aria-pressed={bp.to_string()} data-testid={format!("bp-{}", l.line)}>
                        { if bp { "\u{25cf}" } else { "" } }{ l.line }
                    </button>
                } else {
                    <span class="lineno">{ l.line }</span>
                }
                <span class="addr mono">{ l.addr.map(hex).unwrap_or_default() }</span>
                <span class="bytes mono">{ &l.bytes }</span>
                <code class="src">{ &l.text }</code>
            </li>
        </> }
    });
    html! {
        <section class="panel code-panel" aria-labelledby="code-title" data-testid="panel-code">
            <h2 id="code-title">
                { "Code: " }<span class={classes!("code-owner", code.kernel.then_some("kernel"))}>{ &code.title }</span>
            </h2>
            if let Some(step) = &code.step {
                <div class="kernel-step" data-testid="kernel-step">
                    <p>{ "The kernel runs " }<code>{ format!("{}()", step.function) }</code>{ ": " }{ &step.about }</p>
                    if let Some(d) = &step.detail {
                        <p class="hint">{ "this time: " }{ d }</p>
                    }
                </div>
            }
            if !code.kernel {
                <p class="hint">{ "Click a line number to set or clear a breakpoint." }</p>
            }
            <ol class="code" ref={scroller} tabindex="0" aria-label="program listing" {onscroll}>
                { spacer(before) }{ for lines }{ spacer(after) }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_listing_draws_a_window_that_moves_only_near_its_edges() {
        // Short listings: every line.
        assert_eq!(code_window(20, 0, 0..20, Some(7)), 0..20);
        assert_eq!(code_window(CODE_WINDOW, 9, 3..30, None), 0..CODE_WINDOW);
        // The kernel's 206 lines, 30 in sight: a window around them...
        let w = code_window(206, 0, 100..130, None);
        assert_eq!(w.len(), CODE_WINDOW);
        assert!(
            w.start + CODE_MARGIN <= 100 && 130 + CODE_MARGIN <= w.end,
            "{w:?}"
        );
        // ...kept while what is in sight stays inside it (a few lines of
        // scrolling re-render nothing)...
        assert_eq!(code_window(206, w.start, 105..135, None), w);
        // ...and moved once it nears an edge.
        let moved = code_window(206, w.start, 140..170, None);
        assert!(moved.start > w.start && moved.contains(&169), "{moved:?}");
        // At either end, clamped to the listing.
        assert_eq!(code_window(206, 50, 0..30, None), 0..CODE_WINDOW);
        assert_eq!(code_window(206, 0, 180..206, None), 206 - CODE_WINDOW..206);
        // A current line out of sight that the listing is about to scroll
        // to: the window goes there; one in sight changes nothing.
        let to = code_window(206, 0, 0..30, Some(150));
        assert!(to.contains(&135) && to.contains(&165), "{to:?}");
        assert_eq!(code_window(206, 0, 0..30, Some(12)), 0..CODE_WINDOW);
    }

    #[test]
    fn the_lines_in_sight_come_from_where_the_scroller_is() {
        // 206 lines of 17 px: 3,502 px, 544 shown.
        assert_eq!(in_sight((0, 3_502, 544), 206), 0..32);
        assert_eq!(in_sight((1_700, 3_502, 544), 206), 100..132);
        assert_eq!(in_sight((3_502 - 544, 3_502, 544), 206), 174..206);
        // Not laid out yet (or hidden): the top.
        assert_eq!(in_sight((0, 0, 0), 206), 0..CODE_WINDOW / 2);
    }
}
