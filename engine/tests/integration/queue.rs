//! Asynchronous requests: a contract posts to its own chain (`FN_POST`),
//! the request waits in the queue — with its time lock — and a later block
//! runs it with the contract as its sender; several share a block; the
//! clock moves when a person advances it; sessions replay all of it.

use crate::{alice, builtin_chain, failed, ok};
use isc_engine::session::Session;
use isc_engine::{
    AgentId, Chain, ChainError, Dict, Hname, Receipt, Request, Step, VmError, VmType,
};

const MI: u64 = 1_000_000;

fn counter_chain() -> Chain {
    let mut chain = builtin_chain();
    crate::deploy_inccounter(&mut chain);
    chain
}

fn counter(chain: &mut Chain) -> i64 {
    crate::inccounter_value(chain)
}

fn contract() -> AgentId {
    builtin_chain().contract_agent("inccounter")
}

/// `entry` of inccounter from alice, allowing it 1 Mi (what a post carries).
#[track_caller]
fn send(chain: &mut Chain, entry: &str, params: Dict) -> Receipt {
    chain
        .post(
            Request::new(alice(), "inccounter", entry)
                .params(params)
                .allowance(MI),
        )
        .expect("accepted")
}

#[test]
fn a_posted_request_runs_in_a_later_block_with_the_contract_as_sender() {
    let mut chain = counter_chain();
    let receipt = send(
        &mut chain,
        "repeatMany",
        Dict::new().with("numRepeats", 2i64.to_le_bytes()),
    );
    ok(&receipt);
    assert_eq!(counter(&mut chain), 1);
    // The post took 1 Mi from the contract's account: it is in flight.
    let pending = chain.pending();
    assert_eq!(pending.len(), 1);
    let posted = &pending[0];
    assert_eq!(posted.request.sender, contract());
    assert_eq!(posted.request.entry, Hname::of("repeatMany"));
    assert_eq!(posted.request.tokens.base_tokens, MI);
    assert_eq!(posted.posted_by, Some(receipt.request_id));
    assert_eq!(
        &posted.id.0[..32],
        isc_engine::Hash::blake2b(receipt.request_id.as_bytes()).as_bytes()
    );
    assert_eq!(posted.id.0[32..], [1, 0], "output index 1");
    assert_eq!(chain.balance(&contract()), 0);
    assert_eq!(chain.in_flight(), MI);

    // Each block runs the one ready request, which posts the next.
    let block = chain.run_block().expect("one is ready");
    assert_eq!(block.len(), 1);
    let mut fees = block[0].gas_fee;
    let arrived = &block[0];
    ok(arrived);
    assert_eq!(arrived.request.sender, contract());
    assert_eq!(arrived.posted_by, Some(receipt.request_id));
    assert_eq!(arrived.request_id, posted.id);
    assert_eq!(arrived.block_index, receipt.block_index + 1);
    assert_eq!(counter(&mut chain), 2);
    let last = chain.run_block().expect("the repeat is ready");
    ok(&last[0]);
    fees += last[0].gas_fee;
    assert_eq!(counter(&mut chain), 3);
    assert!(chain.pending().is_empty(), "two repeats, then none");
    // Every request has its own id, posted ones included.
    let ids: std::collections::BTreeSet<_> =
        chain.receipts().iter().map(|r| r.request_id).collect();
    assert_eq!(ids.len(), chain.receipts().len(), "request ids are unique");
    // The tokens came back; the contract paid the posted requests' fees
    // (capped, as every fee, by what its account held at the end).
    assert_eq!(chain.in_flight(), 0);
    assert!(fees > 0);
    assert_eq!(chain.balance(&contract()), MI - fees);

    let err = chain.run_block().expect_err("nothing queued");
    assert_eq!(
        err.to_string(),
        "no request is queued: there is nothing for a block to run"
    );
}

#[test]
fn a_time_locked_request_waits_until_time_is_advanced() {
    let mut chain = counter_chain();
    let before = chain.time();
    ok(&send(
        &mut chain,
        "incrementWithDelay",
        Dict::new().with("delay", 5u32.to_le_bytes()),
    ));
    let posted_at = chain.time();
    assert_eq!(posted_at, before + 1_000_000_000, "one block, one second");
    let pending = chain.pending();
    assert_eq!(pending[0].unlock_time, posted_at + 5_000_000_000);
    assert_eq!(pending[0].request.entry, Hname::of("increment"));

    // The next block is one second later: too early.
    let err = chain.run_block().expect_err("locked");
    assert!(
        matches!(err, ChainError::NothingReady { waiting: 1, next_unlock: Some(t) } if t == posted_at + 5_000_000_000),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("the first time lock opens at 2024-01-01 00:00:")
            && err.to_string().contains("(advance time)"),
        "{err}"
    );
    // Blocks of other requests move time too, without running it early.
    ok(&send(&mut chain, "increment", Dict::new()));
    assert_eq!(chain.pending().len(), 1);
    assert_eq!(counter(&mut chain), 1);

    chain.advance_time(3).expect("advances");
    assert_eq!(
        chain.next_block_time(),
        posted_at + 2_000_000_000 + 3_000_000_000
    );
    let ran = chain.run_block().expect("unlocked at exactly +5 s");
    assert_eq!(ran.len(), 1);
    ok(&ran[0]);
    assert_eq!(counter(&mut chain), 2);
    assert_eq!(chain.time(), posted_at + 5_000_000_000);

    assert!(matches!(
        chain.advance_time(0),
        Err(ChainError::BadAdvance { .. })
    ));
}

#[test]
fn several_ready_requests_share_a_block_after_the_senders_own() {
    let mut chain = counter_chain();
    for _ in 0..3 {
        ok(&send(
            &mut chain,
            "incrementWithDelay",
            Dict::new().with("delay", 5u32.to_le_bytes()),
        ));
    }
    assert_eq!(chain.pending().len(), 3);
    // A person's request runs first; the queued ones whose time has come
    // follow it in the same block (the last unlocks 5 s after its block:
    // the next block is 1 s later, plus 4 advanced).
    chain.advance_time(4).expect("advances");
    let receipt = send(&mut chain, "increment", Dict::new());
    ok(&receipt);
    assert_eq!(receipt.request_index, 0);
    let block = chain.block_receipts(receipt.block_index);
    assert_eq!(block.len(), 4, "{block:#?}");
    assert_eq!(
        block.iter().map(|r| r.request_index).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert!(block[1..].iter().all(|r| r.request.sender == contract()));
    assert_eq!(counter(&mut chain), 4);
    let info = chain.block(receipt.block_index).expect("block");
    assert_eq!(info.requests, 4);
    assert_eq!(
        info.gas_burned,
        block.iter().map(|r| r.gas_burned).sum::<u64>()
    );
    // The blocklog finds every one of them.
    let ids = chain
        .call_view(
            "blocklog",
            "getRequestIDsForBlock",
            Dict::new().with("n", receipt.block_index.to_le_bytes()),
        )
        .expect("view");
    assert_eq!(ids.get("u"), Some([4u8].as_slice()), "an array of 4");
    let found = chain
        .call_view(
            "blocklog",
            "getRequestReceipt",
            Dict::new().with("u", block[3].request_id.as_bytes().to_vec()),
        )
        .expect("view");
    assert_eq!(found.get("r"), Some(3u16.to_le_bytes().as_slice()));
}

#[test]
fn a_failed_request_posts_nothing_and_a_poor_contract_cannot_post() {
    let mut chain = counter_chain();
    // No allowance: the contract's account is empty, and Wasp raises the
    // 1-token transfer to 1 Mi.
    let receipt = chain
        .post(
            Request::new(alice(), "inccounter", "incrementWithDelay")
                .param("delay", 1u32.to_le_bytes()),
        )
        .expect("accepted");
    assert!(
        matches!(
            failed(&receipt),
            VmError::InsufficientFunds { needed: MI, .. }
        ),
        "{:?}",
        receipt.error
    );
    assert!(chain.pending().is_empty());
}

/// [`counter_chain`] on a chain from before the compact receipt form,
/// whose sessions are written in the lowest versions that hold them.
fn counter_chain_before_compact_receipts() -> Chain {
    let mut chain = Chain::new(isc_engine::ChainConfig {
        receipt_form: isc_engine::ReceiptForm::Json,
        ..isc_engine::ChainConfig::default()
    });
    isc_engine::register_builtin_vms(&mut chain);
    crate::deploy_inccounter(&mut chain);
    chain
}

#[test]
fn a_person_can_queue_a_request_and_the_session_replays_every_step() {
    let mut chain = counter_chain_before_compact_receipts();
    let id = chain
        .queue(Request::new(alice(), "inccounter", "increment").tokens(5))
        .expect("queued");
    let l1 = chain.l1_balance(&alice());
    assert_eq!(chain.pending()[0].id, id);
    assert_eq!(counter(&mut chain), 0, "not run yet");
    ok(&send(
        &mut chain,
        "incrementWithDelay",
        Dict::new().with("delay", 10u32.to_le_bytes()),
    ));
    assert_eq!(counter(&mut chain), 1, "the queued one ran after it");
    chain.advance_time(10).expect("advances");
    ok(&chain.run_block().expect("ready")[0]);
    assert_eq!(counter(&mut chain), 2);
    assert_eq!(chain.l1_balance(&alice()), l1);

    let session = Session::of(&chain);
    let json = session.to_json();
    assert!(json.contains("\"version\": 2"), "{json}");
    assert!(json.contains("\"queue\""), "{json}");
    assert!(json.contains("\"run_block\": {}"), "{json}");
    assert!(json.contains("\"advance_time\": {\n"), "{json}");
    let read = Session::from_json(&json).expect("reads");
    assert_eq!(read, session);
    let replay = read
        .replay(isc_engine::register_builtin_vms)
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
    assert_eq!(replay.chain.receipts(), chain.receipts());

    // Reverting drops the steps since the last block too.
    let latest = chain.block_index();
    chain.advance_time(7).expect("advances");
    chain
        .queue(Request::new(alice(), "inccounter", "increment"))
        .expect("queued");
    assert_ne!(chain.state_hash(), replay.state_hash());
    chain.revert_to(latest).expect("reverts");
    assert_eq!(chain.state_hash(), replay.state_hash());
    assert_eq!(chain.steps(), replay.chain.steps());

    // A session of requests alone is still written as version 1.
    let plain = Session::of(&counter_chain_before_compact_receipts()).to_json();
    assert!(plain.contains("\"version\": 1"), "{plain}");
    let mut old = read.clone();
    old.requests.push(Step::RunBlock);
    let v1 = old.to_json().replace("\"version\": 2", "\"version\": 1");
    let err = Session::from_json(&v1).expect_err("v1 has no run_block");
    assert!(err.to_string().contains("needs session version 2"), "{err}");
}

/// Solidity posts with the magic contract's `send`.
mod solidity {
    use super::*;

    fn chain() -> Chain {
        let mut chain = counter_chain();
        let program = crate::solidity_artifact("tests/fixtures/solidity", "Poster").to_json();
        ok(&chain
            .deploy(alice(), "poster", &VmType::EVM, &program, Dict::new())
            .expect("deploys"));
        chain
    }

    fn call(chain: &mut Chain, entry: &str, args: &str, value: u64) -> Receipt {
        chain
            .post(
                Request::new(alice(), "poster", entry)
                    .param("args", args.as_bytes().to_vec())
                    .param("evm.value", value.to_le_bytes().to_vec()),
            )
            .expect("accepted")
    }

    #[test]
    fn send_posts_a_request_with_the_contract_as_sender_after_the_transaction() {
        let mut chain = chain();
        let receipt = call(&mut chain, "later", "[1000, 0]", 5_000);
        ok(&receipt);
        let pending = chain.pending();
        assert_eq!(pending.len(), 1, "{pending:#?}");
        let posted = &pending[0];
        let poster = chain.contract_agent("poster");
        assert_eq!(posted.request.sender, poster);
        assert_eq!(posted.request.contract, Hname::of("inccounter"));
        assert_eq!(posted.request.tokens.base_tokens, 1_000);
        assert_eq!(posted.posted_by, Some(receipt.request_id));
        assert_eq!(chain.in_flight(), 1_000);
        // The tokens left the contract (it keeps the rest of the value).
        assert_eq!(chain.balance(&poster), 4_000);

        let ran = chain.run_block().expect("ready");
        ok(&ran[0]);
        assert_eq!(ran[0].request.sender, poster);
        assert_eq!(counter(&mut chain), 1);
        assert_eq!(chain.in_flight(), 0);
    }

    #[test]
    fn a_reverted_send_posts_nothing_and_a_caught_one_only_its_own() {
        let mut chain = chain();
        let receipt = call(&mut chain, "laterThenRevert", "[10]", 100);
        assert!(failed(&receipt).to_string().contains("changed my mind"));
        assert!(chain.pending().is_empty());
        ok(&call(&mut chain, "laterTwiceOneCaught", "[10]", 100));
        assert_eq!(chain.pending().len(), 1);
        assert_eq!(chain.in_flight(), 10);
    }

    #[test]
    fn a_send_waits_for_its_time_lock_and_other_chains_are_refused() {
        let mut chain = chain();
        let at = chain.time() / 1_000_000_000 + 100;
        // The value pays the posted request's fee.
        ok(&call(&mut chain, "later", &format!("[0, {at}]"), 1_000));
        assert_eq!(chain.pending()[0].unlock_time, at * 1_000_000_000);
        assert!(matches!(
            chain.run_block(),
            Err(ChainError::NothingReady { waiting: 1, .. })
        ));
        chain.advance_time(100).expect("advances");
        ok(&chain.run_block().expect("unlocked")[0]);
        assert_eq!(counter(&mut chain), 1);

        let error = failed(&call(&mut chain, "elsewhere", "[]", 0)).to_string();
        assert!(error.contains("the playground runs one chain"), "{error}");
    }
}

/// What a reader who has the history up to a block lacks is exactly the
/// rest of it: `steps_after` and `receipts_after` at every block, after
/// queued requests, blocks they ran in, time advanced and a revert.
#[test]
fn the_history_after_any_block_is_what_the_whole_history_adds() {
    let mut chain = counter_chain();
    ok(&send(
        &mut chain,
        "repeatMany",
        Dict::new().with("numRepeats", 3i64.to_le_bytes()),
    ));
    chain
        .queue(Request::new(alice(), "inccounter", "increment"))
        .expect("queued");
    chain.advance_time(5).expect("advances");
    chain.run_block().expect("runs");
    ok(&send(&mut chain, "increment", Dict::new()));
    chain.revert_to(chain.block_index() - 1).expect("reverts");
    ok(&send(&mut chain, "increment", Dict::new()));
    chain
        .queue(Request::new(alice(), "inccounter", "increment"))
        .expect("queued after the last block");
    let steps = chain.steps();
    let receipts = chain.receipts();
    assert!(
        steps
            .iter()
            .any(|step| matches!(step, Step::AdvanceTime { .. })),
        "{steps:?}"
    );
    for index in 0..=chain.block_index() + 1 {
        let (before, after) = chain.steps_after(index);
        assert_eq!(
            [&steps[..before], &after[..]].concat(),
            steps,
            "block {index}"
        );
        let expected: Vec<_> = receipts
            .iter()
            .filter(|receipt| receipt.block_index > index)
            .cloned()
            .collect();
        assert_eq!(chain.receipts_after(index), expected, "block {index}");
    }
    // After the last block only the queued step is new.
    assert_eq!(chain.steps_after(chain.block_index()).1.len(), 1);
}

/// The queue holds at most `MAX_QUEUED_REQUESTS`: the next one is refused
/// and changes nothing, and a block that runs the waiting requests makes
/// room again. (Counting the queue copies none of it: `cargo xtask bench`'s
/// batch case queues hundreds at a time.)
#[test]
fn the_queue_holds_its_maximum_and_refuses_the_next_until_a_block_runs() {
    let max = isc_engine::bounds::MAX_QUEUED_REQUESTS;
    let mut chain = counter_chain();
    for _ in 0..max {
        chain
            .queue(Request::new(alice(), "inccounter", "increment"))
            .expect("queued");
    }
    assert_eq!(chain.pending().len(), max);
    let hash = chain.state_hash();
    let refused = chain.queue(Request::new(alice(), "inccounter", "increment"));
    assert!(
        matches!(refused, Err(ChainError::QueueFull { max: m }) if m == max),
        "{refused:?}"
    );
    assert_eq!(
        chain.state_hash(),
        hash,
        "a refused request changes nothing"
    );
    let ran = chain.run_block().expect("ready");
    assert!(!ran.is_empty() && ran.len() < max, "a block takes some");
    assert_eq!(chain.pending().len(), max - ran.len());
    chain
        .queue(Request::new(alice(), "inccounter", "increment"))
        .expect("room again");
}
