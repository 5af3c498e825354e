// The page object for ISC Playground: every spec talks to the page through it,
// by role or data-testid, so a markup change touches one file.
import { test as base, expect } from '@playwright/test';

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

  async open() {
    await this.page.goto('/');
    await expect(this.page.getByRole('heading', { name: 'ISC Playground' })).toBeVisible();
  }

  wasmResult() {
    return this.page.getByTestId('wasm-result');
  }

  evmResult() {
    return this.page.getByTestId('evm-result');
  }

  stateHash() {
    return this.page.getByTestId('state-hash');
  }
}

export const test = base.extend({
  playground: async ({ page }, use) => {
    await use(new PlaygroundPage(page));
  },
});

export { expect };
