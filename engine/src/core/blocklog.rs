//! `blocklog`: blocks, request receipts and events.
//!
//! The chain writes a block's info and its receipt after each request; the
//! views read them back. State layout: `b` + index (`u32` BE) → [`BlockInfo`]
//! JSON; `r` + index (`u32` BE) → [`Receipt`] JSON; `q` + request id → block
//! index (`u32` LE); `i` → latest block index (`u32` LE).

use super::{NativeContract, hname_param, u32_param, unsupported};
use crate::Hname;
use crate::chain::receipt::{BlockInfo, Receipt};
use crate::chain::store::Store;
use crate::codec::{Dict, bool_to_bytes, set_array, u32_from_bytes};
use crate::ids::RequestId;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError};

pub(crate) const NAME: &str = "blocklog";

pub(crate) fn hname() -> Hname {
    Hname::of(NAME)
}

pub(crate) fn contract() -> NativeContract {
    let block = || FieldInfo::optional("n", "Uint32");
    let request = || FieldInfo::new("u", "RequestID");
    NativeContract::new(NAME, "Block log contract")
        .with(
            EntryPointInfo::view("getBlockInfo")
                .params([block()])
                .results([FieldInfo::new("n", "Uint32"), FieldInfo::new("i", "Bytes")]),
            |ctx| {
                let index = block_param(ctx)?;
                let info = ctx
                    .state_get(&block_key(index))?
                    .ok_or_else(|| VmError::param("n", format!("block {index} not found")))?;
                Ok(Dict::new().with("n", index.to_le_bytes()).with("i", info))
            },
        )
        .with(
            EntryPointInfo::view("getRequestReceipt")
                .params([request()])
                .results([
                    FieldInfo::new("d", "Bytes"),
                    FieldInfo::new("n", "Uint32"),
                    FieldInfo::new("r", "Uint16"),
                ]),
            |ctx| {
                let index = request_block(ctx)?;
                let receipt = ctx.state_get(&receipt_key(index))?.unwrap_or_default();
                Ok(Dict::new()
                    .with("d", receipt)
                    .with("n", index.to_le_bytes())
                    .with("r", 0u16.to_le_bytes()))
            },
        )
        .with(
            EntryPointInfo::view("getRequestReceiptsForBlock")
                .params([block()])
                .results([FieldInfo::new("d", "[]Bytes")]),
            |ctx| {
                let index = block_param(ctx)?;
                let receipts = ctx.state_get(&receipt_key(index))?;
                let mut out = Dict::new();
                set_array(&mut out, "d", receipts);
                Ok(out)
            },
        )
        .with(
            EntryPointInfo::view("getRequestIDsForBlock")
                .params([block()])
                .results([FieldInfo::new("u", "[]RequestID")]),
            |ctx| {
                let index = block_param(ctx)?;
                let ids = receipt_at(ctx, index)?.map(|r| r.request_id.as_bytes().to_vec());
                let mut out = Dict::new();
                set_array(&mut out, "u", ids);
                Ok(out)
            },
        )
        .with(
            EntryPointInfo::view("isRequestProcessed")
                .params([request()])
                .results([FieldInfo::new("p", "Bool")]),
            |ctx| {
                let id = request_param(ctx)?;
                let found = ctx.state_get(&request_key(&id))?.is_some();
                Ok(Dict::new().with("p", bool_to_bytes(found)))
            },
        )
        .with(
            EntryPointInfo::view("getEventsForRequest")
                .params([request()])
                .results([FieldInfo::new("e", "[]Bytes")]),
            |ctx| {
                let index = request_block(ctx)?;
                events(ctx, index..=index, None)
            },
        )
        .with(
            EntryPointInfo::view("getEventsForBlock")
                .params([block()])
                .results([FieldInfo::new("e", "[]Bytes")]),
            |ctx| {
                let index = block_param(ctx)?;
                events(ctx, index..=index, None)
            },
        )
        .with(
            EntryPointInfo::view("getEventsForContract")
                .params([
                    FieldInfo::new("h", "Hname"),
                    FieldInfo::optional("f", "Uint32"),
                    FieldInfo::optional("t", "Uint32"),
                ])
                .results([FieldInfo::new("e", "[]Bytes")]),
            |ctx| {
                let contract = hname_param(ctx, "h")?;
                let latest = latest_index(ctx)?;
                let from = u32_param(ctx, "f")?.unwrap_or(0);
                let to = u32_param(ctx, "t")?.unwrap_or(latest).min(latest);
                events(ctx, from..=to, Some(contract))
            },
        )
        .with(EntryPointInfo::view("controlAddresses"), |_| {
            Err(unsupported(
                "blocklog.controlAddresses: the playground chain has no L1 alias output",
            ))
        })
}

fn latest_index(ctx: &mut dyn Sandbox) -> Result<u32, VmError> {
    Ok(u32_from_bytes(&ctx.state_get(b"i")?.unwrap_or_default())?)
}

/// The `n` param, or the latest block.
fn block_param(ctx: &mut dyn Sandbox) -> Result<u32, VmError> {
    match u32_param(ctx, "n")? {
        Some(index) => Ok(index),
        None => latest_index(ctx),
    }
}

fn request_param(ctx: &dyn Sandbox) -> Result<RequestId, VmError> {
    let bytes = ctx
        .params()
        .get("u")
        .ok_or_else(|| VmError::param("u", "missing"))?;
    RequestId::from_bytes(bytes).map_err(|err| VmError::param("u", err))
}

fn request_block(ctx: &mut dyn Sandbox) -> Result<u32, VmError> {
    let id = request_param(ctx)?;
    let index = ctx
        .state_get(&request_key(&id))?
        .ok_or_else(|| VmError::param("u", format!("request {id} not found")))?;
    Ok(u32_from_bytes(&index)?)
}

fn receipt_at(ctx: &mut dyn Sandbox, index: u32) -> Result<Option<Receipt>, VmError> {
    ctx.state_get(&receipt_key(index))?
        .map(|bytes| decode_receipt(&bytes))
        .transpose()
}

fn decode_receipt(bytes: &[u8]) -> Result<Receipt, VmError> {
    serde_json::from_slice(bytes).map_err(|err| VmError::codec(format!("stored receipt: {err}")))
}

fn events(
    ctx: &mut dyn Sandbox,
    blocks: std::ops::RangeInclusive<u32>,
    contract: Option<Hname>,
) -> Result<Dict, VmError> {
    let mut payloads = Vec::new();
    for index in blocks {
        if let Some(receipt) = receipt_at(ctx, index)? {
            payloads.extend(
                receipt
                    .events
                    .into_iter()
                    .filter(|event| contract.is_none_or(|c| c == event.contract))
                    .map(|event| event.payload),
            );
        }
    }
    let mut out = Dict::new();
    set_array(&mut out, "e", payloads);
    Ok(out)
}

fn block_key(index: u32) -> Vec<u8> {
    [b"b".as_slice(), &index.to_be_bytes()].concat()
}

fn receipt_key(index: u32) -> Vec<u8> {
    [b"r".as_slice(), &index.to_be_bytes()].concat()
}

fn request_key(id: &RequestId) -> Vec<u8> {
    [b"q".as_slice(), id.as_bytes()].concat()
}

/// Records block `info` (genesis has no receipt).
pub(crate) fn put_block(store: &mut Store, info: &BlockInfo, receipt: Option<&Receipt>) {
    let json = |value: &dyn erased::Json| value.to_json();
    store.set(hname(), &block_key(info.index), json(info));
    if let Some(receipt) = receipt {
        store.set(hname(), &receipt_key(info.index), json(receipt));
        store.set(
            hname(),
            &request_key(&receipt.request_id),
            info.index.to_le_bytes().to_vec(),
        );
    }
    store.set(hname(), b"i", info.index.to_le_bytes().to_vec());
}

/// The receipt of block `index`.
pub(crate) fn receipt(store: &Store, index: u32) -> Option<Receipt> {
    store
        .get(hname(), &receipt_key(index))
        .and_then(|bytes| decode_receipt(bytes).ok())
}

/// The info of block `index`.
pub(crate) fn block(store: &Store, index: u32) -> Option<BlockInfo> {
    store
        .get(hname(), &block_key(index))
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
}

mod erased {
    /// Serializes to JSON bytes; our types serialize infallibly (string keys,
    /// no non-finite floats), so an error would be a bug: it yields `{}`.
    pub(super) trait Json {
        fn to_json(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
        }
    }
}
