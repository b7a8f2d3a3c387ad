// What a newcomer hits: every lesson passes an axe-core audit in the light and
// the dark theme; the step buttons have names a screen reader can tell apart; a
// step is announced; the lesson's key moment stays on screen after the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId, cycle, runToStop } from '../lib/app.mjs';
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
