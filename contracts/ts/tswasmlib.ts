// tswasmlib: not an example — the TypeScript WasmLib's own checks, run
// by the engine's tests (`engine/tests/integration/typescript.rs`) from
// the committed build in `engine/tests/fixtures/ts/`. Each func returns
// what the library made of its input, for the test to compare with what
// the Rust side (the engine and the crate's encodings) says it must be.

import {
  ScAgentID, ScBigInt, ScExports, ScFuncContext, ScHname, ScViewContext, WasmDecoder, WasmEncoder,
  hexDecode, hexEncode,
} from "./wasmlib";

/* @schema
{
  "name": "tswasmlib",
  "funcs": [
    { "name": "agent", "params": [{ "key": "agent", "type": "AgentID" }] },
    { "name": "array", "params": [{ "key": "items", "type": "Uint32" }] },
    { "name": "clear" }
  ],
  "views": [
    { "name": "codec", "params": [{ "key": "bytes", "type": "Bytes" }] }
  ]
}
*/

/** An agent id through the library: its text, its bytes again, and the
 * bytes of that text parsed back (bech32 and hnames through the host). */
function funcAgent(ctx: ScFuncContext): void {
  const agent = ctx.params.get("agent").agentId();
  const text = agent.toString();
  ctx.results.get("text").setString(text);
  ctx.results.get("bytes").setBytes(agent.toBytes());
  ctx.results.get("parsed").setBytes(ScAgentID.fromString(text).toBytes());
  ctx.results.get("caller").setString(ctx.caller().toString());
}

/** Appends `items` elements to the state array `list` and reads them
 * back; writes two items of the state map `map`. */
function funcArray(ctx: ScFuncContext): void {
  const count = ctx.params.get("items").uint32();
  const list = ctx.state.get("list");
  for (let i: u32 = 0; i < count; i++) list.append().setUint32(i * 7);
  ctx.require(list.length() == count, "array: wrong length");
  let sum: u64 = 0;
  for (let i: u32 = 0; i < count; i++) sum += <u64>list.index(i).uint32();
  ctx.results.get("sum").setUint64(sum);
  // The keys as the crate builds them, for the test to check.
  const map = ctx.state.get("map");
  map.item("x").setString("in a map");
  map.key(ctx.caller().toBytes()).setBool(true);
  ctx.results.get("length").setBytes(list.bytes());
}

/** Clears what `array` wrote: the state must end empty. */
function funcClear(ctx: ScFuncContext): void {
  const list = ctx.state.get("list");
  const count = list.length();
  if (count > 0) list.index(count - 1).delete();
  list.clearArray();
  const map = ctx.state.get("map");
  map.item("x").delete();
  map.key(ctx.caller().toBytes()).delete();
}

/** Encodings of `bytes` and of fixed values: variable-length integers,
 * hex both ways, a big integer's decimal text, hnames. */
function viewCodec(ctx: ScViewContext): void {
  const bytes = ctx.params.get("bytes").bytes();
  const enc = new WasmEncoder();
  enc.vluEncode(0).vluEncode(127).vluEncode(128).vluEncode(300).vluEncode(U64.MAX_VALUE);
  enc.bytes(bytes);
  const out = enc.toBytes();
  ctx.results.get("vlu").setBytes(out);
  const dec = new WasmDecoder(out);
  const decoded = [dec.vluDecode(64), dec.vluDecode(64), dec.vluDecode(64), dec.vluDecode(64), dec.vluDecode(64)];
  ctx.require(decoded[3] == 300 && decoded[4] == U64.MAX_VALUE, "vlu: round trip");
  ctx.require(hexEncode(dec.bytes()) == hexEncode(bytes), "bytes: round trip");
  dec.close();
  ctx.results.get("hex").setString(hexEncode(bytes));
  ctx.results.get("unhex").setBytes(hexDecode(hexEncode(bytes)));
  // 2^64 + 5 from its big-endian bytes, and u64::MAX.
  const big: u8[] = [1, 0, 0, 0, 0, 0, 0, 0, 5];
  const bigBytes = new Uint8Array(big.length);
  for (let i = 0; i < big.length; i++) bigBytes[i] = big[i];
  ctx.results.get("big").setString(ScBigInt.fromBytes(bigBytes).toString());
  ctx.results.get("max").setString(ScBigInt.fromUint64(U64.MAX_VALUE).toString());
  ctx.results.get("hname").setHname(ScHname.fromName("inccounter"));
  ctx.results.get("hnameText").setString(ScHname.fromString("AF2438E9").toString());
}

const EXPORTS = new ScExports(["agent", "array", "clear"], [funcAgent, funcArray, funcClear], ["codec"], [viewCodec]);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
