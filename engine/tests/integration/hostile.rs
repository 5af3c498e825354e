//! Hostile input: the regression tests of every defect a hostile user found
//! (each failed before its fix), then the corpus (`hostile_corpus.rs`).
//!
//! What every case checks: a clear error, a failed receipt, and a chain that
//! changed only by what a failed request legitimately leaves (its fee, nonce
//! and receipt). Work is bounded by gas or by a documented cap, never by
//! the test's patience.

use crate::{alice, bob, builtin_chain, failed, ok, testvm, wasm_example};
use isc_engine::session::{Link, Session};
use isc_engine::{
    AgentId, Chain, ChainConfig, Dict, Hname, Receipt, Request, Step, VmError, VmType,
};
use serde_json::json;

/// Hostile.sol, compiled into the committed fixture.
pub(crate) fn hostile_sol() -> Vec<u8> {
    crate::solidity_artifact("tests/fixtures/solidity", "Hostile").to_json()
}

pub(crate) fn wat(text: &str) -> Vec<u8> {
    isc_engine::wasmvm::compile_wat(text).expect("test WAT compiles")
}

/// `bytes` as a WAT string literal body.
pub(crate) fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// WasmLib's `FN_CALL` params for a call of `contract.entry` with no params
/// and no allowance: bytes(empty assets), the two hnames, bytes(empty dict).
pub(crate) fn call_params(contract: &str, entry: &str) -> Vec<u8> {
    let mut params = vec![1, 1];
    params.extend_from_slice(&Hname::of(contract).as_u32().to_le_bytes());
    params.extend_from_slice(&Hname::of(entry).as_u32().to_le_bytes());
    params.push(0);
    params
}

/// Posts `entry` of `contract` from `sender` with `params`.
#[track_caller]
pub(crate) fn send(
    chain: &mut Chain,
    sender: AgentId,
    contract: &str,
    entry: &str,
    params: Dict,
) -> Receipt {
    chain
        .post(Request::new(sender, contract, entry).params(params))
        .expect("the chain accepts the request")
}

#[track_caller]
fn deploy_wasm(chain: &mut Chain, name: &str, module: &[u8]) -> Receipt {
    chain
        .deploy(alice(), name, &VmType::WASM, module, Dict::new())
        .expect("the chain accepts the deploy")
}

fn evm_args(values: serde_json::Value) -> Dict {
    Dict::new().with("args", values.to_string().into_bytes())
}

fn counter(chain: &mut Chain) -> i64 {
    let results = chain
        .call_view("inccounter", "getCounter", Dict::new())
        .expect("the view runs");
    let mut raw = [0; 8];
    raw.copy_from_slice(results.get("counter").unwrap_or(&[0; 8]));
    i64::from_le_bytes(raw)
}

fn decoded(results: &Dict) -> Vec<(String, String)> {
    serde_json::from_slice(results.get("decoded").expect("decoded outputs")).expect("JSON")
}

// --- 1. `init` runs only when root deploys ---------------------------------

#[test]
fn nobody_can_call_init_on_a_deployed_contract() {
    let mut chain = builtin_chain();
    crate::deploy_program(
        &mut chain,
        "inccounter",
        &VmType::WASM,
        &wasm_example("inccounter"),
        Dict::new().with("counter", 5i64.to_le_bytes().to_vec()),
    );
    assert_eq!(counter(&mut chain), 5);
    let err = failed(&send(
        &mut chain,
        bob(),
        "inccounter",
        "init",
        Dict::new().with("counter", 0i64.to_le_bytes().to_vec()),
    ));
    assert!(matches!(err, VmError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("init"), "{err}");
    assert_eq!(counter(&mut chain), 5);

    // The Solidity constructor: bob cannot re-point alice's token.
    let token = crate::solidity_example("Token").to_json();
    ok(&chain
        .deploy(
            alice(),
            "token",
            &VmType::EVM,
            &token,
            evm_args(json!(["T", "T", "1000"])),
        )
        .expect("accepted"));
    let holder = format!(
        "0x{}",
        hex::encode(isc_engine::evm::agent_address(&alice()))
    );
    let balance = |chain: &mut Chain| {
        let results = chain
            .call_view("token", "balanceOf", evm_args(json!([holder])))
            .expect("view");
        decoded(&results)[0].1.clone()
    };
    assert_eq!(balance(&mut chain), "1000");
    let err = failed(&send(
        &mut chain,
        bob(),
        "token",
        "init",
        evm_args(json!(["B", "B", "1"])),
    ));
    assert!(matches!(err, VmError::Unauthorized { .. }), "{err}");
    assert_eq!(balance(&mut chain), "1000");

    // Nor through a nested call from another contract.
    chain.register_processor(Box::new(testvm::TestFactory));
    crate::deploy(
        &mut chain,
        "meddler",
        json!({"funcs": [{"name": "go", "ops": [
            {"call": {"contract": "inccounter", "entry": "init"}}
        ]}]}),
    );
    let err = failed(&send(&mut chain, bob(), "meddler", "go", Dict::new()));
    assert!(matches!(err, VmError::Unauthorized { .. }), "{err}");
    assert_eq!(counter(&mut chain), 5);
}

// --- 2. every receipt is stored, shared and replayed ------------------------

#[test]
fn failed_requests_of_every_kind_survive_sessions_links_and_replay() {
    let mut chain = crate::new_chain();
    let bad = [
        Request::new(alice(), "nosuch", "go"),
        Request::new(alice(), "governance", "setFeePolicy"),
        Request::new(alice(), "accounts", "foundryCreateNew"),
        Request::new(alice(), "blob", "storeBlob").param("p", vec![1]),
    ];
    for (index, request) in bad.into_iter().enumerate() {
        let receipt = chain.post(request).expect("accepted");
        assert_eq!(receipt.is_success(), index == 3, "{:?}", receipt.error);
        assert_eq!(
            chain.receipt(receipt.block_index).as_ref(),
            Some(&receipt),
            "the blocklog keeps the receipt of {}",
            receipt.error.as_ref().map_or("", VmError::kind)
        );
    }
    let blob_hash = ok(&chain.receipt(4).expect("stored"))
        .get("hash")
        .map(<[u8]>::to_vec);
    assert!(blob_hash.is_some());
    let session = Session::of(&chain);
    assert_eq!(session.requests.len(), 4);
    let replay = session
        .replay(|chain| chain.register_processor(Box::new(testvm::TestFactory)))
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());

    let link = Link::new(session.clone(), chain.state_hash().to_string());
    let back = Link::decode(&link.encode()).expect("opens");
    assert_eq!(back.session, session);

    // `isc replay` of a session with a request to an unknown contract.
    let mut builtin = builtin_chain();
    builtin
        .post(Request::new(alice(), "nosuch", "go"))
        .expect("accepted");
    let (code, output) = crate::sessions::isc_replay(&Session::of(&builtin).to_json());
    assert_eq!(code, Some(0), "{output}");
    assert!(
        output.contains(&builtin.state_hash().to_string()),
        "{output}"
    );
}

// --- 3. a reverted program is gone from the cache too -----------------------

#[test]
fn a_program_reverted_away_cannot_be_deployed_from_the_cache() {
    let mut chain = builtin_chain();
    let stored = send(
        &mut chain,
        alice(),
        "blob",
        "storeBlob",
        Dict::new()
            .with("v", "wasmvm")
            .with("p", wasm_example("inccounter")),
    );
    let hash = ok(&stored).get("hash").expect("hash").to_vec();
    ok(&send(
        &mut chain,
        alice(),
        "root",
        "deployContract",
        Dict::new().with("ph", hash.clone()).with("nm", "first"),
    ));
    chain.revert_to(0).expect("block 0 exists");
    let err = failed(&send(
        &mut chain,
        alice(),
        "root",
        "deployContract",
        Dict::new().with("ph", hash).with("nm", "again"),
    ));
    assert!(err.to_string().contains("not found"), "{err}");
    let replay = Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
}

// --- 4. configs are bounded, and so is replay work --------------------------

fn session_with_config(config: serde_json::Value) -> String {
    json!({
        "format": "isc-playground-session",
        "version": 1,
        "config": config,
        "requests": [],
    })
    .to_string()
}

#[test]
fn a_session_config_out_of_bounds_is_refused_with_the_field_named() {
    for (config, field) in [
        (
            json!({"max_gas_per_request": u64::MAX}),
            "max_gas_per_request",
        ),
        (json!({"view_gas_budget": u64::MAX}), "view_gas_budget"),
        (
            json!({"fee_policy": {"gas_per_token": 0, "min_fee": 1}}),
            "gas_per_token",
        ),
        (
            json!({"fee_policy": {"gas_per_token": u64::MAX, "min_fee": 1}}),
            "gas_per_token",
        ),
        (json!({"l2_funds": u64::MAX}), "funds"),
        (json!({"l1_funds": u64::MAX / 2}), "funds"),
        (json!({"users": vec!["u"; 1000]}), "users"),
        (json!({"users": ["alice", "alice"]}), "users"),
        (json!({"owner": ""}), "owner"),
        (json!({"block_time": u64::MAX}), "block_time"),
        (
            json!({"limits": {"max_blob_size": u32::MAX, "max_event_size": 1024, "max_events_per_request": 50}}),
            "max_blob_size",
        ),
        (json!({"description": "d".repeat(100_000)}), "description"),
    ] {
        let err = Session::from_json(&session_with_config(config.clone()))
            .expect_err("refused")
            .to_string();
        assert!(err.contains(field), "{config}: {err}");
    }
    Session::from_json(&session_with_config(json!({}))).expect("the default config is valid");
}

#[test]
fn replaying_a_session_stops_at_its_work_bound() {
    let spinner = json!({"funcs": [{"name": "spin", "ops": [{"spin": null}]}]}).to_string();
    let mut chain = Chain::new(ChainConfig {
        max_gas_per_request: ChainConfig::MAX_GAS,
        l2_funds: 1_000_000_000_000,
        ..ChainConfig::default()
    });
    chain.register_processor(Box::new(testvm::TestFactory));
    crate::deploy_program(
        &mut chain,
        "spinner",
        &testvm::VM,
        spinner.as_bytes(),
        Dict::new(),
    );
    let mut session = Session::of(&chain);
    let spin = Request::new(alice(), "spinner", "spin").gas_budget(u64::MAX);
    let requests = Chain::MAX_TOTAL_GAS / ChainConfig::MAX_GAS + 2;
    session
        .requests
        .extend(std::iter::repeat_n(Step::Post(spin), requests as usize));
    let err = session
        .replay(|chain| chain.register_processor(Box::new(testvm::TestFactory)))
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("gas"), "{err}");
    assert!(err.contains("replay"), "{err}");
}

// --- 5. host work is paid for -----------------------------------------------

/// WAT that runs `body` `times` times (counting in local `$n`).
fn repeat(times: u32, body: &str) -> String {
    format!(
        "(loop $l {body}
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $n) (i32.const {times}))))"
    )
}

/// A module with `pages` of memory, `on_load` doing `load`, and `on_call`
/// doing `call` (with local `$i`, the entry index).
pub(crate) fn module(pages: u32, data: &str, load: &str, call: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "WasmLib" "hostStateGet" (func $get (param i32 i32 i32 i32) (result i32)))
            (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
            (memory (export "memory") {pages})
            (data (i32.const 16) "go")
            (data (i32.const 24) "noop")
            {data}
            (func (export "on_load") (local $n i32)
                (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2))
                (call $set (i32.const 0) (i32.const 1) (i32.const 24) (i32.const 4))
                {load})
            (func (export "on_call") (param $i i32) (local $n i32)
                (if (i32.eqz (local.get $i)) (then {call}))))"#
    ))
}

#[test]
fn exporting_names_outside_on_load_is_refused() {
    let mut chain = builtin_chain();
    let exporter = module(
        1,
        "",
        "",
        "(loop $l (call $set (i32.const 0) (i32.const 7) (i32.const 0) (i32.const 65536)) (br $l))",
    );
    ok(&deploy_wasm(&mut chain, "exporter", &exporter));
    let err = failed(&send(&mut chain, alice(), "exporter", "go", Dict::new()));
    assert!(err.to_string().contains("on_load"), "{err}");
}

#[test]
fn on_load_runs_under_a_budget_that_pays_for_the_bytes_it_copies() {
    let mut chain = builtin_chain();
    // Exports a 1 MiB name a thousand times.
    let exporter = module(
        17,
        "",
        &repeat(
            1000,
            "(call $set (i32.const 0) (i32.const 9) (i32.const 0) (i32.const 1048576))",
        ),
        "",
    );
    let err = failed(&deploy_wasm(&mut chain, "exporter", &exporter));
    assert!(
        matches!(err, VmError::InvalidProgram { .. }) && err.to_string().contains("on_load"),
        "{err}"
    );
    // Logs 1 MiB a thousand times.
    let logger = module(
        17,
        "",
        &repeat(
            1000,
            "(drop (call $get (i32.const 0) (i32.const -15) (i32.const 0) (i32.const 1048576)))",
        ),
        "",
    );
    let err = failed(&deploy_wasm(&mut chain, "logger", &logger));
    assert!(err.to_string().contains("on_load"), "{err}");
}

#[test]
fn re_copying_the_cached_value_costs_gas_per_byte() {
    let mut chain = builtin_chain();
    // FN_PARAMS caches the request's params (200 KiB here); then the
    // cached value is copied out 100 times.
    let copier = module(
        17,
        "",
        "",
        &format!(
            "(drop (call $get (i32.const 0) (i32.const -18) (i32.const 0) (i32.const 0))) {}",
            repeat(
                100,
                "(drop (call $get (i32.const 0) (i32.const 0) (i32.const 65536) (i32.const 300000)))"
            )
        ),
    );
    ok(&deploy_wasm(&mut chain, "copier", &copier));
    let receipt = chain
        .post(
            Request::new(alice(), "copier", "go")
                .param("big", vec![7u8; 200 * 1024])
                .gas_budget(50_000_000),
        )
        .expect("accepted");
    ok(&receipt);
    assert!(
        receipt.gas_burned >= 100 * 200 * 1024,
        "100 copies of 200 KiB burned only {} gas",
        receipt.gas_burned
    );
}

#[test]
fn hashes_cost_wasps_flat_gas_whatever_their_input() {
    // 200 hashes of `len` bytes by sandbox function `func` (blake2b -36,
    // sha3 -38), as one request's gas.
    let gas = |chain: &mut Chain, name: &str, func: i32, len: u32| {
        let hasher = module(
            1,
            "",
            "",
            &repeat(
                200,
                &format!(
                    "(drop (call $get (i32.const 0) (i32.const {func}) (i32.const 1024) (i32.const {len})))"
                ),
            ),
        );
        ok(&deploy_wasm(chain, name, &hasher));
        let receipt = send(chain, alice(), name, "go", Dict::new());
        ok(&receipt);
        receipt.gas_burned
    };
    let mut chain = builtin_chain();
    let short = gas(&mut chain, "short", -36, 10);
    let long = gas(&mut chain, "long", -36, 1_000);
    let sha3 = gas(&mut chain, "sha3", -38, 10);
    assert!(short > 10_000, "above the floor: {short}");
    // blake2b is 50 whatever the input: a longer input costs only its copy
    // out of guest memory (1 per byte).
    assert_eq!(long - short, 200 * 990);
    // SHA3 is 80.
    assert_eq!(sha3 - short, 200 * 30);
}

// --- 6. instantiating modules is bounded ------------------------------------

#[test]
fn instantiating_big_modules_in_a_loop_is_bounded_per_request() {
    let mut chain = builtin_chain();
    let params = call_params("big", "noop");
    let big = module(
        256,
        &format!(
            r#"(data (i32.const 32) "{}") (data (i32.const 65536) "{}")"#,
            wat_bytes(&params),
            "x".repeat(64 * 1024)
        ),
        "",
        &format!(
            "(loop $l (drop (call $get (i32.const 0) (i32.const -6) (i32.const 32) (i32.const {})))
                (br $l))",
            params.len()
        ),
    );
    ok(&deploy_wasm(&mut chain, "big", &big));
    let receipt = chain
        .post(Request::new(alice(), "big", "go").gas_budget(5_000_000))
        .expect("accepted");
    let err = failed(&receipt);
    assert!(
        matches!(&err, VmError::Limit { message } if message.contains("memory")),
        "{err}"
    );
    let calls = receipt.trace.calls.len() as u64;
    let bound = isc_engine::bounds::MAX_ALLOCATED_MEMORY_BYTES / (256 * 65536);
    assert!(calls <= bound, "{calls} instantiations, bound {bound}");
}

#[test]
fn nested_instances_are_bounded_by_the_memory_they_hold() {
    let mut chain = builtin_chain();
    let params = call_params("deep", "go");
    let deep = module(
        256,
        &format!(r#"(data (i32.const 32) "{}")"#, wat_bytes(&params)),
        "",
        &format!(
            "(drop (call $get (i32.const 0) (i32.const -6) (i32.const 32) (i32.const {})))",
            params.len()
        ),
    );
    ok(&deploy_wasm(&mut chain, "deep", &deep));
    let err = failed(&send(&mut chain, alice(), "deep", "go", Dict::new()));
    assert!(
        matches!(&err, VmError::Limit { message } if message.contains("memory")),
        "{err}"
    );
}

// --- 7. receipts keep a bounded trace ---------------------------------------

fn deploy_hostile(chain: &mut Chain, name: &str) {
    ok(&chain
        .deploy(alice(), name, &VmType::EVM, &hostile_sol(), Dict::new())
        .expect("accepted"));
}

/// The EVM's call frames are made as calls reach their depth (revm's
/// builder would make eight up front): a transaction 1 + 40 frames deep
/// returns what it returns on Ethereum, twice alike, and the second, equal
/// request burns the same gas as the first.
#[test]
fn evm_calls_deeper_than_eight_frames_return_and_repeat_alike() {
    let mut chain = builtin_chain();
    deploy_hostile(&mut chain, "hostile");
    let mut burned = Vec::new();
    for depth in ["40", "40", "9", "8"] {
        let receipt = chain
            .post(
                Request::new(alice(), "hostile", "recurse")
                    .params(evm_args(json!([depth])))
                    .gas_budget(20_000_000),
            )
            .expect("accepted");
        let results = ok(&receipt);
        let out = isc_engine::evm::word_to_decimal(results.get("o").expect("return data"));
        assert_eq!(out, depth, "recurse({depth}) counts its frames");
        burned.push(receipt.gas_burned);
    }
    assert_eq!(burned[0], burned[1]);
    assert!(burned[2] < burned[0] && burned[3] < burned[2], "{burned:?}");
}

#[test]
fn an_evm_call_storm_leaves_a_bounded_receipt() {
    let mut chain = builtin_chain();
    deploy_hostile(&mut chain, "hostile");
    let receipt = chain
        .post(
            Request::new(alice(), "hostile", "fanOut")
                .params(evm_args(json!(["2000", "4096"])))
                .gas_budget(50_000_000),
        )
        .expect("accepted");
    ok(&receipt);
    let json = serde_json::to_string(&receipt).expect("serializes");
    assert!(
        json.len() < 1024 * 1024,
        "a receipt of {} bytes",
        json.len()
    );
    let detail = receipt.trace.detail.as_ref().expect("EVM detail");
    let frames = detail["evm_frames"].as_array().expect("frames");
    assert!(frames.len() <= isc_engine::bounds::MAX_EVM_FRAMES);
    assert_eq!(
        detail["evm_frames_total"], 2001,
        "{}",
        detail["evm_frames_total"]
    );
    assert!(
        json.contains("truncated"),
        "the receipt says what it left out"
    );
}

// --- 8. the magic call reaches EVM contracts too ----------------------------

#[test]
fn solidity_calls_another_evm_contract_through_the_magic_contract() {
    let mut chain = builtin_chain();
    deploy_hostile(&mut chain, "caller");
    deploy_hostile(&mut chain, "target");
    let receipt = send(
        &mut chain,
        alice(),
        "caller",
        "callThroughIsc",
        evm_args(json!([
            Hname::of("target").as_u32().to_string(),
            Hname::of("hit").as_u32().to_string()
        ])),
    );
    ok(&receipt);
    let hits = chain
        .call_view("target", "hits", evm_args(json!([])))
        .expect("view");
    assert_eq!(decoded(&hits)[0].1, "1");
}

// --- 9, 10. blob and dict limits --------------------------------------------

#[test]
fn a_blob_over_the_maximum_size_is_refused() {
    let mut chain = builtin_chain();
    let err = failed(&send(
        &mut chain,
        alice(),
        "blob",
        "storeBlob",
        Dict::new().with("p", vec![0u8; 2_300_000]),
    ));
    assert!(matches!(err, VmError::Limit { .. }), "{err}");
    let blobs = chain
        .call_view("blob", "listBlobs", Dict::new())
        .expect("view");
    assert!(blobs.is_empty(), "{blobs:?}");
}

#[test]
fn a_dict_key_longer_than_wasmlib_can_encode_is_refused() {
    let mut chain = builtin_chain();
    let long = vec![b'k'; 70_000];
    let err = failed(&send(
        &mut chain,
        alice(),
        "blob",
        "storeBlob",
        Dict::new().with(&long, vec![1]),
    ));
    assert!(err.to_string().contains("65535"), "{err}");
    assert!(
        chain
            .call_view("blob", "listBlobs", Dict::new())
            .expect("view")
            .is_empty()
    );
    let err = isc_engine::Dict::new()
        .with(&long, vec![1])
        .try_to_bytes()
        .expect_err("cannot be encoded");
    assert!(err.to_string().contains("65535"), "{err}");
}

// --- 11. token arithmetic is checked ----------------------------------------

#[test]
fn token_amounts_never_overflow() {
    let mut chain = Chain::new(ChainConfig {
        users: Vec::new(),
        l1_funds: 10,
        l2_funds: u64::MAX - 5,
        ..ChainConfig::default()
    });
    let before = chain.state_hash();
    // A deposit that would overflow the owner's chain account is refused.
    let owner = AgentId::user("owner");
    let outcome = chain.post(Request::new(owner, "accounts", "deposit").tokens(10));
    match outcome {
        Err(err) => {
            assert!(err.to_string().contains("overflow"), "{err}");
            assert_eq!(chain.state_hash(), before);
        }
        Ok(receipt) => {
            assert!(failed(&receipt).to_string().contains("overflow"));
        }
    }
    assert!(
        ChainConfig {
            l2_funds: u64::MAX - 5,
            ..ChainConfig::default()
        }
        .validate()
        .is_err()
    );
}

// --- 12. each Wasm trap has its own message ---------------------------------

#[test]
fn table_growth_and_bad_data_segments_get_their_own_messages() {
    let mut chain = builtin_chain();
    let grower = wat(r#"(module
        (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
        (memory (export "memory") 1)
        (table 1 funcref)
        (data (i32.const 16) "go")
        (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2)))
        (func (export "on_call") (param i32)
            (drop (table.grow (ref.null func) (i32.const 100000)))))"#);
    ok(&deploy_wasm(&mut chain, "grower", &grower));
    let err = failed(&send(&mut chain, alice(), "grower", "go", Dict::new()));
    assert!(err.to_string().contains("table"), "{err}");
    assert!(!err.to_string().contains("linear memory"), "{err}");

    let segment = wat(r#"(module
        (memory (export "memory") 1)
        (data (i32.const 65530) "0123456789")
        (func (export "on_load")) (func (export "on_call") (param i32)))"#);
    let err = failed(&deploy_wasm(&mut chain, "segment", &segment));
    assert!(err.to_string().contains("data segment"), "{err}");
    assert!(!err.to_string().contains("may not grow"), "{err}");
}

// --- found by fuzzing ---------------------------------------------------------

/// A module whose code section ends inside a function body: wasmi's
/// translator reached a debug assertion (a panic in debug builds) before
/// its validator saw the truncation. (`cargo xtask fuzz`, wasm_modules.)
#[test]
fn a_module_truncated_inside_a_function_body_is_refused_without_a_panic() {
    let module = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wasm/fuzz-truncated-body.wasm"
    ))
    .expect("fixture");
    let mut chain = builtin_chain();
    let err = failed(&deploy_wasm(&mut chain, "truncated", &module));
    assert!(matches!(err, VmError::InvalidProgram { .. }), "{err}");
}

// --- found while building the corpus -------------------------------------------

/// `evm.steps` on a posted request (not a simulation) would keep up to
/// 100 000 opcode steps in a receipt stored in state.
#[test]
fn a_posted_request_keeps_no_opcode_trace_in_its_stored_receipt() {
    let mut chain = builtin_chain();
    deploy_hostile(&mut chain, "hostile");
    let request = Request::new(alice(), "hostile", "hit")
        .params(evm_args(json!([])))
        .param("evm.steps", 100_000u32.to_le_bytes())
        .gas_budget(5_000_000);
    let simulated = chain.simulate(request.clone()).expect("accepted");
    assert!(
        simulated.trace.detail.as_ref().expect("detail")["evm_steps"].is_array(),
        "a simulation keeps the steps"
    );
    let posted = chain.post(request).expect("accepted");
    ok(&posted);
    let stored = chain.receipt(posted.block_index).expect("stored");
    for receipt in [&posted, &stored] {
        assert!(receipt.trace.detail.as_ref().expect("detail")["evm_steps"].is_null());
    }
}

/// Mistakes are caught before they cost a block (the page asks first), and
/// a program already on the chain is not stored again.
#[test]
fn dry_checks_catch_mistakes_and_a_known_program_is_not_stored_twice() {
    let mut chain = builtin_chain();
    let token = crate::solidity_example("Token").to_json();
    let args = |text: &str| Dict::new().with("args", text);
    let err = chain
        .check_deploy("token", &VmType::EVM, &token, &args(r#"["T","T","lots"]"#))
        .expect_err("not a number");
    assert!(err.to_string().contains("uint256"), "{err}");
    let err = chain
        .check_deploy("accounts", &VmType::EVM, &token, &args("[]"))
        .expect_err("a core contract's name");
    assert!(err.to_string().contains("already deployed"), "{err}");
    let err = chain
        .check_deploy("w", &VmType::WASM, b"\0asm\x01\0\0\0", &Dict::new())
        .expect_err("no exports");
    assert!(matches!(err, VmError::InvalidProgram { .. }), "{err}");
    chain
        .check_deploy("token", &VmType::EVM, &token, &args(r#"["T","T","10"]"#))
        .expect("a good deploy passes");

    let before = chain.block_index();
    ok(&chain
        .deploy(
            alice(),
            "token",
            &VmType::EVM,
            &token,
            args(r#"["T","T","10"]"#),
        )
        .expect("accepted"));
    assert_eq!(chain.block_index(), before + 2, "blob and deploy");
    ok(&chain
        .deploy(
            alice(),
            "token2",
            &VmType::EVM,
            &token,
            args(r#"["U","U","20"]"#),
        )
        .expect("accepted"));
    assert_eq!(chain.block_index(), before + 3, "the blob is already there");

    let transfer = |value: &str| {
        Request::new(alice(), "token", "transfer").params(evm_args(json!([
            "0x0000000000000000000000000000000000000001",
            value
        ])))
    };
    let err = chain
        .check_request(&transfer("five"))
        .expect_err("not a number");
    assert!(err.to_string().contains("uint256"), "{err}");
    chain
        .check_request(&transfer("5"))
        .expect("a good request passes");
    for (contract, entry, kind) in [
        ("nosuch", "go", "contract_not_found"),
        ("token", "nosuch", "entry_point_not_found"),
        ("token", "balanceOf", "not_a_func"),
        ("token", "init", "unauthorized"),
    ] {
        let err = chain
            .check_request(&Request::new(alice(), contract, entry))
            .expect_err("refused");
        assert_eq!(err.kind(), kind, "{contract}.{entry}: {err}");
    }
    let replay = Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
}

/// Tracing a hostile call for the debugger ends it exactly as running it
/// does: the same error, the same gas — at a stack overflow (the step
/// import adds no Wasm frame), out of gas in a loop, a refused growth.
#[test]
fn a_hostile_call_traced_ends_exactly_as_untraced() {
    let mut chain = builtin_chain();
    let cases = [
        (
            "recurse",
            "",
            "(call $deep (i32.const 0))",
            "(func $deep (param i32) (call $deep (i32.add (local.get 0) (i32.const 1))))",
        ),
        ("spin", "", "(loop $l (br $l))", ""),
        (
            "grow",
            "",
            "(loop $l (drop (memory.grow (i32.const 16))) (br $l))",
            "",
        ),
    ];
    for (name, data, call, extra) in cases {
        let program = module(1, &format!("{data} {extra}"), "", call);
        ok(&deploy_wasm(&mut chain, name, &program));
        let request = Request::new(alice(), name, "go").gas_budget(2_000_000);
        let plain = chain.simulate(request.clone()).expect("runs");
        let traced = chain.trace(request, 5_000).expect("runs");
        assert!(plain.error.is_some(), "{name} fails");
        assert_eq!(traced.error, plain.error, "{name}");
        assert_eq!(traced.gas_burned, plain.gas_burned, "{name}");
        let steps = traced
            .trace
            .detail
            .as_ref()
            .and_then(|d| d["wasm_steps"].as_array().map(Vec::len))
            .unwrap_or(0);
        // 1 024 frames of four instructions; the budget's worth of an
        // endless loop; a growth loop until its refusal.
        match name {
            "recurse" => assert_eq!(steps, 4 * 1024 + 1),
            "spin" => assert_eq!(steps, 5_000),
            _ => assert!(steps > 0 && steps < 5_000, "{steps}"),
        }
    }
}
