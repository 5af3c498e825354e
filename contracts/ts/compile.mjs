// Compiles the TypeScript WasmLib examples (contracts/ts/<name>.ts) with
// the pinned npm assemblyscript, exactly as the page's compiler worker
// does (app/js/asc-compile.mjs): `cargo xtask build-examples` and
// `check-examples` call it.
//
//   node contracts/ts/compile.mjs OUT_DIR NAME...
import asc from 'assemblyscript/asc';
import fs from 'node:fs';
import path from 'node:path';
import { compileContract } from '../../app/js/asc-compile.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const [out, ...names] = process.argv.slice(2);
const wasmlib = Object.fromEntries(
  fs.readdirSync(path.join(here, 'wasmlib'))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => [`wasmlib/${file}`, fs.readFileSync(path.join(here, 'wasmlib', file), 'utf8')]),
);
fs.mkdirSync(out, { recursive: true });
let failed = false;
for (const name of names) {
  const entry = `${name}.ts`;
  const sources = { ...wasmlib, [entry]: fs.readFileSync(path.join(here, entry), 'utf8') };
  const { binary, problems } = await compileContract(asc, entry, sources);
  for (const p of problems) {
    console.error(`${p.file}:${p.line}:${p.column}: ${p.error ? 'error' : 'warning'}: ${p.message}`);
  }
  if (!binary) {
    failed = true;
    continue;
  }
  fs.writeFileSync(path.join(out, `${name}.wasm`), binary);
  console.log(`${name}.ts -> ${path.join(out, `${name}.wasm`)} (${binary.length} bytes)`);
}
process.exit(failed ? 1 : 0);
