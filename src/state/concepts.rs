//! The concept views' part of the state: which view is open (and what it
//! shows), and for the comparison a second session running the same
//! programs in the other mode in lockstep (one clock: every command moves
//! it to the main session's cycle).

use std::cell::RefCell;
use std::rc::Rc;

use sim_core::session::{Command, ConceptQuery, ConceptTab, ConceptView, Session, View};

use super::AppState;

/// The concept view a lesson opens on.
pub fn default_tab(lesson: &str) -> ConceptTab {
    match lesson {
        "syscall-read" => ConceptTab::Syscall,
        "restricted-instruction" => ConceptTab::Rings,
        "direct-execution" | "loop-cooperative" | "loop-preemptive" => ConceptTab::Compare,
        _ => ConceptTab::Address,
    }
}

impl AppState {
    /// Shows concept view `q` (a new view is computed for it).
    pub(super) fn set_concept(&mut self, q: ConceptQuery) {
        if q.tab != ConceptTab::Compare {
            self.twin = None;
        }
        self.concept = q;
        self.refresh();
    }

    /// Brings the comparison's second session to the main session's cycle.
    pub(super) fn sync_twin(&self) {
        if let Some(t) = &self.twin {
            t.borrow_mut().apply(&Command::Seek {
                cycle: self.cycle(),
            });
        }
    }

    /// The open concept view's data, added to `view`.
    pub(super) fn add_concept(&mut self, session: &mut Session, view: &mut View) {
        view.concept = match self.concept.tab {
            ConceptTab::Compare => {
                if self.twin.is_none() {
                    let twin = Session::new(session.compare_scenario()).ok();
                    self.twin = twin.map(|t| Rc::new(RefCell::new(t)));
                }
                self.twin.as_ref().map(|t| {
                    let mut t = t.borrow_mut();
                    if t.cycle() != session.cycle() {
                        t.apply(&Command::Seek {
                            cycle: session.cycle(),
                        });
                    }
                    ConceptView::Compare(session.compare(&t))
                })
            }
            ConceptTab::Syscall => {
                let mut fresh = session.syscall_path(self.concept.syscall);
                // Rows are deterministic: a path seen whole stays whole when
                // the simulation goes back before its end (or its start).
                if let Some(old) = self.last_path.as_ref().filter(|o| {
                    self.concept.syscall.is_some()
                        && o.chosen == self.concept.syscall
                        && (fresh.chosen != o.chosen || fresh.rows.len() < o.rows.len())
                }) {
                    fresh.chosen = old.chosen;
                    fresh.rows = old.rows.clone();
                    if fresh.calls.len() < old.calls.len() {
                        fresh.calls = old.calls.clone();
                    }
                }
                self.last_path = Some(Rc::new(fresh.clone()));
                Some(ConceptView::Syscall(fresh))
            }
            _ => session.concept(&self.concept),
        };
    }
}
