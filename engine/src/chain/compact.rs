//! The compact form the blocklog keeps a receipt in (receipt form 2).
//!
//! A receipt is part of the state — its bytes are under the state hash —
//! so every request used to write its whole JSON (2.7 KB for an ERC-20
//! transfer: hex strings, field names, the EVM's frames) and hash it. The
//! compact form is binary, in the codec's stream encoding: integers as
//! `vlu`, ids and hnames in their byte forms, byte strings raw, each
//! variable part with a `vlu` length. JSON is written only when a receipt
//! is read ([`crate::Chain::receipts`], the page). Which form a chain
//! writes is its [`ReceiptForm`], part of its config: a chain from before
//! this form (a session or link whose config names none) keeps writing
//! JSON, so it replays to the state hash it was shared with.
//!
//! Layout, in order: the form byte [`COMPACT`]; block index and request
//! index (`vlu`); request id (34 bytes); `posted_by` (a bool, then 34
//! bytes); the request (sender agent id as bytes, contract and entry
//! hnames as 4 bytes LE, params as a [dict](put_dict), tokens and
//! allowance as asset bytes, gas budget); results (a bool, then a dict);
//! the error
//! (a bool, then its JSON: rare, and its shape is the error's own); gas
//! budget, burned and fee; events (count, then each: contract hname,
//! topic, payload); the call trace (below); log lines (count, then each).
//!
//! A trace node: contract hname, contract name, entry hname, entry name,
//! VM name, caller, gas burned, error (a bool, then the message), detail
//! (a bool, then a [value](put_value)), calls (count, then each node),
//! calls omitted.

use super::receipt::{CallTrace, Event, Receipt, Request};
use crate::Hname;
use crate::codec::{
    Assets, CodecError, Decoder, Dict, Encoder, hname_from_bytes, string_from_bytes,
};
use crate::ids::{AgentId, RequestId};
use crate::vm::{VmError, VmType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a chain's blocklog stores receipts. The choice is part of the
/// chain's config because the receipts' bytes are under the state hash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptForm {
    /// JSON text: chains from before the compact form. A config that names
    /// no form is one of them.
    Json,
    /// The compact binary form of this module (every new chain).
    #[default]
    Compact,
}

impl ReceiptForm {
    /// The form of a config that names none: a chain from before the
    /// compact form.
    pub(crate) fn unnamed() -> Self {
        Self::Json
    }

    /// Its name in a config: `json` or `compact`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Compact => "compact",
        }
    }

    /// Whether it is the form a config that names none has.
    pub(crate) fn is_unnamed(&self) -> bool {
        *self == Self::unnamed()
    }

    /// `receipt` as this form stores it.
    pub(crate) fn encode(self, receipt: &Receipt) -> Vec<u8> {
        match self {
            // Our types serialize infallibly (string keys, no non-finite
            // floats): an error would be a bug, and yields `{}`.
            Self::Json => serde_json::to_vec(receipt).unwrap_or_else(|_| b"{}".to_vec()),
            Self::Compact => encode(receipt),
        }
    }
}

impl Receipt {
    /// A receipt as the blocklog stores it (its view `getRequestReceipt`
    /// answers these bytes), in either [`ReceiptForm`].
    ///
    /// # Errors
    /// A [`CodecError`] for bytes that are neither form.
    pub fn from_stored(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_stored(bytes)
    }
}

/// The first byte of a compact receipt. A JSON receipt starts with `{`.
pub(crate) const COMPACT: u8 = 0x02;

/// A stored receipt, in whichever form it was written.
///
/// # Errors
/// A [`CodecError`] if the bytes are neither form.
pub(crate) fn decode_stored(bytes: &[u8]) -> Result<Receipt, CodecError> {
    match bytes.first() {
        Some(&COMPACT) => decode(bytes),
        _ => serde_json::from_slice(bytes).map_err(|err| malformed("receipt JSON", err)),
    }
}

fn malformed(what: &'static str, detail: impl std::fmt::Display) -> CodecError {
    CodecError::Malformed {
        what,
        detail: detail.to_string(),
    }
}

/// The compact form of `receipt` (its `wasm_engine` is not part of it).
pub(crate) fn encode(receipt: &Receipt) -> Vec<u8> {
    let mut enc = Encoder::new();
    enc.byte(COMPACT)
        .vlu(u64::from(receipt.block_index))
        .vlu(u64::from(receipt.request_index))
        .fixed(receipt.request_id.as_bytes());
    put_option(&mut enc, receipt.posted_by.as_ref(), |enc, id| {
        enc.fixed(id.as_bytes());
    });
    put_request(&mut enc, &receipt.request);
    put_option(&mut enc, receipt.results.as_ref(), put_dict);
    put_option(&mut enc, receipt.error.as_ref(), |enc, error| {
        enc.bytes(&serde_json::to_vec(error).unwrap_or_default());
    });
    enc.vlu(receipt.gas_budget)
        .vlu(receipt.gas_burned)
        .vlu(receipt.gas_fee)
        .vlu(receipt.events.len() as u64);
    for event in &receipt.events {
        enc.fixed(&event.contract.to_bytes())
            .bytes(event.topic.as_bytes())
            .bytes(&event.payload);
    }
    put_trace(&mut enc, &receipt.trace);
    enc.vlu(receipt.logs.len() as u64);
    for line in &receipt.logs {
        enc.bytes(line.as_bytes());
    }
    enc.finish()
}

/// Reads a compact receipt.
///
/// # Errors
/// A [`CodecError`] for bytes that are not one, never a panic.
pub(crate) fn decode(bytes: &[u8]) -> Result<Receipt, CodecError> {
    let mut dec = Decoder::new(bytes);
    if dec.byte()? != COMPACT {
        return Err(malformed("receipt", "not the compact form"));
    }
    let block_index = dec.vlu(32)? as u32;
    let request_index = dec.vlu(16)? as u16;
    let request_id = take_request_id(&mut dec)?;
    let posted_by = take_option(&mut dec, take_request_id)?;
    let request = take_request(&mut dec)?;
    let results = take_option(&mut dec, take_dict)?;
    let error = take_option(&mut dec, |dec| {
        serde_json::from_slice::<VmError>(dec.bytes()?).map_err(|err| malformed("error", err))
    })?;
    let gas_budget = dec.vlu(64)?;
    let gas_burned = dec.vlu(64)?;
    let gas_fee = dec.vlu(64)?;
    let events = take_list(&mut dec, |dec| {
        Ok(Event {
            contract: hname(dec)?,
            topic: text(dec)?,
            payload: dec.bytes()?.to_vec(),
        })
    })?;
    let trace = take_trace(&mut dec, 0)?;
    let logs = take_list(&mut dec, text)?;
    dec.finish()?;
    Ok(Receipt {
        block_index,
        request_index,
        request_id,
        posted_by,
        request,
        results,
        error,
        gas_budget,
        gas_burned,
        gas_fee,
        events,
        trace,
        logs,
        wasm_engine: None,
    })
}

fn put_option<T>(enc: &mut Encoder, value: Option<&T>, put: impl FnOnce(&mut Encoder, &T)) {
    enc.bool(value.is_some());
    if let Some(value) = value {
        put(enc, value);
    }
}

fn take_option<T>(
    dec: &mut Decoder<'_>,
    take: impl FnOnce(&mut Decoder<'_>) -> Result<T, CodecError>,
) -> Result<Option<T>, CodecError> {
    if dec.bool()? {
        take(dec).map(Some)
    } else {
        Ok(None)
    }
}

/// A count of items that follow, checked against the bytes left (every
/// item takes at least one), so a corrupt count cannot ask for a huge
/// allocation.
fn take_count(dec: &mut Decoder<'_>) -> Result<usize, CodecError> {
    let count = dec.vlu(32)? as usize;
    if count > dec.remaining() {
        return Err(malformed(
            "list",
            format!("{count} items in {} bytes", dec.remaining()),
        ));
    }
    Ok(count)
}

/// A count, then that many items.
fn take_list<T>(
    dec: &mut Decoder<'_>,
    mut take: impl FnMut(&mut Decoder<'_>) -> Result<T, CodecError>,
) -> Result<Vec<T>, CodecError> {
    let count = take_count(dec)?;
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        items.push(take(dec)?);
    }
    Ok(items)
}

fn take_request_id(dec: &mut Decoder<'_>) -> Result<RequestId, CodecError> {
    Ok(RequestId::from_bytes(
        dec.fixed(RequestId::LENGTH, "request id")?,
    )?)
}

fn hname(dec: &mut Decoder<'_>) -> Result<Hname, CodecError> {
    hname_from_bytes(dec.fixed(4, "hname")?)
}

fn text(dec: &mut Decoder<'_>) -> Result<String, CodecError> {
    string_from_bytes(dec.bytes()?)
}

fn agent(dec: &mut Decoder<'_>) -> Result<AgentId, CodecError> {
    Ok(AgentId::from_bytes(dec.bytes()?)?)
}

fn put_request(enc: &mut Encoder, request: &Request) {
    enc.bytes(&request.sender.to_bytes())
        .fixed(&request.contract.to_bytes())
        .fixed(&request.entry.to_bytes());
    put_dict(enc, &request.params);
    enc.bytes(&request.tokens.to_bytes())
        .bytes(&request.allowance.to_bytes())
        .vlu(request.gas_budget);
}

fn take_request(dec: &mut Decoder<'_>) -> Result<Request, CodecError> {
    Ok(Request {
        sender: agent(dec)?,
        contract: hname(dec)?,
        entry: hname(dec)?,
        params: take_dict(dec)?,
        tokens: Assets::from_bytes(dec.bytes()?)?,
        allowance: Assets::from_bytes(dec.bytes()?)?,
        gas_budget: dec.vlu(64)?,
    })
}

/// A dict as a count and each key and value with a `vlu` length — not
/// WasmLib's dict bytes, whose 16-bit key lengths a refused request's
/// params may exceed (its receipt keeps them).
fn put_dict(enc: &mut Encoder, dict: &Dict) {
    enc.vlu(dict.len() as u64);
    for (key, value) in dict.iter() {
        enc.bytes(key).bytes(value);
    }
}

fn take_dict(dec: &mut Decoder<'_>) -> Result<Dict, CodecError> {
    let mut dict = Dict::new();
    for _ in 0..take_count(dec)? {
        let key = dec.bytes()?;
        dict.set(key, dec.bytes()?.to_vec());
    }
    Ok(dict)
}

fn put_trace(enc: &mut Encoder, trace: &CallTrace) {
    enc.fixed(&trace.contract.to_bytes())
        .bytes(trace.contract_name.as_bytes())
        .fixed(&trace.entry.to_bytes())
        .bytes(trace.entry_name.as_bytes())
        .bytes(trace.vm.as_str().as_bytes())
        .bytes(&trace.caller.to_bytes())
        .vlu(trace.gas_burned);
    put_option(enc, trace.error.as_ref(), |enc, error| {
        enc.bytes(error.as_bytes());
    });
    put_option(enc, trace.detail.as_ref(), put_value);
    enc.vlu(trace.calls.len() as u64);
    for call in &trace.calls {
        put_trace(enc, call);
    }
    enc.vlu(trace.omitted_calls);
}

/// How deep a stored trace or value may nest: deeper than the chain ever
/// writes (a trace is at most [`crate::bounds::MAX_TRACE_DEPTH`] deep), so
/// only corrupt bytes reach it, and they get an error, not a stack overflow.
const MAX_NESTING: usize = 128;

fn nested(depth: usize) -> Result<usize, CodecError> {
    if depth >= MAX_NESTING {
        return Err(malformed(
            "receipt",
            format!("nested deeper than {MAX_NESTING}"),
        ));
    }
    Ok(depth + 1)
}

fn take_trace(dec: &mut Decoder<'_>, depth: usize) -> Result<CallTrace, CodecError> {
    let depth = nested(depth)?;
    Ok(CallTrace {
        contract: hname(dec)?,
        contract_name: text(dec)?,
        entry: hname(dec)?,
        entry_name: text(dec)?,
        vm: VmType::new(text(dec)?),
        caller: agent(dec)?,
        gas_burned: dec.vlu(64)?,
        error: take_option(dec, text)?,
        detail: take_option(dec, |dec| take_value(dec, depth))?,
        calls: take_list(dec, |dec| take_trace(dec, depth))?,
        omitted_calls: dec.vlu(64)?,
    })
}

// A JSON value's tags. A string of lowercase hex after `0x` (what the
// chain writes for bytes) is kept as its bytes and written back alike.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const HEX: u8 = 7;
const ARRAY: u8 = 8;
const OBJECT: u8 = 9;

/// A JSON value (a VM's trace detail), in a tag byte and its content.
fn put_value(enc: &mut Encoder, value: &Value) {
    match value {
        Value::Null => {
            enc.byte(NULL);
        }
        Value::Bool(b) => {
            enc.byte(if *b { TRUE } else { FALSE });
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                enc.byte(UNSIGNED).vlu(u);
            } else if let Some(i) = n.as_i64() {
                enc.byte(NEGATIVE).vlu(i.unsigned_abs());
            } else {
                let f = n.as_f64().unwrap_or_default();
                enc.byte(FLOAT).fixed(&f.to_bits().to_le_bytes());
            }
        }
        Value::String(s) => match lower_hex(s) {
            Some(bytes) => {
                enc.byte(HEX).bytes(&bytes);
            }
            None => {
                enc.byte(STRING).bytes(s.as_bytes());
            }
        },
        Value::Array(items) => {
            enc.byte(ARRAY).vlu(items.len() as u64);
            for item in items {
                put_value(enc, item);
            }
        }
        Value::Object(map) => {
            enc.byte(OBJECT).vlu(map.len() as u64);
            for (key, item) in map {
                enc.bytes(key.as_bytes());
                put_value(enc, item);
            }
        }
    }
}

/// The bytes of `0x` and lowercase hex digits, which `encode_prefixed`
/// writes back exactly.
fn lower_hex(s: &str) -> Option<Vec<u8>> {
    let digits = s.strip_prefix("0x")?;
    if digits.len() % 2 != 0
        || !digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    const_hex::decode(digits).ok()
}

fn take_value(dec: &mut Decoder<'_>, depth: usize) -> Result<Value, CodecError> {
    let depth = nested(depth)?;
    Ok(match dec.byte()? {
        NULL => Value::Null,
        FALSE => Value::Bool(false),
        TRUE => Value::Bool(true),
        UNSIGNED => Value::from(dec.vlu(64)?),
        NEGATIVE => {
            let magnitude = dec.vlu(64)?;
            match 0i64.checked_sub_unsigned(magnitude) {
                Some(i) if i < 0 => Value::from(i),
                _ => return Err(malformed("number", magnitude)),
            }
        }
        FLOAT => {
            let bits = dec.fixed(8, "float")?;
            let mut word = [0u8; 8];
            word.copy_from_slice(bits);
            let f = f64::from_bits(u64::from_le_bytes(word));
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| malformed("number", f))?
        }
        STRING => Value::String(text(dec)?),
        HEX => Value::String(const_hex::encode_prefixed(dec.bytes()?)),
        ARRAY => Value::Array(take_list(dec, |dec| take_value(dec, depth))?),
        OBJECT => {
            // Entries one by one: they were written in the map's order.
            let mut map = serde_json::Map::new();
            for (key, value) in take_list(dec, |dec| Ok((text(dec)?, take_value(dec, depth)?)))? {
                map.insert(key, value);
            }
            Value::Object(map)
        }
        tag => return Err(malformed("value", format!("unknown tag {tag}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ChainId;

    /// A receipt with every optional part present, nested calls and a
    /// VM's detail.
    fn full_receipt() -> Receipt {
        let call = |name: &str, calls: Vec<CallTrace>| CallTrace {
            contract: Hname::of(name),
            contract_name: name.into(),
            entry: Hname::of("run"),
            entry_name: String::new(),
            vm: VmType::new("testvm"),
            caller: AgentId::Contract {
                chain: ChainId([7; 32]),
                hname: Hname::of("caller"),
            },
            gas_burned: 1 << 40,
            error: Some("no — ünïcode".into()),
            detail: Some(
                serde_json::json!({"evm_frames": [{"input": "0xa9059cbb", "to": "0xAbC"}]}),
            ),
            calls,
            omitted_calls: 3,
        };
        Receipt {
            block_index: u32::MAX,
            request_index: 99,
            request_id: RequestId([9; 34]),
            posted_by: Some(RequestId([1; 34])),
            request: Request::to(AgentId::Ethereum([4; 20]), Hname::of("a"), Hname::of("b"))
                .param("args", "[1]")
                .tokens(5)
                .allowance(6)
                .gas_budget(u64::MAX),
            results: Some(Dict::new().with("o", vec![0, 1, 2])),
            error: Some(VmError::Revert {
                reason: "why".into(),
                data: "0x08c379a0".into(),
            }),
            gas_budget: 7,
            gas_burned: 8,
            gas_fee: 9,
            events: vec![Event {
                contract: Hname::of("a"),
                topic: "T".into(),
                payload: vec![0xff; 300],
            }],
            trace: call("root", vec![call("inner", vec![call("leaf", vec![])])]),
            logs: vec!["one".into(), String::new()],
            wasm_engine: None,
        }
    }

    #[test]
    fn every_part_of_a_receipt_comes_back_and_writes_the_same_json() {
        let receipt = full_receipt();
        let bytes = encode(&receipt);
        let back = decode_stored(&bytes).expect("decodes");
        assert_eq!(back, receipt);
        assert_eq!(
            serde_json::to_string(&back).expect("json"),
            serde_json::to_string(&receipt).expect("json")
        );
        // The JSON form is still read, and is what a chain from before
        // the compact form stores.
        let json = ReceiptForm::Json.encode(&receipt);
        assert_eq!(json.first(), Some(&b'{'));
        assert_eq!(decode_stored(&json).expect("decodes"), receipt);
        assert!(
            bytes.len() < json.len() / 2,
            "{} vs {}",
            bytes.len(),
            json.len()
        );
    }

    #[test]
    fn corrupt_stored_receipts_are_errors_not_panics() {
        let bytes = encode(&full_receipt());
        for end in 0..bytes.len() {
            assert!(decode_stored(&bytes[..end]).is_err(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_stored(&longer).is_err(), "a trailing byte");
        for at in 1..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[at] ^= flip;
                // Either an error or some receipt: never a panic.
                let _ = decode_stored(&changed);
            }
        }
    }

    #[test]
    fn values_come_back_as_they_were_written() {
        let value = serde_json::json!({
            "n": null, "t": true, "f": false,
            "u": 18_446_744_073_709_551_615u64, "i": -9_223_372_036_854_775_808i64, "x": 1.5,
            "hex": "0x00ff", "empty": "0x", "odd": "0x0", "upper": "0xAB", "text": "é ok",
            "list": [[], {}, [1, [2, [3]]]],
        });
        let mut enc = Encoder::new();
        put_value(&mut enc, &value);
        let bytes = enc.finish();
        let mut dec = Decoder::new(&bytes);
        assert_eq!(take_value(&mut dec, 0).expect("decodes"), value);
        dec.finish().expect("every byte read");
        // The JSON written from it is the JSON written from the original.
        assert_eq!(
            serde_json::to_string(&take_value(&mut Decoder::new(&bytes), 0).expect("decodes"))
                .expect("json"),
            serde_json::to_string(&value).expect("json")
        );
    }

    #[test]
    fn values_nested_past_the_bound_are_refused_not_overflowed() {
        let mut bytes = [ARRAY, 1].repeat(100_000);
        bytes.push(NULL);
        let err = take_value(&mut Decoder::new(&bytes), 0).expect_err("too deep");
        assert!(err.to_string().contains("nested deeper"), "{err}");
        // A count larger than what is left asks for no allocation.
        let err = take_value(&mut Decoder::new(&[ARRAY, 0xff, 0xff, 0xff, 0x7f]), 0)
            .expect_err("too many");
        assert!(err.to_string().contains("items in"), "{err}");
    }
}
