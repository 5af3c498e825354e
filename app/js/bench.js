// The bench page: runs bench/plan.json's workloads in a fresh engine worker
// (the site's own isc-worker build) and the Token transfers on
// @ethereumjs/evm in this page, and shows the medians. `cargo xtask bench`
// calls `runBench` from headless Chromium and writes bench/RESULTS.md.

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const word = (n) => BigInt(n).toString(16).padStart(64, '0');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function fixtures() {
  const get = async (path) => {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response;
  };
  const token = await (await get('../examples/solidity/Token.json')).text();
  const wasm = async (name) => hex(new Uint8Array(await (await get(`../examples/${name}/${name}.wasm`)).arrayBuffer()));
  return { token, inccounter: await wasm('inccounter'), testcore: await wasm('testcore') };
}

/** A fresh engine worker, speaking the page's protocol. */
async function engine() {
  const worker = new Worker('./isc-bench-worker_loader.js');
  const waiting = new Map();
  let version;
  const ready = new Promise((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(event.message || 'the engine worker failed'));
    worker.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.id === 0) {
        version = message.v;
        resolve();
        return;
      }
      waiting.get(message.id)?.(message.reply);
      waiting.delete(message.id);
    };
  });
  await ready;
  let next = 1;
  return {
    ask(command) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage(JSON.stringify({ v: version, id, command }));
      });
    },
    stop: () => worker.terminate(),
  };
}

/** Token's creation code with constructor ("T", "T", supply) appended, and
 * the calldata of transfer(to, 1): ABI-encoded by hand (two short strings,
 * one uint256; an address and a uint256). */
function tokenCalls(artifact) {
  const token = JSON.parse(artifact).contracts['Token.sol'].Token;
  const short = (text) => word(text.length) + hex(new TextEncoder().encode(text)).padEnd(64, '0');
  const args = word(0x60) + word(0xa0) + word(1_000_000_000_000n) + short('T') + short('T');
  const to = '22'.repeat(20);
  return {
    creation: `0x${token.evm.bytecode.object}${args}`,
    transfer: `0xa9059cbb${to.padStart(64, '0')}${word(1)}`,
  };
}

/** testcore's `testFibonacci(n)` on this page's own WebAssembly, the
 * module as deployed — no metering, no guard, no chain — over a stub of
 * the WasmLib host that serves only what the entry point asks for: its
 * params, a place for its results. The reference the browser engine's
 * figure is held to. One run: instantiate, `on_call`, timed. */
async function fibOnV8(bytes, n) {
  const module = await WebAssembly.compile(bytes);
  const FN_PARAMS = -18;
  // WasmLib's dict: u32 count, then u16 key length, key, u32 value length, value.
  const params = new Uint8Array([1, 0, 0, 0, 1, 0, 0x6e, 4, 0, 0, 0, n & 0xff, (n >> 8) & 0xff, 0, 0]);
  const instantiate = (names) => {
    let memory;
    let cached = null;
    const bytesAt = (at, len) => new Uint8Array(memory.buffer, at, len);
    const WasmLib = {
      hostStateGet(keyRef, keyLen, valRef, valLen) {
        if (keyLen < 0) {
          cached = keyLen === FN_PARAMS ? params : new Uint8Array(0);
          return cached.length;
        }
        if (valLen < 0 || keyLen > 0 || cached === null) return -1;
        const copied = Math.min(valLen, cached.length);
        bytesAt(valRef, copied).set(cached.subarray(0, copied));
        return cached.length;
      },
      hostStateSet(keyRef, keyLen, valRef, valLen) {
        if (keyRef === 0 && keyLen >= 0) names.set(new TextDecoder().decode(bytesAt(valRef, valLen)), keyLen);
      },
    };
    const instance = new WebAssembly.Instance(module, {
      WasmLib,
      wasi_snapshot_preview1: { fd_write: () => 0 },
      env: { abort: () => { throw new Error('abort'); } },
    });
    memory = instance.exports.memory;
    return instance.exports;
  };
  const names = new Map();
  instantiate(names).on_load();
  const index = names.get('testFibonacci');
  if (index === undefined) throw new Error('testcore exports no testFibonacci');
  const start = performance.now();
  instantiate(new Map()).on_call(index);
  const total_ms = performance.now() - start;
  return { ops: 1, total_ms, per_op_us: total_ms * 1000 };
}

const unhex = (text) => Uint8Array.from(text.match(/../g), (byte) => parseInt(byte, 16));

/** Runs `plan` (bench/plan.json); `progress` hears what runs. */
export async function runBench(plan, progress = () => {}) {
  const fixed = await fixtures();
  const results = { worker: {}, ethereumjs: null, userAgent: navigator.userAgent };
  for (const entry of plan.worker) results.worker[entry.name] = [];
  // Round by round, every workload once a round: the figures a ratio
  // compares (one request on two engines) are taken minutes apart at
  // most, not a whole series apart.
  for (let run = 0; run < plan.repeat; run++) {
    for (const entry of plan.worker) {
      progress(`${entry.name} (${run + 1}/${plan.repeat})`);
      // A fresh worker for every run; the workload runs twice in it and
      // the second is kept: V8 compiles hot wasm again, optimized, and the
      // figures compare engines, not V8's tiers (cold loads are measured
      // apart, by the driver).
      const worker = await engine();
      const ask = () => worker.ask({ kind: 'bench', case: entry.case, fixtures: fixed });
      const warm = await ask();
      const reply = warm.kind === 'bench' ? await ask() : warm;
      worker.stop();
      if (reply.kind !== 'bench') throw new Error(`${entry.name}: ${reply.message ?? JSON.stringify(reply)}`);
      results.worker[entry.name].push(reply.report);
    }
  }
  const { timeCalls } = await import('./vendor/ethereumjs.min.js');
  const calls = tokenCalls(fixed.token);
  const runs = [];
  for (let run = 0; run < plan.repeat; run++) {
    progress(`ethereumjs token transfer (${run + 1}/${plan.repeat})`);
    // Warm too: the first pass's figures are dropped.
    await timeCalls(calls.creation, calls.transfer, `0x${'11'.repeat(20)}`, plan.ethereumjs.count);
    runs.push(await timeCalls(calls.creation, calls.transfer, `0x${'11'.repeat(20)}`, plan.ethereumjs.count));
  }
  results.ethereumjs = runs;
  if (plan.v8) {
    const testcore = unhex(fixed.testcore);
    const v8 = [];
    for (let run = 0; run < plan.repeat; run++) {
      progress(`testFibonacci on V8 directly (${run + 1}/${plan.repeat})`);
      await fibOnV8(testcore, plan.v8.n);
      v8.push(await fibOnV8(testcore, plan.v8.n));
    }
    results.v8 = v8;
  }
  return results;
}

function show(plan, results) {
  const body = document.getElementById('results');
  body.replaceChildren();
  const row = (what, runs) => {
    const tr = document.createElement('tr');
    const memory = runs[0].memory_bytes ? `${(runs[0].memory_bytes / 2 ** 20).toFixed(1)} MiB` : '';
    for (const [text, cls] of [[what, ''], [median(runs.map((r) => r.per_op_us)).toFixed(1), 'num'], [memory, 'num']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    body.append(tr);
  };
  for (const entry of plan.worker) row(entry.what, results.worker[entry.name]);
  row('Token.transfer on @ethereumjs/evm (this page, V8)', results.ethereumjs);
  if (results.v8) row('testcore.testFibonacci on V8 directly, the module as deployed (this page)', results.v8);
}

/** The differential check of the two Wasm engines in a fresh engine
 * worker (`Differential`: `sessions` as JSON text, `modules` as hex,
 * `wat` as text): its report, or the first difference as an error. */
export async function runDifferential(input) {
  const worker = await engine();
  try {
    const reply = await worker.ask({
      kind: 'bench',
      case: { case: 'differential', ...input },
      fixtures: await fixtures(),
    });
    if (reply.kind !== 'bench') throw new Error(reply.message ?? JSON.stringify(reply));
    return reply.report;
  } finally {
    worker.stop();
  }
}

/** For `cargo xtask profile`: runs `testcase` (a case of the plan) in a
 * fresh engine worker and keeps the worker, so that a profiler attached to
 * it sees the same case run again, warm (`profileCase.again()`), before
 * `profileCase.stop()`. */
async function profileCase(testcase) {
  const fixed = await fixtures();
  const worker = await engine();
  const run = async () => {
    const reply = await worker.ask({ kind: 'bench', case: testcase, fixtures: fixed });
    if (reply.kind !== 'bench') throw new Error(reply.message ?? JSON.stringify(reply));
    return reply.report;
  };
  profileCase.again = run;
  profileCase.stop = async () => {
    worker.stop();
    return {};
  };
  return run();
}

window.runBench = runBench;
window.profileCase = profileCase;
window.runDifferential = runDifferential;
document.getElementById('run')?.addEventListener('click', async (event) => {
  const status = document.getElementById('status');
  event.target.disabled = true;
  try {
    const plan = await (await fetch('plan.json')).json();
    const results = await runBench(plan, (what) => { status.textContent = `running ${what}…`; });
    show(plan, results);
    status.textContent = 'done';
  } catch (err) {
    status.textContent = `failed: ${err.message}`;
  } finally {
    event.target.disabled = false;
  }
});
