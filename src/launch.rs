//! What the page opens with, from its URL:
//! - `?scenario=<name>` a built-in lesson, `?mine=<id>` one of "my scenarios"
//!   (kept in this browser), `#s=<payload>` a shared scenario (the fragment
//!   never reaches a server), `?homework=<seed>` the homework problem drawn
//!   from that seed (a class gets the same one), `?bench=<n>` the benchmark
//!   with n processes;
//! - `max_cycles=<n>` overrides the scenario's cycle limit;
//! - embedding: `embed=1` (a minimal frame), `panels=cpu,code,…` (what it
//!   shows), `readonly=1` (no editor), `autoplay=1` (run on load).
//!
//! [`initial_state`] opens what the address names; [`sync_url`] keeps the
//! address naming what is open since, so a reload reopens it.

use crate::state::{AppState, Origin};
use crate::storage;
use sim_core::session::{builtin, link, ProcessSpec, Scenario};

/// The lesson opened when the URL names none.
pub const DEFAULT_SCENARIO: &str = "syscall-read";
/// Upper bound on `?bench=` (the scenario format allows 256 processes).
pub const MAX_BENCH: usize = 256;

/// Every panel, by the name `panels=` and share links use, in page order.
pub const PANELS: [&str; 12] = [
    "cpu", "code", "address", "idt", "kstack", "sched", "concepts", "timeline", "gantt", "metrics",
    "events", "console",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Launch {
    pub scenario: Option<String>,
    pub mine: Option<String>,
    pub bench: Option<usize>,
    pub homework: Option<u64>,
    pub max_cycles: Option<u64>,
    /// The `#…` fragment, when it carries a share link (`s=`).
    pub link: Option<String>,
    pub embed: bool,
    pub readonly: bool,
    pub autoplay: bool,
    /// Panels to show (`None`: all); unknown names are dropped.
    pub panels: Option<Vec<String>>,
}

/// Keeps the known panel names of a comma-separated list, in page order.
pub fn parse_panels(list: &str) -> Vec<String> {
    let asked: Vec<&str> = list.split(',').map(str::trim).collect();
    PANELS
        .iter()
        .filter(|p| asked.contains(p))
        .map(|p| p.to_string())
        .collect()
}

impl Launch {
    /// Parses a query string such as `?scenario=syscall-read&max_cycles=5000`
    /// and the fragment (`#s=…`). Unknown keys and malformed values are
    /// ignored, never fatal.
    pub fn parse(query: &str, hash: &str) -> Launch {
        let mut l = Launch::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let on = v == "1" || v == "true";
            match k {
                "scenario" if !v.is_empty() => l.scenario = Some(v.to_string()),
                "mine" if !v.is_empty() => l.mine = Some(v.to_string()),
                "bench" => l.bench = v.parse::<usize>().ok().map(|n| n.clamp(1, MAX_BENCH)),
                "max_cycles" => l.max_cycles = v.parse().ok(),
                "homework" => l.homework = v.parse().ok(),
                "embed" => l.embed = on,
                "readonly" => l.readonly = on,
                "autoplay" => l.autoplay = on,
                "panels" => l.panels = Some(parse_panels(&decode_component(v))),
                _ => {}
            }
        }
        let hash = hash.trim_start_matches('#');
        if hash.split('&').any(|p| p.starts_with("s=")) {
            l.link = Some(format!("#{hash}"));
        }
        l
    }

    /// The URL of the page now.
    pub fn from_location() -> Launch {
        let loc = web_sys::window().map(|w| w.location());
        let get = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
            loc.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
        };
        Launch::parse(
            &get(web_sys::Location::search),
            &get(web_sys::Location::hash),
        )
    }

    /// Whether panel `name` is shown.
    pub fn shows(&self, name: &str) -> bool {
        self.panels
            .as_ref()
            .is_none_or(|p| p.iter().any(|x| x == name))
    }

    /// The embedding part of a query string (`&embed=1&panels=…`), kept when
    /// the page rewrites its address.
    pub fn embed_query(&self) -> String {
        let mut q = String::new();
        if self.embed {
            q.push_str("&embed=1");
        }
        if let Some(p) = &self.panels {
            q.push_str(&format!("&panels={}", p.join(",")));
        }
        if self.readonly {
            q.push_str("&readonly=1");
        }
        if self.autoplay {
            q.push_str("&autoplay=1");
        }
        q
    }
}

/// `%2C` → `,` (enough for panel lists, which are plain words).
fn decode_component(v: &str) -> String {
    v.replace("%2C", ",").replace("%2c", ",")
}

/// The state the page opens on: what its address names (a shared link, a
/// homework problem, one of "my scenarios", a lesson), or the default lesson
/// with a notice or an alert saying why not.
pub fn initial_state() -> AppState {
    crate::clock::mark("ringside:state");
    let launch = Launch::from_location();
    if launch.link.is_some() || launch.homework.is_some() || launch.mine.is_some() {
        // Code the first load leaves out: `main` waited for it; if not, load it now.
        crate::split::need_rest();
    }
    if let Some(n) = launch.bench {
        if let Some(s) = bench_scenario(n) {
            return AppState::open_scenario(format!("bench-{n}"), s, launch.max_cycles);
        }
    }
    if let Some(fragment) = &launch.link {
        return match link::decode(fragment) {
            Ok(share) => {
                let panels = share.panels.clone();
                let mut s = AppState::open_from(Origin::Link, share.scenario, share.cycle);
                s.link_panels = panels.map(|p| crate::launch::parse_panels(&p.join(",")));
                s
            }
            Err(e) => AppState::open(DEFAULT_SCENARIO, launch.max_cycles).with_alert(format!(
                "This link could not be opened ({}): {e}. Showing the default lesson instead.",
                e.kind()
            )),
        };
    }
    if let Some(seed) = launch.homework {
        return AppState::default().new_homework(seed);
    }
    if let Some(id) = &launch.mine {
        return match storage::get(id) {
            Some(saved) => AppState::open_from(Origin::Mine(id.clone()), saved.scenario, None),
            None => AppState::open(DEFAULT_SCENARIO, launch.max_cycles).with_notice(Some(format!(
                "This browser keeps no scenario \u{201c}{id}\u{201d} (it was deleted, or saved in another browser)."
            ))),
        };
    }
    let name = launch.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO);
    let state = AppState::open(name, launch.max_cycles);
    if state.view.is_none() {
        // Unknown name in the URL: open the default and keep the notice.
        let notice = state.notice.clone();
        return AppState::open(DEFAULT_SCENARIO, launch.max_cycles).with_notice(notice);
    }
    state
}

/// Keeps the address bar naming what is open, so a reload reopens it.
/// `opening`: the page's first scenario, not one opened since.
pub fn sync_url(origin: &Origin, launch: &Launch, opening: bool) {
    let query = match origin {
        Origin::Builtin(name) => format!("?scenario={name}"),
        Origin::Mine(id) => format!("?mine={id}"),
        Origin::Homework(seed) => format!("?homework={seed}"),
        // A link stays as it was opened; host and bench pages are not reloaded.
        Origin::Link | Origin::Host | Origin::Bench => return,
    };
    let query = format!("{query}{}", launch.embed_query());
    let Some(w) = web_sys::window() else { return };
    let now = w.location().search().unwrap_or_default();
    if now == query {
        return;
    }
    let hash = w.location().hash().unwrap_or_default();
    let replace = move || {
        // Unless a lesson opened since has named itself already, or a link
        // was entered meanwhile (see `use_links_entered`): the new address
        // would drop its fragment.
        let l = w.location();
        if l.search().is_ok_and(|s| s == now) && l.hash().is_ok_and(|h| h == hash) {
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
            }
        }
    };
    if opening {
        // After the first screen's paint and ready mark: a same-document
        // navigation costs the page and the browser a few milliseconds each
        // (it saves form state), so the page's opening paints and answers first.
        crate::arrival::after_paint(replace);
    } else {
        replace();
    }
}

/// Opens a share link entered while the page is open at the same address
/// but for the fragment (pasted into the address bar, or a host page setting
/// its frame's): the browser does not load a page again for a new fragment,
/// so the page would go on showing what it showed. A reload opens the link
/// as a first visit does (what was edited is kept in "my scenarios").
#[yew::hook]
pub fn use_links_entered() {
    yew::use_effect_with((), |_| {
        let listener =
            gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", |_| {
                let location = gloo::utils::window().location();
                let hash = location.hash().unwrap_or_default();
                if Launch::parse("", &hash).link.is_some() {
                    let _ = location.reload();
                }
            });
        move || drop(listener)
    });
}

/// The benchmark: `n` copies of an endless CPU-bound loop under
/// round robin with the timer, so every frame has a full run queue to switch.
pub fn bench_scenario(n: usize) -> Option<Scenario> {
    let mut s = builtin("loop-preemptive")?;
    let spin = s.programs.iter().find(|p| p.name == "spin")?.clone();
    s.title = format!("Benchmark: {n} CPU-bound processes, round robin");
    s.lesson = format!(
        "{n} processes each loop forever. The timer interrupts every {} cycles and the round-robin \
         scheduler switches to the next one: a stress test for the simulator and this page.",
        s.timer_interval
    );
    s.programs = vec![spin];
    s.processes = (0..n)
        .map(|_| ProcessSpec {
            program: "spin".into(),
            arrival: 0,
            tickets: 100,
            expected_len: None,
        })
        .collect();
    s.max_cycles = 1_000_000_000;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_query() {
        let l = Launch::parse("?scenario=syscall-read&max_cycles=5000&x=1", "");
        assert_eq!(l.scenario.as_deref(), Some("syscall-read"));
        assert_eq!(l.max_cycles, Some(5000));
        assert_eq!(Launch::parse("?homework=42", "").homework, Some(42));
        assert_eq!(Launch::parse("?bench=99999", "").bench, Some(MAX_BENCH));
        assert_eq!(
            Launch::parse("?bench=abc&max_cycles=-1", ""),
            Launch::default()
        );
        assert_eq!(Launch::parse("", ""), Launch::default());
    }

    #[test]
    fn parses_embedding_and_links() {
        let l = Launch::parse(
            "?embed=1&panels=code,cpu,nonsense%2Cgantt&readonly=1",
            "#s=1.abc",
        );
        assert!(l.embed && l.readonly && !l.autoplay);
        assert_eq!(
            l.panels,
            Some(vec!["cpu".into(), "code".into(), "gantt".into()])
        );
        assert_eq!(l.link.as_deref(), Some("#s=1.abc"));
        assert!(l.shows("cpu") && !l.shows("idt"));
        assert!(Launch::parse("", "#top").link.is_none());
        assert_eq!(l.embed_query(), "&embed=1&panels=cpu,code,gantt&readonly=1");
    }

    #[test]
    fn the_bench_scenario_builds() {
        let s = bench_scenario(64).expect("built");
        assert_eq!(s.processes.len(), 64);
        assert!(sim_core::session::Session::new(s).is_ok());
    }
}
