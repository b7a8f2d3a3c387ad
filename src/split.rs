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
    #[wasm_bindgen(js_name = ringsideSplitPrefetch)]
    fn prefetch();
    #[wasm_bindgen(js_name = ringsideSplitLoaded)]
    fn loaded() -> bool;
}

/// Before anything else runs: a moved function may be called from the first frame on.
pub fn start() {
    install(wasm_bindgen::exports());
}

/// Once the page is interactive: fetch the rest in the background.
pub fn fetch_rest() {
    prefetch();
}

/// Loads the rest now, before work that is known to need it (a shared link, an
/// embedded exercise), so the wait comes once, up front.
pub fn need_rest() {
    if !loaded() {
        load();
    }
}
