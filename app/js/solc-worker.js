// Solidity's compiler in its own worker: one version of npm solc's
// soljson.js (Emscripten, ~9 MB), fetched on first use with progress, then
// called through its C API (`solidity_compile` with standard JSON). The page
// (app/src/page/solc.rs) starts one worker per version and sends
// {id, input, soljson} (the version's path, the same in every message);
// it gets {kind: 'progress' | 'compiled' | 'failed', …}.
let compile = null;
// The load in progress or done: compiles sent while it loads wait for the same one.
let ready = null;
let version = '';

const NEEDS_NETWORK =
  'the Solidity compiler (about 9 MB) is downloaded the first time it is used, and that needs the network once; after that it works offline';

async function load(soljson) {
  let response;
  try {
    response = await fetch(soljson);
  } catch {
    throw new Error(NEEDS_NETWORK);
  }
  if (!response.ok) throw new Error(`${soljson}: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 9_300_000;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    postMessage({ kind: 'progress', loaded, total });
  }
  const url = URL.createObjectURL(new Blob(chunks, { type: 'text/javascript' }));
  importScripts(url);
  URL.revokeObjectURL(url);
  const module = self.Module;
  if (!module.calledRun) {
    await new Promise((resolve) => {
      module.onRuntimeInitialized = resolve;
    });
  }
  compile = module.cwrap('solidity_compile', 'string', ['string', 'number', 'number']);
  version = module.cwrap('solidity_version', 'string', [])();
}

onmessage = async ({ data }) => {
  try {
    if (!ready) ready = load(data.soljson).catch((error) => {
      ready = null;
      throw error;
    });
    await ready;
    postMessage({ kind: 'compiled', id: data.id, output: compile(data.input, 0, 0), version });
  } catch (error) {
    postMessage({ kind: 'failed', id: data.id, message: String(error && error.message ? error.message : error) });
  }
};
