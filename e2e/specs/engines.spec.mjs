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

// The browser's own WebAssembly runs Wasm contracts where it ends them
// exactly as wasmi would; a chain setting chooses wasmi alone; the state is
// the same either way, and a receipt names the engine that ran it.
test('Wasm calls run on the browser engine or wasmi, alike, and receipts say which', async ({ playground, browser }, testInfo) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  const receipt = playground.receipts().first();
  await receipt.locator('summary', { hasText: 'events and trace' }).click();
  await expect(receipt.getByTestId('receipt-engine')).toHaveText("Wasm engine: the browser's WebAssembly");
  // A nested call is handed back to wasmi, and the receipt says why.
  await expect(await playground.call('callIncrement')).toHaveText(/^block \d+: ok/);
  const nested = playground.receipts().first();
  await nested.locator('summary', { hasText: 'events and trace' }).click();
  await expect(nested.getByTestId('receipt-engine')).toHaveText(
    "Wasm engine: wasmi (the browser's WebAssembly handed it back: the contract makes a nested call)");
  await expect(await playground.call('getCounter')).toHaveText('counter = 4');
  const onBrowser = await page.getByTestId('chain-state-hash').textContent();
  await page.screenshot({ path: testInfo.outputPath('engine-receipt.png'), fullPage: true });

  // wasmi alone: the chain is unchanged, the next receipt names wasmi.
  const settings = page.getByTestId('settings');
  await settings.locator('summary').click();
  const engine = settings.getByTestId('settings-wasm-engine');
  await expect(engine).toHaveValue('browser');
  await engine.selectOption('wasmi');
  await expect(settings.getByTestId('message').last()).toHaveText(/wasmi alone\. The chain is unchanged\./);
  await expect(page.getByTestId('chain-state-hash')).toHaveText(onBrowser);
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  const onWasmi = playground.receipts().first();
  await onWasmi.locator('summary', { hasText: 'events and trace' }).click();
  await expect(onWasmi.getByTestId('receipt-engine')).toHaveText('Wasm engine: wasmi');

  // The link keeps the choice; it opens at the same state on wasmi.
  const { url, hash } = await playground.share();
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  const otherSettings = other.getByTestId('settings');
  await otherSettings.locator('summary').click();
  await expect(otherSettings.getByTestId('settings-wasm-engine')).toHaveValue('wasmi');
  await context.close();
  expect(playground.consoleErrors).toEqual([]);
});
