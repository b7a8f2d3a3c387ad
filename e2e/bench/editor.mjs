// Editor benchmark (prints numbers, not pass/fail). Run after a release build:
//   node e2e/bench/editor.mjs
// Types into a 500-line program in headless Chromium and measures the time
// from the last keystroke to the diagnostics list showing the new error
// (budget: 100 ms), and what opening the editor adds to the page's download: the
// split's rest (the first load itself is printed by `first_load_report`).
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, launch, openPage, DIST } from '../lib/harness.mjs';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

const server = await serve();
const browser = await launch();
try {
  // The editor is not in the first load (tools/split): the page fetches the rest
  // once it is interactive, so opening the editor costs no request of its own.
  const rest = path.join(DIST, 'ringside-rest.wasm');
  const gz = zlib.gzipSync(await fs.readFile(rest), { level: 9 }).length;
  console.log(`bench: the editor comes with the rest of the wasm (ringside-rest.wasm, fetched after the page is interactive): ${(gz / 1024).toFixed(1)} KiB gzip -9, not part of the first load`);

  const { page } = await openPage(browser, `${server.url}?scenario=syscall-read`);
  await page.locator('[data-testid=editor-toggle] > summary').click();
  const editor = page.locator('[data-testid=program-editor]');
  const body = Array.from({ length: 496 }, (_, i) => `    addl $${i}, %eax`).join('\n');
  const program = `main:\n${body}\n    pushl $0\n    call exit\n`;
  await editor.fill(program);
  await page.locator('[data-testid=diagnostics-ok]').waitFor();
  const times = [];
  for (let k = 0; k < 7; k++) {
    // Type a broken register name at line 200, one key at a time; time from
    // the last key to its diagnostic on screen.
    await editor.fill(program);
    await page.locator('[data-testid=diagnostics-ok]').waitFor();
    const ms = await page.evaluate(async (k) => {
      const ta = document.querySelector('[data-testid=program-editor]');
      const lines = ta.value.split('\n');
      lines[200] = `    addl $1, %ea${'x'.repeat(2 + k)}`;
      ta.value = lines.join('\n');
      const t0 = performance.now();
      ta.dispatchEvent(new InputEvent('input', { bubbles: true }));
      return new Promise((resolve) => {
        const check = () => {
          const li = document.querySelector('[data-testid=diagnostics] li');
          if (li && li.textContent.startsWith('line 201')) resolve(performance.now() - t0);
          else requestAnimationFrame(check);
        };
        check();
      });
    }, k);
    times.push(ms);
  }
  console.log(`bench: diagnostics after the last keystroke, 500-line program: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (budget 100 ms)`);
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
