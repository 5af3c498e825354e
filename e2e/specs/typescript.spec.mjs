// A Wasm contract written in TypeScript in the page: AssemblyScript
// compiles it in its own worker, the page deploys it to the Wasm VM, and
// it behaves as the Rust counter it mirrors.
import { test, expect, unpackLink, opensAtTheSameHash } from '../playground.mjs';

test('write a TypeScript counter, see a compile error as a marker, fix it, deploy it, call it: it counts as the Rust one', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  await page.getByTestId('editor-language').selectOption('typescript');
  // The template is the counter example; the plain editor holds it too.
  const good = await page.getByTestId('editor-source').inputValue();
  expect(good).toContain('new ScExports(');
  expect(good).toContain('/* @schema');

  // An unknown name: AssemblyScript's error, placed on its line.
  await playground.typeCode(good.replace('counter.int64() + 1', 'counter.int64() + missing'));
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^AssemblyScript \d+\.\d+\.\d+ found errors: see the problems below$/, { timeout: 60_000 });
  const line = good.split('\n').findIndex((l) => l.includes('counter.int64() + 1')) + 1;
  await expect(page.getByTestId('problem')).toHaveCount(1);
  await expect(page.getByTestId('problem')).toContainText(new RegExp(`^error ${line}:\\d+ .*missing`));
  // The problem takes the editor to its line, marked there.
  await page.getByTestId('problem-go').click();
  await expect(page.locator('.monaco .squiggly-error')).toHaveCount(1);

  // Fixed: compiled, and deployed with its schema's init param.
  await playground.typeCode(good);
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tscounter \(\d+ bytes\), by AssemblyScript \d+\.\d+\.\d+$/, { timeout: 60_000 });
  await expect(page.getByTestId('problem')).toHaveCount(0);
  const editor = page.locator('section.editor-panel');
  await playground.deployFrom(editor, 'tscounter', { counter: '5' });
  // The schema in the file gives the entries their forms.
  await expect(playground.entry('incrementBy').getByTestId('arg-incrementBy-amount')).toBeVisible();
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('incrementBy', { amount: '10' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 16');

  // The Rust counter, the same requests: the same results.
  await page.getByTestId('example-inccounter').click();
  const gallery = page.locator('section').filter({ has: page.getByTestId('example-inccounter') });
  await playground.deployFrom(gallery, 'rustcounter', { counter: '5' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('incrementBy', { amount: '10' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 16');
  await page.screenshot({ path: 'e2e/screenshots/typescript-counter.png', fullPage: true });
});

test('a TypeScript contract travels in a share link as its source, rebuilt on open to the same state hash', async ({ playground, browser }) => {
  test.setTimeout(180_000);
  const { page } = playground;
  await playground.open();
  await page.getByTestId('editor-language').selectOption('typescript');
  const source = (await page.getByTestId('editor-source').inputValue()).replace('counter.int64() + 1', 'counter.int64() + 2');
  await playground.typeCode(source);
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tscounter/, { timeout: 60_000 });
  await playground.deployFrom(page.locator('section.editor-panel'), 'tscounter', { counter: '1' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 3');
  const { url, hash } = await playground.share();
  // The program is not in the link: its source and compiler are.
  const json = unpackLink(url);
  expect(json.omitted).toHaveLength(1);
  const origin = json.session.sources[json.omitted[0].from.source];
  expect(origin.language).toBe('typescript');
  expect(origin.compiler).toMatch(/^assemblyscript \d+\.\d+\.\d+$/);
  expect(origin.text).toContain('counter.int64() + 2');
  await opensAtTheSameHash(browser, url, hash);
});

test('the TypeScript lesson completes: compile, deploy, change the code, read the view', async ({ playground }) => {
  test.setTimeout(180_000);
  const { page } = playground;
  await playground.open();
  await page.getByTestId('lesson-typescript-counter').click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('Your first Wasm contract in TypeScript');
  const checks = lesson.getByTestId('check');
  const editor = page.locator('section.editor-panel');

  await page.getByTestId('editor-language').selectOption('typescript');
  const counter = await page.getByTestId('editor-source').inputValue();
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tscounter/, { timeout: 60_000 });
  await playground.deployFrom(editor, 'tscounter');
  await expect(checks.first()).toContainText('(done)');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('step-title')).toHaveText('Make it count by two');
  await playground.typeCode(counter.replace('counter.setInt64(counter.int64() + 1)', 'counter.setInt64(counter.int64() + 2)'));
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tscounter/, { timeout: 60_000 });
  await playground.deployFrom(editor, 'bytwo');
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(checks.first()).toContainText('(not yet)');
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(checks.first()).toContainText('(done)');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('lesson-progress')).toHaveText('Step 3 of 3');
  await expect(await playground.call('getCounter')).toHaveText('counter = 4');
  await expect(checks.first()).toContainText('(done)');
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');
});

test('the TypeScript counter in the gallery: deploy it, read its source, open it in the editor', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  const example = page.getByTestId('example-tscounter');
  await expect(example.getByTestId('language')).toHaveText('TypeScript');
  await example.click();
  const gallery = page.locator('section').filter({ has: example });
  await playground.deployFrom(gallery, 'tscounter', { counter: '41' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('getCounter')).toHaveText('counter = 42');
  await page.getByTestId('show-source').click();
  await expect(page.getByTestId('source')).toContainText('new ScExports(');
  await page.getByTestId('open-in-editor').click();
  await expect(page.getByTestId('editor-language')).toHaveValue('typescript');
  await expect(page.locator('.monaco .view-lines')).toContainText('ScFuncContext');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tscounter \(\d+ bytes\), by AssemblyScript/, { timeout: 60_000 });
});

test('the TypeScript token in the gallery ends requests as the Rust erc20 does', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  const example = page.getByTestId('example-tserc20');
  await expect(example.getByTestId('language')).toHaveText('TypeScript');
  // The same requests on both tokens.
  for (const name of ['erc20', 'tserc20']) {
    await playground.deployExample(name, { supply: '1000', owner: 'alice' });
    await expect(await playground.call('transfer', { account: 'bob', amount: '250' })).toHaveText(/^block \d+: ok/);
    await expect(await playground.call('transfer', { account: 'carol', amount: '2000' })).toContainText('erc20: not enough funds');
    await expect(await playground.call('balanceOf', { account: 'bob' })).toHaveText('amount = 250');
    await expect(await playground.call('balanceOf', { account: 'alice' })).toHaveText('amount = 750');
    // The state reads the same way: a map keyed by agent id.
    const keys = page.getByTestId('state-item').locator('code.key');
    await expect(keys.filter({ hasText: 'balances[bob]' })).toHaveCount(1);
  }
  // Its events name both sides, as erc20's do.
  const receipt = playground.receipts().filter({ hasText: 'transfer' }).filter({ hasText: 'ok' }).first();
  await receipt.locator('summary').click();
  await expect(receipt.getByTestId('event').first()).toContainText('bob');
  // Its source compiles in the page.
  await example.click();
  await page.getByTestId('show-source').click();
  await expect(page.getByTestId('source')).toContainText('allAllowances');
  await page.getByTestId('open-in-editor').click();
  await expect(page.getByTestId('editor-language')).toHaveValue('typescript');
  await page.getByTestId('compile').click();
  await expect(page.getByTestId('compile-status')).toHaveText(/^compiled: tserc20 \(\d+ bytes\), by AssemblyScript/, { timeout: 60_000 });
});

test('the TypeScript token lesson completes: deploy, transfer, approve and spend for someone', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  await playground.open();
  await page.getByTestId('lesson-typescript-token').click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('A token in TypeScript');
  const checks = lesson.getByTestId('check');
  await expect(checks.first()).toContainText('(not yet)');

  await playground.deployExample('tserc20', { supply: '1000', owner: 'alice' });
  await expect(checks.first()).toContainText('(done)');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('step-title')).toHaveText('Send bob 250');
  await playground.sendAs('alice');
  await expect(await playground.call('transfer', { account: 'bob', amount: '250' })).toHaveText(/^block \d+: ok/);
  await expect(page.getByTestId('state-item').locator('code.key').filter({ hasText: 'balances[bob]' })).toHaveCount(1);
  await expect(checks.first()).toContainText('(done)');
  await lesson.getByTestId('step-next').click();

  await expect(lesson.getByTestId('lesson-progress')).toHaveText('Step 3 of 3');
  await playground.sendAs('bob');
  await expect(await playground.call('approve', { delegation: 'carol', amount: '100' })).toHaveText(/^block \d+: ok/);
  await playground.sendAs('carol');
  await expect(await playground.call('transferFrom', { account: 'bob', recipient: 'carol', amount: '60' })).toHaveText(/^block \d+: ok/);
  await expect(await playground.call('transferFrom', { account: 'bob', recipient: 'carol', amount: '41' })).toContainText('erc20: not enough allowance');
  await expect(checks.nth(0)).toContainText('(done)');
  await expect(checks.nth(1)).toContainText('(done)');
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');
});

test('the TypeScript editor completes WasmLib: ctx. offers the sandbox', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('editor-language').selectOption('typescript');
  const lines = page.locator('.monaco .view-lines');
  await expect(lines).toContainText('ScFuncContext');
  // At the end of the file, a new func: its context completes.
  await lines.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('function funcPay(ctx: ScFuncContext): void { ctx.', { delay: 20 });
  const suggestions = page.locator('.suggest-widget .monaco-list-row');
  await expect(suggestions.first()).toBeVisible({ timeout: 15_000 });
  // Names the counter's source never uses: they come from WasmLib.
  await expect(page.locator('.suggest-widget')).toContainText('chainOwnerId');
  await expect(page.locator('.suggest-widget')).toContainText('deployContract');
  // Typing narrows it, and the entry says what it returns.
  await page.keyboard.type('requestS', { delay: 20 });
  await expect(suggestions.first()).toContainText('requestSender');
});
