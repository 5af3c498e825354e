//! The simulated L1 ledger: the users' wallets outside the chain.
//!
//! A one-process chain has no Tangle, so users' L1 funds are kept here, in a
//! reserved partition of the same store (hname 0, which root refuses to give
//! a contract). Keeping them in the store makes deposits and withdrawals
//! atomic with the rest of a request and puts them under the state hash.

use crate::Hname;
use crate::chain::store::Store;
use crate::codec::{Assets, u64_from_bytes, u64_to_bytes};
use crate::ids::AgentId;
use crate::vm::VmError;

/// The reserved partition of the L1 ledger.
pub(crate) const PARTITION: Hname = Hname::from_u32(0);

/// `user`'s L1 wallet balance.
pub(crate) fn balance(store: &Store, user: &AgentId) -> u64 {
    store
        .get(PARTITION, &user.to_bytes())
        .and_then(|bytes| u64_from_bytes(bytes).ok())
        .unwrap_or(0)
}

fn write(store: &mut Store, user: &AgentId, amount: u64) {
    if amount == 0 {
        store.delete(PARTITION, &user.to_bytes());
    } else {
        store.set(PARTITION, &user.to_bytes(), u64_to_bytes(amount));
    }
}

/// Adds to `user`'s wallet.
///
/// # Errors
/// [`VmError::Limit`] if the wallet would overflow (nothing changes).
pub(crate) fn credit(store: &mut Store, user: &AgentId, assets: Assets) -> Result<(), VmError> {
    let total = crate::core::accounts::add(balance(store, user), assets, user)?;
    write(store, user, total);
    Ok(())
}

/// Takes from `user`'s wallet.
///
/// # Errors
/// [`VmError::InsufficientFunds`].
pub(crate) fn debit(store: &mut Store, user: &AgentId, assets: Assets) -> Result<(), VmError> {
    let available = balance(store, user);
    let left =
        available
            .checked_sub(assets.base_tokens)
            .ok_or_else(|| VmError::InsufficientFunds {
                account: format!("L1 wallet {user}"),
                available,
                needed: assets.base_tokens,
            })?;
    write(store, user, left);
    Ok(())
}
