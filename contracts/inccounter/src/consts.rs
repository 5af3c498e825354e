// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

use wasmlib::*;

pub const SC_NAME: &str = "inccounter";
pub const SC_DESCRIPTION: &str = "A counter: increment, increment by, recursion through the sandbox, requests it posts to itself";
pub const HSC_NAME: ScHname = ScHname(0xaf2438e9);

pub const PARAM_COUNTER: &str = "counter";
pub const PARAM_AMOUNT: &str = "amount";
pub const PARAM_DELAY: &str = "delay";
pub const PARAM_NUM_REPEATS: &str = "numRepeats";

pub const RESULT_COUNTER: &str = "counter";

pub const STATE_COUNTER: &str = "counter";
pub const STATE_NUM_REPEATS: &str = "numRepeats";

pub const FUNC_INIT: &str = "init";
pub const FUNC_CALL_INCREMENT: &str = "callIncrement";
pub const FUNC_CALL_INCREMENT_RECURSE5X: &str = "callIncrementRecurse5x";
pub const FUNC_INCREMENT: &str = "increment";
pub const FUNC_INCREMENT_BY: &str = "incrementBy";
pub const FUNC_INCREMENT_WITH_DELAY: &str = "incrementWithDelay";
pub const FUNC_REPEAT_MANY: &str = "repeatMany";
pub const VIEW_GET_COUNTER: &str = "getCounter";
