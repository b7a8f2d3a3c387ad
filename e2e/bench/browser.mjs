// Browser benchmark (prints numbers, not pass/fail). Run after a release build:
//   node e2e/bench/browser.mjs [seconds]
// Measures, in headless Chromium: time from navigation to interactive, and for
// the 64-process scenario (?bench=64, and ?bench=256) at full speed: cycles
// simulated per second, frame times, render work and wasm memory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, launchProfile, openPage, DIST } from '../lib/harness.mjs';

const SECONDS = Number(process.argv[2] ?? 5);
// Which parts to run (default all): tti, spin, 64, 256, loop — e.g. `node e2e/bench/browser.mjs 10 tti,256`.
const PARTS = (process.argv[3] ?? 'tti,spin,64,256,loop').split(',');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN; };
const fmt = (x, d = 1) => Number(x).toFixed(d);
// Visits per load-time figure: this VM's single loads swing by a third,
// and a median of 11 moves far less from run to run than one of 5.
const VISITS = 11;

// Where the time to interactive goes: the wasm fetched and instantiated,
// then the app's own marks (`clock::mark`): main, the session built, the
// boot skipped, the first view, ready (the first screen painted), the
// lesson's key moments found, every panel drawn.
function watchStartup() {
  const instantiate = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (...args) => {
    performance.mark('wasm:instantiate');
    const r = await instantiate(...args);
    performance.mark('wasm:instantiated');
    return r;
  };
}

// The ready mark, polled with the DevTools protocol's own evaluate: a
// Playwright evaluate or locator first injects its utility script, ~20 ms
// of compiling in the page's startup, into the very time being measured.
async function readyMark(page) {
  const cdp = await page.context().newCDPSession(page);
  for (;;) {
    const { result } = await cdp.send('Runtime.evaluate', {
      expression: 'document.documentElement.dataset.readyMs', returnByValue: true,
    });
    if (result.value) return Number(result.value);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startupPhases(page, phases) {
  // The panels below the first screen come after the ready mark, a group per task.
  await page.waitForFunction(() => performance.getEntriesByName('ringside:drawn').length, null, { polling: 20 });
  const marks = await page.evaluate(() => [
    ...performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.wasm')).map((r) => ['wasm:fetched', r.responseEnd]),
    ...performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
  ]);
  for (const [name, t] of marks) (phases[name] ??= []).push(t);
}

// This machine's CPU time from /proc/stat (Linux): all of it, and what the
// VM's host took (steal). Where a stretch of the host's own load made a
// sample slow, the steal says so.
async function cpuTimes() {
  try {
    const line = (await fs.readFile('/proc/stat', 'utf8')).split('\n')[0];
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] };
  } catch {
    return null;
  }
}

const stealPct = (a, b) => (a && b && b.total > a.total ? (100 * (b.steal - a.steal)) / (b.total - a.total) : NaN);

const phaseOrder = (phases) => Object.entries(phases).map(([n, ts]) => [n, median(ts)]).sort((a, b) => a[1] - b[1]);

// A first visit: a fresh browser context, nothing cached. Each of the app's
// visits is followed by one to each floor page (`floorPages`), so a swing of
// this VM moves the app and its floor alike; the ratio printed is the median
// of the rounds' own ratios.
async function timeToInteractive(browser, url, floor, runs = VISITS) {
  const ready = [], wall = [], phases = {}, screen = [], empty = [], ratio = [];
  const cpuA = await cpuTimes();
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    const { page } = await openPage(browser, url, watchStartup, { waitUntil: 'commit' });
    ready.push(await readyMark(page));
    wall.push(Date.now() - t0);
    await startupPhases(page, phases);
    await page.close();
    for (const [times, file] of [[screen, ''], [empty, 'empty.html']]) {
      const { page } = await openPage(browser, floor.url + file, null, { waitUntil: 'commit' });
      times.push(await readyMark(page));
      await page.close();
    }
    ratio.push(ready[i] / screen[i]);
  }
  return {
    ready: median(ready), wall: median(wall), phases: phaseOrder(phases), steal: stealPct(cpuA, await cpuTimes()),
    screen: median(screen), empty: median(empty), ratio: median(ratio),
  };
}

// A return visit: a new page in the same running browser and profile, with
// the app's files served cacheable (`tools/serve` does the same), so they
// come from the HTTP cache. V8 still compiles each wasm function on its
// first call: traced here, Chromium writes no wasm code cache for the app
// (none would hold the startup's code anyway: V8 caches only functions it
// has optimised, and the startup runs once).
async function returnVisits(url, runs = VISITS) {
  const context = await launchProfile();
  const ready = [], phases = {};
  try {
    for (let i = 0; i <= runs; i++) {
      const { page } = await openPage(context, url, watchStartup, { waitUntil: 'commit' });
      const t = await readyMark(page);
      // Visit 0 fills the caches: the code cache is written once no new
      // optimised code has come for 2 s.
      if (i > 0) {
        ready.push(t);
        await startupPhases(page, phases);
      }
      await page.waitForTimeout(4000);
      await page.close();
    }
  } finally {
    await context.close();
  }
  return { ready: median(ready), phases: phaseOrder(phases) };
}

// What the browser alone takes on this machine to the same mark: the app's
// first screen saved at its ready mark as plain HTML (its stylesheet, no
// wasm, no app code), and an empty page. Each ends on the app's own mark
// (a task after the frame that paints the page), read the same way. The
// app's figure less these is what its code costs.
const MARK = '<script>requestAnimationFrame(() => setTimeout(() => { document.documentElement.dataset.readyMs = performance.now().toFixed(1); }));</script>';

function saveFirstScreen() {
  // Observed from the document, so it sees the root element however early.
  new MutationObserver((_, seen) => {
    if (document.documentElement.dataset.readyMs) {
      window.firstScreen = document.documentElement.outerHTML;
      seen.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready-ms'] });
}

async function floorPages(browser, url) {
  const { page } = await openPage(browser, url, saveFirstScreen);
  await page.waitForFunction(() => window.firstScreen, null, { polling: 20 });
  const html = (await page.evaluate(() => window.firstScreen))
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<link[^>]*(modulepreload|as="fetch")[^>]*>/g, '')
    .replace(/ data-ready-ms="[^"]*"/, '');
  await page.close();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ringside-floor-'));
  for (const f of await fs.readdir(DIST)) if (/\.(css|svg)$/.test(f)) await fs.copyFile(path.join(DIST, f), path.join(dir, f));
  await fs.writeFile(path.join(dir, 'index.html'), `<!doctype html>${html.replace('</body>', `${MARK}</body>`)}`);
  await fs.writeFile(path.join(dir, 'empty.html'), `<!doctype html><html lang=en><title>empty</title><p>.</p>${MARK}</html>`);
  const server = await serve(dir);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

// What this machine's frames do with no app at all: a page that only spins
// in its frame callbacks until `ms` after each frame began, as the pacer's
// slices do. Frames it misses are the host's and the browser's, not the
// app's: the pacer takes a late frame that draws nothing, alone, for such a
// stall (`src/state/pacing.rs`).
async function spinningPage(browser, ms, frames = 600) {
  const page = await browser.newPage();
  await page.setContent('<p>spinning</p>');
  const cpuA = await cpuTimes();
  const r = await page.evaluate(([ms, n]) => new Promise((resolve) => {
    let last = null, late = 0, busy = 0, first = null, count = 0;
    const loop = (t) => {
      const start = performance.now();
      if (last !== null && t - last > 1.25 * (1000 / 60)) late++;
      last = t;
      first ??= start;
      while (performance.now() < t + ms) { /* the slice */ }
      busy += performance.now() - start;
      if (++count < n) requestAnimationFrame(loop);
      else resolve({ late, share: busy / (performance.now() - first) });
    };
    requestAnimationFrame(loop);
  }), [ms, frames]);
  const steal = stealPct(cpuA, await cpuTimes());
  await page.close();
  console.log(`bench: a page that only spins to ${ms} ms after each frame began: ${r.late} of ${frames - 1} frames late` +
    ` (over 1.25 refresh periods), ${fmt(100 * r.share, 1)} % of the time in its callbacks; steal meanwhile ${fmt(steal)} %`);
}

// Issue 19's memory targets: wasm memory after 60 s at full speed.
const WASM_TARGET_MB = { 64: 48, 256: 96 };

async function fullSpeed(browser, url, label, wasmTargetMb) {
  const { page, errors } = await openPage(browser, url, () => {
    // Trunk announces the wasm instance: keep its memory to read its size.
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
  });
  await page.locator('[data-testid=run-button]').waitFor();
  await page.locator('[data-testid=speed]').selectOption({ index: 5 });
  // The same page before it runs: what its frame intervals read with
  // nothing to do (the measure's own floor on this machine).
  const idle = await page.evaluate(() => new Promise((resolve) => {
    const f = [];
    let last = null;
    const loop = (t) => {
      if (last !== null) f.push(t - last);
      last = t;
      if (f.length < 120) requestAnimationFrame(loop); else resolve({ f, isolated: crossOriginIsolated });
    };
    requestAnimationFrame(loop);
  }));
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const loop = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  });
  await page.locator('[data-testid=run-button]').click();
  await page.waitForTimeout(1000); // warm-up: the slice size adapts to the budget
  const sample = () => page.evaluate(() => ({
    t: performance.now(),
    cycle: Number(document.querySelector('[data-testid=cycle]').textContent),
    heap: performance.memory?.usedJSHeapSize ?? 0,
    wasm: window.__wasmMemory?.buffer.byteLength ?? 0,
    slice: Number(document.querySelector('.app').dataset.slice),
    sliceMs: Number(document.querySelector('.app').dataset.sliceMs),
    viewMs: Number(document.querySelector('.app').dataset.viewMs),
    rate: Number(document.querySelector('.app').dataset.rate),
    lightMs: Number(document.querySelector('.app').dataset.lightMs),
    heavyMs: Number(document.querySelector('.app').dataset.heavyMs),
    drawMs: (document.querySelector('.app').dataset.drawMs ?? '').split(' ').map(Number),
    budgetMs: Number(document.querySelector('.app').dataset.budgetMs),
    redrawBudgetMs: Number(document.querySelector('.app').dataset.redrawBudgetMs),
    viewIntervalMs: Number(document.querySelector('.app').dataset.viewIntervalMs),
    simMs: Number(document.querySelector('.app').dataset.simMsTotal),
    simCycles: Number(document.querySelector('.app').dataset.simCyclesTotal),
    // The scenario's cycle limit, as the controls show it (" / 1,000,000,000").
    limit: Number(document.querySelector('[data-testid=cycle]').nextElementSibling?.textContent.replace(/\D/g, '') || Infinity),
  }));
  await page.evaluate(() => { window.__frames = []; });
  const cpuA = await cpuTimes();
  const a = await sample();
  // Sampled every second: a scenario's cycle limit (at most 10^9) can end
  // the run before the time is up, and rates count only the time it ran.
  // The pause is timed with the run going, at the sample's end; a run that
  // would reach its limit within ~2.5 s (where it stops by itself) ends the
  // sample there, and goes on to the limit after the pause.
  let b = a, last = a, running = true, nearLimit = false;
  while (last.t - a.t < SECONDS * 1000) {
    await page.waitForTimeout(Math.min(1000, SECONDS * 1000 - (last.t - a.t)));
    last = await sample();
    running = (await page.locator('.app').getAttribute('data-running')) === 'true';
    if (!running) break;
    b = last;
    const perMs = (last.cycle - a.cycle) / (last.t - a.t);
    if (last.cycle + perMs * 2500 >= last.limit) { nearLimit = true; break; }
  }
  const frames = await page.evaluate(() => window.__frames.slice(1));
  const steal = stealPct(cpuA, await cpuTimes());
  let pauseMs = NaN;
  if (running) {
    // Timed in the page, from the click to the Run button back in the DOM
    // (Playwright's own click and wait add round trips of their own).
    pauseMs = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      new MutationObserver((_, seen) => {
        if (document.querySelector('[data-testid=run-button]')) {
          seen.disconnect();
          resolve((performance.now() - t0).toFixed(1));
        }
      }).observe(document.body, { subtree: true, childList: true });
      document.querySelector('[data-testid=pause-button]').click();
    }));
  }
  if (nearLimit) {
    await page.locator('[data-testid=run-button]').click();
    await page.waitForFunction((limit) => document.querySelector('.app').dataset.running === 'false'
      && Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, '')) >= limit, last.limit, { polling: 200, timeout: 60_000 });
    last = await sample();
    running = false;
  }
  const cps = ((b.cycle - a.cycle) * 1000) / (b.t - a.t);
  console.log(`bench: ${label}: ${fmt(cps / 1e6, 2)} M cycles/s over ${fmt((b.t - a.t) / 1000)} s` +
    ` (${b.cycle - a.cycle} cycles${running ? '' : `; the run reached its cycle limit, ${last.cycle}, after ${fmt((last.t - a.t) / 1000 + 1)} s`})`);
  const late = (ms) => frames.filter((f) => f > ms).length;
  console.log(`bench: ${label}: frames ${frames.length}, median ${fmt(median(frames), 2)} ms,` +
    ` p95 ${fmt(pct(frames, 0.95), 2)} ms, p99 ${fmt(pct(frames, 0.99), 2)} ms, worst ${fmt(Math.max(...frames))} ms;` +
    ` ${late(20)} over 20 ms, ${late(50)} over 50 ms; pause click → Run button back ${pauseMs} ms (in the page);` +
    ` the same page idle before the run: p95 ${fmt(pct(idle.f, 0.95), 2)} ms of ${idle.f.length} frames` +
    ` (${idle.isolated ? 'cross-origin isolated: timestamps to 5 µs' : 'not isolated: timestamps rounded to 0.1 ms'})`);
  console.log(`bench: ${label}: the pacer's running average of the engine's rate inside a slice: ${fmt(b.rate / 1e3, 2)} M cycles/s` +
    ` (it weighs every slice alike and moves from frame to frame)`);
  // Where the page's rate goes: the engine's own rate inside the slices of
  // this sample (time-weighted) and the share of wall-clock time they got.
  const sliceRate = (b.simCycles - a.simCycles) / (b.simMs - a.simMs);
  console.log(`bench: ${label}: over the sample the slices ran at ${fmt(sliceRate / 1e3, 2)} M cycles/s` +
    ` (the engine alone inside a slice, time-weighted) and took ${fmt((100 * (b.simMs - a.simMs)) / (b.t - a.t), 0)} % of wall-clock time;` +
    ` the VM's host took ${fmt(steal)} % of this machine's CPU time meanwhile (steal, /proc/stat)`);
  // Issue 19's targets, each printed next to its figure.
  console.log(`bench: ${label}: the page's rate is ${fmt((100 * cps) / sliceRate / 1e3, 0)} % of the engine alone (target ≥ 85 %;` +
    ` ${fmt((100 * cps) / b.rate / 1e3, 0)} % of the pacer's running average); frame p95 ${fmt(pct(frames, 0.95), 2)} ms (target ≤ 16.7 ms)`);
  const redrawTarget = label.startsWith('256') ? ' (target with 256 processes: ≤ 4 ms)' : '';
  console.log(`bench: ${label}: work besides the slice ${fmt(b.lightMs)} ms on a frame that draws nothing;` +
    ` ${fmt(b.heavyMs)} ms on the costliest frame that redraws a group of panels${redrawTarget}` +
    ` (groups top to bottom ${b.drawMs.slice(0, 4).map((d) => fmt(d)).join(', ')} ms; the view computed on a frame of its own,` +
    ` ${fmt(b.drawMs[4])} ms with that frame's render, ${fmt(b.viewMs)} ms alone; a new view every ${fmt(b.viewIntervalMs, 0)} ms, 100–500 ms as drawing costs);` +
    ` learned work budget per frame ${fmt(b.budgetMs)} ms, ${fmt(b.redrawBudgetMs)} ms on a frame that draws (each grows while its frames come on time)`);
  if (a.heap) console.log(`bench: ${label}: JS heap ${fmt(b.heap / 1e6)} MB`);
  if (b.wasm) {
    const target = wasmTargetMb ? ` (target after 60 s: ≤ ${wasmTargetMb} MB)` : '';
    console.log(`bench: ${label}: wasm memory ${fmt(a.wasm / 1e6)} MB → ${fmt(last.wasm / 1e6)} MB over the sample;` +
      ` ${fmt(last.wasm / 1e6)} MB after ${fmt((last.t - a.t) / 1000 + 1, 0)} s${running ? ' at full speed' : ' (the run ended at its cycle limit)'}${target}`);
  }
  if (wasmTargetMb) await seeksBack(page, label);
  if (errors.length) console.log(`bench: ${label}: console errors: ${errors.join(' | ')}`);
  await page.close();
}

// Issue 19: any seek within a session under 100 ms. A session holds at most
// 10^9 cycles (a scenario's limit), which the run above reaches: the slowest
// seek back replays the widest gap between snapshots, so it lands at that
// gap's end (the page names it in `data-snapshot-gap` once stopped). Timed
// in the page, from the seek's change event to the cycle shown.
async function seeksBack(page, label) {
  await page.waitForFunction(() => document.querySelector('.app').dataset.snapshotGap);
  const shownCycle = () => Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, ''));
  const end = await page.evaluate(shownCycle);
  const timeSeek = (target) => page.evaluate((t) => new Promise((resolve) => {
    const shown = () => Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, '')) === t
      && document.querySelector('.app').dataset.running === 'false';
    const input = document.querySelector('[data-testid=seek-input]');
    const t0 = performance.now();
    input.value = String(t);
    input.dispatchEvent(new Event('change', { bubbles: true }));
    // Shown: the cycle is in the page (the frame that paints it follows).
    // Painted: a task queued from that frame runs after its paint (this
    // also keeps one seek's paint out of the next one's time).
    const poll = () => {
      if (!shown()) return requestAnimationFrame(poll);
      const dom = performance.now() - t0;
      requestAnimationFrame(() => setTimeout(() => resolve([dom, performance.now() - t0])));
    };
    poll();
  }), target);
  const engine = () => page.evaluate(() => Number(document.querySelector('.app').dataset.commandMs));
  const times = [];
  // Near the end and at the start, each followed by the way forward to the
  // end again (a seek back keeps the snapshots after its target, so that
  // is a replay from the one before it, not a run the whole way); then the
  // widest gap, read after them. Three of each, the median printed (one
  // measurement on this kind of machine can be twice the others).
  const median = (runs) => runs.sort((a, b) => a[0] - b[0])[1];
  for (const [name, to] of [['1 cycle back', end - 1], ['5 M cycles back', end - 5_000_000], ['back to cycle 1,000', 1_000]]) {
    if (to <= 0 || to >= end) continue;
    const back = [], forward = [];
    for (let i = 0; i < 3; i++) {
      back.push([...await timeSeek(to), await engine()]);
      forward.push([...await timeSeek(end), await engine()]);
    }
    const [b, f] = [median(back), median(forward)];
    times.push(`${name} ${fmt(b[0])} ms (median of 3; painted ${fmt(b[1])}; the engine's part ${fmt(b[2])} ms), ` +
      `forward to the end again ${fmt(f[0])} ms (painted ${fmt(f[1])}; engine ${fmt(f[2])} ms)`);
  }
  const [from, to] = (await page.evaluate(() => document.querySelector('.app').dataset.snapshotGap)).split(' ').map(Number);
  const [worst, painted] = await timeSeek(to - 1);
  const engineMs = await engine();
  console.log(`bench: ${label}: the slowest seek back from cycle ${end}, to the end of the widest gap between snapshots ` +
    `(${to - from} cycles, ${from}–${to}): ${fmt(worst)} ms (target for any seek: < 100 ms; from the change event to the cycle shown; ` +
    `the engine's part ${fmt(engineMs)} ms, the rest the page's view and render; ${fmt(painted)} ms to the frame painted); ${times.join(', ')}`);
}

const server = await serve();
// The full-speed parts on a cross-origin isolated page, for frame
// timestamps to 5 µs (see `serve`); the load times on the page as served.
const isolated = await serve(DIST, { isolated: true });
const browser = await launch();
try {
  if (PARTS.includes('tti')) {
  const floor = await floorPages(browser, server.url);
  let tti;
  try {
    tti = await timeToInteractive(browser, server.url, floor);
  } finally {
    await floor.close();
  }
  console.log(`bench: navigation → interactive, a first visit: ${fmt(tti.ready)} ms (app ready mark, median of ${VISITS}, nothing cached; target < 250 ms), ${tti.wall} ms wall clock incl. browser round trips; the VM's host took ${fmt(tti.steal)} % of the CPU time meanwhile (steal)`);
  console.log(`bench: navigation → interactive, medians: ${tti.phases.map(([n, t]) => `${n} ${fmt(t, 0)}`).join(', ')} ms`);
  console.log(`bench: navigation → interactive, this machine's floor: the same first screen as plain HTML (no wasm, no app code) ${fmt(tti.screen)} ms, an empty page ${fmt(tti.empty)} ms (first visits, median of ${VISITS}, the same mark, each right after one of the app's); the app's first visit took ${tti.ratio.toFixed(2)}× the first screen's floor (the median of the ${VISITS} rounds' ratios)`);
  const back = await returnVisits(server.url);
  console.log(`bench: navigation → interactive, a return visit: ${fmt(back.ready)} ms (median of ${VISITS} visits after a first one in the same running browser, one profile; target < 250 ms)`);
  console.log(`bench: navigation → interactive, a return visit, medians: ${back.phases.map(([n, t]) => `${n} ${fmt(t, 0)}`).join(', ')} ms`);
  }
  if (PARTS.includes('spin')) for (const ms of [15, 17.4]) await spinningPage(browser, ms);
  if (PARTS.includes('64')) await fullSpeed(browser, `${isolated.url}?bench=64`, '64 processes, RR', WASM_TARGET_MB[64]);
  if (PARTS.includes('256')) await fullSpeed(browser, `${isolated.url}?bench=256`, '256 processes, RR', WASM_TARGET_MB[256]);
  if (PARTS.includes('loop')) await fullSpeed(browser, `${isolated.url}?scenario=loop-cooperative&max_cycles=1000000000`, '1 looping process');
} finally {
  await browser.close();
  await server.close();
  await isolated.close();
}
