// Compiles every .sol file of a folder with the pinned npm solc (solc-js)
// and writes its standard-JSON output beside the sources' copies:
//   node compile.mjs                 contracts/solidity -> public/examples/solidity
//   node compile.mjs SRC OUT         any folder (the engine's test fixtures)
// `import "./ISC.sol"` resolves to this folder's ISC.sol. Run by
// `cargo xtask build-examples`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const solc = require('solc');
const library = path.dirname(fileURLToPath(import.meta.url));
const [src, out] = process.argv.length > 3
  ? [path.resolve(process.argv[2]), path.resolve(process.argv[3])]
  : [library, path.join(library, '..', '..', 'public', 'examples', 'solidity')];
const examples = src === library;
fs.mkdirSync(out, { recursive: true });

// ISC.sol is imported, not deployed (`cargo xtask build` copies the
// sources the page shows, ISC.sol included, into the site).
const LIBRARY = 'ISC.sol';
const findImports = (name) => {
  const file = [src, library]
    .map((dir) => path.join(dir, path.basename(name)))
    .find((candidate) => fs.existsSync(candidate));
  return file
    ? { contents: fs.readFileSync(file, 'utf8') }
    : { error: `not found: ${name} (only files of ${src} and ISC.sol can be imported)` };
};

let failed = false;
for (const file of fs.readdirSync(src).filter((f) => f.endsWith('.sol') && f !== LIBRARY).sort()) {
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: fs.readFileSync(path.join(src, file), 'utf8') } },
    settings: {
      evmVersion: 'prague',
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'none' },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', ...(examples ? ['storageLayout'] : [])] } },
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
  console.log(`solidity: ${file} -> ${path.relative(process.cwd(), out)}/${name}.json (solc ${solc.version()})`);
}
process.exit(failed ? 1 : 0);
