// Which functions the first load must carry: opens an instrumented build
// (tools/first-load-profile makes it) on the default lesson, does what a student
// does first — every step and step back, the keyboard, a seek, a run at each speed,
// pause, reset — and prints the names of the functions that ran, one per line.
// Usage: node e2e/first-load-profile.mjs DIST NAMES.txt
import fs from 'node:fs/promises';
import { serve, launch } from './lib/harness.mjs';

const [dist, namesFile] = process.argv.slice(2);
const names = (await fs.readFile(namesFile, 'utf8')).split('\n');
const server = await serve(dist);
const browser = await launch();
/** The indexes of the functions that ran in a page doing `act`. */
async function hitsOf(act, initScript, arg) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // The instance's exports, for reading the `__hit<i>` globals.
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__exports = e.detail.wasm; });
  });
  if (initScript) await page.addInitScript(initScript, arg);
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await act(page, (t) => page.locator(`[data-testid="${t}"]`));
  const hits = await page.evaluate(() => {
    const out = [];
    for (const [k, v] of Object.entries(window.__exports)) {
      if (k.startsWith('__hit') && v.value) out.push(Number(k.slice(5)));
    }
    return out;
  });
  await page.close();
  return hits;
}

const errors = [];
const hits = await hitsOf(async (page, id) => {
  await id('cycle').waitFor();
  for (const unit of ['cycle', 'instruction', 'mode', 'trap', 'switch']) {
    for (let i = 0; i < 3; i++) await id(`step-${unit}`).click();
    await id(`back-${unit}`).click();
  }
  for (const key of ['ArrowRight', 'ArrowLeft', 'n']) await page.keyboard.press(key);
  await id('seek-input').fill('5000');
  await id('seek-input').press('Enter');
  await id('seek-input').fill('100');
  await id('seek-input').press('Enter');
  const speeds = await id('speed').locator('option').count();
  for (let s = 0; s < speeds; s++) {
    await id('reset').click();
    await id('speed').selectOption({ index: s });
    await id('run-button').click();
    await page.waitForTimeout(700);
    // A fast run may already have reached the end.
    if (await id('pause-button').isVisible()) await id('pause-button').click();
  }
  await page.keyboard.press(' ');
  await page.waitForTimeout(500);
  await page.keyboard.press(' ');
  await id('reset').click();
  await page.waitForTimeout(300);
});
// A student may step before the panels below the first screen are drawn
// (`src/arrival.rs`): each step and step back, clicked at the ready mark.
for (const unit of ['cycle', 'instruction', 'mode', 'trap', 'switch']) {
  for (const dir of ['step', 'back']) {
    hits.push(...await hitsOf(async (page) => {
      await page.waitForFunction(() => performance.getEntriesByName('ringside:drawn').length === 1);
      await page.waitForTimeout(200);
    }, (testid) => {
      new MutationObserver((_, observer) => {
        if (!document.documentElement?.dataset.readyMs) return;
        observer.disconnect();
        document.querySelector(`[data-testid="${testid}"]`)?.click();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready-ms'] });
    }, `${dir}-${unit}`));
  }
}
await browser.close();
await server.close();
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
/** The element types of the hash tables a function name works on: the
 * balanced `<…>` after each `::raw::RawTable`. */
function tableTypes(name) {
  const types = [];
  for (let at = name.indexOf('::raw::RawTable<'); at >= 0; at = name.indexOf('::raw::RawTable<', at + 1)) {
    const start = at + '::raw::RawTable<'.length;
    let depth = 1;
    let i = start;
    for (; i < name.length && depth > 0; i++) depth += name[i] === '<' ? 1 : name[i] === '>' ? -1 : 0;
    types.push(name.slice(start, i - 1));
  }
  return types;
}
const ran = new Set(hits.map((i) => names[i]).filter(Boolean));
// A hash table's functions run or not by the hasher's random keys, new in
// each page: its equality test, for one, only when two keys' 7-bit tags meet
// in a probed group. So every function of a table type the first load used
// goes with it, whether this profile's keys reached it or not.
const tables = new Set([...ran].flatMap(tableTypes));
for (const name of names) {
  if (name && tableTypes(name).some((t) => tables.has(t))) ran.add(name);
}
// Which of yew's own scheduler and lifecycle functions run depends on the
// order its scheduler meets its tasks in, which the page's timing decides (a
// render runner or a suspension's closure dropped unrun): a profile on a
// faster machine missed three that earlier ones had. All of those not
// generic over the app's own types go with it.
const YEW_TIMING = /yew\[[0-9a-f]+\]::(scheduler|html::component::lifecycle)/;
for (const name of names) {
  if (name && YEW_TIMING.test(name) && !/ringside_web\[|sim_core\[/.test(name)) ran.add(name);
}
const kept = [...ran].sort();
process.stdout.write(kept.join('\n') + '\n');
console.error(`first-load profile: ${kept.length} names from ${new Set(hits).size} of ${names.length - 1} functions`);
