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
        FUNC_INCREMENT_WITH_DELAY,
        FUNC_REPEAT_MANY,
        VIEW_GET_COUNTER,
    ],
    funcs: &[
        func_init_thunk,
        func_call_increment_thunk,
        func_call_increment_recurse5x_thunk,
        func_increment_thunk,
        func_increment_by_thunk,
        func_increment_with_delay_thunk,
        func_repeat_many_thunk,
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

pub struct IncrementWithDelayContext {
    pub params: ImmutableIncrementWithDelayParams,
}

fn func_increment_with_delay_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcIncrementWithDelay");
    let f = IncrementWithDelayContext { params: ImmutableIncrementWithDelayParams::new() };
    func_increment_with_delay(ctx, &f);
    ctx.log("inccounter.funcIncrementWithDelay ok");
}

pub struct RepeatManyContext {
    pub params: ImmutableRepeatManyParams,
    pub state: MutableIncCounterState,
}

fn func_repeat_many_thunk(ctx: &ScFuncContext) {
    ctx.log("inccounter.funcRepeatMany");
    let f = RepeatManyContext { params: ImmutableRepeatManyParams::new(), state: mutable_state() };
    func_repeat_many(ctx, &f);
    ctx.log("inccounter.funcRepeatMany ok");
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
