// tstestcore: the Rust example testcore in TypeScript — a tour of the
// WasmLib sandbox, one entry point per facility, with the same entry
// points, results and errors — for AssemblyScript.

import {
  EventEncoder, ScDict, ScExports, ScFuncContext, ScHname, ScTransfer, ScViewContext,
  stringFromBytes, stringToBytes,
} from "./wasmlib";

/* @schema
{
  "name": "tstestcore",
  "description": "A tour of the sandbox in TypeScript: caller, owner, timestamp, entropy, events, nested calls (deploy inccounter first), a panic, an endless loop and a memory bomb",
  "funcs": [
    { "name": "testPanic" },
    { "name": "testCaller", "results": [{ "key": "caller", "type": "AgentID" }] },
    { "name": "testChainOwner", "results": [{ "key": "owner", "type": "AgentID" }] },
    { "name": "testTimestamp", "results": [{ "key": "timestamp", "type": "Uint64" }] },
    { "name": "testEntropy", "results": [{ "key": "entropy", "type": "Hash" }] },
    { "name": "testEvent" },
    { "name": "testCallIncrement", "results": [{ "key": "counter", "type": "Int64" }] },
    { "name": "testCallPanic" },
    { "name": "testAccountsBalance", "results": [{ "key": "balance", "type": "Uint64" }] },
    { "name": "testDeploy", "params": [{ "key": "programHash", "type": "Hash" }, { "key": "name", "type": "String" }] },
    { "name": "testEndlessLoop" },
    { "name": "testGrowMemory", "params": [{ "key": "megabytes", "type": "Uint32", "optional": true }] },
    { "name": "testDeepRecursion" },
    { "name": "testTakeAllowance", "params": [{ "key": "amount", "type": "Uint64" }], "results": [{ "key": "balance", "type": "Uint64" }] },
    { "name": "testSendToCaller", "params": [{ "key": "amount", "type": "Uint64" }] },
    { "name": "testHashes", "params": [{ "key": "data", "type": "Bytes" }], "results": [{ "key": "blake2b", "type": "Hash" }, { "key": "sha3", "type": "Hash" }, { "key": "hname", "type": "Hname" }] },
    { "name": "testPost" },
    { "name": "testFibonacci", "params": [{ "key": "n", "type": "Uint32" }], "results": [{ "key": "fibonacci", "type": "Uint64" }] }
  ],
  "views": [
    { "name": "getSandboxInfo", "results": [{ "key": "chainID", "type": "ChainID" }, { "key": "contract", "type": "Hname" }, { "key": "accountID", "type": "AgentID" }, { "key": "timestamp", "type": "Uint64" }] },
    { "name": "testViewWrite" }
  ]
}
*/

function testPanic(ctx: ScFuncContext): void {
  ctx.panic("testcore: panic on purpose");
}

function testCaller(ctx: ScFuncContext): void {
  ctx.results.get("caller").setAgentId(ctx.caller());
}

function testChainOwner(ctx: ScFuncContext): void {
  ctx.results.get("owner").setAgentId(ctx.chainOwnerId());
}

function testTimestamp(ctx: ScFuncContext): void {
  ctx.results.get("timestamp").setUint64(ctx.timestamp());
}

function testEntropy(ctx: ScFuncContext): void {
  ctx.results.get("entropy").setHash(ctx.entropy());
}

function testEvent(ctx: ScFuncContext): void {
  const event = new EventEncoder("testcore.touched");
  event.encode("hello world");
  event.encode(ctx.caller().toString());
  event.emit();
}

/** A nested call into another Wasm contract (inccounter). */
function testCallIncrement(ctx: ScFuncContext): void {
  const inccounter = ScHname.fromName("inccounter");
  ctx.call(inccounter, ScHname.fromName("increment"));
  const counter = ctx.call(inccounter, ScHname.fromName("getCounter"));
  ctx.results.get("counter").setBytes(counter.get(stringToBytes("counter")));
}

/** A nested call whose callee panics: WasmLib cannot catch it, so the
 * whole request fails with the callee's message. */
function testCallPanic(ctx: ScFuncContext): void {
  ctx.state.get("beforePanic").setString("written");
  ctx.call(ctx.contract(), ScHname.fromName("testPanic"));
}

/** A call into the core `accounts` contract. */
function testAccountsBalance(ctx: ScFuncContext): void {
  const params = new ScDict();
  params.set(stringToBytes("a"), ctx.accountId().toBytes());
  const balance = ctx.call(ScHname.fromName("accounts"), ScHname.fromName("balanceBaseToken"), params);
  ctx.results.get("balance").setBytes(balance.get(stringToBytes("B")));
}

/** Deploys the program in blob `programHash` as contract `name`. */
function testDeploy(ctx: ScFuncContext): void {
  const hash = ctx.params.get("programHash").hash();
  const name = ctx.params.get("name").string();
  ctx.require(name.length > 0, "missing mandatory param: name");
  ctx.deployContract(hash, name, "deployed by testcore");
}

// Written by the endless loop, so the optimizer keeps the loop.
let spins: u64 = 0;

function testEndlessLoop(ctx: ScFuncContext): void {
  while (true) spins++;
}

/** Allocates `megabytes` MiB (default 64): past the playground's memory cap. */
function testGrowMemory(ctx: ScFuncContext): void {
  let megabytes = ctx.params.get("megabytes").uint32();
  if (megabytes == 0) megabytes = 64;
  const buf = new Uint8Array(<i32>megabytes * 1024 * 1024);
  buf.fill(1);
  ctx.results.get("balance").setUint64(<u64>buf.length);
}

function recurse(depth: u64): u64 {
  if (depth == U64.MAX_VALUE) return 0;
  return recurse(depth + 1) + 1;
}

/** Recurses without end: the host stops it at the call-depth limit. */
function testDeepRecursion(ctx: ScFuncContext): void {
  ctx.results.get("depth").setUint64(recurse(0));
}

/** Takes `amount` of the caller's allowance into this contract's account. */
function testTakeAllowance(ctx: ScFuncContext): void {
  const amount = ctx.params.get("amount").uint64();
  ctx.transferAllowed(ctx.accountId(), ScTransfer.baseTokens(amount));
  ctx.results.get("balance").setUint64(ctx.balances().baseTokens);
}

/** Sends `amount` base tokens from this contract to the caller's L1 address. */
function testSendToCaller(ctx: ScFuncContext): void {
  const amount = ctx.params.get("amount").uint64();
  ctx.send(ctx.caller().address, ScTransfer.baseTokens(amount));
}

function testHashes(ctx: ScFuncContext): void {
  const data = ctx.params.get("data").bytes();
  const utils = ctx.utility();
  ctx.results.get("blake2b").setHash(utils.hashBlake2b(data));
  ctx.results.get("sha3").setHash(utils.hashSha3(data));
  ctx.results.get("hname").setHname(utils.hashName(stringFromBytes(data)));
}

/** Posting to itself with 1 base token: Wasp raises it to 1 Mi, which
 * the contract's account must hold. */
function testPost(ctx: ScFuncContext): void {
  ctx.post(
    ctx.currentChainId(),
    ctx.contract(),
    ScHname.fromName("testCaller"),
    new ScDict(),
    new ScTransfer(),
    ScTransfer.baseTokens(1),
    0,
  );
}

function fibonacci(n: u64): u64 {
  if (n < 2) return n;
  return fibonacci(n - 1) + fibonacci(n - 2);
}

/** CPU-bound work: the `n`th Fibonacci number, recursively. */
function testFibonacci(ctx: ScFuncContext): void {
  const n = ctx.params.get("n").uint32();
  ctx.require(n <= 40, "testcore: n must be at most 40");
  ctx.results.get("fibonacci").setUint64(fibonacci(<u64>n));
}

function getSandboxInfo(ctx: ScViewContext): void {
  ctx.results.get("chainID").setChainId(ctx.currentChainId());
  ctx.results.get("contract").setHname(ctx.contract());
  ctx.results.get("accountID").setAgentId(ctx.accountId());
  ctx.results.get("timestamp").setUint64(ctx.timestamp());
}

/** A view that tries to write state: the host refuses. */
function testViewWrite(ctx: ScViewContext): void {
  const one = new Uint8Array(1);
  one[0] = 1;
  ctx.state.get("sneaky").setBytes(one);
}

const EXPORTS = new ScExports(
  [
    "testPanic", "testCaller", "testChainOwner", "testTimestamp", "testEntropy", "testEvent",
    "testCallIncrement", "testCallPanic", "testAccountsBalance", "testDeploy", "testEndlessLoop",
    "testGrowMemory", "testDeepRecursion", "testTakeAllowance", "testSendToCaller", "testHashes",
    "testPost", "testFibonacci",
  ],
  [
    testPanic, testCaller, testChainOwner, testTimestamp, testEntropy, testEvent,
    testCallIncrement, testCallPanic, testAccountsBalance, testDeploy, testEndlessLoop,
    testGrowMemory, testDeepRecursion, testTakeAllowance, testSendToCaller, testHashes,
    testPost, testFibonacci,
  ],
  ["getSandboxInfo", "testViewWrite"],
  [getSandboxInfo, testViewWrite],
);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
