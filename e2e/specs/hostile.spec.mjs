// Hostile input as the page shows it: requests that break the engine's
// limits end in a failed receipt with a readable message, the worker
// survives and takes the next request; links that are bombs, too big or
// out of bounds say so and leave the autosaved work alone.
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { test, expect } from '../playground.mjs';

test('requests that break limits fail with a receipt; the engine keeps answering', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('testcore');
  for (const [entry, words] of [
    ['testGrowMemory', 'linear memory may not grow past 256 pages'],
    ['testDeepRecursion', 'call stack exhausted'],
    ['testPost', 'needs 1000000'],
    ['testEndlessLoop', 'out of gas'],
  ]) {
    const blocks = Number(await page.getByTestId('block-index').textContent());
    const message = await playground.call(entry);
    await expect(message).toContainText(words);
    await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('failed');
    await expect(playground.receipts().first().getByTestId('receipt-error')).toContainText(words);
    // One request, one block: nothing was lost between page and engine.
    await expect(page.getByTestId('block-index')).toHaveText(String(blocks + 1));
    await expect(playground.status()).toHaveText('engine ready');
  }
  await expect(await playground.call('testFibonacci', { n: '10' })).toHaveText(/^block \d+: ok/);
});

test('Solidity recursing past the EVM depth fails cleanly in the browser', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.typeCode(
    'pragma solidity ^0.8.24;\n' +
      'contract Deep {\n' +
      '  function down(uint256 n) external returns (uint256) {\n' +
      '    return n == 0 ? 0 : this.down(n - 1) + 1;\n' +
      '  }\n' +
      '}\n',
  );
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Deep/, { timeout: 30_000 });
  await playground.deployFrom(page.locator('section.editor-panel'), 'deep');
  const failure = await playground.call('down', { n: '5000' }, { gas: 30_000_000 });
  await expect(failure).toContainText('execution reverted');
  await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('failed');
  await expect(playground.status()).toHaveText('engine ready');
  await expect(await playground.call('down', { n: '3' })).toHaveText(/ok #0 = 3/);
});

// A contract that counts its nesting in state and calls itself again
// through the sandbox until it is `depth` deep (the engine's test fixture).
const recursive = (depth) =>
  readFileSync(new URL('../../engine/tests/fixtures/wasm/recursive.wat', import.meta.url), 'utf8')
    .replaceAll('DEPTH', String(depth));

test('Wasm calls nest 1024 deep in the browser, the next fails with a receipt; EVM calls nest on the stack and count four', async ({ playground }) => {
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('wat');
  for (const [depth, outcome] of [
    [1024, /^block \d+: ok/],
    [1025, /call depth limit of 1024/],
  ]) {
    await playground.typeCode(recursive(depth));
    await page.getByTestId('compile').click();
    await playground.deployFrom(editor, `deep${depth}`);
    await expect(await playground.call('go', {}, { gas: 50_000_000 })).toHaveText(outcome);
    await expect(playground.status()).toHaveText('engine ready');
  }
  await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('failed');

  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(
    readFileSync(new URL('../../engine/tests/fixtures/solidity/Deep.sol', import.meta.url), 'utf8'));
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Deep/, { timeout: 30_000 });
  await playground.deployFrom(editor, 'deep');
  await expect(await playground.call('down', {}, { gas: 50_000_000 })).toContainText('host-stack bound of 128 units');
  await expect(playground.status()).toHaveText('engine ready');
  expect(playground.consoleErrors).toEqual([]);
});

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const link = (json) => `#s=1.${b64url(zlib.deflateRawSync(Buffer.from(json)))}`;

for (const [what, fragment, words] of [
  ['a bomb', () => `#s=1.${b64url(zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 32)))}`, 'expands past'],
  [
    'a config out of bounds',
    () =>
      link(
        JSON.stringify({
          session: {
            format: 'isc-playground-session',
            version: 1,
            config: { max_gas_per_request: 1_000_000_000_000 },
            requests: [],
          },
          state_hash: '',
        }),
      ),
    'max_gas_per_request',
  ],
  ['a link that is not JSON inside', () => link('{{{'), 'not a valid session'],
]) {
  test(`${what} says what is wrong and leaves the autosaved work intact`, async ({ playground }) => {
    const { page } = playground;
    await playground.open();
    await playground.deployExample('inccounter', { counter: '7' });
    const hash = await page.getByTestId('chain-state-hash').textContent();
    await page.goto(`/${fragment()}`);
    await expect(page.getByTestId('link-status')).toContainText(words);
    await expect(page.getByTestId('link-status')).toContainText('Your own work is unchanged');
    await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
    await expect(await playground.call('getCounter')).toHaveText('counter = 7');
  });
}

test('mistakes in forms are refused before they cost a block or a fee', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('Token', { name_: 'Play', symbol_: 'PLY', supply: '1000' });
  const blocks = await page.getByTestId('block-index').textContent();
  const balance = await page.getByTestId('balance-alice').textContent();
  const unchanged = async () => {
    await expect(page.getByTestId('block-index')).toHaveText(blocks);
    await expect(page.getByTestId('balance-alice')).toHaveText(balance);
  };

  // A word where a uint256 goes.
  await expect(await playground.call('transfer', { to: 'bob', value: 'five' })).toContainText('uint256');
  await unchanged();
  // A name already taken.
  await page.getByTestId('example-Token').click();
  const form = page.getByTestId('deploy-form');
  await form.getByTestId('deploy-name').fill('token');
  await form.getByTestId('deploy-button').click();
  await expect(form.getByTestId('message')).toContainText('already deployed');
  await unchanged();
  // A required init param left empty (the Wasm ERC-20's supply).
  await page.getByTestId('example-erc20').click();
  await form.getByTestId('deploy-button').click();
  await expect(form.getByTestId('message')).toContainText('required');
  await unchanged();
});
