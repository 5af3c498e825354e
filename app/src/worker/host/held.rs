//! What a reader of the chain already holds, so that only what follows it
//! is sent or read again: the page's view of the receipts and the session,
//! and the worker's own scan of the receipts for created contracts.
//!
//! A reader holds blocks `0..=n`, each known by the state hash after it.
//! A state hash covers the whole state, the blocklog's receipts included,
//! so the chain still has a block the reader holds exactly when its state
//! hash there is the same; after a revert (time travel) and new requests,
//! the last such block is where the reader's history and the chain's part.

use isc_engine::{Chain, StateHash};

/// The blocks a reader holds, by their state hashes (index = block).
#[derive(Debug, Default)]
pub(crate) struct Held {
    hashes: Vec<StateHash>,
}

impl Held {
    /// Catches the reader up with `chain`; returns the last block it held
    /// that the chain still has (`None`: nothing, e.g. another session was
    /// opened). Costs the blocks added, plus those dropped by a revert.
    pub(crate) fn catch_up(&mut self, chain: &Chain) -> Option<u32> {
        let top = self.hashes.len().min(chain.block_index() as usize + 1);
        let common = (0..top)
            .rev()
            .find(|&index| chain.state_hash_at(index as u32) == Some(self.hashes[index]));
        let keep = common.map_or(0, |index| index + 1);
        self.hashes.truncate(keep);
        self.hashes
            .extend((keep as u32..=chain.block_index()).filter_map(|i| chain.state_hash_at(i)));
        common.map(|index| index as u32)
    }

    /// The reader holds nothing (it will be sent everything).
    pub(crate) fn forget(&mut self) {
        self.hashes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isc_engine::{AgentId, ChainConfig, Request};

    fn deposit(chain: &mut Chain, from: &str) {
        let receipt = chain
            .post(Request::new(AgentId::user(from), "accounts", "deposit"))
            .expect("accepted");
        assert!(receipt.is_success(), "{:?}", receipt.error);
    }

    #[test]
    fn a_reader_holds_up_to_where_its_history_and_the_chains_part() {
        let mut chain = Chain::new(ChainConfig::default());
        let mut held = Held::default();
        assert_eq!(held.catch_up(&chain), None, "a new reader holds nothing");
        assert_eq!(held.catch_up(&chain), Some(0));
        for _ in 0..5 {
            deposit(&mut chain, "alice");
        }
        assert_eq!(held.catch_up(&chain), Some(0));
        assert_eq!(held.catch_up(&chain), Some(5));
        chain.revert_to(2).expect("reverts");
        deposit(&mut chain, "alice");
        assert_eq!(
            held.catch_up(&chain),
            Some(3),
            "the same request again makes the same block"
        );
        deposit(&mut chain, "bob");
        deposit(&mut chain, "bob");
        assert_eq!(held.catch_up(&chain), Some(3), "blocks 4.. were replaced");
        assert_eq!(held.catch_up(&chain), Some(5));
        let other = Chain::new(ChainConfig {
            l2_funds: 7,
            ..ChainConfig::default()
        });
        assert_eq!(held.catch_up(&other), None, "another chain's genesis");
        held.forget();
        assert_eq!(held.catch_up(&chain), None);
    }
}
