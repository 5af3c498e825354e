// What a func or a view sees of the chain: its params, results, state,
// the log, events, panics — each a sandbox function of the host.

import { sandbox, stateDelete, stateExists, stateGet, stateSet, exportName } from "./host";
import {
  ScDict, WasmDecoder, WasmEncoder, panic, stringToBytes, stringFromBytes, boolFromBytes, boolToBytes,
  int8FromBytes, int8ToBytes, int16FromBytes, int16ToBytes, int32FromBytes, int32ToBytes,
  int64FromBytes, int64ToBytes, uint8FromBytes, uint8ToBytes, uint16FromBytes, uint16ToBytes,
  uint32FromBytes, uint32ToBytes, uint64FromBytes, uint64ToBytes,
} from "./codec";
import { ScBalances, ScBigInt, ScTransfer } from "./assets";
import {
  ScAddress, ScAgentID, ScChainID, ScHash, ScHname, ScNftID, ScRequestID, ScTokenID,
  SC_ADDRESS_LENGTH, SC_CHAIN_ID_LENGTH, SC_HASH_LENGTH, SC_HNAME_LENGTH,
} from "./types";

export const FN_ACCOUNT_ID: i32 = -1;
export const FN_ALLOWANCE: i32 = -2;
export const FN_BALANCE: i32 = -3;
export const FN_BALANCES: i32 = -4;
export const FN_CALL: i32 = -6;
export const FN_CALLER: i32 = -7;
export const FN_CHAIN_ID: i32 = -8;
export const FN_CHAIN_OWNER_ID: i32 = -9;
export const FN_CONTRACT: i32 = -10;
export const FN_DEPLOY_CONTRACT: i32 = -11;
export const FN_ENTROPY: i32 = -12;
export const FN_EVENT: i32 = -14;
export const FN_LOG: i32 = -15;
export const FN_PARAMS: i32 = -18;
export const FN_POST: i32 = -19;
export const FN_REQUEST_ID: i32 = -21;
export const FN_REQUEST_SENDER: i32 = -22;
export const FN_RESULTS: i32 = -23;
export const FN_SEND: i32 = -24;
export const FN_TIMESTAMP: i32 = -26;
export const FN_TRACE: i32 = -27;
export const FN_TRANSFER_ALLOWED: i32 = -28;
export const FN_UTILS_HASH_BLAKE2B: i32 = -36;
export const FN_UTILS_HASH_SHA3: i32 = -38;

/** Where a proxy's bytes live: a dict (params, results) or the state. */
export abstract class KvStore {
  abstract exists(key: Uint8Array): bool;
  abstract get(key: Uint8Array): Uint8Array;
  abstract set(key: Uint8Array, value: Uint8Array): void;
  abstract delete(key: Uint8Array): void;
}

/** The contract's own state (the host keeps it under the contract's hname). */
export class ScState extends KvStore {
  exists(key: Uint8Array): bool { return stateExists(key); }
  get(key: Uint8Array): Uint8Array { return stateGet(key); }
  set(key: Uint8Array, value: Uint8Array): void { stateSet(key, value); }
  delete(key: Uint8Array): void { stateDelete(key); }
}

/** A dict as a store: a call's params, a call's results. */
export class ScDictStore extends KvStore {
  constructor(public dict: ScDict) { super(); }
  exists(key: Uint8Array): bool { return this.dict.exists(key); }
  get(key: Uint8Array): Uint8Array { return this.dict.get(key); }
  set(key: Uint8Array, value: Uint8Array): void { this.dict.set(key, value); }
  delete(key: Uint8Array): void { this.dict.delete(key); }
}

/** One key of a store, read and written as a WasmLib type. A missing key
 * reads as the type's zero, as in the Rust crate. Maps and arrays are
 * keys below it, named as the crate names them: a map's item is the key,
 * `.`, the item's key bytes; an array's element the key, `#`, the index
 * (a variable-length integer), and the array's length is kept at the key
 * itself. */
export class ScProxy {
  constructor(public store: KvStore, public path: Uint8Array) {}

  private sub(separator: u8, key: Uint8Array): ScProxy {
    if (this.path.length == 0) return new ScProxy(this.store, key.slice(0));
    const out = new Uint8Array(this.path.length + 1 + key.length);
    out.set(this.path, 0);
    out[this.path.length] = separator;
    out.set(key, this.path.length + 1);
    return new ScProxy(this.store, out);
  }

  /** The map item at `key` (its bytes: `agent.toBytes()`, a string's…). */
  key(key: Uint8Array): ScProxy { return this.sub(0x2e, key); }
  /** The map item at a string key. */
  item(key: string): ScProxy { return this.key(stringToBytes(key)); }

  /** How many elements the array has. */
  length(): u32 {
    const bytes = this.bytes();
    if (bytes.length == 0) return 0;
    const dec = new WasmDecoder(bytes);
    const length = <u32>dec.vluDecode(32);
    dec.close();
    return length;
  }

  private element(index: u32): ScProxy {
    return this.sub(0x23, new WasmEncoder().vluEncode(<u64>index).toBytes());
  }

  /** The array's element `index`; past the end is a panic. */
  index(index: u32): ScProxy {
    const size = this.length();
    if (index >= size) {
      if (index == size) panic("invalid index: use append");
      panic("invalid index");
    }
    return this.element(index);
  }

  /** A new element at the array's end. */
  append(): ScProxy {
    const length = this.length();
    this.setBytes(new WasmEncoder().vluEncode(<u64>length + 1).toBytes());
    return this.element(length);
  }

  /** Deletes every element, then the length. */
  clearArray(): void {
    let length = this.length();
    while (length != 0) {
      length--;
      this.element(length).delete();
    }
    this.delete();
  }

  exists(): bool { return this.store.exists(this.path); }
  delete(): void { this.store.delete(this.path); }
  bytes(): Uint8Array { return this.store.get(this.path); }
  setBytes(value: Uint8Array): void { this.store.set(this.path, value); }
  bool(): bool { return boolFromBytes(this.bytes()); }
  setBool(value: bool): void { this.setBytes(boolToBytes(value)); }
  int8(): i8 { return int8FromBytes(this.bytes()); }
  setInt8(value: i8): void { this.setBytes(int8ToBytes(value)); }
  int16(): i16 { return int16FromBytes(this.bytes()); }
  setInt16(value: i16): void { this.setBytes(int16ToBytes(value)); }
  int32(): i32 { return int32FromBytes(this.bytes()); }
  setInt32(value: i32): void { this.setBytes(int32ToBytes(value)); }
  int64(): i64 { return int64FromBytes(this.bytes()); }
  setInt64(value: i64): void { this.setBytes(int64ToBytes(value)); }
  uint8(): u8 { return uint8FromBytes(this.bytes()); }
  setUint8(value: u8): void { this.setBytes(uint8ToBytes(value)); }
  uint16(): u16 { return uint16FromBytes(this.bytes()); }
  setUint16(value: u16): void { this.setBytes(uint16ToBytes(value)); }
  uint32(): u32 { return uint32FromBytes(this.bytes()); }
  setUint32(value: u32): void { this.setBytes(uint32ToBytes(value)); }
  uint64(): u64 { return uint64FromBytes(this.bytes()); }
  setUint64(value: u64): void { this.setBytes(uint64ToBytes(value)); }
  string(): string { return stringFromBytes(this.bytes()); }
  setString(value: string): void { this.setBytes(stringToBytes(value)); }
  address(): ScAddress { return ScAddress.fromBytes(this.bytes()); }
  setAddress(value: ScAddress): void { this.setBytes(value.toBytes()); }
  agentId(): ScAgentID { return ScAgentID.fromBytes(this.bytes()); }
  setAgentId(value: ScAgentID): void { this.setBytes(value.toBytes()); }
  bigInt(): ScBigInt { return ScBigInt.fromBytes(this.bytes()); }
  setBigInt(value: ScBigInt): void { this.setBytes(value.toBytes()); }
  chainId(): ScChainID { return ScChainID.fromBytes(this.bytes()); }
  setChainId(value: ScChainID): void { this.setBytes(value.toBytes()); }
  hash(): ScHash { return ScHash.fromBytes(this.bytes()); }
  setHash(value: ScHash): void { this.setBytes(value.toBytes()); }
  hname(): ScHname { return ScHname.fromBytes(this.bytes()); }
  setHname(value: ScHname): void { this.setBytes(value.toBytes()); }
  nftId(): ScNftID { return ScNftID.fromBytes(this.bytes()); }
  setNftId(value: ScNftID): void { this.setBytes(value.toBytes()); }
  requestId(): ScRequestID { return ScRequestID.fromBytes(this.bytes()); }
  setRequestId(value: ScRequestID): void { this.setBytes(value.toBytes()); }
  tokenId(): ScTokenID { return ScTokenID.fromBytes(this.bytes()); }
  setTokenId(value: ScTokenID): void { this.setBytes(value.toBytes()); }
}

/** Keys of one store. */
export class ScProxies {
  constructor(public store: KvStore) {}
  get(key: string): ScProxy { return new ScProxy(this.store, stringToBytes(key)); }
}

/** What a view may do: read, never write the state. */
export class ScViewContext {
  private paramsDict: ScDict | null = null;
  /** The results the call returns, sent to the host when it ends. */
  results: ScProxies = new ScProxies(new ScDictStore(new ScDict()));
  /** The contract's state (a view must not write it: the host refuses). */
  state: ScProxies = new ScProxies(new ScState());

  /** The call's params. */
  get params(): ScProxies {
    let dict = this.paramsDict;
    if (dict == null) {
      dict = ScDict.fromBytes(sandbox(FN_PARAMS, new Uint8Array(0)));
      this.paramsDict = dict;
    }
    return new ScProxies(new ScDictStore(dict));
  }

  log(text: string): void { sandbox(FN_LOG, stringToBytes(text)); }
  trace(text: string): void { sandbox(FN_TRACE, stringToBytes(text)); }
  panic(text: string): void { panic(text); }
  /** Panics with `message` unless `condition` holds. */
  require(condition: bool, message: string): void {
    if (!condition) panic(message);
  }

  /** This contract's hname. */
  contract(): ScHname { return ScHname.fromBytes(sandbox(FN_CONTRACT, none())); }
  /** This contract's agent id: its account on the chain. */
  accountId(): ScAgentID { return ScAgentID.fromBytes(sandbox(FN_ACCOUNT_ID, none())); }
  currentChainId(): ScChainID { return ScChainID.fromBytes(sandbox(FN_CHAIN_ID, none())); }
  chainOwnerId(): ScAgentID { return ScAgentID.fromBytes(sandbox(FN_CHAIN_OWNER_ID, none())); }
  /** The block's time, in nanoseconds since 1970. */
  timestamp(): u64 { return uint64FromBytes(sandbox(FN_TIMESTAMP, none())); }
  /** What this contract's account holds. */
  balances(): ScBalances { return ScBalances.fromBytes(sandbox(FN_BALANCES, none())); }
  /** How much of native token `token` this contract's account holds. */
  balance(token: ScTokenID): u64 { return uint64FromBytes(sandbox(FN_BALANCE, token.toBytes())); }

  /** Calls `function` of `contract` on this chain, synchronously, and
   * returns its results. (A view may only call views.) */
  call(contract: ScHname, fn: ScHname, params: ScDict | null = null): ScDict {
    return callWith(contract, fn, params, null);
  }

  utility(): ScUtility { return new ScUtility(); }

  /** Sends the results to the host, if there are any (done for every
   * entry point when it returns). */
  sendResults(): void {
    const dict = changetype<ScDictStore>(this.results.store).dict;
    if (dict.keys.length > 0) sandbox(FN_RESULTS, dict.toBytes());
  }
}

/** WasmLib's `CallRequest`: an empty params dict or allowance is encoded
 * as four zero bytes, as the crate does. */
function callWith(contract: ScHname, fn: ScHname, params: ScDict | null, allowance: ScTransfer | null): ScDict {
  const enc = new WasmEncoder();
  enc.bytes(allowance == null ? new Uint8Array(4) : allowance.toBytes());
  enc.fixedBytes(contract.toBytes(), SC_HNAME_LENGTH);
  enc.fixedBytes(fn.toBytes(), SC_HNAME_LENGTH);
  enc.bytes(params == null ? new Uint8Array(4) : params.toBytes());
  return ScDict.fromBytes(sandbox(FN_CALL, enc.toBytes()));
}

function none(): Uint8Array {
  return new Uint8Array(0);
}

// `random`'s entropy: the request's, then its blake2b hash, 8 bytes a draw.
let randomPool: Uint8Array = new Uint8Array(0);
let randomOffset: i32 = 0;

/** What a func may do besides: write state, emit events, know its caller
 * and what it was given, move tokens, call and post. */
export class ScFuncContext extends ScViewContext {
  /** Who called: the request's sender, or the calling contract. */
  caller(): ScAgentID { return ScAgentID.fromBytes(sandbox(FN_CALLER, none())); }
  /** Who sent the request. */
  requestSender(): ScAgentID { return ScAgentID.fromBytes(sandbox(FN_REQUEST_SENDER, none())); }
  requestId(): ScRequestID { return ScRequestID.fromBytes(sandbox(FN_REQUEST_ID, none())); }
  /** What the caller allows this contract to take. */
  allowance(): ScBalances { return ScBalances.fromBytes(sandbox(FN_ALLOWANCE, none())); }
  /** The request's entropy: the same for every node, unknown before. */
  entropy(): ScHash { return ScHash.fromBytes(sandbox(FN_ENTROPY, none())); }
  /** Emits an event's text (an `EventEncoder` writes one). */
  event(text: string): void { sandbox(FN_EVENT, stringToBytes(text)); }

  /** A deterministic draw in [0, max), from the request's entropy. */
  random(max: u64): u64 {
    if (max == 0) panic("random: max parameter should be > 0");
    if (randomPool.length == 0) {
      randomPool = this.entropy().toBytes();
      randomOffset = 0;
    }
    if (randomOffset == 32) {
      randomPool = this.utility().hashBlake2b(randomPool).toBytes();
      randomOffset = 0;
    }
    const draw = uint64FromBytes(randomPool.slice(randomOffset, randomOffset + 8)) % max;
    randomOffset += 8;
    return draw;
  }

  /** Calls `function` of `contract`, letting it take `allowance`. */
  callWithAllowance(contract: ScHname, fn: ScHname, params: ScDict | null, allowance: ScTransfer | null): ScDict {
    return callWith(contract, fn, params, allowance);
  }

  /** Posts a request to `function` of `contract` on `chain`, to run
   * `delay` seconds from now, carrying `transfer` and letting the target
   * take `allowance` of it (WasmLib's `PostRequest`). */
  post(chain: ScChainID, contract: ScHname, fn: ScHname, params: ScDict, allowance: ScTransfer, transfer: ScTransfer, delay: u32): void {
    const enc = new WasmEncoder();
    enc.bytes(allowance.toBytes());
    enc.fixedBytes(chain.toBytes(), SC_CHAIN_ID_LENGTH);
    enc.fixedBytes(contract.toBytes(), SC_HNAME_LENGTH);
    enc.vluEncode(<u64>delay);
    enc.fixedBytes(fn.toBytes(), SC_HNAME_LENGTH);
    enc.bytes(params.toBytes());
    enc.bytes(transfer.toBytes());
    sandbox(FN_POST, enc.toBytes());
  }

  /** Deploys the program stored as blob `programHash` as contract
   * `name`, running its `init` with `params` (WasmLib's `DeployRequest`). */
  deployContract(programHash: ScHash, name: string, description: string, params: ScDict | null = null): void {
    const enc = new WasmEncoder();
    enc.bytes(stringToBytes(description));
    enc.bytes(stringToBytes(name));
    enc.bytes(params == null ? new Uint8Array(4) : params.toBytes());
    enc.fixedBytes(programHash.toBytes(), SC_HASH_LENGTH);
    sandbox(FN_DEPLOY_CONTRACT, enc.toBytes());
  }

  /** Moves `transfer` from what the caller allowed to `agent`'s account. */
  transferAllowed(agent: ScAgentID, transfer: ScTransfer): void {
    if (transfer.isEmpty()) return;
    const enc = new WasmEncoder();
    enc.bytes(agent.toBytes());
    enc.bytes(transfer.toBytes());
    sandbox(FN_TRANSFER_ALLOWED, enc.toBytes());
  }

  /** Sends `transfer` from this contract's account to an L1 address. */
  send(address: ScAddress, transfer: ScTransfer): void {
    if (transfer.isEmpty()) return;
    const enc = new WasmEncoder();
    enc.fixedBytes(address.id, SC_ADDRESS_LENGTH);
    enc.bytes(transfer.toBytes());
    sandbox(FN_SEND, enc.toBytes());
  }
}

/** The host's hashing and address helpers. */
export class ScUtility {
  hashBlake2b(value: Uint8Array): ScHash { return ScHash.fromBytes(sandbox(FN_UTILS_HASH_BLAKE2B, value)); }
  hashSha3(value: Uint8Array): ScHash { return ScHash.fromBytes(sandbox(FN_UTILS_HASH_SHA3, value)); }
  hashName(name: string): ScHname { return ScHname.fromName(name); }
  bech32Encode(address: ScAddress): string { return address.toString(); }
  bech32Decode(text: string): ScAddress { return ScAddress.fromString(text); }
}

/** An event's text as WasmLib writes it: the name, the block's time in
 * seconds, then each value, joined by `|` (with `~` → `~~`, `|` → `~/`,
 * a space → `~_`). */
export class EventEncoder {
  private text: string;
  constructor(name: string) {
    this.text = name;
    const seconds = uint64FromBytes(sandbox(FN_TIMESTAMP, none())) / 1_000_000_000;
    this.encode(seconds.toString());
  }

  encode(value: string): EventEncoder {
    this.text += "|" + value.replaceAll("~", "~~").replaceAll("|", "~/").replaceAll(" ", "~_");
    return this;
  }

  emit(): void { sandbox(FN_EVENT, stringToBytes(this.text)); }
}

export type Func = (ctx: ScFuncContext) => void;
export type View = (ctx: ScViewContext) => void;

/** A contract's entry points: funcs at 0, 1, …, views at 0x8000, 0x8001, …
 * — the numbering of the Rust crate's `ScExportMap`. */
export class ScExports {
  constructor(
    public funcNames: Array<string>,
    public funcs: Array<Func>,
    public viewNames: Array<string>,
    public views: Array<View>,
  ) {}

  /** `on_load`: tells the host the entry points and the language. */
  load(): void {
    exportName(-1, "WASM::TYPESCRIPT");
    for (let i = 0; i < this.funcs.length; i++) exportName(i, this.funcNames[i]);
    for (let i = 0; i < this.views.length; i++) exportName(i | 0x8000, this.viewNames[i]);
  }

  /** `on_call`: runs entry point `index`, then sends its results. */
  call(index: i32): void {
    if (index == -1) {
      this.load();
      return;
    }
    if ((index & 0x8000) == 0) {
      if (index >= this.funcs.length) panic("invalid entry point index");
      const ctx = new ScFuncContext();
      this.funcs[index](ctx);
      ctx.sendResults();
      return;
    }
    const view = index & 0x7fff;
    if (view >= this.views.length) panic("invalid entry point index");
    const ctx = new ScViewContext();
    this.views[view](ctx);
    ctx.sendResults();
  }
}
