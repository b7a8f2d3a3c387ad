# Shared set-up for tools/serve and tools/test: installs what is missing, at the
# versions the repository pins, and never downloads a binary outside the package
# registries (Trunk finds wasm-bindgen and wasm-opt on PATH, see Trunk.toml).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TRUNK_VERSION="0.21.14"
# wasm-bindgen-cli must equal the wasm-bindgen crate version exactly.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)"
WASM_OPT_VERSION="132"

export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"
# Trunk must never try to fetch tools itself.
export TRUNK_OFFLINE=true

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_sudo() { if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if ! trunk --version 2>/dev/null | grep -qF "$TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (takes ~9 min once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -qF "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes ~4 min once)"
    # No --locked: its lockfile names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# npm dev dependencies (binaryen's wasm-opt, playwright-core) from the committed lock file.
ensure_npm() {
  local stamp="$ROOT/e2e/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/e2e/package-lock.json" "$stamp"; then
    log "installing npm dev dependencies (npm ci)"
    (cd "$ROOT/e2e" && npm ci --no-audit --no-fund)
    cp "$ROOT/e2e/package-lock.json" "$stamp"
  fi
  wasm-opt --version | grep -q "version $WASM_OPT_VERSION" \
    || { echo "wasm-opt is not version $WASM_OPT_VERSION" >&2; exit 1; }
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian chromium"
    need_sudo apt-get update
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  fi
}

ensure_binutils() {
  if ! command -v as >/dev/null || ! command -v ld >/dev/null || ! command -v objcopy >/dev/null; then
    log "installing binutils (GNU as/ld for the differential tests)"
    need_sudo apt-get update
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y binutils
  fi
}

ensure_qemu() {
  if ! command -v qemu-system-i386 >/dev/null; then
    log "installing qemu-system-x86 (QEMU for the boot differential tests)"
    need_sudo apt-get update
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y qemu-system-x86
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_trunk
  ensure_wasm_bindgen
  ensure_npm
}

build_release() {
  log "trunk build --release"
  trunk build --release && split_release dist && python3 tools/inline.py dist
}

# Splits the built wasm (tools/split): what tools/split/first-load.txt lists stays
# in the first load, the rest goes to ringside-rest.wasm, fetched once the page is
# interactive. The first part is then optimized for size, as Trunk would (index.html
# turns Trunk's own wasm-opt off: the split needs the function names it strips), but
# without inlining a function into its one caller whatever its size: V8 compiles each
# function whole on its first call, and those merged functions made the first render
# compile code it never ran (ready ~60 ms later; the part is ~2 KB smaller without), the
# rest for speed: it is not in the first load, and it holds the engine's quiet loops
# that seeks replay in (-O3 made them ~1.5x faster than -Oz in the page).
split_release() {
  local dist="$1" wasm tmp
  wasm="$(ls "$dist"/*_bg.wasm)"
  tmp="$(mktemp -d)"
  log "splitting $(basename "$wasm") (tools/split)"
  cargo run --release -q -p ringside-split -- split "$wasm" tools/split/first-load.txt \
    "$tmp/primary.wasm" "$tmp/rest.wasm" || { rm -rf "$tmp"; return 1; }
  wasm-opt -Oz --one-caller-inline-max-function-size 0 "$tmp/primary.wasm" -o "$wasm" \
    && wasm-opt -O3 "$tmp/rest.wasm" -o "$dist/ringside-rest.wasm" \
    && python3 tools/split/integrity.py "$dist/index.html" "$wasm"
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

# The first load: gzip -9 of index.html (it carries the start-up code and the
# stylesheet, tools/inline.py) and the built wasm, each and in total, next to the
# budget (lines start with `bench:`; a measurement, not a check). The split's rest is
# shown apart.
first_load_report() {
  local f total=0 g
  for f in dist/index.html dist/*.wasm; do
    [ -f "$f" ] || continue
    # Fetched after the page is interactive, not part of the first load.
    if [ "$(basename "$f")" = ringside-rest.wasm ]; then
      printf 'bench: %-40s %8d bytes raw %8d bytes gzip (after the first load)\n' \
        "$(basename "$f")" "$(wc -c < "$f")" "$(gzip -9 -c "$f" | wc -c)"
      continue
    fi
    g=$(gzip -9 -c "$f" | wc -c)
    total=$((total + g))
    printf 'bench: %-40s %8d bytes raw %8d bytes gzip\n' "$(basename "$f")" "$(wc -c < "$f")" "$g"
  done
  printf 'bench: first load (page+wasm, each gzip -9) %d bytes = %d KiB (target ≤ 400 KiB)\n' "$total" "$((total / 1024))"
}
