//! WasmLib's byte encodings: dicts, scalars, variable-length integers and
//! assets, as the `wasmlib` crate (0.1.0) writes them.
//!
//! Two families exist there, and both appear here:
//! - **value bytes** (`*_to_bytes`): the form a single value takes as a dict
//!   value or state value — integers little-endian at full width, bools one
//!   byte, strings raw UTF-8, an empty slice meaning the zero value;
//! - **stream encoding** ([`Encoder`]/[`Decoder`]): the form inside structs
//!   and sandbox parameters — integers as variable-length (`vlu`/`vli`),
//!   byte strings prefixed by a `vlu` length.

use crate::Hname;
use crate::ids::{AgentId, Hash, IdError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input ended before the value did.
    #[error("truncated {what}: needed {needed} more bytes, {left} left")]
    Truncated {
        /// What was being decoded.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes left.
        left: usize,
    },
    /// A variable-length integer is longer than its type allows.
    #[error("variable-length integer too long for {bits} bits")]
    IntTooLong {
        /// The width of the target type.
        bits: u32,
    },
    /// A fixed-width value has the wrong length.
    #[error("invalid {what}: expected {expected} bytes, found {found}")]
    Length {
        /// The kind of value.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it had.
        found: usize,
    },
    /// A dict key or value too long for WasmLib's length fields.
    #[error(
        "a dict {what} of {len} bytes cannot be encoded: WasmLib stores its length in {bits} bits (at most {max})"
    )]
    TooLong {
        /// `key` or `value`.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The width of the length field.
        bits: u32,
        /// The most it may hold.
        max: u64,
    },
    /// Bytes left over after the value.
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
    /// A string is not UTF-8.
    #[error("string is not valid UTF-8")]
    Utf8,
    /// An id could not be decoded.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Bytes that are not the value they should be.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The value decodes, but the playground does not support it.
    #[error("not supported in the playground: {0}")]
    Unsupported(&'static str),
}

/// Writes WasmLib's stream encoding.
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded bytes.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// One byte.
    pub fn byte(&mut self, value: u8) -> &mut Self {
        self.buf.push(value);
        self
    }

    /// Bytes without a length prefix.
    pub fn fixed(&mut self, value: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(value);
        self
    }

    /// Bytes with a `vlu` length prefix.
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.vlu(value.len() as u64);
        self.fixed(value)
    }

    /// A bool as one byte.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.byte(u8::from(value))
    }

    /// An unsigned integer: 7 bits per byte, high bit = continuation.
    pub fn vlu(&mut self, mut value: u64) -> &mut Self {
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.buf.push(low);
                return self;
            }
            self.buf.push(low | 0x80);
        }
    }

    /// A signed integer: sign in bit 6 of the first byte, then the absolute
    /// value, 6 bits first and 7 bits per following byte.
    pub fn vli(&mut self, value: i64) -> &mut Self {
        let sign = if value < 0 { 0x40 } else { 0 };
        let mut rest = value.unsigned_abs();
        let mut byte = (rest & 0x3f) as u8 | sign;
        rest >>= 6;
        while rest != 0 {
            self.buf.push(byte | 0x80);
            byte = (rest & 0x7f) as u8;
            rest >>= 7;
        }
        self.buf.push(byte);
        self
    }
}

/// Reads WasmLib's stream encoding.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    buf: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// A decoder over `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    /// Fails unless every byte was consumed.
    ///
    /// # Errors
    /// [`CodecError::Trailing`].
    pub fn finish(self) -> Result<(), CodecError> {
        match self.buf.len() {
            0 => Ok(()),
            n => Err(CodecError::Trailing(n)),
        }
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// One byte.
    ///
    /// # Errors
    /// [`CodecError::Truncated`] at the end of the input.
    pub fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.fixed(1, "byte")?[0])
    }

    /// `n` bytes.
    ///
    /// # Errors
    /// [`CodecError::Truncated`] if fewer are left.
    pub fn fixed(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        if self.buf.len() < n {
            return Err(CodecError::Truncated {
                what,
                needed: n,
                left: self.buf.len(),
            });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Bytes with a `vlu` length prefix.
    ///
    /// # Errors
    /// On truncated input.
    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let len = self.vlu(32)?;
        self.fixed(len as usize, "bytes")
    }

    /// A bool byte.
    ///
    /// # Errors
    /// On truncated input.
    pub fn bool(&mut self) -> Result<bool, CodecError> {
        Ok(self.byte()? != 0)
    }

    /// An unsigned integer of at most `bits` bits.
    ///
    /// # Errors
    /// On truncated input or an over-long encoding.
    pub fn vlu(&mut self, bits: u32) -> Result<u64, CodecError> {
        let first = self.byte()?;
        self.groups(first, u64::from(first & 0x7f), 7, bits)
    }

    /// Reads the 7-bit groups that follow `byte` while its continuation bit
    /// is set, OR-ing them into `value` from bit `shift` on.
    fn groups(
        &mut self,
        mut byte: u8,
        mut value: u64,
        mut shift: u32,
        bits: u32,
    ) -> Result<u64, CodecError> {
        while byte & 0x80 != 0 {
            if shift >= bits {
                return Err(CodecError::IntTooLong { bits });
            }
            byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        Ok(value)
    }

    /// A signed integer of at most `bits` bits.
    ///
    /// # Errors
    /// On truncated input or an over-long encoding.
    pub fn vli(&mut self, bits: u32) -> Result<i64, CodecError> {
        let first = self.byte()?;
        let negative = first & 0x40 != 0;
        let value = self.groups(first, u64::from(first & 0x3f), 6, bits)? as i64;
        Ok(if negative {
            value.wrapping_neg()
        } else {
            value
        })
    }
}

/// The `vlu` stream encoding of `value` alone.
pub fn vlu_bytes(value: u64) -> Vec<u8> {
    let mut enc = Encoder::new();
    enc.vlu(value);
    enc.finish()
}

/// Value bytes of an unsigned integer: little-endian at full width.
pub fn u64_to_bytes(value: u64) -> Vec<u8> {
    value.to_le_bytes().to_vec()
}

/// Reads value bytes of a `u64` (empty = 0).
///
/// # Errors
/// [`CodecError::Length`] unless the slice is empty or 8 bytes.
pub fn u64_from_bytes(bytes: &[u8]) -> Result<u64, CodecError> {
    fixed_int(bytes, "Uint64").map(u64::from_le_bytes)
}

/// Reads value bytes of an `i64` (empty = 0).
///
/// # Errors
/// [`CodecError::Length`] unless the slice is empty or 8 bytes.
pub fn i64_from_bytes(bytes: &[u8]) -> Result<i64, CodecError> {
    fixed_int(bytes, "Int64").map(i64::from_le_bytes)
}

/// Reads value bytes of a `u32` (empty = 0).
///
/// # Errors
/// [`CodecError::Length`] unless the slice is empty or 4 bytes.
pub fn u32_from_bytes(bytes: &[u8]) -> Result<u32, CodecError> {
    fixed_int(bytes, "Uint32").map(u32::from_le_bytes)
}

fn fixed_int<const N: usize>(bytes: &[u8], what: &'static str) -> Result<[u8; N], CodecError> {
    if bytes.is_empty() {
        return Ok([0; N]);
    }
    bytes.try_into().map_err(|_| CodecError::Length {
        what,
        expected: N,
        found: bytes.len(),
    })
}

/// Reads value bytes of an hname (4 bytes, little-endian).
///
/// # Errors
/// [`CodecError::Length`] unless the slice is 4 bytes.
pub fn hname_from_bytes(bytes: &[u8]) -> Result<Hname, CodecError> {
    let raw: [u8; 4] = bytes.try_into().map_err(|_| CodecError::Length {
        what: "Hname",
        expected: 4,
        found: bytes.len(),
    })?;
    Ok(Hname::from_u32(u32::from_le_bytes(raw)))
}

/// Reads value bytes of a string.
///
/// # Errors
/// [`CodecError::Utf8`].
pub fn string_from_bytes(bytes: &[u8]) -> Result<String, CodecError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::Utf8)
}

/// Value bytes of a bool: `01` or `00`.
pub fn bool_to_bytes(value: bool) -> Vec<u8> {
    vec![u8::from(value)]
}

/// Reads value bytes of a bool (empty = false).
///
/// # Errors
/// [`CodecError::Length`] if longer than one byte.
pub fn bool_from_bytes(bytes: &[u8]) -> Result<bool, CodecError> {
    match bytes {
        [] | [0] => Ok(false),
        [_] => Ok(true),
        _ => Err(CodecError::Length {
            what: "Bool",
            expected: 1,
            found: bytes.len(),
        }),
    }
}

/// A key/value dictionary: params, results, events and state snapshots.
///
/// Keys are kept sorted, so the encoding is canonical. The byte form is
/// WasmLib's: a `u32` item count, then per item a `u16` key length, the key,
/// a `u32` value length and the value, all little-endian.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Dict(BTreeMap<Vec<u8>, Vec<u8>>);

impl Dict {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty dict, in const context.
    pub const fn empty() -> Self {
        Self(BTreeMap::new())
    }

    /// Sets `key` to `value` (builder style).
    #[must_use]
    pub fn with(mut self, key: impl AsRef<[u8]>, value: impl Into<Vec<u8>>) -> Self {
        self.set(key, value);
        self
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: impl AsRef<[u8]>, value: impl Into<Vec<u8>>) {
        self.0.insert(key.as_ref().to_vec(), value.into());
    }

    /// The value under `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&[u8]> {
        self.0.get(key.as_ref()).map(Vec::as_slice)
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
        self.0.remove(key.as_ref())
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The items, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// Checks that every key and value fits WasmLib's length fields (a key
    /// at most 65 535 bytes, a value and the item count at most `u32::MAX`):
    /// the chain checks every call's params with it, so two different
    /// dicts never encode to the same bytes.
    ///
    /// # Errors
    /// [`CodecError::TooLong`] for the first key or value that does not fit.
    pub fn check(&self) -> Result<(), CodecError> {
        let too_long = |what, len: usize, bits: u32| CodecError::TooLong {
            what,
            len,
            bits,
            max: (1u64 << bits) - 1,
        };
        if u32::try_from(self.0.len()).is_err() {
            return Err(too_long("item count", self.0.len(), 32));
        }
        for (key, value) in &self.0 {
            if u16::try_from(key.len()).is_err() {
                return Err(too_long("key", key.len(), 16));
            }
            if u32::try_from(value.len()).is_err() {
                return Err(too_long("value", value.len(), 32));
            }
        }
        Ok(())
    }

    /// [`Dict::to_bytes`], refusing a dict that [`Dict::check`] refuses.
    ///
    /// # Errors
    /// As [`Dict::check`].
    pub fn try_to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        self.check()?;
        Ok(self.to_bytes())
    }

    /// The byte form WasmLib's `ScDict::to_bytes` writes. Only meaningful
    /// for a dict that passes [`Dict::check`] (every call's params do):
    /// longer keys would have their lengths truncated.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.0.len() * 16);
        out.extend_from_slice(&(self.0.len() as u32).to_le_bytes());
        for (key, value) in &self.0 {
            out.extend_from_slice(&(key.len() as u16).to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        out
    }

    /// Decodes the byte form (an empty slice is an empty dict).
    ///
    /// # Errors
    /// [`CodecError`] on truncated input, over-long keys or trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut dict = Self::new();
        if bytes.is_empty() {
            return Ok(dict);
        }
        let mut dec = Decoder::new(bytes);
        let count = u32_from_bytes(dec.fixed(4, "dict size")?)?;
        for _ in 0..count {
            let key_len = u16::from_le_bytes(le(dec.fixed(2, "dict key length")?));
            let key = dec.fixed(usize::from(key_len), "dict key")?;
            let value_len = u32::from_le_bytes(le(dec.fixed(4, "dict value length")?));
            let value = dec.fixed(value_len as usize, "dict value")?;
            dict.set(key, value);
        }
        dec.finish()?;
        Ok(dict)
    }

    /// The `u64` under `key` (absent = 0).
    ///
    /// # Errors
    /// On a malformed value.
    pub fn u64(&self, key: &str) -> Result<u64, CodecError> {
        u64_from_bytes(self.get(key).unwrap_or_default())
    }

    /// The string under `key` (absent = empty).
    ///
    /// # Errors
    /// On invalid UTF-8.
    pub fn string(&self, key: &str) -> Result<String, CodecError> {
        string_from_bytes(self.get(key).unwrap_or_default())
    }

    /// The hname under `key`, if present.
    ///
    /// # Errors
    /// On a malformed value.
    pub fn hname(&self, key: &str) -> Result<Option<Hname>, CodecError> {
        self.get(key).map(hname_from_bytes).transpose()
    }

    /// The agent id under `key`, if present.
    ///
    /// # Errors
    /// On a malformed value.
    pub fn agent_id(&self, key: &str) -> Result<Option<AgentId>, CodecError> {
        Ok(self.get(key).map(AgentId::from_bytes).transpose()?)
    }

    /// The hash under `key`, if present.
    ///
    /// # Errors
    /// On a malformed value.
    pub fn hash(&self, key: &str) -> Result<Option<Hash>, CodecError> {
        Ok(self.get(key).map(Hash::from_bytes).transpose()?)
    }
}

fn le<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(bytes);
    out
}

impl fmt::Debug for Dict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.0
                    .iter()
                    .map(|(k, v)| (show_key(k), const_hex::encode_prefixed(v))),
            )
            .finish()
    }
}

impl FromIterator<(Vec<u8>, Vec<u8>)> for Dict {
    fn from_iter<I: IntoIterator<Item = (Vec<u8>, Vec<u8>)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// The key of item `sub` of the map stored under `root` in a dict, as
/// WasmLib's proxies build it: `root.sub` (or just `sub` when `root` is empty,
/// WasmLib's `this`).
pub fn map_key(root: &str, sub: &[u8]) -> Vec<u8> {
    let mut key = root.as_bytes().to_vec();
    if !key.is_empty() {
        key.push(b'.');
    }
    key.extend_from_slice(sub);
    key
}

/// Stores `items` as the array `root` of `dict`, as WasmLib's proxies read
/// it: `root` holds the length (`vlu`), `root#<vlu index>` each element.
pub fn set_array(dict: &mut Dict, root: &str, items: impl IntoIterator<Item = Vec<u8>>) {
    let mut len = 0u32;
    for item in items {
        let mut key = root.as_bytes().to_vec();
        key.push(b'#');
        key.extend_from_slice(&vlu_bytes(u64::from(len)));
        dict.set(key, item);
        len += 1;
    }
    dict.set(root, vlu_bytes(u64::from(len)));
}

/// A key as text when it is printable UTF-8 that cannot be mistaken for hex,
/// otherwise `0x…`.
pub fn show_key(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(text)
            if !text.starts_with("0x")
                && !text.is_empty()
                && text.chars().all(|c| c.is_ascii_graphic() || c == ' ') =>
        {
            text.to_owned()
        }
        _ => const_hex::encode_prefixed(key),
    }
}

fn parse_key(text: &str) -> Result<Vec<u8>, String> {
    match text.strip_prefix("0x") {
        Some(digits) => hex::decode(digits).map_err(|err| format!("key `{text}`: {err}")),
        None => Ok(text.as_bytes().to_vec()),
    }
}

/// Serialized as a JSON object: keys as text (or `0x…` hex), values as `0x…` hex.
impl Serialize for Dict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.0
                .iter()
                .map(|(k, v)| (show_key(k), const_hex::encode_prefixed(v))),
        )
    }
}

impl<'de> Deserialize<'de> for Dict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        let mut dict = Dict::new();
        for (key, value) in raw {
            let key = parse_key(&key).map_err(D::Error::custom)?;
            let digits = value
                .strip_prefix("0x")
                .ok_or_else(|| D::Error::custom(format!("value `{value}` must start with 0x")))?;
            let value = hex::decode(digits)
                .map_err(|err| D::Error::custom(format!("value `{value}`: {err}")))?;
            dict.set(key, value);
        }
        Ok(dict)
    }
}

/// Tokens: the chain's base token. Native tokens and NFTs need foundries
/// and minting, which a one-process chain has no L1 for; they are refused
/// with [`CodecError::Unsupported`].
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Assets {
    /// Base tokens.
    pub base_tokens: u64,
}

impl Assets {
    /// `amount` base tokens.
    pub const fn base(amount: u64) -> Self {
        Self {
            base_tokens: amount,
        }
    }

    /// Whether there are no tokens.
    pub const fn is_empty(&self) -> bool {
        self.base_tokens == 0
    }

    /// WasmLib's `ScAssets::to_bytes`: an "empty" bool, then the base tokens
    /// (`vlu`) and the native-token and NFT counts (`vlu`, here 0).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::new();
        enc.bool(self.is_empty());
        if !self.is_empty() {
            enc.vlu(self.base_tokens).vlu(0).vlu(0);
        }
        enc.finish()
    }

    /// Decodes WasmLib's `ScAssets` bytes (an empty slice is no tokens),
    /// as leniently as WasmLib does.
    ///
    /// # Errors
    /// On malformed bytes, or [`CodecError::Unsupported`] if native tokens
    /// or NFTs are present.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        if bytes.is_empty() {
            return Ok(Self::default());
        }
        let mut dec = Decoder::new(bytes);
        if dec.bool()? {
            dec.finish()?;
            return Ok(Self::default());
        }
        let base_tokens = dec.vlu(64)?;
        if dec.vlu(16)? != 0 {
            return Err(CodecError::Unsupported("native tokens"));
        }
        if dec.vlu(16)? != 0 {
            return Err(CodecError::Unsupported("NFTs"));
        }
        // Like WasmLib's `ScAssets::new`, ignore what follows: a `CallRequest`
        // without allowance carries four zero bytes here.
        Ok(Self { base_tokens })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_bytes_match_the_wasmlib_trace() {
        // A WasmLib counter's view results, as Wasp's host sees them: a dict
        // of one item, `counter` = 2 (i64).
        let dict = Dict::new().with("counter", 2i64.to_le_bytes());
        let mut expected = vec![1, 0, 0, 0, 7, 0];
        expected.extend_from_slice(b"counter");
        expected.extend_from_slice(&[8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(dict.to_bytes(), expected);
        assert_eq!(Dict::from_bytes(&expected), Ok(dict));
        assert_eq!(Dict::new().to_bytes(), [0, 0, 0, 0]);
        assert_eq!(Dict::from_bytes(&[]), Ok(Dict::new()));
    }

    #[test]
    fn malformed_dicts_are_errors_not_panics() {
        assert!(matches!(
            Dict::from_bytes(&[1, 0, 0]),
            Err(CodecError::Truncated { .. })
        ));
        assert!(matches!(
            Dict::from_bytes(&[1, 0, 0, 0, 9, 0, b'a']),
            Err(CodecError::Truncated { .. })
        ));
        assert_eq!(
            Dict::from_bytes(&[0, 0, 0, 0, 5]),
            Err(CodecError::Trailing(1))
        );
        assert!(Dict::from_bytes(&[0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn varints_round_trip_and_match_wasmlib_bytes() {
        for value in [0u64, 1, 127, 128, 300, u64::MAX] {
            let bytes = vlu_bytes(value);
            assert_eq!(Decoder::new(&bytes).vlu(64), Ok(value));
        }
        assert_eq!(vlu_bytes(300), [0xac, 0x02]);
        for value in [0i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN + 1] {
            let mut enc = Encoder::new();
            enc.vli(value);
            let bytes = enc.finish();
            assert_eq!(Decoder::new(&bytes).vli(64), Ok(value), "{value}");
        }
        let mut enc = Encoder::new();
        enc.vli(-1);
        assert_eq!(enc.finish(), [0x41]);
        assert_eq!(
            Decoder::new(&[0xff, 0xff, 0xff]).vlu(16),
            Err(CodecError::IntTooLong { bits: 16 })
        );
    }

    #[test]
    fn assets_match_wasmlib_and_refuse_native_tokens() {
        assert_eq!(Assets::default().to_bytes(), [1]);
        let bytes = Assets::base(300).to_bytes();
        assert_eq!(bytes, [0, 0xac, 0x02, 0, 0]);
        assert_eq!(Assets::from_bytes(&bytes), Ok(Assets::base(300)));
        assert_eq!(Assets::from_bytes(&[0, 0, 0, 0]), Ok(Assets::default()));
        assert_eq!(
            Assets::from_bytes(&[0, 5, 1]),
            Err(CodecError::Unsupported("native tokens"))
        );
    }

    #[test]
    fn dict_json_uses_text_keys_and_hex_values() {
        let dict = Dict::new()
            .with("n", [1, 2])
            .with([0u8, 0xff], b"x".to_vec());
        let json = serde_json::to_string(&dict).unwrap_or_default();
        assert_eq!(json, r#"{"0x00ff":"0x78","n":"0x0102"}"#);
        let back: Dict = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, dict);
        assert!(serde_json::from_str::<Dict>(r#"{"a":"12"}"#).is_err());
    }
}
