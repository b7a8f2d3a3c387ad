// Shared end-to-end harness: serves the built dist/ on a loopback port of its own
// choosing and drives Debian's Chromium through playwright-core.
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const DIST = process.env.RINGSIDE_DIST ?? path.join(ROOT, 'dist');
export const SHOTS = path.join(ROOT, 'target', 'e2e');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** How long a browser may keep a file, as `tools/serve` says it: Trunk's
 * hashed file names (and the rest of the wasm, fetched with `?v=` its hash)
 * never change, so a return visit takes them, and the wasm V8 compiled from
 * them, from the browser's caches; anything else is checked every time. */
export function cacheControl(url) {
  // Trunk writes its 64-bit hash without leading zeros: 16 hex digits, sometimes fewer.
  return /-[0-9a-f]{8,16}(_bg)?\.\w+$|\?v=[0-9a-f]+$/.test(url) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

// Headers that make the page cross-origin isolated, which gives it timestamps
// precise to 5 µs: without them Chromium rounds `performance.now()` and the
// frames' timestamps to 0.1 ms, and an idle page's frame intervals then read
// 16.6, 16.7 and 16.8 ms (its p95 16.8 ms) for a 16.67 ms refresh.
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serve `dir` on 127.0.0.1 at a free port; resolves to { url, close }.
 * `isolated`: send the headers that make the page cross-origin isolated. */
export async function serve(dir = DIST, { isolated = false } = {}) {
  await fs.access(path.join(dir, 'index.html')).catch(() => {
    throw new Error(`${dir}/index.html is missing: build the app first (trunk build --release)`);
  });
  const server = http.createServer(async (req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request'); // e.g. `//` or a bad %-escape: never crash the server
      return;
    }
    const file = path.join(dir, urlPath.endsWith('/') ? urlPath + 'index.html' : urlPath);
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': cacheControl(req.url),
        ...(isolated ? ISOLATION : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launch headless Debian Chromium with flags that keep it off the (closed) network. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: LAUNCH_ARGS,
  });
}

/** Headless Chromium with a profile of its own (a temporary folder, removed
 * on close) kept across pages, as a student's browser keeps its caches. */
export async function launchProfile() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ringside-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: LAUNCH_ARGS,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    await fs.rm(dir, { recursive: true, force: true });
  };
  return context;
}

/** A fresh page that records console errors and uncaught exceptions (`initScript`
 * runs in the page before its own scripts). */
export async function openPage(browser, url, initScript, gotoOptions) {
  // A persistent context (`launchProfile`) has its viewport already.
  const page = await browser.newPage(browser.newContext ? { viewport: { width: 1400, height: 900 } } : {});
  if (initScript) await page.addInitScript(initScript);
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url, gotoOptions);
  return { page, errors };
}

/** Save a screenshot under target/e2e/ for a person to look at. */
export async function screenshot(page, name) {
  await fs.mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  // Panels below the fold skip rendering (content-visibility: auto) until
  // scrolled to; a full-page picture should show them all.
  const style = await page.addStyleTag({ content: '.workspace > .panel { content-visibility: visible !important; }' });
  await page.screenshot({ path: file, fullPage: true });
  await style.evaluate((el) => el.remove());
  return file;
}
