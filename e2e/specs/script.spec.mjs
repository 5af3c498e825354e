// The script console: ethers and viem scripts run against the page's
// EIP-1193 provider; what they send lands in the receipts and the session.
import { test, expect } from '../playground.mjs';

async function runScript(page, code) {
  const panel = page.getByTestId('script-console');
  const field = panel.getByTestId('script-code');
  // The editor above it loads Monaco meanwhile and the page's layout
  // shifts: open the console once the editor is in, and again should a
  // click have been lost in the shift.
  await expect(page.locator('.monaco .view-lines')).toBeVisible({ timeout: 30_000 });
  await expect(async () => {
    if (!(await field.isVisible())) await panel.locator('summary').click();
    await expect(field).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  if (code !== undefined) await field.fill(code);
  await panel.getByTestId('script-run').click();
  await expect(panel.getByTestId('script-status')).toHaveText(/done|failed|stopped/, { timeout: 60_000 });
  return panel;
}

test('the bundled ethers script deploys, transfers, reads logs and reverts a snapshot', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const panel = await runScript(page);
  const output = panel.getByTestId('script-output');
  await expect(panel.getByTestId('script-status')).toHaveText('done');
  await expect(output).toContainText(/deployed at 0x[0-9a-fA-F]{40}/);
  await expect(output).toContainText('bob holds 25');
  await expect(output).toContainText(/transfers from alice: 0x[0-9a-fA-F]{40} 25/);
  await expect(output).toContainText('after evm_revert bob holds 0');
  // The deploy is a request in the page's receipts; the transfer was reverted.
  await expect(playground.receipts().first()).toContainText('evm.createContract');
  const hash = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  expect(playground.consoleErrors).toEqual([]);
});

const viemScript = `
const artifact = (await (await fetch('examples/solidity/Token.json')).json()).contracts['Token.sol'].Token;
const abi = artifact.abi;
const client = viem.createWalletClient({ transport: viem.custom(provider), pollingInterval: 50 })
  .extend(viem.publicActions);
const [, alice, bob] = await client.getAddresses();
const deployed = await client.deployContract({
  abi, bytecode: '0x' + artifact.evm.bytecode.object, args: ['Viem', 'VIE', 1000n], account: alice, chain: null,
});
const token = (await client.waitForTransactionReceipt({ hash: deployed })).contractAddress;
console.log('token', token);
const snapshot = await client.request({ method: 'evm_snapshot' });
const sent = await client.writeContract({
  address: token, abi, functionName: 'transfer', args: [bob, 7n], account: alice, chain: null,
});
const receipt = await client.waitForTransactionReceipt({ hash: sent });
console.log('status', receipt.status);
const logs = await client.getLogs({
  address: token,
  event: viem.parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
  args: { to: bob },
  fromBlock: 0n,
});
console.log('logs to bob', logs.length, logs[0].args.value);
const balance = () => client.readContract({ address: token, abi, functionName: 'balanceOf', args: [bob] });
console.log('bob holds', await balance());
try {
  await client.simulateContract({ address: token, abi, functionName: 'transfer', args: [bob, 5000n], account: alice });
} catch (error) {
  console.log('refused:', error.cause?.data?.errorName ?? error.shortMessage);
}
await client.request({ method: 'evm_revert', params: [snapshot] });
console.log('after revert bob holds', await balance());
`;

test('a viem script deploys, transfers, decodes a custom error and reverts a snapshot', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const panel = await runScript(page, viemScript);
  const output = panel.getByTestId('script-output');
  await expect(panel.getByTestId('script-status')).toHaveText('done');
  await expect(output).toContainText(/token 0x[0-9a-fA-F]{40}/);
  await expect(output).toContainText('status success');
  await expect(output).toContainText('logs to bob 1 7');
  await expect(output).toContainText('bob holds 7');
  await expect(output).toContainText('refused: ERC20InsufficientBalance');
  await expect(output).toContainText('after revert bob holds 0');
  await expect(playground.receipts().first()).toContainText('evm.createContract');
  expect(playground.consoleErrors).toEqual([]);
});

test('a script that never ends is stopped, and one that throws says why', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const panel = page.getByTestId('script-console');
  await panel.locator('summary').click();
  await panel.getByTestId('script-code').fill('console.log("looping"); for (;;) {}');
  await panel.getByTestId('script-run').click();
  await expect(panel.getByTestId('script-output')).toContainText('looping');
  await panel.getByTestId('script-stop').click();
  await expect(panel.getByTestId('script-status')).toHaveText('stopped');
  await expect(playground.status()).toHaveText('engine ready');

  await runScript(page, "await provider.request({ method: 'eth_sendTransaction', params: [{ from: '0x' + '11'.repeat(20) }] });");
  await expect(panel.getByTestId('script-status')).toContainText('not one of the page');
  await runScript(page, 'console.log(await provider.request({ method: "eth_chainId" }));');
  await expect(panel.getByTestId('script-output')).toHaveText('0x432');
});

const signedScript = `
const artifact = (await (await fetch('examples/solidity/Token.json')).json()).contracts['Token.sol'].Token;
const chain = viem.defineChain({ id: 1074, name: 'ISC Playground', nativeCurrency: { name: 'IOTA', symbol: 'IOTA', decimals: 18 }, rpcUrls: { default: { http: [] } } });
const client = viem.createWalletClient({ chain, transport: viem.custom(provider), pollingInterval: 50 }).extend(viem.publicActions);
const [, alice] = await client.getAddresses();
const dev = viem.privateKeyToAccount('0x' + '42'.repeat(32));
console.log('dev', dev.address);
// The dev account's fees come from its chain account: alice funds it.
await client.waitForTransactionReceipt({
  hash: await client.sendTransaction({ account: alice, to: dev.address, value: viem.parseEther('1') }),
});
console.log('funded', viem.formatEther(await client.getBalance({ address: dev.address })));
const hash = await client.deployContract({
  account: dev, abi: artifact.abi, bytecode: '0x' + artifact.evm.bytecode.object, args: ['Signed', 'SIG', 500n],
});
const receipt = await client.waitForTransactionReceipt({ hash });
console.log('signed deploy', receipt.status, receipt.transactionHash === hash);
const supply = await client.readContract({ address: receipt.contractAddress, abi: artifact.abi, functionName: 'balanceOf', args: [dev.address] });
console.log('dev holds', supply);
console.log('nonce', await client.getTransactionCount({ address: dev.address }));
`;

test('a viem local account signs its transactions; the page runs them from its address', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const panel = await runScript(page, signedScript);
  const output = panel.getByTestId('script-output');
  await expect(panel.getByTestId('script-status')).toHaveText('done');
  await expect(output).toContainText('dev 0x17c5185167401eD00cF5F5b2fc97D9BBfDb7D025');
  await expect(output).toContainText('funded 1');
  await expect(output).toContainText('signed deploy success true');
  await expect(output).toContainText('dev holds 500');
  await expect(output).toContainText('nonce 1');
  const hash = await page.getByTestId('chain-state-hash').textContent();
  await page.reload();
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
});
