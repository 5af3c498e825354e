//! Native benchmarks of whole requests: `cargo bench -p engine`.
//!
//! Each sample starts from the same snapshot, so the chain does not grow
//! without bound while criterion picks its iteration counts.

#![allow(missing_docs)] // criterion's macros generate undocumented items.

use criterion::{Criterion, criterion_group, criterion_main};
use isc_engine::{AgentId, Chain, ChainConfig, Dict, Request, VmType};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../public/examples/{name}/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// A chain whose users can pay for any number of requests.
fn chain() -> Chain {
    let mut chain = Chain::new(ChainConfig {
        l2_funds: 1 << 50,
        ..ChainConfig::default()
    });
    isc_engine::register_builtin_vms(&mut chain);
    chain
}

fn deploy(chain: &mut Chain, name: &str, init: Dict) {
    let receipt = chain
        .deploy(
            AgentId::user("alice"),
            name,
            &VmType::WASM,
            &example(name),
            init,
        )
        .expect("accepted");
    assert!(receipt.is_success(), "{:?}", receipt.error);
}

/// Times `iters` posts of `request`, from the same starting snapshot.
fn bench_request(c: &mut Criterion, name: &str, mut chain: Chain, request: Request) {
    let start = chain.snapshot();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            chain.restore(&start);
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let begin = Instant::now();
                let receipt = chain.post(black_box(request.clone())).expect("accepted");
                total += begin.elapsed();
                assert!(receipt.is_success(), "{:?}", receipt.error);
            }
            total
        });
    });
}

fn erc20_transfer(c: &mut Criterion) {
    let alice = AgentId::user("alice");
    let mut chain = chain();
    deploy(
        &mut chain,
        "erc20",
        Dict::new()
            .with("supply", u64::MAX.to_le_bytes())
            .with("owner", alice.to_bytes()),
    );
    let transfer = Request::new(alice, "erc20", "transfer")
        .param("account", AgentId::user("bob").to_bytes())
        .param("amount", 1u64.to_le_bytes());
    bench_request(c, "wasm: erc20 transfer (request)", chain, transfer);
}

fn fibonacci(c: &mut Criterion) {
    let mut chain = chain();
    deploy(&mut chain, "inccounter", Dict::new());
    deploy(&mut chain, "testcore", Dict::new());
    let fib = Request::new(AgentId::user("alice"), "testcore", "testFibonacci")
        .param("n", 20u32.to_le_bytes())
        .gas_budget(50_000_000);
    bench_request(c, "wasm: fibonacci(20) (request)", chain, fib);
}

fn core_deposit(c: &mut Criterion) {
    let deposit = Request::new(AgentId::user("alice"), "accounts", "deposit");
    bench_request(c, "core: accounts.deposit (request)", chain(), deposit);
}

fn solidity(name: &str) -> isc_engine::evm::EvmProgram {
    let path = format!(
        "{}/../public/examples/solidity/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    isc_engine::evm::programs_from_artifact(&text)
        .expect("solc output")
        .into_iter()
        .find(|(contract, _)| contract == name)
        .map(|(_, program)| program)
        .expect("contract in artifact")
}

/// ERC-20 transfers through the EVM processor, as requests, beside the same
/// transfer on a bare revm over an in-memory database.
fn evm_token_transfer(c: &mut Criterion) {
    let alice = AgentId::user("alice");
    let bob = format!(
        "0x{}",
        hex::encode(isc_engine::evm::agent_address(&AgentId::user("bob")))
    );
    let args = |values: serde_json::Value| values.to_string().into_bytes();
    let mut chain = chain();
    let receipt = chain
        .deploy(
            alice,
            "token",
            &VmType::EVM,
            &solidity("Token").to_json(),
            Dict::new().with("args", args(serde_json::json!(["T", "T", "1000000000000"]))),
        )
        .expect("accepted");
    assert!(receipt.is_success(), "{:?}", receipt.error);
    let transfer =
        Request::new(alice, "token", "transfer").param("args", args(serde_json::json!([bob, "1"])));
    bench_request(c, "evm: token transfer (request)", chain, transfer);

    let mut raw = isc_engine::evm::InMemoryEvm::deploy(
        solidity("Token"),
        isc_engine::evm::agent_address(&alice),
        &["T".into(), "T".into(), "1000000000000".into()],
    )
    .expect("deploys");
    let call_args = [bob.clone(), "1".to_owned()];
    c.bench_function("evm: token transfer (bare revm, in-memory db)", |b| {
        b.iter(|| {
            raw.call("transfer", black_box(&call_args))
                .expect("transfers")
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = core_deposit, erc20_transfer, fibonacci, evm_token_transfer
}
criterion_main!(benches);
