// Exercises the engine grades: a question per chapter answered wrong, then
// right (the engine's own answer, read from the first verdict); a homework
// problem graded cell by cell and opened again from its seed; the compare
// view (FIFO's 110 next to SJF's 50); the answer message an embedded frame
// posts to its course page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId } from '../lib/app.mjs';
import { seriousViolations } from '../lib/axe.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Answers question `id` (a choice button, or a number and "Check"). */
async function answer(q, text) {
  // Whether it takes a number is read from the question, so it must be there.
  await q.waitFor();
  const input = q.locator('input');
  if (await input.count()) {
    await input.fill(text);
    await q.getByRole('button', { name: 'Check' }).click();
  } else {
    await q.getByRole('button', { name: text, exact: true }).click();
  }
}

/** A wrong answer for question `q`: a choice other than the first, or a number. */
async function wrongThenRight(page, lesson, id) {
  const q = page.locator(`[data-testid=question][data-question="${id}"]`);
  await q.waitFor();
  const verdict = q.locator('[data-testid=verdict]');
  const choices = await q.locator('.answer button').allInnerTexts();
  const numeric = (await q.locator('input').count()) > 0;
  // Any answer first: the verdict names the engine's own answer.
  await answer(q, numeric ? '99999' : choices[0]);
  await page.waitForFunction((el) => el.textContent.length > 0, await verdict.elementHandle(), { timeout: 60_000 });
  let text = await verdict.innerText();
  const engine = text.match(/the engine gives (.*)\.$/)[1];
  if (text.startsWith('Correct')) {
    // The first choice was right: pick another for the wrong one.
    await answer(q, choices.find((c) => c !== engine));
    await page.waitForFunction((el) => el.textContent.startsWith('Not quite'), await verdict.elementHandle(), { timeout: 60_000 });
    text = await verdict.innerText();
  }
  assert.match(text, /^Not quite/, `${lesson}/${id}`);
  assert.ok((await q.locator('.explanation li').count()) > 0, `${lesson}/${id}: the deciding trace rows`);
  await answer(q, engine);
  await page.waitForFunction((el) => el.textContent.startsWith('Correct'), await verdict.elementHandle(), { timeout: 60_000 });
  assert.equal(await q.locator('.explanation').count(), 0, `${lesson}/${id}: no explanation when right`);
}

const CHAPTERS = [
  ['6: limited direct execution', 'lde-syscall', 'mode-after-int'],
  ['7: scheduling', 'sched-fifo', 'avg-turnaround'],
  ['8: MLFQ', 'mlfq-long', 'turnaround'],
  ['9: lottery and stride', 'stride-table', 'second'],
];
for (const [chapter, lesson, id] of CHAPTERS) {
  test(`chapter ${chapter}: ${lesson} grades a wrong and a right answer`, async () => {
    const { page, errors } = await openApp(browser, server, `scenario=${lesson}`);
    await wrongThenRight(page, lesson, id);
    if (lesson === 'sched-fifo') {
      // The book's figure, typed: 20.
      const q = page.locator('[data-testid=question][data-question="avg-turnaround"]');
      await answer(q, '20');
      await q.locator('[data-testid=verdict]', { hasText: /^Correct/ }).waitFor();
      await screenshot(page, 'exercises-question');
      assert.deepEqual(await seriousViolations(page), [], 'graded questions pass axe-core');
    }
    assert.deepEqual(errors, [], `${lesson}: console errors`);
    await page.close();
  });
}

test('lottery-unfairness draws the book\'s unfairness plot from engine runs', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=lottery-unfairness');
  const plot = byId(page, 'unfairness-plot');
  // The runs go a slice per frame: the page keeps drawing (and says what
  // it is running) until the plot is there.
  await page.evaluate(() => {
    window.__plotFrames = 0;
    const count = () => {
      window.__plotFrames++;
      if (!document.querySelector('[data-testid=unfairness-table]')) requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
  });
  await plot.getByRole('button', { name: /Draw the plot/ }).click();
  await page.waitForFunction(() => /run \d+ of 35/.test(document.querySelector('[data-testid=unfairness-status]')?.textContent ?? '')
    || document.querySelector('[data-testid=unfairness-table]'));
  const table = byId(page, 'unfairness-table');
  await table.waitFor({ timeout: 120_000 });
  const frames = await page.evaluate(() => window.__plotFrames);
  assert.ok(frames >= 10, `frames drawn while the plot ran: ${frames}`);
  assert.equal(await byId(page, 'unfairness-status').innerText(), '');
  const cells = await table.locator('tr').nth(1).locator('td').allInnerTexts();
  const u = cells.map(Number);
  assert.equal(u.length, 7, cells.join(' '));
  // OSTEP figure 9.2: unfair for short jobs, nearly fair for long ones.
  assert.ok(u[0] < 0.8 && u[6] > 0.9, cells.join(' '));
  assert.match(await plot.locator('svg').getAttribute('aria-label'), /length 1000: U 0\.9\d/);
  await screenshot(page, 'exercises-unfairness');
  assert.deepEqual(await seriousViolations(page), [], 'the plot passes axe-core');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a homework problem is graded cell by cell, and its seed reopens it', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=sched-fifo');
  await byId(page, 'new-homework').click();
  await byId(page, 'homework').waitFor();
  assert.match(page.url(), /homework=\d+/);
  const seed = page.url().match(/homework=(\d+)/)[1];
  const inputs = byId(page, 'homework').locator('input');
  assert.equal(await inputs.count(), 9, 'three jobs × response, turnaround, wait');
  for (let i = 0; i < 9; i++) await inputs.nth(i).fill('0');
  await byId(page, 'homework').getByRole('button', { name: 'Check' }).click();
  const marks = byId(page, 'homework').locator('.mark');
  await marks.first().waitFor();
  assert.equal(await marks.count(), 9, 'every cell is marked');
  // Marked in words, not only by colour.
  for (const t of await marks.allInnerTexts()) assert.match(t, /right|wrong/);
  assert.ok((await byId(page, 'homework').locator('.mark.wrong').count()) > 0, 'turnarounds are not 0');
  await screenshot(page, 'exercises-homework');
  assert.deepEqual(await seriousViolations(page), [], 'the graded homework passes axe-core');
  // A class gets the same problem from the seed.
  const title = await byId(page, 'homework').locator('h3').innerText();
  const again = await openApp(browser, server, `homework=${seed}`);
  assert.equal(await byId(again.page, 'homework').locator('h3').innerText(), title);
  assert.match(await byId(again.page, 'lesson').innerText(), /Three jobs/);
  assert.deepEqual([...errors, ...again.errors], []);
  await again.page.close();
  await page.close();
});

test("the compare view shows FIFO's 110 next to SJF's 50 for the convoy", async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=convoy-fifo');
  const cmp = byId(page, 'compare-policies');
  await cmp.locator('summary').click();
  await cmp.getByRole('button', { name: 'Compare', exact: true }).click();
  // The runs go on in frames: the page says which policy is running and stays responsive.
  await page.waitForFunction(() => /Comparing: .+ \(\d of \d\), cycle/.test(
    document.querySelector('[data-testid=compare-status]')?.textContent ?? ''));
  assert.ok(await cmp.getByRole('button', { name: 'Compare', exact: true }).isDisabled());
  const table = byId(page, 'compare-table');
  await table.waitFor({ timeout: 120_000 });
  const heads = await table.locator('thead th').allInnerTexts();
  const row = await table.locator('tbody tr').first().locator('td').allInnerTexts();
  const at = (p) => row[heads.indexOf(p) - 1];
  assert.equal(at('FIFO'), '110.00');
  assert.equal(at('SJF'), '50.00');
  assert.equal(await cmp.locator('svg.gantt').count(), heads.length - 1, 'a chart per policy');
  // The axis reads in the lesson's unit (100,000 cycles), like the table: FIFO ends at 120.
  const fifo = cmp.locator('svg.gantt').nth(heads.indexOf('FIFO') - 1);
  const ticks = await fifo.locator('text.tick, text.tick.mid, text.tick.end').allTextContents();
  assert.ok(ticks.includes('100') && !ticks.some((t) => t.includes(',')), ticks.join(' '));
  assert.match(await fifo.getAttribute('aria-label'), /FIFO: CPU use by process, time 0 to 12\d\.\d\d \(units of 100,000 cycles\)/);
  await screenshot(page, 'exercises-compare');
  assert.deepEqual(await seriousViolations(page), [], 'the comparison passes axe-core');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an embedded frame posts each graded answer to its course page', async (t) => {
  const appUrl = `${server.url}?embed=1&scenario=sched-fifo&panels=cpu,metrics`;
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>course page</title><body>
      <iframe id="f" src="${appUrl}" title="Ringside" width="600" height="500"></iframe>
      <script>
        window.msgs = [];
        addEventListener('message', (e) => { if (e.data && e.data.type === 'answer') window.msgs.push(e.data); });
      </script></body></html>`);
  });
  await new Promise((r) => host.listen(0, '127.0.0.2', r));
  // Closed whatever the test's outcome: an open server would keep this file's process alive.
  t.after(() => { host.closeAllConnections(); host.close(); });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.2:${host.address().port}/`);
  const q = page.frameLocator('#f').locator('[data-testid=question][data-question="avg-turnaround"]');
  await answer(q, '30');
  await answer(q, '20');
  await page.waitForFunction(() => window.msgs.length >= 2, null, { timeout: 60_000 });
  assert.deepEqual(await page.evaluate(() => window.msgs), [
    { ringside: 1, type: 'answer', lesson: 'sched-fifo', question: 'avg-turnaround', correct: false },
    { ringside: 1, type: 'answer', lesson: 'sched-fifo', question: 'avg-turnaround', correct: true },
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});
