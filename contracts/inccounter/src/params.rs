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
