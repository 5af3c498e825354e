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

fn is_zero_u16(value: &u16) -> bool {
    *value == 0
}

/// One thing done to a chain: what a session records, in order.
///
/// In JSON a [`Step::Post`] is the request object itself (so sessions
/// from before the queue read unchanged); the others are one-key objects:
/// `{"queue": request}`, `{"run_block": {}}`, `{"advance_time":
/// {"seconds": n}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A request that runs now, first in a new block, followed by the
    /// queued requests that are ready.
    Post(Request),
    /// A request put in the queue, to run in a later block.
    Queue(Request),
    /// A new block of the queued requests that are ready.
    RunBlock,
    /// The clock moves forward this many seconds before the next block.
    AdvanceTime {
        /// How far.
        seconds: u64,
    },
}

/// The one-key JSON forms of the steps that are not a bare request.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum StepForm {
    Queue(Request),
    RunBlock {},
    AdvanceTime { seconds: u64 },
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Post(request) => request.serialize(s),
            Self::Queue(request) => StepForm::Queue(request.clone()).serialize(s),
            Self::RunBlock => StepForm::RunBlock {}.serialize(s),
            Self::AdvanceTime { seconds } => {
                StepForm::AdvanceTime { seconds: *seconds }.serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        // A request names its sender; the other steps never do.
        if value.get("sender").is_some() {
            return Request::deserialize(value)
                .map(Self::Post)
                .map_err(D::Error::custom);
        }
        Ok(
            match StepForm::deserialize(value).map_err(D::Error::custom)? {
                StepForm::Queue(request) => Self::Queue(request),
                StepForm::RunBlock {} => Self::RunBlock,
                StepForm::AdvanceTime { seconds } => Self::AdvanceTime { seconds },
            },
        )
    }
}

impl Step {
    /// The request this step sends, if it sends one.
    pub fn request(&self) -> Option<&Request> {
        match self {
            Self::Post(request) | Self::Queue(request) => Some(request),
            Self::RunBlock | Self::AdvanceTime { .. } => None,
        }
    }

    /// The request this step sends, mutably.
    pub fn request_mut(&mut self) -> Option<&mut Request> {
        match self {
            Self::Post(request) | Self::Queue(request) => Some(request),
            Self::RunBlock | Self::AdvanceTime { .. } => None,
        }
    }
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The block the request ran in.
    pub block_index: u32,
    /// Its place in the block, from 0.
    #[serde(default, skip_serializing_if = "is_zero_u16")]
    pub request_index: u16,
    /// The request's id.
    pub request_id: RequestId,
    /// The request that posted this one, for a request a contract posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_by: Option<RequestId>,
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
    /// The engine that ran its Wasm calls, if not wasmi alone: the
    /// browser's own (see [`crate::wasmvm::runtime`]), or wasmi after it
    /// handed the request back, and why. Never part of the state (every
    /// engine ends a request alike): the chain that ran the request keeps
    /// it beside the blocklog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasm_engine: Option<String>,
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
    /// How many requests it holds (0 for genesis).
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
        s.serialize_str(&const_hex::encode_prefixed(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        let digits = text.strip_prefix("0x").unwrap_or(&text);
        hex::decode(digits).map_err(serde::de::Error::custom)
    }
}

/// A time (nanoseconds since the Unix epoch) as people read it:
/// `2024-01-01 00:00:05 UTC`.
pub fn format_time(nanos: u64) -> String {
    let seconds = nanos / 1_000_000_000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's civil-from-days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3_600,
        rest / 60 % 60,
        rest % 60
    )
}
