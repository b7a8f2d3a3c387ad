//! The page's side of the split build (`tools/split`, `split.js`): hands the first
//! module's exports to the loader, and fetches the rest once the page is interactive.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/split.js")]
extern "C" {
    #[wasm_bindgen(js_name = ringsideSplitInstall)]
    fn install(exports: JsValue);
    // The import every moved function's trampoline calls (tools/split finds it by name).
    #[wasm_bindgen(js_name = ringsideSplitLoad)]
    fn load();
    #[wasm_bindgen(js_name = ringsideSplitLoaded)]
    fn loaded() -> bool;
    #[wasm_bindgen(js_name = ringsideSplitNeeded)]
    fn needed(default_query: &str) -> bool;
    /// Once the page is interactive: fetch the rest in the background.
    #[wasm_bindgen(js_name = ringsideSplitPrefetch)]
    pub fn fetch_rest();
    /// Starts the page once the rest is there (`main` for a page that needs it): the
    /// loader calls the exported `ringside_render`, and until then nothing but the
    /// first load's code runs.
    #[wasm_bindgen(js_name = ringsideSplitRenderAfterRest)]
    pub fn start_after_rest();
}

/// Whether the page opens with more than the default lesson, whose code is all the
/// first load carries: a link, homework, a saved or another built-in scenario, an
/// embedded frame, a benchmark (any query but `?scenario=` the default).
pub fn rest_needed() -> bool {
    needed(&format!("?scenario={}", crate::launch::DEFAULT_SCENARIO))
}

/// Before anything else runs: a moved function may be called from the first frame on.
pub fn start() {
    install(wasm_bindgen::exports());
}

/// Loads the rest now if it is not there yet (blocking), before work known to need
/// it; `main` normally waited for it already.
pub fn need_rest() {
    if !loaded() {
        load();
    }
}
