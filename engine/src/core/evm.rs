//! `evm`: the core contract the EVM lives in. Every EVM contract's state is
//! kept in its partition (the EVM processor's `state_partition`), as in
//! ISC; as a contract it answers ISC's `getChainID`. Signed Ethereum
//! transactions (`sendTransaction`) need a JSON-RPC client and L1 fees;
//! here EVM contracts are called by name through requests instead.

use super::NativeContract;
use crate::codec::Dict;
use crate::vm::{EntryPointInfo, FieldInfo, VmError};

pub(crate) const NAME: &str = "evm";

pub(crate) fn contract() -> NativeContract {
    NativeContract::new(NAME, "EVM contract")
        .with(
            EntryPointInfo::view("getChainID").results([FieldInfo::new("r", "Uint16")]),
            |_| {
                Ok(Dict::new().with(
                    "r",
                    crate::evm::DEFAULT_CHAIN_ID.to_le_bytes()[..2].to_vec(),
                ))
            },
        )
        .with(EntryPointInfo::func("sendTransaction"), |_| {
            Err(VmError::unsupported(
                "signed Ethereum transactions: request an EVM contract's function by its name instead",
            ))
        })
}
