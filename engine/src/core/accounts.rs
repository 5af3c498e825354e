//! `accounts`: the chain's ledger of on-chain (L2) balances.
//!
//! State layout (inside the `accounts` partition):
//! - `b` + agent id bytes → base-token balance (`u64` LE), absent when zero;
//! - `t` → total base tokens on the chain (`u64` LE);
//! - `n` + agent id bytes → the agent's request nonce (`u64` LE).

use super::{NativeContract, agent_param, unsupported};
use crate::Hname;
use crate::chain::store::Store;
use crate::codec::{Assets, Dict, u64_from_bytes, u64_to_bytes};
use crate::ids::AgentId;
use crate::vm::{EntryPointInfo, FieldInfo, Sandbox, VmError};

pub(crate) const NAME: &str = "accounts";

pub(crate) fn hname() -> Hname {
    // `Hname::of(NAME)`, known (the chain asks for it on every request;
    // `core::tests` checks it).
    Hname::from_u32(0x3c4b5e02)
}

pub(crate) fn contract() -> NativeContract {
    let agent = || FieldInfo::new("a", "AgentID");
    let base = || FieldInfo::new("B", "Uint64");
    NativeContract::new(NAME, "Chain account ledger contract")
        .with(EntryPointInfo::func("deposit"), |_| Ok(Dict::new()))
        .with(EntryPointInfo::func("withdraw"), withdraw)
        .with(
            EntryPointInfo::func("transferAllowanceTo").params([agent()]),
            transfer_allowance_to,
        )
        .with(EntryPointInfo::func("harvest"), |_| {
            Err(unsupported(
                "accounts.harvest: gas fees go straight to the chain owner's account",
            ))
        })
        .with(EntryPointInfo::func("foundryCreateNew"), |_| {
            Err(unsupported("accounts.foundryCreateNew: foundries need L1"))
        })
        .with(EntryPointInfo::func("foundryDestroy"), |_| {
            Err(unsupported("accounts.foundryDestroy: foundries need L1"))
        })
        .with(EntryPointInfo::func("foundryModifySupply"), |_| {
            Err(unsupported(
                "accounts.foundryModifySupply: foundries need L1",
            ))
        })
        .with(
            EntryPointInfo::view("balance")
                .params([agent()])
                .results([base()]),
            balance_view,
        )
        .with(
            EntryPointInfo::view("balanceBaseToken")
                .params([agent()])
                .results([base()]),
            balance_view,
        )
        .with(EntryPointInfo::view("balanceNativeToken"), |_| {
            Err(unsupported("native tokens"))
        })
        .with(
            EntryPointInfo::view("totalAssets").results([base()]),
            |ctx| {
                let total = ctx.state_get(b"t")?.unwrap_or_default();
                Ok(Dict::new().with("B", u64_to_bytes(u64_from_bytes(&total)?)))
            },
        )
        .with(EntryPointInfo::view("accounts"), |ctx| {
            // WasmLib's `this` map: agent id bytes → presence.
            Ok(ctx
                .state_prefix(b"b")?
                .into_iter()
                .map(|(key, _)| (key[1..].to_vec(), vec![1]))
                .collect())
        })
        .with(
            EntryPointInfo::view("getAccountNonce")
                .params([agent()])
                .results([FieldInfo::new("n", "Uint64")]),
            |ctx| {
                let agent = agent_param(ctx, "a")?;
                let nonce = ctx.state_get(&nonce_key(&agent))?.unwrap_or_default();
                Ok(Dict::new().with("n", u64_to_bytes(u64_from_bytes(&nonce)?)))
            },
        )
        .with(EntryPointInfo::view("getNativeTokenIDRegistry"), |_| {
            Ok(Dict::new())
        })
        .with(EntryPointInfo::view("foundryOutput"), |_| {
            Err(unsupported("foundries need L1"))
        })
        .with(EntryPointInfo::view("accountNFTs"), |_| {
            Err(unsupported("NFTs need L1"))
        })
        .with(EntryPointInfo::view("nftData"), |_| {
            Err(unsupported("NFTs need L1"))
        })
}

/// Moves the caller's allowance back to its L1 wallet.
fn withdraw(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let caller = ctx.caller();
    if !matches!(caller, AgentId::User(_)) {
        return Err(unsupported(
            "accounts.withdraw by a contract: only users have an L1 wallet here",
        ));
    }
    let amount = ctx.allowance();
    if amount.is_empty() {
        return Err(VmError::panic(
            "nothing to withdraw: set an allowance of the tokens to withdraw",
        ));
    }
    let own = ctx.account_id();
    ctx.transfer_allowed(&own, amount)?;
    ctx.send_to_l1(&caller, amount)?;
    Ok(Dict::new())
}

fn transfer_allowance_to(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let target = agent_param(ctx, "a")?;
    let amount = ctx.allowance();
    ctx.transfer_allowed(&target, amount)?;
    Ok(Dict::new())
}

fn balance_view(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    let agent = agent_param(ctx, "a")?;
    let value = ctx.state_get(&balance_key(&agent))?.unwrap_or_default();
    Ok(Dict::new().with("B", u64_to_bytes(u64_from_bytes(&value)?)))
}

fn balance_key(agent: &AgentId) -> Vec<u8> {
    let mut key = b"b".to_vec();
    key.extend_from_slice(&agent.to_bytes());
    key
}

fn nonce_key(agent: &AgentId) -> Vec<u8> {
    let mut key = b"n".to_vec();
    key.extend_from_slice(&agent.to_bytes());
    key
}

fn read_u64(store: &Store, key: &[u8]) -> u64 {
    // The chain writes these keys itself, always 8 bytes.
    store
        .get(hname(), key)
        .and_then(|bytes| u64_from_bytes(bytes).ok())
        .unwrap_or(0)
}

/// `agent`'s on-chain balance.
pub(crate) fn balance(store: &Store, agent: &AgentId) -> Assets {
    Assets::base(read_u64(store, &balance_key(agent)))
}

/// Total base tokens held on the chain.
pub(crate) fn total(store: &Store) -> u64 {
    read_u64(store, b"t")
}

fn write_balance(store: &mut Store, agent: &AgentId, amount: u64) {
    if amount == 0 {
        store.delete(hname(), &balance_key(agent));
    } else {
        store.set(hname(), &balance_key(agent), u64_to_bytes(amount));
    }
}

/// Adds tokens that enter the chain (deposits, genesis).
///
/// # Errors
/// [`VmError::Limit`] if the account or the chain's total would overflow
/// (nothing is changed then).
pub(crate) fn mint(store: &mut Store, agent: &AgentId, assets: Assets) -> Result<(), VmError> {
    let balance = add(balance(store, agent).base_tokens, assets, agent)?;
    let total = add(total(store), assets, agent)?;
    write_balance(store, agent, balance);
    store.set(hname(), b"t", u64_to_bytes(total));
    Ok(())
}

/// `amount + assets`, or an overflow error naming `agent`.
pub(crate) fn add(amount: u64, assets: Assets, agent: &AgentId) -> Result<u64, VmError> {
    amount.checked_add(assets.base_tokens).ok_or_else(|| {
        VmError::limit(format!(
            "adding {} base tokens for {agent} overflows a u64",
            assets.base_tokens
        ))
    })
}

/// Removes tokens that leave the chain (withdrawals to L1).
///
/// # Errors
/// [`VmError::InsufficientFunds`].
pub(crate) fn burn(store: &mut Store, agent: &AgentId, assets: Assets) -> Result<(), VmError> {
    debit(store, agent, assets)?;
    let total = total(store).saturating_sub(assets.base_tokens);
    store.set(hname(), b"t", u64_to_bytes(total));
    Ok(())
}

fn debit(store: &mut Store, agent: &AgentId, assets: Assets) -> Result<(), VmError> {
    let left = debit_amount(store, agent, assets)?;
    write_balance(store, agent, left);
    Ok(())
}

/// What `agent` would hold after giving `assets`.
fn debit_amount(store: &Store, agent: &AgentId, assets: Assets) -> Result<u64, VmError> {
    let available = balance(store, agent).base_tokens;
    available
        .checked_sub(assets.base_tokens)
        .ok_or_else(|| VmError::InsufficientFunds {
            account: agent.to_string(),
            available,
            needed: assets.base_tokens,
        })
}

/// Moves tokens between two on-chain accounts.
///
/// # Errors
/// [`VmError::InsufficientFunds`].
pub(crate) fn transfer(
    store: &mut Store,
    from: &AgentId,
    to: &AgentId,
    assets: Assets,
) -> Result<(), VmError> {
    if assets.is_empty() {
        return Ok(());
    }
    if from == to {
        // Moving tokens to oneself changes nothing, if they are there.
        return debit_amount(store, from, assets).map(|_| ());
    }
    // Both sides are checked before either is written.
    let credited = add(balance(store, to).base_tokens, assets, to)?;
    let left = debit_amount(store, from, assets)?;
    write_balance(store, from, left);
    write_balance(store, to, credited);
    Ok(())
}

/// `agent`'s request nonce.
pub(crate) fn nonce(store: &Store, agent: &AgentId) -> u64 {
    read_u64(store, &nonce_key(agent))
}

/// Increments `agent`'s request nonce.
pub(crate) fn bump_nonce(store: &mut Store, agent: &AgentId) {
    let next = nonce(store, agent).saturating_add(1);
    store.set(hname(), &nonce_key(agent), u64_to_bytes(next));
}
