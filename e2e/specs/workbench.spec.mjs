// The workbench: uploads, WAT written in the page, stopping a runaway
// contract, time travel. Each test does what a person does.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const example = (path) => fileURLToPath(new URL(`../../public/examples/${path}`, import.meta.url));

test('upload a .wasm with its schema and deploy it', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('upload').setInputFiles([example('inccounter/inccounter.wasm'), example('inccounter/schema.json')]);
  const uploaded = page.getByTestId('uploaded');
  await expect(uploaded).toHaveCount(1);
  await expect(uploaded).toContainText('inccounter');
  // The module says what it was written in (WasmLib's language tag).
  await expect(uploaded.getByTestId('uploaded-language')).toHaveText('Rust');
  await playground.deployFrom(uploaded, 'uploaded', { counter: '40' });
  await expect(page.getByTestId('contract-uploaded')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('contract-uploaded').getByTestId('language')).toHaveText('Rust');
  await expect(await playground.call('incrementBy', { amount: '2' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 42');
});

test('drop a Solidity artifact on the page and deploy it; a wrong file gets a message', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const drop = async (name, bytes) => {
    const dataTransfer = await page.evaluateHandle(
      ({ name, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name));
        return transfer;
      },
      { name, bytes: [...bytes] },
    );
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  };
  await drop('notes.txt', Buffer.from('not a contract'));
  await expect(page.getByTestId('upload-error')).toContainText('nothing to deploy in these files');

  await drop('Token.json', fs.readFileSync(example('solidity/Token.json')));
  const uploaded = page.getByTestId('uploaded');
  await expect(uploaded).toContainText('Token');
  await playground.deployFrom(uploaded, 'dropped', { name_: 'Drop', symbol_: 'DRP', supply: '77' });
  await expect(await playground.call('totalSupply')).toHaveText('#0 = 77');
  await expect(page.getByTestId('contract-address')).toHaveText(/^0x[0-9a-f]{40}$/);
});

test('write WAT in Monaco, see a compile error as a marker, fix it, deploy with Ctrl+Enter, call it', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('editor-language').selectOption('wat');
  // The template, as the (hidden) plain editor holds it too.
  const good = await page.getByTestId('editor-source').inputValue();
  expect(good).toContain('(module');
  await playground.typeCode(good.replace('i64.add', 'i64.plus'));
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toContainText('WAT:');
  await expect(page.getByTestId('problem')).toHaveCount(1);
  await expect(page.getByTestId('problem')).toContainText(/^error \d+:\d+ /);
  await expect(page.locator('.monaco .squiggly-error')).toHaveCount(1);

  await playground.typeCode(good);
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('compile-status')).toHaveText(/^deployed in block \d+$/);
  await expect(page.getByTestId('problem')).toHaveCount(0);
  // No schema: the entries take raw key=value params.
  await expect(playground.entry('increment').getByTestId('arg-increment-raw')).toBeVisible();
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 2');
  await expect(page.getByTestId('state-value')).toHaveText('2');
});

test('compile Solidity in the page (solc-js), read its problems, deploy and call it', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.typeCode('pragma solidity ^0.8.24;\ncontract Broken { uint x = ; }\n');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText('solc 0.8.37 found errors: see the problems below', { timeout: 30_000 });
  await expect(page.getByTestId('problem')).toContainText('error 2:28 ParserError: Expected primary expression.');
  await expect(page.locator('.monaco .squiggly-error')).toHaveCount(1);

  // An example's source, opened in the editor: it imports ISC.sol.
  await page.getByTestId('example-Token').click();
  await page.getByTestId('open-in-editor').click();
  await expect(page.locator('.monaco .view-lines')).toContainText('contract Token');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Token \(\d+ bytes\), by solc 0\.8\.37 \(the newest that fits the pragma\)$/, { timeout: 30_000 });
  const editor = page.locator('section.editor-panel');
  await playground.deployFrom(editor, 'mytoken', { name_: 'Mine', symbol_: 'MIN', supply: '12' });
  await expect(await playground.call('totalSupply')).toHaveText('#0 = 12');
  await expect(await playground.call('transfer', { to: 'carol', value: '5' })).toHaveText(/ok #0 = true/);
  await expect(await playground.call('balanceOf', { '#0': 'carol' })).toHaveText('#0 = 5');
});

test('a contract looping until its gas runs out can be stopped; the page stays usable', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  // The most gas a chain allows a request (10^9), so the loop would run
  // for seconds on wasmi (the browser's engine ends it in under one).
  await playground.chainSettings({ funds: 10_000_000_000, maxGas: 1_000_000_000 });
  await page.getByTestId('settings-wasm-engine').selectOption('wasmi');
  await expect(page.getByTestId('settings').getByTestId('message').last()).toHaveText(/wasmi alone/);
  await playground.deployExample('testcore');
  const blocks = await page.getByTestId('block-index').textContent();
  const hash = await page.getByTestId('chain-state-hash').textContent();

  const message = await playground.call('testEndlessLoop', {}, { gas: 1_000_000_000 });
  await expect(playground.status()).toHaveText('running: testcore.testEndlessLoop…');
  // The page still answers while the engine runs.
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('stop').click();
  await expect(message).toHaveText('stopped: the chain was rebuilt as of the last finished request');
  await expect(playground.status()).toHaveText('engine ready');
  await expect(page.getByTestId('block-index')).toHaveText(blocks);
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  // And the rebuilt engine takes the next request.
  await expect(await playground.call('testFibonacci', { n: '10' })).toHaveText(/^block \d+: ok/);
});

// On the browser's own engine too: a call that would run for hours (each
// memory.fill of 16 MiB costs one unit of fuel) is stopped mid-call. Its
// first call does some work (480 000 gas, on wasmi) and arms it: the
// second runs on the browser's engine, which it has shown to be worth.
const FILL_FOREVER = `(module
  (import "WasmLib" "hostStateGet" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 256)
  (data (i32.const 16) "fill")
  (data (i32.const 32) "armed")
  (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 4)))
  (func (export "on_call") (param i32) (local $n i32)
    (if (i32.eqz (call $get (i32.const 32) (i32.const 5) (i32.const 0) (i32.const -1)))
      (then (loop $l (memory.fill (i32.const 0) (i32.const 1) (i32.const 16777216)) (br $l))))
    (loop $w (local.set $n (i32.add (local.get $n) (i32.const 1))) (br_if $w (i32.lt_u (local.get $n) (i32.const 60000))))
    (call $set (i32.const 32) (i32.const 5) (i32.const 16) (i32.const 1))))
`;

test("a call on the browser's own WebAssembly is stopped mid-call; the chain stays as it was", async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.chainSettings({ funds: 10_000_000_000, maxGas: 1_000_000_000 });
  await expect(page.getByTestId('settings-wasm-engine')).toHaveValue('browser');
  await page.getByTestId('editor-language').selectOption('wat');
  await playground.typeCode(FILL_FOREVER);
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('compile-status')).toHaveText(/^deployed in block \d+$/);
  await expect(await playground.call('fill')).toHaveText(/^block \d+: ok/);
  const blocks = await page.getByTestId('block-index').textContent();
  const hash = await page.getByTestId('chain-state-hash').textContent();
  const message = await playground.call('fill', {}, { gas: 1_000_000_000 });
  await expect(playground.status()).toHaveText(/^running: .*fill…$/);
  await page.getByTestId('stop').click();
  await expect(message).toHaveText('stopped: the chain was rebuilt as of the last finished request');
  await expect(playground.status()).toHaveText('engine ready');
  await expect(page.getByTestId('block-index')).toHaveText(blocks);
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  // The rebuilt engine is on the browser's WebAssembly still.
  await expect(page.getByTestId('settings-wasm-engine')).toHaveValue('browser');
});

test('time travel shows an earlier state, and the chain can be reverted to it', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '5' });
  await expect(await playground.call('incrementBy', { amount: '3' })).toHaveText(/^block \d+: ok/);
  const value = page.getByTestId('state-value');
  await expect(value).toHaveText('8');
  const latest = Number(await page.getByTestId('block-index').textContent());

  // The deploy's block: the counter as it was.
  await playground.receipts().nth(1).getByTestId('view-block').click();
  const banner = page.getByTestId('time-travel');
  await expect(banner).toContainText(`after block ${latest - 1}`);
  await expect(value).toHaveText('5');
  await expect(playground.entry('incrementBy').getByTestId('call-incrementBy')).toBeDisabled();
  // The past is read-only, but its views can be called.
  await expect(page.getByTestId('deploy-button')).toBeDisabled();
  await expect(await playground.call('getCounter')).toHaveText('counter = 5');
  await banner.getByTestId('back-to-now').click();
  await expect(value).toHaveText('8');
  await expect(await playground.call('getCounter')).toHaveText('counter = 8');

  // Reverting asks first, and can be undone.
  await playground.receipts().nth(1).getByTestId('view-block').click();
  await banner.getByTestId('revert-here').click();
  await expect(banner.getByTestId('revert-confirm')).toContainText(`Drop blocks ${latest} to ${latest}?`);
  await banner.getByTestId('revert-no').click();
  await expect(banner.getByTestId('revert-confirm')).toHaveCount(0);
  await banner.getByTestId('revert-here').click();
  await banner.getByTestId('revert-yes').click();
  await expect(page.getByTestId('block-index')).toHaveText(String(latest - 1));
  await expect(banner).toHaveCount(0);
  await expect(value).toHaveText('5');
  await expect(await playground.call('getCounter')).toHaveText('counter = 5');
  const note = page.getByTestId('revert-note');
  await expect(note).toContainText(`reverted to block ${latest - 1}`);
  await note.getByTestId('undo-revert').click();
  await expect(page.getByTestId('block-index')).toHaveText(String(latest));
  await expect(value).toHaveText('8');
  await expect(note).toContainText('undone');
  await note.getByTestId('dismiss-revert-note').click();
  await expect(note).toHaveCount(0);
});

test("the editor's code survives a reload, in the language it was written in", async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('editor-language').selectOption('wat');
  await playground.typeCode('(module (memory (export "memory") 1) ;; kept across reloads\n)');
  await page.reload();
  await expect(playground.status()).toHaveText('engine ready');
  await expect(page.getByTestId('editor-language')).toHaveValue('wat');
  await expect(page.locator('.monaco .view-lines')).toContainText('kept across reloads');
});
