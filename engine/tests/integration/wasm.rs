//! WasmLib contracts from `public/examples`, on the Wasm processor.

use crate::{alice, failed, ok};
use isc_engine::{Chain, ChainConfig, Dict, Hname, Receipt, Request, VmError, VmType};

/// A default chain with the built-in VMs.
fn chain() -> Chain {
    let mut chain = Chain::new(ChainConfig::default());
    isc_engine::register_builtin_vms(&mut chain);
    chain
}

/// The committed build of example contract `name`.
fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../public/examples/{name}/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

#[track_caller]
fn deploy(chain: &mut Chain, name: &str, init: Dict) -> Receipt {
    let receipt = chain
        .deploy(alice(), name, &VmType::WASM, &example(name), init)
        .expect("accepted");
    assert!(
        receipt.is_success(),
        "deploy of {name} failed: {:?}",
        receipt.error
    );
    receipt
}

#[track_caller]
fn call(chain: &mut Chain, contract: &str, entry: &str, params: Dict) -> Receipt {
    chain
        .post(Request::new(alice(), contract, entry).params(params))
        .expect("accepted")
}

fn counter(chain: &mut Chain) -> i64 {
    let results = chain
        .call_view("inccounter", "getCounter", Dict::new())
        .expect("view runs");
    let bytes: [u8; 8] = results
        .get("counter")
        .unwrap_or(&[0; 8])
        .try_into()
        .expect("an i64");
    i64::from_le_bytes(bytes)
}

#[test]
fn inccounter_counts_recurses_and_lists_its_entry_points() {
    let mut chain = chain();
    deploy(
        &mut chain,
        "inccounter",
        Dict::new().with("counter", 10i64.to_le_bytes()),
    );
    let names: Vec<String> = chain
        .entry_points(Hname::of("inccounter"))
        .expect("loads")
        .into_iter()
        .map(|ep| ep.name)
        .collect();
    assert_eq!(
        names,
        [
            "init",
            "callIncrement",
            "callIncrementRecurse5x",
            "increment",
            "incrementBy",
            "getCounter"
        ]
    );
    assert_eq!(counter(&mut chain), 10);

    for _ in 0..3 {
        ok(&call(&mut chain, "inccounter", "increment", Dict::new()));
    }
    assert_eq!(counter(&mut chain), 13);
    let receipt = call(
        &mut chain,
        "inccounter",
        "incrementBy",
        Dict::new().with("amount", 7i64.to_le_bytes()),
    );
    ok(&receipt);
    assert_eq!(counter(&mut chain), 20);
    assert!(
        receipt
            .logs
            .iter()
            .any(|l| l.ends_with("inccounter.funcIncrementBy ok")),
        "{:?}",
        receipt.logs
    );
    assert!(receipt.gas_burned > 10_000, "instructions are charged");

    let receipt = call(&mut chain, "inccounter", "incrementBy", Dict::new());
    assert_eq!(
        failed(&receipt),
        VmError::panic("missing mandatory param: amount")
    );
    assert_eq!(counter(&mut chain), 20);

    let receipt = call(&mut chain, "inccounter", "callIncrement", Dict::new());
    ok(&receipt);
    assert_eq!(counter(&mut chain), 22);
    assert_eq!(receipt.trace.calls.len(), 1);
    assert_eq!(receipt.trace.calls[0].entry_name, "increment");
    assert_eq!(receipt.trace.calls[0].vm, VmType::WASM);
}

#[test]
fn inccounter_recurses_through_the_sandbox() {
    let mut chain = chain();
    deploy(&mut chain, "inccounter", Dict::new());
    let receipt = call(
        &mut chain,
        "inccounter",
        "callIncrementRecurse5x",
        Dict::new(),
    );
    ok(&receipt);
    assert_eq!(counter(&mut chain), 5);
    let mut depth = 0;
    let mut node = &receipt.trace;
    while let Some(inner) = node.calls.first() {
        depth += 1;
        node = inner;
    }
    assert_eq!(depth, 4);
}
