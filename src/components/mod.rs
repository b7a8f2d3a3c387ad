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
}
