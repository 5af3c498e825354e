//! revm's `Database` over the chain: the EVM's accounts, code and storage
//! live in the `evm` core contract's partition, read and written through the
//! sandbox (so they are journaled, atomic and gas-metered like any state).
//!
//! Layout in the `evm` partition:
//! - `a` + address (20) → account: nonce (`u64` LE), code hash (32);
//! - `w` + address (20) → the wei below one base token (`u64` LE, absent
//!   when zero): an account's EVM balance is its chain account's base
//!   tokens × [`WEI_PER_BASE_TOKEN`] plus this remainder;
//! - `c` + code hash (32) → runtime bytecode;
//! - `s` + address (20) + slot (32, BE) → value (32, BE), absent when zero;
//! - `h` + hname (4, LE) → the address of the root-registered contract;
//! - `u` + address (20) → the agent id behind an address that is not an
//!   Ethereum account's own (users from genesis, registered contracts).

use crate::Hname;
use crate::codec::Assets;
use crate::ids::AgentId;
use crate::vm::{Sandbox, VmError};
use revm::bytecode::Bytecode;
use revm::database_interface::{DBErrorMarker, Database};
use revm::primitives::{Address, B256, Bytes, KECCAK_EMPTY, U256};
use revm::state::{AccountInfo, AccountStatus, EvmState};
use std::collections::BTreeMap;
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

fn remainder_key(address: &Address) -> Vec<u8> {
    [b"w".as_slice(), address.as_slice()].concat()
}

fn remainder(ctx: &mut dyn Sandbox, address: &Address) -> Result<u64, VmError> {
    Ok(ctx
        .state_get(&remainder_key(address))?
        .and_then(|bytes| crate::codec::u64_from_bytes(&bytes).ok())
        .unwrap_or(0))
}

/// Wei per base token: the base token has 6 decimals, ether 18.
pub const WEI_PER_BASE_TOKEN: u64 = 1_000_000_000_000;

/// The EVM's view of chain state during one call.
pub(crate) struct SandboxDb<'s> {
    pub(crate) ctx: &'s mut dyn Sandbox,
    /// The first sandbox failure (out of gas, typically).
    pub(crate) error: Option<VmError>,
    /// Each account's balance as it was loaded, in wei: what the
    /// settlement after the transaction compares against.
    pub(crate) loaded: BTreeMap<Address, U256>,
}

impl<'s> SandboxDb<'s> {
    pub(crate) fn new(ctx: &'s mut dyn Sandbox) -> Self {
        Self {
            ctx,
            error: None,
            loaded: BTreeMap::new(),
        }
    }

    /// `address`'s balance in wei: its chain account plus the remainder.
    fn balance(&mut self, address: &Address) -> Result<U256, VmError> {
        if super::addresses::is_magic(address) {
            return Ok(U256::ZERO);
        }
        let agent = super::address_agent(self.ctx, address)?;
        let base = self.ctx.balance_of(&agent)?.base_tokens;
        let remainder = remainder(self.ctx, address)?;
        Ok(U256::from(base) * U256::from(WEI_PER_BASE_TOKEN) + U256::from(remainder))
    }

    fn fail(&mut self, err: VmError) -> DbError {
        let message = err.to_string();
        self.error.get_or_insert(err);
        DbError(message)
    }

    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        self.ctx.state_get(key).map_err(|err| self.fail(err))
    }
}

/// `address`'s nonce as stored (0 for an account never seen).
pub(crate) fn nonce(ctx: &mut dyn Sandbox, address: &Address) -> Result<u64, VmError> {
    Ok(ctx
        .state_get(&account_key(address))?
        .as_deref()
        .and_then(decode_account)
        .map_or(0, |(nonce, _)| nonce))
}

/// Keeps `address`'s nonce one higher if the request fails: as on
/// Ethereum, a transaction that reverts or runs out of gas still uses up
/// its sender's nonce.
pub(crate) fn use_nonce_on_failure(
    ctx: &mut dyn Sandbox,
    address: &Address,
) -> Result<(), VmError> {
    let record = ctx.state_get(&account_key(address))?;
    let (nonce, code_hash) = record
        .as_deref()
        .and_then(decode_account)
        .unwrap_or((0, KECCAK_EMPTY));
    let bumped = AccountInfo {
        nonce: nonce.saturating_add(1),
        code_hash,
        ..AccountInfo::default()
    };
    ctx.state_set_on_failure(&account_key(address), &encode_account(&bumped))
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

/// The EVM accounts that hold code — every contract, named or created by
/// another — from the items of the `evm` partition: each address and its
/// code hash, in address order.
pub fn code_accounts(evm_state: &[(Vec<u8>, Vec<u8>)]) -> Vec<([u8; 20], [u8; 32])> {
    evm_state
        .iter()
        .filter_map(|(key, value)| {
            let address = <[u8; 20]>::try_from(key.strip_prefix(b"a")?).ok()?;
            let (_, code_hash) = decode_account(value)?;
            (code_hash != KECCAK_EMPTY).then_some((address, code_hash.0))
        })
        .collect()
}

/// An EVM account as Ethereum's JSON-RPC reads it, from the items of the
/// `evm` partition (its balance is its owner's chain account, plus
/// `remainder_wei`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    /// Its nonce.
    pub nonce: u64,
    /// Its code (empty for a user's account).
    pub code: Vec<u8>,
    /// Whose chain account holds its base tokens: a user, a named
    /// contract, or the Ethereum account itself.
    pub owner: crate::ids::AgentId,
    /// Wei below one base token.
    pub remainder_wei: u64,
}

fn item<'a>(evm_state: &'a [(Vec<u8>, Vec<u8>)], key: &[u8]) -> Option<&'a [u8]> {
    evm_state
        .binary_search_by(|(k, _)| k.as_slice().cmp(key))
        .ok()
        .map(|i| evm_state[i].1.as_slice())
}

/// The account at `address`, from the `evm` partition's items (sorted by
/// key, as [`crate::Chain::contract_state`] gives them).
pub fn account_state(evm_state: &[(Vec<u8>, Vec<u8>)], address: [u8; 20]) -> AccountState {
    let address = Address::from(address);
    let (nonce, code_hash) = item(evm_state, &account_key(&address))
        .and_then(decode_account)
        .unwrap_or((0, KECCAK_EMPTY));
    let code = if code_hash == KECCAK_EMPTY {
        Vec::new()
    } else {
        item(evm_state, &code_key(&code_hash))
            .unwrap_or_default()
            .to_vec()
    };
    let owner = item(evm_state, &owner_key(&address))
        .and_then(|bytes| crate::ids::AgentId::from_bytes(bytes).ok())
        .unwrap_or(crate::ids::AgentId::Ethereum(address.0.0));
    let remainder_wei = item(evm_state, &remainder_key(&address))
        .and_then(|bytes| crate::codec::u64_from_bytes(bytes).ok())
        .unwrap_or(0);
    AccountState {
        nonce,
        code,
        owner,
        remainder_wei,
    }
}

/// The EVM address recorded for root-registered contract `hname`, from
/// the `evm` partition's items (sorted by key).
pub fn contract_address(evm_state: &[(Vec<u8>, Vec<u8>)], hname: Hname) -> Option<[u8; 20]> {
    item(evm_state, &contract_key(hname)).and_then(|bytes| <[u8; 20]>::try_from(bytes).ok())
}

/// Storage slot `slot` (big-endian) of `address`, from the `evm`
/// partition's items: zero if never written.
pub fn storage_slot(
    evm_state: &[(Vec<u8>, Vec<u8>)],
    address: [u8; 20],
    slot: [u8; 32],
) -> [u8; 32] {
    let key = slot_key(&Address::from(address), &U256::from_be_bytes(slot));
    item(evm_state, &key)
        .map(|bytes| U256::from_be_slice(bytes).to_be_bytes::<32>())
        .unwrap_or([0; 32])
}

/// An account record: nonce and code hash (the balance lives in the
/// chain's accounts).
fn decode_account(bytes: &[u8]) -> Option<(u64, B256)> {
    let (nonce, code_hash) = bytes.split_first_chunk::<8>()?;
    (code_hash.len() == 32).then(|| (u64::from_le_bytes(*nonce), B256::from_slice(code_hash)))
}

fn encode_account(info: &AccountInfo) -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    out.extend_from_slice(&info.nonce.to_le_bytes());
    out.extend_from_slice(info.code_hash.as_slice());
    out
}

/// The keccak-256 of the magic contract's code (`0xfe`), computed once.
static MAGIC_CODE_HASH: std::sync::LazyLock<B256> =
    std::sync::LazyLock::new(|| revm::primitives::keccak256(super::addresses::MAGIC_CODE));

impl Database for SandboxDb<'_> {
    type Error = DbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, DbError> {
        if super::addresses::is_magic(&address) {
            let code = Bytecode::new_raw(Bytes::from_static(&super::addresses::MAGIC_CODE));
            return Ok(Some(AccountInfo {
                code_hash: *MAGIC_CODE_HASH,
                code: Some(code),
                ..AccountInfo::default()
            }));
        }
        let record = self.get(&account_key(&address))?;
        let balance = match self.balance(&address) {
            Ok(balance) => balance,
            Err(err) => return Err(self.fail(err)),
        };
        self.loaded.insert(address, balance);
        let info = match record.as_deref().and_then(decode_account) {
            Some((nonce, code_hash)) => AccountInfo {
                balance,
                nonce,
                code_hash,
                code: None,
                ..AccountInfo::default()
            },
            None if balance.is_zero() => return Ok(None),
            None => AccountInfo::from_balance(balance),
        };
        Ok(Some(info))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, DbError> {
        if code_hash == KECCAK_EMPTY {
            return Ok(Bytecode::default());
        }
        if code_hash == *MAGIC_CODE_HASH {
            return Ok(Bytecode::new_raw(Bytes::from_static(
                &super::addresses::MAGIC_CODE,
            )));
        }
        let code = self.get(&code_key(&code_hash))?.unwrap_or_default();
        // Analysed once per code (the key is the code's own hash).
        Ok(super::memo::bytecode(code_hash, || code))
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

/// Moves the chain tokens behind the transaction's balance changes: each
/// account whose balance fell pays the `evm` core contract's account (the
/// reserve behind the sub-token remainders), which then pays each account
/// whose balance rose.
fn settle(ctx: &mut dyn Sandbox, changes: &[(Address, U256, U256)]) -> Result<(), VmError> {
    let reserve = AgentId::Contract {
        chain: ctx.chain_id(),
        hname: crate::evm::partition(),
    };
    let wei = U256::from(WEI_PER_BASE_TOKEN);
    let mut credits = Vec::new();
    for (address, before, after) in changes {
        let base = |value: &U256| {
            u64::try_from(value / wei).map_err(|_| {
                VmError::panic(format!(
                    "{address}: a balance beyond the base token's supply"
                ))
            })
        };
        let (old, new) = (base(before)?, base(after)?);
        let rest = u64::try_from(after % wei).unwrap_or(0);
        let key = remainder_key(address);
        if rest == 0 {
            ctx.state_delete(&key)?;
        } else {
            ctx.state_set(&key, &rest.to_le_bytes())?;
        }
        let agent = super::address_agent(ctx, address)?;
        if new < old {
            ctx.settle(&agent, &reserve, Assets::base(old - new))?;
        } else if new > old {
            credits.push((agent, new - old));
        }
    }
    for (agent, amount) in credits {
        ctx.settle(&reserve, &agent, Assets::base(amount))?;
    }
    Ok(())
}

/// Writes the changes of one transaction into the `evm` partition, in
/// address and slot order (so gas and journal do not depend on hash order),
/// and settles its value transfers in the chain's accounts.
pub(crate) fn commit(
    ctx: &mut dyn Sandbox,
    state: EvmState,
    loaded: &BTreeMap<Address, U256>,
) -> Result<(), VmError> {
    let mut accounts: Vec<_> = state
        .into_iter()
        .filter(|(_, account)| account.status.contains(AccountStatus::Touched))
        .collect();
    accounts.sort_by_key(|(address, _)| *address);
    let changes: Vec<_> = accounts
        .iter()
        .filter(|(address, _)| !super::addresses::is_magic(address))
        .filter_map(|(address, account)| {
            let before = loaded.get(address).copied().unwrap_or(U256::ZERO);
            (before != account.info.balance).then_some((*address, before, account.info.balance))
        })
        .collect();
    settle(ctx, &changes)?;
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
