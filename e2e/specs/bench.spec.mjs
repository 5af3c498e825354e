// The bench page (`cargo xtask bench` drives it with the full plan): every
// workload of bench/plan.json runs in the site's own engine worker, and
// the Token transfers on @ethereumjs/evm in the page — here in small
// sizes, so the page cannot rot between bench runs.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const plan = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../bench/plan.json', import.meta.url)), 'utf8'));

test('the bench page runs every workload of the plan and the ethereumjs baseline', async ({ playground }) => {
  const { page } = playground;
  const small = {
    ...plan,
    repeat: 1,
    ethereumjs: { count: 3 },
    v8: { n: 10 },
    worker: plan.worker.map((entry) => {
      const { count, requests, blocks, n } = entry.case;
      return {
        ...entry,
        case: {
          ...entry.case,
          ...(count !== undefined && { count: 3 }),
          ...(requests !== undefined && { requests: 5 }),
          ...(blocks !== undefined && { blocks: Math.min(blocks, 20) }),
          ...(n !== undefined && { n: 10 }),
        },
      };
    }),
  };
  await page.goto('/bench/');
  await expect(page.getByRole('button', { name: 'Run the bench' })).toBeVisible();
  await page.waitForFunction(() => typeof window.runBench === 'function');
  const results = await page.evaluate((plan) => window.runBench(plan), small);
  for (const entry of small.worker) {
    const [run] = results.worker[entry.name];
    expect(run.ops, entry.name).toBeGreaterThan(0);
    expect(run.total_ms, entry.name).toBeGreaterThanOrEqual(0);
    expect(run.memory_bytes, entry.name).toBeGreaterThan(1 << 20);
  }
  expect(results.ethereumjs[0].ops).toBe(3);
  expect(results.v8[0].ops).toBe(1);
  // fib(10) may take less than the page clock's 0.1 ms step: a time, maybe 0.
  expect(results.v8[0].total_ms).toBeGreaterThanOrEqual(0);
  expect(Number.isFinite(results.v8[0].total_ms)).toBe(true);
  expect(results.ethereumjs[0].per_op_us).toBeGreaterThan(0);
});
