//! Solidity examples from `public/examples/solidity`, on the EVM processor.

use crate::{alice, bob, builtin_chain as chain, failed, ok, solidity_example as artifact};
use isc_engine::{AgentId, Chain, Dict, Receipt, Request, VmError, VmType};
use serde_json::json;

fn args(values: serde_json::Value) -> Vec<u8> {
    values.to_string().into_bytes()
}

#[track_caller]
fn deploy(chain: &mut Chain, name: &str, constructor: serde_json::Value) -> Receipt {
    crate::deploy_program(
        chain,
        &name.to_lowercase(),
        &VmType::EVM,
        &artifact(name).to_json(),
        Dict::new().with("args", args(constructor)),
    )
}

#[track_caller]
fn send(
    chain: &mut Chain,
    from: AgentId,
    contract: &str,
    function: &str,
    values: serde_json::Value,
) -> Receipt {
    chain
        .post(Request::new(from, contract, function).param("args", args(values)))
        .expect("accepted")
}

/// A view's decoded outputs, as `[[name, value], …]`.
#[track_caller]
fn view(
    chain: &mut Chain,
    contract: &str,
    function: &str,
    values: serde_json::Value,
) -> Vec<(String, String)> {
    let results = chain
        .call_view(contract, function, Dict::new().with("args", args(values)))
        .unwrap_or_else(|err| panic!("{contract}.{function}: {err}"));
    serde_json::from_slice(results.get("decoded").expect("decoded outputs")).expect("JSON")
}

/// Deploys the test fixture `engine/tests/fixtures/solidity/<name>.sol`
/// as `name` in lower case.
#[track_caller]
fn deploy_fixture(chain: &mut Chain, name: &str) -> Receipt {
    crate::deploy_program(
        chain,
        &name.to_lowercase(),
        &VmType::EVM,
        &crate::solidity_artifact("tests/fixtures/solidity", name).to_json(),
        Dict::new(),
    )
}

fn address(agent: &AgentId) -> String {
    format!("0x{}", hex::encode(isc_engine::evm::agent_address(agent)))
}

#[test]
fn storage_sets_gets_and_emits_a_decoded_event() {
    let mut chain = chain();
    deploy(&mut chain, "Storage", json!([]));
    assert_eq!(
        view(&mut chain, "storage", "get", json!([])),
        [("#0".to_owned(), "0".to_owned())]
    );
    let receipt = send(&mut chain, alice(), "storage", "set", json!(["42"]));
    ok(&receipt);
    assert_eq!(
        view(&mut chain, "storage", "get", json!([])),
        [("#0".to_owned(), "42".to_owned())]
    );
    assert_eq!(receipt.trace.vm, VmType::EVM);
    let event = &receipt.events[0];
    assert_eq!(event.topic, "ValueChanged");
    let log: serde_json::Value = serde_json::from_slice(&event.payload).expect("JSON");
    assert_eq!(log["args"][1], json!(["value", "42"]));
    assert_eq!(
        log["args"][0][1].as_str().map(str::to_lowercase),
        Some(address(&alice()))
    );
    assert!(receipt.gas_burned > 21_000);
}

#[test]
fn erc20_transfers_approves_and_decodes_custom_errors() {
    let mut chain = chain();
    deploy(
        &mut chain,
        "Token",
        json!(["Playground", "PLAY", "1000000"]),
    );
    let balance = |chain: &mut Chain, who: &AgentId| {
        view(chain, "token", "balanceOf", json!([address(who)]))[0]
            .1
            .clone()
    };
    assert_eq!(balance(&mut chain, &alice()), "1000000");
    assert_eq!(
        view(&mut chain, "token", "symbol", json!([]))[0].1,
        "\"PLAY\""
    );

    ok(&send(
        &mut chain,
        alice(),
        "token",
        "transfer",
        json!([address(&bob()), "250"]),
    ));
    assert_eq!(balance(&mut chain, &bob()), "250");

    let carol = AgentId::user("carol");
    ok(&send(
        &mut chain,
        bob(),
        "token",
        "approve",
        json!([address(&carol), "100"]),
    ));
    ok(&send(
        &mut chain,
        carol,
        "token",
        "transferFrom",
        json!([address(&bob()), address(&carol), "60"]),
    ));
    assert_eq!(balance(&mut chain, &carol), "60");
    assert_eq!(
        view(
            &mut chain,
            "token",
            "allowance",
            json!([address(&bob()), address(&carol)])
        )[0]
        .1,
        "40"
    );

    // Over-spending: a decoded custom error, state unchanged, fee charged.
    let evm_state = chain.contract_state(isc_engine::Hname::of("evm"));
    let before = chain.balance(&bob());
    let receipt = send(
        &mut chain,
        bob(),
        "token",
        "transfer",
        json!([address(&carol), "1000"]),
    );
    match failed(&receipt) {
        VmError::Revert { reason, .. } => {
            assert!(
                reason.starts_with("ERC20InsufficientBalance(sender: 0x"),
                "{reason}"
            );
            assert!(reason.ends_with("balance: 190, needed: 1000)"), "{reason}");
        }
        other => panic!("expected a revert, got {other}"),
    }
    // Unchanged but for bob's nonce, which his failed transaction used up
    // (as on Ethereum).
    let bob_account = [b"a".as_slice(), &isc_engine::evm::agent_address(&bob())].concat();
    let without_bob = |state: Vec<(Vec<u8>, Vec<u8>)>| -> Vec<(Vec<u8>, Vec<u8>)> {
        state
            .into_iter()
            .filter(|(k, _)| *k != bob_account)
            .collect()
    };
    assert_eq!(
        without_bob(chain.contract_state(isc_engine::Hname::of("evm"))),
        without_bob(evm_state)
    );
    assert!(receipt.gas_fee > 0);
    assert_eq!(chain.balance(&bob()), before - receipt.gas_fee);
}

#[test]
fn every_revert_kind_is_decoded() {
    let mut chain = chain();
    deploy(&mut chain, "Reverter", json!([]));
    let reason = |receipt: &Receipt| match failed(receipt) {
        VmError::Revert { reason, .. } => reason,
        other => panic!("expected a revert, got {other}"),
    };
    assert_eq!(
        reason(&send(
            &mut chain,
            alice(),
            "reverter",
            "failWithReason",
            json!([])
        )),
        "Reverter: no, not today"
    );
    let custom = reason(&send(
        &mut chain,
        alice(),
        "reverter",
        "failWithCustomError",
        json!(["7"]),
    ));
    assert!(
        custom.starts_with("Unauthorized(caller: 0x") && custom.ends_with("code: 7)"),
        "{custom}"
    );
    assert_eq!(
        reason(&send(
            &mut chain,
            alice(),
            "reverter",
            "failWithPanic",
            json!([])
        )),
        "Panic(0x11): arithmetic overflow or underflow"
    );
    let err = chain
        .call_view(
            "reverter",
            "divide",
            Dict::new().with("args", args(json!(["1", "0"]))),
        )
        .expect_err("division by zero");
    assert!(
        err.to_string()
            .contains("Panic(0x12): division or modulo by zero"),
        "{err}"
    );
    assert_eq!(
        view(&mut chain, "reverter", "touched", json!([]))[0].1,
        "0",
        "every failure reverted"
    );

    let receipt = chain
        .post(Request::new(alice(), "reverter", "spin").gas_budget(300_000))
        .expect("accepted");
    assert_eq!(failed(&receipt), VmError::OutOfGas { budget: 300_000 });
}

#[test]
fn ballot_counts_votes_once_each() {
    let mut chain = chain();
    deploy(&mut chain, "Ballot", json!([["rust", "go", "solidity"]]));
    for voter in ["alice", "bob", "carol"] {
        let choice = if voter == "alice" { "0" } else { "2" };
        ok(&send(
            &mut chain,
            AgentId::user(voter),
            "ballot",
            "vote",
            json!([choice]),
        ));
    }
    let receipt = send(&mut chain, bob(), "ballot", "vote", json!(["1"]));
    assert!(failed(&receipt).to_string().contains("Already voted."));
    let winner = view(&mut chain, "ballot", "winningProposal", json!([]));
    assert_eq!(
        winner[1],
        ("winnerName".to_owned(), "\"solidity\"".to_owned())
    );
    assert_eq!(winner[2], ("votes".to_owned(), "2".to_owned()));
    assert_eq!(
        view(&mut chain, "ballot", "chairperson", json!([]))[0]
            .1
            .to_lowercase(),
        address(&alice())
    );
}

#[test]
fn bad_arguments_and_programs_get_clear_errors() {
    let mut chain = chain();
    deploy(&mut chain, "Storage", json!([]));
    let err = failed(&send(
        &mut chain,
        alice(),
        "storage",
        "set",
        json!(["not a number"]),
    ));
    assert!(
        err.to_string().contains("argument `newValue` (uint256)"),
        "{err}"
    );
    let err = failed(&send(&mut chain, alice(), "storage", "set", json!([])));
    assert!(
        err.to_string().contains("takes 1 arguments, 0 given"),
        "{err}"
    );
    let receipt = chain
        .deploy(
            alice(),
            "broken",
            &VmType::EVM,
            b"{\"abi\": []}",
            Dict::new(),
        )
        .expect("accepted");
    assert!(matches!(failed(&receipt), VmError::InvalidProgram { .. }));
}

#[test]
fn evm_sessions_replay_to_the_same_state_hash() {
    let mut chain = chain();
    deploy(&mut chain, "Token", json!(["T", "T", "10"]));
    ok(&send(
        &mut chain,
        alice(),
        "token",
        "transfer",
        json!([address(&bob()), "3"]),
    ));
    let replay = isc_engine::session::Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
}

/// A chain with the Wasm counter and the Solidity CrossVM that calls it.
fn crossvm_chain() -> Chain {
    let mut chain = chain();
    crate::deploy_inccounter(&mut chain);
    deploy(&mut chain, "CrossVM", json!([]));
    chain
}

#[test]
fn crossvm_solidity_increments_the_wasm_counter_through_the_magic_contract() {
    let mut chain = crossvm_chain();

    let receipt = send(&mut chain, alice(), "crossvm", "increment", json!(["3"]));
    let results = ok(&receipt);
    let decoded: Vec<(String, String)> =
        serde_json::from_slice(results.get("decoded").expect("decoded")).expect("JSON");
    assert_eq!(decoded, [("value".to_owned(), "3".to_owned())]);

    // The trace crosses VMs: evm → wasmvm, three increments and a view.
    assert_eq!(receipt.trace.vm, VmType::EVM);
    let inner: Vec<(String, String, VmType)> = receipt
        .trace
        .calls
        .iter()
        .map(|c| (c.contract_name.clone(), c.entry_name.clone(), c.vm.clone()))
        .collect();
    assert_eq!(inner.len(), 4);
    assert_eq!(
        inner[0],
        (
            "inccounter".to_owned(),
            "increment".to_owned(),
            VmType::WASM
        )
    );
    assert_eq!(inner[3].1, "getCounter");

    // The EVM's own call frames: the transaction's call, then one frame per
    // magic-contract call (three `call`s, one `callView` as a static call,
    // the timestamp and the event).
    let frames = &receipt.trace.detail.as_ref().expect("EVM detail")["evm_frames"];
    let frames = frames.as_array().expect("frames");
    assert_eq!(frames[0]["depth"], 0);
    let magic: Vec<&serde_json::Value> = frames
        .iter()
        .filter(|f| f["to"] == "0x1074000000000000000000000000000000000000")
        .collect();
    assert_eq!(magic.len(), 6, "{frames:#?}");
    assert!(
        magic
            .iter()
            .all(|f| f["depth"] == 1 && f["success"] == true)
    );
    assert_eq!(magic[3]["kind"], "StaticCall");
    assert_eq!(
        frames[0]["logs"].as_array().map(Vec::len),
        Some(1),
        "Counted"
    );

    // Events from both sides: the Solidity log and the magic triggerEvent.
    let topics: Vec<&str> = receipt.events.iter().map(|e| e.topic.as_str()).collect();
    assert!(topics.contains(&"Counted"), "{topics:?}");
    assert!(topics.contains(&"crossvm.incremented"), "{topics:?}");

    // The Wasm side agrees, and a view through the magic contract reads it.
    let counter = chain
        .call_view("inccounter", "getCounter", Dict::new())
        .expect("runs");
    assert_eq!(counter.get("counter"), Some(&3i64.to_le_bytes()[..]));
    assert_eq!(view(&mut chain, "crossvm", "counter", json!([]))[0].1, "3");

    // A failing ISC call reverts with the chain's reason; Solidity catches it.
    let receipt = send(&mut chain, alice(), "crossvm", "tryMissing", json!([]));
    let decoded: Vec<(String, String)> =
        serde_json::from_slice(ok(&receipt).get("decoded").expect("decoded")).expect("JSON");
    assert_eq!(decoded[0].1, format!("{:?}", "contract 12345678 not found"));
}

#[test]
fn a_traced_cross_vm_call_records_both_vms_and_where_each_call_was_made() {
    let mut chain = crossvm_chain();
    let request = Request::new(alice(), "crossvm", "increment").param("args", args(json!(["2"])));
    let plain = chain.simulate(request.clone()).expect("runs");
    let traced = chain.trace(request, 100_000).expect("runs");
    assert_eq!(
        traced.gas_burned, plain.gas_burned,
        "recording is invisible"
    );
    assert_eq!(traced.results, plain.results);
    let detail = traced.trace.detail.as_ref().expect("EVM detail");
    let evm_steps = detail["evm_steps"].as_array().expect("EVM steps recorded");
    // Each Wasm callee names the EVM instruction (a CALL to the magic
    // contract) that made it, and records its own instructions.
    let first = &traced.trace.calls[0];
    assert_eq!(first.vm, VmType::WASM);
    let first_detail = first.detail.as_ref().expect("Wasm detail");
    let at = first_detail["at_step"].as_u64().expect("at_step");
    let caller = &evm_steps[usize::try_from(at).expect("small")];
    assert_eq!(caller["op"], "CALL", "{caller}");
    assert!(
        !first_detail["wasm_steps"]
            .as_array()
            .expect("Wasm steps")
            .is_empty()
    );
    let ats: Vec<u64> = traced
        .trace
        .calls
        .iter()
        .filter_map(|c| c.detail.as_ref()?.get("at_step")?.as_u64())
        .collect();
    assert_eq!(ats.len(), traced.trace.calls.len());
    assert!(ats.windows(2).all(|w| w[0] < w[1]), "in order: {ats:?}");

    // One budget for the whole request, both VMs together.
    fn recorded(node: &isc_engine::CallTrace) -> usize {
        let own = node.detail.as_ref().map_or(0, |d| {
            ["evm_steps", "wasm_steps"]
                .iter()
                .filter_map(|k| d.get(*k)?.as_array().map(Vec::len))
                .sum()
        });
        own + node.calls.iter().map(recorded).sum::<usize>()
    }
    let request = Request::new(alice(), "crossvm", "increment").param("args", args(json!(["2"])));
    for budget in [300, 3000] {
        let traced = chain.trace(request.clone(), budget).expect("runs");
        let total = recorded(&traced.trace);
        assert!(
            total <= budget as usize && total > budget as usize / 2,
            "{total} of {budget}"
        );
    }
}

#[test]
fn a_failing_cross_vm_call_reverts_both_sides() {
    let mut chain = chain();
    deploy(&mut chain, "CrossVM", json!([]));
    // No inccounter deployed: the magic call reverts, the EVM call reverts.
    let receipt = send(&mut chain, alice(), "crossvm", "increment", json!(["1"]));
    match failed(&receipt) {
        VmError::Revert { reason, .. } => assert_eq!(
            reason,
            format!("contract {} not found", isc_engine::Hname::of("inccounter"))
        ),
        other => panic!("expected a revert, got {other}"),
    }
    assert!(receipt.events.is_empty());
}

#[test]
fn base_token_erc20_balances_are_the_chain_accounts() {
    let mut chain = chain();
    deploy(&mut chain, "CrossVM", json!([]));
    let contract = chain.contract_agent("crossvm");
    let seen = view(
        &mut chain,
        "crossvm",
        "baseBalanceOf",
        json!([address(&bob())]),
    );
    assert_eq!(
        seen[0].1,
        chain.balance(&bob()).to_string(),
        "a genesis user"
    );

    // ISC side: alice pays the contract through `accounts`.
    ok(&chain
        .post(
            Request::new(alice(), "accounts", "transferAllowanceTo")
                .param("a", contract.to_bytes())
                .allowance(5_000),
        )
        .expect("accepted"));
    let record_address = contract_address(&chain, "crossvm");
    let seen = view(
        &mut chain,
        "crossvm",
        "baseBalanceOf",
        json!([record_address]),
    );
    assert_eq!(seen[0].1, "5000");
    assert_eq!(chain.balance(&contract), 5_000);

    // EVM side: the contract pays bob through the ERC-20.
    let before = chain.balance(&bob());
    ok(&send(
        &mut chain,
        alice(),
        "crossvm",
        "payBase",
        json!([address(&bob()), "1200"]),
    ));
    assert_eq!(chain.balance(&contract), 3_800);
    assert_eq!(chain.balance(&bob()), before + 1_200);
    let seen = view(
        &mut chain,
        "crossvm",
        "baseBalanceOf",
        json!([address(&bob())]),
    );
    assert_eq!(seen[0].1, chain.balance(&bob()).to_string());

    let receipt = send(
        &mut chain,
        alice(),
        "crossvm",
        "payBase",
        json!([address(&bob()), "999999"]),
    );
    assert!(
        failed(&receipt).to_string().contains("insufficient funds"),
        "{:?}",
        receipt.error
    );
    assert_eq!(chain.balance(&contract), 3_800);
}

#[test]
fn an_opcode_trace_on_demand_leaves_the_chain_untouched() {
    let mut chain = chain();
    deploy(&mut chain, "Storage", json!([]));
    let hash = chain.state_hash();
    let receipt = chain
        .simulate(
            Request::new(alice(), "storage", "set")
                .param("args", args(json!(["7"])))
                .param("evm.steps", 5000u32.to_le_bytes()),
        )
        .expect("accepted");
    ok(&receipt);
    assert_eq!(chain.state_hash(), hash, "a simulation changes nothing");
    let steps = receipt.trace.detail.as_ref().expect("detail")["evm_steps"]
        .as_array()
        .expect("steps")
        .clone();
    assert_eq!(steps[0]["op"], "PUSH1");
    assert_eq!(steps[0]["pc"], 0);
    assert!(steps.iter().any(|s| s["op"] == "SSTORE"));
    assert!(steps.iter().any(|s| s["op"] == "LOG2"));
    let gas: Vec<u64> = steps.iter().filter_map(|s| s["gas"].as_u64()).collect();
    assert!(gas.windows(2).all(|w| w[0] >= w[1]), "gas only goes down");
    assert_eq!(view(&mut chain, "storage", "get", json!([]))[0].1, "0");

    // What a debugger needs: the stack an instruction can reach, the frame,
    // memory when it changed, the code's hash.
    let sstore = steps.iter().find(|s| s["op"] == "SSTORE").expect("SSTORE");
    let stack = sstore["stack"].as_array().expect("stack");
    assert_eq!(stack[0], "0x0", "the slot of `value`");
    assert_eq!(stack[1], "0x7", "the value stored");
    assert_eq!(sstore["old"], "0x0", "the value before: a storage diff");
    // Stored again: the diff's left side is the value the first set left.
    send(&mut chain, alice(), "storage", "set", json!(["7"]));
    let receipt = chain
        .trace(
            Request::new(alice(), "storage", "set").param("args", args(json!(["9"]))),
            5000,
        )
        .expect("accepted");
    let steps = receipt.trace.detail.as_ref().expect("detail")["evm_steps"]
        .as_array()
        .expect("steps")
        .clone();
    let sstore = steps.iter().find(|s| s["op"] == "SSTORE").expect("SSTORE");
    assert_eq!(
        (&sstore["stack"][1], &sstore["old"]),
        (&json!("0x9"), &json!("0x7"))
    );
    assert!(
        steps
            .iter()
            .all(|s| s["stack"].as_array().is_some_and(|a| a.len() <= 16))
    );
    assert!(steps.iter().all(|s| s["frame"] == 0), "one frame");
    // Solidity's first instructions set the free memory pointer at 0x40.
    let first_memory = steps
        .iter()
        .find_map(|s| s["memory"].as_str())
        .expect("memory recorded once it changes");
    assert_eq!(first_memory.len(), 2 + 2 * 96);
    assert!(first_memory.ends_with("80"), "{first_memory}");
    let changes = steps.iter().filter(|s| s["memory"].is_string()).count();
    assert!(
        changes < steps.len() / 4,
        "only changes are recorded: {changes}"
    );
    let detail = receipt.trace.detail.as_ref().expect("detail");
    let code = detail["evm_codes"]["0"]
        .as_str()
        .expect("the frame's code hash");
    // The runtime code is what the creation code returns: what follows its
    // `RETURN INVALID` (no constructor arguments, no metadata here).
    let creation = artifact("Storage").bytecode;
    let creation = hex::decode(creation.trim_start_matches("0x")).expect("hex");
    let at = creation
        .windows(2)
        .position(|w| w == [0xf3, 0xfe])
        .expect("the init code's end");
    let runtime = &creation[at + 2..];
    use sha3::Digest;
    let expected = format!("0x{}", hex::encode(sha3::Keccak256::digest(runtime)));
    assert_eq!(code, expected);
}

#[test]
fn solidity_takes_the_requests_allowance_through_the_magic_contract() {
    let mut chain = chain();
    deploy(&mut chain, "CrossVM", json!([]));
    let before = chain.balance(&alice());
    let receipt = chain
        .post(Request::new(alice(), "crossvm", "deposit").allowance(2_500))
        .expect("accepted");
    let decoded: Vec<(String, String)> =
        serde_json::from_slice(ok(&receipt).get("decoded").expect("decoded")).expect("JSON");
    assert_eq!(decoded, [("taken".to_owned(), "2500".to_owned())]);
    assert_eq!(chain.balance(&chain.contract_agent("crossvm")), 2_500);
    assert_eq!(chain.balance(&alice()), before - 2_500 - receipt.gas_fee);
    // Without an allowance there is nothing to take.
    let receipt = send(&mut chain, alice(), "crossvm", "deposit", json!([]));
    ok(&receipt);
    assert_eq!(chain.balance(&chain.contract_agent("crossvm")), 2_500);
}

/// A request paying `value` base tokens as `msg.value`.
#[track_caller]
fn pay(
    chain: &mut Chain,
    from: AgentId,
    contract: &str,
    function: &str,
    values: serde_json::Value,
    value: u64,
) -> Receipt {
    chain
        .post(
            Request::new(from, contract, function)
                .param("args", args(values))
                .param("evm.value", value.to_le_bytes().to_vec()),
        )
        .expect("accepted")
}

const WEI: u64 = isc_engine::evm::WEI_PER_BASE_TOKEN;

#[test]
fn msg_value_moves_chain_tokens_and_balances_are_chain_accounts() {
    let mut chain = chain();
    deploy(&mut chain, "Vault", json!([]));
    let vault = chain.contract_agent("vault");
    let total_before = chain.total_assets();
    let before = chain.balance(&alice());

    let receipt = pay(&mut chain, alice(), "vault", "deposit", json!([]), 1_000);
    ok(&receipt);
    assert_eq!(chain.balance(&alice()), before - 1_000 - receipt.gas_fee);
    assert_eq!(chain.balance(&vault), 1_000);
    let held = (1_000 * u128::from(WEI)).to_string();
    assert_eq!(view(&mut chain, "vault", "total", json!([]))[0].1, held);
    assert_eq!(
        view(&mut chain, "vault", "deposits", json!([address(&alice())]))[0].1,
        held
    );
    let event = &receipt.events[0];
    assert_eq!(event.topic, "Deposited");

    // Withdrawing 400 tokens and 1 wei: the wei below one token stays as
    // the accounts' remainders, backed by the `evm` core contract's account.
    let amount = 400 * u128::from(WEI) + 1;
    let before = chain.balance(&alice());
    let receipt = send(
        &mut chain,
        alice(),
        "vault",
        "withdraw",
        json!([amount.to_string()]),
    );
    ok(&receipt);
    assert_eq!(chain.balance(&alice()), before + 400 - receipt.gas_fee);
    assert_eq!(chain.balance(&vault), 599);
    assert_eq!(chain.balance(&chain.contract_agent("evm")), 1);
    assert_eq!(
        view(&mut chain, "vault", "total", json!([]))[0].1,
        (600 * u128::from(WEI) - 1).to_string()
    );
    assert_eq!(chain.total_assets(), total_before, "no token made or lost");

    // Over-withdrawing reverts with the decoded custom error, nothing moves.
    let receipt = send(
        &mut chain,
        alice(),
        "vault",
        "withdraw",
        json!([(amount * 2).to_string()]),
    );
    match failed(&receipt) {
        VmError::Revert { reason, .. } => {
            assert!(reason.starts_with("NothingToWithdraw("), "{reason}")
        }
        other => panic!("expected a revert, got {other}"),
    }
    assert_eq!(chain.balance(&vault), 599);

    // Paying more than one holds is refused before any code runs.
    let rich = chain.balance(&bob()) + 1;
    let receipt = pay(&mut chain, bob(), "vault", "deposit", json!([]), rich);
    let message = failed(&receipt).to_string();
    assert!(message.contains("funds"), "{message}");
    assert_eq!(chain.balance(&vault), 599);

    // A view takes no value.
    let err = chain
        .call_view(
            "vault",
            "total",
            Dict::new().with("evm.value", 5u64.to_le_bytes().to_vec()),
        )
        .expect_err("a view with value");
    assert!(err.to_string().contains("evm.value"), "{err}");
}

#[test]
fn allow_lets_one_contract_pull_from_another_within_the_allowance() {
    let mut chain = chain();
    deploy(&mut chain, "Vault", json!([]));
    crate::deploy_program(
        &mut chain,
        "vault2",
        &VmType::EVM,
        &artifact("Vault").to_json(),
        Dict::new().with("args", args(json!([]))),
    );
    let first = chain.contract_agent("vault");
    let second = chain.contract_agent("vault2");
    ok(&pay(
        &mut chain,
        alice(),
        "vault",
        "deposit",
        json!([]),
        500,
    ));
    let (first_address, second_address) = (
        contract_address(&chain, "vault"),
        contract_address(&chain, "vault2"),
    );

    ok(&send(
        &mut chain,
        alice(),
        "vault",
        "allowTo",
        json!([second_address, "300"]),
    ));
    assert_eq!(
        view(&mut chain, "vault2", "allowedFrom", json!([first_address]))[0].1,
        "300"
    );
    ok(&send(
        &mut chain,
        alice(),
        "vault2",
        "pull",
        json!([first_address, "200"]),
    ));
    assert_eq!(chain.balance(&first), 300);
    assert_eq!(chain.balance(&second), 200);
    assert_eq!(
        view(&mut chain, "vault2", "allowedFrom", json!([first_address]))[0].1,
        "100"
    );

    // Beyond the allowance: the magic contract refuses, nothing moves.
    let receipt = send(
        &mut chain,
        alice(),
        "vault2",
        "pull",
        json!([first_address, "150"]),
    );
    let message = failed(&receipt).to_string();
    assert!(message.contains("allowance exceeded"), "{message}");
    assert_eq!(chain.balance(&first), 300);
    assert_eq!(chain.balance(&second), 200);
}

/// The Ethereum address the `evm` partition records for contract `name`.
fn contract_address(chain: &Chain, name: &str) -> String {
    let key = [b"h".as_slice(), &isc_engine::Hname::of(name).to_bytes()].concat();
    chain
        .contract_state(isc_engine::Hname::of("evm"))
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| format!("0x{}", hex::encode(v)))
        .expect("recorded address")
}

/// EVM logs are limited as Ethereum limits them — by gas — not by ISC's
/// event caps (50 per request, 1 KiB each by default): 60 logs in one
/// transaction, and one log of 16 words, both land as events.
#[test]
fn evm_logs_are_limited_by_gas_not_by_isc_event_caps() {
    let mut chain = chain();
    deploy_fixture(&mut chain, "Logs");
    let receipt = send(&mut chain, alice(), "logs", "many", json!(["60"]));
    ok(&receipt);
    assert_eq!(
        receipt.events.iter().filter(|e| e.topic == "Tick").count(),
        60
    );
    let receipt = send(&mut chain, alice(), "logs", "wide", json!([]));
    ok(&receipt);
    let wide = receipt
        .events
        .iter()
        .find(|e| e.topic == "Wide")
        .expect("the log");
    assert!(wide.payload.len() > 1024, "{}", wide.payload.len());
    // ISC's own events keep ISC's caps (testcore and the magic contract's
    // triggerEvent are checked elsewhere); gas still bounds logs: a log
    // storm runs out of the request's gas, it does not hit a cap.
    let storm = chain
        .post(
            Request::new(alice(), "logs", "many")
                .param("args", args(json!(["100000"])))
                .gas_budget(2_000_000),
        )
        .expect("accepted");
    assert!(
        matches!(failed(&storm), VmError::OutOfGas { .. }),
        "{:?}",
        storm.error
    );
}

/// Every overload can be called by its full signature, the first one too
/// (it is also listed under its bare name).
#[test]
fn every_overload_is_callable_by_its_full_signature() {
    let mut chain = chain();
    deploy_fixture(&mut chain, "Overloads");
    ok(&send(
        &mut chain,
        alice(),
        "overloads",
        "set(uint256)",
        json!(["5"]),
    ));
    assert_eq!(
        view(&mut chain, "overloads", "value", json!([])),
        [("#0".to_owned(), "5".to_owned())]
    );
    ok(&send(
        &mut chain,
        alice(),
        "overloads",
        "set(uint256,uint256)",
        json!(["5", "6"]),
    ));
    assert_eq!(
        view(&mut chain, "overloads", "value", json!([])),
        [("#0".to_owned(), "11".to_owned())]
    );
    // Listed: the bare name once (for the first in the ABI) and every
    // overload's signature.
    let program = crate::solidity_artifact("tests/fixtures/solidity", "Overloads");
    let names: Vec<String> = isc_engine::evm::entry_points(&program)
        .into_iter()
        .map(|e| e.name)
        .filter(|n| n.starts_with("set"))
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"set".to_owned()), "{names:?}");
    assert!(names.contains(&"set(uint256)".to_owned()), "{names:?}");
    assert!(
        names.contains(&"set(uint256,uint256)".to_owned()),
        "{names:?}"
    );
}

/// Value sent to a payable constructor belongs to the new contract: its
/// chain account holds it and `address(this).balance` shows it.
#[test]
fn a_payable_constructor_keeps_the_value_it_is_sent() {
    let mut chain = chain();
    let program = crate::solidity_artifact("tests/fixtures/solidity", "Payable").to_json();
    let receipt = chain
        .deploy(
            alice(),
            "payable",
            &VmType::EVM,
            &program,
            Dict::new().with("evm.value", 1_000u64.to_le_bytes().to_vec()),
        )
        .expect("accepted");
    ok(&receipt);
    assert_eq!(chain.balance(&chain.contract_agent("payable")), 1_000);
    assert_eq!(
        view(&mut chain, "payable", "balance", json!([])),
        [("#0".to_owned(), (1_000 * u128::from(WEI)).to_string())]
    );
}

/// `receive` takes a plain value transfer (empty calldata), `fallback` any
/// calldata: both are entry points when the contract has them.
#[test]
fn receive_and_fallback_are_entry_points() {
    let mut chain = chain();
    let program = crate::solidity_artifact("tests/fixtures/solidity", "Payable");
    let names: Vec<String> = isc_engine::evm::entry_points(&program)
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(
        names.contains(&"receive".to_owned()) && names.contains(&"fallback".to_owned()),
        "{names:?}"
    );
    deploy_fixture(&mut chain, "Payable");
    ok(&pay(&mut chain, bob(), "payable", "receive", json!([]), 50));
    assert_eq!(
        view(&mut chain, "payable", "received", json!([])),
        [("#0".to_owned(), (50 * u128::from(WEI)).to_string())]
    );
    let receipt = send(
        &mut chain,
        bob(),
        "payable",
        "fallback",
        json!(["0xdeadbeef"]),
    );
    ok(&receipt);
    assert_eq!(
        view(&mut chain, "payable", "lastData", json!([])),
        [("#0".to_owned(), "0xdeadbeef".to_owned())]
    );
}

/// A reverted transaction still uses up its sender's nonce, as on
/// Ethereum: the sender's next CREATE lands where Ethereum would put it.
#[test]
fn a_reverted_transaction_bumps_its_senders_nonce() {
    let mut chain = chain();
    let nonce = |chain: &Chain, who: &AgentId| {
        let key = [b"a".as_slice(), &isc_engine::evm::agent_address(who)].concat();
        chain
            .contract_state(isc_engine::Hname::of("evm"))
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, v)| {
                u64::from_le_bytes(v[..8].try_into().expect("8 bytes"))
            })
    };
    deploy(&mut chain, "Reverter", json!([]));
    let before = nonce(&chain, &alice());
    assert!(before >= 1, "{before}");
    failed(&send(
        &mut chain,
        alice(),
        "reverter",
        "failWithReason",
        json!([]),
    ));
    assert_eq!(nonce(&chain, &alice()), before + 1);
    // Bob's failure is his own.
    let bob_before = nonce(&chain, &bob());
    failed(&send(
        &mut chain,
        bob(),
        "reverter",
        "failWithReason",
        json!([]),
    ));
    assert_eq!(nonce(&chain, &bob()), bob_before + 1);
    assert_eq!(nonce(&chain, &alice()), before + 1);
}

/// Logs and reverts are decoded with every ABI the chain knows: the
/// token's `Transfer` and its custom error, met while the relay (whose ABI
/// declares neither) runs, are named as the token names them.
#[test]
fn logs_and_bubbled_errors_of_inner_contracts_are_decoded_with_their_own_abi() {
    let mut chain = chain();
    deploy(&mut chain, "Token", json!(["T", "T", "1000"]));
    deploy_fixture(&mut chain, "Relay");
    let (token, relay) = (
        contract_address(&chain, "token"),
        contract_address(&chain, "relay"),
    );
    ok(&send(
        &mut chain,
        alice(),
        "token",
        "transfer",
        json!([relay, "10"]),
    ));

    let receipt = send(
        &mut chain,
        alice(),
        "relay",
        "pay",
        json!([token, address(&bob()), "4"]),
    );
    ok(&receipt);
    let event = &receipt.events[0];
    assert_eq!(event.topic, "Transfer");
    let log: serde_json::Value = serde_json::from_slice(&event.payload).expect("JSON");
    assert_eq!(log["event"], "Transfer");
    assert_eq!(log["address"], token);
    assert_eq!(log["args"][2], json!(["value", "4"]));

    let receipt = send(
        &mut chain,
        alice(),
        "relay",
        "pay",
        json!([token, address(&bob()), "7"]),
    );
    let VmError::Revert { reason, .. } = failed(&receipt) else {
        panic!("a revert");
    };
    // (The address is checksummed: compare without case.)
    assert_eq!(
        reason.to_lowercase(),
        format!("ERC20InsufficientBalance(sender: {relay}, balance: 6, needed: 7)").to_lowercase()
    );
}

/// `args` as calldata for `function` of `program`.
fn calldata(program: &isc_engine::evm::EvmProgram, function: &str, values: &[&str]) -> Vec<u8> {
    let function = program.function(function).expect("the function");
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    isc_engine::evm::encode_call(function, &values).expect("encodes")
}

/// A word of return data as a decimal number.
fn word(results: &Dict) -> String {
    isc_engine::evm::word_to_decimal(results.get("o").expect("return data"))
}

/// A factory's children have no ISC name: they are called and viewed by
/// address through the `evm` core contract, value sent to their payable
/// constructor is theirs, and their nonces and state are the EVM's.
#[test]
fn a_factorys_children_are_called_and_viewed_by_address() {
    let mut chain = chain();
    deploy_fixture(&mut chain, "Factory");
    let child_program = crate::artifact_contract("tests/fixtures/solidity", "Factory", "Child");
    let receipt = chain
        .post(
            Request::new(alice(), "factory", "make")
                .param("args", args(json!(["7"])))
                .param("evm.value", 5u64.to_le_bytes()),
        )
        .expect("accepted");
    let results = ok(&receipt);
    let decoded: Vec<(String, String)> =
        serde_json::from_slice(results.get("decoded").expect("decoded")).expect("JSON");
    let child = decoded[0].1.to_lowercase();
    let child_bytes = hex::decode(child.trim_start_matches("0x")).expect("hex");
    assert_eq!(receipt.events[0].topic, "Created");

    let view = |chain: &mut Chain, function: &str| {
        chain
            .call_view(
                "evm",
                "callContract",
                Dict::new()
                    .with("a", child_bytes.clone())
                    .with("i", calldata(&child_program, function, &[])),
            )
            .expect("the view runs")
    };
    assert_eq!(word(&view(&mut chain, "value")), "7");
    // The value sent to the payable constructor is the child's.
    assert_eq!(
        word(&view(&mut chain, "held")),
        (5 * isc_engine::evm::WEI_PER_BASE_TOKEN).to_string()
    );

    let receipt = chain
        .post(
            Request::new(bob(), "evm", "callAddress")
                .param("a", child_bytes.clone())
                .param("i", calldata(&child_program, "set", &["9"])),
        )
        .expect("accepted");
    ok(&receipt);
    assert_eq!(receipt.events.len(), 1, "the child's Set log");
    assert_eq!(word(&view(&mut chain, "value")), "9");

    // A call that reverts fails its request, and changes nothing.
    let receipt = chain
        .post(
            Request::new(bob(), "evm", "callAddress")
                .param("a", child_bytes.clone())
                .param("i", vec![0xde, 0xad, 0xbe, 0xef]),
        )
        .expect("accepted");
    assert!(matches!(failed(&receipt), VmError::Revert { .. }));
    assert_eq!(word(&view(&mut chain, "value")), "9");

    // A malformed address is refused by name.
    let receipt = chain
        .post(Request::new(bob(), "evm", "callAddress").param("a", vec![1, 2, 3]))
        .expect("accepted");
    assert!(
        failed(&receipt).to_string().contains("20 bytes"),
        "{:?}",
        receipt.error
    );
}

/// A transaction without a recipient creates a contract with no ISC name
/// (`evm.createContract`); what JSON-RPC reads of accounts and storage
/// comes from the `evm` partition.
#[test]
fn a_contract_created_from_raw_creation_code_has_an_address_and_no_name() {
    let mut chain = chain();
    let child = crate::artifact_contract("tests/fixtures/solidity", "Factory", "Child");
    let mut code = child.creation_code().expect("code");
    code.extend(child.encode_constructor(&["7".to_owned()]).expect("args"));
    let alice_address = isc_engine::evm::agent_address(&alice());
    let before = isc_engine::evm::account_state(
        &chain.contract_state(isc_engine::Hname::of("evm")),
        alice_address,
    );
    let receipt = chain
        .post(Request::new(alice(), "evm", "createContract").param("i", code))
        .expect("accepted");
    let results = ok(&receipt);
    let address: [u8; 20] = results
        .get("o")
        .expect("an address")
        .try_into()
        .expect("20 bytes");

    let evm = chain.contract_state(isc_engine::Hname::of("evm"));
    let account = isc_engine::evm::account_state(&evm, address);
    assert!(!account.code.is_empty());
    assert_eq!(account.nonce, 1, "a contract starts at nonce 1 (EIP-161)");
    assert_eq!(account.owner, AgentId::Ethereum(address));
    let mut seven = [0; 32];
    seven[31] = 7;
    assert_eq!(isc_engine::evm::storage_slot(&evm, address, [0; 32]), seven);
    let after = isc_engine::evm::account_state(&evm, alice_address);
    assert_eq!(after.nonce, before.nonce + 1);
    assert_eq!(after.owner, alice());
    assert!(after.code.is_empty());
    // Empty creation code is refused by name.
    let receipt = chain
        .post(Request::new(alice(), "evm", "createContract"))
        .expect("accepted");
    assert!(failed(&receipt).to_string().contains("creation code"));
}

/// A contract calling a library: refused unlinked with the library named;
/// deployed after the library and linked to its address, it calls it.
#[test]
fn a_library_is_deployed_linked_and_called() {
    let mut chain = chain();
    let program = |name: &str| crate::artifact_contract("tests/fixtures/solidity", "Linked", name);
    let user = program("UsesLib");
    assert_eq!(user.libraries.len(), 1);
    assert_eq!(user.libraries[0].name, "Linked.sol:MathLib");
    let err = chain
        .deploy(
            alice(),
            "unlinked",
            &VmType::EVM,
            &user.to_json(),
            Dict::new(),
        )
        .map(|receipt| failed(&receipt).to_string())
        .unwrap_or_else(|err| err.to_string());
    assert!(err.contains("Linked.sol:MathLib"), "{err}");

    crate::deploy_program(
        &mut chain,
        "mathlib",
        &VmType::EVM,
        &program("MathLib").to_json(),
        Dict::new(),
    );
    let address = contract_address(&chain, "mathlib");
    let bytes: [u8; 20] = hex::decode(address.trim_start_matches("0x"))
        .expect("hex")
        .try_into()
        .expect("20 bytes");
    let linked = user.link(&[("MathLib".into(), bytes)]).expect("links");
    crate::deploy_program(
        &mut chain,
        "useslib",
        &VmType::EVM,
        &linked.to_json(),
        Dict::new(),
    );
    assert_eq!(
        view(&mut chain, "useslib", "go", json!(["5"])),
        [("#0".to_owned(), "16".to_owned())]
    );
}
