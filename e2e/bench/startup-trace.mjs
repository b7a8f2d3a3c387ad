// Where a first visit's start-up goes on the page's main thread, from a
// Chromium trace (prints numbers, not pass/fail). Run after a release build:
//   node e2e/bench/startup-trace.mjs [visits]
// For each first visit (a fresh browser context): the app's marks, the
// top-level tasks over 2 ms (wall clock and thread CPU), and the wasm
// functions V8 compiled lazily (on their first call) between the marks.
// Tracing slows the page itself; compare visits with each other, not with
// `browser.mjs`'s untraced figures.
import { serve, launch } from '../lib/harness.mjs';

const VISITS = Number(process.argv[2] ?? 3);
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink', 'toplevel', 'blink.user_timing'];
const ms = (us) => (us / 1000).toFixed(1);

async function readyMark(context, page) {
  const cdp = await context.newCDPSession(page);
  for (;;) {
    const { result } = await cdp.send('Runtime.evaluate', {
      expression: 'document.documentElement.dataset.readyMs', returnByValue: true,
    });
    if (result.value) return Number(result.value);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const server = await serve();
const browser = await launch();
try {
  for (let i = 0; i < VISITS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.goto(server.url, { waitUntil: 'commit' });
    const ready = await readyMark(context, page);
    const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    await context.close();
    const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame);
    if (!nav) throw new Error('no navigationStart in the trace');
    const onMain = (e) => e.pid === nav.pid && e.tid === nav.tid && e.ph === 'X' && e.ts >= nav.ts;
    const marks = events
      .filter((e) => e.pid === nav.pid && e.tid === nav.tid && e.name.startsWith('ringside:'))
      .map((e) => [e.name, e.ts])
      .sort((a, b) => a[1] - b[1]);
    const end = marks.find(([n]) => n === 'ringside:ready')?.[1] ?? nav.ts + ready * 1000;
    console.log(`visit ${i + 1}: ready ${ready} ms (traced); marks ${marks.map(([n, t]) => `${n.slice(9)} ${ms(t - nav.ts)}`).join(', ')}`);
    const tasks = events.filter((e) => onMain(e) && e.name === 'RunTask' && e.ts <= end && e.dur > 2000);
    console.log(`  tasks over 2 ms (start +wall, cpu): ${tasks.map((e) => `${ms(e.ts - nav.ts)} +${ms(e.dur)} (${ms(e.tdur ?? 0)})`).join('; ')}`);
    // Lazy compilation between consecutive marks.
    const compiles = events.filter((e) => onMain(e) && e.name === 'wasm.CompileLazy' && e.ts <= end);
    let from = nav.ts;
    const phases = [];
    for (const [name, t] of marks.filter(([, t]) => t <= end)) {
      const inside = compiles.filter((e) => e.ts >= from && e.ts < t);
      phases.push(`${name.slice(9)} ${inside.length} (${ms(inside.reduce((s, e) => s + (e.tdur ?? 0), 0))} ms)`);
      from = t;
    }
    const cpu = compiles.reduce((s, e) => s + (e.tdur ?? 0), 0);
    console.log(`  wasm functions compiled lazily before ready: ${compiles.length}, ${ms(cpu)} ms of CPU; up to each mark: ${phases.join(', ')}`);
  }
} finally {
  await browser.close();
  await server.close();
}
