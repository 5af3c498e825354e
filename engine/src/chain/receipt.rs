//! Requests and what became of them: receipts, events, call traces, blocks.

use crate::Hname;
use crate::codec::{Assets, Dict};
use crate::ids::{AgentId, RequestId};
use crate::vm::{VmError, VmType};
use serde::{Deserialize, Serialize};

/// A call of a func, sent to the chain: it runs atomically and closes a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Who sends it (pays the fee).
    pub sender: AgentId,
    /// The target contract.
    pub contract: Hname,
    /// The func.
    pub entry: Hname,
    /// Its params.
    #[serde(default)]
    pub params: Dict,
    /// Tokens moved from the sender's L1 wallet to its on-chain account
    /// before the call (an on-ledger deposit; kept even if the call fails).
    #[serde(default)]
    pub tokens: Assets,
    /// How much of the sender's on-chain account the target may take.
    #[serde(default)]
    pub allowance: Assets,
    /// The most gas the request may burn (capped by what the sender can pay
    /// and by the chain's per-request maximum).
    pub gas_budget: u64,
}

impl Request {
    /// A request from `sender` to `contract.entry`, by name, with the default
    /// gas budget.
    pub fn new(sender: AgentId, contract: &str, entry: &str) -> Self {
        Self::to(sender, Hname::of(contract), Hname::of(entry))
    }

    /// A request from `sender` to `contract.entry`, by hname.
    pub fn to(sender: AgentId, contract: Hname, entry: Hname) -> Self {
        Self {
            sender,
            contract,
            entry,
            params: Dict::new(),
            tokens: Assets::default(),
            allowance: Assets::default(),
            gas_budget: DEFAULT_GAS_BUDGET,
        }
    }

    /// Adds a param.
    #[must_use]
    pub fn param(mut self, key: impl AsRef<[u8]>, value: impl Into<Vec<u8>>) -> Self {
        self.params.set(key, value);
        self
    }

    /// Replaces the params.
    #[must_use]
    pub fn params(mut self, params: Dict) -> Self {
        self.params = params;
        self
    }

    /// Attaches base tokens from the sender's L1 wallet.
    #[must_use]
    pub fn tokens(mut self, base_tokens: u64) -> Self {
        self.tokens = Assets::base(base_tokens);
        self
    }

    /// Allows the target to take base tokens from the sender's account.
    #[must_use]
    pub fn allowance(mut self, base_tokens: u64) -> Self {
        self.allowance = Assets::base(base_tokens);
        self
    }

    /// Sets the gas budget.
    #[must_use]
    pub fn gas_budget(mut self, gas: u64) -> Self {
        self.gas_budget = gas;
        self
    }
}

/// The gas budget of a [`Request::new`]: 1 000 000.
pub const DEFAULT_GAS_BUDGET: u64 = 1_000_000;

/// An event a contract emitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The emitting contract.
    pub contract: Hname,
    /// The topic (for WasmLib events, the text before the first `|`).
    pub topic: String,
    /// The payload, hex in JSON.
    #[serde(with = "hex_bytes")]
    pub payload: Vec<u8>,
}

impl Event {
    /// The payload as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.payload).ok()
    }
}

/// One call in a request's call tree, across VMs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTrace {
    /// The callee.
    pub contract: Hname,
    /// The callee's name.
    pub contract_name: String,
    /// The entry point.
    pub entry: Hname,
    /// The entry point's name (empty if unknown).
    pub entry_name: String,
    /// The VM that ran it.
    pub vm: VmType,
    /// Who called.
    pub caller: AgentId,
    /// Gas burned by this call and its nested calls.
    pub gas_burned: u64,
    /// Why it failed, if it did (its state changes were reverted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// VM-specific detail (the EVM's call frames), if the VM gave any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
    /// The calls it made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallTrace>,
    /// On the root node: how many calls the request made past the
    /// receipt's cap on trace nodes ([`crate::bounds::MAX_TRACE_NODES`]),
    /// counted but not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_calls: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The block the request closed.
    pub block_index: u32,
    /// The request's id.
    pub request_id: RequestId,
    /// The request.
    pub request: Request,
    /// The results, if it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Dict>,
    /// Why it failed, if it did: all its state changes were reverted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<VmError>,
    /// The gas budget in force (after capping).
    pub gas_budget: u64,
    /// Gas burned.
    pub gas_burned: u64,
    /// The fee charged, in base tokens.
    pub gas_fee: u64,
    /// Events, in order (none if the request failed).
    pub events: Vec<Event>,
    /// The call tree.
    pub trace: CallTrace,
    /// Log and trace lines the contracts wrote.
    pub logs: Vec<String>,
}

impl Receipt {
    /// Whether the request succeeded.
    pub fn is_success(&self) -> bool {
        self.error.is_none()
    }

    /// The results, or the error.
    ///
    /// # Errors
    /// The request's [`VmError`].
    pub fn result(&self) -> Result<&Dict, &VmError> {
        match (&self.results, &self.error) {
            (_, Some(error)) => Err(error),
            (Some(results), None) => Ok(results),
            (None, None) => Ok(&EMPTY),
        }
    }
}

static EMPTY: Dict = Dict::empty();

/// What the blocklog keeps about a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInfo {
    /// Its index (genesis is 0).
    pub index: u32,
    /// Its timestamp, nanoseconds since the Unix epoch.
    pub timestamp: u64,
    /// How many requests it holds (0 for genesis, else 1).
    pub requests: u16,
    /// Gas burned by its requests.
    pub gas_burned: u64,
    /// Fees charged.
    pub gas_fee: u64,
    /// The state hash of the block before it (zero for genesis).
    pub previous_state_hash: String,
}

/// Hex for byte vectors in JSON.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("0x{}", hex::encode(bytes)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        let digits = text.strip_prefix("0x").unwrap_or(&text);
        hex::decode(digits).map_err(serde::de::Error::custom)
    }
}
