// tsfairroulette: the Rust example fairroulette in TypeScript — bets kept
// in a WasmLib array of encoded structs, the winning number drawn with
// `random` from the request's entropy, winners paid through the core
// accounts contract — with the same entry points, state layout, events
// and errors, for AssemblyScript.

import {
  EventEncoder, ScAgentID, ScDict, ScExports, ScFuncContext, ScHname, ScProxy, ScTransfer, ScViewContext,
  WasmDecoder, WasmEncoder, stringToBytes,
} from "./wasmlib";

/* @schema
{
  "name": "tsfairroulette",
  "description": "Bet on a number from 1 to 8 in TypeScript; the block's entropy picks the winner",
  "funcs": [
    { "name": "placeBet", "params": [{ "key": "number", "type": "Uint16" }] },
    { "name": "payWinners" }
  ],
  "views": [
    { "name": "getBets", "results": [{ "key": "bets", "type": "[]Bytes" }, { "key": "pot", "type": "Uint64" }] },
    { "name": "lastWinningNumber", "results": [{ "key": "lastWinningNumber", "type": "Uint16" }] }
  ]
}
*/

/** Numbers run from 1 to this. */
const MAX_NUMBER: u16 = 8;

/** One bet: who, how much, on which number (encoded as the Rust struct:
 * the agent id's bytes, then the amount and the number as variable-length
 * integers). */
class Bet {
  constructor(public better: ScAgentID, public amount: u64, public number: u16) {}

  toBytes(): Uint8Array {
    const enc = new WasmEncoder();
    enc.bytes(this.better.toBytes());
    enc.vluEncode(this.amount);
    enc.vluEncode(<u64>this.number);
    return enc.toBytes();
  }

  static fromBytes(bytes: Uint8Array): Bet {
    const dec = new WasmDecoder(bytes);
    const better = ScAgentID.fromBytes(dec.bytes());
    const amount = dec.vluDecode(64);
    const number = <u16>dec.vluDecode(16);
    dec.close();
    return new Bet(better, amount, number);
  }
}

function betsOf(array: ScProxy): Array<Bet> {
  const bets: Array<Bet> = [];
  const length = array.length();
  for (let i: u32 = 0; i < length; i++) bets.push(Bet.fromBytes(array.index(i).bytes()));
  return bets;
}

/** `a * b / c` without overflow (the Rust twin computes it in u128); the
 * quotient fits in 64 bits when `b <= c`. */
function mulDiv(a: u64, b: u64, c: u64): u64 {
  // The 128-bit product as hi:lo, from 32-bit halves.
  const aLo = a & 0xffffffff, aHi = a >> 32, bLo = b & 0xffffffff, bHi = b >> 32;
  const ll = aLo * bLo, lh = aLo * bHi, hl = aHi * bLo, hh = aHi * bHi;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  let lo = (ll & 0xffffffff) | (mid << 32);
  let hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  // Long division, one bit at a time.
  let quotient: u64 = 0;
  let rest: u64 = 0;
  for (let i = 0; i < 128; i++) {
    const carry = rest >> 63;
    rest = (rest << 1) | (hi >> 63);
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    quotient <<= 1;
    if (carry != 0 || rest >= c) {
      rest -= c;
      quotient |= 1;
    }
  }
  return quotient;
}

/** `placeBet(number)`: the caller's allowance is the stake. */
function funcPlaceBet(ctx: ScFuncContext): void {
  const number = ctx.params.get("number").uint16();
  ctx.require(number >= 1 && number <= MAX_NUMBER, "fairroulette: bet on a number from 1 to " + MAX_NUMBER.toString());
  const stake = ctx.allowance().baseTokens;
  ctx.require(stake > 0, "fairroulette: allow some base tokens as your stake");
  ctx.transferAllowed(ctx.accountId(), ScTransfer.baseTokens(stake));
  const bet = new Bet(ctx.caller(), stake, number);
  ctx.state.get("bets").append().setBytes(bet.toBytes());
  const event = new EventEncoder("fairroulette.bet");
  event.encode(bet.better.toString());
  event.encode(stake.toString());
  event.encode(number.toString());
  event.emit();
}

/** `payWinners`: the block's entropy picks the number; winners share the
 * whole pot in proportion to their stakes; no winner, the pot stays. */
function funcPayWinners(ctx: ScFuncContext): void {
  const bets = betsOf(ctx.state.get("bets"));
  ctx.require(bets.length > 0, "fairroulette: no bets to settle");
  const winning = <u16>(ctx.random(<u64>MAX_NUMBER) + 1);
  ctx.state.get("lastWinningNumber").setUint16(winning);
  const pot = ctx.balances().baseTokens;
  const winners: Array<Bet> = [];
  let staked: u64 = 0;
  for (let i = 0; i < bets.length; i++) {
    if (bets[i].number == winning) {
      winners.push(bets[i]);
      staked += bets[i].amount;
    }
  }
  let paid: u64 = 0;
  for (let i = 0; i < winners.length; i++) {
    const share = mulDiv(pot, winners[i].amount, staked);
    if (share > 0) {
      // accounts.transferAllowanceTo, allowing it to move our tokens.
      const params = new ScDict();
      params.set(stringToBytes("a"), winners[i].better.toBytes());
      ctx.callWithAllowance(
        ScHname.fromName("accounts"),
        ScHname.fromName("transferAllowanceTo"),
        params,
        ScTransfer.baseTokens(share),
      );
      paid += share;
    }
  }
  ctx.state.get("bets").clearArray();
  const event = new EventEncoder("fairroulette.round");
  event.encode(winning.toString());
  event.encode(winners.length.toString());
  event.encode(paid.toString());
  event.emit();
}

function viewGetBets(ctx: ScViewContext): void {
  const bets = betsOf(ctx.state.get("bets"));
  const array = ctx.results.get("bets");
  for (let i = 0; i < bets.length; i++) array.append().setBytes(bets[i].toBytes());
  ctx.results.get("pot").setUint64(ctx.balances().baseTokens);
}

function viewLastWinningNumber(ctx: ScViewContext): void {
  const number = ctx.state.get("lastWinningNumber").uint16();
  ctx.results.get("lastWinningNumber").setUint16(number);
}

// Funcs log their name on entry and "<name> ok" on success, as the Rust
// twin's thunks do.
function logged(ctx: ScFuncContext, name: string, body: (ctx: ScFuncContext) => void): void {
  ctx.log(name);
  body(ctx);
  ctx.log(name + " ok");
}

const EXPORTS = new ScExports(
  ["placeBet", "payWinners"],
  [
    (ctx: ScFuncContext): void => logged(ctx, "fairroulette.placeBet", funcPlaceBet),
    (ctx: ScFuncContext): void => logged(ctx, "fairroulette.payWinners", funcPayWinners),
  ],
  ["getBets", "lastWinningNumber"],
  [viewGetBets, viewLastWinningNumber],
);

export function on_load(): void {
  EXPORTS.load();
}

export function on_call(index: i32): void {
  EXPORTS.call(index);
}
