// What a newcomer hits: every lesson passes an axe-core audit in the light and
// the dark theme; the step buttons have names a screen reader can tell apart; a
// step is announced; the lesson's key moment stays on screen after the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId, cycle, runToStop, seek } from '../lib/app.mjs';
import { seriousViolations } from '../lib/axe.mjs';
import { LESSONS } from '../lib/lessons.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

for (const scheme of ['light', 'dark']) {
  test(`axe-core: no serious or critical violation in any lesson (${scheme} theme)`, async () => {
    const found = [];
    for (const name of LESSONS) {
      const { page, errors } = await openApp(browser, server, `scenario=${name}`);
      await page.emulateMedia({ colorScheme: scheme });
      // Audit a moment with every panel filled: a few steps into the lesson.
      await byId(page, 'step-trap').click();
      await page.waitForFunction(() => document.querySelector('.app')?.dataset.running === 'false');
      for (const v of await seriousViolations(page)) found.push(`${name}: ${v}`);
      assert.deepEqual(errors, [], `${name}: console errors`);
      await page.close();
    }
    assert.deepEqual(found, [], `${scheme}: axe-core violations`);
  });
}

test('each button has a unique accessible name within its group', async () => {
  const { page, errors } = await openApp(browser, server);
  const groups = await page.locator('.controls .group').evaluateAll((els) =>
    els.map((g) => [...g.querySelectorAll('button')].map((b) => (b.getAttribute('aria-label') ?? b.textContent).trim())));
  assert.ok(groups.length >= 3);
  for (const names of groups) assert.equal(new Set(names).size, names.length, `duplicate names: ${names}`);
  const all = groups.flat();
  assert.equal(new Set(all).size, all.length, 'unique across the toolbar too');
  assert.equal(await page.getByRole('button', { name: 'Step forward one instruction', exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Step back to the previous trap', exact: true }).count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a step is announced in a polite live region', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  const live = byId(page, 'announce');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  const before = await live.textContent();
  await byId(page, 'step-trap').click();
  await page.waitForFunction((b) => document.querySelector('[data-testid=announce]').textContent !== b, before);
  const text = await live.textContent();
  assert.match(text, /^cycle [\d\u202f]+/);
  assert.match(text, /(vector|gate) 64|int \$64/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('processes-vs-threads: after the run the comparison is still on screen, each process marked exited', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=processes-vs-threads');
  await runToStop(page);
  assert.equal(await byId(page, 'status').innerText(), 'finished');
  const spaces = page.locator('[data-testid^="space-P"]:not([data-testid*="frame"]):not([data-testid*="value"])');
  assert.equal(await spaces.count(), 3, 'every process that existed');
  for (const s of await spaces.all()) assert.match(await s.textContent(), /exited at cycle \d/);
  const forkers = spaces.filter({ hasText: 'forker' });
  const values = await forkers.locator('[data-testid^="space-value-"]').allTextContents();
  assert.deepEqual(values.map((v) => parseInt(v, 10)).sort(), [100, 200], 'two processes, two values');
  const threadValues = await spaces.filter({ hasText: 'threader' }).locator('[data-testid^="thread-value-T"]').allTextContents();
  assert.equal(threadValues.length, 2, 'two threads');
  assert.equal(threadValues[0], threadValues[1], 'one value for the two threads');
  assert.match(await byId(page, 'panel-sched').textContent(), /exited at cycle/);
  assert.equal(await byId(page, 'queue-exited').locator('li').count(), 4, 'every thread, in the exited queue');
  await screenshot(page, 'processes-vs-threads-end');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a table of 256 processes draws the rows in sight, numbered for screen readers, and passes the audit', async () => {
  const { page, errors } = await openApp(browser, server, 'bench=256');
  await byId(page, 'step-switch').click();
  await page.waitForFunction(() => document.querySelector('.app')?.dataset.running === 'false');
  const table = page.locator('table.pcbs');
  assert.equal(await table.getAttribute('aria-rowcount'), '257', 'the header and 256 processes');
  const drawn = await page.locator('[data-testid^="pcb-P"]').count();
  assert.ok(drawn >= 14 && drawn <= 30, `a window of rows, not all 256: ${drawn}`);
  assert.equal(await byId(page, 'pcb-P1').getAttribute('aria-rowindex'), '2');
  // Scrolled to the end, the last processes are drawn in place of the first.
  await table.locator('xpath=..').evaluate((s) => { s.scrollTop = s.scrollHeight; });
  await byId(page, 'pcb-P256').waitFor();
  assert.equal(await byId(page, 'pcb-P256').getAttribute('aria-rowindex'), '257');
  assert.equal(await byId(page, 'pcb-P1').count(), 0);
  // The metrics table (header, rows, average) is windowed the same way.
  assert.equal(await page.locator('table.metrics').getAttribute('aria-rowcount'), '258');
  // A queue shows its first 64 chips and counts the rest.
  const ready = page.locator('.queues .queue').nth(1);
  assert.equal(await ready.locator('.chip').count(), 64);
  assert.match(await ready.locator('.more').textContent(), /^\+\d+ more$/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('paused, a Gantt chart of 256 lanes draws the lanes in the page\'s sight and keeps its height', async () => {
  const { page, errors } = await openApp(browser, server, 'bench=256');
  await seek(page, 600_000);
  const gantt = byId(page, 'panel-gantt');
  const labels = () => gantt.locator('.lane-label').allTextContents();
  // Its top in sight: the first lanes, not all 257 (256 processes and the idle lane).
  await gantt.locator('svg.gantt').evaluate((s) => s.scrollIntoView({ block: 'start' }));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-gantt] .lane-label').length > 0);
  let drawn = await labels();
  assert.ok(drawn.length >= 16 && drawn.length < 200, `a window of lanes: ${drawn.length}`);
  const height = await gantt.locator('svg.gantt').evaluate((s) => s.getBoundingClientRect().height);
  assert.ok(height > 257 * 10, `every lane keeps its height: ${height} px`);
  // Its end in sight: the last lanes, drawn in place of the first.
  const first = drawn[0];
  await gantt.locator('svg.gantt').evaluate((s) => s.scrollIntoView({ block: 'end' }));
  await page.waitForFunction((f) => ![...document.querySelectorAll('[data-testid=panel-gantt] .lane-label')].some((l) => l.textContent === f), first);
  drawn = await labels();
  assert.ok(drawn.length < 200 && drawn.some((l) => /256/.test(l)), `the last lanes: ${drawn.slice(-3)}`);
  assert.deepEqual(errors, []);
  await page.close();
});
