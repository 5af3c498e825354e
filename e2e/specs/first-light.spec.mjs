// The first slice: the page runs one Wasm program on wasmi and one EVM program
// on revm, inside the browser, and shows both results.
import { test, expect } from '../playground.mjs';

test('shows the Wasm and EVM results computed in the page', async ({ playground }) => {
  await playground.open();
  // fib(20) on wasmi, 6 * 7 on revm.
  await expect(playground.wasmResult()).toHaveText('6765');
  await expect(playground.evmResult()).toHaveText('42');
  await expect(playground.page.getByTestId('evm-gas')).toHaveText('21026');
  const fuel = Number(await playground.page.getByTestId('wasm-gas').textContent());
  expect(fuel).toBeGreaterThan(0);
  await expect(playground.stateHash()).toHaveText(/^[0-9a-f]{64}$/);
});

test('the state hash is the same on every load', async ({ playground, browser }) => {
  await playground.open();
  const first = await playground.stateHash().textContent();
  const other = await browser.newPage();
  await other.goto('/');
  await expect(other.getByTestId('state-hash')).toHaveText(first);
  await other.close();
});

test('renders without console errors, and a screenshot shows both cards', async ({ playground }, testInfo) => {
  await playground.open();
  await expect(playground.evmResult()).toBeVisible();
  await expect(playground.wasmResult()).toBeVisible();
  const shot = await playground.page.screenshot({ fullPage: true });
  await testInfo.attach('first-light', { body: shot, contentType: 'image/png' });
  expect(shot.length).toBeGreaterThan(5_000);
  await playground.page.screenshot({ path: testInfo.outputPath('first-light.png'), fullPage: true });
  expect(playground.consoleErrors).toEqual([]);
});
