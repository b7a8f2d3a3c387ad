// The page's wasm comes in two parts (tools/split): the first load carries what the
// default lesson runs; `ringside-rest.wasm` carries everything else. A moved function
// calls `ringsideSplitLoad` when its code is not there yet; the page also fetches the
// rest in the background once it is interactive (`ringsideSplitPrefetch`), and a page
// that opens with more than the default lesson waits for it first.

let primary = null; // the first module's exports
let loaded = false;
let pending = null;

// Unsplit builds (debug, `trunk serve`) have no table: nothing to load.
function split() {
  return primary !== null && primary.__split_table !== undefined;
}

function restUrl() {
  // The id changes with every build, so a cached rest never meets a newer first part.
  const id = (primary.__split_id.value >>> 0).toString(16);
  return new URL(`ringside-rest.wasm?v=${id}`, document.baseURI).href;
}

function instantiate(module) {
  if (!loaded) {
    new WebAssembly.Instance(module, { primary });
    loaded = true;
  }
}

function fail(what) {
  const message = `Ringside could not load the rest of its code (${what}). Reload the page to try again.`;
  if (document.body && !document.getElementById("split-error")) {
    const alert = document.createElement("p");
    alert.id = "split-error";
    alert.setAttribute("role", "alert");
    alert.className = "alert"; // styled as the page's other alerts
    alert.textContent = message;
    document.body.prepend(alert);
  }
  return new Error(message);
}

export function ringsideSplitInstall(exports) {
  primary = exports;
}

export function ringsideSplitLoaded() {
  return !split() || loaded;
}

// Synchronous: a moved function needs its code before it can return. A blocking
// request is the only way to get it inside the call; it only happens if the
// background fetch has not finished yet.
export function ringsideSplitLoad() {
  if (loaded || !split()) return;
  const url = restUrl();
  let bytes;
  try {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", url, false);
    // Binary through a synchronous request: each byte becomes one char code.
    xhr.overrideMimeType("text/plain; charset=x-user-defined");
    xhr.send();
    if (xhr.status !== 200) throw new Error(`HTTP ${xhr.status}`);
    const text = xhr.responseText;
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  } catch (e) {
    throw fail(`${url}: ${e.message}`);
  }
  instantiate(new WebAssembly.Module(bytes));
}

// The one fetch of the rest, shared by the background fetch and a wait for it;
// it rejects (and may be tried again) if the rest cannot be fetched.
function fetchRest() {
  if (!pending) {
    const url = restUrl();
    pending = fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.arrayBuffer();
      })
      .then((bytes) => WebAssembly.compile(bytes))
      .then(instantiate)
      .catch((e) => {
        pending = null;
        throw new Error(`${url}: ${e.message}`);
      });
  }
  return pending;
}

export function ringsideSplitPrefetch() {
  // A failed background fetch is not an error yet: the first moved call loads (and reports).
  if (!loaded && split()) fetchRest().catch(() => {});
}

// Whether the page opens with more than the default lesson (whose code is all the
// first load carries): any query but `defaultQuery`, or a share link. Decided here,
// from the raw URL, because parsing any other URL already runs code that moved.
export function ringsideSplitNeeded(defaultQuery) {
  if (loaded || !split()) return false;
  const query = location.search;
  return !(query === "" || query === defaultQuery) || /(^#|&)s=/.test(location.hash);
}

// A page that opens with more than the default lesson fetches the rest before it
// starts (the first module's exported `ringside_render`), without blocking the tab;
// on failure it says so. Only the first load's code runs before the rest is there.
export function ringsideSplitRenderAfterRest() {
  fetchRest().then(
    () => primary.ringside_render(),
    (e) => {
      fail(e.message);
    },
  );
}
