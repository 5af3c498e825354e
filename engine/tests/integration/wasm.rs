//! WasmLib contracts from `public/examples`, on the Wasm processor.

use crate::{alice, builtin_chain as chain, failed, ok, wasm_example as example};
use isc_engine::{Chain, Dict, Hname, Receipt, Request, VmError, VmType};

#[track_caller]
fn deploy(chain: &mut Chain, name: &str, init: Dict) -> Receipt {
    crate::deploy_program(chain, name, &VmType::WASM, &example(name), init)
}

#[track_caller]
fn call(chain: &mut Chain, contract: &str, entry: &str, params: Dict) -> Receipt {
    chain
        .post(Request::new(alice(), contract, entry).params(params))
        .expect("accepted")
}

fn counter(chain: &mut Chain) -> i64 {
    crate::inccounter_value(chain)
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
            "incrementWithDelay",
            "repeatMany",
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
    // Instructions are charged (as Wasp counts them), and a call this
    // small is raised to Wasp's minimum.
    let executed = receipt.trace.gas_burned;
    assert!(executed > 500 && executed < 10_000, "{executed}");
    assert_eq!(receipt.gas_burned, 10_000);

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

fn testcore_chain() -> Chain {
    let mut chain = chain();
    deploy(&mut chain, "inccounter", Dict::new());
    deploy(&mut chain, "testcore", Dict::new());
    chain
}

#[track_caller]
fn testcore(chain: &mut Chain, entry: &str, params: Dict) -> Receipt {
    call(chain, "testcore", entry, params)
}

#[test]
fn testcore_reads_the_context_through_the_sandbox() {
    let mut chain = testcore_chain();
    let results = ok(&testcore(&mut chain, "testCaller", Dict::new()));
    assert_eq!(results.agent_id("caller"), Ok(Some(alice())));
    let results = ok(&testcore(&mut chain, "testChainOwner", Dict::new()));
    assert_eq!(results.agent_id("owner"), Ok(Some(chain.owner())));

    let receipt = testcore(&mut chain, "testTimestamp", Dict::new());
    let block = chain.block(receipt.block_index).expect("block");
    assert_eq!(ok(&receipt).u64("timestamp"), Ok(block.timestamp));

    let one = ok(&testcore(&mut chain, "testEntropy", Dict::new())).hash("entropy");
    let two = ok(&testcore(&mut chain, "testEntropy", Dict::new())).hash("entropy");
    assert!(matches!(one, Ok(Some(_))));
    assert_ne!(one, two, "entropy differs per block");

    let info = chain
        .call_view("testcore", "getSandboxInfo", Dict::new())
        .expect("view runs");
    assert_eq!(info.get("chainID"), Some(&chain.chain_id().as_bytes()[..]));
    assert_eq!(
        info.get("contract"),
        Some(&Hname::of("testcore").to_bytes()[..])
    );
    assert_eq!(
        info.agent_id("accountID"),
        Ok(Some(chain.contract_agent("testcore")))
    );
}

#[test]
fn testcore_emits_events_in_wasmlib_form() {
    let mut chain = testcore_chain();
    let receipt = testcore(&mut chain, "testEvent", Dict::new());
    ok(&receipt);
    let event = &receipt.events[0];
    assert_eq!(event.topic, "testcore.touched");
    let text = event.text().expect("UTF-8");
    let fields: Vec<&str> = text.split('|').collect();
    assert_eq!(fields[0], "testcore.touched");
    let block = chain.block(receipt.block_index).expect("block");
    assert_eq!(fields[1], (block.timestamp / 1_000_000_000).to_string());
    assert_eq!(fields[2], "hello~_world");
}

#[test]
fn testcore_calls_other_contracts_of_any_vm() {
    let mut chain = testcore_chain();
    let receipt = testcore(&mut chain, "testCallIncrement", Dict::new());
    let results = ok(&receipt);
    assert_eq!(results.get("counter"), Some(&1i64.to_le_bytes()[..]));
    let names: Vec<&str> = receipt
        .trace
        .calls
        .iter()
        .map(|c| c.entry_name.as_str())
        .collect();
    assert_eq!(names, ["increment", "getCounter"]);

    // A core contract, with tokens: take an allowance, then ask accounts.
    let receipt = chain
        .post(
            Request::new(alice(), "testcore", "testTakeAllowance")
                .param("amount", 700u64.to_le_bytes())
                .allowance(700),
        )
        .expect("accepted");
    assert_eq!(ok(&receipt).u64("balance"), Ok(700));
    let results = ok(&testcore(&mut chain, "testAccountsBalance", Dict::new()));
    assert_eq!(results.u64("balance"), Ok(700));
    assert_eq!(chain.balance(&chain.contract_agent("testcore")), 700);

    // And out again, to the caller's L1 wallet.
    let l1 = chain.l1_balance(&alice());
    let receipt = testcore(
        &mut chain,
        "testSendToCaller",
        Dict::new().with("amount", 200u64.to_le_bytes()),
    );
    ok(&receipt);
    assert_eq!(chain.l1_balance(&alice()), l1 + 200);
    assert_eq!(chain.balance(&chain.contract_agent("testcore")), 500);
}

#[test]
fn testcore_failures_end_in_failed_receipts_with_clear_errors() {
    let mut chain = testcore_chain();
    let receipt = testcore(&mut chain, "testPanic", Dict::new());
    assert_eq!(
        failed(&receipt),
        VmError::panic("testcore: panic on purpose")
    );

    let receipt = testcore(&mut chain, "testCallPanic", Dict::new());
    assert_eq!(
        failed(&receipt),
        VmError::panic("testcore: panic on purpose")
    );
    assert!(
        chain.contract_state(Hname::of("testcore")).is_empty(),
        "the write before the failing call was reverted"
    );
    assert_eq!(
        receipt.trace.calls[0].error.as_deref(),
        Some("contract panicked: testcore: panic on purpose")
    );

    let receipt = chain
        .post(Request::new(alice(), "testcore", "testEndlessLoop").gas_budget(2_000_000))
        .expect("accepted");
    assert_eq!(failed(&receipt), VmError::OutOfGas { budget: 2_000_000 });
    assert_eq!(receipt.gas_burned, 2_000_000);
    assert_eq!(receipt.gas_fee, 20_000);

    let err = failed(&testcore(&mut chain, "testGrowMemory", Dict::new()));
    assert!(
        matches!(&err, VmError::Limit { message: msg } if msg.contains("linear memory")),
        "{err}"
    );
    let receipt = testcore(
        &mut chain,
        "testGrowMemory",
        Dict::new().with("megabytes", 2u32.to_le_bytes()),
    );
    ok(&receipt);

    let err = failed(&testcore(&mut chain, "testDeepRecursion", Dict::new()));
    assert!(
        matches!(&err, VmError::Limit { message: msg } if msg.contains("call stack")),
        "{err}"
    );

    // Wasp raises a post's transfer of 1 base token to 1 Mi, which the
    // contract's empty account cannot cover.
    let err = failed(&testcore(&mut chain, "testPost", Dict::new()));
    assert!(
        matches!(
            err,
            VmError::InsufficientFunds {
                needed: 1_000_000,
                ..
            }
        ),
        "{err}"
    );

    let err = chain
        .call_view("testcore", "testViewWrite", Dict::new())
        .expect_err("views cannot write");
    assert!(matches!(err, VmError::WriteInView { .. }), "{err}");
}

#[test]
fn testcore_hashes_match_the_engine() {
    let mut chain = testcore_chain();
    let results = ok(&testcore(
        &mut chain,
        "testHashes",
        Dict::new().with("data", "accounts"),
    ));
    assert_eq!(
        results.hash("blake2b"),
        Ok(Some(isc_engine::Hash::blake2b(b"accounts")))
    );
    assert_eq!(results.get("hname"), Some(&0x3c4b5e02u32.to_le_bytes()[..]));
    assert!(results.hash("sha3").is_ok());
}

#[test]
fn testcore_computes_and_refuses_too_much_work() {
    let mut chain = testcore_chain();
    let fib = |chain: &mut Chain, n: u32| {
        testcore(
            chain,
            "testFibonacci",
            Dict::new().with("n", n.to_le_bytes()),
        )
    };
    assert_eq!(ok(&fib(&mut chain, 20)).u64("fibonacci"), Ok(6765));
    assert_eq!(
        failed(&fib(&mut chain, 41)),
        VmError::panic("testcore: n must be at most 40")
    );
}

#[test]
fn testcore_deploys_another_contract() {
    let mut chain = testcore_chain();
    let hash = crate::store_wasm_blob(&mut chain, example("inccounter"));
    let receipt = testcore(
        &mut chain,
        "testDeploy",
        Dict::new()
            .with("programHash", hash)
            .with("name", "counter2"),
    );
    ok(&receipt);
    let record = chain
        .contracts()
        .into_iter()
        .find(|r| r.name == "counter2")
        .expect("deployed");
    assert_eq!(record.deployer, chain.contract_agent("testcore"));
    assert_eq!(record.vm_type, VmType::WASM);
}

/// Deploys `program` and returns the error the deploy failed with.
#[track_caller]
fn deploy_error(program: &[u8]) -> VmError {
    let mut chain = chain();
    let receipt = chain
        .deploy(alice(), "bad", &VmType::WASM, program, Dict::new())
        .expect("accepted");
    failed(&receipt)
}

fn wat(text: &str) -> Vec<u8> {
    isc_engine::wasmvm::compile_wat(text).expect("test WAT compiles")
}

#[test]
fn bad_modules_are_refused_at_deploy_with_their_own_messages() {
    let garbage = deploy_error(b"\0asm\x01\0\0\0garbage");
    assert!(
        matches!(&garbage, VmError::InvalidProgram { .. }),
        "{garbage}"
    );

    let inccounter = example("inccounter");
    let truncated = deploy_error(&inccounter[..inccounter.len() / 2]);
    assert!(
        matches!(&truncated, VmError::InvalidProgram { .. }),
        "{truncated}"
    );
    assert_ne!(truncated.to_string(), garbage.to_string());

    let import = deploy_error(&wat(r#"(module (import "env" "clock" (func (result i64)))
            (memory (export "memory") 1)
            (func (export "on_load")) (func (export "on_call") (param i32)))"#));
    assert_eq!(
        import.to_string(),
        "invalid wasmvm program: unsupported import `env.clock`: a WasmLib contract imports only \
         `WasmLib.hostStateGet` and `WasmLib.hostStateSet` (and, built by TinyGo, \
         `wasi_snapshot_preview1.fd_write`; by AssemblyScript, `env.abort`)"
    );

    let no_on_call = deploy_error(&wat(
        r#"(module (memory (export "memory") 1) (func (export "on_load")))"#,
    ));
    assert_eq!(
        no_on_call.to_string(),
        "invalid wasmvm program: missing export `on_call`"
    );
}

#[test]
fn a_host_call_with_an_out_of_range_pointer_fails_the_request() {
    // Exports `poke` (index 0), which asks the host to set a state key at
    // an address past the end of its one page of memory.
    let module = wat(r#"(module
            (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
            (import "WasmLib" "hostStateGet" (func $get (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "poke")
            (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 4)))
            (func (export "on_call") (param i32)
                (call $set (i32.const 70000) (i32.const 8) (i32.const 16) (i32.const 4))))"#);
    let mut chain = chain();
    let receipt = chain
        .deploy(alice(), "poker", &VmType::WASM, &module, Dict::new())
        .expect("accepted");
    ok(&receipt);
    let receipt = call(&mut chain, "poker", "poke", Dict::new());
    let err = failed(&receipt);
    assert!(err.to_string().contains("out-of-range pointer"), "{err}");
    assert!(chain.contract_state(Hname::of("poker")).is_empty());
}

fn erc20_amount(chain: &mut Chain, view: &str, params: Dict) -> u64 {
    let results = chain.call_view("erc20", view, params).expect("view runs");
    results.u64("amount").expect("a u64")
}

#[test]
fn erc20_transfers_approves_and_refuses_overspending() {
    let (bob, carol) = (
        isc_engine::AgentId::user("bob"),
        isc_engine::AgentId::user("carol"),
    );
    let mut chain = chain();
    deploy(
        &mut chain,
        "erc20",
        Dict::new()
            .with("supply", 1_000_000u64.to_le_bytes())
            .with("owner", alice().to_bytes()),
    );
    let balance = |chain: &mut Chain, who: isc_engine::AgentId| {
        erc20_amount(
            chain,
            "balanceOf",
            Dict::new().with("account", who.to_bytes()),
        )
    };
    assert_eq!(balance(&mut chain, alice()), 1_000_000);
    let supply = chain
        .call_view("erc20", "totalSupply", Dict::new())
        .expect("runs");
    assert_eq!(supply.u64("supply"), Ok(1_000_000));

    let receipt = call(
        &mut chain,
        "erc20",
        "transfer",
        Dict::new()
            .with("account", bob.to_bytes())
            .with("amount", 300u64.to_le_bytes()),
    );
    ok(&receipt);
    let event = receipt.events[0].text().expect("text").to_owned();
    assert!(event.starts_with("erc20.transfer|"), "{event}");
    assert!(event.ends_with("|300"), "{event}");

    // bob lets carol spend 100 of his; carol moves 60 to herself.
    ok(&chain
        .post(
            Request::new(bob, "erc20", "approve")
                .param("delegation", carol.to_bytes())
                .param("amount", 100u64.to_le_bytes()),
        )
        .expect("accepted"));
    ok(&chain
        .post(
            Request::new(carol, "erc20", "transferFrom")
                .param("account", bob.to_bytes())
                .param("recipient", carol.to_bytes())
                .param("amount", 60u64.to_le_bytes()),
        )
        .expect("accepted"));
    assert_eq!(balance(&mut chain, bob), 240);
    assert_eq!(balance(&mut chain, carol), 60);
    let allowance = erc20_amount(
        &mut chain,
        "allowance",
        Dict::new()
            .with("account", bob.to_bytes())
            .with("delegation", carol.to_bytes()),
    );
    assert_eq!(allowance, 40);

    // Overspending fails, changes nothing and still costs a fee.
    let hash = chain.contract_state(Hname::of("erc20"));
    let before = chain.balance(&bob);
    let receipt = chain
        .post(
            Request::new(bob, "erc20", "transfer")
                .param("account", carol.to_bytes())
                .param("amount", 241u64.to_le_bytes()),
        )
        .expect("accepted");
    assert_eq!(failed(&receipt), VmError::panic("erc20: not enough funds"));
    assert!(receipt.events.is_empty());
    assert_eq!(chain.contract_state(Hname::of("erc20")), hash);
    assert_eq!(chain.balance(&bob), before - receipt.gas_fee);
    assert!(receipt.gas_fee > 0);
    let receipt = chain
        .post(
            Request::new(carol, "erc20", "transferFrom")
                .param("account", bob.to_bytes())
                .param("recipient", carol.to_bytes())
                .param("amount", 41u64.to_le_bytes()),
        )
        .expect("accepted");
    assert_eq!(
        failed(&receipt),
        VmError::panic("erc20: not enough allowance")
    );
}

fn roulette_round(seed_users: &[(&str, u16, u64)]) -> (Chain, Vec<Receipt>) {
    let mut chain = chain();
    deploy(&mut chain, "fairroulette", Dict::new());
    let mut receipts = Vec::new();
    for (user, number, stake) in seed_users {
        let receipt = chain
            .post(
                Request::new(isc_engine::AgentId::user(user), "fairroulette", "placeBet")
                    .param("number", number.to_le_bytes())
                    .allowance(*stake),
            )
            .expect("accepted");
        ok(&receipt);
        receipts.push(receipt);
    }
    receipts.push(call(&mut chain, "fairroulette", "payWinners", Dict::new()));
    (chain, receipts)
}

#[test]
fn fairroulette_pays_from_entropy_and_replays_identically() {
    // One bet on every number, so there is always exactly one winner.
    let bets = [
        ("alice", 1, 1_000),
        ("bob", 2, 2_000),
        ("carol", 3, 3_000),
        ("owner", 4, 500),
        ("alice", 5, 700),
        ("bob", 6, 100),
        ("carol", 7, 900),
        ("owner", 8, 50),
    ];
    let (mut chain, receipts) = roulette_round(&bets);
    let pay = receipts.last().expect("payout");
    ok(pay);
    let winning = chain
        .call_view("fairroulette", "lastWinningNumber", Dict::new())
        .expect("runs")
        .get("lastWinningNumber")
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .expect("a number");
    assert!((1..=8).contains(&winning));
    let pot: u64 = bets.iter().map(|(_, _, stake)| stake).sum();
    let contract = chain.contract_agent("fairroulette");
    assert_eq!(chain.balance(&contract), 0, "the winner takes the pot");
    let transfer = &pay.trace.calls[0];
    assert_eq!(
        (
            transfer.contract_name.as_str(),
            transfer.entry_name.as_str()
        ),
        ("accounts", "transferAllowanceTo")
    );
    let round = pay.events[0].text().expect("text");
    assert!(round.ends_with(&format!("|{winning}|1|{pot}")), "{round}");

    // The same session draws the same number.
    let (again, _) = roulette_round(&bets);
    assert_eq!(again.state_hash(), chain.state_hash());
    let replay = isc_engine::session::Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
    assert_eq!(replay.receipts.last(), Some(pay));

    let err = failed(
        &chain
            .post(
                Request::new(alice(), "fairroulette", "placeBet")
                    .param("number", 9u16.to_le_bytes())
                    .allowance(5),
            )
            .expect("accepted"),
    );
    assert_eq!(
        err,
        VmError::panic("fairroulette: bet on a number from 1 to 8")
    );
}

/// The steps a traced receipt's node recorded, as JSON.
fn wasm_steps(node: &isc_engine::CallTrace) -> Vec<serde_json::Value> {
    node.detail
        .as_ref()
        .and_then(|d| d.get("wasm_steps"))
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The host calls' names a step list made, in order.
fn host_names(steps: &[serde_json::Value]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| s.get("host")?.as_array())
        .flatten()
        .filter_map(|h| Some(h.get("name")?.as_str()?.to_owned()))
        .collect()
}

#[test]
fn tracing_a_wasm_call_records_what_ran_and_changes_nothing() {
    let mut chain = testcore_chain();
    let requests = [
        Request::new(alice(), "inccounter", "increment"),
        Request::new(alice(), "inccounter", "callIncrement"),
        Request::new(alice(), "testcore", "testFibonacci")
            .params(Dict::new().with("n", 12u64.to_le_bytes())),
        Request::new(alice(), "testcore", "testPanic"),
    ];
    for request in requests {
        let before = chain.state_hash();
        let plain = chain.simulate(request.clone()).expect("runs");
        let traced = chain.trace(request.clone(), 200_000).expect("runs");
        assert_eq!(chain.state_hash(), before, "a trace changes nothing");
        // The same gas, results and error: recording is invisible.
        assert_eq!(traced.gas_burned, plain.gas_burned, "{:?}", request.entry);
        assert_eq!(traced.results, plain.results);
        assert_eq!(traced.error, plain.error);
        let node = &traced.trace;
        let steps = wasm_steps(node);
        assert!(!steps.is_empty(), "{:?}", node.detail);
        assert_eq!(steps[0]["depth"], 0);
        // Gas left only goes down, and the first step has the call's fuel.
        let gas: Vec<u64> = steps.iter().filter_map(|s| s["gas"].as_u64()).collect();
        assert_eq!(gas.len(), steps.len());
        assert!(gas.windows(2).all(|w| w[0] >= w[1]), "gas left only falls");
        assert!(
            steps
                .iter()
                .all(|s| s["op"].as_str().is_some_and(|op| !op.is_empty()))
        );
        assert!(wasm_steps(&plain.trace).is_empty(), "only traces record");
    }

    // Host calls come decoded, by name; the nested call names the step
    // that made it.
    let traced = chain
        .trace(
            Request::new(alice(), "inccounter", "callIncrement"),
            200_000,
        )
        .expect("runs");
    let node = &traced.trace;
    let steps = wasm_steps(node);
    let names = host_names(&steps);
    assert!(names.iter().any(|n| n == "FN_CALL"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "FN_CONTRACT" || n == "FN_PARAMS"),
        "{names:?}"
    );
    let at = node.calls[0]
        .detail
        .as_ref()
        .and_then(|d| d.get("at_step"))
        .and_then(serde_json::Value::as_u64)
        .expect("the callee names the calling step");
    let caller_step = &steps[usize::try_from(at).expect("small")];
    assert_eq!(host_names(std::slice::from_ref(caller_step)), ["FN_CALL"]);
    let inner = wasm_steps(&node.calls[0]);
    assert!(
        host_names(&inner).iter().any(|n| n == "state set"),
        "{:?}",
        host_names(&inner)
    );
    // Function names come from the name section (or the exports).
    let functions = node
        .detail
        .as_ref()
        .and_then(|d| d.get("wasm_functions"))
        .expect("names");
    assert!(
        functions
            .as_object()
            .is_some_and(|f| f.values().any(|n| n == "on_call")),
        "{functions}"
    );

    // A budget bounds what is recorded, all calls together.
    let traced = chain
        .trace(Request::new(alice(), "inccounter", "callIncrement"), 50)
        .expect("runs");
    let node = &traced.trace;
    let recorded = wasm_steps(node).len()
        + node
            .calls
            .iter()
            .map(|c| wasm_steps(c).len())
            .sum::<usize>();
    assert!(recorded <= 50 && recorded > 0, "{recorded}");
    let total = node
        .detail
        .as_ref()
        .and_then(|d| d["wasm_steps_total"].as_u64())
        .expect("total");
    assert!(total > 50, "{total}");
}

#[test]
fn a_past_request_runs_again_traced_as_it_ran() {
    let mut chain = testcore_chain();
    ok(&call(&mut chain, "inccounter", "increment", Dict::new()));
    chain.advance_time(60).expect("advances");
    let original = call(&mut chain, "inccounter", "callIncrement", Dict::new());
    ok(&original);
    for _ in 0..3 {
        ok(&call(&mut chain, "inccounter", "increment", Dict::new()));
    }
    let before = chain.state_hash();
    let again = chain
        .trace_past(original.block_index, 0, 100_000)
        .expect("runs again");
    assert_eq!(chain.state_hash(), before, "the chain is as it was");
    assert_eq!(again.gas_burned, original.gas_burned);
    assert_eq!(again.results, original.results);
    assert_eq!(
        again.request_id, original.request_id,
        "the same request, in the same place"
    );
    assert!(!wasm_steps(&again.trace).is_empty());
    assert!(!wasm_steps(&again.trace.calls[0]).is_empty());
    assert!(matches!(
        chain.trace_past(0, 0, 10),
        Err(isc_engine::ChainError::NoSuchBlock { .. })
    ));
    assert!(matches!(
        chain.trace_past(999, 0, 10),
        Err(isc_engine::ChainError::NoSuchBlock { .. })
    ));
    assert!(matches!(
        chain.trace_past(original.block_index, 1, 10),
        Err(isc_engine::ChainError::NoSuchRequest { .. })
    ));

    // Queued requests: the second of a block a person's request formed,
    // and the first of a block of queued requests alone.
    chain
        .queue(Request::new(alice(), "inccounter", "increment"))
        .expect("queued");
    let block = call(&mut chain, "inccounter", "increment", Dict::new()).block_index;
    chain
        .queue(Request::new(alice(), "inccounter", "callIncrement"))
        .expect("queued");
    let alone = chain.run_block().expect("runs");
    for (index, request_index, ran) in [
        (block, 1, chain.block_receipts(block)[1].clone()),
        (alone[0].block_index, 0, alone[0].clone()),
    ] {
        let before = chain.state_hash();
        let again = chain
            .trace_past(index, request_index, 100_000)
            .expect("runs again");
        assert_eq!(chain.state_hash(), before);
        assert_eq!(
            (again.gas_burned, &again.results),
            (ran.gas_burned, &ran.results)
        );
        assert_eq!(again.request_id, ran.request_id);
        assert!(!wasm_steps(&again.trace).is_empty());
    }
}
