// A user program as a static ELF executable: built here from the committed
// sim-core/tests/data/elf/hello.s with `as --32` and `ld -m elf_i386`,
// uploaded through the editor's file input; the code panel shows its
// disassembly (GNU syntax) with the current instruction, and running it
// prints its lines on the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, screenshot, ROOT } from '../lib/harness.mjs';
import { openApp, byId, runToStop } from '../lib/app.mjs';

const SOURCE = path.join(ROOT, 'sim-core', 'tests', 'data', 'elf', 'hello.s');
const LINE = 'hello from an ELF program\n';

let server, browser, dir, elf;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringside-elf-'));
  execFileSync('as', ['--32', '-o', path.join(dir, 'hello.o'), SOURCE]);
  elf = path.join(dir, 'hello.elf');
  execFileSync('ld', ['-m', 'elf_i386', '-o', elf, path.join(dir, 'hello.o')]);
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('an uploaded ELF executable shows its disassembly and runs as a process', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'editor-toggle').locator(':scope > summary').click();
  await byId(page, 'elf-upload').setInputFiles(elf);
  await byId(page, 'elf-status').waitFor();
  assert.match(await byId(page, 'elf-status').textContent(), /static ELF executable \(\d+ bytes\)/);
  assert.equal(await byId(page, 'program-editor').count(), 0, 'no source to edit');
  assert.equal(await byId(page, 'elf-diagnostics').locator('li').count(), 0);

  // Step into the program: its first instruction is _start's, shown as objdump shows it.
  const first = byId(page, 'code-line-1');
  for (let i = 0; i < 400; i++) {
    if ((await first.count()) && (await first.getAttribute('aria-current')) === 'step'
        && /mov\s+\$0x3,%ecx/.test(await first.locator('code.src').textContent())) break;
    await byId(page, 'step-instruction').click();
  }
  assert.equal(await first.getAttribute('aria-current'), 'step', 'the current instruction is highlighted');
  assert.equal(await first.locator('code.src').textContent(), 'mov    $0x3,%ecx');
  assert.match(await first.textContent(), /8049000/);
  const listing = await byId(page, 'panel-code').locator('code.src').allTextContents();
  assert.ok(listing.includes('int    $0x40'), listing.join('\n'));
  assert.ok(listing.some((t) => /^incl\s+0x804a0[0-9a-f]{2}$/.test(t)), 'the .bss counter by its address');
  await screenshot(page, 'elf-disassembly');

  await runToStop(page);
  assert.equal((await byId(page, 'console').textContent()).split(LINE).length - 1, 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file that is not an executable is refused with its reason', async () => {
  const { page, errors } = await openApp(browser, server, 'scenario=syscall-read');
  await byId(page, 'editor-toggle').locator(':scope > summary').click();
  await byId(page, 'elf-upload').setInputFiles(SOURCE);
  const item = byId(page, 'elf-diagnostics').locator('li').first();
  await item.waitFor();
  assert.match(await item.textContent(), /^byte 0 \(e_ident\): not an ELF file/);
  assert.equal(await byId(page, 'run-button').isDisabled(), true, 'nothing runs');
  assert.deepEqual(errors, []);
  await page.close();
});
