//! How deep nested ISC calls may go: 128 units of host stack, a Wasm call
//! counting 1 and an EVM call 4 (`bounds::MAX_CALL_DEPTH`). Each level
//! re-enters a processor on the host's stack; past the bound a request
//! fails with a receipt, it never overflows the worker's stack (the same
//! recursion runs in Chromium in `e2e/specs/hostile.spec.mjs`).

use crate::hostile::wat;
use crate::{alice, builtin_chain, failed, ok};
use isc_engine::bounds::MAX_CALL_DEPTH;
use isc_engine::{Chain, Dict, Hname, Request, VmError, VmType};

/// A contract that counts its nesting in state key `d` and calls its own
/// `go` again until `d` is `depth` (`tests/fixtures/wasm/recursive.wat`).
pub(crate) fn recursive(depth: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wasm/recursive.wat"
    );
    let text = std::fs::read_to_string(path).expect("the fixture");
    // The hname of `go` is spelled in the fixture's data.
    assert_eq!(
        Hname::of("go").as_u32().to_le_bytes(),
        [0x56, 0xc2, 0xec, 0xec]
    );
    wat(&text.replace("DEPTH", &depth.to_string()))
}

fn run(chain: &mut Chain, name: &str, depth: usize) -> isc_engine::Receipt {
    ok(&chain
        .deploy(alice(), name, &VmType::WASM, &recursive(depth), Dict::new())
        .expect("deploys"));
    chain
        .post(Request::new(alice(), name, "go").gas_budget(50_000_000))
        .expect("accepted")
}

/// Runs `test` on a thread with a big stack: an unoptimized native build
/// takes several times the stack per level that the release build in a
/// browser does (that one is tested in Chromium).
fn with_big_stack(test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(test)
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn wasm_calls_nest_128_deep_and_the_next_one_fails_with_a_receipt() {
    with_big_stack(wasm_depth);
}

fn wasm_depth() {
    assert_eq!(MAX_CALL_DEPTH, 128);
    let mut chain = builtin_chain();
    let receipt = run(&mut chain, "deep", 128);
    ok(&receipt);
    let state = chain.contract_state(Hname::of("deep"));
    assert_eq!(state, [(b"d".to_vec(), 128u32.to_le_bytes().to_vec())]);
    // The trace keeps 40 levels; the deeper calls are counted.
    assert_eq!(receipt.trace.omitted_calls, 128 - 1 - 40);

    let receipt = run(&mut chain, "deeper", 129);
    assert_eq!(failed(&receipt), VmError::CallDepth { max: 128 });
    assert!(
        chain.contract_state(Hname::of("deeper")).is_empty(),
        "reverted"
    );
}

#[test]
fn evm_calls_count_four_and_fail_cleanly_past_the_bound() {
    with_big_stack(evm_depth);
}

fn evm_depth() {
    let mut chain = builtin_chain();
    let program = crate::solidity_artifact("tests/fixtures/solidity", "Deep").to_json();
    ok(&chain
        .deploy(alice(), "deep", &VmType::EVM, &program, Dict::new())
        .expect("deploys"));
    let receipt = chain
        .post(Request::new(alice(), "deep", "down").gas_budget(50_000_000))
        .expect("accepted");
    let error = failed(&receipt).to_string();
    assert!(error.contains("call depth limit of 128"), "{error}");
    // 32 EVM levels ran (4 units each); the 33rd was refused.
    let mut levels = 0;
    let mut node = Some(&receipt.trace);
    while let Some(call) = node {
        levels += 1;
        node = call.calls.first();
    }
    assert_eq!(levels, 33, "32 levels and the refused one");
}
