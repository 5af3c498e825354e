// The script console: ethers and viem scripts run against the page's
// EIP-1193 provider; what they send lands in the receipts and the session.
import { test, expect } from '../playground.mjs';

async function runScript(page, code) {
  const panel = page.getByTestId('script-console');
  if (!(await panel.getByTestId('script-code').isVisible())) await panel.locator('summary').click();
  if (code !== undefined) await panel.getByTestId('script-code').fill(code);
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
