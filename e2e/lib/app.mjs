// Page helpers for Ringside's own UI (data-testid hooks), on top of harness.mjs.
import { openPage } from './harness.mjs';

/** Index of "as fast as possible" in the speed control. */
export const FULL_SPEED = 5;

/** Opens `?<query>` and waits until the app has rendered a view. */
export async function openApp(browser, server, query = '') {
  const { page, errors } = await openPage(browser, `${server.url}${query ? `?${query}` : ''}`);
  await page.locator('[data-testid=cycle]').waitFor();
  return { page, errors };
}

export const byId = (page, id) => page.locator(`[data-testid="${id}"]`);

export async function cycle(page) {
  return Number((await byId(page, 'cycle').innerText()).replace(/\D/g, ''));
}

export async function running(page) {
  return (await page.locator('.app').getAttribute('data-running')) === 'true';
}

/** Runs at full speed until the run stops (end, cycle limit or breakpoint). */
export async function runToStop(page, timeout = 60_000) {
  await byId(page, 'speed').selectOption({ index: FULL_SPEED });
  await byId(page, 'run-button').click();
  await page.locator('.app[data-running="false"]').waitFor({ timeout });
}

/** The text of every panel, to compare two moments. */
export async function panelsText(page) {
  // textContent, not innerText: panels off screen skip rendering
  // (content-visibility: auto), and innerText depends on rendering.
  return page.locator('main.workspace').evaluate((el) => el.textContent);
}

/** Seeks with the "go to cycle" field. */
export async function seek(page, target) {
  const input = byId(page, 'seek-input');
  await input.fill(String(target));
  await input.dispatchEvent('change');
  await page.waitForFunction(
    (t) => Number(document.querySelector('[data-testid=cycle]')?.textContent.replace(/\D/g, '')) === t,
    target,
    { timeout: 30_000 },
  );
}
