// The concept views (issue 17): each renders for its lesson; the address
// diagram of processes-vs-threads shows two frames for the two processes and
// one for the two threads; the ring view's label follows the CPU's ring; a
// click on a syscall-path row seeks to its cycle; the comparison shows the
// victim's data changed in the direct pane only, the reader spinning under
// direct execution while others run under LDE, and cli obeyed (IF = 0) vs
// refused (#GP); the anatomy marks the
// address space shared for two threads and not for two processes.
// Screenshots of each view land in target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from '../lib/harness.mjs';
import { openApp, byId, cycle, seek } from '../lib/app.mjs';
import path from 'node:path';
import fs from 'node:fs/promises';
import { SHOTS } from '../lib/harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** A picture of one view (the element itself), under target/e2e/. */
async function shot(locator, name) {
  await fs.mkdir(SHOTS, { recursive: true });
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: path.join(SHOTS, `concept-${name}.png`) });
}

const tab = async (page, name) => {
  await byId(page, `concept-tab-${name}`).click();
  await page.locator(`[data-testid="concept-tab-${name}"][aria-pressed="true"]`).waitFor();
};

test('processes-vs-threads: the address diagram and the anatomy', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=processes-vs-threads');
  const diagram = byId(page, 'address-diagram');
  await diagram.waitFor();
  // After both writes of 200: the child wrote its copy, the worker the shared page.
  await seek(page, 12000);
  const spaces = page.locator('[data-testid^="diagram-space-"]');
  assert.equal(await spaces.count(), 3, 'forker, its child, threader');
  const frameOf = async (pid) => byId(page, `diagram-space-${pid}`).getAttribute('data-frame');
  const [p1, p2, p3] = [await frameOf('P1'), await frameOf('P2'), await frameOf('P3')];
  // forker (P1) and its child (P3, made by fork) land on two frames …
  const names = await spaces.evaluateAll((els) => els.map((e) => e.textContent));
  const forked = names.findIndex((t) => t.startsWith('forker') && !t.includes('(P1)'));
  assert.ok(forked >= 0, `a forked child: ${names}`);
  const childPid = names[forked].match(/\((P\d+)\)/)[1];
  const child = await frameOf(childPid);
  assert.ok(p1 && child && p1 !== child, `two frames: ${p1} vs ${child}`);
  assert.match(await byId(page, `diagram-frame-${p1}`).textContent(), /= 100$/);
  assert.match(await byId(page, `diagram-frame-${child}`).textContent(), /= 200$/);
  // … threader's two threads on one.
  const threader = names.findIndex((t) => t.startsWith('threader'));
  const tpid = names[threader].match(/\((P\d+)\)/)[1];
  const threads = byId(page, `diagram-space-${tpid}`).locator('[data-testid^="diagram-thread-"]');
  assert.equal(await threads.count(), 2);
  const tframes = await threads.evaluateAll((els) => els.map((e) => e.getAttribute('data-frame')));
  assert.equal(new Set(tframes).size, 1, 'one frame for the two threads');
  assert.match(await byId(page, `diagram-frame-${tframes[0]}`).textContent(), /= 200$/);
  assert.ok([p1, p2, p3].includes(tframes[0]));
  await shot(diagram, 'address-diagram');

  // Anatomy: two threads of threader share the address space …
  await tab(page, 'anatomy');
  const anatomy = byId(page, 'process-anatomy');
  await anatomy.waitFor();
  const tids = await page.locator('[data-testid="anatomy-pick-0"] option').evaluateAll(
    (os) => os.map((o) => [o.value, o.textContent]));
  const of = (pid) => tids.filter(([, t]) => t.includes(`(${pid})`)).map(([v]) => v);
  const [main, worker] = of(tpid);
  await byId(page, 'anatomy-pick-0').selectOption(main);
  await byId(page, 'anatomy-pick-1').selectOption(worker);
  await byId(page, `anatomy-T${worker}`).waitFor();
  const shared = () => page.locator('[data-testid="anatomy-space"]').evaluateAll(
    (els) => els.map((e) => e.getAttribute('data-shared')));
  assert.deepEqual(await shared(), ['true', 'true']);
  assert.match(await anatomy.innerText(), /Execution stream/);
  await shot(anatomy, 'process-anatomy-threads');
  // … a process and its forked child do not.
  const [parentT] = of('P1');
  const [childT] = of(childPid);
  await byId(page, 'anatomy-pick-0').selectOption(parentT);
  await byId(page, 'anatomy-pick-1').selectOption(childT);
  await byId(page, `anatomy-T${childT}`).waitFor();
  await byId(page, `anatomy-T${parentT}`).waitFor();
  assert.deepEqual(await shared(), ['false', 'false']);
  const values = await page.locator('[data-testid="anatomy-value"]').allTextContents();
  assert.match(values[0], /holds 100 different value/);
  assert.match(values[1], /holds 200 different value/);
  await shot(anatomy, 'process-anatomy-processes');
  assert.deepEqual(errors, []);
  await page.close();
});

test('syscall-read: the ring view follows the CPU, syscall-path rows seek', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'syscall-path').waitFor();
  await tab(page, 'rings');
  const ring = byId(page, 'ring-view');
  assert.equal(await ring.getAttribute('role'), 'img');
  assert.equal(await ring.getAttribute('aria-label'), 'CPU in ring 3, user mode');
  await byId(page, 'step-trap').click();
  await page.locator('[data-testid="ring-view"][aria-label="CPU in ring 0, kernel mode"]').waitFor();
  assert.match(await byId(page, 'ring-crossing').innerText(), /inward through system call: ring 3 → ring 0/);
  await shot(page.locator('.ring-view'), 'ring-view');

  await tab(page, 'syscall');
  await byId(page, 'step-mode').click(); // back out through iret
  await page.locator('[data-testid="ring-view"], [data-testid="syscall-path"]').first().waitFor();
  const path = byId(page, 'syscall-path');
  await page.locator('[data-testid^="syscall-row-"]').nth(6).waitFor();
  const rows = page.locator('[data-testid^="syscall-row-"]');
  const texts = await rows.allInnerTexts();
  assert.match(texts[0], /read\(fd = 0, buf = 0x[0-9a-f]+, n = 13\)/);
  assert.match(texts.join('\n'), /movl \$6, %eax/);
  assert.match(texts.join('\n'), /int \$64/);
  assert.match(texts.join('\n'), /iret/);
  // Each row, clicked (keyboard: focus + Enter for one), seeks to its cycle.
  const n = await rows.count();
  for (let i = n - 1; i >= 0; i--) {
    const at = Number(await byId(page, `syscall-row-${i}`).getAttribute('data-cycle'));
    if (i === 0) {
      await byId(page, `syscall-row-${i}`).focus();
      await page.keyboard.press('Enter');
    } else {
      await byId(page, `syscall-row-${i}`).click();
    }
    await page.waitForFunction(
      (c) => Number(document.querySelector('[data-testid=cycle]')?.textContent.replace(/\D/g, '')) === c, at);
    assert.equal(await cycle(page), at);
    assert.equal(await rows.count(), n, 'the path stays whole when going back');
  }
  await shot(path, 'syscall-path');
  assert.deepEqual(errors, []);
  await page.close();
});

test('restricted-instruction: the ring view shows the refused cli', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=restricted-instruction');
  const ring = byId(page, 'ring-view');
  await ring.waitFor();
  for (let i = 0; i < 40; i++) {
    if (/refused/.test(await page.locator('.ring-view').innerText())) break;
    await byId(page, 'step-trap').click();
  }
  assert.match(await byId(page, 'ring-crossing').innerText(), /refused: cli at CPL 3: #GP\(0x0\)/);
  assert.equal(await ring.getAttribute('aria-label'), 'CPU in ring 0, kernel mode');
  await shot(page.locator('.ring-view'), 'ring-view-refused');
  assert.deepEqual(errors, []);
  await page.close();
});

test('direct-execution: the comparison, the victim changed only under direct execution', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=direct-execution');
  const cmp = byId(page, 'compare-modes');
  await cmp.waitFor();
  // textContent: the table may be scrolled out of view (innerText is then empty).
  const text = (id) => byId(page, id).textContent();
  const bad = (id) => byId(page, id).getAttribute('data-bad');
  // Mid-spin: the reader's first disk read under direct execution (51,098–56,098).
  await seek(page, 53000);
  await page.waitForFunction(() => document.querySelector('[data-testid="compare-direct-io-reader"]'));
  assert.match(await text('compare-direct-io-reader'), /spun \d+ cycles on the CPU waiting for the disk \(1 request\): nothing else ran meanwhile; spins now/);
  assert.equal(await bad('compare-direct-io-reader'), 'true');
  // The same programs under LDE: the reader blocked, the scheduler ran others.
  assert.match(await text('compare-preemptive-io-reader'), /blocked: meanwhile the scheduler ran rogue/);
  assert.equal(await bad('compare-preemptive-io-reader'), 'false');
  await seek(page, 100000);
  const direct = byId(page, 'compare-direct-memory-victim');
  const lde = byId(page, 'compare-preemptive-memory-victim');
  // (the rogue's cli comes at cycle 81,760: the panes show cycle 100,000 now)
  await page.waitForFunction(() => document.querySelector('[data-testid="compare-direct-cli-if"]')?.getAttribute('data-bad') === 'true');
  assert.equal(await direct.getAttribute('data-bad'), 'true');
  assert.match(await direct.textContent(), /I'm dead/);
  assert.match(await direct.textContent(), /changed by another process/);
  assert.equal(await lde.getAttribute('data-bad'), 'false');
  assert.match(await lde.textContent(), /I'm alive/);
  assert.match(await text('compare-preemptive-memory-writer'), /killed: #PF/);
  // I/O, both reads done: direct spun the disk's whole latency twice.
  assert.match(await text('compare-direct-io-reader'), /spun 10000 cycles .*\(2 requests\): nothing else ran meanwhile/);
  // cli: direct obeys it and no interrupt comes any more; LDE refuses it.
  assert.equal(await bad('compare-direct-cli-if'), 'true');
  assert.match(await text('compare-direct-cli-if'), /rogue \(P4\) runs with interrupts off \(IF = 0\) since its cli at cycle \d+: no interrupt has reached the CPU since cycle/);
  assert.match(await text('compare-preemptive-cli-rogue'), /rogue \(P4\) killed: #GP/);
  // The loop: direct starves the victim, the timer preempts the rogue under LDE.
  assert.equal(await bad('compare-direct-loop-victim'), 'true');
  assert.match(await text('compare-preemptive-loop-preempted'), /the timer took the CPU back \d+ times \(rogue \d+\)/);
  // One clock: a step in a pane steps the session (and so both panes).
  const before = await cycle(page);
  await cmp.locator('button').first().click();
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=cycle]')?.textContent.replace(/\D/g, '')) > c, before);
  const heads = await cmp.locator('thead th').allInnerTexts();
  const now = (await cycle(page)).toLocaleString('en').replace(/,/g, '\u202f');
  assert.ok(heads[1].includes(`cycle ${now}`), `${heads[1]} at ${now}`);
  await shot(cmp, 'compare-modes');
  assert.deepEqual(errors, []);
  await page.close();
});
