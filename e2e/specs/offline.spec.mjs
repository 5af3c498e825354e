// Offline: after one visit, the page reloads with the network off and still
// deploys and calls a contract; it can be installed (a web app manifest).
import { test, expect } from '../playground.mjs';

/** Cuts the network for the page and its service worker. */
async function goOffline(context) {
  await context.setOffline(true);
  await context.route('**', (route) =>
    route.request().serviceWorker() ? route.abort('internetdisconnected') : route.continue(),
  );
}

/** Waits until the service worker has `path` cached. */
async function cached(page, path) {
  await expect
    .poll(() => page.evaluate(async (p) => Boolean(await caches.match(new URL(p, location.href).href)), path), {
      timeout: 30_000,
    })
    .toBe(true);
}

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
  await goOffline(context);
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

test('the editor and the Solidity compiler, once used, work offline too', async ({ playground, context }) => {
  const { page } = playground;
  await playground.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await playground.typeCode('pragma solidity ^0.8.24;\ncontract Once { uint public x = 1; }\n');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Once/, { timeout: 30_000 });
  // Loaded on first use, before or outside the service worker's sight: kept anyway.
  await cached(page, 'solc/0.8.37/soljson.js');
  await cached(page, 'monaco/loader.js');

  await goOffline(context);
  await page.reload();
  await expect(playground.status()).toHaveText('engine ready');
  await playground.typeCode('pragma solidity ^0.8.24;\ncontract Offline { uint public y = 2; }\n');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: Offline/, { timeout: 30_000 });
  await context.unrouteAll();
  await context.setOffline(false);
});

test('offline before the compiler was ever used: compiling says it needs the network once', async ({ playground, context }) => {
  const { page } = playground;
  await playground.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await cached(page, 'solc-worker.js');
  await goOffline(context);
  await page.reload();
  await expect(playground.status()).toHaveText('engine ready');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toContainText('needs the network once', { timeout: 30_000 });
  // The page stays usable: WAT compiles in the engine.
  await page.getByTestId('editor-language').selectOption('wat');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled/);
  await context.unrouteAll();
  await context.setOffline(false);
});
