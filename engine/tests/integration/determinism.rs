//! Determinism as a property: random request sequences across core, Wasm
//! and EVM contracts — failing requests, reverts and restores, requests
//! contracts post, queued requests, blocks of them and time advanced
//! included —
//! replay to the same receipts and state hash, through session JSON and
//! through a share link, every time.
//!
//! The sequences come from a seeded generator (splitmix64); a failure
//! names its seed, and `ISC_DETERMINISM_SEEDS=N` runs more of them.

use crate::{alice, bob, builtin_chain, solidity_example, wasm_example};
use isc_engine::session::{Link, Session};
use isc_engine::{AgentId, Chain, Dict, Request, VmType};
use serde_json::json;

/// splitmix64: small, seedable, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn evm_args(values: serde_json::Value) -> Vec<u8> {
    values.to_string().into_bytes()
}

fn address(agent: &AgentId) -> String {
    format!("0x{}", hex::encode(isc_engine::evm::agent_address(agent)))
}

/// One random step: a request (which may fail), or a revert or restore.
fn step(chain: &mut Chain, rng: &mut Rng, snapshot: &mut Option<isc_engine::Snapshot>) {
    let users = [alice(), bob(), AgentId::user("carol")];
    let sender = *rng.pick(&users);
    let amount = rng.below(2_000).to_string();
    let request = match rng.below(19) {
        0 => {
            let _ = chain.deploy(
                sender,
                "inccounter",
                &VmType::WASM,
                &wasm_example("inccounter"),
                Dict::new(),
            );
            return;
        }
        1 => {
            let _ = chain.deploy(
                sender,
                "token",
                &VmType::EVM,
                &solidity_example("Token").to_json(),
                Dict::new().with("args", evm_args(json!(["T", "T", "1000000"]))),
            );
            return;
        }
        2 => Request::new(sender, "inccounter", "increment"),
        3 => Request::new(sender, "inccounter", "incrementBy")
            .param("amount", rng.next().to_le_bytes().to_vec()),
        4 => Request::new(sender, "inccounter", "incrementBy").param("amount", vec![1, 2]),
        5 => Request::new(sender, "token", "transfer")
            .param("args", evm_args(json!([address(rng.pick(&users)), amount]))),
        6 => Request::new(sender, "token", "approve")
            .param("args", evm_args(json!([address(rng.pick(&users)), amount]))),
        7 => Request::new(sender, "accounts", "deposit").tokens(rng.below(1_000)),
        8 => Request::new(sender, "nosuch", "go"),
        9 => Request::new(sender, "inccounter", "getCounter"),
        10 => Request::new(sender, "blob", "storeBlob")
            .param("p", rng.next().to_le_bytes().to_vec())
            .gas_budget(rng.below(30_000)),
        11 => {
            if rng.below(2) == 0 {
                *snapshot = Some(chain.snapshot());
            } else if let Some(snapshot) = snapshot.as_ref() {
                chain.restore(snapshot);
            }
            return;
        }
        12 => {
            let to = rng.below(u64::from(chain.block_index()) + 1) as u32;
            chain.revert_to(to).expect("an existing block");
            *snapshot = None;
            return;
        }
        13 => Request::new(sender, "inccounter", "repeatMany")
            .param("numRepeats", rng.below(4).to_le_bytes().to_vec())
            .allowance(1_000_000),
        14 => Request::new(sender, "inccounter", "incrementWithDelay")
            .param("delay", (rng.below(8) as u32).to_le_bytes().to_vec())
            .allowance(1_000_000),
        15 => {
            let _ =
                chain.queue(Request::new(sender, "inccounter", "increment").tokens(rng.below(50)));
            return;
        }
        16 => {
            let _ = chain.run_block();
            return;
        }
        17 => {
            let _ = chain.advance_time(rng.below(10) + 1);
            return;
        }
        _ => Request::new(sender, "inccounter", "init"),
    };
    // Refused requests (no fee, no block) leave no trace: fine too.
    let _ = chain.post(request);
}

#[test]
fn random_sessions_replay_identically_through_json_and_links() {
    let seeds: u64 = std::env::var("ISC_DETERMINISM_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let mut posted = 0;
    for seed in 0..seeds {
        let mut rng = Rng(seed);
        let mut chain = builtin_chain();
        let mut snapshot = None;
        for _ in 0..24 {
            step(&mut chain, &mut rng, &mut snapshot);
        }
        let receipts = chain.receipts();
        posted += receipts.iter().filter(|r| r.posted_by.is_some()).count();
        let receipts_json = serde_json::to_string(&receipts).expect("receipts serialize");
        for block in 1..=chain.block_index() {
            let held = chain.block(block).expect("block info").requests;
            assert_eq!(
                chain.block_receipts(block).len(),
                usize::from(held),
                "seed {seed}: every receipt of block {block} is readable"
            );
        }
        let hash = chain.state_hash();

        let json = Session::of(&chain).to_json();
        let session = Session::from_json(&json).expect("reads its own session");
        for attempt in 0..2 {
            let replay = session
                .replay(isc_engine::register_builtin_vms)
                .unwrap_or_else(|err| panic!("seed {seed}: {err}"));
            assert_eq!(replay.state_hash(), hash, "seed {seed}, replay {attempt}");
            let replayed = serde_json::to_string(&replay.chain.receipts()).expect("serialize");
            assert_eq!(replayed, receipts_json, "seed {seed}, replay {attempt}");
        }

        let link = Link::new(session, hash.to_string()).encode();
        let opened = Link::decode(&link).expect("opens its own link");
        let replay = opened
            .session
            .replay(isc_engine::register_builtin_vms)
            .unwrap_or_else(|err| panic!("seed {seed}: {err}"));
        assert_eq!(
            replay.state_hash().to_string(),
            opened.state_hash,
            "seed {seed}"
        );
    }
    assert!(
        posted > 0,
        "the sequences include requests contracts posted"
    );
}
