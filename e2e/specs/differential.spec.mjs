// The two Wasm engines, side by side in Chromium: every bundled session,
// every bundled Wasm example, a set of hostile modules and a set of
// fuzzed ones (the examples mutated byte by byte, from a fixed seed) run on
// wasmi alone and on the browser's own WebAssembly — every call, however
// small — in one engine worker (the bench site's), and must leave the same
// receipts (gas and errors included), view results and state hashes. The
// browser's engine must really run much of it: a check that compared
// wasmi with itself would pass too.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '../playground.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const read = (...parts) => fs.readFileSync(path.join(root, ...parts));

const sessions = JSON.parse(read('public/sessions/index.json'))
  .map((entry) => read('public', entry.file).toString('utf8'));
const examples = fs.readdirSync(path.join(root, 'public/examples'))
  .filter((name) => fs.existsSync(path.join(root, 'public/examples', name, `${name}.wasm`)))
  .map((name) => hex(read('public/examples', name, `${name}.wasm`)));
// A fixed-seed PRNG (mulberry32) and byte mutations as a fuzzer makes
// them: most mutants fail to deploy (compared too), some run changed code.
const random = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const next = random(19);
const fuzzed = examples.flatMap((example) => Array.from({ length: 25 }, () => {
  const bytes = Buffer.from(example, 'hex');
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) bytes[8 + Math.floor(next() * (bytes.length - 8))] = Math.floor(next() * 256);
  return hex(bytes);
}));

// A WasmLib module whose entry points are `names`, each `on_call(i)`
// running `bodies[i]` (WAT) with `(local $n i32)` and what `extra` adds.
const module = (names, bodies, extra = '') => `(module
  (import "WasmLib" "hostStateGet" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 2 300)
  (table 4 funcref)
  ${names.map((name, i) => `(data (i32.const ${1024 + 32 * i}) "${name}")`).join('\n  ')}
  ${extra}
  (func (export "on_load")
    ${names.map((name, i) => `(call $set (i32.const 0) (i32.const ${i}) (i32.const ${1024 + 32 * i}) (i32.const ${name.length}))`).join('\n    ')})
  (func (export "on_call") (param $i i32) (local $n i32)
    ${bodies.map((body, i) => `(if (i32.eq (local.get $i) (i32.const ${i})) (then ${body}))`).join('\n    ')}))`;

const hostile = [
  module(['recurse', 'deep', 'wide', 'loop', 'spin'], [
    '(call $down (i32.const 0))',
    '(call $bounded (i32.const 400))',
    '(call $wide (i32.const 3))',
    '(loop $l (br $l))',
    '(block $b (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1))) (br_if $b (i32.gt_u (local.get $n) (i32.const 100000))) (br $l)))',
  ], `(func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))
  (func $bounded (param i32) (if (local.get 0) (then (call $bounded (i32.sub (local.get 0) (i32.const 1))))))
  (func $wide (param i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (if (local.get 0) (then (call $wide (i32.sub (local.get 0) (i32.const 1))))))`),
  module(['div', 'oob', 'unreachable', 'indirect', 'badptr', 'keys'], [
    '(drop (i32.div_s (i32.const 1) (i32.const 0)))',
    '(drop (i32.load (i32.const 200000)))',
    'unreachable',
    '(call_indirect (i32.const 3))',
    '(drop (call $get (i32.const 0) (i32.const -18) (i32.const 9999999) (i32.const 100)))',
    '(call $set (i32.const 4096) (i32.const 3) (i32.const 4100) (i32.const 5)) (drop (call $get (i32.const 4096) (i32.const 3) (i32.const 5000) (i32.const 5)))',
  ]),
  module(['grow', 'growmax', 'growmany', 'fill'], [
    '(drop (memory.grow (i32.const 280)))',
    '(if (i32.ne (memory.grow (i32.const 400)) (i32.const -1)) (then unreachable))',
    '(block $b (loop $l (br_if $b (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $l)))',
    '(memory.fill (i32.const 0) (i32.const 7) (i32.const 131072))',
  ]),
];

test('both Wasm engines leave the same receipts, views and state hashes', async ({ playground }) => {
  test.setTimeout(120_000);
  const { page } = playground;
  expect(sessions.length).toBeGreaterThanOrEqual(5);
  expect(examples.length).toBeGreaterThanOrEqual(4);
  expect(fuzzed.length).toBeGreaterThanOrEqual(100);
  await page.goto('/bench/');
  await page.waitForFunction(() => typeof window.runDifferential === 'function');
  const report = await page.evaluate(
    (input) => window.runDifferential(input),
    { sessions, modules: [...examples, ...fuzzed], wat: hostile },
  );
  // Receipts and views compared, and how many the browser's engine ran.
  expect(report.ops).toBeGreaterThan(200);
  expect(report.on_browser).toBeGreaterThan(40);
});
