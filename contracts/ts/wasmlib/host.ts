// The two host functions every WasmLib contract imports, and what the
// host multiplexes through them: state, exports and sandbox functions.
// The rules are the host's (ARCHITECTURE.md, "the WasmLib host ABI"):
//
// hostStateGet(key, keyLen, val, valLen)
//   valLen < 0  → does the state key exist: 0 yes, -1 no
//   keyLen > 0  → read the state key into the one-slot cache, then as 0
//   keyLen == 0 → copy the cached value to val (up to valLen bytes);
//                 its full length, or -1 when nothing is cached
//   keyLen < 0  → sandbox function keyLen, params at val/valLen; the
//                 result is cached, its length returned
// hostStateSet(key, keyLen, val, valLen)
//   key == 0    → export the name at val/valLen as entry point keyLen
//                 (keyLen < 0: the contract's language tag)
//   valLen < 0  → delete the state key
//   otherwise   → set the state key to the bytes at val/valLen

@external("WasmLib", "hostStateGet")
declare function hostStateGet(keyRef: usize, keyLen: i32, valRef: usize, valLen: i32): i32;

@external("WasmLib", "hostStateSet")
declare function hostStateSet(keyRef: usize, keyLen: i32, valRef: usize, valLen: i32): void;

/** Where a byte array's bytes start in linear memory. */
function at(bytes: Uint8Array): usize {
  return bytes.dataStart;
}

/** The host's cached value, `size` bytes of it. */
function cached(size: i32): Uint8Array {
  const out = new Uint8Array(size > 0 ? size : 0);
  if (size > 0) hostStateGet(0, 0, at(out), size);
  return out;
}

/** Registers entry point `name` at `index` (negative: the language tag). */
export function exportName(index: i32, name: string): void {
  const bytes = Uint8Array.wrap(String.UTF8.encode(name));
  hostStateSet(0, index, at(bytes), bytes.length);
}

/** Calls sandbox function `fn` (a negative number) with `params`. */
export function sandbox(fn: i32, params: Uint8Array): Uint8Array {
  return cached(hostStateGet(0, fn, at(params), params.length));
}

export function stateExists(key: Uint8Array): bool {
  return hostStateGet(at(key), key.length, 0, -1) >= 0;
}

/** The state value at `key`; empty when there is none. */
export function stateGet(key: Uint8Array): Uint8Array {
  return cached(hostStateGet(at(key), key.length, 0, 0));
}

export function stateSet(key: Uint8Array, value: Uint8Array): void {
  hostStateSet(at(key), key.length, at(value), value.length);
}

export function stateDelete(key: Uint8Array): void {
  hostStateSet(at(key), key.length, 0, -1);
}
