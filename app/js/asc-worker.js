// AssemblyScript's compiler in its own (module) worker, loaded on first
// use: vendor/asc.min.js (about 15 MB, 3 MB compressed) and WasmLib's
// TypeScript (examples/ts/wasmlib.json). The page (app/src/page/asc.rs)
// sends {id, entry, source} and gets {kind: 'compiled', id, binary,
// problems, version} or {kind: 'failed', id, message}.
import { compileContract } from './asc-compile.mjs';

const NEEDS_NETWORK =
  'the TypeScript compiler (about 3 MB) is downloaded the first time it is used, and that needs the network once; after that it works offline';

let ready = null;

async function load() {
  try {
    const [asc, wasmlib] = await Promise.all([
      import('./vendor/asc.min.js'),
      fetch('./examples/ts/wasmlib.json').then((response) => {
        if (!response.ok) throw new Error(`examples/ts/wasmlib.json: HTTP ${response.status}`);
        return response.json();
      }),
    ]);
    return { asc, wasmlib };
  } catch (error) {
    throw new Error(error instanceof TypeError ? NEEDS_NETWORK : String(error.message ?? error));
  }
}

onmessage = async ({ data }) => {
  try {
    if (!ready) ready = load().catch((error) => {
      ready = null;
      throw error;
    });
    const { asc, wasmlib } = await ready;
    const sources = { ...wasmlib, [data.entry]: data.source };
    const { binary, problems } = await compileContract(asc, data.entry, sources);
    postMessage({ kind: 'compiled', id: data.id, binary, problems: JSON.stringify(problems), version: asc.version });
  } catch (error) {
    postMessage({ kind: 'failed', id: data.id, message: String(error && error.message ? error.message : error) });
  }
};
