// WasmLib's byte encodings, as the Rust crate (wasmlib 0.1.0) writes
// them: integers little-endian at their full width, bool one byte,
// strings UTF-8, and dicts as a u32 item count followed by, for each item
// in key order, a u16 key length, the key, a u32 value length, the value.

import { sandbox } from "./host";

export const FN_PANIC: i32 = -17;

/** Stops the call with `message` (the request fails, its changes undone). */
export function panic(message: string): void {
  sandbox(FN_PANIC, stringToBytes(message));
  // The host never returns from a panic; this keeps the compiler sure.
  unreachable();
}

export function stringToBytes(value: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(value));
}

export function stringFromBytes(bytes: Uint8Array): string {
  return String.UTF8.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Little-endian, `width` bytes of `value`. */
function uintToBytes(value: u64, width: i32): Uint8Array {
  const out = new Uint8Array(width);
  for (let i = 0; i < width; i++) {
    out[i] = <u8>(value >> (<u64>(8 * i)));
  }
  return out;
}

/** `bytes` as a little-endian integer of `width` bytes: 0 when empty, a
 * panic for any other length (as the Rust crate). */
function uintFromBytes(bytes: Uint8Array, width: i32, name: string): u64 {
  if (bytes.length == 0) return 0;
  if (bytes.length != width) panic("invalid " + name + " length");
  let value: u64 = 0;
  for (let i = width - 1; i >= 0; i--) {
    value = (value << 8) | <u64>bytes[i];
  }
  return value;
}

export function boolToBytes(value: bool): Uint8Array {
  return uintToBytes(value ? 1 : 0, 1);
}

export function boolFromBytes(bytes: Uint8Array): bool {
  if (bytes.length == 0) return false;
  if (bytes.length != 1) panic("invalid Bool length");
  if (bytes[0] > 1) panic("invalid Bool value");
  return bytes[0] == 1;
}

export function int8ToBytes(value: i8): Uint8Array { return uintToBytes(<u64>value, 1); }
export function int8FromBytes(bytes: Uint8Array): i8 { return <i8>uintFromBytes(bytes, 1, "Int8"); }
export function int16ToBytes(value: i16): Uint8Array { return uintToBytes(<u64>value, 2); }
export function int16FromBytes(bytes: Uint8Array): i16 { return <i16>uintFromBytes(bytes, 2, "Int16"); }
export function int32ToBytes(value: i32): Uint8Array { return uintToBytes(<u64>value, 4); }
export function int32FromBytes(bytes: Uint8Array): i32 { return <i32>uintFromBytes(bytes, 4, "Int32"); }
export function int64ToBytes(value: i64): Uint8Array { return uintToBytes(<u64>value, 8); }
export function int64FromBytes(bytes: Uint8Array): i64 { return <i64>uintFromBytes(bytes, 8, "Int64"); }
export function uint8ToBytes(value: u8): Uint8Array { return uintToBytes(<u64>value, 1); }
export function uint8FromBytes(bytes: Uint8Array): u8 { return <u8>uintFromBytes(bytes, 1, "Uint8"); }
export function uint16ToBytes(value: u16): Uint8Array { return uintToBytes(<u64>value, 2); }
export function uint16FromBytes(bytes: Uint8Array): u16 { return <u16>uintFromBytes(bytes, 2, "Uint16"); }
export function uint32ToBytes(value: u32): Uint8Array { return uintToBytes(<u64>value, 4); }
export function uint32FromBytes(bytes: Uint8Array): u32 { return <u32>uintFromBytes(bytes, 4, "Uint32"); }
export function uint64ToBytes(value: u64): Uint8Array { return uintToBytes(value, 8); }
export function uint64FromBytes(bytes: Uint8Array): u64 { return uintFromBytes(bytes, 8, "Uint64"); }

/** Byte arrays compared as the Rust crate's BTreeMap orders its keys. */
function compare(a: Uint8Array, b: Uint8Array): i32 {
  const common = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < common; i++) {
    if (a[i] != b[i]) return <i32>a[i] - <i32>b[i];
  }
  return a.length - b.length;
}

/** A key/value store in WasmLib's dict encoding: params, results, and the
 * data of events and requests. */
export class ScDict {
  keys: Array<Uint8Array> = [];
  values: Array<Uint8Array> = [];

  static fromBytes(bytes: Uint8Array): ScDict {
    const dict = new ScDict();
    if (bytes.length == 0) return dict;
    const dec = new WasmDecoder(bytes);
    const count = uint32FromBytes(dec.fixedBytes(4));
    for (let i: u32 = 0; i < count; i++) {
      const key = dec.fixedBytes(<i32>uint16FromBytes(dec.fixedBytes(2)));
      const value = dec.fixedBytes(<i32>uint32FromBytes(dec.fixedBytes(4)));
      dict.set(key, value);
    }
    dec.close();
    return dict;
  }

  private find(key: Uint8Array): i32 {
    for (let i = 0; i < this.keys.length; i++) {
      if (compare(this.keys[i], key) == 0) return i;
    }
    return -1;
  }

  exists(key: Uint8Array): bool {
    return this.find(key) >= 0;
  }

  /** The value at `key`; empty when there is none. */
  get(key: Uint8Array): Uint8Array {
    const i = this.find(key);
    return i < 0 ? new Uint8Array(0) : this.values[i];
  }

  set(key: Uint8Array, value: Uint8Array): void {
    const i = this.find(key);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    // Kept in key order, so the bytes are the Rust crate's.
    this.keys.push(key);
    this.values.push(value);
    let at = this.keys.length - 1;
    while (at > 0 && compare(this.keys[at - 1], key) > 0) {
      this.keys[at] = this.keys[at - 1];
      this.values[at] = this.values[at - 1];
      at--;
    }
    this.keys[at] = key;
    this.values[at] = value;
  }

  delete(key: Uint8Array): void {
    const i = this.find(key);
    if (i < 0) return;
    this.keys.splice(i, 1);
    this.values.splice(i, 1);
  }

  toBytes(): Uint8Array {
    let size = 4;
    for (let i = 0; i < this.keys.length; i++) {
      size += 2 + this.keys[i].length + 4 + this.values[i].length;
    }
    const out = new Uint8Array(size);
    let at = 0;
    const put = (part: Uint8Array, out: Uint8Array, at: i32): i32 => {
      out.set(part, at);
      return at + part.length;
    };
    at = put(uint32ToBytes(<u32>this.keys.length), out, at);
    for (let i = 0; i < this.keys.length; i++) {
      at = put(uint16ToBytes(<u16>this.keys[i].length), out, at);
      at = put(this.keys[i], out, at);
      at = put(uint32ToBytes(<u32>this.values[i].length), out, at);
      at = put(this.values[i], out, at);
    }
    return out;
  }
}

/** Reads WasmLib's struct encoding (the Rust crate's `WasmDecoder`):
 * fixed-size pieces, variable-length unsigned integers, and byte strings
 * prefixed with their length as one; each misread a panic. */
export class WasmDecoder {
  at: i32 = 0;
  constructor(public buf: Uint8Array) {
    if (buf.length == 0) panic("empty decode buffer");
  }

  byte(): u8 {
    if (this.at >= this.buf.length) panic("insufficient bytes");
    return this.buf[this.at++];
  }

  fixedBytes(size: i32): Uint8Array {
    if (size < 0 || this.at + size > this.buf.length) panic("insufficient fixed bytes");
    const out = this.buf.slice(this.at, this.at + size);
    this.at += size;
    return out;
  }

  /** A length (as `vluDecode(32)`), then that many bytes. */
  bytes(): Uint8Array {
    return this.fixedBytes(<i32>this.vluDecode(32));
  }

  /** An unsigned integer, 7 bits per byte, low bits first; more than
   * `bits` bits is a panic. */
  vluDecode(bits: i32): u64 {
    let b = this.byte();
    let value = <u64>(b & 0x7f);
    let s = 7;
    while ((b & 0x80) != 0) {
      if (s >= bits) panic("integer representation too long");
      b = this.byte();
      value |= (<u64>(b & 0x7f)) << (<u64>s);
      s += 7;
    }
    return value;
  }

  /** Everything must have been read. */
  close(): void {
    if (this.at != this.buf.length) panic("extra bytes");
  }
}

/** Writes WasmLib's struct encoding (the Rust crate's `WasmEncoder`). */
export class WasmEncoder {
  buf: Array<u8> = [];

  byte(value: u8): WasmEncoder {
    this.buf.push(value);
    return this;
  }

  /** Exactly `length` bytes; any other length is a panic. */
  fixedBytes(value: Uint8Array, length: i32): WasmEncoder {
    if (value.length != length) {
      panic("invalid fixed bytes length (" + length.toString() + "), found " + value.length.toString());
    }
    for (let i = 0; i < value.length; i++) this.buf.push(value[i]);
    return this;
  }

  /** The length as a variable-length integer, then the bytes. */
  bytes(value: Uint8Array): WasmEncoder {
    this.vluEncode(<u64>value.length);
    return this.fixedBytes(value, value.length);
  }

  vluEncode(value: u64): WasmEncoder {
    let b = <u8>value;
    value >>= 7;
    while (value != 0) {
      this.buf.push(b | 0x80);
      b = <u8>value;
      value >>= 7;
    }
    this.buf.push(b);
    return this;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.buf.length);
    for (let i = 0; i < this.buf.length; i++) out[i] = this.buf[i];
    return out;
  }
}

const HEX_DIGITS = "0123456789abcdef";

/** `0x` and two lower-case hex digits per byte. */
export function hexEncode(bytes: Uint8Array): string {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) {
    out += HEX_DIGITS.charAt(bytes[i] >> 4) + HEX_DIGITS.charAt(bytes[i] & 0xf);
  }
  return out;
}

function hexDigit(c: i32): u8 {
  if (c >= 0x30 && c <= 0x39) return <u8>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <u8>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <u8>(c - 0x41 + 10);
  panic("invalid hex digit");
  return 0;
}

/** The bytes of a `0x`-prefixed hex string. */
export function hexDecode(value: string): Uint8Array {
  if (value.length < 2 || value.charCodeAt(0) != 0x30 || (value.charCodeAt(1) | 0x20) != 0x78) {
    panic("hex string missing 0x prefix");
  }
  const digits = value.length - 2;
  if ((digits & 1) != 0) panic("odd hex string length");
  const out = new Uint8Array(digits / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = (hexDigit(value.charCodeAt(i * 2 + 2)) << 4) | hexDigit(value.charCodeAt(i * 2 + 3));
  }
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: Array<Uint8Array>): Uint8Array {
  let size = 0;
  for (let i = 0; i < parts.length; i++) size += parts[i].length;
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}
