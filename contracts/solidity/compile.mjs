// Compiles every .sol file here with the pinned npm solc (solc-js) and
// writes its standard-JSON output to public/examples/solidity/<Name>.json.
// Run by `cargo xtask build-examples`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', '..', 'public', 'examples', 'solidity');
fs.mkdirSync(out, { recursive: true });

// ISC.sol is imported, not deployed: ship its source for the page's editor.
const LIBRARY = 'ISC.sol';
fs.copyFileSync(path.join(here, LIBRARY), path.join(out, LIBRARY));
const findImports = (name) => {
  const file = path.join(here, path.basename(name));
  return fs.existsSync(file)
    ? { contents: fs.readFileSync(file, 'utf8') }
    : { error: `not found: ${name} (only files of contracts/solidity can be imported)` };
};

let failed = false;
for (const file of fs.readdirSync(here).filter((f) => f.endsWith('.sol') && f !== LIBRARY).sort()) {
  // The source, for the page's editor.
  fs.copyFileSync(path.join(here, file), path.join(out, file));
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: fs.readFileSync(path.join(here, file), 'utf8') } },
    settings: {
      evmVersion: 'prague',
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'none' },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) console.error(e.formattedMessage);
  if (errors.length) {
    failed = true;
    continue;
  }
  delete output.errors;
  // Keep only the contracts of this file (imports compile along).
  output.contracts = { [file]: output.contracts[file] };
  delete output.sources;
  const name = path.basename(file, '.sol');
  fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(output, null, 1) + '\n');
  console.log(`examples: ${file} -> public/examples/solidity/${name}.json (solc ${solc.version()})`);
}
process.exit(failed ? 1 : 0);
