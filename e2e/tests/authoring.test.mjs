// Write your own scenario, share it by link, embed it: the editor and its
// diagnostics, share links (and hostile ones), reloads that keep edits,
// exports, and a host page on another origin driving an embedded frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { serve, launch, screenshot, ROOT } from '../lib/harness.mjs';
import { openApp, byId, cycle, runToStop, seek } from '../lib/app.mjs';
import { seriousViolations } from '../lib/axe.mjs';

const LINKS = path.join(ROOT, 'sim-core', 'tests', 'data', 'links');

const GOOD = `# prints a line and exits
main:
    pushl $len
    pushl $msg
    pushl $1
    call write
    addl $12, %esp
    pushl $0
    call exit
.data
msg: .ascii "edited in the page\\n"
end:
len = end - msg
`;
const BAD = GOOD.replace('    pushl $1\n', '    movl %eaxx, %ebx\n    pushl $1\n').replace('call exit', 'call nowhere_at_all');

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function openEditor(page) {
  await byId(page, 'editor-toggle').locator(':scope > summary').click();
  await byId(page, 'program-editor').waitFor();
}

test('an error is shown at its line and column and blocks running; the fixed program runs; a reload keeps it', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await openEditor(page);
  const editor = byId(page, 'program-editor');
  await editor.fill(BAD);
  const items = byId(page, 'diagnostics').locator('li');
  await items.first().waitFor();
  const texts = await items.allTextContents();
  assert.ok(texts.some((t) => /^line 5, column 10: .*eaxx/.test(t)), texts.join('\n'));
  for (const t of texts) assert.match(t, /^line \d+, column \d+: \S/);
  assert.equal(await byId(page, 'run-button').isDisabled(), true, 'Run is disabled');
  assert.equal(await byId(page, 'step-instruction').isDisabled(), true, 'Step is disabled');
  assert.match(await byId(page, 'blocked-reason').textContent(), /error/);
  await screenshot(page, 'editor-diagnostics');
  assert.deepEqual(await seriousViolations(page), [], 'the editor passes axe-core');

  await editor.fill(GOOD);
  await byId(page, 'diagnostics-ok').waitFor();
  assert.equal(await items.count(), 0);
  assert.equal(await byId(page, 'run-button').isDisabled(), false);
  await runToStop(page);
  assert.match(await byId(page, 'console').textContent(), /edited in the page/);
  assert.match(page.url(), /[?&]mine=/, 'the edit became one of my scenarios');

  await page.reload();
  await byId(page, 'program-editor').waitFor();
  assert.equal(await byId(page, 'program-editor').inputValue(), GOOD, 'a reload keeps the edit');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a settings value the engine refuses is shown with its message, and nothing changes', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=rr-response');
  await openEditor(page);
  const field = byId(page, 'field-disk_latency');
  await field.fill('0');
  await field.dispatchEvent('change');
  await byId(page, 'field-error-disk_latency').waitFor();
  assert.match(await byId(page, 'field-error-disk_latency').textContent(), /\$\.disk_latency: must be at least 1 cycle/);
  const timer = byId(page, 'field-timer_interval');
  await timer.fill('soon');
  await timer.dispatchEvent('change');
  await byId(page, 'field-error-timer_interval').waitFor();
  assert.match(await byId(page, 'field-error-timer_interval').textContent(), /invalid type/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Share: the link opens the same programs, settings and cycle in a new page', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=convoy-sjf');
  await openEditor(page);
  const field = byId(page, 'field-timer_interval');
  await field.fill('3000');
  await field.dispatchEvent('change');
  await page.waitForURL(/mine=/);
  const source = await byId(page, 'program-editor').inputValue();
  await seek(page, 12345);
  await page.getByRole('button', { name: /Share/ }).click();
  const url = await byId(page, 'share-url').inputValue();
  assert.match(url, /#s=1\./);
  assert.ok(url.length < 2000, `link length ${url.length}`);

  const other = await openApp(browser, server);
  await other.page.goto(url);
  await other.page.locator('.app[data-scenario="link"]').waitFor();
  await other.page.waitForFunction(() => Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, '')) === 12345);
  await openEditor(other.page);
  assert.equal(await byId(other.page, 'program-editor').inputValue(), source);
  assert.equal(await byId(other.page, 'field-timer_interval').inputValue(), '3000');

  // A second link entered in the same tab differs from the address open only
  // in its fragment, which the browser takes without loading the page again:
  // the page reloads itself to open it.
  await seek(other.page, 23456);
  await other.page.getByRole('button', { name: /Share/ }).click();
  const second = await byId(other.page, 'share-url').inputValue();
  assert.notEqual(second, url);
  assert.equal(second.split('#')[0], url.split('#')[0]);
  await seek(other.page, 100);
  await Promise.all([other.page.waitForEvent('load'), other.page.goto(second)]);
  await other.page.locator('.app[data-scenario="link"]').waitFor();
  await other.page.waitForFunction(() => Number(document.querySelector('[data-testid=cycle]').textContent.replace(/\D/g, '')) === 23456);
  assert.equal(await other.page.evaluate(() => location.hash), `#${second.split('#')[1]}`);
  assert.deepEqual([...errors, ...other.errors], []);
  await other.page.close();
  await page.close();
});

test('exports: trace JSON and CSV, Gantt SVG and PNG, metrics CSV are well-formed', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=convoy-fifo');
  await runToStop(page);
  const get = async (id) => {
    await page.locator('.toolbar .export').evaluate((d) => { d.open = true; });
    const [dl] = await Promise.all([page.waitForEvent('download'), byId(page, id).click()]);
    return { name: dl.suggestedFilename(), bytes: await fs.readFile(await dl.path()) };
  };
  const trace = await get('export-trace-json');
  assert.match(trace.name, /trace\.json$/);
  const events = JSON.parse(trace.bytes.toString());
  assert.ok(events.length > 10 && 'cycle' in events[0] && 'text' in events[0]);
  const csv = (await get('export-trace-csv')).bytes.toString();
  const rows = csv.trim().split('\r\n');
  assert.equal(rows[0], 'cycle,actor,event');
  assert.equal(rows.length, events.length + 1);
  const metrics = (await get('export-metrics-csv')).bytes.toString().trim().split('\r\n');
  assert.equal(metrics[0], 'pid,name,arrival,turnaround,response,wait,cpu');
  for (const r of metrics) assert.equal(r.split(',').length, 7, r);
  const svg = (await get('export-gantt-svg')).bytes.toString();
  const parsed = await page.evaluate((s) => {
    const d = new DOMParser().parseFromString(s, 'image/svg+xml');
    return { root: d.documentElement.nodeName, error: d.querySelector('parsererror') !== null, rects: d.querySelectorAll('rect').length };
  }, svg);
  assert.deepEqual([parsed.root, parsed.error], ['svg', false]);
  assert.ok(parsed.rects > 10);
  const png = (await get('export-gantt-png')).bytes;
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every hostile link fixture opens the default lesson with an alert, and runs no script', async () => {
  const lines = (await fs.readFile(path.join(LINKS, 'hostile.txt'), 'utf8')).split('\n').filter(Boolean);
  assert.ok(lines.length >= 15);
  for (const line of lines) {
    const [label, expect, payload] = line.split('\t');
    const hash = payload.includes('#') ? payload.slice(payload.indexOf('#')) : payload.startsWith('s=') ? `#${payload}` : `#s=${payload}`;
    if (!/(^#|&)s=/.test(hash)) continue; // no share link claimed: nothing to report
    const page = await browser.newPage();
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await page.addInitScript(() => { window.__ran = []; window.alert = (m) => window.__ran.push(String(m)); });
    await page.goto(`${server.url}${hash}`);
    await byId(page, 'cycle').waitFor({ timeout: 20_000 });
    if (expect === 'ok') {
      assert.equal(await page.locator('[data-testid=link-alert]').count(), 0, label);
      assert.equal(await page.locator('.app').getAttribute('data-scenario'), 'link', label);
    } else {
      const alert = page.getByRole('alert').filter({ hasText: 'link' });
      await alert.first().waitFor();
      assert.match(await byId(page, 'link-alert').textContent(), new RegExp(expect), label);
      assert.equal(await page.locator('.app').getAttribute('data-scenario'), 'syscall-read', label);
    }
    // Markup in names and sources stays text.
    assert.equal(await page.locator('img[src=x], img[onerror]').count(), 0, label);
    assert.deepEqual(await page.evaluate(() => window.__ran), [], `${label}: no script ran`);
    assert.deepEqual(dialogs, [], `${label}: no dialog`);
    await page.close();
  }
});

test('a host page on another origin drives the embedded frame with postMessage', async (t) => {
  const appUrl = `${server.url}?embed=1&panels=cpu,code,console`;
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>course page</title><body>
      <iframe id="f" src="${appUrl}" title="Ringside" width="420" height="320"></iframe>
      <script>
        window.msgs = [];
        addEventListener('message', (e) => { if (e.data && e.data.ringside === 1) window.msgs.push(e.data); });
        window.send = (m) => document.getElementById('f').contentWindow.postMessage(m, '*');
      </script></body></html>`);
  });
  await new Promise((r) => host.listen(0, '127.0.0.2', r));
  // Closed whatever the test's outcome: an open server would keep this file's process alive.
  t.after(() => { host.closeAllConnections(); host.close(); });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.2:${host.address().port}/`);
  const next = async (n) => {
    await page.waitForFunction((n) => window.msgs.length >= n, n, { timeout: 20_000 });
    return page.evaluate((n) => window.msgs[n - 1], n);
  };
  assert.equal((await next(1)).type, 'ready');
  const frame = page.frameLocator('#f');
  assert.equal(await frame.locator('.topbar').count(), 0, 'no header in embed mode');
  assert.equal(await frame.locator('.gallery').count(), 0, 'no gallery in embed mode');
  await frame.locator('[data-testid=open-in-ringside]').waitFor();

  const scenario = JSON.parse(await fs.readFile(path.join(LINKS, 'convoy-fifo.json'), 'utf8')).scenario;
  await page.evaluate((s) => window.send({ ringside: 1, type: 'load', scenario: s }), scenario);
  const loaded = await next(2);
  assert.equal(loaded.type, 'state');
  assert.equal(loaded.running, false);
  await page.evaluate(() => window.send({ ringside: 1, type: 'step', granularity: 'trap' }));
  const stepped = await next(3);
  assert.ok(stepped.cycle > loaded.cycle);
  assert.equal(stepped.mode, 'kernel');
  assert.equal(stepped.cpl, 0);
  await page.evaluate(() => window.send({ ringside: 1, type: 'step', granularity: 'trap', back: true }));
  assert.equal((await next(4)).cycle, loaded.cycle);
  await page.evaluate(() => window.send({ ringside: 1, type: 'seek', cycle: 5000 }));
  assert.equal((await next(5)).cycle, 5000);
  await page.evaluate(() => {
    window.send({ hello: 'not for ringside' });
    window.send('plain text');
    window.send({ ringside: 1, type: 'seek', cycle: -5 });
  });
  const err = await next(6);
  assert.equal(err.type, 'error');
  assert.match(err.message, /cycle/);
  await page.evaluate(() => window.send({ ringside: 1, type: 'load', scenario: { version: 1, title: '<b>x</b>' } }));
  assert.equal((await next(7)).type, 'error');
  await page.evaluate(() => window.send({ ringside: 1, type: 'get' }));
  const got = await next(8);
  assert.deepEqual([got.type, got.cycle, got.status], ['state', 5000, 'paused']);
  await page.evaluate(() => window.send({ ringside: 1, type: 'run' }));
  assert.equal((await next(9)).running, true);
  await page.evaluate(() => window.send({ ringside: 1, type: 'pause' }));
  const paused = await next(10);
  assert.equal(paused.running, false);
  await screenshot(page, 'embedded-frame');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Edit a copy, then My scenarios: rename, import (validated), delete', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=convoy-fifo');
  await byId(page, 'edit-copy').click();
  await page.waitForURL(/mine=/);
  await byId(page, 'program-editor').waitFor(); // a copy of mine opens with its editor
  await byId(page, 'my-scenarios').click();
  const dialog = byId(page, 'mine-dialog');
  await dialog.waitFor();
  const name = dialog.getByLabel(/^name of .*\(my copy\)$/);
  assert.equal(await name.count(), 1);
  await name.fill('Renamed convoy');
  await name.dispatchEvent('change');
  await dialog.getByLabel('name of Renamed convoy', { exact: true }).waitFor();

  await byId(page, 'import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "title": "<img src=x onerror=alert(1)>"}') });
  await dialog.getByRole('alert').waitFor();
  assert.match(await dialog.getByRole('alert').textContent(), /bad\.json is not a valid scenario/);
  const good = JSON.parse(await fs.readFile(path.join(LINKS, 'rr-response.json'), 'utf8')).scenario;
  good.title = 'Imported RR';
  await byId(page, 'import-file').setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await page.locator('#lesson-title', { hasText: 'Imported RR' }).waitFor();

  await byId(page, 'my-scenarios').click();
  const del = byId(page, 'mine-dialog').getByRole('button', { name: 'Delete Renamed convoy', exact: true });
  await del.click();
  await del.waitFor({ state: 'detached' });
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
