// EVM code without an ISC name: a factory's children are listed under
// their creator and called at their address with an ABI the user picks;
// logs and errors of inner contracts are named with their own ABI.
import { readFileSync } from 'node:fs';
import { test, expect } from '../playground.mjs';

const factory = readFileSync(
  new URL('../../engine/tests/fixtures/solidity/Factory.sol', import.meta.url),
  'utf8',
);

test('a factory child is listed under its creator and called at its address', async ({ playground }) => {
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(factory);
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: .*Child.*Factory|^compiled: .*Factory.*Child/, {
    timeout: 30_000,
  });
  // One deploy form per contract of the file, in solc's order: Child, Factory.
  const form = editor.getByTestId('deploy-form').nth(1);
  await expect(form.getByTestId('deploy-name')).toHaveValue('factory');
  await form.getByTestId('deploy-name').fill('factory');
  await form.getByTestId('deploy-button').click();
  await expect(form.getByTestId('message')).toHaveText(/deployed in block \d+/);

  await expect(await playground.call('make', { initial: '7' })).toHaveText(/^block \d+: ok/);
  const child = page.getByTestId('evm-child');
  await expect(child).toHaveCount(1);
  await expect(child).toContainText('by factory');
  const address = await child.locator('code').getAttribute('title');
  expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

  // Its code is the compiled Child's: "open" opens it with that ABI.
  await expect(child).toContainText('a Child (compiled in the editor)');
  await child.getByTestId('open-child').click();
  const tab = page.getByTestId(`contract-at-${address.toLowerCase()}`);
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(await playground.call('value')).toHaveText(/#0 = 7/);

  // The same by hand: "Call at address" with the ABI picked.
  await page.getByTestId('contract-factory').click();
  const panel = page.getByTestId('at-address-panel');
  await panel.locator('summary').click();
  await panel.getByTestId('at-address').fill(address);
  await panel.getByTestId('at-abi').selectOption('compiled:Child');
  await panel.getByTestId('at-open').click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  await expect(tab).toContainText('Child @');
  await expect(page.getByTestId('contract-address')).toHaveText(address);

  await expect(await playground.call('value')).toHaveText(/#0 = 7/);
  await expect(await playground.call('set', { newValue: '9' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('value')).toHaveText(/#0 = 9/);
  // The request went to the evm core contract; its log is the child's.
  const receipt = playground.receipts().first();
  await expect(receipt).toContainText('evm.callAddress');
  await receipt.locator('summary').click();
  await expect(receipt.getByTestId('event')).toContainText('Set');

  // A wrong address is refused at once, and opens nothing.
  await panel.getByTestId('at-address').fill('0x1234');
  await panel.getByTestId('at-open').click();
  await expect(panel.getByTestId('message')).toContainText('not an EVM address');
  await expect(page.getByTestId('contract-at-0x1234')).toHaveCount(0);

  await page.screenshot({ path: 'e2e/screenshots/at-address.png', fullPage: true });

  // The session (the calls at the address are requests to evm) replays
  // to the same state after a reload, the child listed again.
  const hash = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(page.getByTestId('evm-child')).toContainText('by factory');
  expect(playground.consoleErrors).toEqual([]);
});

test('a contract calling a library is linked to the deployed library and calls it', async ({ playground }) => {
  const { page } = playground;
  const editor = page.locator('section.editor-panel');
  await playground.open();
  await page.getByTestId('editor-language').selectOption('solidity');
  await playground.typeCode(
    readFileSync(new URL('../../engine/tests/fixtures/solidity/Linked.sol', import.meta.url), 'utf8'),
  );
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: .*MathLib.*UsesLib/, { timeout: 30_000 });
  const [library, user] = [editor.getByTestId('deploy-form').nth(0), editor.getByTestId('deploy-form').nth(1)];
  await expect(user.getByTestId('library-MathLib')).toHaveValue('');
  // Unlinked, the deploy says which library is missing.
  await user.getByTestId('deploy-button').click();
  await expect(user.getByTestId('message')).toContainText('library MathLib');

  await library.getByTestId('deploy-button').click();
  await expect(library.getByTestId('message')).toHaveText(/deployed in block \d+/);
  // The library's address fills in once it is deployed.
  await expect(user.getByTestId('library-MathLib')).toHaveValue(/^0x[0-9a-fA-F]{40}$/);
  await user.getByTestId('deploy-button').click();
  await expect(user.getByTestId('message')).toHaveText(/deployed in block \d+/);
  await expect(await playground.call('go', { x: '5' })).toHaveText(/#0 = 16/);
  expect(playground.consoleErrors).toEqual([]);
});
