//! erc20: the ERC-20 token standard as a WasmLib contract, organised as
//! WasmLib's generated contracts are (consts, params, state, thunks here,
//! logic in `erc20.rs`). Balances and allowances are keyed by agent id, so
//! users, contracts and Ethereum accounts can all hold tokens.

use wasmlib::*;

use crate::consts::*;
use crate::erc20::*;
use crate::params::*;
use crate::state::*;

pub mod consts;
pub mod erc20;
pub mod params;
pub mod state;

const EXPORT_MAP: ScExportMap = ScExportMap {
    names: &[
        FUNC_INIT,
        FUNC_APPROVE,
        FUNC_TRANSFER,
        FUNC_TRANSFER_FROM,
        VIEW_ALLOWANCE,
        VIEW_BALANCE_OF,
        VIEW_TOTAL_SUPPLY,
    ],
    funcs: &[
        |ctx| func(ctx, "erc20.init", func_init),
        |ctx| func(ctx, "erc20.approve", func_approve),
        |ctx| func(ctx, "erc20.transfer", func_transfer),
        |ctx| func(ctx, "erc20.transferFrom", func_transfer_from),
    ],
    views: &[
        |ctx| view(ctx, view_allowance),
        |ctx| view(ctx, view_balance_of),
        |ctx| view(ctx, view_total_supply),
    ],
};

wasmhost::export_contract!(EXPORT_MAP);

/// What a func sees: its params and the contract state.
pub struct FuncContext {
    pub params: Erc20Params,
    pub state: Erc20State,
}

/// What a view sees: its params, the state (read only by convention) and
/// the results to fill.
pub struct ViewContext {
    pub params: Erc20Params,
    pub state: Erc20State,
    pub results: Proxy,
}

fn func(ctx: &ScFuncContext, name: &str, body: fn(&ScFuncContext, &FuncContext)) {
    ctx.log(name);
    let f = FuncContext { params: Erc20Params::new(), state: Erc20State { proxy: state_proxy() } };
    body(ctx, &f);
    ctx.log(&format!("{name} ok"));
}

fn view(ctx: &ScViewContext, body: fn(&ScViewContext, &ViewContext)) {
    let f = ViewContext {
        params: Erc20Params::new(),
        state: Erc20State { proxy: state_proxy() },
        results: results_proxy(),
    };
    body(ctx, &f);
    ctx.results(&f.results);
}
