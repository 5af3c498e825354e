//! The chain's queue: requests waiting for a block, and the clock.
//!
//! On Wasp a request a contract posts to its own chain (`FN_POST`) is an
//! on-ledger request that a later block takes, once its time lock has
//! passed, with the contract as its sender. Here the queue holds such
//! requests, and the requests a user queues without running them yet. A
//! queued request's tokens are *in flight*: taken from the sender (a
//! contract's chain account, a user's L1 wallet) when it is queued, and
//! deposited into the sender's chain account when its block runs it.
//!
//! Kept in the L1 ledger's reserved partition (hname 0) under keys that
//! start with `0xff` (no agent id does), so that queueing is atomic with
//! the request that posts (a failed request posts nothing), reverts with
//! its block, and is under the state hash. Layout: `ff 'q'` + sequence
//! (`u64` BE) → [`Pending`] JSON; `ff 'n'` → next sequence (`u64` LE);
//! `ff 't'` → seconds the clock was advanced since the last block
//! (`u64` LE).

use crate::chain::l1::PARTITION;
use crate::chain::receipt::Request;
use crate::chain::store::Store;
use crate::codec::{u64_from_bytes, u64_to_bytes};
use crate::ids::RequestId;
use serde::{Deserialize, Serialize};

const ITEM: &[u8] = &[0xff, b'q'];
const NEXT: &[u8] = &[0xff, b'n'];
const ADVANCE: &[u8] = &[0xff, b't'];

/// A request in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Its request id: for a posted request, the posting request's
    /// transaction part and the output index of the post (from 1).
    pub id: RequestId,
    /// The request. `tokens` are in flight: they reach the sender's
    /// chain account when the request runs.
    pub request: Request,
    /// The earliest block time it may run at (nanoseconds since the Unix
    /// epoch); 0 is no time lock.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unlock_time: u64,
    /// The request that posted it (none for a request a user queued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_by: Option<RequestId>,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl Pending {
    /// Whether it may run in a block at `time`.
    pub fn ready_at(&self, time: u64) -> bool {
        self.unlock_time <= time
    }
}

fn item_key(sequence: u64) -> Vec<u8> {
    [ITEM, &sequence.to_be_bytes()].concat()
}

fn read_u64(store: &Store, key: &[u8]) -> u64 {
    store
        .get(PARTITION, key)
        .and_then(|bytes| u64_from_bytes(bytes).ok())
        .unwrap_or(0)
}

fn write_u64(store: &mut Store, key: &[u8], value: u64) {
    if value == 0 {
        store.delete(PARTITION, key);
    } else {
        store.set(PARTITION, key, u64_to_bytes(value));
    }
}

/// The queued items, oldest first: sequence number and request (an item
/// that does not parse is skipped; the chain writes every one).
fn items(store: &Store) -> impl Iterator<Item = (u64, Pending)> + '_ {
    store
        .scan_prefix(PARTITION, ITEM)
        .filter_map(|(key, value)| {
            let sequence = u64::from_be_bytes(key.get(ITEM.len()..)?.try_into().ok()?);
            Some((sequence, serde_json::from_slice(value).ok()?))
        })
}

/// Every queued request, oldest first, with its sequence number.
pub(crate) fn list(store: &Store) -> Vec<(u64, Pending)> {
    items(store).collect()
}

/// The oldest `most` requests that may run in a block at `time`: only
/// those and the time-locked ones before them are read.
pub(crate) fn ready(store: &Store, time: u64, most: usize) -> Vec<(u64, Pending)> {
    items(store)
        .filter(|(_, pending)| pending.ready_at(time))
        .take(most)
        .collect()
}

/// How many requests wait.
pub(crate) fn len(store: &Store) -> usize {
    store.scan_prefix(PARTITION, ITEM).count()
}

/// Appends `pending` to the queue.
pub(crate) fn push(store: &mut Store, pending: &Pending) {
    let sequence = read_u64(store, NEXT);
    // Our types serialize infallibly (string keys, no floats).
    let json = serde_json::to_vec(pending).unwrap_or_default();
    store.set(PARTITION, &item_key(sequence), json);
    write_u64(store, NEXT, sequence.saturating_add(1));
}

/// Removes the request with `sequence`.
pub(crate) fn remove(store: &mut Store, sequence: u64) {
    store.delete(PARTITION, &item_key(sequence));
}

/// The tokens in flight: what the queued requests carry.
pub(crate) fn in_flight(store: &Store) -> u64 {
    list(store)
        .iter()
        .map(|(_, pending)| pending.request.tokens.base_tokens)
        .fold(0, u64::saturating_add)
}

/// Seconds the clock was advanced since the last block.
pub(crate) fn advance(store: &Store) -> u64 {
    read_u64(store, ADVANCE)
}

/// Records that the clock was advanced by `seconds` more.
pub(crate) fn add_advance(store: &mut Store, seconds: u64) {
    let total = advance(store).saturating_add(seconds);
    write_u64(store, ADVANCE, total);
}

/// Clears the advance (a block has used it).
pub(crate) fn clear_advance(store: &mut Store) {
    write_u64(store, ADVANCE, 0);
}
