// Deploying and calling the bundled contracts, as a person does: pick an
// example, fill its form, press the buttons, read the page.
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

test('deploy the Wasm counter, call a func, see the state change through a view', async ({ playground }) => {
  await playground.open();
  // Its Rust source first, highlighted once Monaco is there.
  await playground.page.getByTestId('example-inccounter').click();
  await playground.page.getByTestId('show-source').click();
  const source = playground.page.getByTestId('source');
  await expect(source).toContainText('pub fn func_increment');
  await expect(source.locator('span[class^="mtk"]').first()).toBeVisible();
  await playground.deployExample('inccounter', { counter: '5' });
  const balance = playground.page.getByTestId('balance-alice');
  const before = await balance.textContent();

  await expect(await playground.call('incrementBy', { amount: '3' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 8');
  await expect(playground.receipts().first()).toContainText('inccounter.incrementBy');
  await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('ok');
  // alice sent the requests, so alice paid the fees.
  await expect(balance).not.toHaveText(before);
  await expect(playground.page.getByTestId('chain-state-hash')).toHaveText(/^[0-9a-f]{64}$/);
});

test('a failing Solidity call shows its decoded error and leaves state unchanged', async ({ playground }) => {
  await playground.open();
  await playground.deployExample('Token', { name_: 'Play', symbol_: 'PLY', supply: '1000' });
  const alice = '0x0000000000000000000000000000000000000001';
  await expect(await playground.call('totalSupply')).toHaveText('#0 = 1000');

  const failure = await playground.call('transfer', { to: alice, value: '5000' });
  // The sender's address reads as its name.
  await expect(failure).toHaveText(/ERC20InsufficientBalance\(sender: alice, balance: 1000, needed: 5000\)/);
  await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('failed');
  await expect(playground.receipts().first().getByTestId('receipt-error')).toContainText('ERC20InsufficientBalance');
  await expect(await playground.call('balanceOf', { '#0': alice })).toHaveText('#0 = 0');

  await expect(await playground.call('transfer', { to: alice, value: '250' })).toHaveText(/ok #0 = true/);
  await expect(await playground.call('balanceOf', { '#0': alice })).toHaveText('#0 = 250');
});

test('Solidity calls the Wasm counter and the trace crosses VMs', async ({ playground }) => {
  await playground.open();
  await playground.deployExample('inccounter');
  await playground.deployExample('CrossVM');
  await expect(await playground.call('increment', { times: '2' })).toHaveText(/ok value = 2/);
  const receipt = playground.receipts().first();
  await receipt.getByText('events and trace').click();
  const trace = receipt.getByTestId('trace');
  await expect(trace.getByTestId('trace-node').first()).toContainText('crossvm.increment [evm]');
  await expect(trace).toContainText('inccounter.increment [wasmvm]');
  await expect(receipt).toContainText('crossvm.incremented');

  await playground.selectContract('inccounter');
  await expect(await playground.call('getCounter')).toHaveText('counter = 2');
});

test('bad input gets a clear message next to the form, and nothing is sent', async ({ playground }) => {
  await playground.open();
  await playground.deployExample('inccounter');
  const blocks = await playground.page.getByTestId('block-index').textContent();
  await expect(await playground.call('incrementBy', { amount: 'lots' })).toHaveText(
    'amount: not a whole number: `lots`',
  );
  await expect(playground.page.getByTestId('block-index')).toHaveText(blocks);
  expect(playground.consoleErrors).toEqual([]);
});

test('a payable Solidity function receives base tokens as msg.value', async ({ playground }) => {
  await playground.open();
  await playground.deployExample('Vault');
  const vault = playground.page.getByTestId('balance-vault');
  await expect(vault.locator('td').nth(1)).toHaveText('0');
  // Only payable functions offer a value field.
  await expect(playground.entry('withdraw').getByTestId('value-withdraw')).toHaveCount(0);

  await expect(await playground.call('deposit', {}, { value: 1000 })).toHaveText(/^block \d+: ok/);
  await expect(vault.locator('td').nth(1)).toHaveText('1000');
  // 1 base token is 10^12 wei.
  await expect(await playground.call('total')).toHaveText('#0 = 1000000000000000');
  await expect(playground.receipts().first()).toContainText('Deposited');

  await expect(await playground.call('deposit', {}, { value: 'ten' })).toHaveText('Value: "ten" is not a number');
  await expect(vault.locator('td').nth(1)).toHaveText('1000');
});

test('trace a Solidity call opcode by opcode, as evm.codes shows it, without changing the chain', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('Storage');
  const hash = await page.getByTestId('chain-state-hash').textContent();
  const card = playground.entry('set');
  await card.getByTestId('arg-set-newValue').fill('42');
  await card.getByTestId('trace-set').click();
  await expect(card.getByTestId('message')).toHaveText(/^simulated \(the chain is unchanged\): \d+ instructions recorded, \d+ gas$/);
  const rows = card.getByTestId('opcode');
  await expect(rows.first()).toContainText('PUSH1');
  await expect(card.getByTestId('opcodes')).toContainText('SSTORE');
  await expect(card.getByTestId('opcodes')).toContainText('LOG');
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(await playground.call('get')).toHaveText('#0 = 0');
});

test('a payable constructor keeps its value; receive and fallback are entry points', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const fixture = fileURLToPath(new URL('../../engine/tests/fixtures/solidity/Payable.json', import.meta.url));
  await page.getByTestId('upload').setInputFiles(fixture);
  const uploaded = page.getByTestId('uploaded');
  await expect(uploaded).toContainText('Payable');
  // The constructor is payable: the deploy form takes a value.
  await uploaded.getByTestId('deploy-value').fill('2');
  await uploaded.getByTestId('deploy-value-unit').selectOption('ether');
  await expect(uploaded.getByTestId('deploy-value-shown')).toHaveText('= 2000000 base tokens = 2 IOTA = 2000000000000000000 wei');
  await playground.deployFrom(uploaded);
  await expect(page.getByTestId('balance-payable').locator('td').nth(1)).toHaveText('2000000');
  await expect(await playground.call('balance')).toHaveText('#0 = 2000000000000000000');
  // A plain value transfer, then any calldata.
  await expect(await playground.call('receive', {}, { value: 5 })).toHaveText(/^block \d+: ok/);
  await expect(page.getByTestId('balance-payable').locator('td').nth(1)).toHaveText('2000005');
  await expect(await playground.call('fallback', { data: '0xc0ffee' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('lastData')).toHaveText('#0 = 0xc0ffee');
});
