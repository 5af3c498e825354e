// AssemblyScript's compiler (npm assemblyscript, pinned; binaryen inside),
// bundled by `cargo xtask setup` into vendor/asc.min.js for the page's
// TypeScript compiler worker (asc-worker.js).
export * from 'assemblyscript/asc';
