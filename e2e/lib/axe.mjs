// Accessibility audits with axe-core, injected into the page (no network).
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';

const require = createRequire(import.meta.url);
let source;

/** Runs axe-core on the whole page; resolves to its violations of impact
 * "serious" or "critical", each as "rule: target …" lines for the message. */
export async function seriousViolations(page) {
  source ??= await fs.readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: source });
  }
  // Panels below the fold skip rendering (content-visibility: auto); audit them all.
  const style = await page.addStyleTag({ content: '.workspace > .panel { content-visibility: visible !important; }' });
  // Audit what stays on screen, not a moment of an animation: a queue's chips
  // fade in (350 ms), and axe computes a fading chip's contrast with its
  // opacity (every animation here is finite and ends within ~1 s).
  await page.evaluate(() => Promise.race([
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))),
    new Promise((resolve) => setTimeout(resolve, 3000)),
  ]));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  await style.evaluate((el) => el.remove());
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
