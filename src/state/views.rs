//! Computing the view and handing it to the panels: all at once, or while
//! running one group of panels per frame.

use super::*;

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

    /// A new view for the first group of panels; the others follow, one per
    /// frame ([`AppState::show_next_group`]).
    pub(super) fn refresh_group_by_group(&mut self) {
        self.compute_view();
        self.group_views[0] = self.view.clone();
        self.next_group = 1;
        self.reach(0, true);
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
        let mut view = session.view();
        self.add_concept(&mut session, &mut view);
        let view = SharedView(Rc::new(view));
        self.stats.view_ms = now_ms() - t0;
        self.cycle_now = view.cycle;
        self.max_seen = self.max_seen.max(view.cycle);
        self.view_at = now_ms();
        self.frames_since_view = 0;
        self.cycles_since_view = 0;
        self.ms_since_view = 0.0;
        self.prev = self.view.replace(view);
    }
}
