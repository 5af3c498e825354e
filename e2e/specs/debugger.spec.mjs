// The EVM debugger: a call simulated under a tracer, stepped through line
// by line in its Solidity source, with breakpoints, gas, stack, memory and
// the storage it writes.
import { test, expect } from '../playground.mjs';

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
