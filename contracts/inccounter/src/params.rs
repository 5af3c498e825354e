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

#[derive(Clone)]
pub struct ImmutableIncrementWithDelayParams {
    pub proxy: Proxy,
}

impl ImmutableIncrementWithDelayParams {
    pub fn new() -> Self {
        Self { proxy: params_proxy() }
    }

    pub fn delay(&self) -> ScImmutableUint32 {
        ScImmutableUint32::new(self.proxy.root(PARAM_DELAY))
    }
}

#[derive(Clone)]
pub struct ImmutableRepeatManyParams {
    pub proxy: Proxy,
}

impl ImmutableRepeatManyParams {
    pub fn new() -> Self {
        Self { proxy: params_proxy() }
    }

    pub fn num_repeats(&self) -> ScImmutableInt64 {
        ScImmutableInt64::new(self.proxy.root(PARAM_NUM_REPEATS))
    }
}
