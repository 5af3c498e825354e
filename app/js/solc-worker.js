// Solidity's compiler in its own worker: npm solc's soljson.js (Emscripten,
// ~9 MB), fetched on first use with progress, then called through its C API
// (`solidity_compile` with standard JSON). The page (app/src/solc.rs) sends
// {id, input} and gets {kind: 'progress' | 'compiled' | 'failed', …}.
let compile = null;
let version = '';

const NEEDS_NETWORK =
  'the Solidity compiler (about 9 MB) is downloaded the first time it is used, and that needs the network once; after that it works offline';

async function load() {
  let response;
  try {
    response = await fetch('solc/soljson.js');
  } catch {
    throw new Error(NEEDS_NETWORK);
  }
  if (!response.ok) throw new Error(`solc/soljson.js: HTTP ${response.status}`);
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
    if (!compile) await load();
    postMessage({ kind: 'compiled', id: data.id, output: compile(data.input, 0, 0), version });
  } catch (error) {
    postMessage({ kind: 'failed', id: data.id, message: String(error && error.message ? error.message : error) });
  }
};
