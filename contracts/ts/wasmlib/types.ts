// WasmLib's identifier types, encoded as the Rust crate (wasmlib 0.1.0)
// encodes them: addresses (a type byte, then the id), agent ids (a kind
// byte, then the address or the chain and the contract's hname), chain
// ids, hashes, hnames, token, NFT and request ids. Their texts are the
// crate's too: bech32 through the host, hex with `0x` for the rest.

import { sandbox } from "./host";
import {
  panic, concat, hexDecode, hexEncode, stringFromBytes, stringToBytes, uint32FromBytes, uint32ToBytes,
} from "./codec";

export const FN_UTILS_BECH32_DECODE: i32 = -29;
export const FN_UTILS_BECH32_ENCODE: i32 = -30;
export const FN_UTILS_HASH_NAME: i32 = -37;

export const SC_ADDRESS_ED25519: u8 = 0;
export const SC_ADDRESS_ALIAS: u8 = 8;
export const SC_ADDRESS_NFT: u8 = 16;
export const SC_ADDRESS_ETH: u8 = 32;
export const SC_ADDRESS_LENGTH: i32 = 33;
export const SC_ADDRESS_ETH_LENGTH: i32 = 21;

export const SC_AGENT_ID_NIL: u8 = 0;
export const SC_AGENT_ID_ADDRESS: u8 = 1;
export const SC_AGENT_ID_CONTRACT: u8 = 2;
export const SC_AGENT_ID_ETHEREUM: u8 = 3;

export const SC_CHAIN_ID_LENGTH: i32 = 32;
export const SC_HASH_LENGTH: i32 = 32;
export const SC_HNAME_LENGTH: i32 = 4;
export const SC_NFT_ID_LENGTH: i32 = 32;
export const SC_REQUEST_ID_LENGTH: i32 = 34;
export const SC_TOKEN_ID_LENGTH: i32 = 38;

/** A fixed-length id: empty bytes read as all zeroes, any other length
 * but `size` is a panic. */
function fixedId(bytes: Uint8Array, size: i32, name: string): Uint8Array {
  if (bytes.length == 0) return new Uint8Array(size);
  if (bytes.length != size) panic("invalid " + name + " length");
  return bytes.slice(0);
}

/** One byte as a byte array. */
function byte(value: u8): Uint8Array {
  const out = new Uint8Array(1);
  out[0] = value;
  return out;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** An L1 address: Ed25519, alias (a chain), NFT (33 bytes each), or an
 * Ethereum address (type 32 and 20 bytes). */
export class ScAddress {
  /** The type byte and the id, zero-padded to 33 bytes. */
  id: Uint8Array = new Uint8Array(SC_ADDRESS_LENGTH);

  static fromBytes(bytes: Uint8Array): ScAddress {
    const address = new ScAddress();
    if (bytes.length == 0) return address;
    const kind = bytes[0];
    if (kind == SC_ADDRESS_ALIAS) {
      if (bytes.length != SC_ADDRESS_LENGTH) panic("invalid Address length: Alias");
    } else if (kind == SC_ADDRESS_ED25519) {
      if (bytes.length != SC_ADDRESS_LENGTH) panic("invalid Address length: Ed25519");
    } else if (kind == SC_ADDRESS_NFT) {
      if (bytes.length != SC_ADDRESS_LENGTH) panic("invalid Address length: NFT");
    } else if (kind == SC_ADDRESS_ETH) {
      if (bytes.length != SC_ADDRESS_ETH_LENGTH) panic("invalid Address length: Eth");
    } else {
      panic("invalid Address type");
    }
    address.id.set(bytes, 0);
    return address;
  }

  /** A bech32 address of this network, or an Ethereum one as `0x` hex. */
  static fromString(value: string): ScAddress {
    if (value.startsWith("0x")) {
      return ScAddress.fromBytes(concat([byte(SC_ADDRESS_ETH), hexDecode(value)]));
    }
    return ScAddress.fromBytes(sandbox(FN_UTILS_BECH32_DECODE, stringToBytes(value)));
  }

  toBytes(): Uint8Array {
    const kind = this.id[0];
    if (kind == SC_ADDRESS_ETH) return this.id.slice(0, SC_ADDRESS_ETH_LENGTH);
    if (kind != SC_ADDRESS_ALIAS && kind != SC_ADDRESS_ED25519 && kind != SC_ADDRESS_NFT) {
      panic("unexpected Address type");
    }
    return this.id.slice(0);
  }

  toString(): string {
    if (this.id[0] == SC_ADDRESS_ETH) return hexEncode(this.id.slice(1, SC_ADDRESS_ETH_LENGTH));
    return stringFromBytes(sandbox(FN_UTILS_BECH32_ENCODE, this.toBytes()));
  }

  asAgentId(): ScAgentID {
    return ScAgentID.fromAddress(this);
  }

  equals(other: ScAddress): bool {
    return sameBytes(this.id, other.id);
  }
}

/** A contract's or a function's hashed name (4 bytes, little-endian). */
export class ScHname {
  constructor(public value: u32 = 0) {}

  /** The hname of `name`, as the host hashes it. */
  static fromName(name: string): ScHname {
    return ScHname.fromBytes(sandbox(FN_UTILS_HASH_NAME, stringToBytes(name)));
  }

  static fromBytes(bytes: Uint8Array): ScHname {
    if (bytes.length == 0) return new ScHname(0);
    if (bytes.length != SC_HNAME_LENGTH) panic("invalid Hname length");
    return new ScHname(uint32FromBytes(bytes));
  }

  /** Eight hex digits at most, no prefix. */
  static fromString(value: string): ScHname {
    if (value.length > 8) panic("invalid Hname string");
    let out: u32 = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i) | 0x20;
      let digit: u32 = 0;
      if (c >= 0x30 && c <= 0x39) digit = <u32>(c - 0x30);
      else if (c >= 0x61 && c <= 0x66) digit = <u32>(c - 0x61 + 10);
      else panic("invalid Hname string");
      out = (out << 4) | digit;
    }
    return new ScHname(out);
  }

  toBytes(): Uint8Array {
    return uint32ToBytes(this.value);
  }

  /** Eight lower-case hex digits. */
  toString(): string {
    const hex = "0123456789abcdef";
    let out = "";
    for (let i = 7; i >= 0; i--) out += hex.charAt(<i32>((this.value >> (<u32>(4 * i))) & 0xf));
    return out;
  }

  equals(other: ScHname): bool {
    return this.value == other.value;
  }
}

/** A chain's id: its alias address without the type byte (its text is
 * that address's). */
export class ScChainID extends ScFixedId {
  constructor(id: Uint8Array = new Uint8Array(SC_CHAIN_ID_LENGTH)) { super(id); }

  static fromBytes(bytes: Uint8Array): ScChainID {
    return new ScChainID(fixedId(bytes, SC_CHAIN_ID_LENGTH, "ChainID"));
  }

  static fromString(value: string): ScChainID {
    const address = ScAddress.fromString(value);
    if (address.id[0] != SC_ADDRESS_ALIAS) panic("invalid ChainID address type");
    return ScChainID.fromBytes(address.id.slice(1));
  }

  /** The chain's alias address. */
  address(): ScAddress {
    return ScAddress.fromBytes(concat([byte(SC_ADDRESS_ALIAS), this.id]));
  }

  toString(): string { return this.address().toString(); }
}

/** Who can hold tokens: an address, a contract on a chain, an Ethereum
 * account, or nobody (`-`). */
export class ScAgentID {
  constructor(
    public kind: u8 = SC_AGENT_ID_NIL,
    public address: ScAddress = new ScAddress(),
    public hname: ScHname = new ScHname(0),
  ) {}

  /** The contract `hname` on the chain of `address`. */
  static forContract(address: ScAddress, hname: ScHname): ScAgentID {
    return new ScAgentID(SC_AGENT_ID_CONTRACT, address, hname);
  }

  /** An alias address is a chain (hname 0), an Ethereum address an
   * Ethereum account, any other an L1 address. */
  static fromAddress(address: ScAddress): ScAgentID {
    const kind = address.id[0];
    if (kind == SC_ADDRESS_ALIAS) return new ScAgentID(SC_AGENT_ID_CONTRACT, address);
    if (kind == SC_ADDRESS_ETH) return new ScAgentID(SC_AGENT_ID_ETHEREUM, address);
    return new ScAgentID(SC_AGENT_ID_ADDRESS, address);
  }

  static fromBytes(bytes: Uint8Array): ScAgentID {
    if (bytes.length == 0) return new ScAgentID();
    const kind = bytes[0];
    const rest = bytes.slice(1);
    if (kind == SC_AGENT_ID_ADDRESS) {
      if (rest.length != SC_ADDRESS_LENGTH) panic("invalid AgentID length: address agentID");
      return ScAgentID.fromAddress(ScAddress.fromBytes(rest));
    }
    if (kind == SC_AGENT_ID_CONTRACT) {
      if (rest.length != SC_CHAIN_ID_LENGTH + SC_HNAME_LENGTH) panic("invalid AgentID length: contract agentID");
      const chain = ScChainID.fromBytes(rest.slice(0, SC_CHAIN_ID_LENGTH));
      return ScAgentID.forContract(chain.address(), ScHname.fromBytes(rest.slice(SC_CHAIN_ID_LENGTH)));
    }
    if (kind == SC_AGENT_ID_ETHEREUM) {
      if (rest.length != SC_ADDRESS_ETH_LENGTH) panic("invalid AgentID length: address agentID");
      return ScAgentID.fromAddress(ScAddress.fromBytes(rest));
    }
    if (kind != SC_AGENT_ID_NIL) panic("AgentIDFromBytes: invalid AgentID type");
    return new ScAgentID();
  }

  /** `-`, an address, or `hname@chain address`. */
  static fromString(value: string): ScAgentID {
    if (value == "-") return new ScAgentID();
    const parts = value.split("@");
    if (parts.length == 1) return ScAgentID.fromAddress(ScAddress.fromString(parts[0]));
    if (parts.length != 2) panic("invalid AgentID string");
    return ScAgentID.forContract(ScAddress.fromString(parts[1]), ScHname.fromString(parts[0]));
  }

  toBytes(): Uint8Array {
    const kind = this.kind;
    if (kind == SC_AGENT_ID_ADDRESS || kind == SC_AGENT_ID_ETHEREUM) {
      return concat([byte(kind), this.address.toBytes()]);
    }
    if (kind == SC_AGENT_ID_CONTRACT) {
      return concat([byte(kind), this.address.toBytes().slice(1), this.hname.toBytes()]);
    }
    if (kind != SC_AGENT_ID_NIL) panic("AgentIDToBytes: invalid AgentID type");
    return byte(kind);
  }

  toString(): string {
    const kind = this.kind;
    if (kind == SC_AGENT_ID_ADDRESS || kind == SC_AGENT_ID_ETHEREUM) return this.address.toString();
    if (kind == SC_AGENT_ID_CONTRACT) return this.hname.toString() + "@" + this.address.toString();
    if (kind != SC_AGENT_ID_NIL) panic("AgentIDToString: invalid AgentID type");
    return "-";
  }

  isAddress(): bool { return this.kind == SC_AGENT_ID_ADDRESS; }
  isContract(): bool { return this.kind == SC_AGENT_ID_CONTRACT; }
  equals(other: ScAgentID): bool {
    return this.kind == other.kind && this.address.equals(other.address) && this.hname.equals(other.hname);
  }
}

/** A fixed-length id, written and compared as its bytes, its text hex. */
export class ScFixedId {
  constructor(public id: Uint8Array) {}
  toBytes(): Uint8Array { return this.id.slice(0); }
  toString(): string { return hexEncode(this.id); }
  equals(other: ScFixedId): bool { return sameBytes(this.id, other.id); }
}

/** A 32-byte hash (blake2b, entropy, program hashes). */
export class ScHash extends ScFixedId {
  constructor(id: Uint8Array = new Uint8Array(SC_HASH_LENGTH)) { super(id); }
  static fromBytes(bytes: Uint8Array): ScHash { return new ScHash(fixedId(bytes, SC_HASH_LENGTH, "Hash")); }
  static fromString(value: string): ScHash { return ScHash.fromBytes(hexDecode(value)); }
}

/** A native token's id (38 bytes). */
export class ScTokenID extends ScFixedId {
  constructor(id: Uint8Array = new Uint8Array(SC_TOKEN_ID_LENGTH)) { super(id); }
  static fromBytes(bytes: Uint8Array): ScTokenID { return new ScTokenID(fixedId(bytes, SC_TOKEN_ID_LENGTH, "TokenID")); }
  static fromString(value: string): ScTokenID { return ScTokenID.fromBytes(hexDecode(value)); }
}

/** An NFT's id (32 bytes). */
export class ScNftID extends ScFixedId {
  constructor(id: Uint8Array = new Uint8Array(SC_NFT_ID_LENGTH)) { super(id); }
  static fromBytes(bytes: Uint8Array): ScNftID { return new ScNftID(fixedId(bytes, SC_NFT_ID_LENGTH, "NftID")); }
  static fromString(value: string): ScNftID { return ScNftID.fromBytes(hexDecode(value)); }
}

/** A request's id: a transaction id and a two-byte output index (< 128). */
export class ScRequestID extends ScFixedId {
  constructor(id: Uint8Array = new Uint8Array(SC_REQUEST_ID_LENGTH)) { super(id); }

  static fromBytes(bytes: Uint8Array): ScRequestID {
    const id = fixedId(bytes, SC_REQUEST_ID_LENGTH, "RequestID");
    if (id[SC_REQUEST_ID_LENGTH - 2] > 127 || id[SC_REQUEST_ID_LENGTH - 1] != 0) {
      panic("invalid RequestID: output index > 127");
    }
    return new ScRequestID(id);
  }

  static fromString(value: string): ScRequestID { return ScRequestID.fromBytes(hexDecode(value)); }
}
