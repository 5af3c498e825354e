// How the page looks and how soon it is usable: axe-core finds no
// accessibility violations in either theme, screenshots of the main views
// in light and dark, no horizontal scrolling at 1280x720, and the page's
// first paint and time until the gallery is usable, measured in Chromium.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));
fs.mkdirSync(shots, { recursive: true });

async function axeViolations(page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }),
  );
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

test.use({ viewport: { width: 1280, height: 720 } });

test('no accessibility violations, light and dark; screenshots of the main views', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await expect(await playground.call('incrementBy', { amount: '2' })).toHaveText(/^block \d+: ok/);
  await playground.deployExample('CrossVM');
  await expect(await playground.call('increment', { times: '1' })).toHaveText(/ok value = 4/);
  await playground.receipts().first().getByText('events and trace').click();

  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') await page.getByTestId('theme').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    expect(await axeViolations(page)).toEqual([]);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: `${shots}playground-${theme}.png` });
    await page.screenshot({ path: `${shots}playground-${theme}-full.png`, fullPage: true });
  }
  // Large text for projectors: still no horizontal scrolling.
  await page.getByTestId('font-size').click();
  await expect(page.locator('html')).toHaveAttribute('data-size', 'large');
  expect(await axeViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  await page.screenshot({ path: `${shots}playground-dark-large.png` });
  expect(playground.consoleErrors).toEqual([]);
});

test("a receipt's controls stand apart, each with its own words", async ({ playground }) => {
  await playground.open();
  await playground.deployExample('inccounter', { counter: '1' });
  await expect(await playground.call('increment')).toHaveText(/^block \d+: ok/);
  const receipt = playground.receipts().first();
  const here = receipt.getByTestId('view-block');
  const debug = receipt.getByTestId('debug-receipt');
  await expect(here).toBeVisible();
  await expect(debug).toBeVisible();
  const [a, b] = [await here.boundingBox(), await debug.boundingBox()];
  // Side by side on one line, with a visible space between them, like words.
  expect(Math.abs(a.y - b.y)).toBeLessThan(4);
  expect(b.x - (a.x + a.width)).toBeGreaterThanOrEqual(6);
  // The row reads as words when copied or read aloud, not "state heredebug".
  expect(await receipt.evaluate((li) => li.innerText)).not.toMatch(/state heredebug/);
});

test('every control is reachable by keyboard with a visible focus', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  const seen = new Set();
  // Tab through the whole page, once round.
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return {
        tag: el.tagName,
        id: el.dataset.testid ?? el.textContent.trim().slice(0, 30),
        outline: getComputedStyle(el).outlineStyle,
      };
    });
    if (focused.tag === 'BODY') break;
    seen.add(focused.id);
    expect(focused.outline, `focus on ${focused.id} is visible`).not.toBe('none');
  }
  for (const control of ['sender', 'theme', 'font-size', 'upload', 'share', 'editor-language', 'compile']) {
    expect(seen.has(control), control).toBe(true);
  }
  expect(seen.has('example-inccounter')).toBe(true);
  // Enter on a focused example opens it.
  await page.getByTestId('example-Storage').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('deploy-form')).toBeVisible();
});

test('first paint and time until the gallery is usable are measured', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  // A second, measured load (the first warmed the HTTP cache the way a
  // returning user's browser is).
  await page.reload();
  await expect(page.getByTestId('example-inccounter')).toBeVisible();
  await expect(playground.status()).toHaveText('engine ready');
  const timings = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      firstContentfulPaintMs: Math.round(paint ? paint.startTime : -1),
      galleryAndEngineReadyMs: Math.round(performance.now()),
    };
  });
  // Deploying from the gallery right now works: it is usable, not just drawn.
  await playground.deployExample('Storage');
  console.log(`timings: ${JSON.stringify(timings)}`);
  fs.writeFileSync(`${shots}timings.json`, JSON.stringify(timings, null, 2));
  expect(timings.firstContentfulPaintMs).toBeGreaterThan(0);
  expect(timings.galleryAndEngineReadyMs).toBeGreaterThanOrEqual(timings.firstContentfulPaintMs);
});
