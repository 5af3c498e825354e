//! What one request costs in the engine worker as the session grows:
//! `cargo bench -p isc-app --bench host`.
//!
//! The worker answers every command with a reply the page reads; this
//! times the whole of it — the request, the view, the JSON on the wire —
//! on chains of 10 and of 10 000 blocks. The two should cost the same.

#![allow(missing_docs)] // criterion's macros generate undocumented items.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use isc_app::protocol::{Command, FromWorker, Reply};
use isc_app::worker::host::Host;
use isc_engine::{AgentId, ChainConfig, Dict, VmType};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn example(path: &str) -> Vec<u8> {
    let path = format!("{}/../public/examples/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn increment() -> Command {
    Command::request(
        AgentId::user("alice"),
        "inccounter",
        "increment",
        Dict::new(),
    )
}

/// A worker whose chain has `blocks` blocks: the counter deployed, then
/// increments.
fn host_with(blocks: u32) -> Host {
    let mut host = Host::new(ChainConfig {
        l2_funds: 1 << 50,
        ..ChainConfig::default()
    });
    let deployed = host.handle(Command::Deploy {
        sender: AgentId::user("alice"),
        name: "inccounter".into(),
        vm: VmType::WASM,
        binary: example("inccounter/inccounter.wasm"),
        init: Dict::new(),
        sources: Vec::new(),
        gas_budget: None,
    });
    assert!(matches!(deployed, Reply::Chain { .. }), "{deployed:?}");
    while host.chain().block_index() < blocks {
        let reply = host.handle(increment());
        assert!(matches!(reply, Reply::Chain { .. }), "{reply:?}");
    }
    host
}

fn request_as_the_session_grows(c: &mut Criterion) {
    let mut group = c.benchmark_group("worker: inccounter.increment, reply on the wire");
    for blocks in [10, 10_000] {
        let mut host = host_with(blocks);
        group.bench_function(
            BenchmarkId::from_parameter(format!("{blocks} blocks")),
            |b| {
                // Each timed request is undone (untimed), so the chain stays
                // at `blocks` blocks however many iterations criterion picks.
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let begin = Instant::now();
                        let reply = host.handle(black_box(increment()));
                        black_box(FromWorker::new(1, reply).to_json().len());
                        total += begin.elapsed();
                        let reverted = host.handle(Command::RevertTo { block: blocks });
                        assert!(matches!(reverted, Reply::Chain { .. }), "{reverted:?}");
                    }
                    total
                });
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = request_as_the_session_grows
}
criterion_main!(benches);
