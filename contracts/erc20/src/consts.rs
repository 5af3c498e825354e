// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

pub const SC_NAME: &str = "erc20";
pub const SC_DESCRIPTION: &str = "ERC-20 as a WasmLib contract";

pub const PARAM_ACCOUNT: &str = "account";
pub const PARAM_AMOUNT: &str = "amount";
pub const PARAM_DELEGATION: &str = "delegation";
pub const PARAM_RECIPIENT: &str = "recipient";
pub const PARAM_SUPPLY: &str = "supply";
pub const PARAM_OWNER: &str = "owner";

pub const RESULT_AMOUNT: &str = "amount";
pub const RESULT_SUPPLY: &str = "supply";

pub const STATE_ALL_ALLOWANCES: &str = "allAllowances";
pub const STATE_BALANCES: &str = "balances";
pub const STATE_SUPPLY: &str = "supply";

pub const FUNC_INIT: &str = "init";
pub const FUNC_APPROVE: &str = "approve";
pub const FUNC_TRANSFER: &str = "transfer";
pub const FUNC_TRANSFER_FROM: &str = "transferFrom";
pub const VIEW_ALLOWANCE: &str = "allowance";
pub const VIEW_BALANCE_OF: &str = "balanceOf";
pub const VIEW_TOTAL_SUPPLY: &str = "totalSupply";
