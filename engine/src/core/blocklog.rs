//! `blocklog`: blocks, request receipts and events.
//!
//! The chain writes a block's info and its receipts when it closes the
//! block; the views read them back. State layout: `b` + index (`u32` BE) →
//! [`BlockInfo`] JSON; `r` + index (`u32` BE) → the first request's
//! [`Receipt`] in the chain's [`ReceiptForm`] (compact, or JSON on a chain
//! from before it), `r` + index + request index (`u16` BE) → each later
//! one's; `q` + request id → block index (`u32` LE), followed by the
//! request index (`u16` LE) when it is not 0; `i` → latest block index
//! (`u32` LE).

use super::{NativeContract, hname_param, u32_param, unsupported};
use crate::Hname;
use crate::chain::ReceiptForm;
use crate::chain::compact;
use crate::chain::receipt::{BlockInfo, Receipt};
use crate::chain::store::Store;
use crate::codec::{Dict, bool_to_bytes, set_array, u32_from_bytes};
use crate::ids::RequestId;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError};

pub(crate) const NAME: &str = "blocklog";

pub(crate) fn hname() -> Hname {
    // `Hname::of(NAME)`, known (the chain asks for it on every request;
    // `core::tests` checks it).
    Hname::from_u32(0xf538ef2b)
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
                let (index, request) = request_place(ctx)?;
                let receipt = ctx
                    .state_get(&receipt_key(index, request))?
                    .unwrap_or_default();
                Ok(Dict::new()
                    .with("d", receipt)
                    .with("n", index.to_le_bytes())
                    .with("r", request.to_le_bytes()))
            },
        )
        .with(
            EntryPointInfo::view("getRequestReceiptsForBlock")
                .params([block()])
                .results([FieldInfo::new("d", "[]Bytes")]),
            |ctx| {
                let index = block_param(ctx)?;
                let receipts = block_receipt_bytes(ctx, index)?;
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
                let ids = receipts_at(ctx, index)?
                    .into_iter()
                    .map(|r| r.request_id.as_bytes().to_vec());
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
                let (index, request) = request_place(ctx)?;
                let receipt = ctx
                    .state_get(&receipt_key(index, request))?
                    .map(|bytes| decode_receipt(&bytes))
                    .transpose()?;
                let mut out = Dict::new();
                set_array(
                    &mut out,
                    "e",
                    receipt
                        .into_iter()
                        .flat_map(|r| r.events.into_iter().map(|event| event.payload)),
                );
                Ok(out)
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

/// The block and the place in it of the request named by param `u`.
fn request_place(ctx: &mut dyn Sandbox) -> Result<(u32, u16), VmError> {
    let id = request_param(ctx)?;
    let place = ctx
        .state_get(&request_key(&id))?
        .ok_or_else(|| VmError::param("u", format!("request {id} not found")))?;
    let (block, request) = place.split_at(place.len().min(4));
    let request = match request {
        [] => 0,
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => return Err(VmError::codec("stored request place")),
    };
    Ok((u32_from_bytes(block)?, request))
}

/// The stored receipts of block `index`, in order.
fn block_receipt_bytes(ctx: &mut dyn Sandbox, index: u32) -> Result<Vec<Vec<u8>>, VmError> {
    let mut out = Vec::new();
    for request in 0..=u16::MAX {
        match ctx.state_get(&receipt_key(index, request))? {
            Some(bytes) => out.push(bytes),
            None => break,
        }
    }
    Ok(out)
}

fn receipts_at(ctx: &mut dyn Sandbox, index: u32) -> Result<Vec<Receipt>, VmError> {
    block_receipt_bytes(ctx, index)?
        .iter()
        .map(|bytes| decode_receipt(bytes))
        .collect()
}

fn decode_receipt(bytes: &[u8]) -> Result<Receipt, VmError> {
    compact::decode_stored(bytes).map_err(|err| VmError::codec(format!("stored receipt: {err}")))
}

fn events(
    ctx: &mut dyn Sandbox,
    blocks: std::ops::RangeInclusive<u32>,
    contract: Option<Hname>,
) -> Result<Dict, VmError> {
    let mut payloads = Vec::new();
    for index in blocks {
        for receipt in receipts_at(ctx, index)? {
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

fn receipt_key(index: u32, request: u16) -> Vec<u8> {
    let mut key = [b"r".as_slice(), &index.to_be_bytes()].concat();
    if request > 0 {
        key.extend_from_slice(&request.to_be_bytes());
    }
    key
}

fn request_key(id: &RequestId) -> Vec<u8> {
    [b"q".as_slice(), id.as_bytes()].concat()
}

/// Records block `info` and its receipts (genesis has none), each in
/// `form`.
pub(crate) fn put_block(
    store: &mut Store,
    info: &BlockInfo,
    receipts: &[Receipt],
    form: ReceiptForm,
) {
    // Our types serialize infallibly (string keys, no non-finite floats):
    // an error would be a bug, and yields `{}`.
    let info_json = serde_json::to_vec(info).unwrap_or_else(|_| b"{}".to_vec());
    store.set(hname(), &block_key(info.index), info_json);
    for receipt in receipts {
        let request = receipt.request_index;
        store.set(
            hname(),
            &receipt_key(info.index, request),
            form.encode(receipt),
        );
        let mut place = info.index.to_le_bytes().to_vec();
        if request > 0 {
            place.extend_from_slice(&request.to_le_bytes());
        }
        store.set(hname(), &request_key(&receipt.request_id), place);
    }
    store.set(hname(), b"i", info.index.to_le_bytes().to_vec());
}

/// The receipts of block `index`, in order.
pub(crate) fn receipts(store: &Store, index: u32) -> Vec<Receipt> {
    (0..=u16::MAX)
        .map_while(|request| store.get(hname(), &receipt_key(index, request)))
        .filter_map(|bytes| decode_receipt(bytes).ok())
        .collect()
}

/// The info of block `index`.
pub(crate) fn block(store: &Store, index: u32) -> Option<BlockInfo> {
    store
        .get(hname(), &block_key(index))
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
}
