//! The chain: its key/value state and the hash over it.

use crate::Hname;
use crate::hname::Blake2b256;
use blake2::Digest;
use std::collections::BTreeMap;
use std::fmt;

/// The chain's state: one ordered key/value store in which each contract owns
/// the keys under its hname prefix.
///
/// Iteration is in key order, so [`Chain::state_hash`] is the same on every
/// machine for the same content.
#[derive(Debug, Default, Clone)]
pub struct Chain {
    state: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Chain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` in `contract`'s partition.
    pub fn set(&mut self, contract: Hname, key: &[u8], value: Vec<u8>) {
        self.state.insert(partition_key(contract, key), value);
    }

    /// Reads `key` from `contract`'s partition.
    pub fn get(&self, contract: Hname, key: &[u8]) -> Option<&[u8]> {
        self.state
            .get(&partition_key(contract, key))
            .map(Vec::as_slice)
    }

    /// The number of keys in the whole state.
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// Whether the state holds no key at all.
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Blake2b-256 over every key and value in key order, each length-prefixed
    /// so that no two different states hash the same bytes.
    pub fn state_hash(&self) -> StateHash {
        let mut hasher = Blake2b256::new();
        hasher.update((self.state.len() as u64).to_le_bytes());
        for (key, value) in &self.state {
            hasher.update((key.len() as u64).to_le_bytes());
            hasher.update(key);
            hasher.update((value.len() as u64).to_le_bytes());
            hasher.update(value);
        }
        StateHash(hasher.finalize().into())
    }
}

fn partition_key(contract: Hname, key: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(4 + key.len());
    full.extend_from_slice(&contract.to_bytes());
    full.extend_from_slice(key);
    full
}

/// A digest of the whole chain state.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateHash([u8; 32]);

impl StateHash {
    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for StateHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for StateHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateHash({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_do_not_see_each_other() {
        let mut chain = Chain::new();
        chain.set(Hname::of("a"), b"k", vec![1]);
        assert_eq!(chain.get(Hname::of("a"), b"k"), Some(&[1u8][..]));
        assert_eq!(chain.get(Hname::of("b"), b"k"), None);
    }

    #[test]
    fn state_hash_depends_on_content_not_insertion_order() {
        let mut one = Chain::new();
        one.set(Hname::of("a"), b"x", vec![1]);
        one.set(Hname::of("a"), b"y", vec![2]);
        let mut two = Chain::new();
        two.set(Hname::of("a"), b"y", vec![2]);
        two.set(Hname::of("a"), b"x", vec![1]);
        assert_eq!(one.state_hash(), two.state_hash());

        two.set(Hname::of("a"), b"y", vec![3]);
        assert_ne!(one.state_hash(), two.state_hash());
        assert_ne!(Chain::new().state_hash(), one.state_hash());
    }

    #[test]
    fn length_prefixes_keep_key_value_boundaries_apart() {
        let mut one = Chain::new();
        one.set(Hname::from_u32(0), b"ab", vec![b'c']);
        let mut two = Chain::new();
        two.set(Hname::from_u32(0), b"a", b"bc".to_vec());
        assert_ne!(one.state_hash(), two.state_hash());
    }
}
