import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, screenshot } from '../lib/harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the shell loads without console errors and the help overlay opens on click', async () => {
  const { page, errors } = await openPage(browser, server.url);
  await page.getByRole('heading', { name: 'Ringside', level: 1 }).waitFor();
  assert.equal(await page.locator('[role=dialog]').count(), 0);

  await page.click('#help-button');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Keyboard shortcuts/);
  await screenshot(page, 'shell-help');

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

// What each page had drawn when its ready mark was set, and a step clicked then.
function watchReady() {
  new MutationObserver((_, observer) => {
    if (!document.documentElement?.dataset.readyMs) return;
    observer.disconnect();
    const cycle = () => document.querySelector('[data-testid=cycle]')?.textContent;
    window.__atReady = {
      panels: document.querySelectorAll('.workspace > .panel').length,
      controls: Boolean(document.querySelector('[data-testid=step-instruction]')),
      lesson: Boolean(document.querySelector('[data-testid=lesson] h2')?.textContent),
      cycle: cycle(),
    };
    document.querySelector('[data-testid=step-instruction]')?.click();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready-ms'] });
}

test('the first screen is painted and answers a click before the panels below it, which follow', async () => {
  const { page, errors } = await openPage(browser, server.url, watchReady);
  await page.waitForFunction(() => performance.getEntriesByName('ringside:drawn').length === 1);
  const at = await page.evaluate(() => window.__atReady);
  assert.equal(at.panels, 0, 'the panels come after the ready mark');
  assert.ok(at.controls && at.lesson, 'the lesson and the controls are there at the ready mark');
  const ready = await page.evaluate(() => performance.getEntriesByName('ringside:ready')[0].startTime);
  const drawn = await page.evaluate(() => performance.getEntriesByName('ringside:drawn')[0].startTime);
  assert.ok(drawn > ready, `every panel drawn (${drawn} ms) after the ready mark (${ready} ms)`);
  assert.equal(await page.locator('.workspace > .panel').count(), 12, 'every panel, in the end');
  // The step clicked at the ready mark was taken: one instruction on.
  await page.locator('[data-testid=cycle]').filter({ hasNotText: new RegExp(`^${at.cycle}$`) }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('an embedded page, all panels, draws them with the rest', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?embed=1&panels=cpu,code,console`, watchReady);
  await page.waitForFunction(() => performance.getEntriesByName('ringside:drawn').length === 1);
  assert.equal((await page.evaluate(() => window.__atReady)).panels, 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at full speed nothing animates; paused or slower, a chip that moves animates in', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?bench=64`);
  const chip = page.locator('.chip').first();
  const animation = () => chip.evaluate((el) => getComputedStyle(el).animationName);
  assert.equal(await animation(), 'chip-in');
  await page.locator('[data-testid=speed]').selectOption({ index: 5 });
  await page.locator('[data-testid=run-button]').click();
  await page.locator('.app.lean').waitFor();
  assert.equal(await animation(), 'none');
  await page.locator('[data-testid=pause-button]').click();
  await page.locator('.app:not(.lean)').waitFor();
  assert.equal(await animation(), 'chip-in');
  assert.deepEqual(errors, []);
  await page.close();
});
