//! `governance`: chain owner, chain info and the gas fee policy.
//!
//! State layout: `o` → owner agent id; `od` → owner delegate (may claim);
//! `d` → description; `g` → fee policy ([`FeePolicy::to_bytes`]);
//! `mb`/`me`/`mr` → max blob size, max event size, max events per request
//! (`u32` LE).

use super::{NativeContract, agent_param, require_owner, u32_param, unsupported};
use crate::Hname;
use crate::chain::store::Store;
use crate::codec::{Decoder, Dict, Encoder};
use crate::ids::AgentId;
use crate::vm::{EntryPointInfo, FieldInfo, VmError};
use serde::{Deserialize, Serialize};

pub(crate) const NAME: &str = "governance";

pub(crate) fn hname() -> Hname {
    // `Hname::of(NAME)`, known (the chain asks for it on every request;
    // `core::tests` checks it).
    Hname::from_u32(0x17cf909f)
}

/// How gas turns into a fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePolicy {
    /// Gas units bought by one base token (default 100).
    pub gas_per_token: u64,
    /// The least fee any request pays, in base tokens (default 100).
    pub min_fee: u64,
}

impl Default for FeePolicy {
    fn default() -> Self {
        Self {
            gas_per_token: 100,
            min_fee: 100,
        }
    }
}

impl FeePolicy {
    /// The fee, in base tokens, for `gas`: `max(ceil(gas / gas_per_token), min_fee)`.
    pub fn fee(&self, gas: u64) -> u64 {
        gas.div_ceil(self.gas_per_token.max(1)).max(self.min_fee)
    }

    /// The most gas `tokens` base tokens pay for.
    pub fn affordable_gas(&self, tokens: u64) -> u64 {
        tokens.saturating_mul(self.gas_per_token.max(1))
    }

    /// `vlu(gas_per_token) vlu(min_fee)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::new();
        enc.vlu(self.gas_per_token).vlu(self.min_fee);
        enc.finish()
    }

    /// Decodes [`Self::to_bytes`].
    ///
    /// # Errors
    /// On malformed bytes or a zero `gas_per_token`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VmError> {
        let mut dec = Decoder::new(bytes);
        let policy = Self {
            gas_per_token: dec.vlu(64)?,
            min_fee: dec.vlu(64)?,
        };
        dec.finish()?;
        if policy.gas_per_token == 0 {
            return Err(VmError::param("g", "gas per token must be at least 1"));
        }
        Ok(policy)
    }
}

/// Chain limits kept by governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest blob, in bytes (default 2 MiB).
    pub max_blob_size: u32,
    /// Largest event payload, in bytes (default 1 KiB).
    pub max_event_size: u32,
    /// Most events one request may emit (default 50).
    pub max_events_per_request: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_blob_size: 2 * 1024 * 1024,
            max_event_size: 1024,
            max_events_per_request: 50,
        }
    }
}

pub(crate) fn contract() -> NativeContract {
    NativeContract::new(NAME, "Governance contract")
        .with(
            EntryPointInfo::func("delegateChainOwnership").params([FieldInfo::new("o", "AgentID")]),
            |ctx| {
                require_owner(ctx, "delegate chain ownership")?;
                let delegate = agent_param(ctx, "o")?;
                ctx.state_set(b"od", &delegate.to_bytes())?;
                Ok(Dict::new())
            },
        )
        .with(EntryPointInfo::func("claimChainOwnership"), |ctx| {
            let caller = ctx.caller();
            let delegate = ctx.state_get(b"od")?;
            if delegate.as_deref() != Some(caller.to_bytes().as_slice()) {
                return Err(VmError::unauthorized(format!(
                    "{caller} was not delegated chain ownership"
                )));
            }
            ctx.state_set(b"o", &caller.to_bytes())?;
            ctx.state_delete(b"od")?;
            Ok(Dict::new())
        })
        .with(
            EntryPointInfo::func("setFeePolicy").params([FieldInfo::new("g", "Bytes")]),
            |ctx| {
                require_owner(ctx, "set the fee policy")?;
                let bytes = ctx.params().get("g").unwrap_or_default().to_vec();
                FeePolicy::from_bytes(&bytes)?;
                ctx.state_set(b"g", &bytes)?;
                Ok(Dict::new())
            },
        )
        .with(
            EntryPointInfo::func("setChainInfo").params([
                FieldInfo::optional("mb", "Uint32"),
                FieldInfo::optional("ms", "Uint32"),
                FieldInfo::optional("mr", "Uint32"),
            ]),
            |ctx| {
                require_owner(ctx, "set chain info")?;
                for (param, key) in [("mb", "mb"), ("ms", "me"), ("mr", "mr")] {
                    if let Some(value) = u32_param(ctx, param)? {
                        ctx.state_set(key.as_bytes(), &value.to_le_bytes())?;
                    }
                }
                Ok(Dict::new())
            },
        )
        .with(
            EntryPointInfo::func("addAllowedStateControllerAddress"),
            |_| Err(unsupported("state controllers need L1")),
        )
        .with(
            EntryPointInfo::func("removeAllowedStateControllerAddress"),
            |_| Err(unsupported("state controllers need L1")),
        )
        .with(EntryPointInfo::func("rotateStateController"), |_| {
            Err(unsupported("state controllers need L1"))
        })
        .with(EntryPointInfo::func("addCandidateNode"), |_| {
            Err(unsupported("the playground chain runs on one node"))
        })
        .with(EntryPointInfo::func("revokeAccessNode"), |_| {
            Err(unsupported("the playground chain runs on one node"))
        })
        .with(EntryPointInfo::func("changeAccessNodes"), |_| {
            Err(unsupported("the playground chain runs on one node"))
        })
        .with(
            EntryPointInfo::view("getChainInfo").results([
                FieldInfo::new("c", "ChainID"),
                FieldInfo::new("o", "AgentID"),
                FieldInfo::new("d", "String"),
                FieldInfo::new("g", "Bytes"),
                FieldInfo::new("mb", "Uint32"),
                FieldInfo::new("me", "Uint32"),
                FieldInfo::new("mr", "Uint32"),
            ]),
            |ctx| {
                let mut out = Dict::new().with("c", ctx.chain_id().as_bytes().to_vec());
                for key in ["o", "d", "g", "mb", "me", "mr"] {
                    if let Some(value) = ctx.state_get(key.as_bytes())? {
                        out.set(key, value);
                    }
                }
                Ok(out)
            },
        )
        .with(
            EntryPointInfo::view("getChainOwner").results([FieldInfo::new("o", "AgentID")]),
            |ctx| Ok(Dict::new().with("o", ctx.chain_owner().to_bytes())),
        )
        .with(
            EntryPointInfo::view("getFeePolicy").results([FieldInfo::new("g", "Bytes")]),
            |ctx| Ok(Dict::new().with("g", ctx.state_get(b"g")?.unwrap_or_default())),
        )
        .with(
            EntryPointInfo::view("getMaxBlobSize").results([FieldInfo::new("mb", "Uint32")]),
            |ctx| Ok(Dict::new().with("mb", ctx.state_get(b"mb")?.unwrap_or_default())),
        )
        .with(
            EntryPointInfo::view("getAllowedStateControllerAddresses"),
            |_| Ok(Dict::new()),
        )
        .with(EntryPointInfo::view("getChainNodes"), |_| Ok(Dict::new()))
}

/// Writes the genesis values.
pub(crate) fn init(
    store: &mut Store,
    owner: &AgentId,
    description: &str,
    fees: FeePolicy,
    limits: Limits,
) {
    let h = hname();
    store.set(h, b"o", owner.to_bytes());
    store.set(h, b"d", description.as_bytes().to_vec());
    store.set(h, b"g", fees.to_bytes());
    store.set(h, b"mb", limits.max_blob_size.to_le_bytes().to_vec());
    store.set(h, b"me", limits.max_event_size.to_le_bytes().to_vec());
    store.set(
        h,
        b"mr",
        limits.max_events_per_request.to_le_bytes().to_vec(),
    );
}

/// The chain owner.
pub(crate) fn owner(store: &Store) -> AgentId {
    store
        .get(hname(), b"o")
        .and_then(|bytes| AgentId::from_bytes(bytes).ok())
        .unwrap_or(AgentId::Nil)
}

/// The fee policy in force.
pub(crate) fn fee_policy(store: &Store) -> FeePolicy {
    store
        .get(hname(), b"g")
        .and_then(|bytes| FeePolicy::from_bytes(bytes).ok())
        .unwrap_or_default()
}

/// The limits in force.
pub(crate) fn limits(store: &Store) -> Limits {
    let read = |key: &[u8], default: u32| {
        store
            .get(hname(), key)
            .and_then(|bytes| crate::codec::u32_from_bytes(bytes).ok())
            .unwrap_or(default)
    };
    let defaults = Limits::default();
    Limits {
        max_blob_size: read(b"mb", defaults.max_blob_size),
        max_event_size: read(b"me", defaults.max_event_size),
        max_events_per_request: read(b"mr", defaults.max_events_per_request),
    }
}
