// Running an endless loop at full speed keeps the page responsive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from '../lib/harness.mjs';
import { openApp, byId, cycle, running, FULL_SPEED } from '../lib/app.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('pause takes effect quickly while an infinite loop runs at full speed', async () => {
  // The lesson stops at 60,000 cycles; raise the limit so the loop really runs on.
  const { page, errors } = await openApp(browser, server, 'scenario=loop-cooperative&max_cycles=1000000000');
  await byId(page, 'speed').selectOption({ index: FULL_SPEED });
  await byId(page, 'run-button').click();
  await byId(page, 'pause-button').waitFor();
  await page.waitForTimeout(1500);
  assert.ok(await running(page), 'still running');

  // The page answers script while running: round trips stay short.
  let worst = 0;
  for (let i = 0; i < 5; i++) {
    const t = Date.now();
    await page.evaluate(() => document.querySelector('[data-testid=cycle]').textContent);
    worst = Math.max(worst, Date.now() - t);
  }
  assert.ok(worst < 250, `evaluate round trip ${worst} ms`);

  const box = await byId(page, 'pause-button').boundingBox();
  const t0 = Date.now();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await byId(page, 'run-button').waitFor({ timeout: 2000 });
  const took = Date.now() - t0;
  console.log(`pause took effect after ${took} ms`);
  assert.ok(took < 500, `pause took ${took} ms`);
  const stopped = await cycle(page);
  assert.ok(stopped > 60_000, `ran past the lesson's limit: ${stopped}`);
  await page.waitForTimeout(200);
  assert.equal(await cycle(page), stopped, 'paused means paused');
  assert.deepEqual(errors, []);
  await page.close();
});
