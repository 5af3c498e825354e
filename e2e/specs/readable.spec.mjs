// Readable to someone new: names instead of ids, keys as WasmLib builds
// them, amounts with their units, ISC's terms explained where they appear.
import { test, expect } from '../playground.mjs';

test('state keys, events and errors name accounts and contracts; ids stay on hover', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('erc20', { supply: '1000', owner: 'alice' });
  await expect(await playground.call('transfer', { account: 'bob', amount: '250' })).toHaveText(/^block \d+: ok/);
  // A WasmLib map keyed by agent id reads as balances[name].
  const keys = page.getByTestId('state-item').locator('code.key');
  await expect(keys.filter({ hasText: 'balances[alice]' })).toHaveCount(1);
  await expect(keys.filter({ hasText: 'balances[bob]' })).toHaveCount(1);
  await expect(keys.filter({ hasText: 'balances[bob]' })).toHaveAttribute('title', /^0x62616c616e636573/);
  // The transfer's event names both sides.
  const receipt = playground.receipts().first();
  await receipt.locator('summary').click();
  await expect(receipt.getByTestId('event')).toContainText(['alice']);
  await expect(receipt.getByTestId('event').first()).toContainText('bob');

  // Each account's agent id and EVM address, one click away.
  const ids = page.getByTestId('account-ids');
  await ids.locator('summary').click();
  await expect(ids.getByTestId('agent-alice')).toHaveText(/^0x[0-9a-f]{64}$/);
  await expect(ids.getByTestId('address-alice')).toHaveText(/^0x[0-9a-fA-F]{40}$/);

  // An error about a contract that is not there names it.
  await playground.deployExample('CrossVM');
  await expect(await playground.call('increment', { times: '1' })).toContainText('inccounter (af2438e9)');
  await expect(playground.receipts().first().getByTestId('receipt-error')).toContainText('inccounter (af2438e9)');
});

test('a payable function takes its value in base tokens, wei, gwei or ether', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await expect(page.getByTestId('units-note')).toContainText('1 000 000 = 1 IOTA');
  await playground.deployExample('Vault');
  const card = playground.entry('deposit');
  await card.getByTestId('value-deposit').fill('0.5');
  await card.getByTestId('value-deposit-unit').selectOption('ether');
  await expect(card.getByTestId('value-deposit-shown')).toHaveText(
    '= 500000 base tokens = 0.5 IOTA = 500000000000000000 wei',
  );
  await card.getByTestId('call-deposit').click();
  await expect(card.getByTestId('message')).toHaveText(/^block \d+: ok/);
  await expect(page.getByTestId('balance-vault').locator('td').nth(1)).toHaveText('500000');
  await expect(page.getByTestId('balance-vault').locator('td').nth(1)).toHaveAttribute('title', '0.5 IOTA');

  // Less than a base token cannot be sent, and nothing is posted.
  const blocks = await page.getByTestId('block-index').textContent();
  await card.getByTestId('value-deposit').fill('1');
  await card.getByTestId('value-deposit-unit').selectOption('wei');
  await expect(card.getByTestId('value-deposit-shown')).toHaveText(
    '1 wei is not a whole number of base tokens (1 base token = 10^12 wei)',
  );
  await card.getByTestId('call-deposit').click();
  await expect(card.getByTestId('message')).toHaveText(/^Value: 1 wei is not a whole number/);
  await expect(page.getByTestId('block-index')).toHaveText(blocks);
});

test('a "?" beside a term explains it on hover and leads to the glossary', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  const hash = await page.getByTestId('chain-state-hash').textContent();
  const hint = page.getByTestId('hint-two-blocks');
  await expect(hint).toHaveAttribute('title', /blob\.storeBlob stores the program/);
  await hint.click();
  const entry = page.locator('#glossary-two-blocks');
  await expect(entry).toHaveText('Why a deploy takes two blocks');
  await expect(entry).toBeInViewport();
  await expect(page.getByTestId('glossary')).toContainText('at least 10 000 gas');
  // Following a hint changes nothing else.
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(await playground.call('getCounter')).toHaveText('counter = 1');
});

test('a compiler problem in the list takes the cursor to its line', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.typeCode('pragma solidity ^0.8.24;\n\ncontract Broken {\n    uint x = 1;\n    uint y = ;\n}\n');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('problem')).toContainText(/error 5:\d+ /, { timeout: 30_000 });
  await page.getByTestId('problem-go').first().click();
  // The cursor is on line 5: what is typed lands there.
  await page.keyboard.press('End');
  await page.keyboard.insertText(' // here');
  await expect(page.getByTestId('editor-source')).toHaveValue(/uint y = ; \/\/ here\n/);
});

test('Solidity storage shows the variables by name where the compiler gave their layout', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('Storage');
  await expect(await playground.call('set', { newValue: '42' })).toHaveText(/^block \d+: ok/);
  const item = page.getByTestId('state-item');
  await expect(item.locator('code.key')).toHaveText('value (slot 0x0)');
  await expect(item.getByTestId('state-value')).toHaveText('42');
});
