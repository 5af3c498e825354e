//! Whole Wasm modules on a chain: deployed, then every entry point called
//! under a small gas budget (the Wasm processor's memory caps apply). Any
//! module ends in a receipt; a failed request changes only its fee, nonce
//! and receipt; a replay of the session gives the same state hash. Each
//! call traced for the debugger burns the same gas and ends the same way
//! as untraced; and the session replayed with its Wasm calls on a second
//! engine (`wasmvm::plain`, the browser engine's stand-in: whatever it
//! cannot end as wasmi would, it hands back) gives the same receipts and
//! state hash.
#![no_main]

use isc_engine::{AgentId, Chain, ChainConfig, Dict, Request, VmType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = ChainConfig {
        max_gas_per_request: 5_000_000,
        ..ChainConfig::default()
    };
    let mut chain = Chain::new(config);
    isc_engine::register_builtin_vms(&mut chain);
    let alice = AgentId::user("alice");
    let Ok(receipt) = chain.deploy(alice, "fuzzed", &VmType::WASM, data, Dict::new()) else {
        return;
    };
    if receipt.is_success() {
        let entries = chain
            .entry_points(isc_engine::Hname::of("fuzzed"))
            .unwrap_or_default();
        for entry in entries.iter().take(8) {
            let request = Request::to(alice, isc_engine::Hname::of("fuzzed"), entry.hname)
                .gas_budget(200_000);
            if let (Ok(plain), Ok(traced)) = (
                chain.simulate(request.clone()),
                chain.trace(request.clone(), 1_000),
            ) {
                assert_eq!(plain.gas_burned, traced.gas_burned, "tracing changes no gas");
                assert_eq!(plain.results, traced.results);
                assert_eq!(plain.error, traced.error);
            }
            let _ = chain.post(request);
            let _ = chain.call_view_as(
                alice,
                isc_engine::Hname::of("fuzzed"),
                entry.hname,
                Dict::new(),
            );
        }
    }
    let replay = isc_engine::session::Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("a live session replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
    let on_runtime = isc_engine::session::Session::of(&chain)
        .replay(|chain| {
            isc_engine::register_builtin_vms(chain);
            chain.set_wasm_runtime(Some(std::rc::Rc::new(
                isc_engine::wasmvm::plain::PlainWasmi::default(),
            )));
        })
        .expect("a live session replays on the runtime");
    assert_eq!(on_runtime.state_hash(), chain.state_hash());
    let unnamed = |receipts: &[isc_engine::Receipt]| -> Vec<isc_engine::Receipt> {
        receipts
            .iter()
            .map(|receipt| isc_engine::Receipt {
                wasm_engine: None,
                ..receipt.clone()
            })
            .collect()
    };
    assert_eq!(unnamed(&on_runtime.receipts), unnamed(&replay.receipts));
});
