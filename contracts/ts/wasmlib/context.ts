// What a func or a view sees of the chain: its params, results, state,
// the log, events, panics — each a sandbox function of the host.

import { sandbox, stateDelete, stateExists, stateGet, stateSet, exportName } from "./host";
import {
  ScDict, panic, stringToBytes, stringFromBytes, boolFromBytes, boolToBytes,
  int64FromBytes, int64ToBytes, uint32FromBytes, uint32ToBytes, uint64FromBytes, uint64ToBytes,
} from "./codec";

export const FN_ACCOUNT_ID: i32 = -1;
export const FN_CALLER: i32 = -7;
export const FN_CHAIN_ID: i32 = -8;
export const FN_CONTRACT: i32 = -10;
export const FN_EVENT: i32 = -14;
export const FN_LOG: i32 = -15;
export const FN_PARAMS: i32 = -18;
export const FN_RESULTS: i32 = -23;
export const FN_TIMESTAMP: i32 = -26;

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
 * reads as the type's zero, as in the Rust crate. */
export class ScProxy {
  key: Uint8Array;
  constructor(public store: KvStore, key: string) {
    this.key = stringToBytes(key);
  }

  exists(): bool { return this.store.exists(this.key); }
  delete(): void { this.store.delete(this.key); }
  bytes(): Uint8Array { return this.store.get(this.key); }
  setBytes(value: Uint8Array): void { this.store.set(this.key, value); }
  bool(): bool { return boolFromBytes(this.bytes()); }
  setBool(value: bool): void { this.setBytes(boolToBytes(value)); }
  int64(): i64 { return int64FromBytes(this.bytes()); }
  setInt64(value: i64): void { this.setBytes(int64ToBytes(value)); }
  uint32(): u32 { return uint32FromBytes(this.bytes()); }
  setUint32(value: u32): void { this.setBytes(uint32ToBytes(value)); }
  uint64(): u64 { return uint64FromBytes(this.bytes()); }
  setUint64(value: u64): void { this.setBytes(uint64ToBytes(value)); }
  string(): string { return stringFromBytes(this.bytes()); }
  setString(value: string): void { this.setBytes(stringToBytes(value)); }
}

/** Keys of one store. */
export class ScProxies {
  constructor(public store: KvStore) {}
  get(key: string): ScProxy { return new ScProxy(this.store, key); }
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
  panic(text: string): void { panic(text); }
  /** Panics with `message` unless `condition` holds. */
  require(condition: bool, message: string): void {
    if (!condition) panic(message);
  }
  /** The contract's hname (4 bytes). */
  contract(): Uint8Array { return sandbox(FN_CONTRACT, new Uint8Array(0)); }
  /** The contract's agent id, as WasmLib encodes agent ids. */
  accountId(): Uint8Array { return sandbox(FN_ACCOUNT_ID, new Uint8Array(0)); }
  chainId(): Uint8Array { return sandbox(FN_CHAIN_ID, new Uint8Array(0)); }
  /** The block's time, in nanoseconds since 1970. */
  timestamp(): u64 { return uint64FromBytes(sandbox(FN_TIMESTAMP, new Uint8Array(0))); }

  /** Sends the results to the host, if there are any (done for every
   * entry point when it returns). */
  sendResults(): void {
    const dict = changetype<ScDictStore>(this.results.store).dict;
    if (dict.keys.length > 0) sandbox(FN_RESULTS, dict.toBytes());
  }
}

/** What a func may do besides: write state, emit events, know its caller. */
export class ScFuncContext extends ScViewContext {
  /** The caller's agent id, as WasmLib encodes agent ids. */
  caller(): Uint8Array { return sandbox(FN_CALLER, new Uint8Array(0)); }
  /** Emits an event (its text as WasmLib encodes a string). */
  event(text: string): void { sandbox(FN_EVENT, stringToBytes(text)); }
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
