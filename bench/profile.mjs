// The browser half of `cargo xtask profile`: a CPU profile of one bench
// workload in the engine worker, as V8 runs it in Chromium.
//
//   node --experimental-websocket bench/profile.mjs SITE CASE_JSON OUT PORT
//
// Serves SITE (a copy of dist/ whose bench worker keeps its function names),
// opens its bench page in headless Chromium with the DevTools protocol on,
// starts a fresh engine worker, runs CASE once to warm it (as `runBench`
// keeps the warm run), then again under V8's sampling profiler. Writes the
// profile to OUT (`.cpuprofile`: Chromium's DevTools and speedscope open
// it) and prints where the measured run spent its time: functions by their
// own time and by time spent in them and what they called.
//
// Playwright's CDP sessions reach pages, not dedicated workers, so this
// speaks the protocol itself over one WebSocket (flat sessions).
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const [site, caseJson, out, port] = process.argv.slice(2);
const testcase = JSON.parse(caseJson);
const debugPort = Number(port) + 1;
const base = `http://127.0.0.1:${port}`;
const log = (text) => process.stderr.write(`profile: ${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = spawn('node', ['e2e/serve.mjs', site, port], { stdio: ['ignore', 'ignore', 'inherit'] });
const profileDir = fs.mkdtempSync('/tmp/isc-profile-');
const chromium = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', `--user-data-dir=${profileDir}`,
  `--remote-debugging-port=${debugPort}`, 'about:blank',
], { stdio: 'ignore' });
const stop = async () => {
  const exited = new Promise((resolve) => chromium.once('exit', resolve));
  chromium.kill();
  server.kill();
  await exited;
  fs.rmSync(profileDir, { recursive: true, force: true, maxRetries: 5 });
};

async function until(what, probe) {
  for (let i = 0; i < 200; i++) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not come up`);
}

try {
  await until('the site', async () => (await fetch(`${base}/bench/index.html`)).ok);
  const { webSocketDebuggerUrl } = await until('Chromium', async () =>
    (await fetch(`http://127.0.0.1:${debugPort}/json/version`)).json());
  const socket = new WebSocket(webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve);
    socket.addEventListener('error', () => reject(new Error('no DevTools connection')));
  });
  let next = 1;
  const waiting = new Map();
  const listeners = [];
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) reject(new Error(`${message.error.message} (${message.error.code})`));
      else resolve(message.result);
    } else {
      for (const listener of listeners) listener(message);
    }
  });
  const send = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, sessionId }));
    });

  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId: page } = await send('Target.attachToTarget', { targetId, flatten: true });
  // Every worker the page starts waits for us: the profiler is enabled
  // before it runs a line.
  const workers = [];
  listeners.push((message) => {
    if (message.method !== 'Target.attachedToTarget' || message.params.targetInfo.type !== 'worker') return;
    const session = message.params.sessionId;
    workers.push(
      (async () => {
        await send('Profiler.enable', {}, session);
        await send('Profiler.setSamplingInterval', { interval: 50 }, session);
        await send('Runtime.runIfWaitingForDebugger', {}, session);
        return session;
      })(),
    );
  });
  await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, page);
  await send('Page.enable', {}, page);
  await send('Page.navigate', { url: `${base}/bench/index.html` }, page);
  await until('the bench page', async () => {
    const { result } = await send('Runtime.evaluate', { expression: 'typeof window.profileCase' }, page);
    return result.value === 'function';
  });
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, awaitPromise: true }, page);
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return JSON.parse(result.value);
  };
  log(`${caseJson}: warm run`);
  const warm = await evaluate(`window.profileCase(${JSON.stringify(testcase)}).then(JSON.stringify)`);
  const worker = await workers.at(-1);
  await send('Profiler.start', {}, worker);
  log(`${caseJson}: profiled run`);
  const measured = await evaluate('window.profileCase.again().then(JSON.stringify)');
  const { profile } = await send('Profiler.stop', {}, worker);
  await evaluate('window.profileCase.stop().then(JSON.stringify)');
  fs.writeFileSync(out, JSON.stringify(profile));
  console.log(`warm run ${warm.per_op_us.toFixed(1)} µs/op, profiled run ${measured.per_op_us.toFixed(1)} µs/op (${measured.ops} ops)`);
  console.log(summary(profile));
  socket.close();
} finally {
  await stop();
}

/** The profile's busy time by function: own time, and time in it and what
 * it called (each function counted once per sample). */
function summary(profile, rows = 30) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (id) => nodes.get(id).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
  const own = new Map();
  const within = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    if (name(id) === '(idle)' || name(id) === '(program)') return;
    busy += dt;
    own.set(name(id), (own.get(name(id)) ?? 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = name(at);
      if (seen.has(frame)) continue;
      seen.add(frame);
      within.set(frame, (within.get(frame) ?? 0) + dt);
    }
  });
  const table = (title, map) => {
    const lines = [...map].sort((a, b) => b[1] - a[1]).slice(0, rows);
    return [`${title} (% of ${(busy / 1000).toFixed(1)} ms busy)`,
      ...lines.map(([frame, dt]) => `${((100 * dt) / busy).toFixed(1).padStart(6)}  ${frame.slice(0, 150)}`)].join('\n');
  };
  return `${table('own time', own)}\n\n${table('in it and what it called', within)}`;
}
