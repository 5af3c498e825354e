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
