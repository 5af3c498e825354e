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
