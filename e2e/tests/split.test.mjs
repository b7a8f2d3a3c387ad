// The split build (tools/split): the first load carries what the default lesson
// runs, and the rest (`ringside-rest.wasm`) comes once the page is interactive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { serve, launch, launchProfile, cacheControl, DIST, ROOT } from '../lib/harness.mjs';
import { byId, cycle, FULL_SPEED } from '../lib/app.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const REST = /ringside-rest\.wasm/;

/** What to do when the first load needed code that moved. */
async function stale(page) {
  if (await page.locator('#split-error').count() === 0) return null;
  return 'the first load ran code that tools/split/first-load.txt does not list: rerun tools/first-load-profile. ';
}

/** A page whose requests for the rest are refused (`block`) or recorded. */
async function open(query = '', { block = false, wait = true } = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  const rest = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (REST.test(r.url())) rest.push({ type: r.resourceType() });
  });
  if (block) await page.route(REST, (route) => route.abort());
  await page.goto(`${server.url}${query}`);
  if (wait) await byId(page, 'cycle').waitFor({ timeout: 15_000 }).catch(async (e) => {
    throw new Error(`${await stale(page) ?? ''}${e.message}`);
  });
  return { page, errors, rest };
}

test('the default lesson runs, steps both ways and seeks with the first load alone', async () => {
  const { page, errors } = await open('', { block: true });
  try {
    await firstLoadAlone(page, errors);
  } catch (e) {
    e.message = `${await stale(page) ?? ''}${e.message}`;
    throw e;
  }
  await page.close();
});

async function firstLoadAlone(page, errors) {
  for (const unit of ['cycle', 'instruction', 'mode', 'trap', 'switch']) {
    const before = await cycle(page);
    await byId(page, `step-${unit}`).click();
    assert.ok((await cycle(page)) > before, `step ${unit} moved on`);
    await byId(page, `back-${unit}`).click();
    assert.equal(await cycle(page), before, `back ${unit} came back`);
  }
  const before = await cycle(page);
  await byId(page, 'speed').selectOption({ index: FULL_SPEED });
  await byId(page, 'run-button').click();
  await page.waitForTimeout(500);
  // The lesson may stop on its own (it waits for console input).
  if (await byId(page, 'pause-button').isVisible()) await byId(page, 'pause-button').click();
  assert.ok((await cycle(page)) > before, 'the run got somewhere');
  await byId(page, 'seek-input').fill('300');
  await byId(page, 'seek-input').press('Enter');
  await page.locator('[data-testid="cycle"]', { hasText: '300' }).waitFor();
  // Needing the rest here would have failed (its requests are refused) and said so.
  assert.equal(await stale(page), null);
  assert.deepEqual(errors, []);
}

test('the first screen waits on two requests: the page, which carries the start-up code and stylesheet, and the wasm', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const requests = [];
  page.on('request', (r) => requests.push(r.url().replace(server.url, '')));
  await page.goto(server.url);
  await page.waitForFunction(() => document.documentElement.dataset.readyMs);
  const before = requests.filter((url) => !REST.test(url) && !url.includes('favicon'));
  assert.deepEqual(before.map((url) => url.replace(/-[0-9a-f]+_bg/, '_bg')), ['', 'ringside-web_bg.wasm'], JSON.stringify(requests));
  // The inlined stylesheet is the app's: its variables and layout apply.
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.topbar')).display), 'flex');
  assert.ok(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--mono').includes('monospace')));
  const files = await fs.readdir(DIST);
  assert.deepEqual(files.filter((f) => /\.(js|css)$/.test(f) || f === 'snippets'), [], 'nothing inlined is left to fetch');
  await page.close();
});

test('the rest is fetched in the background after the page is interactive, then the editor opens at once', async () => {
  const { page, errors, rest } = await open();
  const ready = Number(await page.locator('html').getAttribute('data-ready-ms'));
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('ringside-rest.wasm') && e.responseEnd > 0));
  assert.equal(rest.length, 1, 'fetched once');
  assert.equal(rest[0].type, 'fetch', 'by the background fetch, not a blocking load');
  const entry = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.includes('ringside-rest.wasm')).startTime);
  assert.ok(entry >= ready, `requested at ${entry} ms, after the page was interactive at ${ready} ms`);
  await byId(page, 'edit-copy').click();
  await byId(page, 'program-editor').waitFor();
  assert.equal(rest.length, 1, 'no second fetch');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a moved function reached before the background fetch ends loads the rest at once', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  const rest = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The background fetch is held back; the blocking request it then takes is not.
  await page.route(REST, async (route) => {
    const type = route.request().resourceType();
    rest.push(type);
    if (type === 'fetch') await new Promise((r) => setTimeout(r, 4000));
    await route.continue().catch(() => {});
  });
  await page.goto(server.url);
  await byId(page, 'edit-copy').click();
  await byId(page, 'program-editor').waitFor({ timeout: 3000 });
  assert.deepEqual(rest, ['fetch', 'xhr'], 'the editor did not wait for the background fetch');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page opening more than the default lesson waits for the rest, without blocking; when it cannot be fetched it says so', async () => {
  const other = await open('?scenario=convoy-fifo');
  assert.deepEqual(other.rest.map((r) => r.type), ['fetch']);
  assert.deepEqual(other.errors, []);
  await other.page.close();

  // A link needs the code the first load leaves out: it is loaded before the link opens.
  const link = await (async () => {
    const { page } = await open();
    await page.getByRole('button', { name: /Share/ }).click();
    const url = await byId(page, 'share-url').inputValue();
    await page.close();
    return url.slice(url.indexOf('#'));
  })();
  const ok = await open(link);
  assert.deepEqual(ok.rest.map((r) => r.type), ['fetch']);
  assert.deepEqual(ok.errors, []);
  await ok.page.close();

  const { page } = await open(link, { block: true, wait: false });
  const alert = page.locator('#split-error[role=alert]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not load the rest of its code \(.*ringside-rest\.wasm.*\)\. Reload the page/);
  await page.close();
});

test('a return visit takes the app from the browser cache, and tools/serve says so too', async () => {
  // The headers: every file of the build, and the rest as the page asks for it.
  const files = (await fs.readdir(DIST, { recursive: true }))
    .filter((f) => /\.\w+$/.test(f)).map((f) => f.split(path.sep).join('/'));
  // Names as Trunk writes them, whatever this build's hash: 16 hex digits, or fewer
  // when the hash starts with zeros.
  const named = ['ringside-web-0123456789abcdef_bg.wasm', 'ringside-web-a459c6de096f011.js'];
  assert.deepEqual(named.map((u) => cacheControl(`/${u}`).includes('immutable')), [true, true]);
  const urls = ['', ...files, 'ringside-rest.wasm?v=1a2b3c'];
  const forever = urls.filter((u) => cacheControl(`/${u}`).includes('immutable'));
  assert.ok(forever.some((u) => u.endsWith('_bg.wasm')) && forever.includes('ringside-rest.wasm?v=1a2b3c'),
    `the hashed files are kept: ${forever}`);
  assert.ok(!forever.includes('') && !forever.includes('index.html') && !forever.some((u) => u.includes('snippets/')),
    `the page and unhashed files are checked every time: ${forever}`);
  const python = await pythonServer();
  try {
    for (const u of urls) {
      const res = await fetch(`${python.url}${u}`);
      assert.equal(res.status, 200, u);
      assert.equal(res.headers.get('cache-control'), cacheControl(`/${u}`), `tools/serve-dist.py and the harness agree on ${u}`);
      if (u.endsWith('.wasm') || u.includes('.wasm?')) assert.equal(res.headers.get('content-type'), 'application/wasm', u);
    }
  } finally {
    python.close();
  }
  // A second visit in the same profile fetches neither the page's code nor the rest's.
  const context = await launchProfile();
  try {
    for (const visit of [1, 2]) {
      const page = await context.newPage();
      await page.goto(server.url);
      await byId(page, 'cycle').waitFor();
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('ringside-rest.wasm')));
      const fetched = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((r) => /\.(wasm|js|css)(\?|$)/.test(r.name))
        .map((r) => [r.name.split('/').pop(), r.transferSize]));
      // The page's start-up code and stylesheet come inside index.html (tools/inline.py).
      assert.deepEqual(fetched.map(([name]) => name.replace(/-[0-9a-f]+_bg/, '_bg').replace(/\?v=.*/, '')).sort(),
        ['ringside-rest.wasm', 'ringside-web_bg.wasm'], JSON.stringify(fetched));
      for (const [name, bytes] of fetched) {
        if (visit === 1) assert.ok(bytes > 0, `visit 1 fetched ${name}`);
        else assert.equal(bytes, 0, `visit 2 took ${name} from the cache`);
      }
      await page.close();
    }
  } finally {
    await context.close();
  }
});

/** tools/serve's server (tools/serve-dist.py) on a free port, serving dist/. */
async function pythonServer() {
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const child = spawn('python3', [path.join(ROOT, 'tools', 'serve-dist.py'), String(port), DIST], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try { await fetch(url); break; } catch (e) { if (i > 100) { child.kill(); throw e; } await new Promise((r) => setTimeout(r, 50)); }
  }
  return { url, close: () => child.kill() };
}
