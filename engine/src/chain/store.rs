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
    state: BTreeMap<Vec<u8>, Item>,
    journal: Vec<Undo>,
    /// The sum, modulo 2^256, of the digests of every item not in
    /// `pending` and of the digests `pending` records: the state hash's
    /// running sum (see [`Store::hash`]), brought up to date by
    /// [`Store::settle`].
    sum: Digest256,
    /// The keys written since the sum was last settled, each with the
    /// digest the sum counts for it (`None`: the key was absent then). A
    /// key may appear more than once; only its first entry can hold a
    /// digest (it was settled until that write).
    pending: Vec<(Vec<u8>, Option<Digest256>)>,
}

/// A value and, once the sum counts it, its digest: a value overwritten or
/// removed after that is not hashed again to take it out of the sum, and a
/// key written many times between two settles is hashed once.
#[derive(Debug, Clone)]
struct Item {
    value: Vec<u8>,
    /// `None` while the value is newer than the sum.
    digest: Option<Digest256>,
}

/// A 256-bit number as four little-endian `u64` limbs.
type Digest256 = [u64; 4];

/// blake2b-256 of one item (key and value, each length-prefixed), as a number.
fn item_digest(key: &[u8], value: &[u8]) -> Digest256 {
    let mut hasher = Blake2b256::new();
    hasher.update((key.len() as u64).to_le_bytes());
    hasher.update(key);
    hasher.update((value.len() as u64).to_le_bytes());
    hasher.update(value);
    let bytes: [u8; 32] = hasher.finalize().into();
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    limbs
}

fn add(sum: &mut Digest256, digest: &Digest256) {
    let mut carry = false;
    for (limb, d) in sum.iter_mut().zip(digest) {
        let (partial, c1) = limb.overflowing_add(*d);
        let (total, c2) = partial.overflowing_add(u64::from(carry));
        *limb = total;
        carry = c1 || c2;
    }
}

fn sub(sum: &mut Digest256, digest: &Digest256) {
    let mut borrow = false;
    for (limb, d) in sum.iter_mut().zip(digest) {
        let (partial, b1) = limb.overflowing_sub(*d);
        let (total, b2) = partial.overflowing_sub(u64::from(borrow));
        *limb = total;
        borrow = b1 || b2;
    }
}

/// A position in the journal to roll back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checkpoint(usize);

impl Store {
    pub(crate) fn get(&self, contract: Hname, key: &[u8]) -> Option<&[u8]> {
        // Most keys are short: their full key is put together on the stack.
        let mut short = [0u8; 64];
        let item = match short.get_mut(..4 + key.len()) {
            Some(full) => {
                full[..4].copy_from_slice(&contract.to_bytes());
                full[4..].copy_from_slice(key);
                self.state.get(&*full)
            }
            None => self.state.get(&partition_key(contract, key)),
        };
        item.map(|item| item.value.as_slice())
    }

    pub(crate) fn set(&mut self, contract: Hname, key: &[u8], value: Vec<u8>) {
        let full = partition_key(contract, key);
        let old = self.put(full.clone(), Some(value));
        self.journal.push((full, old));
    }

    pub(crate) fn delete(&mut self, contract: Hname, key: &[u8]) {
        let full = partition_key(contract, key);
        if let Some(old) = self.put(full.clone(), None) {
            self.journal.push((full, Some(old)));
        }
    }

    /// Writes (or with `None` removes) an item and returns the old value.
    /// Nothing is hashed here: the key joins `pending` (unless it is there
    /// already, which an item without a digest shows) with the digest the
    /// sum counts for it.
    fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Option<Vec<u8>> {
        let old = match value {
            Some(value) => self.state.insert(
                key.clone(),
                Item {
                    value,
                    digest: None,
                },
            ),
            None => self.state.remove(&key),
        };
        match &old {
            // Newer than the sum: its key is pending already.
            Some(Item { digest: None, .. }) => {}
            Some(Item {
                digest: Some(digest),
                ..
            }) => self.pending.push((key, Some(*digest))),
            // Absent: pending already if it was removed since the last
            // settle; a second entry without a digest changes nothing.
            None => self.pending.push((key, None)),
        }
        old.map(|item| item.value)
    }

    /// Brings the running sum up to date: takes out the digests the
    /// pending keys had, hashes each pending key's value once and adds it.
    pub(crate) fn settle(&mut self) {
        for (key, counted) in std::mem::take(&mut self.pending) {
            if let Some(digest) = counted {
                sub(&mut self.sum, &digest);
            }
            if let Some(item) = self.state.get_mut(&key)
                && item.digest.is_none()
            {
                let digest = item_digest(&key, &item.value);
                add(&mut self.sum, &digest);
                item.digest = Some(digest);
            }
        }
    }

    /// The items of `contract` whose key starts with `prefix`, in key
    /// order, borrowed, with keys without the partition prefix.
    pub(crate) fn scan_prefix<'a>(
        &'a self,
        contract: Hname,
        prefix: &[u8],
    ) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        let start = partition_key(contract, prefix);
        self.state
            .range(start.clone()..)
            .take_while(move |(key, _)| key.starts_with(&start))
            .map(|(key, item)| (&key[4..], item.value.as_slice()))
    }

    /// The items of `contract` whose key starts with `prefix`, without the
    /// partition prefix.
    pub(crate) fn prefix(&self, contract: Hname, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.scan_prefix(contract, prefix)
            .map(|(key, value)| (key.to_vec(), value.to_vec()))
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

    /// Takes the journal (the undo log of everything since the last call)
    /// and settles the running sum: what a block's end does.
    pub(crate) fn take_journal(&mut self) -> Vec<Undo> {
        self.settle();
        std::mem::take(&mut self.journal)
    }

    /// Applies an undo log, newest entry first.
    pub(crate) fn apply_undo(&mut self, undo: Vec<Undo>) {
        for (key, old) in undo.into_iter().rev() {
            self.put(key, old);
        }
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.state.len()
    }

    /// Every item, sorted by full key.
    pub(crate) fn items(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.state
            .iter()
            .map(|(k, item)| (k.as_slice(), item.value.as_slice()))
    }

    /// The state hash: blake2b-256 over the item count and the sum, modulo
    /// 2^256, of every item's digest (blake2b-256 of its length-prefixed key
    /// and value). It depends on the content only, not on the order of
    /// writes, and the sum is kept up to date key by key (each key written
    /// since the last settle is hashed once), so closing a block costs no
    /// pass over the whole state. (An additive multiset hash: ample to
    /// tell states apart, not a commitment against an adversary.)
    ///
    /// With keys pending it hashes them on a copy of the sum each time it
    /// is called: the chain's own callers use [`Store::settled_hash`].
    pub(crate) fn hash(&self) -> StateHash {
        let mut sum = self.sum;
        if !self.pending.is_empty() {
            // As `settle` would make it, on a copy.
            let mut added = std::collections::BTreeSet::new();
            for (key, counted) in &self.pending {
                if let Some(digest) = counted {
                    sub(&mut sum, digest);
                }
                if let Some(item) = self.state.get(key)
                    && item.digest.is_none()
                    && added.insert(key)
                {
                    add(&mut sum, &item_digest(key, &item.value));
                }
            }
        }
        hash_of(self.state.len(), &sum)
    }

    /// [`Store::hash`], settling first: a queued request's id, a view's
    /// entropy and a block's previous state hash hash the state between
    /// blocks, and each must cost only the keys written since the last.
    pub(crate) fn settled_hash(&mut self) -> StateHash {
        self.settle();
        self.hash()
    }
}

/// The state hash of `count` items whose digests sum to `sum`.
fn hash_of(count: usize, sum: &Digest256) -> StateHash {
    let mut hasher = Blake2b256::new();
    hasher.update((count as u64).to_le_bytes());
    for limb in sum {
        hasher.update(limb.to_le_bytes());
    }
    StateHash(hasher.finalize().into())
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
        f.write_str(&const_hex::encode(self.0))
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
        // A key too long for the stack is read the same way.
        let long = [7u8; 100];
        store.set(h("a"), &long, vec![9]);
        assert_eq!(store.get(h("a"), &long), Some(&[9u8][..]));
        assert_eq!(store.get(h("a"), &long[..60]), None);
        assert_eq!(store.prefix(h("a"), b"k"), vec![(b"k".to_vec(), vec![1])]);
        assert!(store.prefix(h("b"), b"").is_empty());
        store.set(h("a"), b"kz", vec![2]);
        store.set(h("a"), b"l", vec![3]);
        assert_eq!(store.scan_prefix(h("a"), b"k").count(), 2);
        assert_eq!(store.scan_prefix(h("a"), b"").count(), 4);
        assert_eq!(store.scan_prefix(h("b"), b"k").count(), 0);
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

    /// The state hash computed from scratch: every item hashed afresh.
    fn fresh_hash(store: &Store) -> StateHash {
        let mut sum = [0u64; 4];
        for (key, item) in &store.state {
            add(&mut sum, &item_digest(key, &item.value));
        }
        hash_of(store.state.len(), &sum)
    }

    #[test]
    fn the_running_sum_equals_a_fresh_sum_after_any_writes_and_undo() {
        let mut store = Store::default();
        store.set(h("a"), b"x", vec![1; 40]);
        store.set(h("b"), b"y", vec![2]);
        store.settle();
        let cp = store.checkpoint();
        store.set(h("a"), b"x", vec![3]);
        store.delete(h("b"), b"y");
        store.delete(h("b"), b"never");
        assert_eq!(store.hash(), fresh_hash(&store));
        store.rollback(cp);
        assert_eq!(store.hash(), fresh_hash(&store));
        store.settle();
        assert_eq!(store.hash(), fresh_hash(&store));
        store.delete(h("a"), b"x");
        store.delete(h("b"), b"y");
        store.settle();
        assert_eq!(store.sum, [0; 4]);
        assert!(store.pending.is_empty());
        assert_eq!(store.hash(), Store::default().hash());
    }

    /// Writes, removals, rewrites of one key, rollbacks and settles in
    /// every order a small pseudo-random walk finds: the hash is always
    /// the hash of the items as they are, settled or not.
    #[test]
    fn a_deferred_sum_always_equals_hashing_every_item_afresh() {
        let mut store = Store::default();
        let mut checkpoints = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..4_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let key = [b'k', (seed % 6) as u8];
            let value = vec![(seed >> 8) as u8; (seed >> 16) as usize % 200];
            match (seed >> 32) % 8 {
                0..=2 => store.set(h("a"), &key, value),
                3 => store.delete(h("a"), &key),
                4 => checkpoints.push(store.checkpoint()),
                5 => {
                    if let Some(cp) = checkpoints.pop() {
                        store.rollback(cp);
                    }
                }
                6 => store.settle(),
                _ => {
                    store.take_journal();
                    checkpoints.clear();
                }
            }
            assert_eq!(store.hash(), fresh_hash(&store), "step {step}");
        }
    }

    #[test]
    fn add_and_sub_carry_across_limbs() {
        let mut sum = [u64::MAX, u64::MAX, 0, 0];
        add(&mut sum, &[1, 0, 0, 0]);
        assert_eq!(sum, [0, 0, 1, 0]);
        sub(&mut sum, &[1, 0, 0, 0]);
        assert_eq!(sum, [u64::MAX, u64::MAX, 0, 0]);
        let mut wrap = [0u64; 4];
        sub(&mut wrap, &[1, 0, 0, 0]);
        assert_eq!(wrap, [u64::MAX; 4]);
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
