// ---- src/inccounter.rs ----

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

// ---- src/consts.rs ----

// The contract's names, as WasmLib's schema tool would generate them.
#![allow(dead_code)]

use wasmlib::*;

pub const SC_NAME: &str = "inccounter";
pub const SC_DESCRIPTION: &str = "A counter: increment, increment by, recursion through the sandbox";
pub const HSC_NAME: ScHname = ScHname(0xaf2438e9);

pub const PARAM_COUNTER: &str = "counter";
pub const PARAM_AMOUNT: &str = "amount";

pub const RESULT_COUNTER: &str = "counter";

pub const STATE_COUNTER: &str = "counter";

pub const FUNC_INIT: &str = "init";
pub const FUNC_CALL_INCREMENT: &str = "callIncrement";
pub const FUNC_CALL_INCREMENT_RECURSE5X: &str = "callIncrementRecurse5x";
pub const FUNC_INCREMENT: &str = "increment";
pub const FUNC_INCREMENT_BY: &str = "incrementBy";
pub const VIEW_GET_COUNTER: &str = "getCounter";

// ---- src/lib.rs ----

//! inccounter: a WasmLib counter contract, organised as WasmLib's schema
//! tool generates contracts (consts, params, results, state, thunks here,
//! logic in `inccounter.rs`).

use wasmlib::*;

use crate::consts::*;
use crate::inccounter::*;
use crate::params::*;
use crate::results::*;
use crate::state::*;

pub mod consts;
pub mod inccounter;
pub mod params;
pub mod results;
pub mod state;

const EXPORT_MAP: ScExportMap = ScExportMap {
    names: &[
        FUNC_INIT,
        FUNC_CALL_INCREMENT,
        FUNC_CALL_INCREMENT_RECURSE5X,
        FUNC_INCREMENT,
        FUNC_INCREMENT_BY,
        VIEW_GET_COUNTER,
    ],
    funcs: &[
        func_init_thunk,
        func_call_increment_thunk,
        func_call_increment_recurse5x_thunk,
        func_increment_thunk,
        func_increment_by_thunk,
    ],
    views: &[view_get_counter_thunk],
};

wasmhost::export_contract!(EXPORT_MAP);

fn mutable_state() -> MutableIncCounterState {
    MutableIncCounterState { proxy: state_proxy() }
}

pub struct InitContext {
    pub params: ImmutableInitParams,
    pub state: MutableIncCounterState,
}

fn func_init_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcInit");
    let f = InitContext { params: ImmutableInitParams::new(), state: mutable_state() };
    func_init(ctx, &f);
    ctx.log("inccounter.funcInit ok");
}

pub struct IncrementContext {
    pub state: MutableIncCounterState,
}

fn func_increment_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcIncrement");
    let _ = ctx.params();
    let f = IncrementContext { state: mutable_state() };
    func_increment(ctx, &f);
    ctx.log("inccounter.funcIncrement ok");
}

pub struct IncrementByContext {
    pub params: ImmutableIncrementByParams,
    pub state: MutableIncCounterState,
}

fn func_increment_by_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcIncrementBy");
    let f = IncrementByContext { params: ImmutableIncrementByParams::new(), state: mutable_state() };
    func_increment_by(ctx, &f);
    ctx.log("inccounter.funcIncrementBy ok");
}

pub struct CallIncrementContext {
    pub state: MutableIncCounterState,
}

fn func_call_increment_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcCallIncrement");
    let f = CallIncrementContext { state: mutable_state() };
    func_call_increment(ctx, &f);
    ctx.log("inccounter.funcCallIncrement ok");
}

pub struct CallIncrementRecurse5xContext {
    pub state: MutableIncCounterState,
}

fn func_call_increment_recurse5x_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcCallIncrementRecurse5x");
    let f = CallIncrementRecurse5xContext { state: mutable_state() };
    func_call_increment_recurse5x(ctx, &f);
    ctx.log("inccounter.funcCallIncrementRecurse5x ok");
}

pub struct GetCounterContext {
    pub results: MutableGetCounterResults,
    pub state: ImmutableIncCounterState,
}

fn view_get_counter_thunk(ctx: &ScViewContext) {
    ctx.log("inccounter.viewGetCounter");
    let f = GetCounterContext {
        results: MutableGetCounterResults::new(),
        state: ImmutableIncCounterState { proxy: state_proxy() },
    };
    view_get_counter(ctx, &f);
    ctx.results(&f.results.proxy);
    ctx.log("inccounter.viewGetCounter ok");
}

// ---- src/params.rs ----

use crate::consts::*;
use wasmlib::*;

#[derive(Clone)]
pub struct ImmutableInitParams {
    pub proxy: Proxy,
}

impl ImmutableInitParams {
    pub fn new() -> Self {
        Self { proxy: params_proxy() }
    }

    pub fn counter(&self) -> ScImmutableInt64 {
        ScImmutableInt64::new(self.proxy.root(PARAM_COUNTER))
    }
}

#[derive(Clone)]
pub struct ImmutableIncrementByParams {
    pub proxy: Proxy,
}

impl ImmutableIncrementByParams {
    pub fn new() -> Self {
        Self { proxy: params_proxy() }
    }

    pub fn amount(&self) -> ScImmutableInt64 {
        ScImmutableInt64::new(self.proxy.root(PARAM_AMOUNT))
    }
}

// ---- src/results.rs ----

use crate::consts::*;
use wasmlib::*;

#[derive(Clone)]
pub struct MutableGetCounterResults {
    pub proxy: Proxy,
}

impl MutableGetCounterResults {
    pub fn new() -> Self {
        Self { proxy: results_proxy() }
    }

    pub fn counter(&self) -> ScMutableInt64 {
        ScMutableInt64::new(self.proxy.root(RESULT_COUNTER))
    }
}

// ---- src/state.rs ----

use crate::consts::*;
use wasmlib::*;

#[derive(Clone)]
pub struct ImmutableIncCounterState {
    pub proxy: Proxy,
}

impl ImmutableIncCounterState {
    pub fn counter(&self) -> ScImmutableInt64 {
        ScImmutableInt64::new(self.proxy.root(STATE_COUNTER))
    }
}

#[derive(Clone)]
pub struct MutableIncCounterState {
    pub proxy: Proxy,
}

impl MutableIncCounterState {
    pub fn counter(&self) -> ScMutableInt64 {
        ScMutableInt64::new(self.proxy.root(STATE_COUNTER))
    }
}

