//! fairroulette: bet base tokens on a number from 1 to 8; `payWinners`
//! draws the winning number from the block's entropy (so a replayed session
//! draws the same), organised as WasmLib's generated contracts are.

use wasmlib::*;

use crate::consts::*;
use crate::fairroulette::*;

pub mod consts;
pub mod fairroulette;

const EXPORT_MAP: ScExportMap = ScExportMap {
    names: &[FUNC_PLACE_BET, FUNC_PAY_WINNERS, VIEW_GET_BETS, VIEW_LAST_WINNING_NUMBER],
    funcs: &[
        |ctx| func(ctx, "fairroulette.placeBet", func_place_bet),
        |ctx| func(ctx, "fairroulette.payWinners", func_pay_winners),
    ],
    views: &[
        |ctx| view(ctx, view_get_bets),
        |ctx| view(ctx, view_last_winning_number),
    ],
};

wasmhost::export_contract!(EXPORT_MAP);

fn func(ctx: &ScFuncContext, name: &str, body: fn(&ScFuncContext, &Proxy)) {
    ctx.log(name);
    body(ctx, &state_proxy());
    ctx.log(&format!("{name} ok"));
}

fn view(ctx: &ScViewContext, body: fn(&ScViewContext, &Proxy, &Proxy)) {
    let results = results_proxy();
    body(ctx, &state_proxy(), &results);
    ctx.results(&results);
}
