// Tokens as WasmLib moves them: base tokens, native tokens (big-integer
// amounts) and NFTs, in the Rust crate's encoding of `ScAssets` — a bool
// "empty", then the base tokens, the native tokens in token-id order and
// the NFT ids, counts and amounts as variable-length integers.

import { panic, uint64FromBytes, uint64ToBytes, WasmDecoder, WasmEncoder } from "./codec";
import { sameBytes, ScNftID, ScTokenID, SC_NFT_ID_LENGTH, SC_TOKEN_ID_LENGTH } from "./types";

/** An unsigned integer of any size, kept as little-endian bytes without
 * trailing zeroes (the crate's form: zero is no bytes). */
export class ScBigInt {
  constructor(public bytes: Uint8Array = new Uint8Array(0)) {}

  static fromUint64(value: u64): ScBigInt {
    return ScBigInt.normalize(uint64ToBytes(value));
  }

  /** From its external (big-endian) bytes. */
  static fromBytes(bytes: Uint8Array): ScBigInt {
    return new ScBigInt(bytes.slice(0).reverse());
  }

  private static normalize(bytes: Uint8Array): ScBigInt {
    let size = bytes.length;
    while (size > 0 && bytes[size - 1] == 0) size--;
    return new ScBigInt(bytes.slice(0, size));
  }

  /** Its external (big-endian) bytes. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0).reverse();
  }

  isZero(): bool { return this.bytes.length == 0; }
  isUint64(): bool { return this.bytes.length <= 8; }

  uint64(): u64 {
    if (this.bytes.length > 8) panic("value exceeds Uint64");
    const full = new Uint8Array(8);
    full.set(this.bytes, 0);
    return uint64FromBytes(full);
  }

  /** Decimal digits. */
  toString(): string {
    if (this.isUint64()) return this.uint64().toString();
    // Long division by ten, most significant byte first.
    const digits: Array<i32> = [];
    let value = this.bytes.slice(0);
    while (value.length > 0) {
      let rest: u32 = 0;
      for (let i = value.length - 1; i >= 0; i--) {
        const cur = (rest << 8) | <u32>value[i];
        value[i] = <u8>(cur / 10);
        rest = cur % 10;
      }
      digits.push(<i32>rest);
      value = ScBigInt.normalize(value).bytes;
    }
    let out = "";
    for (let i = digits.length - 1; i >= 0; i--) out += digits[i].toString();
    return out;
  }
}

/** What an account holds, or what a transfer moves. (The crate keeps
 * NFT ids in a hash set, in no fixed order; here they keep the order
 * they came in.) */
export class ScBalances {
  baseTokens: u64 = 0;
  /** Native tokens, ordered by id as the crate's map orders them. */
  tokenIds: Array<ScTokenID> = [];
  amounts: Array<ScBigInt> = [];
  nftIds: Array<ScNftID> = [];

  static fromBytes(bytes: Uint8Array): ScBalances {
    const balances = new ScBalances();
    if (bytes.length == 0) return balances;
    const dec = new WasmDecoder(bytes);
    // "Empty" as the crate reads a bool here: any byte but 0 is true.
    if (dec.byte() != 0) return balances;
    balances.baseTokens = dec.vluDecode(64);
    const tokens = <i32>dec.vluDecode(16);
    for (let i = 0; i < tokens; i++) {
      const id = ScTokenID.fromBytes(dec.fixedBytes(SC_TOKEN_ID_LENGTH));
      balances.setToken(id, new ScBigInt(dec.bytes()));
    }
    const nfts = <i32>dec.vluDecode(16);
    for (let i = 0; i < nfts; i++) balances.addNft(ScNftID.fromBytes(dec.fixedBytes(SC_NFT_ID_LENGTH)));
    dec.close();
    return balances;
  }

  /** The amount of `token`; zero when there is none. */
  balance(token: ScTokenID): ScBigInt {
    for (let i = 0; i < this.tokenIds.length; i++) {
      if (this.tokenIds[i].equals(token)) return this.amounts[i];
    }
    return new ScBigInt();
  }

  isEmpty(): bool {
    if (this.baseTokens != 0) return false;
    for (let i = 0; i < this.amounts.length; i++) if (!this.amounts[i].isZero()) return false;
    return this.nftIds.length == 0;
  }

  protected setToken(token: ScTokenID, amount: ScBigInt): void {
    let at = 0;
    while (at < this.tokenIds.length && compareIds(this.tokenIds[at].id, token.id) < 0) at++;
    if (at < this.tokenIds.length && this.tokenIds[at].equals(token)) {
      this.amounts[at] = amount;
      return;
    }
    // Inserted at `at`, keeping the ids in order.
    this.tokenIds.push(token);
    this.amounts.push(amount);
    for (let i = this.tokenIds.length - 1; i > at; i--) {
      this.tokenIds[i] = this.tokenIds[i - 1];
      this.amounts[i] = this.amounts[i - 1];
    }
    this.tokenIds[at] = token;
    this.amounts[at] = amount;
  }

  protected addNft(nft: ScNftID): void {
    for (let i = 0; i < this.nftIds.length; i++) if (this.nftIds[i].equals(nft)) return;
    this.nftIds.push(nft);
  }

  toBytes(): Uint8Array {
    const enc = new WasmEncoder();
    const empty = this.isEmpty();
    enc.byte(empty ? 1 : 0);
    if (empty) return enc.toBytes();
    enc.vluEncode(this.baseTokens);
    enc.vluEncode(<u64>this.tokenIds.length);
    for (let i = 0; i < this.tokenIds.length; i++) {
      enc.fixedBytes(this.tokenIds[i].id, SC_TOKEN_ID_LENGTH);
      enc.bytes(this.amounts[i].bytes);
    }
    enc.vluEncode(<u64>this.nftIds.length);
    for (let i = 0; i < this.nftIds.length; i++) enc.fixedBytes(this.nftIds[i].id, SC_NFT_ID_LENGTH);
    return enc.toBytes();
  }
}

function compareIds(a: Uint8Array, b: Uint8Array): i32 {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] != b[i]) return <i32>a[i] - <i32>b[i];
  }
  return a.length - b.length;
}

/** Assets to move: to another account, with a call, or with a request. */
export class ScTransfer extends ScBalances {
  static baseTokens(amount: u64): ScTransfer {
    const transfer = new ScTransfer();
    transfer.baseTokens = amount;
    return transfer;
  }

  /** Everything in `balances` (an allowance, say). */
  static fromBalances(balances: ScBalances): ScTransfer {
    const transfer = ScTransfer.baseTokens(balances.baseTokens);
    for (let i = 0; i < balances.tokenIds.length; i++) transfer.set(balances.tokenIds[i], balances.amounts[i]);
    for (let i = 0; i < balances.nftIds.length; i++) transfer.addNft(balances.nftIds[i]);
    return transfer;
  }

  static tokens(token: ScTokenID, amount: ScBigInt): ScTransfer {
    const transfer = new ScTransfer();
    transfer.set(token, amount);
    return transfer;
  }

  static nft(nft: ScNftID): ScTransfer {
    const transfer = new ScTransfer();
    transfer.addNft(nft);
    return transfer;
  }

  set(token: ScTokenID, amount: ScBigInt): void { this.setToken(token, amount); }
  add(nft: ScNftID): void { this.addNft(nft); }
}

