//! The workloads `cargo xtask bench` measures, the same code natively
//! (`isc-bench`) and in the browser's engine worker
//! ([`crate::protocol::Command::Bench`]): so a wasm32 ÷ native ratio
//! compares one workload built twice, measured in one run.
//!
//! Timing is the only thing here that reads a clock, and it reads it
//! around the engine, never inside it: the chain stays deterministic.

pub use crate::protocol::bench::{BenchCase, BenchFixtures, BenchReport};
use crate::protocol::{Command, FromWorker, Reply};
use crate::worker::host::Host;
use isc_engine::session::Session;
use isc_engine::wasmvm::runtime::WasmRuntime;
use isc_engine::{AgentId, Chain, ChainConfig, Dict, Request, Step, VmType};
use std::rc::Rc;

/// The fixtures from the repository's `public/examples` (native runs).
///
/// # Errors
/// A message naming a file that cannot be read.
pub fn fixtures_from_dir(examples: &std::path::Path) -> Result<BenchFixtures, String> {
    let read =
        |path: &str| std::fs::read(examples.join(path)).map_err(|err| format!("{path}: {err}"));
    Ok(BenchFixtures {
        token: String::from_utf8(read("solidity/Token.json")?)
            .map_err(|err| format!("Token.json: {err}"))?,
        inccounter: read("inccounter/inccounter.wasm")?,
        testcore: read("testcore/testcore.wasm")?,
    })
}

/// Milliseconds from an arbitrary start: `performance.now()` in a
/// browser, a monotonic clock natively.
fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let global = js_sys::global();
        let performance = js_sys::Reflect::get(&global, &"performance".into()).ok();
        performance
            .and_then(|performance| {
                let now = js_sys::Reflect::get(&performance, &"now".into()).ok()?;
                let now: js_sys::Function = now.dyn_into().ok()?;
                now.call0(&performance).ok()?.as_f64()
            })
            .unwrap_or_else(js_sys::Date::now)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            * 1000.0
    }
}

fn memory_bytes() -> Option<u64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(core::arch::wasm32::memory_size(0) as u64 * 65_536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Times `ops` operations of `work` (set up before, not timed).
fn timed(ops: u32, work: impl FnOnce() -> Result<(), String>) -> Result<BenchReport, String> {
    let start = now_ms();
    work()?;
    let total_ms = now_ms() - start;
    Ok(BenchReport {
        ops,
        total_ms,
        per_op_us: total_ms * 1000.0 / f64::from(ops.max(1)),
        memory_bytes: memory_bytes(),
        on_browser: None,
    })
}

fn chain() -> Chain {
    let mut chain = Chain::new(ChainConfig {
        l2_funds: 1 << 50,
        ..ChainConfig::default()
    });
    isc_engine::register_builtin_vms(&mut chain);
    chain
}

/// The browser's own WebAssembly for a workload that asks for it
/// (`browser`), else `None`: wasmi alone.
///
/// # Errors
/// Asked for outside a browser.
fn runtime(browser: bool) -> Result<Option<Rc<dyn WasmRuntime>>, String> {
    if !browser {
        return Ok(None);
    }
    #[cfg(target_arch = "wasm32")]
    if let Some(runtime) = crate::worker::webwasm::BrowserWasm::new() {
        return Ok(Some(Rc::new(runtime)));
    }
    Err("the browser's WebAssembly runs only in a browser".into())
}

/// [`chain`], its Wasm calls on `runtime` where it can run them.
fn chain_on(runtime: Option<Rc<dyn WasmRuntime>>) -> Chain {
    let mut chain = chain();
    chain.set_wasm_runtime(runtime);
    chain
}

fn token_program(fixtures: &BenchFixtures) -> Result<isc_engine::evm::EvmProgram, String> {
    isc_engine::evm::programs_from_artifact(&fixtures.token)
        .map_err(|err| err.to_string())?
        .into_iter()
        .find(|(name, _)| name == "Token")
        .map(|(_, program)| program)
        .ok_or_else(|| "no Token in Token.json".to_owned())
}

fn alice() -> AgentId {
    AgentId::user("alice")
}

fn bob_address() -> String {
    format!(
        "0x{}",
        hex::encode(isc_engine::evm::agent_address(&AgentId::user("bob")))
    )
}

const SUPPLY: &str = "1000000000000";

fn args(values: &[&str]) -> Vec<u8> {
    serde_json::to_vec(values).unwrap_or_default()
}

fn token_chain(fixtures: &BenchFixtures) -> Result<Chain, String> {
    let mut chain = chain();
    let receipt = chain
        .deploy(
            alice(),
            "token",
            &VmType::EVM,
            &token_program(fixtures)?.to_json(),
            Dict::new().with("args", args(&["T", "T", SUPPLY])),
        )
        .map_err(|err| err.to_string())?;
    ok(&receipt)?;
    Ok(chain)
}

fn transfer() -> Request {
    Request::new(alice(), "token", "transfer").param("args", args(&[&bob_address(), "1"]))
}

fn ok(receipt: &isc_engine::Receipt) -> Result<(), String> {
    match &receipt.error {
        None => Ok(()),
        Some(err) => Err(format!("a bench request failed: {err}")),
    }
}

fn counter_chain(
    fixtures: &BenchFixtures,
    runtime: Option<Rc<dyn WasmRuntime>>,
) -> Result<Chain, String> {
    let mut chain = chain_on(runtime);
    let receipt = chain
        .deploy(
            alice(),
            "inccounter",
            &VmType::WASM,
            &fixtures.inccounter,
            Dict::new(),
        )
        .map_err(|err| err.to_string())?;
    ok(&receipt)?;
    Ok(chain)
}

fn increment() -> Request {
    Request::new(alice(), "inccounter", "increment")
}

/// A session of a deploy of the counter and `requests` increments.
///
/// # Errors
/// A message if the counter does not deploy.
pub fn counter_session(fixtures: &BenchFixtures, requests: u32) -> Result<Session, String> {
    let chain = counter_chain(fixtures, None)?;
    let mut session = Session::of(&chain);
    session
        .requests
        .extend((0..requests).map(|_| Step::Post(increment())));
    Ok(session)
}

/// Runs `case` once.
///
/// # Errors
/// A message if a workload's request fails (the bench is then wrong).
pub fn run(case: &BenchCase, fixtures: &BenchFixtures) -> Result<BenchReport, String> {
    match *case {
        BenchCase::TokenRequests { count } => {
            let mut chain = token_chain(fixtures)?;
            let transfer = transfer();
            timed(count, || {
                for _ in 0..count {
                    ok(&chain
                        .post(transfer.clone())
                        .map_err(|err| err.to_string())?)?;
                }
                Ok(())
            })
        }
        BenchCase::TokenBatch { count } => {
            let mut chain = token_chain(fixtures)?;
            let transfer = transfer();
            // A block's worth queued, then the block, until `count` ran:
            // the queue stays within its bound however many are asked.
            let per_block = isc_engine::bounds::MAX_BLOCK_REQUESTS as u32;
            timed(count, || {
                let mut ran = 0;
                while ran < count {
                    for _ in 0..per_block.min(count - ran) {
                        chain
                            .queue(transfer.clone())
                            .map_err(|err| err.to_string())?;
                    }
                    let receipts = chain.run_block().map_err(|err| err.to_string())?;
                    for receipt in &receipts {
                        ok(receipt)?;
                    }
                    ran += receipts.len() as u32;
                }
                Ok(())
            })
        }
        BenchCase::TokenRevm { count } => {
            let mut evm = isc_engine::evm::InMemoryEvm::deploy(
                token_program(fixtures)?,
                isc_engine::evm::agent_address(&alice()),
                &["T".into(), "T".into(), SUPPLY.into()],
            )
            .map_err(|err| err.to_string())?;
            let call_args = [bob_address(), "1".to_owned()];
            timed(count, || {
                for _ in 0..count {
                    evm.call("transfer", &call_args)
                        .map_err(|err| err.to_string())?;
                }
                Ok(())
            })
        }
        BenchCase::Increment { count, browser } => {
            let mut chain = counter_chain(fixtures, runtime(browser)?)?;
            timed(count, || {
                for _ in 0..count {
                    ok(&chain.post(increment()).map_err(|err| err.to_string())?)?;
                }
                Ok(())
            })
        }
        BenchCase::Fibonacci { n, browser } => {
            let mut chain = chain_on(runtime(browser)?);
            let receipt = chain
                .deploy(
                    alice(),
                    "testcore",
                    &VmType::WASM,
                    &fixtures.testcore,
                    Dict::new(),
                )
                .map_err(|err| err.to_string())?;
            ok(&receipt)?;
            let fib = Request::new(alice(), "testcore", "testFibonacci")
                .param("n", n.to_le_bytes())
                .gas_budget(chain.config().max_gas_per_request);
            if browser {
                // The call that shows the entry point is worth the
                // browser's engine (it runs on wasmi), then one there:
                // V8 compiles a hot function again, optimized, and the
                // reference (`fibOnV8` in bench.js) is timed warm too.
                for _ in 0..2 {
                    ok(&chain.post(fib.clone()).map_err(|err| err.to_string())?)?;
                }
            }
            timed(1, || ok(&chain.post(fib).map_err(|err| err.to_string())?))
        }
        BenchCase::Replay { requests, browser } => {
            let session = counter_session(fixtures, requests)?;
            let runtime = runtime(browser)?;
            timed(requests, || {
                session
                    .replay(|chain| {
                        isc_engine::register_builtin_vms(chain);
                        chain.set_wasm_runtime(runtime);
                    })
                    .map(|_| ())
                    .map_err(|err| err.to_string())
            })
        }
        BenchCase::Differential {
            ref sessions,
            ref modules,
            ref wat,
        } => {
            let runtime = runtime(true)?;
            differential(runtime, sessions, modules, wat)
        }
        BenchCase::Latency {
            blocks,
            count,
            browser,
        } => {
            let session = counter_session(fixtures, blocks.saturating_sub(2))?;
            let mut host = match runtime(browser)? {
                Some(runtime) => Host::default().with_runtime(runtime),
                None => Host::default(),
            };
            let opened = host.handle(Command::Open {
                session: session.to_json(),
            });
            if let Reply::Failed { message } = opened {
                return Err(message);
            }
            let call = || Command::request(alice(), "inccounter", "increment", Dict::new());
            // As many requests again, untimed, then undone: the code is
            // warm (a browser compiles hot wasm again, optimized) and the
            // chain is back at `blocks` blocks.
            for _ in 0..count {
                if let Reply::Failed { message } = host.handle(call()) {
                    return Err(message);
                }
            }
            if let Reply::Failed { message } = host.handle(Command::RevertTo {
                block: host.chain().block_index() - count,
            }) {
                return Err(message);
            }
            timed(count, || {
                for n in 0..count {
                    let reply = host.handle(call());
                    if let Reply::Failed { message } = &reply {
                        return Err(message.clone());
                    }
                    std::hint::black_box(FromWorker::new(u64::from(n), reply).to_json());
                }
                Ok(())
            })
        }
    }
}

/// The differential check of [`BenchCase::Differential`], with `runtime`
/// as the second engine.
///
/// # Errors
/// The first difference, named; or a session that does not replay.
pub fn differential(
    runtime: Option<Rc<dyn WasmRuntime>>,
    sessions: &[String],
    modules: &[Vec<u8>],
    wat: &[String],
) -> Result<BenchReport, String> {
    // Every call on the runtime, however little it does: the check is of
    // what it ends, not of when it pays.
    let runtime = runtime.map(|runtime| Rc::new(EveryCall(runtime)) as Rc<dyn WasmRuntime>);
    let start = now_ms();
    let mut compared = 0u32;
    let mut on_browser = 0u32;
    let mut count = |receipts: &[isc_engine::Receipt]| {
        on_browser += receipts
            .iter()
            .filter(|r| {
                r.wasm_engine
                    .as_deref()
                    .is_some_and(|e| !e.starts_with("wasmi"))
            })
            .count() as u32;
    };
    for (index, text) in sessions.iter().enumerate() {
        let what = format!("session {index}");
        let session = Session::from_json(text).map_err(|err| format!("{what}: {err}"))?;
        let reference = session
            .replay(isc_engine::register_builtin_vms)
            .map_err(|err| format!("{what}: {err}"))?;
        let fast = session
            .replay(|chain| {
                isc_engine::register_builtin_vms(chain);
                chain.set_wasm_runtime(runtime.clone());
            })
            .map_err(|err| format!("{what} on the browser's engine: {err}"))?;
        same(&what, &reference.receipts, &fast.receipts)?;
        if reference.state_hash() != fast.state_hash() {
            return Err(format!("{what}: the state hashes differ"));
        }
        compared += reference.receipts.len() as u32;
        count(&fast.receipts);
    }
    let compiled = wat
        .iter()
        .map(|text| wat::parse_str(text).map_err(|err| format!("WAT: {err}")))
        .collect::<Result<Vec<_>, _>>()?;
    for (index, module) in modules.iter().chain(&compiled).enumerate() {
        let what = format!("module {index}");
        let mut chains = [chain(), chain_on(runtime.clone())];
        let mut receipts: [Vec<isc_engine::Receipt>; 2] = Default::default();
        let mut views: [Vec<String>; 2] = Default::default();
        for (side, chain) in chains.iter_mut().enumerate() {
            let Ok(deployed) = chain.deploy(alice(), "module", &VmType::WASM, module, Dict::new())
            else {
                continue;
            };
            let deployed_ok = deployed.is_success();
            receipts[side].push(deployed);
            if !deployed_ok {
                continue;
            }
            let hname = isc_engine::Hname::of("module");
            let entries = chain.entry_points(hname).unwrap_or_default();
            for entry in entries.iter().take(8) {
                let request = Request::to(alice(), hname, entry.hname).gas_budget(200_000);
                if let Ok(receipt) = chain.post(request) {
                    receipts[side].push(receipt);
                }
                let view = chain.call_view_as(alice(), hname, entry.hname, Dict::new());
                views[side].push(format!("{view:?}"));
            }
        }
        let [reference, fast] = &receipts;
        same(&what, reference, fast)?;
        if views[0] != views[1] {
            return Err(format!(
                "{what}: the views differ: {:?} / {:?}",
                views[0], views[1]
            ));
        }
        if chains[0].state_hash() != chains[1].state_hash() {
            return Err(format!("{what}: the state hashes differ"));
        }
        compared += (reference.len() + views[0].len()) as u32;
        count(fast);
    }
    let total_ms = now_ms() - start;
    Ok(BenchReport {
        ops: compared,
        total_ms,
        per_op_us: total_ms * 1000.0 / f64::from(compared.max(1)),
        memory_bytes: memory_bytes(),
        on_browser: Some(on_browser),
    })
}

/// A runtime that takes every call ([`WasmRuntime::break_even`] 0).
struct EveryCall(Rc<dyn WasmRuntime>);

impl WasmRuntime for EveryCall {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn compile(
        &self,
        module: &[u8],
    ) -> Result<Box<dyn isc_engine::wasmvm::runtime::CompiledModule>, String> {
        self.0.compile(module)
    }
}

/// The same receipts, but for the engine they name.
fn same(
    what: &str,
    reference: &[isc_engine::Receipt],
    fast: &[isc_engine::Receipt],
) -> Result<(), String> {
    if reference.len() != fast.len() {
        return Err(format!(
            "{what}: {} receipts on wasmi, {} on the browser's engine",
            reference.len(),
            fast.len()
        ));
    }
    for (index, (reference, fast)) in reference.iter().zip(fast).enumerate() {
        let unnamed = isc_engine::Receipt {
            wasm_engine: None,
            ..fast.clone()
        };
        if *reference != unnamed {
            return Err(format!(
                "{what}, receipt {index}: on wasmi {:?} (gas {}), on the browser's engine {:?} (gas {}; {:?})",
                reference.error,
                reference.gas_burned,
                fast.error,
                fast.gas_burned,
                fast.wasm_engine
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differential_check_passes_on_the_second_wasmi_and_finds_a_difference() {
        use isc_engine::wasmvm::plain::PlainWasmi;
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/examples");
        let fixtures = fixtures_from_dir(&examples).expect("examples");
        let session = counter_session(&fixtures, 3).expect("a session").to_json();
        let runtime = || Some(Rc::new(PlainWasmi::default()) as Rc<dyn WasmRuntime>);
        let report = differential(
            runtime(),
            &[session],
            &[fixtures.inccounter.clone(), fixtures.testcore.clone()],
            &["(module)".into()],
        )
        .expect("the engines agree");
        assert!(report.ops > 10, "{report:?}");
        assert!(report.on_browser.unwrap_or(0) > 5, "{report:?}");
        // A runtime that ends calls otherwise is caught.
        struct Wrong;
        impl WasmRuntime for Wrong {
            fn name(&self) -> &str {
                "wrong"
            }
            fn compile(
                &self,
                module: &[u8],
            ) -> Result<Box<dyn isc_engine::wasmvm::runtime::CompiledModule>, String> {
                struct Burns(Box<dyn isc_engine::wasmvm::runtime::CompiledModule>);
                impl isc_engine::wasmvm::runtime::CompiledModule for Burns {
                    fn run(
                        &self,
                        host: &mut dyn isc_engine::wasmvm::runtime::Host,
                        fuel: i64,
                        index: i32,
                    ) -> isc_engine::wasmvm::runtime::Run {
                        let mut run = self.0.run(host, fuel, index);
                        run.fuel -= 7;
                        run
                    }
                }
                Ok(Box::new(Burns(PlainWasmi::default().compile(module)?)))
            }
        }
        let err = differential(Some(Rc::new(Wrong)), &[], &[fixtures.inccounter], &[])
            .expect_err("seven more gas is a difference");
        assert!(err.contains("receipt"), "{err}");
    }

    #[test]
    fn every_workload_runs_and_reports_its_operations() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/examples");
        let fixtures = fixtures_from_dir(&examples).expect("examples");
        for case in [
            BenchCase::TokenRequests { count: 3 },
            BenchCase::TokenBatch { count: 1_050 },
            BenchCase::TokenRevm { count: 3 },
            BenchCase::Increment {
                count: 3,
                browser: false,
            },
            BenchCase::Fibonacci {
                n: 5,
                browser: false,
            },
            BenchCase::Replay {
                requests: 3,
                browser: false,
            },
            BenchCase::Latency {
                blocks: 10,
                count: 2,
                browser: false,
            },
        ] {
            let report = run(&case, &fixtures).unwrap_or_else(|err| panic!("{case:?}: {err}"));
            assert!(
                report.ops >= 1 && report.total_ms >= 0.0,
                "{case:?}: {report:?}"
            );
        }
    }
}
