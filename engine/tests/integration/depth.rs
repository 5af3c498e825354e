//! How deep nested ISC calls may go: 1 024 calls in all
//! (`bounds::MAX_CALL_DEPTH`), and 128 units of host stack for the calls
//! that nest on it (`bounds::MAX_HOST_STACK`: an EVM call 4). A Wasm
//! contract's nested calls wait off the host's stack, so they reach the
//! first bound on a thread with a browser worker's stack; past either a
//! request fails with a receipt, it never overflows the stack (the same
//! recursions run in Chromium in `e2e/specs/hostile.spec.mjs`).

use crate::hostile::wat;
use crate::{alice, builtin_chain, failed, ok};
use isc_engine::bounds::{MAX_CALL_DEPTH, MAX_HOST_STACK};
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

/// Runs `test` on a thread with a stack of `bytes`.
fn with_stack(bytes: usize, test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(test)
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

/// A browser worker's stack: about 1 MiB.
const WORKER_STACK: usize = 1024 * 1024;

#[test]
fn wasm_calls_nest_1024_deep_on_a_workers_stack_and_the_next_one_fails_with_a_receipt() {
    with_stack(WORKER_STACK, wasm_depth);
}

fn wasm_depth() {
    assert_eq!(MAX_CALL_DEPTH, 1024);
    let mut chain = builtin_chain();
    let receipt = run(&mut chain, "deep", 1024);
    ok(&receipt);
    let state = chain.contract_state(Hname::of("deep"));
    assert_eq!(state, [(b"d".to_vec(), 1024u32.to_le_bytes().to_vec())]);
    // The trace keeps 40 levels; the deeper calls are counted.
    assert_eq!(receipt.trace.omitted_calls, 1024 - 1 - 40);

    let receipt = run(&mut chain, "deeper", 1025);
    assert_eq!(failed(&receipt), VmError::CallDepth { max: 1024 });
    assert!(
        chain.contract_state(Hname::of("deeper")).is_empty(),
        "reverted"
    );
}

#[test]
fn a_nested_wasm_call_costs_the_same_gas_however_deep_it_waits() {
    // Each level's gas: the same for the 2nd and the 1000th level, so
    // suspending a caller changes nothing in what a request burns.
    with_stack(WORKER_STACK, || {
        let mut chain = builtin_chain();
        let gas = |chain: &mut Chain, name: &str, depth: usize| run(chain, name, depth).gas_burned;
        // (Above 100 levels: a request burns at least the 10 000 gas floor.)
        let few = gas(&mut chain, "a", 100);
        let per_level = gas(&mut chain, "b", 101) - few;
        assert!(per_level > 0);
        assert_eq!(gas(&mut chain, "c", 1000) - few, per_level * 900);
    });
}

/// Runs `test` on a thread with a big stack: an unoptimized native build
/// takes several times the stack per EVM level that the release build in
/// a browser does (that one is tested in Chromium).
fn with_big_stack(test: impl FnOnce() + Send + 'static) {
    with_stack(256 * 1024 * 1024, test);
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
    // The refusal reverts through every EVM level, each adding its words.
    let error = failed(&receipt).to_string();
    let refusal = VmError::HostStack {
        max: MAX_HOST_STACK,
    }
    .to_string();
    assert!(error.ends_with(&refusal), "{error}");
    // 32 EVM levels ran (4 units each); the 33rd was refused.
    let mut levels = 0;
    let mut node = Some(&receipt.trace);
    while let Some(call) = node {
        levels += 1;
        node = call.calls.first();
    }
    assert_eq!(levels, 33, "32 levels and the refused one");
}

#[test]
fn frames_of_tens_of_thousands_of_locals_are_a_stack_limit_not_megabytes_per_waiting_call() {
    // Locals cost no gas to declare; each waiting call keeps its value
    // stack, so one call's is bounded (256 KiB): two frames of 29 000 i64
    // locals (wasmi allows 30 000 a function) are 464 KB.
    let module = format!(
        r#"(module
          (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "go")
          (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2)))
          (func $inner (local {locals}))
          (func $outer (local {locals}) (call $inner))
          (func (export "on_call") (param i32) (call $outer)))"#,
        locals = "i64 ".repeat(29_000)
    );
    let mut chain = builtin_chain();
    ok(&chain
        .deploy(alice(), "big", &VmType::WASM, &wat(&module), Dict::new())
        .expect("deploys"));
    let receipt = chain
        .post(Request::new(alice(), "big", "go"))
        .expect("accepted");
    let error = failed(&receipt);
    assert!(matches!(error, VmError::Limit { .. }), "{error}");
    assert!(
        error.to_string().contains("Wasm call stack exhausted"),
        "{error}"
    );
}
