//! Which view each panel shows. While running, a new view reaches the
//! panels one group per frame, and a panel whose part of the view did not
//! change keeps the view it already shows: its props compare equal (a
//! pointer comparison) and Yew skips it, view building and DOM diff alike.

use sim_core::session::View;

use super::{AppState, SharedView, PANEL_GROUPS};

/// The workspace's panels, each in the group a new view reaches it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Cpu,
    Code,
    Idt,
    KernelStack,
    Address,
    Sched,
    Concepts,
    Timeline,
    Gantt,
    Metrics,
    Events,
    Console,
}

impl Panel {
    pub const ALL: [Panel; 12] = [
        Panel::Cpu,
        Panel::Code,
        Panel::Idt,
        Panel::KernelStack,
        Panel::Address,
        Panel::Sched,
        Panel::Concepts,
        Panel::Timeline,
        Panel::Gantt,
        Panel::Metrics,
        Panel::Events,
        Panel::Console,
    ];

    /// The group a new view reaches this panel with (top of the page first).
    pub fn group(self) -> usize {
        match self {
            Panel::Cpu | Panel::Code | Panel::Idt | Panel::KernelStack => 0,
            Panel::Address | Panel::Sched | Panel::Concepts => 1,
            Panel::Timeline | Panel::Gantt => 2,
            Panel::Metrics | Panel::Events | Panel::Console => 3,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Whether the panel draws the same from both views: the parts of the
    /// view it reads are equal.
    pub fn same(self, a: &View, b: &View) -> bool {
        match self {
            Panel::Cpu => a.cpu == b.cpu,
            Panel::Code => a.code == b.code,
            Panel::Idt => {
                a.idt == b.idt && a.active_gate == b.active_gate && a.denied_gate == b.denied_gate
            }
            Panel::KernelStack => a.kernel_stack == b.kernel_stack,
            Panel::Address => a.address_spaces == b.address_spaces,
            Panel::Sched => {
                a.processes == b.processes
                    && a.queues == b.queues
                    && a.policy == b.policy
                    && a.policy_uses == b.policy_uses
            }
            // The concept views read the cycle, the processes and the
            // address spaces besides their own data.
            Panel::Concepts => {
                a.cycle == b.cycle
                    && a.concept == b.concept
                    && a.processes == b.processes
                    && a.address_spaces == b.address_spaces
            }
            Panel::Timeline => a.timeline_total == b.timeline_total && a.timeline == b.timeline,
            Panel::Gantt => {
                a.cycle == b.cycle && a.gantt_total == b.gantt_total && a.gantt == b.gantt
            }
            Panel::Metrics => a.metrics == b.metrics && a.book == b.book,
            Panel::Events => a.events == b.events,
            Panel::Console => a.console == b.console,
        }
    }
}

/// What a panel shows: a view, and the view before it (to mark changes).
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub view: SharedView,
    pub prev: Option<SharedView>,
}

impl AppState {
    /// What `panel` shows now.
    pub fn panel_view(&self, panel: Panel) -> Option<Shown> {
        self.shown
            .get(panel.index())
            .cloned()
            .flatten()
            .or_else(|| {
                self.view.clone().map(|view| Shown {
                    view,
                    prev: self.prev.clone(),
                })
            })
    }

    /// The panels of `group` show the newest view; with `keep_unchanged`,
    /// a panel whose part of it did not change keeps what it shows.
    pub(super) fn reach(&mut self, group: usize, keep_unchanged: bool) {
        let Some(view) = self.view.clone() else {
            return;
        };
        for p in Panel::ALL.into_iter().filter(|p| p.group() == group) {
            let slot = &mut self.shown[p.index()];
            let unchanged = slot
                .as_ref()
                .is_some_and(|s| keep_unchanged && p.same(&s.view, &view));
            if !unchanged {
                *slot = Some(Shown {
                    view: view.clone(),
                    prev: self.prev.clone(),
                });
            }
        }
    }

    /// Every panel shows the newest view (after a step, a seek, a pause).
    pub(super) fn reach_all(&mut self) {
        for g in 0..PANEL_GROUPS {
            self.reach(g, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_a_panel_and_the_indices_are_the_order() {
        for g in 0..PANEL_GROUPS {
            assert!(Panel::ALL.iter().any(|p| p.group() == g));
        }
        for (i, p) in Panel::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
    }
}
