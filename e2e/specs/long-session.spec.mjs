// A long session: the page shows the newest receipts (older ones on
// request), each request sends and saves only what is new, and a reload
// brings all of it back.
import fs from 'node:fs';
import { test, expect } from '../playground.mjs';

const STEPS = 'isc-playground.autosave.v1.steps.';

test('a session of 250 blocks: newest receipts first, older on request, appended autosave, reload', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '0' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  // The session as a file, its last request repeated: 2 deploy blocks and
  // 248 increments.
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const session = JSON.parse(fs.readFileSync(await (await download).path(), 'utf8'));
  const increment = session.requests[session.requests.length - 1];
  while (session.requests.length < 250) session.requests.push(increment);
  await page.getByTestId('import').setInputFiles({
    name: 'long.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(session)),
  });
  await expect(page.getByTestId('block-index')).toHaveText('250');
  await expect(await playground.call('getCounter')).toHaveText('counter = 248');

  // The list shows the newest 50 receipts; older ones come 50 at a time.
  const receipts = page.getByTestId('receipt');
  await expect(receipts).toHaveCount(50);
  await expect(receipts.first()).toContainText('#250');
  const older = page.getByTestId('older-receipts');
  await expect(older).toHaveText('Show older receipts (200 more)');
  await older.click();
  await expect(receipts).toHaveCount(100);
  await expect(older).toHaveText('Show older receipts (150 more)');

  // A request adds a block; the autosave rewrites its last part only.
  const first = await page.evaluate((key) => localStorage.getItem(key), `${STEPS}0`);
  expect(JSON.parse(first)).toHaveLength(100);
  await expect(await playground.call('increment')).toHaveText(/^block 251: ok/);
  await expect(receipts.first()).toContainText('#251');
  expect(await page.evaluate((key) => localStorage.getItem(key), `${STEPS}0`)).toBe(first);
  expect(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), `${STEPS}2`))).toHaveLength(51);

  const hash = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('link-status-text')).toHaveText('Restored your autosaved session: 251 blocks.');
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(await playground.call('getCounter')).toHaveText('counter = 249');

  // A shorter session imported over it: the autosave drops its parts past
  // the new end.
  await older.click();
  await page.getByTestId('import').setInputFiles({
    name: 'short.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...session, requests: session.requests.slice(0, 120) })),
  });
  await expect(page.getByTestId('block-index')).toHaveText('120');
  await expect(older).toHaveText('Show older receipts (20 more)');
  expect(await page.evaluate((key) => localStorage.getItem(key), `${STEPS}2`)).toBeNull();
  const shorter = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('chain-state-hash')).toHaveText(shorter);
});
