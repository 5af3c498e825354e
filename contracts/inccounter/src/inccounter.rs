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

pub fn view_get_counter(_ctx: &ScViewContext, f: &GetCounterContext) {
    f.results.counter().set_value(f.state.counter().value());
}
