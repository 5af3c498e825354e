//! A second Wasm engine behind `wasmvm::runtime`: every bundled session,
//! example and hostile case ends on a chain whose Wasm calls run there
//! exactly as on wasmi alone — the same receipts, gas and state hash — and
//! the runtime really runs what it can (the receipts name it).
//!
//! The runtime here is `wasmvm::plain`, a second wasmi: a stand-in for the
//! browser's engine, which the app's worker implements and the e2e suite
//! checks the same way in Chromium.

use crate::hostile::{send, wat};
use crate::{alice, builtin_chain, wasm_example};
use isc_engine::session::Session;
use isc_engine::wasmvm::plain::{NAME, PlainWasmi};
use isc_engine::wasmvm::runtime::WasmRuntime;
use isc_engine::{Chain, Dict, Receipt, Request, VmType};
use std::rc::Rc;

fn runtime() -> Rc<dyn WasmRuntime> {
    Rc::new(PlainWasmi::default())
}

/// Two chains alike but for the Wasm engine: wasmi alone, and the runtime.
fn twins() -> (Chain, Chain) {
    let reference = builtin_chain();
    let mut fast = builtin_chain();
    fast.set_wasm_runtime(Some(runtime()));
    (reference, fast)
}

/// `receipt` without the engine's name.
fn unnamed(receipt: &Receipt) -> Receipt {
    Receipt {
        wasm_engine: None,
        ..receipt.clone()
    }
}

/// Does `act` on both chains; asserts the receipts and state hashes are
/// the same; gives the runtime chain's receipts.
#[track_caller]
fn alike(
    (reference, fast): &mut (Chain, Chain),
    act: impl Fn(&mut Chain) -> Vec<Receipt>,
) -> Vec<Receipt> {
    let expected = act(reference);
    let got = act(fast);
    assert_eq!(got.len(), expected.len());
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(expected.wasm_engine, None, "wasmi alone names no engine");
        assert_eq!(unnamed(got), *expected, "{:?}", got.wasm_engine);
    }
    assert_eq!(fast.state_hash(), reference.state_hash());
    got
}

fn ran_on_runtime(receipt: &Receipt) -> bool {
    receipt.wasm_engine.as_deref() == Some(NAME)
}

fn handed_back(receipt: &Receipt) -> Option<&str> {
    receipt
        .wasm_engine
        .as_deref()
        .and_then(|engine| engine.strip_prefix(&format!("wasmi ({NAME} handed it back: ")))
}

fn deploy(chain: &mut Chain, name: &str, program: &[u8]) -> Vec<Receipt> {
    vec![
        chain
            .deploy(alice(), name, &VmType::WASM, program, Dict::new())
            .expect("the chain takes the deploy"),
    ]
}

fn call(chain: &mut Chain, contract: &str, entry: &str, params: Dict) -> Vec<Receipt> {
    vec![send(chain, alice(), contract, entry, params)]
}

#[test]
fn every_bundled_session_replays_to_the_same_receipts_and_hash_on_the_runtime() {
    let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/sessions/");
    let index = std::fs::read_to_string(format!("{public}index.json")).expect("index");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&index).expect("index JSON");
    let mut on_runtime = 0;
    for entry in entries {
        let file = entry["file"]
            .as_str()
            .expect("a file")
            .trim_start_matches("sessions/");
        let text = std::fs::read_to_string(format!("{public}{file}")).expect("session");
        let session = Session::from_json(&text).expect("a session");
        let reference = session
            .replay(isc_engine::register_builtin_vms)
            .expect("replays");
        let fast = session
            .replay(|chain| {
                isc_engine::register_builtin_vms(chain);
                chain.set_wasm_runtime(Some(runtime()));
            })
            .expect("replays");
        assert_eq!(
            fast.chain.state_hash(),
            reference.chain.state_hash(),
            "{file}"
        );
        assert_eq!(
            fast.receipts.iter().map(unnamed).collect::<Vec<_>>(),
            reference.receipts,
            "{file}"
        );
        on_runtime += fast.receipts.iter().filter(|r| ran_on_runtime(r)).count();
    }
    assert!(on_runtime >= 8, "the runtime ran {on_runtime} requests");
}

#[test]
fn the_examples_run_on_the_runtime_as_on_wasmi() {
    let mut chains = twins();
    let inccounter = wasm_example("inccounter");
    alike(&mut chains, |chain| {
        deploy(chain, "inccounter", &inccounter)
    });
    for _ in 0..3 {
        let receipts = alike(&mut chains, |chain| {
            call(chain, "inccounter", "increment", Dict::new())
        });
        assert!(
            ran_on_runtime(&receipts[0]),
            "{:?}",
            receipts[0].wasm_engine
        );
    }
    // A nested call is handed back, and ends as on wasmi.
    let receipts = alike(&mut chains, |chain| {
        call(chain, "inccounter", "callIncrement", Dict::new())
    });
    assert_eq!(
        handed_back(&receipts[0]),
        Some("the contract makes a nested call)")
    );

    // The TypeScript counter (AssemblyScript: a start function, `env.abort`).
    let ts = wasm_example("tscounter");
    alike(&mut chains, |chain| deploy(chain, "ts", &ts));
    for params in [Dict::new(), Dict::new().with("amount", vec![1, 2])] {
        let receipts = alike(&mut chains, |chain| {
            call(chain, "ts", "incrementBy", params.clone())
        });
        assert!(receipts[0].result().is_err());
    }
    let receipts = alike(&mut chains, |chain| {
        call(chain, "ts", "increment", Dict::new())
    });
    assert!(
        ran_on_runtime(&receipts[0]),
        "{:?}",
        receipts[0].wasm_engine
    );

    let testcore = wasm_example("testcore");
    alike(&mut chains, |chain| deploy(chain, "testcore", &testcore));
    let fib = |n: u64| Dict::new().with("n", n.to_le_bytes().to_vec());
    let receipts = alike(&mut chains, |chain| {
        call(chain, "testcore", "testFibonacci", fib(20))
    });
    assert!(ran_on_runtime(&receipts[0]));
    // Out of gas on the runtime ends as on wasmi, there.
    let receipts = alike(&mut chains, |chain| {
        vec![
            chain
                .post(
                    Request::new(alice(), "testcore", "testFibonacci")
                        .params(fib(25))
                        .gas_budget(200_000),
                )
                .expect("taken"),
        ]
    });
    assert!(!receipts[0].is_success());
    assert!(
        ran_on_runtime(&receipts[0]),
        "{:?}",
        receipts[0].wasm_engine
    );
    // A contract's panic is the host's: it ends on the runtime.
    let receipts = alike(&mut chains, |chain| {
        call(chain, "testcore", "testPanic", Dict::new())
    });
    assert!(!receipts[0].is_success());
    assert!(
        ran_on_runtime(&receipts[0]),
        "{:?}",
        receipts[0].wasm_engine
    );
    // The rest of testcore, whichever engine ends each.
    for entry in [
        "testCaller",
        "testChainOwner",
        "testTimestamp",
        "testEntropy",
        "testEvent",
        "testAccountsBalance",
        "testCallIncrement",
        "testCallPanic",
        "testGrowMemory",
        "testDeepRecursion",
        "testPost",
        "testHashes",
        "testDeploy",
    ] {
        alike(&mut chains, |chain| {
            call(chain, "testcore", entry, Dict::new())
        });
    }
    alike(&mut chains, |chain| {
        vec![
            chain
                .post(Request::new(alice(), "testcore", "testEndlessLoop").gas_budget(2_000_000))
                .expect("taken"),
        ]
    });
    let views = |chain: &mut Chain| {
        format!(
            "{:?}",
            chain.call_view("inccounter", "getCounter", Dict::new())
        )
    };
    assert_eq!(views(&mut chains.1), views(&mut chains.0));

    let erc20 = wasm_example("erc20");
    let init = Dict::new()
        .with("supply", 1_000_000u64.to_le_bytes().to_vec())
        .with("owner", alice().to_bytes());
    alike(&mut chains, |chain| {
        vec![
            chain
                .deploy(alice(), "erc20", &VmType::WASM, &erc20, init.clone())
                .expect("taken"),
        ]
    });
    let transfer = Dict::new()
        .with("account", crate::bob().to_bytes())
        .with("amount", 1_234u64.to_le_bytes().to_vec());
    let receipts = alike(&mut chains, |chain| {
        call(chain, "erc20", "transfer", transfer.clone())
    });
    assert!(receipts[0].is_success(), "{:?}", receipts[0].error);
    assert!(ran_on_runtime(&receipts[0]));
}

/// A module of one func `run` whose body is `body` (WAT), with what it
/// needs to be a WasmLib contract.
fn contract(body: &str, extra: &str) -> Vec<u8> {
    contract_of(300, body, extra)
}

/// [`contract`], its memory at most `max` pages.
fn contract_of(max: u32, body: &str, extra: &str) -> Vec<u8> {
    let name = "run";
    wat(&format!(
        r#"(module
            (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
            (memory (export "memory") 1 {max})
            (data (i32.const 16) "{name}")
            {extra}
            (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 3)))
            (func (export "on_call") (param i32) {body}))"#
    ))
}

#[test]
fn what_the_runtime_cannot_end_as_wasmi_would_is_handed_back_and_ends_alike() {
    let mut chains = twins();
    let cases = [
        // Recursion past the guard's budget: wasmi's own stack decides.
        (
            "recurse",
            contract(
                "(call $down (i32.const 0))",
                r#"(func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))"#,
            ),
            Some("the contract trapped)"),
        ),
        // A frame of many locals, recursing: still wasmi's call.
        (
            "wide",
            contract(
                "(call $wide)",
                r#"(func $wide (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (call $wide))"#,
            ),
            Some("the contract trapped)"),
        ),
        // A trap: wasmi's words.
        (
            "trap",
            contract("(drop (i32.div_u (i32.const 1) (i32.const 0)))", ""),
            Some("the contract trapped)"),
        ),
        (
            "oob",
            contract("(drop (i32.load (i32.const 70000)))", ""),
            Some("the contract trapped)"),
        ),
        // Growth past the 256 pages wasmi's limiter allows: its error.
        (
            "grow",
            contract(
                "(drop (memory.grow (i32.const 10))) (drop (memory.grow (i32.const 280)))",
                "",
            ),
            Some("the contract trapped)"),
        ),
        // Growth past the module's own maximum: -1 on both, on the runtime.
        (
            "max",
            contract_of(
                100,
                "(if (i32.ne (memory.grow (i32.const 200)) (i32.const -1)) (then unreachable)) (drop (memory.grow (i32.const 10)))",
                "",
            ),
            None,
        ),
        // An endless loop runs out of gas on the runtime.
        ("loop", contract("(loop $l (br $l))", ""), None),
    ];
    for (name, module, expected) in cases {
        alike(&mut chains, |chain| deploy(chain, name, &module));
        let receipts = alike(&mut chains, |chain| {
            vec![
                chain
                    .post(Request::new(alice(), name, "run").gas_budget(2_000_000))
                    .expect("taken"),
            ]
        });
        match expected {
            Some(reason) => assert_eq!(handed_back(&receipts[0]), Some(reason), "{name}"),
            None => assert!(
                ran_on_runtime(&receipts[0]),
                "{name}: {:?}",
                receipts[0].wasm_engine
            ),
        }
    }
}
