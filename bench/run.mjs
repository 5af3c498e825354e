// The browser half of `cargo xtask bench`: serves dist/, drives Debian's
// Chromium headless and prints one JSON object of figures.
//
//   node bench/run.mjs PLAN SESSIONS_DIR PORT
//
// - loads: a cold load (new profile) and a warm one (reload), each timed
//   in the page: first contentful paint, the example gallery usable (the
//   engine ready), the first deploy and call done;
// - bench: the bench site's (dist/bench/, app/bench.html) `runBench(plan)` — the worker workloads in the
//   site's own engine worker and the Token transfers on @ethereumjs/evm;
// - page: a request's latency as a person sees it (click → result shown
//   and the next frame painted) on sessions of the plan's lengths, each
//   imported as a file (SESSIONS_DIR/<blocks>.json, from `isc-bench`).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [planFile, sessions, port] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
const base = `http://127.0.0.1:${port}`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const log = (text) => process.stderr.write(`bench: ${text}\n`);

const server = spawn('node', ['e2e/serve.mjs', 'dist', port], { stdio: ['ignore', 'ignore', 'inherit'] });
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/`)).ok) break;
  } catch {
    if (i > 100) throw new Error('the site did not come up');
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const now = (page) => page.evaluate(() => performance.now());
const testid = (page, id) => page.getByTestId(id);

async function usable(page) {
  await testid(page, 'example-inccounter').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=engine-status]')?.textContent === 'engine ready');
  return {
    first_paint_ms: await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null),
    usable_ms: await now(page),
  };
}

/** Clicks `entry`'s call button; resolves when its result is shown and the
 * next frame painted; returns the milliseconds taken, measured in-page. */
function timedCall(page, entry) {
  return page.evaluate(async (entry) => {
    const card = document.querySelector(`[data-testid=entry-${entry}]`);
    const message = () => card.querySelector('[data-testid=message]')?.textContent ?? '';
    const before = message();
    const start = performance.now();
    const shown = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (message() !== before && /^block \d+: ok/.test(message())) {
          observer.disconnect();
          resolve();
        }
      });
      observer.observe(card, { subtree: true, childList: true, characterData: true });
    });
    card.querySelector(`[data-testid=call-${entry}]`).click();
    await shown;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - start;
  }, entry);
}

async function loads() {
  const cold = [];
  const warm = [];
  for (let run = 0; run < plan.loads; run++) {
    log(`load ${run + 1}/${plan.loads}`);
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const first = await usable(page);
    await testid(page, 'example-inccounter').click();
    await testid(page, 'deploy-button').click();
    await page.getByTestId('deploy-form').getByTestId('message').filter({ hasText: /deployed in block/ }).waitFor();
    await testid(page, 'call-increment').click();
    await testid(page, 'entry-increment').getByTestId('message').filter({ hasText: /^block \d+: ok/ }).waitFor();
    cold.push({ ...first, first_deploy_and_call_ms: await now(page) });
    await page.reload();
    const again = await usable(page);
    await testid(page, 'contract-inccounter').click();
    await testid(page, 'call-increment').click();
    await testid(page, 'entry-increment').getByTestId('message').filter({ hasText: /^block \d+: ok/ }).waitFor();
    warm.push({ ...again, first_call_ms: await now(page) });
    await context.close();
  }
  return { cold, warm };
}

async function pageLatency() {
  const out = {};
  for (const blocks of plan.page.blocks) {
    log(`page latency at ${blocks} blocks`);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await usable(page);
    const file = path.join(sessions, `${blocks}.json`);
    const opened = performance.now();
    await testid(page, 'import').setInputFiles(file);
    await page.waitForFunction((blocks) => document.querySelector('[data-testid=block-index]')?.textContent === String(blocks), blocks, { timeout: 600_000 });
    const open_ms = performance.now() - opened;
    await testid(page, 'contract-inccounter').click();
    // Warm: the page's and the worker's code compiled again, optimized.
    for (let i = 0; i < plan.page.warmup; i++) await timedCall(page, 'increment');
    const times = [];
    for (let i = 0; i < plan.page.count; i++) times.push(await timedCall(page, 'increment'));
    out[blocks] = {
      median_ms: median(times),
      runs_ms: times,
      import_ms: open_ms,
      page_heap_bytes: await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null),
    };
    await context.close();
  }
  return out;
}

async function benchPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/bench/`);
  await page.waitForFunction(() => typeof window.runBench === 'function');
  page.on('console', (message) => log(`bench page: ${message.text()}`));
  const results = await page.evaluate((plan) => window.runBench(plan, (what) => console.log(what)), plan);
  await context.close();
  return results;
}

try {
  const results = {
    chromium: browser.version(),
    loads: await loads(),
    page: await pageLatency(),
    bench: await benchPage(),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  await browser.close();
  server.kill();
}
