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
