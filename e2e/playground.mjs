// The page object for ISC Playground: every spec talks to the page through it,
// by role or data-testid, so a markup change touches one file.
import zlib from 'node:zlib';
import { test as base, expect } from '@playwright/test';

/** The session JSON a share link carries (`#s=<version>.<deflated base64url>`). */
export const unpackLink = (url) => {
  const [, data] = url.match(/#s=\d+\.(.*)$/);
  return JSON.parse(zlib.inflateRawSync(Buffer.from(data, 'base64url')).toString());
};

/** Opens `url` in a fresh browser context: it rebuilds and replays to `hash`. */
export const opensAtTheSameHash = async (browser, url, hash) => {
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(url);
  await expect(other.getByTestId('link-status')).toContainText('The state hash matches', { timeout: 120_000 });
  await expect(other.getByTestId('chain-state-hash')).toHaveText(hash);
  await context.close();
};

export class PlaygroundPage {
  /** @param {import('@playwright/test').Page} page */
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => this.consoleErrors.push(String(err)));
  }

  /** Opens the page (with `fragment`, e.g. a share link) and waits for the engine. */
  async open(fragment = '') {
    await this.page.goto(`/${fragment}`);
    await expect(this.page.getByRole('heading', { name: 'ISC Playground' })).toBeVisible();
    await expect(this.status()).toHaveText('engine ready');
  }

  /** Waits for Monaco to replace the plain editor, then replaces its text
   * as a person pasting would. */
  async typeCode(text) {
    await expect(this.page.getByTestId('editor-kind')).toHaveText('Monaco');
    await this.page.locator('.monaco .view-lines').click();
    await this.page.keyboard.press('ControlOrMeta+A');
    // Through the clipboard, as a person pastes: Monaco inserts the text
    // as it is (typed text would get its auto-indent on every new line).
    await this.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await this.page.evaluate((text) => navigator.clipboard.writeText(text), text);
    await this.page.keyboard.press('ControlOrMeta+V');
    await expect(this.page.getByTestId('editor-source')).toHaveValue(text);
  }

  /** What the engine is doing, in the top bar. */
  status() {
    return this.page.getByTestId('engine-status');
  }

  /** The deploy form under example or upload `scope` (a locator). */
  async deployFrom(scope, contractName = undefined, init = {}) {
    const form = scope.getByTestId('deploy-form');
    if (contractName) await form.getByTestId('deploy-name').fill(contractName);
    for (const [key, value] of Object.entries(init)) {
      await form.getByTestId(`init-${key}`).fill(value);
    }
    await form.getByTestId('deploy-button').click();
    await expect(form.getByTestId('message')).toHaveText(/deployed in block \d+/);
  }

  /** Applies chain settings ({users, funds, maxGas}); the session replays. */
  async chainSettings({ users, funds, maxGas }) {
    const settings = this.page.getByTestId('settings');
    await settings.locator('summary').click();
    if (users !== undefined) await settings.getByTestId('settings-users').fill(users);
    if (funds !== undefined) await settings.getByTestId('settings-funds').fill(String(funds));
    if (maxGas !== undefined) await settings.getByTestId('settings-max-gas').fill(String(maxGas));
    await settings.getByTestId('settings-apply').click();
    await expect(settings.getByTestId('message')).toHaveText(/^New chain/);
  }

  /** Picks example `name` in the gallery, fills its init params, deploys it. */
  async deployExample(name, init = {}, contractName = undefined) {
    await this.page.getByTestId(`example-${name}`).click();
    const form = this.page.getByTestId('deploy-form');
    if (contractName) await form.getByTestId('deploy-name').fill(contractName);
    for (const [key, value] of Object.entries(init)) {
      await form.getByTestId(`init-${key}`).fill(value);
    }
    await form.getByTestId('deploy-button').click();
    await expect(form.getByTestId('message')).toHaveText(/deployed in block \d+/);
  }

  /** The card of entry point `entry` of the selected contract. */
  entry(entry) {
    return this.page.getByTestId(`entry-${entry}`);
  }

  /** Calls `entry` with `args`; `tokens` may carry `allowance`, `gas`
   * (budget) and, for a payable Solidity function, `value` (base tokens). */
  async call(entry, args = {}, tokens = {}) {
    const card = this.entry(entry);
    for (const [key, value] of Object.entries(args)) {
      await card.getByTestId(`arg-${entry}-${key}`).fill(value);
    }
    for (const [kind, amount] of Object.entries(tokens)) {
      const field = card.getByTestId(`${kind}-${entry}`);
      // Allowance and gas budget sit in a collapsed "tokens and gas" section.
      if (!(await field.isVisible())) await card.locator('details.more > summary').click();
      await field.fill(String(amount));
    }
    await card.getByTestId(`call-${entry}`).click();
    return card.getByTestId('message');
  }

  async selectContract(name) {
    await this.page.getByTestId(`contract-${name}`).click();
  }

  async sendAs(user) {
    await this.page.getByTestId('sender').selectOption({ label: user });
  }

  receipts() {
    return this.page.getByTestId('receipt');
  }

  /** Starts a Solidity project: `main` as `Contract.sol`, then each of
   * `files` ({path: text}) added as a tab; `Contract.sol` shown at the end. */
  async solidityProject(main, files = {}) {
    const { page } = this;
    await page.getByTestId('editor-language').selectOption('solidity');
    await this.typeCode(main);
    for (const [path, text] of Object.entries(files)) {
      await page.getByTestId('new-file-name').fill(path);
      await page.getByTestId('add-file').click();
      await expect(page.getByTestId(`file-${path}`)).toHaveAttribute('aria-selected', 'true');
      await this.typeCode(text);
    }
    await page.getByTestId('file-Contract.sol').click();
  }

  /** Shares the session: its link and the state hash it must replay to. */
  async share() {
    await this.page.getByTestId('share').click();
    const url = await this.page.getByTestId('share-link').inputValue();
    const hash = await this.page.getByTestId('chain-state-hash').textContent();
    return { url, hash };
  }
}

export const test = base.extend({
  playground: async ({ page }, use) => {
    await use(new PlaygroundPage(page));
  },
});

export { expect };
