// A newcomer's first ten minutes, as one walk: open the page, deploy an
// example, call it, break something, share, reopen the link elsewhere, go
// offline, and do it again on a phone. Screenshots of each stop go to
// e2e/screenshots/newcomer-*.png.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Nothing on the page is wider than the window. */
async function fitsWidth(page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(width);
}

test('a first ten minutes: deploy, call, break, share, reopen, offline, phone', async ({ playground, browser }) => {
  test.setTimeout(120_000);
  fs.mkdirSync(shots, { recursive: true });
  const { page } = playground;
  await playground.open();
  await page.screenshot({ path: `${shots}newcomer-1-first-look.png` });

  // Deploy the counter from the gallery and use it.
  await playground.deployExample('inccounter', { counter: '1' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 2');
  await expect(page.getByTestId('state-value').first()).toHaveText('2');

  // Break something: a typo is refused before it costs a block; a revert is
  // a failed receipt with its reason, and the counter is untouched.
  const blocks = await page.getByTestId('block-index').textContent();
  await expect(await playground.call('incrementBy', { amount: 'lots' })).toContainText('not a whole number');
  await expect(page.getByTestId('block-index')).toHaveText(blocks);
  await playground.deployExample('Reverter');
  await expect(await playground.call('failWithReason')).toContainText('Reverter: no, not today');
  await expect(playground.receipts().first().getByTestId('receipt-status')).toHaveText('failed');
  await page.screenshot({ path: `${shots}newcomer-2-after-a-failure.png`, fullPage: true });

  // Share: a short link, the address bar untouched.
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  expect(url.length).toBeLessThan(2000);
  const hash = await page.getByTestId('chain-state-hash').textContent();

  // A classmate opens it, and later goes offline: the work is still there.
  const context = await browser.newContext();
  const classmate = await context.newPage();
  await classmate.goto(url);
  await expect(classmate.getByTestId('link-status')).toContainText('The state hash matches');
  await expect(classmate.getByTestId('chain-state-hash')).toHaveText(hash);
  await classmate.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  await context.route('**', (route) =>
    route.request().serviceWorker() ? route.abort('internetdisconnected') : route.continue(),
  );
  await classmate.reload();
  await expect(classmate.getByTestId('engine-status')).toHaveText('engine ready');
  await expect(classmate.getByTestId('chain-state-hash')).toHaveText(hash);
  await classmate.getByTestId('contract-inccounter').click();
  const card = classmate.getByTestId('entry-getCounter');
  await card.getByTestId('call-getCounter').click();
  await expect(card.getByTestId('message')).toHaveText('counter = 2');
  await classmate.screenshot({ path: `${shots}newcomer-3-offline.png` });
  await context.close();

  // On a phone: the same link, nothing wider than the screen, still usable.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto(url);
  await expect(small.getByTestId('link-status')).toContainText('The state hash matches');
  await fitsWidth(small);
  await small.getByTestId('contract-inccounter').click();
  const increment = small.getByTestId('entry-increment');
  await increment.getByTestId('call-increment').tap();
  await expect(increment.getByTestId('message')).toHaveText(/^block \d+: ok/);
  await fitsWidth(small);
  await small.screenshot({ path: `${shots}newcomer-4-phone.png`, fullPage: true });
  await phone.close();
});
