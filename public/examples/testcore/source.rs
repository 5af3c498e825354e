// ---- src/testcore.rs ----

// The contract's logic; lib.rs wires it to WasmLib.
use crate::consts::*;
use wasmlib::*;

pub fn func_test_panic(ctx: &ScFuncContext, _results: &Proxy) {
    ctx.panic("testcore: panic on purpose");
}

pub fn func_test_caller(ctx: &ScFuncContext, results: &Proxy) {
    ScMutableAgentID::new(results.root(RESULT_CALLER)).set_value(&ctx.caller());
}

pub fn func_test_chain_owner(ctx: &ScFuncContext, results: &Proxy) {
    ScMutableAgentID::new(results.root(RESULT_OWNER)).set_value(&ctx.chain_owner_id());
}

pub fn func_test_timestamp(ctx: &ScFuncContext, results: &Proxy) {
    ScMutableUint64::new(results.root(RESULT_TIMESTAMP)).set_value(ctx.timestamp());
}

pub fn func_test_entropy(ctx: &ScFuncContext, results: &Proxy) {
    ScMutableHash::new(results.root(RESULT_ENTROPY)).set_value(&ctx.entropy());
}

pub fn func_test_event(ctx: &ScFuncContext, _results: &Proxy) {
    let mut event = EventEncoder::new("testcore.touched");
    event.encode("hello world");
    event.encode(&ctx.caller().to_string());
    event.emit();
}

/// A nested call into another Wasm contract (inccounter).
pub fn func_test_call_increment(ctx: &ScFuncContext, results: &Proxy) {
    let inccounter = ScHname::new("inccounter");
    ctx.call(inccounter, ScHname::new("increment"), None, None);
    let counter = ctx.call(inccounter, ScHname::new("getCounter"), None, None);
    ScMutableBytes::new(results.root(RESULT_COUNTER)).set_value(&counter.get(b"counter"));
}

/// A nested call whose callee panics: WasmLib cannot catch it, so the whole
/// request fails with the callee's message.
pub fn func_test_call_panic(ctx: &ScFuncContext, _results: &Proxy) {
    ScMutableString::new(state_proxy().root("beforePanic")).set_value("written");
    ctx.call(ctx.contract(), ScHname::new(FUNC_TEST_PANIC), None, None);
}

/// A call into the core `accounts` contract.
pub fn func_test_accounts_balance(ctx: &ScFuncContext, results: &Proxy) {
    let params = ScDict::new(&[]);
    params.set(b"a", &ctx.account_id().to_bytes());
    let balance = ctx.call(
        ScHname::new("accounts"),
        ScHname::new("balanceBaseToken"),
        Some(params),
        None,
    );
    ScMutableBytes::new(results.root(RESULT_BALANCE)).set_value(&balance.get(b"B"));
}

/// Deploys the program in blob `programHash` as contract `name`.
pub fn func_test_deploy(ctx: &ScFuncContext, _results: &Proxy) {
    let params = ctx.params();
    let hash = hash_from_bytes(&params.get(PARAM_PROGRAM_HASH.as_bytes()));
    let name = string_from_bytes(&params.get(PARAM_NAME.as_bytes()));
    ctx.require(!name.is_empty(), "missing mandatory param: name");
    ctx.deploy_contract(&hash, &name, "deployed by testcore", None);
}

pub fn func_test_endless_loop(_ctx: &ScFuncContext, _results: &Proxy) {
    let mut n: u64 = 0;
    loop {
        n = core::hint::black_box(n.wrapping_add(1));
    }
}

/// Allocates `megabytes` MiB (default 64): past the playground's memory cap.
pub fn func_test_grow_memory(ctx: &ScFuncContext, results: &Proxy) {
    let megabytes = uint32_from_bytes(&ctx.params().get(PARAM_MEGABYTES.as_bytes()));
    let megabytes = if megabytes == 0 { 64 } else { megabytes };
    let buf = core::hint::black_box(vec![1u8; megabytes as usize * 1024 * 1024]);
    ScMutableUint64::new(results.root(RESULT_BALANCE)).set_value(buf.len() as u64);
}

fn recurse(depth: u64) -> u64 {
    if core::hint::black_box(depth) == u64::MAX {
        return 0;
    }
    core::hint::black_box(recurse(depth + 1)) + 1
}

/// Recurses without end: the host stops it at the call-depth limit.
pub fn func_test_deep_recursion(_ctx: &ScFuncContext, results: &Proxy) {
    ScMutableUint64::new(results.root(RESULT_DEPTH)).set_value(recurse(0));
}

/// Takes `amount` of the caller's allowance into this contract's account.
pub fn func_test_take_allowance(ctx: &ScFuncContext, results: &Proxy) {
    let amount = uint64_from_bytes(&ctx.params().get(PARAM_AMOUNT.as_bytes()));
    ctx.transfer_allowed(&ctx.account_id(), &ScTransfer::base_tokens(amount));
    ScMutableUint64::new(results.root(RESULT_BALANCE)).set_value(ctx.balances().base_tokens());
}

/// Sends `amount` base tokens from this contract to the caller's L1 address.
pub fn func_test_send_to_caller(ctx: &ScFuncContext, _results: &Proxy) {
    let amount = uint64_from_bytes(&ctx.params().get(PARAM_AMOUNT.as_bytes()));
    ctx.send(&ctx.caller().address(), &ScTransfer::base_tokens(amount));
}

pub fn func_test_hashes(ctx: &ScFuncContext, results: &Proxy) {
    let data = ctx.params().get(PARAM_DATA.as_bytes());
    let utils = ctx.utility();
    ScMutableHash::new(results.root(RESULT_BLAKE2B)).set_value(&utils.hash_blake2b(&data));
    ScMutableHash::new(results.root(RESULT_SHA3)).set_value(&utils.hash_sha3(&data));
    ScMutableHname::new(results.root(RESULT_HNAME))
        .set_value(utils.hash_name(&string_from_bytes(&data)));
}

/// Posting a request needs L1: the host answers "not supported".
pub fn func_test_post(ctx: &ScFuncContext, _results: &Proxy) {
    ctx.post(
        ctx.current_chain_id(),
        ctx.contract(),
        ScHname::new(FUNC_TEST_CALLER),
        ScDict::new(&[]),
        ScTransfer::new(),
        ScTransfer::base_tokens(1),
        0,
    );
}

fn fibonacci(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fibonacci(n - 1) + fibonacci(n - 2)
}

/// CPU-bound work: the `n`th Fibonacci number, recursively.
pub fn func_test_fibonacci(ctx: &ScFuncContext, results: &Proxy) {
    let n = uint32_from_bytes(&ctx.params().get(PARAM_N.as_bytes()));
    ctx.require(n <= 40, "testcore: n must be at most 40");
    ScMutableUint64::new(results.root(RESULT_FIBONACCI)).set_value(fibonacci(n as u64));
}

pub fn view_get_sandbox_info(ctx: &ScViewContext, results: &Proxy) {
    ScMutableChainID::new(results.root(RESULT_CHAIN_ID)).set_value(&ctx.current_chain_id());
    ScMutableHname::new(results.root(RESULT_CONTRACT)).set_value(ctx.contract());
    ScMutableAgentID::new(results.root(RESULT_ACCOUNT_ID)).set_value(&ctx.account_id());
    ScMutableUint64::new(results.root(RESULT_TIMESTAMP)).set_value(ctx.timestamp());
}

/// A view that tries to write state: the host refuses.
pub fn view_test_view_write(_ctx: &ScViewContext, _results: &Proxy) {
    state_proxy().root("sneaky").set(&[1]);
}

// ---- src/consts.rs ----

// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

pub const SC_NAME: &str = "testcore";
pub const SC_DESCRIPTION: &str = "A tour of the sandbox: one entry point per facility";

pub const PARAM_DATA: &str = "data";
pub const PARAM_NAME: &str = "name";
pub const PARAM_PROGRAM_HASH: &str = "programHash";
pub const PARAM_AMOUNT: &str = "amount";
pub const PARAM_MEGABYTES: &str = "megabytes";
pub const PARAM_N: &str = "n";

pub const RESULT_CALLER: &str = "caller";
pub const RESULT_OWNER: &str = "owner";
pub const RESULT_TIMESTAMP: &str = "timestamp";
pub const RESULT_ENTROPY: &str = "entropy";
pub const RESULT_BALANCE: &str = "balance";
pub const RESULT_CHAIN_ID: &str = "chainID";
pub const RESULT_CONTRACT: &str = "contract";
pub const RESULT_ACCOUNT_ID: &str = "accountID";
pub const RESULT_REQUEST_ID: &str = "requestID";
pub const RESULT_BLAKE2B: &str = "blake2b";
pub const RESULT_SHA3: &str = "sha3";
pub const RESULT_HNAME: &str = "hname";
pub const RESULT_COUNTER: &str = "counter";
pub const RESULT_DEPTH: &str = "depth";
pub const RESULT_FIBONACCI: &str = "fibonacci";

pub const FUNC_TEST_PANIC: &str = "testPanic";
pub const FUNC_TEST_CALLER: &str = "testCaller";
pub const FUNC_TEST_CHAIN_OWNER: &str = "testChainOwner";
pub const FUNC_TEST_TIMESTAMP: &str = "testTimestamp";
pub const FUNC_TEST_ENTROPY: &str = "testEntropy";
pub const FUNC_TEST_EVENT: &str = "testEvent";
pub const FUNC_TEST_CALL_INCREMENT: &str = "testCallIncrement";
pub const FUNC_TEST_CALL_PANIC: &str = "testCallPanic";
pub const FUNC_TEST_ACCOUNTS_BALANCE: &str = "testAccountsBalance";
pub const FUNC_TEST_DEPLOY: &str = "testDeploy";
pub const FUNC_TEST_ENDLESS_LOOP: &str = "testEndlessLoop";
pub const FUNC_TEST_GROW_MEMORY: &str = "testGrowMemory";
pub const FUNC_TEST_DEEP_RECURSION: &str = "testDeepRecursion";
pub const FUNC_TEST_TAKE_ALLOWANCE: &str = "testTakeAllowance";
pub const FUNC_TEST_SEND_TO_CALLER: &str = "testSendToCaller";
pub const FUNC_TEST_HASHES: &str = "testHashes";
pub const FUNC_TEST_POST: &str = "testPost";
pub const FUNC_TEST_FIBONACCI: &str = "testFibonacci";
pub const VIEW_GET_SANDBOX_INFO: &str = "getSandboxInfo";
pub const VIEW_TEST_VIEW_WRITE: &str = "testViewWrite";

// ---- src/lib.rs ----

//! testcore: a tour of the WasmLib sandbox, one entry point per facility,
//! organised as WasmLib's generated contracts are (consts, thunks here,
//! logic in `testcore.rs`). Each thunk hands its function a results proxy
//! and returns the results through the sandbox.

use wasmlib::*;

use crate::consts::*;
use crate::testcore::*;

pub mod consts;
pub mod testcore;

const EXPORT_MAP: ScExportMap = ScExportMap {
    names: &[
        FUNC_TEST_PANIC,
        FUNC_TEST_CALLER,
        FUNC_TEST_CHAIN_OWNER,
        FUNC_TEST_TIMESTAMP,
        FUNC_TEST_ENTROPY,
        FUNC_TEST_EVENT,
        FUNC_TEST_CALL_INCREMENT,
        FUNC_TEST_CALL_PANIC,
        FUNC_TEST_ACCOUNTS_BALANCE,
        FUNC_TEST_DEPLOY,
        FUNC_TEST_ENDLESS_LOOP,
        FUNC_TEST_GROW_MEMORY,
        FUNC_TEST_DEEP_RECURSION,
        FUNC_TEST_TAKE_ALLOWANCE,
        FUNC_TEST_SEND_TO_CALLER,
        FUNC_TEST_HASHES,
        FUNC_TEST_POST,
        FUNC_TEST_FIBONACCI,
        VIEW_GET_SANDBOX_INFO,
        VIEW_TEST_VIEW_WRITE,
    ],
    funcs: &[
        |ctx| func(ctx, func_test_panic),
        |ctx| func(ctx, func_test_caller),
        |ctx| func(ctx, func_test_chain_owner),
        |ctx| func(ctx, func_test_timestamp),
        |ctx| func(ctx, func_test_entropy),
        |ctx| func(ctx, func_test_event),
        |ctx| func(ctx, func_test_call_increment),
        |ctx| func(ctx, func_test_call_panic),
        |ctx| func(ctx, func_test_accounts_balance),
        |ctx| func(ctx, func_test_deploy),
        |ctx| func(ctx, func_test_endless_loop),
        |ctx| func(ctx, func_test_grow_memory),
        |ctx| func(ctx, func_test_deep_recursion),
        |ctx| func(ctx, func_test_take_allowance),
        |ctx| func(ctx, func_test_send_to_caller),
        |ctx| func(ctx, func_test_hashes),
        |ctx| func(ctx, func_test_post),
        |ctx| func(ctx, func_test_fibonacci),
    ],
    views: &[
        |ctx| view(ctx, view_get_sandbox_info),
        |ctx| view(ctx, view_test_view_write),
    ],
};

wasmhost::export_contract!(EXPORT_MAP);

fn func(ctx: &ScFuncContext, body: fn(&ScFuncContext, &Proxy)) {
    let results = results_proxy();
    body(ctx, &results);
    ctx.results(&results);
}

fn view(ctx: &ScViewContext, body: fn(&ScViewContext, &Proxy)) {
    let results = results_proxy();
    body(ctx, &results);
    ctx.results(&results);
}

