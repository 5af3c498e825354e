// Sessions as files and in the browser's storage: autosave on reload,
// export/import round trip, and every bundled session replays in the
// browser to the state hash `isc replay` gives (recorded in
// public/sessions/index.json, checked natively by the engine's tests).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));

test('a reload restores the autosaved session', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '2' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  const hash = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('link-status-text')).toHaveText('Restored your autosaved session: 3 blocks.');
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(await playground.call('getCounter')).toHaveText('counter = 3');
});

test('export a session as a file and import it in another browser', async ({ playground, browser }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('Token', { name_: 'Play', symbol_: 'PLY', supply: '500' });
  await expect(await playground.call('transfer', { to: 'bob', value: '120' })).toHaveText(/ok #0 = true/);
  const hash = await page.getByTestId('chain-state-hash').textContent();
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = await (await download).path();
  const text = fs.readFileSync(file, 'utf8');
  expect(JSON.parse(text).format).toBe('isc-playground-session');

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto('/');
  await expect(other.getByTestId('engine-status')).toHaveText('engine ready');
  await other.getByTestId('import').setInputFiles({ name: 'isc-session.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await other.getByTestId('contract-token').click();
  await other.getByTestId('arg-balanceOf-#0').fill('bob');
  await other.getByTestId('call-balanceOf').click();
  await expect(other.getByTestId('entry-balanceOf').getByTestId('message')).toHaveText('#0 = 120');
  // A file that is not a session says so, and changes nothing.
  await other.getByTestId('import').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(other.locator('.share').getByTestId('message')).toContainText('could not be opened: not a session file');
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await context.close();
});

test('every bundled session replays in the browser to its recorded hash; link sizes', async ({ playground }) => {
  const { page } = playground;
  const index = JSON.parse(fs.readFileSync(`${publicDir}sessions/index.json`, 'utf8'));
  await playground.open();
  const sizes = {};
  for (const entry of index) {
    await page.getByTestId('bundled').selectOption(entry.file);
    await page.getByTestId('open-bundled').click();
    await expect(page.locator('.share').getByTestId('message')).toHaveText(
      `Opened ${entry.file}: ${entry.blocks} blocks, state hash ${entry.state_hash}`,
    );
    await expect(page.getByTestId('chain-state-hash')).toHaveText(entry.state_hash);
    await page.getByTestId('share').click();
    sizes[entry.name] = Number((await page.getByTestId('share-size').textContent()).split(' ')[0]);
  }
  console.log(`link sizes: ${JSON.stringify(sizes)}`);
  fs.mkdirSync(shots, { recursive: true });
  fs.writeFileSync(`${shots}link-sizes.json`, JSON.stringify(sizes, null, 2));
  expect(Object.keys(sizes)).toHaveLength(index.length);
  // Bundled programs and schemas stay out of the link: each fits a chat message.
  for (const [name, size] of Object.entries(sizes)) {
    expect(size, name).toBeLessThan(2000);
  }
});
