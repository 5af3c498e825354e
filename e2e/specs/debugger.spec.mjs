// The debugger: a call simulated under a tracer (or a past request run
// again), stepped through line by line in its Solidity source, with
// breakpoints, gas, stack, memory and the storage it writes; Wasm calls
// instruction by instruction with their host calls; across VMs.
import { test, expect, unpackLink, opensAtTheSameHash } from '../playground.mjs';

const VAULT = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Vault {
    mapping(address => uint256) public balances;

    function deposit(uint256 amount) external {
        require(amount > 0, "nothing to deposit");
        balances[msg.sender] += amount;
    }
}
`;

/** The lines Monaco marks as the debugger's current one. */
const markedLines = (page) =>
  page.evaluate(() => {
    const editor = window.monaco.editor.getEditors()[0];
    return editor
      .getModel()
      .getAllDecorations()
      .filter((d) => d.options.className === 'debug-current-line')
      .map((d) => d.range.startLineNumber);
  });

test('the debugger steps from the first line to a failing require, and through a storage write and back', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(VAULT);
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Vault/, { timeout: 60_000 });
  await playground.deployFrom(editor, 'vault');

  // deposit(0) fails at its require: step into, line by line, until there.
  const card = playground.entry('deposit');
  await card.getByTestId('arg-deposit-amount').fill('0');
  await card.getByTestId('trace-deposit').click();
  await expect(card.getByTestId('message')).toContainText('simulated (the chain is unchanged), failing');
  const debug = card.getByTestId('debugger');
  const current = debug.getByTestId('debug-line-current');
  await expect(debug.getByTestId('debug-position')).toHaveText(/^step 0 of \d+$/);
  await expect(current).toContainText('contract Vault');
  for (let i = 0; i < 40; i += 1) {
    if ((await current.textContent()).includes('require(')) break;
    await debug.getByTestId('debug-into').click();
  }
  await expect(current).toContainText('require(amount > 0, "nothing to deposit");');
  await expect(debug.getByTestId('debug-source')).toContainText('Contract.sol line 8');
  // The editor marks the same line.
  await expect.poll(() => markedLines(page)).toEqual([8]);
  await page.locator('section.editor-panel').screenshot({ path: 'e2e/screenshots/debugger-monaco.png' });
  await debug.getByTestId('debug-last').click();
  await expect(debug.getByTestId('debug-instruction')).toContainText('REVERT');

  // deposit(5): a breakpoint on the write, continue to it, step over it.
  await card.getByTestId('arg-deposit-amount').fill('5');
  await card.getByTestId('trace-deposit').click();
  await expect(card.getByTestId('message')).toContainText('simulated (the chain is unchanged): ');
  await expect(debug.getByTestId('debug-position')).toHaveText(/^step 0 of \d+$/);
  await debug.getByTestId('bp-9').click();
  await expect(debug.getByTestId('bp-9')).toHaveAttribute('aria-pressed', 'true');
  await debug.getByTestId('debug-continue').click();
  await expect(current).toContainText('balances[msg.sender] += amount;');
  await expect(debug.getByTestId('debug-storage')).toContainText('nothing yet');
  await expect(debug.getByTestId('debug-instruction')).toContainText(/gas left \d+, this step costs \d+/);
  for (let i = 0; i < 40; i += 1) {
    if (!(await current.textContent()).includes('balances[msg.sender] += amount;')) break;
    await debug.getByTestId('debug-over').click();
  }
  await expect(debug.getByTestId('debug-storage')).toContainText('0x5');
  await expect(debug.getByTestId('debug-memory')).toContainText('0x40: ');
  await page.screenshot({ path: 'e2e/screenshots/debugger.png', fullPage: false });
  await debug.screenshot({ path: 'e2e/screenshots/debugger-panel.png' });
  // Back: on the write's line again, the write not yet done.
  await debug.getByTestId('debug-back').click();
  await expect(current).toContainText('balances[msg.sender] += amount;');
  await expect(debug.getByTestId('debug-storage')).toContainText('nothing yet');

  // The chain did not change: the balance is still 0.
  await expect(await playground.call('balances', { '#0': '0x0000000000000000000000000000000000000000' })).toHaveText(/#0 = 0/);
  expect(playground.consoleErrors).toEqual([]);
});

test('a Wasm call traces with its host calls decoded; a past cross-VM request steps from Solidity into Wasm and out', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter');

  // Debug on a Wasm func: every instruction, the host calls by name.
  const card = playground.entry('increment');
  await card.getByTestId('trace-increment').click();
  await expect(card.getByTestId('message')).toHaveText(/^simulated \(the chain is unchanged\): \d+ instructions recorded, \d+ gas$/);
  const debug = card.getByTestId('debugger');
  await expect(debug.getByTestId('debug-instruction')).toContainText('(Wasm) at offset');
  await expect(debug.getByTestId('debug-source')).toContainText('A Wasm instruction');
  const calls = debug.getByTestId('debug-host-calls');
  await calls.locator('summary').click();
  await expect(calls.getByTestId('host-call').filter({ hasText: 'state set("counter")' })).toHaveCount(1);
  await expect(calls).toContainText('state get("counter")');
  // Going to the write: the instruction that made it, its host call, and
  // the write among the storage written once past it.
  await calls.getByTestId('host-call').filter({ hasText: 'state set("counter")' }).getByRole('button').click();
  await expect(debug.getByTestId('debug-instruction')).toContainText('call $');
  await expect(debug.getByTestId('debug-host')).toContainText('state set("counter") → 0x0100000000000000');
  await expect(debug.getByTestId('debug-storage')).toContainText('nothing yet');
  await debug.getByTestId('debug-over').click();
  await expect(debug.getByTestId('debug-storage')).toContainText('"counter"');
  await debug.screenshot({ path: 'e2e/screenshots/debugger-wasm.png' });
  // Out of the host-calling function, back in its caller.
  const depth = async () => Number((await debug.getByTestId('debug-instruction').textContent()).match(/depth (\d+)/)[1]);
  const inner = await depth();
  await debug.getByTestId('debug-out').click();
  expect(await depth()).toBeLessThan(inner);
  // The instruction table, a thousand rows at a time: the write is in the third.
  const table = card.getByTestId('opcodes');
  await expect(table.getByTestId('opcodes-shown')).toHaveText(/^rows 0–999 of \d+$/);
  await expect(table).not.toContainText('state set');
  await table.getByTestId('opcodes-later').click();
  await table.getByTestId('opcodes-later').click();
  await expect(table.getByTestId('opcodes-shown')).toHaveText(/^rows 2000–2999 of \d+$/);
  await expect(table).toContainText('state set("counter")');

  // A past request: Solidity calling the Wasm counter, run again traced.
  await playground.deployExample('CrossVM');
  await expect(await playground.call('increment', { times: '2' })).toHaveText(/ok value = 2/);
  const receipt = playground.receipts().first();
  await receipt.getByTestId('debug-receipt').click();
  const past = receipt.getByTestId('debugger');
  // Running it again takes a moment: 20 000 instructions are recorded.
  await expect(past.getByTestId('debug-instruction')).toContainText('(EVM)', { timeout: 20_000 });
  await expect(past.getByTestId('debug-frame')).toContainText('Call');
  await expect(past.getByTestId('debug-frame')).toContainText('0x');
  // Into the Wasm callee through its first host call, then out to the EVM.
  const pastCalls = past.getByTestId('debug-host-calls');
  await pastCalls.locator('summary').click();
  await pastCalls.getByTestId('host-call').first().getByRole('button').click();
  await expect(past.getByTestId('debug-instruction')).toContainText('(Wasm)');
  for (let i = 0; i < 12; i += 1) {
    if ((await past.getByTestId('debug-instruction').textContent()).includes('(EVM)')) break;
    await past.getByTestId('debug-out').click();
  }
  await expect(past.getByTestId('debug-instruction')).toContainText('(EVM)');
  await past.screenshot({ path: 'e2e/screenshots/debugger-cross-vm.png' });
  // Debugging changed nothing: the counter is still 2.
  await playground.selectContract('inccounter');
  await expect(await playground.call('getCounter')).toHaveText('counter = 2');
  expect(playground.consoleErrors).toEqual([]);
});

const BASE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

abstract contract Base is ERC20 {
    constructor() ERC20("Gold", "GLD") {
        _mint(msg.sender, 1000);
    }
}
`;

const GOLD = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Base} from "./tokens/Base.sol";

contract Gold is Base {
    function give(address to, uint256 amount) external {
        require(amount <= 100, "at most 100 at once");
        _transfer(msg.sender, to, amount);
    }
}
`;

test('a two-file project importing an OpenZeppelin ERC-20, built by solc 0.8.28, deploys, debugs and replays', async ({ playground, browser }) => {
  test.setTimeout(240_000);
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await playground.solidityProject(GOLD, { 'tokens/Base.sol': BASE });
  await page.getByTestId('solc-version').selectOption('0.8.28');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Gold \(\d+ bytes\), by solc 0\.8\.28$/, { timeout: 90_000 });
  await playground.deployFrom(editor, 'gold');
  await expect(await playground.call('balanceOf', { account: '0x0000000000000000000000000000000000000000' })).toHaveText(/#0 = 0/);

  // give(…, 500) reverts at its require: from the call's first line to it.
  const to = '0x00000000000000000000000000000000000000aa';
  const card = playground.entry('give');
  await card.getByTestId('arg-give-to').fill(to);
  await card.getByTestId('arg-give-amount').fill('500');
  await card.getByTestId('trace-give').click();
  await expect(card.getByTestId('message')).toContainText('failing');
  const debug = card.getByTestId('debugger');
  const current = debug.getByTestId('debug-line-current');
  await expect(current).toContainText('contract Gold is Base');
  for (let i = 0; i < 40; i += 1) {
    if ((await current.textContent()).includes('require(')) break;
    await debug.getByTestId('debug-into').click();
  }
  await expect(current).toContainText('require(amount <= 100, "at most 100 at once");');
  await debug.getByTestId('debug-last').click();
  await expect(debug.getByTestId('debug-instruction')).toContainText('REVERT');

  // give(…, 5) succeeds: its storage writes (995 left, 5 given), and back.
  await card.getByTestId('arg-give-amount').fill('5');
  await card.getByTestId('trace-give').click();
  await expect(card.getByTestId('message')).toContainText('simulated (the chain is unchanged): ');
  await expect(debug.getByTestId('debug-position')).toHaveText(/^step 0 of \d+$/);
  await debug.getByTestId('debug-last').click();
  const storage = debug.getByTestId('debug-storage');
  await expect(storage).toContainText('0x3e3');
  await expect(storage).toContainText('0x5');
  // Each write with the value before it: 1000 (0x3e8) before, 995 after.
  await expect(storage.locator('tr', { hasText: '0x3e3' })).toContainText('0x3e8');
  const position = async () => Number((await debug.getByTestId('debug-position').textContent()).match(/step (\d+)/)[1]);
  const end = await position();
  await debug.getByTestId('debug-back').click();
  expect(await position()).toBeLessThan(end);
  await debug.getByTestId('debug-first').click();
  await expect(storage).toContainText('nothing yet');
  // The write happens in OpenZeppelin's ERC20.sol: stepping shows that file.
  await debug.getByTestId('bp-9').click();
  await debug.getByTestId('debug-continue').click();
  await expect(current).toContainText('_transfer(msg.sender, to, amount);');
  for (let i = 0; i < 60; i += 1) {
    if ((await debug.getByTestId('debug-source').textContent()).includes('ERC20.sol')) break;
    await debug.getByTestId('debug-into').click();
  }
  await expect(debug.getByTestId('debug-source')).toContainText('@openzeppelin/contracts/token/ERC20/ERC20.sol');
  // OpenZeppelin's file is not the project's: the editor marks nothing.
  await expect.poll(() => markedLines(page)).toEqual([]);
  await expect(await playground.call('give', { to, amount: '5' })).toHaveText(/^block \d+: ok/);

  // A Wasm call beside it: its trace lists its host calls by name.
  await page.getByTestId('example-inccounter').click();
  await playground.deployFrom(page.getByRole('region', { name: 'Examples' }));
  const increment = playground.entry('increment');
  await increment.getByTestId('trace-increment').click();
  const calls = increment.getByTestId('debug-host-calls');
  await calls.locator('summary').click();
  await expect(calls).toContainText('state set("counter")');

  // The session with the project replays to the same hash elsewhere.
  const { url, hash } = await playground.share();
  const source = unpackLink(url).session.sources.find((s) => s.language === 'solidity');
  expect(Object.keys(source.files)).toEqual(['tokens/Base.sol']);
  expect(source.compiler).toMatch(/^solc-js 0\.8\.28\+/);
  await opensAtTheSameHash(browser, url, hash);
  expect(playground.consoleErrors).toEqual([]);
});
