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

// The browser's own WebAssembly runs Wasm calls where it ends them exactly
// as wasmi would, once an entry point has shown it does enough work to be
// worth a fresh instance there; a chain setting chooses wasmi alone; the
// state is the same either way, and a receipt names the engine.
test('Wasm calls run on the browser engine or wasmi, alike, and receipts say which', async ({ playground, browser }, testInfo) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('testcore');
  const engineOf = async () => {
    const receipt = playground.receipts().first();
    await receipt.locator('summary', { hasText: 'events and trace' }).click();
    return receipt.getByTestId('receipt-engine');
  };
  // fib(20) burns ~310 000 gas: the first call, on wasmi, shows it is
  // worth the browser's engine; the second runs there.
  await expect(await playground.call('testFibonacci', { n: '20' })).toHaveText(/^block \d+: ok/);
  await expect(await engineOf()).toHaveText('Wasm engine: wasmi');
  await expect(await playground.call('testFibonacci', { n: '20' })).toHaveText(/^block \d+: ok/);
  await expect(await engineOf()).toHaveText("Wasm engine: the browser's WebAssembly");
  await expect(playground.entry('testFibonacci').getByTestId('message')).toContainText('6765');
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
  await expect(await playground.call('testFibonacci', { n: '20' })).toHaveText(/^block \d+: ok/);
  await expect(await engineOf()).toHaveText('Wasm engine: wasmi');

  // The link keeps the choice; it opens at the same state, on wasmi.
  const { url, hash } = await playground.share();
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(other.getByTestId('settings-wasm-engine')).toHaveValue('wasmi');
  await context.close();
  expect(playground.consoleErrors).toEqual([]);
});
