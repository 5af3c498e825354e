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
