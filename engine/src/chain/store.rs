//! The key/value state store, with a journal for atomic calls.
//!
//! Writes apply at once and record the value they replaced; a checkpoint is a
//! position in that journal, and rolling back to it restores every value
//! written since. Nested calls take a checkpoint each, so a failed inner call
//! undoes exactly its own changes. A block's journal is kept as its undo log,
//! which is how the chain reverts to an earlier block.

use crate::Hname;
use crate::hname::Blake2b256;
use blake2::Digest;
use std::collections::BTreeMap;
use std::fmt;

/// One undo entry: a key and the value it had before (absent = `None`).
pub(crate) type Undo = (Vec<u8>, Option<Vec<u8>>);

/// The chain's whole key/value state. Each contract's keys start with its
/// 4-byte hname.
#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    journal: Vec<Undo>,
}

/// A position in the journal to roll back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checkpoint(usize);

impl Store {
    pub(crate) fn get(&self, contract: Hname, key: &[u8]) -> Option<&[u8]> {
        self.state
            .get(&partition_key(contract, key))
            .map(Vec::as_slice)
    }

    pub(crate) fn set(&mut self, contract: Hname, key: &[u8], value: Vec<u8>) {
        let full = partition_key(contract, key);
        let old = self.state.insert(full.clone(), value);
        self.journal.push((full, old));
    }

    pub(crate) fn delete(&mut self, contract: Hname, key: &[u8]) {
        let full = partition_key(contract, key);
        if let Some(old) = self.state.remove(&full) {
            self.journal.push((full, Some(old)));
        }
    }

    /// The items of `contract` whose key starts with `prefix`, without the
    /// partition prefix.
    pub(crate) fn prefix(&self, contract: Hname, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let start = partition_key(contract, prefix);
        self.state
            .range(start.clone()..)
            .take_while(|(key, _)| key.starts_with(&start))
            .map(|(key, value)| (key[4..].to_vec(), value.clone()))
            .collect()
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.journal.len())
    }

    /// Undoes every write since `checkpoint`.
    pub(crate) fn rollback(&mut self, checkpoint: Checkpoint) {
        let undo = self.journal.split_off(checkpoint.0);
        self.apply_undo(undo);
    }

    /// Takes the journal (the undo log of everything since the last call).
    pub(crate) fn take_journal(&mut self) -> Vec<Undo> {
        std::mem::take(&mut self.journal)
    }

    /// Applies an undo log, newest entry first.
    pub(crate) fn apply_undo(&mut self, undo: Vec<Undo>) {
        for (key, old) in undo.into_iter().rev() {
            match old {
                Some(value) => self.state.insert(key, value),
                None => self.state.remove(&key),
            };
        }
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.state.len()
    }

    /// Every item, sorted by full key.
    pub(crate) fn items(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.state.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// blake2b-256 over the item count and every key and value, each
    /// length-prefixed, in key order.
    pub(crate) fn hash(&self) -> StateHash {
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

/// The hash of the whole chain state after a block.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateHash(pub(crate) [u8; 32]);

impl StateHash {
    /// The 32 bytes.
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

impl serde::Serialize for StateHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str) -> Hname {
        Hname::of(name)
    }

    #[test]
    fn partitions_do_not_see_each_other() {
        let mut store = Store::default();
        store.set(h("a"), b"k", vec![1]);
        assert_eq!(store.get(h("a"), b"k"), Some(&[1u8][..]));
        assert_eq!(store.get(h("b"), b"k"), None);
        assert_eq!(store.prefix(h("a"), b""), vec![(b"k".to_vec(), vec![1])]);
        assert!(store.prefix(h("b"), b"").is_empty());
    }

    #[test]
    fn rollback_restores_exactly_the_changes_since_the_checkpoint() {
        let mut store = Store::default();
        store.set(h("a"), b"x", vec![1]);
        let before = store.hash();
        let cp = store.checkpoint();
        store.set(h("a"), b"x", vec![2]);
        store.set(h("a"), b"y", vec![3]);
        store.delete(h("a"), b"x");
        store.rollback(cp);
        assert_eq!(store.get(h("a"), b"x"), Some(&[1u8][..]));
        assert_eq!(store.get(h("a"), b"y"), None);
        assert_eq!(store.hash(), before);
    }

    #[test]
    fn state_hash_depends_on_content_not_insertion_order() {
        let mut one = Store::default();
        one.set(h("a"), b"x", vec![1]);
        one.set(h("a"), b"y", vec![2]);
        let mut two = Store::default();
        two.set(h("a"), b"y", vec![2]);
        two.set(h("a"), b"x", vec![1]);
        assert_eq!(one.hash(), two.hash());
        two.set(h("a"), b"y", vec![3]);
        assert_ne!(one.hash(), two.hash());
        assert_ne!(Store::default().hash(), one.hash());
    }

    #[test]
    fn length_prefixes_keep_key_value_boundaries_apart() {
        let mut one = Store::default();
        one.set(Hname::from_u32(0), b"ab", vec![b'c']);
        let mut two = Store::default();
        two.set(Hname::from_u32(0), b"a", b"bc".to_vec());
        assert_ne!(one.hash(), two.hash());
    }
}
