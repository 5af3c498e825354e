// Share links: the session travels in the URL fragment and replays to the
// same state hash in another browser; bad links say what is wrong.
import zlib from 'node:zlib';
import { test, expect } from '../playground.mjs';

/** The JSON inside a share link, and a link made from JSON. */
const unpackLink = (url) => {
  const [, version, data] = url.match(/#s=(\d+)\.(.*)$/);
  return { version, json: JSON.parse(zlib.inflateRawSync(Buffer.from(data, 'base64url')).toString()) };
};
const packLink = (version, json) =>
  `/#s=${version}.${zlib.deflateRawSync(Buffer.from(JSON.stringify(json))).toString('base64url')}`;

test('a shared session opens in a fresh browser at the same state hash', async ({ playground, browser }) => {
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await playground.call('incrementBy', { amount: '41' });
  await playground.page.getByTestId('share').click();
  const url = await playground.page.getByTestId('share-link').inputValue();
  expect(url).toMatch(/#s=2\.[A-Za-z0-9_-]+$/);
  await expect(playground.page.getByTestId('share-size')).toHaveText(/^\d+ characters$/);
  const hash = await playground.page.getByTestId('chain-state-hash').textContent();

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('link-status')).toContainText('The state hash matches');
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await other.getByTestId('contract-inccounter').click();
  await other.getByTestId('entry-getCounter').getByTestId('call-getCounter').click();
  await expect(other.getByTestId('entry-getCounter').getByTestId('message')).toHaveText('counter = 42');
  await context.close();
});

for (const [what, fragment, message] of [
  ['corrupted', '#s=1.%%%not-base64', 'damaged'],
  ['truncated', '#s=1.y0vMzEmtBAA', 'could not be opened'],
  ['wrong-version', '#s=7.abc', 'version `7` is not supported'],
]) {
  test(`a ${what} link says what is wrong and leaves the autosaved work intact`, async ({ playground }) => {
    const { page } = playground;
    await playground.open();
    await playground.deployExample('inccounter', { counter: '7' });
    const hash = await page.getByTestId('chain-state-hash').textContent();
    await page.goto(`/${fragment}`);
    await expect(page.getByTestId('link-status')).toContainText(message);
    await expect(page.getByTestId('link-status')).toContainText('Your own work is unchanged');
    await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
    await expect(await playground.call('getCounter')).toHaveText('counter = 7');
  });
}

test('a good link replaces the chain, and the work it replaced can be restored', async ({ playground, browser }) => {
  const { page } = playground;
  // Someone else's session, as a link.
  const context = await browser.newContext();
  const sharer = await context.newPage();
  await sharer.goto('/');
  await expect(sharer.getByTestId('engine-status')).toHaveText('engine ready');
  await sharer.getByTestId('example-Storage').click();
  await sharer.getByTestId('deploy-button').click();
  await expect(sharer.getByTestId('deploy-form').getByTestId('message')).toHaveText(/deployed/);
  await sharer.getByTestId('share').click();
  const url = await sharer.getByTestId('share-link').inputValue();
  await context.close();

  await playground.open();
  await playground.deployExample('inccounter', { counter: '7' });
  const mine = await page.getByTestId('chain-state-hash').textContent();
  await page.goto(url);
  await expect(page.getByTestId('link-status')).toContainText('The state hash matches');
  await expect(page.getByTestId('contract-storage')).toBeVisible();
  await page.getByTestId('restore-previous').click();
  await expect(page.getByTestId('chain-state-hash')).toHaveText(mine);
  await expect(page.getByTestId('contract-inccounter')).toBeVisible();
});

test('Share leaves the address bar alone: a reload brings back the newest work, not the shared state', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-link')).toHaveValue(/#s=2\./);
  expect(page.url()).not.toContain('#s=');
  await expect(await playground.call('incrementBy', { amount: '9' })).toHaveText(/^block \d+: ok/);
  await page.reload();
  await expect(playground.status()).toHaveText('engine ready');
  await expect(page.getByTestId('link-status')).toContainText('Restored your autosaved session');
  await expect(await playground.call('getCounter')).toHaveText('counter = 10');
});

test('a link with one character changed gives a short message that stays until dismissed', async ({ playground, browser }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  const at = Math.floor(url.length * 0.6);
  const damaged = url.slice(0, at) + (url[at] === 'A' ? 'B' : 'A') + url.slice(at + 1);

  // In a fresh browser (nothing autosaved) and in this one (autosaved work).
  const context = await browser.newContext();
  const fresh = await context.newPage();
  for (const tab of [fresh, page]) {
    await tab.goto(damaged);
    const status = tab.getByTestId('link-status');
    await expect(status).toBeVisible();
    await expect(tab.getByTestId('engine-status')).toHaveText('engine ready');
    await tab.waitForTimeout(1000);
    // Still there, still about the link, and short.
    const text = await tab.getByTestId('link-status-text').textContent();
    expect(text.length).toBeLessThan(500);
    expect(text).toMatch(/could not be opened|MISMATCH|failed/);
    await tab.getByTestId('dismiss-link-status').click();
    await expect(status).toHaveCount(0);
  }
  await context.close();
});

test('the Copy button puts the share link on the clipboard', async ({ playground }) => {
  const { page } = playground;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await playground.open();
  await playground.deployExample('inccounter');
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  await page.getByTestId('copy-link').click();
  await expect(page.getByText('The link is on the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
});

test('a link leaves a bundled example out; one made with another build of it says so', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '3' });
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  expect(url.length).toBeLessThan(2000);
  const { version, json } = unpackLink(url);
  // The program and its schema are named, not carried.
  expect(json.omitted.map((o) => o.from.example)).toEqual(['inccounter', 'inccounter']);
  const hash = await page.getByTestId('chain-state-hash').textContent();

  json.omitted[0].hash = `0x${'11'.repeat(32)}`;
  await page.goto(packLink(version, json));
  await expect(page.getByTestId('link-status')).toContainText(
    'uses the bundled example `inccounter` in a version this page does not have',
  );
  await expect(page.getByTestId('link-status')).toContainText('Your own work is unchanged');
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(page.getByTestId('restore-previous')).toHaveCount(0);
});

test('Solidity written in the page travels as its source and is rebuilt on open', async ({ playground, browser }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  const source = 'pragma solidity ^0.8.24;\n\ncontract Tally {\n    uint256 public total;\n    function add(uint256 n) external { total += n; }\n}\n';
  await playground.typeCode(source);
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('compile-status')).toHaveText(/^deployed in block \d+$/, { timeout: 30_000 });
  await expect(await playground.call('add', { n: '7' })).toHaveText(/^block \d+: ok/);
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  const hash = await page.getByTestId('chain-state-hash').textContent();
  const { version, json } = unpackLink(url);
  // The program is not in the link: its source and compiler are.
  expect(json.omitted).toHaveLength(1);
  const { source: n } = json.omitted[0].from;
  expect(json.session.sources[n].language).toBe('solidity');
  expect(json.session.sources[n].compiler).toMatch(/^solc-js 0\.8\./);

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('link-status')).toContainText('The state hash matches', { timeout: 60_000 });
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  // A source edited after the fact does not rebuild to the same program.
  json.session.sources[n].text = json.session.sources[n].text.replace('total += n;', 'total += n + 1;');
  await other.goto(packLink(version, json));
  await expect(other.getByTestId('link-status')).toContainText('rebuilding it here did not give the same program', { timeout: 60_000 });
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await context.close();
});
