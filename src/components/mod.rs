//! One component per panel; each gets plain view data through props and
//! sends [`crate::state::Action`]s back through a callback.

pub mod address;
pub mod code;
pub mod compare;
pub mod concepts;
pub mod controls;
pub mod cpu;
pub mod editor;
pub mod elf_upload;
pub mod events;
pub mod exercises;
pub mod gallery;
pub mod gantt;
pub mod help;
pub mod idt;
pub mod kstack;
pub mod metrics;
pub mod moments;
pub mod sched;
pub mod settings;
pub mod share;
pub mod timeline;

use crate::state::SharedView;
use yew::prelude::*;

/// Props of a panel that only reads the view (and the one before, to mark changes).
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub view: SharedView,
    #[prop_or_default]
    pub prev: Option<SharedView>,
    /// Running at full speed (`AppState::lean`): draw only what is in sight.
    #[prop_or_default]
    pub lean: bool,
}

/// Rows a long table draws: those in sight in its scroller (about 14), and
/// a margin. Paused or running, a table of 256 processes draws these and
/// spacers: redrawing every row after each step or seek cost tens of ms.
pub const WINDOW_ROWS: usize = 30;

/// `node` with `key`, if any (`html!` takes a key only unconditionally). A
/// list whose items change at every redraw at full speed goes unkeyed: Yew
/// then rewrites them in place instead of making and removing an item for
/// each one that moved.
pub fn keyed_by(mut node: Html, key: Option<String>) -> Html {
    if let (Html::VTag(tag), Some(key)) = (&mut node, key) {
        std::rc::Rc::make_mut(tag).key = Some(key.into());
    }
    node
}

/// Rows drawn of a windowed table while running at full speed: about what
/// its scroller shows (22rem), since each redraw changes most of them.
pub const LEAN_WINDOW_ROWS: usize = 16;

/// The rows of a table of `count` rows of about `row_px` pixels, scrolled
/// to `scroll_top`, that are drawn: all of them up to [`WINDOW_ROWS`], else
/// a window of that many ([`LEAN_WINDOW_ROWS`] when `lean`) around what is
/// in sight.
pub fn row_window(
    count: usize,
    scroll_top: i32,
    row_px: i32,
    lean: bool,
) -> std::ops::Range<usize> {
    if count <= WINDOW_ROWS {
        return 0..count;
    }
    let size = if lean { LEAN_WINDOW_ROWS } else { WINDOW_ROWS };
    let first = usize::try_from(scroll_top / row_px.max(1)).unwrap_or(0);
    let start = first.saturating_sub(size / 8).min(count - size);
    start..start + size
}

/// An empty table row standing in for `rows` rows not drawn, so the
/// scroller keeps its height and its scroll position.
pub fn spacer_row(rows: usize, row_px: i32) -> Html {
    if rows == 0 {
        return Html::default();
    }
    let px = i64::try_from(rows)
        .unwrap_or(i64::MAX / 2)
        .saturating_mul(row_px.into());
    html! { <tr class="spacer" aria-hidden="true" style={format!("height: {px}px")}></tr> }
}

/// A windowed table's row numbers for assistive technology: the table has
/// `aria-rowcount` (its `count` body rows and `other` header and footer
/// rows), each drawn row its `aria-rowindex`, so a screen reader tells
/// "row 120 of 257" though only a window is drawn.
pub fn aria_rows(count: usize, other: usize) -> Option<String> {
    (count > WINDOW_ROWS).then(|| (count + other).to_string())
}

/// The `aria-rowindex` of body row `i` (0-based) of a windowed table of
/// `count` rows; none when the table draws every row.
pub fn aria_row(count: usize, i: usize) -> Option<String> {
    (count > WINDOW_ROWS).then(|| (i + 2).to_string())
}

/// The scroll position of a scroller, kept as it scrolls; re-renders the
/// component on scroll when `windowed` (what is drawn depends on it).
#[hook]
pub fn use_scroll_top(windowed: bool) -> (i32, Callback<Event>) {
    let top = use_mut_ref(|| 0);
    let update = use_force_update();
    let now = *top.borrow();
    let onscroll = Callback::from(move |e: Event| {
        if let Some(el) = e.target_dyn_into::<web_sys::Element>() {
            let at = el.scroll_top();
            let moved = std::mem::replace(&mut *top.borrow_mut(), at) != at;
            if windowed && moved {
                update.force_update();
            }
        }
    });
    (now, onscroll)
}

/// Scrolls `scroller` (not the page) so `row` sits in its middle. The
/// scroller is positioned, so the row's offsetTop is relative to it.
pub fn reveal(scroller: &NodeRef, row: &NodeRef) {
    let (Some(s), Some(r)) = (
        scroller.cast::<web_sys::HtmlElement>(),
        row.cast::<web_sys::HtmlElement>(),
    ) else {
        return;
    };
    let target = r.offset_top() - s.client_height() / 2 + r.client_height() / 2;
    s.set_scroll_top(target.max(0));
}

/// `0x0040_1000` as `0x00401000`: fixed width so columns line up.
pub fn hex(v: u32) -> String {
    format!("{v:#010x}")
}

/// Thousands separated by narrow no-break spaces (`1 234 567`), so numbers never wrap.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(hex(0x401000), "0x00401000");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(grouped(123), "123");
    }

    #[test]
    fn a_long_table_draws_the_rows_in_sight() {
        for lean in [false, true] {
            assert_eq!(row_window(20, 5_000, 25, lean), 0..20);
            assert_eq!(row_window(WINDOW_ROWS, 5_000, 25, lean), 0..WINDOW_ROWS);
        }
        let w = row_window(256, 2_500, 25, false);
        assert_eq!(w.len(), WINDOW_ROWS);
        assert!(w.contains(&100) && w.contains(&120), "{w:?}");
        assert_eq!(row_window(256, 0, 25, false), 0..WINDOW_ROWS);
        assert_eq!(
            row_window(256, 1_000_000, 25, false),
            256 - WINDOW_ROWS..256
        );
        assert_eq!(row_window(256, -40, 25, false), 0..WINDOW_ROWS);
        // At full speed, about the rows the scroller shows (~14 of 26 px).
        let w = row_window(256, 2_500, 25, true);
        assert_eq!(w.len(), LEAN_WINDOW_ROWS);
        assert!(w.contains(&100) && w.contains(&113), "{w:?}");
        assert_eq!(
            row_window(256, 1_000_000, 25, true),
            256 - LEAN_WINDOW_ROWS..256
        );
        // Row numbers for screen readers only when windowed.
        assert_eq!(aria_rows(20, 1), None);
        assert_eq!(aria_rows(256, 1).as_deref(), Some("257"));
        assert_eq!(aria_row(256, 99).as_deref(), Some("101"));
        assert_eq!(aria_row(20, 3), None);
    }
}
