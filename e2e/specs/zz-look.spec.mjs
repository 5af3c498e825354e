import { test, expect } from '../playground.mjs';
test('look', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter');
  const card = playground.entry('increment');
  await card.getByTestId('trace-increment').click();
  const debug = card.getByTestId('debugger');
  await expect(debug).toBeVisible();
  await debug.getByTestId('debug-host-calls').locator('summary').click();
  const sizes = await page.evaluate(() => {
    const d = document.querySelector('[data-testid=debugger]');
    const out = [];
    for (let e = d; e; e = e.parentElement) out.push(`${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`);
    const wide = [...d.querySelectorAll('*')].filter((e) => e.scrollWidth > d.clientWidth).map((e) => `${e.tagName}.${e.className}:${e.scrollWidth}`);
    return { out, wide: wide.slice(0, 10) };
  });
  console.log(JSON.stringify(sizes, null, 1));
  await debug.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/zz-wasm-page.png' });
});
