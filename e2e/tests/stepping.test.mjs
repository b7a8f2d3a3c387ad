// Stepping, time travel, the mode badge, the trap table and the address spaces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from '../lib/harness.mjs';
import { openApp, byId, cycle, panelsText, seek } from '../lib/app.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('stepping forward then back returns to an identical view', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=io-overlap');
  await seek(page, 7000);
  const c = await cycle(page);
  await byId(page, 'step-instruction').click();
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]').textContent) > c, c);
  for (const g of ['cycle', 'instruction', 'mode', 'trap', 'switch']) {
    const before = await panelsText(page);
    const c0 = await cycle(page);
    await byId(page, `step-${g}`).click();
    await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]').textContent) > c, c0);
    assert.notEqual(await panelsText(page), before, `${g}: the step changed something`);
    await byId(page, `back-${g}`).click();
    await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]').textContent) === c, c0);
    assert.equal(await panelsText(page), before, `${g}: forward then back`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('syscall-read: the mode badge goes to kernel and back, gate 64 lights up', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  const badge = byId(page, 'mode-badge');
  // The lesson opens at the program's first instruction, in user mode; the boot is one step back.
  assert.equal(await badge.innerText(), 'user');
  assert.ok((await cycle(page)) > 0);
  assert.doesNotMatch(await byId(page, 'panel-code').evaluate((el) => el.textContent), /trap entry and exit/);
  await byId(page, 'step-trap').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=mode-badge]').textContent === 'kernel');
  assert.match(await byId(page, 'gate-64').getAttribute('class'), /\bactive\b/);
  // The table scrolls to the gate in use (64 is far below the first rows).
  await page.waitForFunction(() => {
    const row = document.querySelector('[data-testid=gate-64]');
    const box = row.closest('.scroll');
    const top = row.getBoundingClientRect().top - box.getBoundingClientRect().top;
    return box.scrollTop > 0 && top >= 0 && top + row.offsetHeight <= box.clientHeight;
  });
  // textContent: the panel may be below the fold, where rendering is skipped.
  assert.match(await byId(page, 'panel-idt').evaluate((el) => el.textContent), /in use: gate 64/);
  await screenshot(page, 'syscall-read-in-kernel');
  await byId(page, 'step-mode').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=mode-badge]').textContent === 'user');
  assert.equal(await badge.innerText(), 'user');
  // Keyboard: "n" steps one instruction, "p" steps back.
  const c0 = await cycle(page);
  await page.locator('body').press('n');
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]').textContent) > c, c0);
  await page.locator('body').press('p');
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]').textContent) === c, c0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('processes see different values at 0xffe84264, threads of one process the same', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=processes-vs-threads');
  await seek(page, 30000);
  const spaces = page.locator('[data-testid^="space-P"]:not([data-testid*="frame"]):not([data-testid*="value"])');
  const forkers = spaces.filter({ hasText: 'forker' });
  assert.equal(await forkers.count(), 2, 'parent and child');
  const values = await forkers.locator('[data-testid^="space-value-"]').allInnerTexts();
  assert.equal(values.length, 2);
  assert.notEqual(values[0], values[1], 'two processes, two values');
  assert.deepEqual(values.map((v) => parseInt(v, 10)).sort(), [100, 200]);
  const frames = await forkers.locator('[data-testid^="space-frame-"]').allInnerTexts();
  assert.notEqual(frames[0], frames[1], 'two processes, two frames');

  const threader = spaces.filter({ hasText: 'threader' });
  assert.equal(await threader.count(), 1);
  const threadValues = await threader.locator('[data-testid^="thread-value-T"]').allInnerTexts();
  assert.equal(threadValues.length, 2, 'two threads');
  assert.equal(threadValues[0], threadValues[1], 'one address space, one value');
  assert.equal(parseInt(threadValues[0], 10), 200);
  await screenshot(page, 'processes-vs-threads-30000');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a breakpoint on a source line stops the run there', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'bp-8').waitFor(); // the lesson opens in the program, so its source shows
  await byId(page, 'bp-8').click();
  assert.equal(await byId(page, 'bp-8').getAttribute('aria-pressed'), 'true');
  await byId(page, 'run-button').click();
  await page.locator('.app[data-running="false"]').waitFor();
  assert.match(await byId(page, 'notice').innerText(), /breakpoint on line 8/);
  assert.match(await byId(page, 'code-line-8').getAttribute('class'), /\bcurrent\b/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('back to the start, then forward to where the run was, is one seek, not a run', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=loop-preemptive&max_cycles=3000000');
  await seek(page, 1_500_000); // a long way ahead: runs in frames
  await seek(page, 1_000);
  // Watched frame by frame until the cycle shows: never running, no "Seeking…".
  const ran = await page.evaluate((t) => new Promise((resolve) => {
    const app = () => document.querySelector('.app');
    let running = false;
    const input = document.querySelector('[data-testid=seek-input]');
    input.value = String(t);
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const poll = () => {
      running ||= app().dataset.running === 'true' || app().textContent.includes('Seeking to cycle');
      const shown = Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, ''));
      if (shown === t) resolve(running); else requestAnimationFrame(poll);
    };
    poll();
  }), 1_400_000);
  assert.equal(ran, false, 'a replay from a snapshot kept, in one command');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the kernel listing draws a window of its lines: the current one in sight, every line reachable by scrolling', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'step-trap').click();
  await page.waitForFunction(() => document.querySelector('.code-owner.kernel'));
  const listing = () => page.evaluate(() => {
    const ol = document.querySelector('.code');
    const lines = [...ol.querySelectorAll('.code-line')];
    const box = ol.getBoundingClientRect();
    const current = ol.querySelector('.code-line.current')?.getBoundingClientRect();
    return {
      drawn: lines.length,
      total: Number(lines[0].getAttribute('aria-setsize')),
      first: Number(lines[0].getAttribute('aria-posinset')),
      last: lines.at(-1).dataset.testid,
      currentInSight: !!current && current.top >= box.top && current.bottom <= box.bottom,
    };
  });
  await page.waitForFunction(() => document.querySelector('.code-line.current'));
  const k = await listing();
  assert.ok(k.total > 150 && k.drawn < k.total / 2, `a window of the kernel's lines: ${JSON.stringify(k)}`);
  assert.ok(k.currentInSight, 'the current line is drawn and scrolled into sight');
  // Scrolled to its end, the listing draws its last line in place (the
  // spacers keep the scroll height, so the scroller reaches it).
  await page.evaluate(() => { const ol = document.querySelector('.code'); ol.scrollTop = ol.scrollHeight; });
  await page.waitForFunction((n) => document.querySelector(`[data-testid=code-line-${n}]`), k.total);
  const end = await page.evaluate(() => {
    const ol = document.querySelector('.code');
    const last = [...ol.querySelectorAll('.code-line')].at(-1).getBoundingClientRect();
    return last.bottom <= ol.getBoundingClientRect().bottom + 1 && last.bottom > ol.getBoundingClientRect().top;
  });
  assert.ok(end, 'the last line is in sight at the end of the scroll');
  // Back to the top: the first line again.
  await page.evaluate(() => { document.querySelector('.code').scrollTop = 0; });
  await page.waitForFunction(() => document.querySelector('[data-testid=code-line-1]'));
  // Find-in-page finds a line the window does not draw (the spacer holds
  // its text), and scrolling to it draws it.
  const far = await page.evaluate(() => {
    const spacer = [...document.querySelectorAll('.code .spacer')].at(-1);
    return spacer?.textContent.split('\n').map((t) => t.trim()).filter((t) => t.length > 6).at(-1);
  });
  assert.ok(far, 'the spacer below the window holds the text of the lines it stands for');
  // `window.find` searches as the find bar does, but does not scroll: the
  // match is brought into sight here, as the find bar would.
  const found = await page.evaluate((t) => {
    if (!window.find(t)) return false;
    const ol = document.querySelector('.code');
    const match = getSelection().getRangeAt(0).getBoundingClientRect();
    ol.scrollTop += match.top - ol.getBoundingClientRect().top - 100;
    return true;
  }, far);
  assert.ok(found, `find-in-page finds “${far}”`);
  await page.waitForFunction((t) => {
    const ol = document.querySelector('.code');
    const box = ol.getBoundingClientRect();
    return [...ol.querySelectorAll('.code-line .src')].some((c) => {
      const r = c.getBoundingClientRect();
      return c.textContent.trim() === t && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
  }, far);
  await page.evaluate(() => { getSelection().removeAllRanges(); document.querySelector('.code').scrollTop = 0; });
  await page.waitForFunction(() => document.querySelector('[data-testid=code-line-1]'));
  // Stepping on follows the current line wherever the student had scrolled.
  await byId(page, 'step-instruction').click();
  await page.waitForFunction(() => {
    const ol = document.querySelector('.code'); const cur = ol.querySelector('.code-line.current')?.getBoundingClientRect();
    const box = ol.getBoundingClientRect();
    return cur && cur.top >= box.top && cur.bottom <= box.bottom;
  });
  assert.deepEqual(errors, []);
  await page.close();
});
