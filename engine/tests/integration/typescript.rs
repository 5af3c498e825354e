//! The TypeScript WasmLib (`contracts/ts/wasmlib`, compiled with
//! AssemblyScript) against the Rust crate: the TypeScript counter
//! (`contracts/ts/tscounter.ts`, committed build in `public/examples`)
//! and the Rust example, given the same requests, end each one alike —
//! the same results, the same errors, the same state.

use crate::{alice, builtin_chain, wasm_example};
use isc_engine::{Chain, Dict, Hname, Receipt, Request, VmType};

/// A receipt's outcome without what only the engine's gas count decides:
/// the results, or the error's text (the contract's name in it made
/// `{contract}`).
fn outcome(receipt: &Receipt, contract: &str) -> Result<Dict, String> {
    receipt.result().cloned().map_err(|err| {
        err.to_string()
            .replace(&format!("`{contract}`"), "`{contract}`")
    })
}

#[test]
fn the_typescript_counter_ends_every_request_as_the_rust_one() {
    let mut chain = builtin_chain();
    let init = Dict::new().with("counter", 5i64.to_le_bytes());
    let rust = chain
        .deploy(
            alice(),
            "rust",
            &VmType::WASM,
            &wasm_example("inccounter"),
            init.clone(),
        )
        .expect("deploys");
    let ts = chain
        .deploy(
            alice(),
            "ts",
            &VmType::WASM,
            &wasm_example("tscounter"),
            init,
        )
        .expect("deploys");
    assert_eq!(outcome(&rust, "rust"), outcome(&ts, "ts"));
    assert!(rust.result().is_ok(), "{:?}", rust.result());
    let requests = |contract: &str| {
        vec![
            Request::new(alice(), contract, "increment"),
            Request::new(alice(), contract, "increment"),
            Request::new(alice(), contract, "incrementBy").param("amount", 10i64.to_le_bytes()),
            Request::new(alice(), contract, "incrementBy").param("amount", (-3i64).to_le_bytes()),
            // The mandatory param missing, then of a wrong length: the
            // contract's own panic, then the decoder's.
            Request::new(alice(), contract, "incrementBy"),
            Request::new(alice(), contract, "incrementBy").param("amount", vec![1, 2]),
            Request::new(alice(), contract, "getCounter"),
            Request::new(alice(), contract, "nosuchentry"),
        ]
    };
    let post = |chain: &mut Chain, contract: &str, request: Request| {
        let receipt = chain.post(request).expect("the chain accepts the request");
        outcome(&receipt, contract)
    };
    for (r, t) in requests("rust").into_iter().zip(requests("ts")) {
        let what = format!("{:?} {:?}", r.entry, r.params);
        assert_eq!(
            post(&mut chain, "rust", r),
            post(&mut chain, "ts", t),
            "{what}"
        );
    }
    let view =
        |chain: &mut Chain, contract: &str| chain.call_view(contract, "getCounter", Dict::new());
    let (r, t) = (view(&mut chain, "rust"), view(&mut chain, "ts"));
    assert_eq!(r, t);
    let counter = r.expect("the view").get("counter").map(<[u8]>::to_vec);
    assert_eq!(
        counter,
        Some(14i64.to_le_bytes().to_vec()),
        "5 + 1 + 1 + 10 - 3"
    );
    assert_eq!(
        chain.contract_state(Hname::of("rust")),
        chain.contract_state(Hname::of("ts")),
    );
    // A failed request takes back what it wrote, on both.
    let before = chain.contract_state(Hname::of("ts"));
    let errors: Vec<_> = ["rust", "ts"]
        .into_iter()
        .map(|c| {
            post(&mut chain, c, Request::new(alice(), c, "incrementBy"))
                .expect_err("no amount: a panic")
        })
        .collect();
    assert_eq!(errors[0], errors[1]);
    assert!(
        errors[0].contains("missing mandatory param: amount"),
        "{}",
        errors[0]
    );
    assert_eq!(chain.contract_state(Hname::of("ts")), before);
    assert_eq!(chain.contract_state(Hname::of("rust")), before);
}
