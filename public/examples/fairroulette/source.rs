// ---- src/fairroulette.rs ----

// The contract's logic; lib.rs wires it to WasmLib.
use crate::consts::*;
use crate::*;

/// One bet: who, how much, on which number.
pub struct Bet {
    pub better: ScAgentID,
    pub amount: u64,
    pub number: u16,
}

impl Bet {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = WasmEncoder::new();
        agent_id_encode(&mut enc, &self.better);
        uint64_encode(&mut enc, self.amount);
        uint16_encode(&mut enc, self.number);
        enc.buf()
    }

    pub fn from_bytes(bytes: &[u8]) -> Bet {
        let mut dec = WasmDecoder::new(bytes);
        Bet {
            better: agent_id_decode(&mut dec),
            amount: uint64_decode(&mut dec),
            number: uint16_decode(&mut dec),
        }
    }
}

fn bets(state: &Proxy) -> Vec<Bet> {
    let array = state.root(STATE_BETS);
    (0..array.length()).map(|i| Bet::from_bytes(&array.index(i).get())).collect()
}

/// `placeBet(number)`: the caller's allowance is the stake.
pub fn func_place_bet(ctx: &ScFuncContext, state: &Proxy) {
    let number = ScImmutableUint16::new(params_proxy().root(PARAM_NUMBER)).value();
    ctx.require(
        (1..=MAX_NUMBER).contains(&number),
        &format!("fairroulette: bet on a number from 1 to {MAX_NUMBER}"),
    );
    let stake = ctx.allowance().base_tokens();
    ctx.require(stake > 0, "fairroulette: allow some base tokens as your stake");
    ctx.transfer_allowed(&ctx.account_id(), &ScTransfer::base_tokens(stake));
    let bet = Bet { better: ctx.caller(), amount: stake, number };
    state.root(STATE_BETS).append().set(&bet.to_bytes());
    let mut event = EventEncoder::new("fairroulette.bet");
    event.encode(&bet.better.to_string());
    event.encode(&stake.to_string());
    event.encode(&number.to_string());
    event.emit();
}

/// `payWinners`: the block's entropy picks the number; winners share the
/// whole pot in proportion to their stakes; no winner, the pot stays.
pub fn func_pay_winners(ctx: &ScFuncContext, state: &Proxy) {
    let bets = bets(state);
    ctx.require(!bets.is_empty(), "fairroulette: no bets to settle");
    let winning = (ctx.random(MAX_NUMBER as u64) + 1) as u16;
    ScMutableUint16::new(state.root(STATE_LAST_WINNING_NUMBER)).set_value(winning);
    let pot: u64 = ctx.balances().base_tokens();
    let winners: Vec<&Bet> = bets.iter().filter(|bet| bet.number == winning).collect();
    let staked: u64 = winners.iter().map(|bet| bet.amount).sum();
    let mut paid = 0;
    for bet in &winners {
        let share = (pot as u128 * bet.amount as u128 / staked as u128) as u64;
        if share > 0 {
            // accounts.transferAllowanceTo, allowing it to move our tokens.
            let params = ScDict::new(&[]);
            params.set(b"a", &bet.better.to_bytes());
            ctx.call(
                ScHname::new("accounts"),
                ScHname::new("transferAllowanceTo"),
                Some(params),
                Some(ScTransfer::base_tokens(share)),
            );
            paid += share;
        }
    }
    state.root(STATE_BETS).clear_array();
    let mut event = EventEncoder::new("fairroulette.round");
    event.encode(&winning.to_string());
    event.encode(&winners.len().to_string());
    event.encode(&paid.to_string());
    event.emit();
}

pub fn view_get_bets(ctx: &ScViewContext, state: &Proxy, results: &Proxy) {
    let bets = bets(state);
    let array = results.root(RESULT_BETS);
    for bet in &bets {
        array.append().set(&bet.to_bytes());
    }
    ScMutableUint64::new(results.root(RESULT_POT)).set_value(ctx.balances().base_tokens());
}

pub fn view_last_winning_number(_ctx: &ScViewContext, state: &Proxy, results: &Proxy) {
    let number = ScImmutableUint16::new(state.root(STATE_LAST_WINNING_NUMBER)).value();
    ScMutableUint16::new(results.root(RESULT_LAST_WINNING_NUMBER)).set_value(number);
}

// ---- src/consts.rs ----

// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

pub const SC_NAME: &str = "fairroulette";
pub const SC_DESCRIPTION: &str = "Bet on a number from 1 to 8; the block's entropy picks the winner";

/// Numbers run from 1 to this.
pub const MAX_NUMBER: u16 = 8;

pub const PARAM_NUMBER: &str = "number";

pub const RESULT_BETS: &str = "bets";
pub const RESULT_LAST_WINNING_NUMBER: &str = "lastWinningNumber";
pub const RESULT_POT: &str = "pot";

pub const STATE_BETS: &str = "bets";
pub const STATE_LAST_WINNING_NUMBER: &str = "lastWinningNumber";

pub const FUNC_PLACE_BET: &str = "placeBet";
pub const FUNC_PAY_WINNERS: &str = "payWinners";
pub const VIEW_GET_BETS: &str = "getBets";
pub const VIEW_LAST_WINNING_NUMBER: &str = "lastWinningNumber";

// ---- src/lib.rs ----

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

