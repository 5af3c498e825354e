// Share links: the session travels in the URL fragment and replays to the
// same state hash in another browser; bad links say what is wrong.
import { test, expect } from '../playground.mjs';

test('a shared session opens in a fresh browser at the same state hash', async ({ playground, browser }) => {
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await playground.call('incrementBy', { amount: '41' });
  await playground.page.getByTestId('share').click();
  const url = await playground.page.getByTestId('share-link').inputValue();
  expect(url).toMatch(/#s=1\.[A-Za-z0-9_-]+$/);
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
  test(`a ${what} link says what is wrong and leaves a working playground`, async ({ playground }) => {
    await playground.page.goto(`/${fragment}`);
    await expect(playground.page.getByTestId('link-status')).toContainText(message);
    await playground.deployExample('inccounter');
    await expect(await playground.call('getCounter')).toHaveText('counter = 0');
  });
}
