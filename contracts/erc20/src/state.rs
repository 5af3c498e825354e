use crate::consts::*;
use wasmlib::*;

/// The token's state: `supply`, `balances.<agent>` and
/// `allAllowances.<owner>.<delegate>`, all Uint64.
#[derive(Clone)]
pub struct Erc20State {
    pub proxy: Proxy,
}

impl Erc20State {
    pub fn supply(&self) -> ScMutableUint64 {
        ScMutableUint64::new(self.proxy.root(STATE_SUPPLY))
    }

    pub fn balance(&self, agent: &ScAgentID) -> ScMutableUint64 {
        ScMutableUint64::new(self.proxy.root(STATE_BALANCES).key(&agent.to_bytes()))
    }

    pub fn allowance(&self, owner: &ScAgentID, delegate: &ScAgentID) -> ScMutableUint64 {
        let owner = self.proxy.root(STATE_ALL_ALLOWANCES).key(&owner.to_bytes());
        ScMutableUint64::new(owner.key(&delegate.to_bytes()))
    }
}
