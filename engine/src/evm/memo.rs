//! Small memos of pure functions the EVM path computes again and again
//! with the same inputs — an address's EIP-55 form (a keccak each), a
//! contract's analysed code (a pass over it each time revm loads it), an
//! event's decoder (its types parsed and its selector hashed). Each
//! keeps at most [`CAPACITY`] entries per thread and starts afresh when
//! full; a memo never changes a result, only whether it is computed again
//! (code is keyed by its own hash), so the chain stays deterministic.

use alloy_dyn_abi::{DynSolEvent, Specifier};
use alloy_json_abi::Event;
use revm::bytecode::Bytecode;
use revm::primitives::{Address, B256};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Entries per memo before it starts afresh.
const CAPACITY: usize = 1024;

/// A bounded map from inputs to results, per thread.
struct Memo<K, V>(RefCell<BTreeMap<K, V>>);

impl<K: Ord, V: Clone> Memo<K, V> {
    const fn new() -> Self {
        Self(RefCell::new(BTreeMap::new()))
    }

    fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(value) = self.0.borrow().get(&key) {
            return value.clone();
        }
        let value = compute();
        let mut map = self.0.borrow_mut();
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, value.clone());
        value
    }
}

thread_local! {
    static CHECKSUMS: Memo<Address, String> = const { Memo::new() };
    static CODE: Memo<B256, Bytecode> = const { Memo::new() };
    static SELECTORS: Memo<String, B256> = const { Memo::new() };
    static EVENTS: Memo<(String, Vec<bool>, bool), Option<Rc<DynSolEvent>>> = const { Memo::new() };
}

/// `event`'s decoder (`None` for types it cannot resolve), known by its
/// signature, which inputs are indexed and whether it is anonymous — all
/// that the decoder depends on.
pub(crate) fn event(event: &Event) -> Option<Rc<DynSolEvent>> {
    let key = (
        event.signature(),
        event.inputs.iter().map(|input| input.indexed).collect(),
        event.anonymous,
    );
    EVENTS.with(|memo| memo.get_or(key, || event.resolve().ok().map(Rc::new)))
}

/// keccak-256 of an event's or error's signature (`Transfer(address,…)`):
/// the topic or selector it is known by.
pub(crate) fn selector(signature: String) -> B256 {
    SELECTORS.with(|memo| {
        let hash = || revm::primitives::keccak256(signature.as_bytes());
        memo.get_or(signature.clone(), hash)
    })
}

/// `address` as EIP-55 writes it.
pub(crate) fn checksum(address: Address) -> String {
    CHECKSUMS.with(|memo| memo.get_or(address, || address.to_checksum(None)))
}

/// The analysed code whose keccak-256 is `hash`; `code` gives its bytes
/// when it is not known yet.
pub(crate) fn bytecode(hash: B256, code: impl FnOnce() -> Vec<u8>) -> Bytecode {
    CODE.with(|memo| memo.get_or(hash, || Bytecode::new_raw(code().into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memos_give_what_computing_gives_and_stay_bounded() {
        let address = Address::repeat_byte(0xab);
        assert_eq!(checksum(address), address.to_checksum(None));
        assert_eq!(checksum(address), address.to_checksum(None));
        for n in 0..(CAPACITY as u64 + 10) {
            let address = Address::left_padding_from(&n.to_be_bytes());
            assert_eq!(checksum(address), address.to_checksum(None));
        }
        CHECKSUMS.with(|memo| assert!(memo.0.borrow().len() <= CAPACITY));
        let code = vec![0x60, 0x01, 0x5b, 0x00];
        let hash = revm::primitives::keccak256(&code);
        let analysed = bytecode(hash, || code.clone());
        assert_eq!(analysed, Bytecode::new_raw(code.clone().into()));
        assert_eq!(bytecode(hash, || unreachable!("memoized")), analysed);
        let transfer = "Transfer(address,address,uint256)".to_owned();
        assert_eq!(
            selector(transfer.clone()),
            revm::primitives::keccak256(&transfer)
        );
        assert_eq!(
            selector(transfer.clone()),
            revm::primitives::keccak256(transfer)
        );
    }

    /// Two events alike but for which input is indexed get decoders of
    /// their own, each as resolving the event afresh gives.
    #[test]
    fn an_events_decoder_follows_its_indexed_inputs() {
        let parse = |text: &str| Event::parse(text).expect("an event signature");
        let both = parse("event Transfer(address indexed from, address indexed to, uint256 value)");
        let one = parse("event Transfer(address indexed from, address to, uint256 value)");
        for event in [&both, &one, &both] {
            let memoized = super::event(event).expect("resolves");
            assert_eq!(*memoized, event.resolve().expect("resolves"));
        }
        assert_ne!(super::event(&both), super::event(&one));
    }
}
