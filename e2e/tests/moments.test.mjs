// Finding the moment: key-moment buttons seek, a run at the default speed
// pauses at them, the lesson's panels come first, nothing overflows a phone,
// the trap frame as the CPU pushes it, and cycle-limit stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId, cycle } from '../lib/app.mjs';
import { LESSONS } from '../lib/lessons.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const waitCycle = (page, c) => page.waitForFunction(
  (c) => Number(document.querySelector('[data-testid=cycle]')?.textContent.replace(/\D/g, '')) === c, c);

test('every lesson has key-moment buttons, and each seeks to its cycle', async () => {
  for (const name of LESSONS) {
    const { page, errors } = await openApp(browser, server, `scenario=${name}`);
    const buttons = page.locator('[data-testid=moments] button.moment');
    // The moments are found just after the lesson is first drawn.
    await buttons.first().waitFor();
    const n = await buttons.count();
    assert.ok(n >= 2 && n <= 5, `${name}: ${n} moments`);
    let last = -1;
    for (let i = 0; i < n; i++) {
      const b = byId(page, `moment-${i}`);
      const at = Number(await b.getAttribute('data-cycle'));
      assert.ok(at > last, `${name}: moments in increasing order`);
      last = at;
      await b.click();
      await waitCycle(page, at);
      assert.equal(await b.getAttribute('aria-current'), 'step');
    }
    assert.deepEqual(errors, [], `${name}: console errors`);
    await page.close();
  }
});

test('a run at the default speed pauses at the first key moment (and not when switched off)', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  const first = byId(page, 'moment-0');
  assert.match(await first.innerText(), /int \$64: into the kernel/);
  const at = Number(await first.getAttribute('data-cycle'));
  assert.ok((await cycle(page)) < at);
  assert.equal(await byId(page, 'pause-at-moments').isChecked(), true, 'on by default');
  await byId(page, 'run-button').click();
  await page.locator('.app[data-running="false"]').waitFor();
  assert.equal(await cycle(page), at);
  assert.match(await byId(page, 'notice').innerText(), /Key moment: int \$64/);
  assert.match(await byId(page, 'gate-64').getAttribute('class'), /\bactive\b/);
  // Off: the run goes past every moment to the end.
  await byId(page, 'reset').click();
  await byId(page, 'pause-at-moments').uncheck();
  await byId(page, 'run-button').click();
  await page.locator('.app[data-running="false"]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent === 'finished');
  assert.deepEqual(errors, []);
  await page.close();
});

/** Panel test ids in reading order (top to bottom, then left to right). */
async function panelOrder(page) {
  // The panels arrive after the first screen, a group per task.
  await page.waitForFunction(() => performance.getEntriesByName('ringside:drawn').length === 1);
  const boxes = await page.locator('main.workspace > .panel').evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { id: el.dataset.testid ?? el.className, top: Math.round(r.top), left: Math.round(r.left) };
  }));
  boxes.sort((a, b) => a.top - b.top || a.left - b.left);
  return boxes.map((b) => b.id);
}

test("the lesson's panels come first", async () => {
  const cases = {
    'convoy-fifo': ['panel-gantt', 'panel-metrics', 'panel-sched'],
    'rr-response': ['panel-gantt', 'panel-metrics', 'panel-sched'],
    'syscall-read': ['panel-cpu', 'panel-code', 'panel-idt', 'panel-kstack'],
    'restricted-instruction': ['panel-cpu', 'panel-code', 'panel-idt', 'panel-kstack'],
  };
  for (const [name, first] of Object.entries(cases)) {
    const { page, errors } = await openApp(browser, server, `scenario=${name}`);
    const order = await panelOrder(page);
    assert.deepEqual(order.slice(0, first.length), first, `${name}: ${order.join(', ')}`);
    // Every other panel is still there, after them.
    assert.ok(order.includes('panel-events') && order.includes('panel-address'));
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('at 390 px wide no lesson overflows horizontally', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  for (const name of LESSONS) {
    await page.goto(`${server.url}?scenario=${name}`);
    await page.locator('[data-testid=cycle]').waitFor();
    // With every panel filled: into the first trap.
    await byId(page, 'step-trap').click();
    await page.waitForFunction(() => document.querySelector('.app')?.dataset.running === 'false');
    const { sw, cw } = await page.evaluate(() => ({
      sw: document.scrollingElement.scrollWidth, cw: document.scrollingElement.clientWidth,
    }));
    assert.ok(sw <= cw, `${name}: scrollWidth ${sw} > clientWidth ${cw}`);
    if (name === 'syscall-read') await screenshot(page, 'moments-390-syscall-read');
  }
  // The code stays readable: its source column is at least half the width.
  const src = await page.locator('.code-line.current .src').boundingBox();
  assert.ok(src && src.width > 150, `code column ${src?.width}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a tablet the step controls stay in reach while looking at any panel', async () => {
  const page = await browser.newPage({ viewport: { width: 820, height: 1180 } });
  await page.goto(`${server.url}?scenario=io-overlap`);
  await page.locator('[data-testid=cycle]').waitFor();
  for (const sel of ['.console-panel', '[data-testid=panel-events]', '[data-testid=panel-gantt]', '[data-testid=panel-cpu]']) {
    const id = sel;
    await page.locator(sel).scrollIntoViewIfNeeded();
    const box = await byId(page, 'step-instruction').boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 1180, `${id}: the step button is on screen (${box?.y})`);
  }
  await page.close();
});

test('the help dialog is above the controls bar', async () => {
  const { page } = await openApp(browser, server, 'scenario=syscall-read');
  await page.locator('#help-button').click();
  const box = await byId(page, 'step-instruction').boundingBox();
  const top = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('.overlay') !== null,
    [box.x + box.width / 2, box.y + box.height / 2]);
  assert.ok(top, 'the overlay covers the controls');
  await page.close();
});

test('syscall-read: stepping to the int $64 trap shows the words the CPU pushed', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'step-trap').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=mode-badge]').textContent === 'kernel');
  const ks = byId(page, 'panel-kstack');
  assert.match(await ks.innerText(), /vector 64, 5 of 15 words/);
  const rows = await ks.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.className, tr.cells[1].textContent, tr.cells[3].textContent]));
  assert.equal(rows.length, 5);
  for (const [cls, , by] of rows) {
    assert.match(cls, /by-cpu/);
    assert.equal(by, 'CPU (trap)');
  }
  // The code panel says what runs next, never a lone nop: step into trap().
  for (let i = 0; i < 6; i++) await byId(page, 'step-instruction').click();
  await byId(page, 'kernel-step').waitFor();
  assert.match(await byId(page, 'kernel-step').innerText(), /The kernel runs \w+\(\): /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('restricted-instruction: the #GP error code is marked as pushed by the CPU', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=restricted-instruction');
  const gp = byId(page, 'moment-0');
  assert.match(await gp.innerText(), /#GP/);
  await gp.click();
  await waitCycle(page, Number(await gp.getAttribute('data-cycle')));
  assert.match(await byId(page, 'gate-13').getAttribute('class'), /\bactive\b/);
  const rows = await byId(page, 'panel-kstack').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.cells[1].textContent, tr.cells[3].textContent]));
  const err = rows.find(([slot]) => slot === 'err');
  assert.ok(err, `an error code row: ${JSON.stringify(rows)}`);
  assert.equal(err[1], 'CPU (trap)');
  // The kill reason is in the process table, not clipped.
  await byId(page, 'moment-1').click();
  await waitCycle(page, Number(await byId(page, 'moment-1').getAttribute('data-cycle')));
  const exit = byId(page, 'exit-P1');
  assert.match(await exit.innerText(), /killed/);
  const clipped = await exit.evaluate((td) => {
    const box = td.closest('.scroll').getBoundingClientRect();
    const r = td.getBoundingClientRect();
    return r.right > box.right + 1;
  });
  assert.equal(clipped, false, 'the exit column fits its panel at 1400 px');
  assert.deepEqual(errors, []);
  await page.close();
});

test('loop-cooperative: stepping by context switch stops at the cycle limit', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=loop-cooperative');
  await byId(page, 'step-switch').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent === 'cycle limit');
  assert.equal(await cycle(page), 60_000);
  await byId(page, 'step-switch').click();
  await page.waitForTimeout(200);
  assert.equal(await cycle(page), 60_000, 'nothing goes past the limit');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the process table shows what the policy decides by; the Gantt chart has a time axis', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=convoy-stcf');
  await byId(page, 'job-length-P1').waitFor();
  // A: 100 units of 100,000 cycles (the book's convoy).
  assert.equal((await byId(page, 'job-length-P1').innerText()).replace(/\D/g, ''), '10000000');
  const ticks = await page.locator('[data-testid=panel-gantt] .tick-mark').count();
  assert.ok(ticks >= 2, `${ticks} ticks`);
  // At 1400 px every metrics column is in sight (the CPU column too).
  const fits = await page.locator('[data-testid=panel-metrics] .scroll').evaluate((el) => el.scrollWidth <= el.clientWidth);
  assert.ok(fits, 'the metrics table fits its panel');
  await page.goto(`${server.url}?scenario=lottery-fairness`);
  await byId(page, 'tickets-P1').waitFor();
  assert.equal(await byId(page, 'tickets-P1').innerText(), '75');
  assert.deepEqual(errors, []);
  await page.close();
});
