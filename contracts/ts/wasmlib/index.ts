// WasmLib for contracts written in TypeScript and compiled with
// AssemblyScript: the same two host imports and byte encodings as the
// Rust crate, so a contract behaves the same whichever language built it.
export * from "./codec";
export * from "./context";
export { sandbox } from "./host";
export * from "./types";
export * from "./assets";
