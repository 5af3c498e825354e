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
