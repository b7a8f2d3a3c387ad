// Every built-in lesson opens, runs to its end (or its cycle limit) without a
// console error, and leaves a screenshot under target/e2e/<name>.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId, cycle, runToStop } from '../lib/app.mjs';
import { LESSONS as NAMES } from '../lib/lessons.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the gallery lists every built-in scenario and opens one on click', async () => {
  const { page, errors } = await openApp(browser, server);
  for (const name of NAMES) {
    assert.equal(await byId(page, `scenario-${name}`).count(), 1, name);
  }
  assert.equal(await page.locator('.gallery [aria-current="page"]').getAttribute('data-testid'), 'scenario-syscall-read');
  // The cards share one listener: a click between them opens nothing.
  const list = page.locator('.gallery ul');
  await list.click({ position: { x: 2, y: 2 } });
  assert.equal(await page.locator('.app').getAttribute('data-scenario'), 'syscall-read');
  assert.equal(await byId(page, 'notice').count(), 0);
  // A click on a card's title opens that card's lesson, now the current one.
  await byId(page, 'scenario-io-overlap').locator('.card-title').click();
  await page.locator('.app[data-scenario="io-overlap"]').waitFor();
  assert.match(await byId(page, 'lesson').innerText(), /disk/);
  assert.match(page.url(), /scenario=io-overlap/);
  assert.equal(await page.locator('.gallery [aria-current="page"]').getAttribute('data-testid'), 'scenario-io-overlap');
  // And from the keyboard.
  await byId(page, 'scenario-sched-fifo').focus();
  await page.keyboard.press('Enter');
  await page.locator('.app[data-scenario="sched-fifo"]').waitFor();
  await page.close();
  assert.deepEqual(errors, []);
});

for (const name of NAMES) {
  test(`${name} runs to its end`, async () => {
    const { page, errors } = await openApp(browser, server, `scenario=${name}`);
    assert.equal(await page.locator('.app').getAttribute('data-scenario'), name);
    await runToStop(page);
    const status = await byId(page, 'status').innerText();
    assert.ok(['finished', 'cycle limit', 'machine stopped'].includes(status), `${name}: ${status}`);
    assert.ok((await cycle(page)) > 0);
    await screenshot(page, name);
    await page.close();
    assert.deepEqual(errors, [], `${name}: console errors`);
  });
}

test('an unknown ?scenario= opens the default lesson with a notice; ?bench=n builds n processes', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=no-such-lesson');
  assert.equal(await page.locator('.app').getAttribute('data-scenario'), 'syscall-read');
  assert.match(await byId(page, 'notice').innerText(), /no-such-lesson/);
  await page.close();
  const bench = await openApp(browser, server, 'bench=8');
  assert.equal(await bench.page.locator('.app').getAttribute('data-scenario'), 'bench-8');
  await byId(bench.page, 'step-switch').click();
  await bench.page.locator('[data-testid^="pcb-P"]').nth(7).waitFor();
  assert.equal(await bench.page.locator('[data-testid^="pcb-P"]').count(), 8);
  await bench.page.close();
  assert.deepEqual([...errors, ...bench.errors], []);
});

test('the address bar comes to name the open lesson, replaced in place, and a reload reopens it', async () => {
  // Opened bare: set after the first screen, in a task of its own.
  const { page, errors } = await openApp(browser, server);
  const entries = await page.evaluate(() => history.length);
  await page.waitForFunction(() => location.search === '?scenario=syscall-read');
  assert.equal(await page.evaluate(() => history.length), entries, 'replaced, not pushed');
  // Another lesson opened from the gallery: named at once, in the same entry.
  await byId(page, 'scenario-mlfq-long').click();
  await page.locator('.app[data-scenario="mlfq-long"]').waitFor();
  await page.waitForFunction(() => location.search === '?scenario=mlfq-long');
  // Reopened by name: the address already says it and stays as it is.
  await page.reload();
  await page.locator('.app[data-scenario="mlfq-long"]').waitFor();
  assert.equal(await page.evaluate(() => [location.search, history.length].join(' ')), `?scenario=mlfq-long ${entries}`);
  await page.close();
  assert.deepEqual(errors, []);
});
