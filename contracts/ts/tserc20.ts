// tserc20: the Rust example erc20 in TypeScript — the same entry points,
// the same state layout (`supply`, `balances.<agent id>`,
// `allAllowances.<owner>.<delegate>`, all Uint64), the same events and
// errors — for AssemblyScript.

import { EventEncoder, ScAgentID, ScExports, ScFuncContext, ScProxies, ScProxy, ScViewContext } from "./wasmlib";

/* @schema
{
  "name": "tserc20",
  "description": "ERC-20 in TypeScript: balances and allowances keyed by agent id",
  "funcs": [
    { "name": "init", "params": [{ "key": "supply", "type": "Uint64" }, { "key": "owner", "type": "AgentID" }] },
    { "name": "approve", "params": [{ "key": "delegation", "type": "AgentID" }, { "key": "amount", "type": "Uint64" }] },
    { "name": "transfer", "params": [{ "key": "account", "type": "AgentID" }, { "key": "amount", "type": "Uint64" }] },
    { "name": "transferFrom", "params": [{ "key": "account", "type": "AgentID" }, { "key": "recipient", "type": "AgentID" }, { "key": "amount", "type": "Uint64" }] }
  ],
  "views": [
    { "name": "allowance", "params": [{ "key": "account", "type": "AgentID" }, { "key": "delegation", "type": "AgentID" }], "results": [{ "key": "amount", "type": "Uint64" }] },
    { "name": "balanceOf", "params": [{ "key": "account", "type": "AgentID" }], "results": [{ "key": "amount", "type": "Uint64" }] },
    { "name": "totalSupply", "results": [{ "key": "supply", "type": "Uint64" }] }
  ]
}
*/

function balance(state: ScProxies, agent: ScAgentID): ScProxy {
  return state.get("balances").key(agent.toBytes());
}

function allowance(state: ScProxies, owner: ScAgentID, delegate: ScAgentID): ScProxy {
  return state.get("allAllowances").key(owner.toBytes()).key(delegate.toBytes());
}

function requiredAgent(ctx: ScFuncContext, name: string): ScAgentID {
  const value = ctx.params.get(name);
  ctx.require(value.exists(), "missing mandatory param: " + name);
  return value.agentId();
}

function requiredAmount(ctx: ScFuncContext): u64 {
  const value = ctx.params.get("amount");
  ctx.require(value.exists(), "missing mandatory param: amount");
  const amount = value.uint64();
  ctx.require(amount > 0, "erc20: amount must be positive");
  return amount;
}

/** `erc20.transfer|<time>|<from or ->|<to>|<amount>` */
function transferEvent(from: string, to: ScAgentID, amount: u64): void {
  const event = new EventEncoder("erc20.transfer");
  event.encode(from);
  event.encode(to.toString());
  event.encode(amount.toString());
  event.emit();
}

function moveTokens(ctx: ScFuncContext, from: ScAgentID, to: ScAgentID, amount: u64): void {
  const source = balance(ctx.state, from);
  ctx.require(source.uint64() >= amount, "erc20: not enough funds");
  source.setUint64(source.uint64() - amount);
  const target = balance(ctx.state, to);
  target.setUint64(target.uint64() + amount);
  transferEvent(from.toString(), to, amount);
}

/** `init(supply, owner)`: mints the whole supply to `owner`. */
function funcInit(ctx: ScFuncContext): void {
  const supply = ctx.params.get("supply");
  ctx.require(supply.exists(), "missing mandatory param: supply");
  const owner = requiredAgent(ctx, "owner");
  ctx.state.get("supply").setUint64(supply.uint64());
  balance(ctx.state, owner).setUint64(supply.uint64());
  transferEvent("-", owner, supply.uint64());
}

/** `transfer(account, amount)`: from the caller to `account`. */
function funcTransfer(ctx: ScFuncContext): void {
  const target = requiredAgent(ctx, "account");
  const amount = requiredAmount(ctx);
  moveTokens(ctx, ctx.caller(), target, amount);
}

/** `approve(delegation, amount)`: lets `delegation` spend the caller's tokens. */
function funcApprove(ctx: ScFuncContext): void {
  const delegate = requiredAgent(ctx, "delegation");
  const amount = ctx.params.get("amount").uint64();
  const owner = ctx.caller();
  allowance(ctx.state, owner, delegate).setUint64(amount);
  const event = new EventEncoder("erc20.approval");
  event.encode(owner.toString());
  event.encode(delegate.toString());
  event.encode(amount.toString());
  event.emit();
}

/** `transferFrom(account, recipient, amount)`: the caller spends what
 * `account` approved for it. */
function funcTransferFrom(ctx: ScFuncContext): void {
  const source = requiredAgent(ctx, "account");
  const target = requiredAgent(ctx, "recipient");
  const amount = requiredAmount(ctx);
  const allowed = allowance(ctx.state, source, ctx.caller());
  ctx.require(allowed.uint64() >= amount, "erc20: not enough allowance");
  moveTokens(ctx, source, target, amount);
  allowed.setUint64(allowed.uint64() - amount);
}

function viewAllowance(ctx: ScViewContext): void {
  const owner = ctx.params.get("account");
  const delegate = ctx.params.get("delegation");
  ctx.require(owner.exists(), "missing mandatory param: account");
  ctx.require(delegate.exists(), "missing mandatory param: delegation");
  const amount = allowance(ctx.state, owner.agentId(), delegate.agentId()).uint64();
  ctx.results.get("amount").setUint64(amount);
}

function viewBalanceOf(ctx: ScViewContext): void {
  const account = ctx.params.get("account");
  ctx.require(account.exists(), "missing mandatory param: account");
  ctx.results.get("amount").setUint64(balance(ctx.state, account.agentId()).uint64());
}

function viewTotalSupply(ctx: ScViewContext): void {
  ctx.results.get("supply").setUint64(ctx.state.get("supply").uint64());
}

// Funcs log their name on entry and "<name> ok" on success, as the Rust
// twin's thunks do.
function logged(ctx: ScFuncContext, name: string, body: (ctx: ScFuncContext) => void): void {
  ctx.log(name);
  body(ctx);
  ctx.log(name + " ok");
}

const EXPORTS = new ScExports(
  ["init", "approve", "transfer", "transferFrom"],
  [
    (ctx: ScFuncContext): void => logged(ctx, "erc20.init", funcInit),
    (ctx: ScFuncContext): void => logged(ctx, "erc20.approve", funcApprove),
    (ctx: ScFuncContext): void => logged(ctx, "erc20.transfer", funcTransfer),
    (ctx: ScFuncContext): void => logged(ctx, "erc20.transferFrom", funcTransferFrom),
  ],
  ["allowance", "balanceOf", "totalSupply"],
  [viewAllowance, viewBalanceOf, viewTotalSupply],
);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
