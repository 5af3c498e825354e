//! Requests, atomicity, gas, views, snapshots — through the test VM.

use crate::{alice, bob, deploy, failed, new_chain, ok, post, state};
use isc_engine::{AgentId, Dict, EntryKind, Hname, Request, VmError, VmType};
use serde_json::json;

fn counter() -> serde_json::Value {
    json!({
        "funcs": [
            {"name": "increment", "ops": [{"increment": {"key": "n"}}, {"log": {"message": "incremented"}}]},
            {"name": "fail", "ops": [{"increment": {"key": "n"}}, {"panic": {"message": "boom"}}]},
            {"name": "spin", "ops": [{"increment": {"key": "n"}}, "spin"]},
            {"name": "writeView", "ops": []}
        ],
        "views": [
            {"name": "get", "ops": [{"get": {"key": "n"}}]},
            {"name": "sneakyWrite", "ops": [{"set": {"key": "n", "value": "x"}}]}
        ]
    })
}

fn n(chain: &mut isc_engine::Chain) -> u64 {
    let results = chain
        .call_view("counter", "get", Dict::new())
        .expect("view runs");
    results.u64("n").expect("n is a u64")
}

#[test]
fn deploy_and_call_through_the_test_processor() {
    let mut chain = new_chain();
    let start = chain.block_index();
    deploy(&mut chain, "counter", counter());
    // storeBlob and deployContract: two blocks.
    assert_eq!(chain.block_index(), start + 2);

    let record = chain
        .contracts()
        .into_iter()
        .find(|record| record.name == "counter")
        .expect("root records the contract");
    assert_eq!(record.hname, Hname::of("counter"));
    assert_eq!(record.vm_type, VmType::new("testvm"));
    assert_eq!(record.deployer, alice());

    let entry_points = chain.entry_points(Hname::of("counter")).expect("loads");
    let get = entry_points
        .iter()
        .find(|ep| ep.name == "get")
        .expect("get");
    assert_eq!(get.kind, EntryKind::View);

    let receipt = post(&mut chain, "counter", "increment");
    ok(&receipt);
    post(&mut chain, "counter", "increment");
    assert_eq!(n(&mut chain), 2);
    assert_eq!(
        receipt.logs,
        [format!("[{}] incremented", Hname::of("counter"))]
    );
    assert_eq!(receipt.trace.vm, VmType::new("testvm"));
    assert_eq!(receipt.trace.entry_name, "increment");
}

#[test]
fn a_failed_request_reverts_its_changes_and_still_pays_its_fee() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    post(&mut chain, "counter", "increment");
    let before = chain.balance(&alice());

    let receipt = post(&mut chain, "counter", "fail");
    assert_eq!(failed(&receipt), VmError::panic("boom"));
    assert_eq!(
        n(&mut chain),
        1,
        "the increment before the panic is reverted"
    );
    assert!(receipt.gas_fee > 0);
    assert_eq!(chain.balance(&alice()), before - receipt.gas_fee);
    assert_eq!(chain.receipt(receipt.block_index), Some(receipt));
}

#[test]
fn out_of_gas_reverts_state_and_charges_the_whole_budget() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    let before = chain.balance(&alice());
    let owner_before = chain.balance(&chain.owner());

    let receipt = chain
        .post(Request::new(alice(), "counter", "spin").gas_budget(200_000))
        .expect("accepted");
    assert_eq!(failed(&receipt), VmError::OutOfGas { budget: 200_000 });
    assert_eq!(receipt.gas_burned, 200_000);
    assert_eq!(receipt.gas_fee, 2_000, "200 000 gas at 100 gas per token");
    assert_eq!(chain.balance(&alice()), before - 2_000);
    assert_eq!(chain.balance(&chain.owner()), owner_before + 2_000);
    assert_eq!(n(&mut chain), 0);
}

#[test]
fn the_gas_budget_is_capped_by_what_the_sender_can_pay() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    // Drain bob down to 500 base tokens: 50 000 gas at most.
    let keep = 500;
    let drain = chain.balance(&bob()) - keep - 10_000;
    let receipt = chain
        .post(
            Request::new(bob(), "accounts", "transferAllowanceTo")
                .param("a", alice().to_bytes())
                .allowance(drain),
        )
        .expect("accepted");
    ok(&receipt);
    let left = chain.balance(&bob());
    let receipt = chain
        .post(Request::new(bob(), "counter", "spin").gas_budget(10_000_000))
        .expect("accepted");
    assert_eq!(receipt.gas_budget, left * 100);
    assert!(matches!(failed(&receipt), VmError::OutOfGas { .. }));
    assert_eq!(chain.balance(&bob()), 0);
}

#[test]
fn an_inner_failure_can_be_caught_and_only_the_inner_changes_vanish() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    deploy(
        &mut chain,
        "caller",
        json!({"funcs": [
            {"name": "tryFail", "ops": [
                {"set": {"key": "before", "value": "yes"}},
                {"call": {"contract": "counter", "entry": "fail", "catch": true}},
                {"set": {"key": "after", "value": "yes"}}
            ]},
            {"name": "incThenFail", "ops": [
                {"call": {"contract": "counter", "entry": "increment"}},
                {"panic": {"message": "outer gives up"}}
            ]}
        ]}),
    );

    let receipt = post(&mut chain, "caller", "tryFail");
    ok(&receipt);
    assert_eq!(state(&chain, "caller", "before").as_deref(), Some("yes"));
    assert_eq!(state(&chain, "caller", "after").as_deref(), Some("yes"));
    assert_eq!(
        state(&chain, "caller", "caught").as_deref(),
        Some("contract panicked: boom")
    );
    assert_eq!(n(&mut chain), 0, "the failed inner increment vanished");
    let inner = &receipt.trace.calls[0];
    assert_eq!(inner.contract_name, "counter");
    assert_eq!(inner.entry_name, "fail");
    assert_eq!(inner.error.as_deref(), Some("contract panicked: boom"));
    assert_eq!(
        inner.caller,
        AgentId::Contract {
            chain: chain.chain_id(),
            hname: Hname::of("caller")
        }
    );

    let receipt = post(&mut chain, "caller", "incThenFail");
    assert_eq!(failed(&receipt), VmError::panic("outer gives up"));
    assert_eq!(
        n(&mut chain),
        0,
        "the inner success vanished with the outer failure"
    );
    assert_eq!(receipt.trace.calls[0].error, None);
}

#[test]
fn a_view_cannot_write_or_call_a_func_and_a_request_cannot_name_a_view() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    let hash = chain.state_hash();
    let err = chain
        .call_view("counter", "sneakyWrite", Dict::new())
        .expect_err("a view cannot write");
    assert!(matches!(err, VmError::WriteInView { .. }), "{err}");
    let err = chain
        .call_view("counter", "increment", Dict::new())
        .expect_err("a func is not a view");
    assert!(matches!(err, VmError::FuncFromView { .. }), "{err}");
    assert_eq!(chain.state_hash(), hash, "views change nothing");

    let receipt = post(&mut chain, "counter", "get");
    assert!(matches!(failed(&receipt), VmError::NotAFunc { .. }));
}

#[test]
fn calls_into_nothing_fail_with_clear_errors() {
    let mut chain = new_chain();
    let receipt = post(&mut chain, "nosuch", "thing");
    assert_eq!(
        failed(&receipt),
        VmError::ContractNotFound {
            contract: Hname::of("nosuch")
        }
    );
    let receipt = post(&mut chain, "accounts", "nosuch");
    assert_eq!(
        failed(&receipt).to_string(),
        format!(
            "contract `accounts`: entry point {} not found",
            Hname::of("nosuch")
        )
    );
}

#[test]
fn deep_recursion_on_the_host_stack_stops_at_its_bound() {
    // The test processor nests through `Sandbox::call`, on the host's stack.
    let mut chain = new_chain();
    deploy(
        &mut chain,
        "loop",
        json!({"funcs": [{"name": "again", "ops": [{"call": {"contract": "loop", "entry": "again"}}]}]}),
    );
    let receipt = post(&mut chain, "loop", "again");
    assert_eq!(failed(&receipt), VmError::HostStack { max: 128 });
}

#[test]
fn token_transfers_respect_balances_and_allowances() {
    let mut chain = new_chain();
    deploy(
        &mut chain,
        "vault",
        json!({"funcs": [
            {"name": "take", "ops": [{"take_allowance": {"to": "bob", "amount": 300}}]},
            {"name": "payOut", "ops": [{"send": {"to": "bob", "amount": 1_000_000_000_u64}}]}
        ]}),
    );
    let bob_before = chain.balance(&bob());

    // Allowance of 300: the contract may move 300 of alice's tokens.
    let receipt = chain
        .post(Request::new(alice(), "vault", "take").allowance(300))
        .expect("accepted");
    ok(&receipt);
    assert_eq!(chain.balance(&bob()), bob_before + 300);

    // Without an allowance it may not.
    let receipt = post(&mut chain, "vault", "take");
    assert_eq!(
        failed(&receipt),
        VmError::AllowanceExceeded {
            needed: 300,
            allowed: 0
        }
    );

    // An allowance larger than the balance fails before the call.
    let balance = chain.balance(&alice());
    let receipt = chain
        .post(Request::new(alice(), "vault", "take").allowance(balance + 1))
        .expect("accepted");
    assert!(matches!(
        failed(&receipt),
        VmError::InsufficientFunds { .. }
    ));

    // The contract cannot send what it does not hold.
    let receipt = post(&mut chain, "vault", "payOut");
    assert!(matches!(
        failed(&receipt),
        VmError::InsufficientFunds { .. }
    ));
    assert_eq!(chain.balance(&bob()), bob_before + 300);
}

#[test]
fn attached_tokens_are_deposited_even_when_the_call_fails() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    let l1 = chain.l1_balance(&alice());
    let l2 = chain.balance(&alice());
    let receipt = chain
        .post(Request::new(alice(), "counter", "fail").tokens(5_000))
        .expect("accepted");
    failed(&receipt);
    assert_eq!(chain.l1_balance(&alice()), l1 - 5_000);
    assert_eq!(chain.balance(&alice()), l2 + 5_000 - receipt.gas_fee);

    let err = chain
        .post(Request::new(alice(), "counter", "increment").tokens(l1))
        .expect_err("more than the wallet holds");
    assert!(err.to_string().contains("L1 wallet holds"), "{err}");
}

#[test]
fn snapshot_restore_and_revert_to_a_block() {
    let mut chain = new_chain();
    deploy(&mut chain, "counter", counter());
    let snapshot = chain.snapshot();
    let (index, hash) = (chain.block_index(), chain.state_hash());

    post(&mut chain, "counter", "increment");
    post(&mut chain, "counter", "increment");
    assert_eq!(n(&mut chain), 2);
    let after_one = chain.state_hash_at(index + 1).expect("block exists");

    chain.restore(&snapshot);
    assert_eq!((chain.block_index(), chain.state_hash()), (index, hash));
    assert_eq!(n(&mut chain), 0);

    post(&mut chain, "counter", "increment");
    post(&mut chain, "counter", "increment");
    assert_eq!(
        chain.state_hash_at(index + 1),
        Some(after_one),
        "deterministic"
    );
    chain.revert_to(index + 1).expect("block exists");
    assert_eq!(chain.block_index(), index + 1);
    assert_eq!(chain.state_hash(), after_one);
    assert_eq!(n(&mut chain), 1);
    assert!(chain.receipt(index + 2).is_none());
    assert!(chain.revert_to(index + 5).is_err());
}

#[test]
fn the_same_requests_give_the_same_state_hash_on_a_new_chain() {
    let mut one = new_chain();
    deploy(&mut one, "counter", counter());
    post(&mut one, "counter", "increment");
    post(&mut one, "counter", "fail");

    let mut two = new_chain();
    for step in one.steps() {
        two.apply(&step).expect("accepted");
    }
    assert_eq!(two.state_hash(), one.state_hash());
    assert_eq!(two.receipts(), one.receipts());
}

#[test]
fn blocks_advance_time_and_entropy_deterministically() {
    let mut chain = new_chain();
    let genesis = chain.block(0).expect("genesis");
    post(&mut chain, "accounts", "deposit");
    let one = chain.block(1).expect("block 1");
    assert_eq!(one.timestamp - genesis.timestamp, 1_000_000_000);
    assert_eq!(
        one.previous_state_hash,
        chain.state_hash_at(0).expect("0").to_string()
    );
}

#[test]
fn an_unloadable_program_cannot_be_deployed() {
    let mut chain = new_chain();
    let receipt = chain
        .deploy(
            alice(),
            "bad",
            &VmType::new("testvm"),
            b"not json",
            Dict::new(),
        )
        .expect("accepted");
    let err = failed(&receipt);
    assert!(matches!(err, VmError::InvalidProgram { .. }), "{err}");
    let receipt = chain
        .deploy(alice(), "alien", &VmType::new("cobol"), b"x", Dict::new())
        .expect("accepted");
    assert_eq!(
        failed(&receipt),
        VmError::UnknownVmType {
            vm: VmType::new("cobol")
        }
    );
    assert!(
        chain
            .contracts()
            .iter()
            .all(|r| r.name != "bad" && r.name != "alien")
    );
}

/// State costs Wasp's gas: a write burns 1 per byte of the full key (the
/// contract's 4-byte hname prefix included) plus the value; reading a key
/// the request has not written burns `len(value) / 100 + 1` (one it wrote,
/// nothing); a delete burns nothing.
#[test]
fn state_gas_follows_wasps_rules() {
    let mut chain = new_chain();
    let value = |c: char, n: usize| c.to_string().repeat(n);
    deploy(
        &mut chain,
        "store",
        json!({
            "funcs": [
                {"name": "nothing", "ops": []},
                {"name": "set100", "ops": [{"set": {"key": "k", "value": value('x', 100)}}]},
                {"name": "set250", "ops": [{"set": {"key": "k", "value": value('y', 250)}}]},
                {"name": "read", "ops": [{"get": {"key": "k"}}]},
                {"name": "writeThenRead", "ops": [
                    {"set": {"key": "k", "value": value('z', 250)}},
                    {"get": {"key": "k"}}
                ]},
                {"name": "delete", "ops": [{"delete": {"key": "k"}}]}
            ],
            "views": []
        }),
    );
    let mut gas = |entry: &str| {
        let receipt = chain
            .post(Request::new(alice(), "store", entry))
            .expect("accepted");
        assert!(receipt.is_success(), "{entry}: {:?}", receipt.error);
        receipt.trace.gas_burned
    };
    // The test VM burns 1 per operation it runs.
    let nothing = gas("nothing");
    assert_eq!(gas("set100") - nothing, 1 + 4 + 1 + 100);
    assert_eq!(gas("set250") - nothing, 1 + 4 + 1 + 250);
    assert_eq!(gas("read") - nothing, 1 + 250 / 100 + 1);
    assert_eq!(gas("writeThenRead") - nothing, 2 + 4 + 1 + 250);
    assert_eq!(gas("delete") - nothing, 1);
}
