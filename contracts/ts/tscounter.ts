// tscounter: the Rust example inccounter's counter, in TypeScript (same entry
// points, same state layout, same results), for AssemblyScript.

import { ScDict, ScExports, ScFuncContext, ScHname, ScTransfer, ScViewContext } from "./wasmlib";

/* @schema
{
  "name": "tscounter",
  "description": "A counter in TypeScript: init, increment, increment by, read it",
  "funcs": [
    { "name": "init", "params": [{ "key": "counter", "type": "Int64", "optional": true }] },
    { "name": "increment" },
    { "name": "incrementBy", "params": [{ "key": "amount", "type": "Int64" }] },
    { "name": "callIncrement" },
    { "name": "callIncrementRecurse5x" },
    { "name": "incrementWithDelay", "params": [{ "key": "delay", "type": "Uint32" }] },
    { "name": "repeatMany", "params": [{ "key": "numRepeats", "type": "Int64", "optional": true }] }
  ],
  "views": [
    { "name": "getCounter", "results": [{ "key": "counter", "type": "Int64" }] }
  ]
}
*/

const COUNTER = "counter";

function funcInit(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcInit");
  const counter = ctx.params.get(COUNTER);
  if (counter.exists()) {
    ctx.state.get(COUNTER).setInt64(counter.int64());
  }
  ctx.log("inccounter.funcInit ok");
}

function funcIncrement(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcIncrement");
  const counter = ctx.state.get(COUNTER);
  counter.setInt64(counter.int64() + 1);
  ctx.log("inccounter.funcIncrement ok");
}

function funcIncrementBy(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcIncrementBy");
  const amount = ctx.params.get("amount");
  ctx.require(amount.exists(), "missing mandatory param: amount");
  const counter = ctx.state.get(COUNTER);
  counter.setInt64(counter.int64() + amount.int64());
  ctx.log("inccounter.funcIncrementBy ok");
}

/** Increments, then calls `increment` of this same contract. */
function funcCallIncrement(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcCallIncrement");
  const counter = ctx.state.get(COUNTER);
  counter.setInt64(counter.int64() + 1);
  ctx.call(ctx.contract(), ScHname.fromName("increment"));
  ctx.log("inccounter.funcCallIncrement ok");
}

/** Increments and calls itself until the counter is 5. */
function funcCallIncrementRecurse5x(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcCallIncrementRecurse5x");
  const counter = ctx.state.get(COUNTER);
  const value = counter.int64() + 1;
  counter.setInt64(value);
  if (value < 5) {
    ctx.call(ctx.contract(), ScHname.fromName("callIncrementRecurse5x"));
  }
  ctx.log("inccounter.funcCallIncrementRecurse5x ok");
}

/** Keeps the allowance in this contract's account: a posted request
 * carries tokens from it. */
function takeAllowance(ctx: ScFuncContext): void {
  ctx.transferAllowed(ctx.accountId(), ScTransfer.fromBalances(ctx.allowance()));
}

/** Posts `name` of this contract, to run `delay` seconds from now,
 * carrying 1 base token. */
function postToSelf(ctx: ScFuncContext, name: string, delay: u32): void {
  ctx.post(
    ctx.currentChainId(),
    ctx.contract(),
    ScHname.fromName(name),
    new ScDict(),
    new ScTransfer(),
    ScTransfer.baseTokens(1),
    delay,
  );
}

/** Posts `increment` to this contract, to run `delay` seconds from now. */
function funcIncrementWithDelay(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcIncrementWithDelay");
  const delay = ctx.params.get("delay");
  ctx.require(delay.exists(), "missing mandatory param: delay");
  takeAllowance(ctx);
  postToSelf(ctx, "increment", delay.uint32());
  ctx.log("inccounter.funcIncrementWithDelay ok");
}

/** Increments, then posts itself again until it has run `numRepeats`
 * more times (the count left is kept in state). */
function funcRepeatMany(ctx: ScFuncContext): void {
  ctx.log("inccounter.funcRepeatMany");
  const counter = ctx.state.get(COUNTER);
  counter.setInt64(counter.int64() + 1);
  takeAllowance(ctx);
  const left = ctx.state.get("numRepeats");
  let repeats = ctx.params.get("numRepeats").int64();
  if (repeats == 0) {
    repeats = left.int64();
  }
  if (repeats != 0) {
    left.setInt64(repeats - 1);
    postToSelf(ctx, "repeatMany", 0);
  }
  ctx.log("inccounter.funcRepeatMany ok");
}

function viewGetCounter(ctx: ScViewContext): void {
  ctx.log("inccounter.viewGetCounter");
  ctx.results.get(COUNTER).setInt64(ctx.state.get(COUNTER).int64());
  ctx.log("inccounter.viewGetCounter ok");
}

const EXPORTS = new ScExports(
  ["init", "callIncrement", "callIncrementRecurse5x", "increment", "incrementBy", "incrementWithDelay", "repeatMany"],
  [funcInit, funcCallIncrement, funcCallIncrementRecurse5x, funcIncrement, funcIncrementBy, funcIncrementWithDelay, funcRepeatMany],
  ["getCounter"],
  [viewGetCounter],
);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
