// Offline: after one visit, the page reloads with the network off and still
// deploys and calls a contract; it can be installed (a web app manifest).
import { test, expect } from '../playground.mjs';

test('after a first visit the playground works with no network', async ({ playground, context }) => {
  const { page } = playground;
  await playground.open();
  // The service worker installed and precached the app.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active.state;
  });
  const manifest = await page.evaluate(async () => (await fetch('manifest.webmanifest')).json());
  expect(manifest.display).toBe('standalone');

  // Offline for the page and for its service worker.
  await context.setOffline(true);
  await context.route('**', (route) =>
    route.request().serviceWorker() ? route.abort('internetdisconnected') : route.continue(),
  );
  await page.reload();
  // Really offline: what was never cached does not load.
  const uncached = await page.evaluate(() =>
    fetch(`never-cached-${Date.now()}.txt`).then(
      (r) => `HTTP ${r.status}`,
      () => 'network error',
    ),
  );
  expect(uncached).toBe('network error');
  await expect(playground.status()).toHaveText('engine ready');
  // An example never opened before: precached too.
  await playground.deployExample('erc20', { supply: '1000', owner: 'alice' });
  await expect(await playground.call('transfer', { account: 'bob', amount: '10' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('balanceOf', { account: 'bob' })).toHaveText('amount = 10');
  // Lessons and bundled sessions too.
  await page.getByTestId('lesson-cross-vm').click();
  await expect(page.getByTestId('lesson-title')).toHaveText('Solidity calls Wasm');
  await context.unrouteAll();
  await context.setOffline(false);
});
