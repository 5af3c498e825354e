//! revm's `Database` over the chain: the EVM's accounts, code and storage
//! live in the `evm` core contract's partition, read and written through the
//! sandbox (so they are journaled, atomic and gas-metered like any state).
//!
//! Layout in the `evm` partition:
//! - `a` + address (20) → account: nonce (`u64` LE), code hash (32),
//!   balance (32, big-endian);
//! - `c` + code hash (32) → runtime bytecode;
//! - `s` + address (20) + slot (32, BE) → value (32, BE), absent when zero;
//! - `h` + hname (4, LE) → the address of the root-registered contract;
//! - `u` + address (20) → the agent id behind an address that is not an
//!   Ethereum account's own (users from genesis, registered contracts).

use crate::Hname;
use crate::vm::{Sandbox, VmError};
use revm::bytecode::Bytecode;
use revm::database_interface::{DBErrorMarker, Database};
use revm::primitives::{Address, B256, Bytes, KECCAK_EMPTY, U256};
use revm::state::{AccountInfo, AccountStatus, EvmState};
use std::fmt;

/// A database error: the real [`VmError`] is kept in [`SandboxDb::error`].
#[derive(Debug)]
pub(crate) struct DbError(String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}
impl DBErrorMarker for DbError {}

/// The EVM's view of chain state during one call.
pub(crate) struct SandboxDb<'s> {
    pub(crate) ctx: &'s mut dyn Sandbox,
    /// The first sandbox failure (out of gas, typically).
    pub(crate) error: Option<VmError>,
}

impl SandboxDb<'_> {
    fn fail(&mut self, err: VmError) -> DbError {
        let message = err.to_string();
        self.error.get_or_insert(err);
        DbError(message)
    }

    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        self.ctx.state_get(key).map_err(|err| self.fail(err))
    }
}

fn account_key(address: &Address) -> Vec<u8> {
    [b"a".as_slice(), address.as_slice()].concat()
}

fn code_key(hash: &B256) -> Vec<u8> {
    [b"c".as_slice(), hash.as_slice()].concat()
}

fn slot_key(address: &Address, slot: &U256) -> Vec<u8> {
    [
        b"s".as_slice(),
        address.as_slice(),
        &slot.to_be_bytes::<32>(),
    ]
    .concat()
}

/// Where the address of root-registered contract `hname` is kept.
pub(crate) fn contract_key(hname: Hname) -> Vec<u8> {
    [b"h".as_slice(), &hname.to_bytes()].concat()
}

/// Where the agent behind `address` is recorded.
pub(crate) fn owner_key(address: &Address) -> Vec<u8> {
    [b"u".as_slice(), address.as_slice()].concat()
}

fn decode_account(bytes: &[u8]) -> Option<AccountInfo> {
    if bytes.len() != 72 {
        return None;
    }
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&bytes[..8]);
    let code_hash = B256::from_slice(&bytes[8..40]);
    let balance = U256::from_be_slice(&bytes[40..72]);
    Some(AccountInfo {
        balance,
        nonce: u64::from_le_bytes(nonce),
        code_hash,
        code: None,
        ..AccountInfo::default()
    })
}

fn encode_account(info: &AccountInfo) -> Vec<u8> {
    let mut out = Vec::with_capacity(72);
    out.extend_from_slice(&info.nonce.to_le_bytes());
    out.extend_from_slice(info.code_hash.as_slice());
    out.extend_from_slice(&info.balance.to_be_bytes::<32>());
    out
}

impl Database for SandboxDb<'_> {
    type Error = DbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, DbError> {
        if super::magic::is_magic(&address) {
            let code = Bytecode::new_raw(Bytes::from_static(&super::magic::MAGIC_CODE));
            return Ok(Some(AccountInfo {
                code_hash: code.hash_slow(),
                code: Some(code),
                ..AccountInfo::default()
            }));
        }
        Ok(self
            .get(&account_key(&address))?
            .as_deref()
            .and_then(decode_account))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, DbError> {
        if code_hash == KECCAK_EMPTY {
            return Ok(Bytecode::default());
        }
        let magic = Bytecode::new_raw(Bytes::from_static(&super::magic::MAGIC_CODE));
        if code_hash == magic.hash_slow() {
            return Ok(magic);
        }
        let code = self.get(&code_key(&code_hash))?.unwrap_or_default();
        Ok(Bytecode::new_raw(Bytes::from(code)))
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, DbError> {
        Ok(self
            .get(&slot_key(&address, &index))?
            .map(|bytes| U256::from_be_slice(&bytes))
            .unwrap_or(U256::ZERO))
    }

    fn block_hash(&mut self, _number: u64) -> Result<B256, DbError> {
        // The playground keeps no EVM block hashes; BLOCKHASH reads zero.
        Ok(B256::ZERO)
    }
}

/// Writes the changes of one transaction into the `evm` partition, in
/// address and slot order (so gas and journal do not depend on hash order).
pub(crate) fn commit(ctx: &mut dyn Sandbox, state: EvmState) -> Result<(), VmError> {
    let mut accounts: Vec<_> = state
        .into_iter()
        .filter(|(_, account)| account.status.contains(AccountStatus::Touched))
        .collect();
    accounts.sort_by_key(|(address, _)| *address);
    for (address, account) in accounts {
        if account.status.contains(AccountStatus::SelfDestructed) {
            ctx.state_delete(&account_key(&address))?;
            let prefix = [b"s".as_slice(), address.as_slice()].concat();
            for (key, _) in ctx.state_prefix(&prefix)? {
                ctx.state_delete(&key)?;
            }
            continue;
        }
        if let Some(code) = &account.info.code
            && !code.is_empty()
        {
            let key = code_key(&account.info.code_hash);
            if ctx.state_get(&key)?.is_none() {
                ctx.state_set(&key, &code.original_bytes())?;
            }
        }
        ctx.state_set(&account_key(&address), &encode_account(&account.info))?;
        let mut slots: Vec<_> = account
            .storage
            .iter()
            .filter(|(_, slot)| slot.is_changed())
            .collect();
        slots.sort_by_key(|(slot, _)| **slot);
        for (slot, value) in slots {
            let key = slot_key(&address, slot);
            if value.present_value.is_zero() {
                ctx.state_delete(&key)?;
            } else {
                ctx.state_set(&key, &value.present_value.to_be_bytes::<32>())?;
            }
        }
    }
    Ok(())
}
