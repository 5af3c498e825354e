// ---- src/erc20.rs ----

// The contract's logic; lib.rs wires it to WasmLib.
use crate::consts::*;
use crate::*;

fn required_agent(ctx: &ScFuncContext, value: ScImmutableAgentID, name: &str) -> ScAgentID {
    ctx.require(value.exists(), &format!("missing mandatory param: {name}"));
    value.value()
}

fn required_amount(ctx: &ScFuncContext, f: &FuncContext) -> u64 {
    let amount = f.params.amount();
    ctx.require(amount.exists(), "missing mandatory param: amount");
    let amount = amount.value();
    ctx.require(amount > 0, "erc20: amount must be positive");
    amount
}

/// `init(supply, owner)`: mints the whole supply to `owner`.
pub fn func_init(ctx: &ScFuncContext, f: &FuncContext) {
    let supply = f.params.supply();
    ctx.require(supply.exists(), "missing mandatory param: supply");
    let owner = required_agent(ctx, f.params.owner(), PARAM_OWNER);
    f.state.supply().set_value(supply.value());
    f.state.balance(&owner).set_value(supply.value());
    transfer_event(None, &owner, supply.value());
}

/// `transfer(account, amount)`: from the caller to `account`.
pub fn func_transfer(ctx: &ScFuncContext, f: &FuncContext) {
    let target = required_agent(ctx, f.params.account(), PARAM_ACCOUNT);
    let amount = required_amount(ctx, f);
    move_tokens(ctx, f, &ctx.caller(), &target, amount);
}

/// `approve(delegation, amount)`: lets `delegation` spend the caller's tokens.
pub fn func_approve(ctx: &ScFuncContext, f: &FuncContext) {
    let delegate = required_agent(ctx, f.params.delegation(), PARAM_DELEGATION);
    let amount = f.params.amount().value();
    let owner = ctx.caller();
    f.state.allowance(&owner, &delegate).set_value(amount);
    let mut event = EventEncoder::new("erc20.approval");
    event.encode(&owner.to_string());
    event.encode(&delegate.to_string());
    event.encode(&amount.to_string());
    event.emit();
}

/// `transferFrom(account, recipient, amount)`: the caller spends what
/// `account` approved for it.
pub fn func_transfer_from(ctx: &ScFuncContext, f: &FuncContext) {
    let source = required_agent(ctx, f.params.account(), PARAM_ACCOUNT);
    let target = required_agent(ctx, f.params.recipient(), PARAM_RECIPIENT);
    let amount = required_amount(ctx, f);
    let allowance = f.state.allowance(&source, &ctx.caller());
    ctx.require(allowance.value() >= amount, "erc20: not enough allowance");
    move_tokens(ctx, f, &source, &target, amount);
    allowance.set_value(allowance.value() - amount);
}

fn move_tokens(ctx: &ScFuncContext, f: &FuncContext, from: &ScAgentID, to: &ScAgentID, amount: u64) {
    let source = f.state.balance(from);
    ctx.require(source.value() >= amount, "erc20: not enough funds");
    source.set_value(source.value() - amount);
    let target = f.state.balance(to);
    target.set_value(target.value() + amount);
    transfer_event(Some(from), to, amount);
}

fn transfer_event(from: Option<&ScAgentID>, to: &ScAgentID, amount: u64) {
    let mut event = EventEncoder::new("erc20.transfer");
    event.encode(&from.map(|agent| agent.to_string()).unwrap_or_else(|| "-".to_string()));
    event.encode(&to.to_string());
    event.encode(&amount.to_string());
    event.emit();
}

pub fn view_balance_of(ctx: &ScViewContext, f: &ViewContext) {
    let account = f.params.account();
    ctx.require(account.exists(), "missing mandatory param: account");
    let amount = f.state.balance(&account.value()).value();
    ScMutableUint64::new(f.results.root(RESULT_AMOUNT)).set_value(amount);
}

pub fn view_allowance(ctx: &ScViewContext, f: &ViewContext) {
    let owner = f.params.account();
    let delegate = f.params.delegation();
    ctx.require(owner.exists(), "missing mandatory param: account");
    ctx.require(delegate.exists(), "missing mandatory param: delegation");
    let amount = f.state.allowance(&owner.value(), &delegate.value()).value();
    ScMutableUint64::new(f.results.root(RESULT_AMOUNT)).set_value(amount);
}

pub fn view_total_supply(_ctx: &ScViewContext, f: &ViewContext) {
    ScMutableUint64::new(f.results.root(RESULT_SUPPLY)).set_value(f.state.supply().value());
}

// ---- src/consts.rs ----

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

// ---- src/lib.rs ----

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

// ---- src/params.rs ----

use crate::consts::*;
use wasmlib::*;

/// The call's params, typed.
#[derive(Clone)]
pub struct Erc20Params {
    pub proxy: Proxy,
}

impl Erc20Params {
    pub fn new() -> Self {
        Self { proxy: params_proxy() }
    }

    pub fn account(&self) -> ScImmutableAgentID {
        ScImmutableAgentID::new(self.proxy.root(PARAM_ACCOUNT))
    }

    pub fn amount(&self) -> ScImmutableUint64 {
        ScImmutableUint64::new(self.proxy.root(PARAM_AMOUNT))
    }

    pub fn delegation(&self) -> ScImmutableAgentID {
        ScImmutableAgentID::new(self.proxy.root(PARAM_DELEGATION))
    }

    pub fn recipient(&self) -> ScImmutableAgentID {
        ScImmutableAgentID::new(self.proxy.root(PARAM_RECIPIENT))
    }

    pub fn supply(&self) -> ScImmutableUint64 {
        ScImmutableUint64::new(self.proxy.root(PARAM_SUPPLY))
    }

    pub fn owner(&self) -> ScImmutableAgentID {
        ScImmutableAgentID::new(self.proxy.root(PARAM_OWNER))
    }
}

// ---- src/state.rs ----

use crate::consts::*;
use wasmlib::*;

/// The token's state: `supply`, `balances.<agent>` and
/// `allAllowances.<owner>.<delegate>`, all Uint64.
#[derive(Clone)]
pub struct Erc20State {
    pub proxy: Proxy,
}

impl Erc20State {
    pub fn supply(&self) -> ScMutableUint64 {
        ScMutableUint64::new(self.proxy.root(STATE_SUPPLY))
    }

    pub fn balance(&self, agent: &ScAgentID) -> ScMutableUint64 {
        ScMutableUint64::new(self.proxy.root(STATE_BALANCES).key(&agent.to_bytes()))
    }

    pub fn allowance(&self, owner: &ScAgentID, delegate: &ScAgentID) -> ScMutableUint64 {
        let owner = self.proxy.root(STATE_ALL_ALLOWANCES).key(&owner.to_bytes());
        ScMutableUint64::new(owner.key(&delegate.to_bytes()))
    }
}

