//! Computing the view and handing it to the panels: all at once, or while
//! running one group of panels per frame.

use super::*;
use sim_core::session::ViewDepth;

impl AppState {
    /// The view the panels of `group` have reached (each shows it, or an
    /// earlier view equal in its part: see [`AppState::panel_view`]).
    #[cfg(test)]
    pub fn group_view(&self, group: usize) -> Option<SharedView> {
        self.group_views
            .get(group)
            .cloned()
            .flatten()
            .or_else(|| self.view.clone())
    }

    /// A new view for every panel.
    pub(super) fn refresh(&mut self) {
        self.compute_view();
        self.show_all();
    }

    /// Every group of panels shows the newest view.
    pub(super) fn show_all(&mut self) {
        self.group_views = std::array::from_fn(|_| self.view.clone());
        self.next_group = PANEL_GROUPS;
        self.reach_all();
    }

    /// A new view, which the groups of panels then show one per frame
    /// ([`AppState::show_next_group`]), the first one in the next frame.
    pub(super) fn compute_view_for_groups(&mut self) {
        self.compute_view();
        self.next_group = 0;
    }

    pub(super) fn show_next_group(&mut self) {
        if let Some(slot) = self.group_views.get_mut(self.next_group) {
            *slot = self.view.clone();
            self.reach(self.next_group, true);
            self.next_group += 1;
        }
    }

    pub(super) fn compute_view(&mut self) {
        let Some(session) = self.session.as_ref() else {
            return;
        };
        #[cfg(test)]
        {
            self.views_computed += 1;
        }
        let session = session.clone();
        let mut session = session.borrow_mut();
        let t0 = now_ms();
        let lean = self.lean();
        let mut view = session.view_to(depth(lean));
        self.add_concept(&mut session, &mut view);
        let view = SharedView(Rc::new(view));
        self.view_lean = lean;
        let pace = self.pace.get_mut();
        pace.stats.view_ms = now_ms() - t0;
        pace.cycle_now = view.cycle;
        pace.max_seen = pace.max_seen.max(view.cycle);
        pace.frames_since_view = 0;
        pace.cycles_since_view = 0;
        pace.ms_since_view = 0.0;
        self.view_at = now_ms();
        self.prev = self.view.replace(view);
    }
}

/// How much recent history the panels draw: all a paused page can show
/// (the event log filters, so it gets all), and while running at full
/// speed about what is in sight (see `AppState::lean`).
pub(super) fn depth(lean: bool) -> ViewDepth {
    use crate::components::{events, gantt, timeline};
    if lean {
        ViewDepth {
            timeline: timeline::LEAN_SHOWN,
            events: events::LEAN_CARRIED,
            gantt_lanes: gantt::LEAN_LANES,
        }
    } else {
        ViewDepth {
            timeline: timeline::SHOWN,
            ..ViewDepth::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::pacing::SLOWEST_VIEWS;

    fn tick(s: Rc<AppState>) -> Rc<AppState> {
        s.reduce(Action::Tick {
            dt_ms: 1000.0 / 60.0,
            work_ms: None,
        })
    }

    #[test]
    fn a_full_speed_run_carries_the_rows_in_sight_and_a_pause_all_of_them() {
        let mut s = Rc::new(AppState::open("loop-preemptive", Some(500_000_000)));
        s = s.reduce(Action::SetSpeed(SPEEDS.len() - 1));
        s = s.reduce(Action::Run);
        for _ in 0..4 {
            s = tick(s);
        }
        // A new view is due once the interval has passed (at full speed at
        // most SLOWEST_VIEWS times VIEW_INTERVAL_MS: `Pacer::view_interval_ms`).
        std::thread::sleep(std::time::Duration::from_millis(
            (SLOWEST_VIEWS * VIEW_INTERVAL_MS) as u64 + 20,
        ));
        let before = s.view.as_ref().map(|v| v.cycle);
        s = tick(s);
        let v = s.view.clone().expect("a view");
        assert!(
            s.running && Some(v.cycle) != before,
            "a view made while running"
        );
        assert_eq!(v.timeline.len(), crate::components::timeline::LEAN_SHOWN);
        assert_eq!(v.events.len(), crate::components::events::LEAN_CARRIED);
        assert_eq!(
            v.gantt.len(),
            v.gantt_total.min(crate::components::gantt::LEAN_LANES)
        );
        s = s.reduce(Action::Pause);
        let v = s.view.clone().expect("a view");
        assert_eq!(v.timeline.len(), crate::components::timeline::SHOWN);
        assert!(v.events.len() > crate::components::events::LEAN_CARRIED);
        assert_eq!(v.gantt.len(), v.gantt_total);
    }
}
