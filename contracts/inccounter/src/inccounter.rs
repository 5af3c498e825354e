// The contract's logic; lib.rs wires it to WasmLib.
use crate::*;


pub fn func_init(_ctx: &ScFuncContext, f: &InitContext) {
    let counter = f.params.counter();
    if counter.exists() {
        f.state.counter().set_value(counter.value());
    }
}

pub fn func_increment(_ctx: &ScFuncContext, f: &IncrementContext) {
    let counter = f.state.counter();
    counter.set_value(counter.value() + 1);
}

pub fn func_increment_by(ctx: &ScFuncContext, f: &IncrementByContext) {
    let amount = f.params.amount();
    ctx.require(amount.exists(), "missing mandatory param: amount");
    let counter = f.state.counter();
    counter.set_value(counter.value() + amount.value());
}

/// Increments, then calls `increment` of this same contract through the sandbox.
pub fn func_call_increment(ctx: &ScFuncContext, f: &CallIncrementContext) {
    let counter = f.state.counter();
    counter.set_value(counter.value() + 1);
    ctx.call(ctx.contract(), ScHname::new(FUNC_INCREMENT), None, None);
}

/// Increments and calls itself through the sandbox until the counter is 5.
pub fn func_call_increment_recurse5x(ctx: &ScFuncContext, f: &CallIncrementRecurse5xContext) {
    let counter = f.state.counter();
    let value = counter.value() + 1;
    counter.set_value(value);
    if value < 5 {
        ctx.call(ctx.contract(), ScHname::new(FUNC_CALL_INCREMENT_RECURSE5X), None, None);
    }
}

/// Keeps the allowance in this contract's account: a posted request
/// carries tokens from it (Wasp raises a transfer to 1 Mi base tokens).
fn take_allowance(ctx: &ScFuncContext) {
    let allowance = ScTransfer::from_balances(&ctx.allowance());
    ctx.transfer_allowed(&ctx.account_id(), &allowance);
}

/// Posts `function` of this contract, to run `delay` seconds from now,
/// carrying 1 base token (Wasp raises it to 1 Mi).
fn post_to_self(ctx: &ScFuncContext, function: &str, delay: u32) {
    ctx.post(
        ctx.current_chain_id(),
        ctx.contract(),
        ScHname::new(function),
        ScDict::new(&[]),
        ScTransfer::new(),
        ScTransfer::base_tokens(1),
        delay,
    );
}

/// Posts `increment` to this contract, to run `delay` seconds from now.
pub fn func_increment_with_delay(ctx: &ScFuncContext, f: &IncrementWithDelayContext) {
    let delay = f.params.delay();
    ctx.require(delay.exists(), "missing mandatory param: delay");
    take_allowance(ctx);
    post_to_self(ctx, FUNC_INCREMENT, delay.value());
}

/// Increments, then posts itself again until it has run `numRepeats`
/// more times (the count left is kept in state).
pub fn func_repeat_many(ctx: &ScFuncContext, f: &RepeatManyContext) {
    let counter = f.state.counter();
    counter.set_value(counter.value() + 1);
    take_allowance(ctx);
    let left = f.state.num_repeats();
    let mut repeats = f.params.num_repeats().value();
    if repeats == 0 {
        repeats = left.value();
        if repeats == 0 {
            return;
        }
    }
    left.set_value(repeats - 1);
    post_to_self(ctx, FUNC_REPEAT_MANY, 0);
}

pub fn view_get_counter(_ctx: &ScViewContext, f: &GetCounterContext) {
    f.results.counter().set_value(f.state.counter().value());
}
