//! A second Wasm engine behind `wasmvm::runtime`: every bundled session,
//! example and hostile case ends on a chain whose Wasm calls run there
//! exactly as on wasmi alone — the same receipts, gas and state hash — and
//! the runtime really runs what it can (the receipts name it).
//!
//! The runtime here is a second, plain wasmi (no fuel, no limiter, its own
//! default stack): a stand-in for the browser's engine, which the app's
//! worker implements and the e2e suite checks the same way in Chromium.

use crate::hostile::{send, wat};
use crate::{alice, builtin_chain, wasm_example};
use isc_engine::session::Session;
use isc_engine::wasmvm::runtime::{
    CompiledModule, Ended, FUEL_GLOBAL, Host, Import, Instance, OUT_OF_FUEL_GLOBAL, Run,
    START_EXPORT, Stop, WasmRuntime,
};
use isc_engine::{Chain, Dict, Receipt, Request, VmType};
use std::rc::Rc;
use wasmi::{Caller, Engine, Extern, Linker, Module, Store, Val};

const NAME: &str = "test runtime (plain wasmi)";

struct PlainWasmi {
    engine: Engine,
}

impl WasmRuntime for PlainWasmi {
    fn name(&self) -> &str {
        NAME
    }

    fn compile(&self, module: &[u8]) -> Result<Box<dyn CompiledModule>, String> {
        let module = Module::new(&self.engine, module).map_err(|err| err.to_string())?;
        Ok(Box::new(Compiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

struct Compiled {
    engine: Engine,
    module: Module,
}

struct Data<'h> {
    host: Option<&'h mut dyn Host>,
    stopped: bool,
}

/// The instance as the host sees it, during an import's call.
struct View<'c, 'x, 'h> {
    caller: &'c mut Caller<'x, Data<'h>>,
}

impl View<'_, '_, '_> {
    fn memory(&self) -> wasmi::Memory {
        self.caller
            .get_export("memory")
            .and_then(Extern::into_memory)
            .expect("a WasmLib module exports its memory")
    }

    fn fuel_global(&self) -> wasmi::Global {
        self.caller
            .get_export(FUEL_GLOBAL)
            .and_then(Extern::into_global)
            .expect("a metered module exports its fuel")
    }
}

impl Instance for View<'_, '_, '_> {
    fn memory_len(&self) -> usize {
        self.memory().data(&*self.caller).len()
    }

    fn read(&self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.memory().data(&*self.caller)[at..at + out.len()]);
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        let memory = self.memory();
        memory.data_mut(&mut *self.caller)[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn fuel(&self) -> i64 {
        match self.fuel_global().get(&*self.caller) {
            Val::I64(fuel) => fuel,
            _ => 0,
        }
    }

    fn set_fuel(&mut self, fuel: i64) {
        let global = self.fuel_global();
        global
            .set(&mut *self.caller, Val::I64(fuel))
            .expect("the fuel global is a mutable i64");
    }
}

fn dispatch(
    caller: &mut Caller<'_, Data<'_>>,
    import: Import,
    args: [i32; 4],
) -> Result<i32, wasmi::Error> {
    let host = caller.data_mut().host.take().expect("the host is lent");
    let result = host.call(import, args, &mut View { caller });
    caller.data_mut().host = Some(host);
    result.map_err(|Stop| {
        caller.data_mut().stopped = true;
        wasmi::Error::new("stopped by the host")
    })
}

fn state_get(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<i32, wasmi::Error> {
    dispatch(&mut c, Import::HostStateGet, [a, b, d, e])
}

fn state_set(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<(), wasmi::Error> {
    dispatch(&mut c, Import::HostStateSet, [a, b, d, e]).map(drop)
}

fn fd_write(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<i32, wasmi::Error> {
    dispatch(&mut c, Import::FdWrite, [a, b, d, e])
}

fn abort(mut c: Caller<'_, Data<'_>>, a: i32, b: i32, d: i32, e: i32) -> Result<(), wasmi::Error> {
    dispatch(&mut c, Import::Abort, [a, b, d, e]).map(drop)
}

impl CompiledModule for Compiled {
    fn run(&self, host: &mut dyn Host, fuel: i64, index: i32) -> Run {
        let mut store = Store::new(
            &self.engine,
            Data {
                host: Some(host),
                stopped: false,
            },
        );
        let mut linker = Linker::new(&self.engine);
        for import in Import::ALL {
            let (module, name) = (import.module(), import.name());
            let linked = match import {
                Import::HostStateGet => linker.func_wrap(module, name, state_get),
                Import::HostStateSet => linker.func_wrap(module, name, state_set),
                Import::FdWrite => linker.func_wrap(module, name, fd_write),
                Import::Abort => linker.func_wrap(module, name, abort),
            };
            linked.expect("each import is linked once");
        }
        let failed = |message: String| Run {
            ended: Ended::Failed(message),
            fuel,
            out_of_fuel: false,
            memory_bytes: 0,
        };
        let instance = match linker.instantiate_and_start(&mut store, &self.module) {
            Ok(instance) => instance,
            Err(err) => return failed(err.to_string()),
        };
        let global = |store: &Store<Data<'_>>, name: &str| {
            instance
                .get_global(store, name)
                .map(|global| global.get(store))
        };
        if let Some(fuel_global) = instance.get_global(&store, FUEL_GLOBAL) {
            fuel_global
                .set(&mut store, Val::I64(fuel))
                .expect("the fuel global is a mutable i64");
        }
        let start = instance.get_typed_func::<(), ()>(&store, START_EXPORT).ok();
        let result = match start {
            Some(start) => start.call(&mut store, ()),
            None => Ok(()),
        }
        .and_then(|()| {
            instance
                .get_typed_func::<i32, ()>(&store, "on_call")
                .and_then(|on_call| on_call.call(&mut store, index))
        });
        let ended = match result {
            Ok(()) => Ended::Returned,
            Err(_) if store.data().stopped => Ended::Stopped,
            Err(err) => Ended::Failed(err.to_string()),
        };
        let memory_bytes = instance
            .get_memory(&store, "memory")
            .map_or(0, |memory| memory.data(&store).len());
        Run {
            ended,
            fuel: match global(&store, FUEL_GLOBAL) {
                Some(Val::I64(fuel)) => fuel,
                _ => 0,
            },
            out_of_fuel: matches!(global(&store, OUT_OF_FUEL_GLOBAL), Some(Val::I32(1))),
            memory_bytes,
        }
    }
}

fn runtime() -> Rc<dyn WasmRuntime> {
    Rc::new(PlainWasmi {
        engine: Engine::default(),
    })
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
