// One AssemblyScript compile of a WasmLib contract written in TypeScript:
// the same function, the same options, in the page's compiler worker
// (asc-worker.js) and in `cargo xtask build-examples`
// (contracts/ts/compile.mjs), so an example built here and the same source
// compiled in the page are the same bytes.
//
// `asc` is AssemblyScript's compiler module (`assemblyscript/asc`);
// `sources` maps file names to their text: the contract's own file
// (`entry`) and WasmLib's (`wasmlib/index.ts`, …), which it imports as
// "./wasmlib". Nothing is read from a disk.

/** Optimized; the `stub` runtime (an instance lives for one call, so
 * nothing is ever freed); no colours in messages. */
export const ASC_OPTIONS = ['-O3', '--runtime', 'stub', '--noColors'];

/** 1-based line and column of `offset` (a JS string index) in `text`. */
function place(text, offset) {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * Compiles `entry` among `sources`: `{ binary, problems }`, where binary is
 * a Uint8Array or null and each problem is `{ file, error, message, line,
 * column, end_line, end_column }` (lines and columns 1-based).
 */
export async function compileContract(asc, entry, sources) {
  const problems = [];
  const written = {};
  const stderr = asc.createMemoryStream();
  const result = await asc.main([entry, '--outFile', 'contract.wasm', ...ASC_OPTIONS], {
    readFile: (name) => (Object.prototype.hasOwnProperty.call(sources, name) ? sources[name] : null),
    writeFile: (name, contents) => {
      written[name] = contents;
    },
    listFiles: () => [],
    stdout: asc.createMemoryStream(),
    stderr,
    reportDiagnostic: (diagnostic) => {
      // Categories: 0 pedantic, 1 info, 2 warning, 3 error.
      if (diagnostic.category < 2) return;
      const range = diagnostic.range;
      const file = range && range.source ? range.source.normalizedPath : '';
      const text = sources[file] ?? '';
      const start = range ? place(text, range.start) : { line: 1, column: 1 };
      const end = range ? place(text, range.end) : start;
      problems.push({
        file,
        error: diagnostic.category === 3,
        message: `AS${diagnostic.code}: ${diagnostic.message}`,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
      });
    },
  });
  const binary = written['contract.wasm'] ?? null;
  if (result.error && !problems.some((p) => p.error)) {
    problems.push({
      file: entry,
      error: true,
      message: String(stderr.toString() || result.error.message || result.error).trim(),
      line: 1,
      column: 1,
      end_line: 1,
      end_column: 1,
    });
  }
  return { binary: result.error ? null : binary, problems };
}
