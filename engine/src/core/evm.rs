//! `evm`: the core contract the EVM lives in. Every EVM contract's state is
//! kept in its partition (the EVM processor's `state_partition`), as in
//! ISC; as a contract it answers ISC's `getChainID`. Any EVM address can be
//! called through it — a contract another one created, a clone, an address
//! learnt at run time: `callAddress` (a func: a transaction from the
//! caller, committed) and `callContract` (a view: ISC's `eth_call`), with
//! the address in `a` (20 bytes), the calldata in `i` and the value in
//! `evm.value`; the return data is `o`. `createContract` creates a
//! contract from the caller with creation code `i` (and `evm.value`), as an
//! Ethereum transaction without a recipient does: `o` is its address, and
//! it has no ISC name. Signed Ethereum transactions
//! (`sendTransaction`) need a JSON-RPC client and L1 fees; here the
//! request's sender is the transaction's.

use super::NativeContract;
use crate::codec::Dict;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError};

pub(crate) const NAME: &str = "evm";

/// The `evm` contract's hname: its partition holds every EVM account.
pub(crate) fn hname() -> crate::Hname {
    crate::evm::partition()
}

pub(crate) fn contract() -> NativeContract {
    let params = || [FieldInfo::new("a", "Bytes"), FieldInfo::new("i", "Bytes")];
    NativeContract::new(NAME, "EVM contract")
        // Its calls run EVM transactions on the host's stack.
        .stack_cost(4)
        .with(
            EntryPointInfo::view("getChainID").results([FieldInfo::new("r", "Uint16")]),
            |_| {
                Ok(Dict::new().with(
                    "r",
                    crate::evm::DEFAULT_CHAIN_ID.to_le_bytes()[..2].to_vec(),
                ))
            },
        )
        .with(
            EntryPointInfo::func("callAddress")
                .payable(true)
                .params(params())
                .results([FieldInfo::new("o", "Bytes")]),
            call_address,
        )
        .with(
            EntryPointInfo::view("callContract")
                .params(params())
                .results([FieldInfo::new("o", "Bytes")]),
            call_address,
        )
        .with(
            EntryPointInfo::func("createContract")
                .payable(true)
                .params([FieldInfo::new("i", "Bytes")])
                .results([FieldInfo::new("o", "Bytes")]),
            create_contract,
        )
        .with(EntryPointInfo::func("sendTransaction"), |_| {
            Err(VmError::unsupported(
                "signed Ethereum transactions: request an EVM contract's function by its name, \
                 or call its address through `evm.callAddress`",
            ))
        })
}

/// `callAddress`/`callContract`: calldata `i` to the EVM address `a`, from
/// the caller; the return data.
fn call_address(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let to = ctx
        .params()
        .get("a")
        .and_then(|bytes| <[u8; 20]>::try_from(bytes).ok())
        .ok_or_else(|| VmError::param("a", "an EVM address: 20 bytes"))?;
    let input = ctx
        .params()
        .get("i")
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let output = crate::evm::call_address(ctx, to, input)?;
    Ok(Dict::new().with("o", output))
}

/// `createContract`: a CREATE from the caller with creation code `i`; the
/// new contract's address.
fn create_contract(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let code = ctx
        .params()
        .get("i")
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    if code.is_empty() {
        return Err(VmError::param("i", "creation code is required"));
    }
    let address = crate::evm::create_from_caller(ctx, code)?;
    Ok(Dict::new().with("o", address))
}
