// Workshop mode: a lesson completes step by step as the learner's chain
// satisfies its checks; a teacher turns a session into a lesson link.
import { test, expect } from '../playground.mjs';

test('the Wasm counter lesson completes step by step', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('lesson-wasm-counter').click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('A Wasm counter');
  await expect(lesson.getByTestId('lesson-progress')).toHaveText('Step 1 of 3');
  const checks = lesson.getByTestId('check');
  await expect(checks).toHaveCount(1);
  await expect(checks.first()).toContainText('(not yet)');
  await expect(lesson.getByTestId('step-done')).toBeHidden();

  await playground.deployExample('inccounter');
  await expect(checks.first()).toContainText('(done)');
  await expect(lesson.getByTestId('step-done')).toHaveText('Step done: on to the next.');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('step-title')).toHaveText('Count to three');
  await expect(await playground.call('incrementBy', { amount: '3' })).toHaveText(/^block \d+: ok/);
  await expect(checks.first()).toContainText('(done)');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('lesson-progress')).toHaveText('Step 3 of 3');
  await expect(checks).toHaveCount(2);
  await expect(await playground.call('callIncrement')).toHaveText(/^block \d+: ok/);
  await expect(checks.nth(0)).toContainText('(done)');
  await expect(checks.nth(1)).toContainText('(done)');
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');
  // Counting on past five takes no tick back: a step once done stays done,
  // here and on the way back.
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(checks.nth(1)).toContainText('(done)');
  await lesson.getByTestId('step-back').click();
  await expect(checks.first()).toContainText('(done)');
});

test('the Solidity lessons check views: an ERC-20 balance and a cross-VM counter', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('lesson-solidity-erc20').click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('An ERC-20 in Solidity');
  await expect(page.getByTestId('contract-token')).toBeVisible();
  const check = lesson.getByTestId('check').first();
  await expect(check).toContainText('(not yet)');
  await expect(await playground.call('transfer', { to: 'bob', value: '40' })).toHaveText(/ok #0 = true/);
  await expect(check).toContainText('(done)');
  await lesson.getByTestId('lesson-close').click();

  await page.getByTestId('lesson-cross-vm').click();
  await expect(lesson.getByTestId('lesson-title')).toHaveText('Solidity calls Wasm');
  await playground.deployExample('CrossVM');
  await lesson.getByTestId('step-next').click();
  await expect(await playground.call('increment', { times: '2' })).toHaveText(/ok value = 2/);
  await expect(lesson.getByTestId('step-done')).toBeVisible();
  await lesson.getByTestId('step-next').click();
  await expect(lesson.getByTestId('check').first()).toContainText('(not yet)');
  await expect(await playground.call('increment', { times: '1' })).toHaveText(/ok value = 3/);
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');
});

test('a teacher turns the session into a lesson link that opens elsewhere', async ({ playground, browser }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter');
  await page.getByTestId('teacher').locator('summary').click();
  await page.getByTestId('teacher-title').fill('Count to five');
  await page.getByTestId('teacher-steps').fill('# Five\nSend `incrementBy` 5.\ncheck: state inccounter counter = 5\n');
  await page.getByTestId('teacher-make').click();
  const url = await page.getByTestId('lesson-link').inputValue();
  expect(url).toMatch(/#l=1\.[A-Za-z0-9_-]+$/);

  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  const lesson = other.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('Count to five');
  await expect(other.getByTestId('contract-inccounter')).toBeVisible();
  await other.getByTestId('arg-incrementBy-amount').fill('5');
  await other.getByTestId('call-incrementBy').click();
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');
  await context.close();
});

test('a teacher is told at once about a check that could never pass', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('teacher').locator('summary').click();
  await page.getByTestId('teacher-steps').fill('# Pay bob\ncheck: balance @bob >= 1\n');
  await page.getByTestId('teacher-make').click();
  await expect(page.getByTestId('teacher').getByTestId('message')).toContainText('without @');
  await expect(page.getByTestId('lesson-link')).toHaveCount(0);
  await page.getByTestId('teacher-steps').fill('# Pay bob\ncheck: balance mallory >= 1\n');
  await page.getByTestId('teacher-make').click();
  await expect(page.getByTestId('teacher').getByTestId('message')).toContainText('no account or contract `mallory`');
  await page.getByTestId('teacher-steps').fill('# Pay bob\ncheck: balance bob >= 1\n');
  await page.getByTestId('teacher-make').click();
  await expect(page.getByTestId('lesson-link')).toHaveValue(/#l=1\./);
});
