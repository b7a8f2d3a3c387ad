//! "My scenarios": every scenario a user edits is kept in this browser's
//! `localStorage`, saved as it changes, so a reload or a crashed tab loses
//! nothing. Entries are validated like any other scenario when read back.

use serde::{Deserialize, Serialize};
use sim_core::session::Scenario;

const KEY: &str = "ringside.mine.v1";

/// One saved scenario; `id` is stable across renames.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub id: String,
    pub scenario: Scenario,
    /// Milliseconds since 1970 of the last save.
    pub saved: f64,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Every saved scenario, newest first; entries that no longer validate are
/// skipped (a hand-edited or older store never breaks the page).
pub fn list() -> Vec<Saved> {
    let text = storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .unwrap_or_default();
    let mut all = parse(&text);
    sim_core::sort::sort_by(&mut all, |a, b| b.saved.total_cmp(&a.saved));
    all
}

/// Entries of a stored list that parse and validate.
pub fn parse(text: &str) -> Vec<Saved> {
    let raw: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
    raw.into_iter()
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?.to_string();
            let saved = v.get("saved").and_then(|s| s.as_f64()).unwrap_or(0.0);
            let scenario = Scenario::from_json(&v.get("scenario")?.to_string()).ok()?;
            Some(Saved {
                id,
                scenario,
                saved,
            })
        })
        .collect()
}

fn write(all: &[Saved]) -> Result<(), String> {
    let text = serde_json::to_string(all).map_err(|e| e.to_string())?;
    storage()
        .ok_or("this browser keeps no local storage")?
        .set_item(KEY, &text)
        .map_err(|_| "the browser refused to save (storage full?)".to_string())
}

pub fn get(id: &str) -> Option<Saved> {
    list().into_iter().find(|s| s.id == id)
}

/// Saves (or replaces) `scenario` under `id`.
pub fn save(id: &str, scenario: &Scenario) -> Result<(), String> {
    let mut all = list();
    all.retain(|s| s.id != id);
    all.push(Saved {
        id: id.to_string(),
        scenario: scenario.clone(),
        saved: js_sys::Date::now(),
    });
    write(&all)
}

pub fn remove(id: &str) -> Result<(), String> {
    let mut all = list();
    all.retain(|s| s.id != id);
    write(&all)
}

pub fn rename(id: &str, title: &str) -> Result<(), String> {
    let mut all = list();
    for s in all.iter_mut().filter(|s| s.id == id) {
        s.scenario.title = title.to_string();
    }
    write(&all)
}

/// A fresh id: time and a random part, unique within one browser.
pub fn new_id() -> String {
    format!(
        "{:x}{:04x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 65536.0) as u32
    )
}
