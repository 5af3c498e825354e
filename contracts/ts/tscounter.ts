// tscounter: the Rust example inccounter's counter, in TypeScript (same entry
// points, same state layout, same results), for AssemblyScript.

import { ScExports, ScFuncContext, ScViewContext } from "./wasmlib";

/* @schema
{
  "name": "tscounter",
  "description": "A counter in TypeScript: init, increment, increment by, read it",
  "funcs": [
    { "name": "init", "params": [{ "key": "counter", "type": "Int64", "optional": true }] },
    { "name": "increment" },
    { "name": "incrementBy", "params": [{ "key": "amount", "type": "Int64" }] }
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

function viewGetCounter(ctx: ScViewContext): void {
  ctx.log("inccounter.viewGetCounter");
  ctx.results.get(COUNTER).setInt64(ctx.state.get(COUNTER).int64());
  ctx.log("inccounter.viewGetCounter ok");
}

const EXPORTS = new ScExports(
  ["init", "increment", "incrementBy"],
  [funcInit, funcIncrement, funcIncrementBy],
  ["getCounter"],
  [viewGetCounter],
);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
