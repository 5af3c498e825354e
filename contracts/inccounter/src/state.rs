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

    pub fn num_repeats(&self) -> ScMutableInt64 {
        ScMutableInt64::new(self.proxy.root(STATE_NUM_REPEATS))
    }
}
