// Both engines in the page: a fresh chain is the same on every load, a Wasm
// and a Solidity contract run side by side, and nothing logs an error.
// (The engines' own first-light demo is tested natively, in the worker's
// host tests.)
import { test, expect } from '../playground.mjs';

test('a fresh chain has the same state hash on every load', async ({ playground, browser }) => {
  await playground.open();
  const first = await playground.page.getByTestId('chain-state-hash').textContent();
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto('/');
  await expect(other.getByTestId('engine-status')).toHaveText('engine ready');
  await expect(other.getByTestId('chain-state-hash')).toHaveText(first);
  await context.close();
});

test('wasmi and revm run side by side in the page, without console errors', async ({ playground }, testInfo) => {
  await playground.open();
  await playground.deployExample('inccounter', { counter: '6765' });
  await expect(await playground.call('getCounter')).toHaveText('counter = 6765');
  await playground.deployExample('Storage');
  await expect(await playground.call('set', { newValue: '42' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('get')).toHaveText('#0 = 42');
  await playground.page.screenshot({ path: testInfo.outputPath('engines.png'), fullPage: true });
  expect(playground.consoleErrors).toEqual([]);
});
