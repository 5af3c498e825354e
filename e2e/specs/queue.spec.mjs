// Asynchronous requests: a contract posts requests to its own chain; they
// wait in the queue (with a time lock), "Run next block" and "Advance time"
// run them, the lesson ticks as the queue drains, and a reload and a share
// link rebuild the same chain, queue included.
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));

test('a counter re-posts itself, the queue drains block by block, and a time lock opens', async ({ playground }) => {
  const { page } = playground;
  await playground.open();
  await page.getByTestId('lesson-async-requests').click();
  const lesson = page.getByTestId('lesson');
  await expect(lesson.getByTestId('lesson-title')).toHaveText('Requests a contract posts to itself');
  await playground.deployExample('inccounter');
  await lesson.getByTestId('step-next').click();

  const queue = page.getByTestId('queue');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(await playground.call('repeatMany', { numRepeats: '3' }, { allowance: 1000000 }))
    .toHaveText(/^block \d+: ok/);
  const pending = page.getByTestId('pending');
  await expect(pending).toHaveCount(1);
  await expect(pending.first().getByTestId('pending-sender')).toHaveText('inccounter');
  await expect(pending.first().getByTestId('pending-target')).toHaveText('inccounter.repeatMany');
  await expect(pending.first().getByTestId('pending-waits')).toHaveText('ready: the next block runs it');
  await expect(lesson.getByTestId('step-done')).toBeVisible();
  // The receipt of the request that posted says so.
  await expect(playground.receipts().first().getByTestId('posted')).toHaveText('posted: 1 request in the queue');
  await lesson.getByTestId('step-next').click();

  const checks = lesson.getByTestId('check');
  const note = page.getByTestId('queue-message');
  for (let run = 1; run <= 3; run++) {
    await page.getByTestId('run-block').click();
    await expect(note).toHaveText(/^block \d+ ran 1 request$/);
  }
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await expect(checks.nth(0)).toContainText('(done)');
  await expect(checks.nth(1)).toContainText('(done)');
  // The posted requests' receipts name the request that posted them, and
  // each poster links to what it posted.
  await expect(page.getByTestId('posted-by')).toHaveCount(3);
  await expect(page.getByTestId('posted')).toHaveCount(3);
  await expect(page.getByTestId('posted-request')).toHaveCount(3);
  await expect(page.getByTestId('posted').filter({ hasText: 'in the queue' })).toHaveCount(0);
  await page.getByTestId('run-block').click();
  await expect(note).toHaveText('no request is queued: there is nothing for a block to run');
  await lesson.getByTestId('step-next').click();

  await expect(await playground.call('incrementWithDelay', { delay: '60' }, { allowance: 1000000 }))
    .toHaveText(/^block \d+: ok/);
  // The queue's last message spoke of the chain before this request: gone.
  await expect(note).toHaveText('');
  await expect(pending.first().getByTestId('pending-waits')).toHaveText(/^locked until 2024-01-01 00:01:\d\d UTC \(59 seconds after the next block\)$/);
  await page.getByTestId('clock').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}queue.png` });
  await page.getByTestId('run-block').click();
  await expect(note).toContainText('no queued request is ready yet: the first time lock opens at');
  await page.getByTestId('advance-seconds').fill('60');
  await page.getByTestId('advance-time').click();
  await expect(note).toHaveText(/^the next block's time is 2024-01-01 00:01:\d\d UTC$/);
  await expect(pending.first().getByTestId('pending-waits')).toHaveText('ready: the next block runs it');
  await page.getByTestId('run-block').click();
  await expect(note).toHaveText(/^block \d+ ran 1 request$/);
  await expect(lesson.getByTestId('step-done')).toHaveText('Lesson complete!');

  // A request a person queues waits too, then runs after the next one sent.
  await expect(queue).toBeHidden();
  await playground.entry('increment').getByTestId('queue-increment').click();
  await expect(playground.entry('increment').getByTestId('message')).toHaveText(/^queued: a later block runs it/);
  await expect(pending).toHaveCount(1);
  await expect(pending.first().getByTestId('pending-sender')).toHaveText('alice');
  await page.getByTestId('advance-seconds').fill('5');
  await page.getByTestId('advance-time').click();
  await expect(note).toHaveText(/^the next block's time is/);
  const hash = await page.getByTestId('chain-state-hash').textContent();

  // A reload rebuilds the chain with its queue and clock.
  await page.reload();
  await expect(playground.status()).toHaveText('engine ready');
  await expect(page.getByTestId('chain-state-hash')).toHaveText(hash);
  await expect(pending).toHaveCount(1);
  expect(playground.consoleErrors).toEqual([]);
});
