//! The native core contracts, with ISC's names, hnames and entry points.
//!
//! Each is a [`Processor`] of VM type `core` whose entry points are plain Rust
//! functions over the [`Sandbox`], exactly like any other contract. The chain
//! itself reads and writes a few of their keys directly (balances, contract
//! records, blocks); those layouts live here, next to the contract that owns
//! them, as `pub(crate)` functions over the store.

pub(crate) mod accounts;
pub(crate) mod blob;
pub(crate) mod blocklog;
pub(crate) mod errors;
pub(crate) mod evm;
pub(crate) mod governance;
pub(crate) mod root;

use crate::Hname;
use crate::codec::{CodecError, Dict};
use crate::ids::{AgentId, Hash};
use crate::vm::{EntryPointInfo, Processor, Sandbox, VmError, VmType};

/// A native entry point.
pub(crate) type Handler = fn(&mut dyn Sandbox) -> Result<Dict, VmError>;

/// A native contract: entry points and their Rust handlers.
pub(crate) struct NativeContract {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    entry_points: Vec<EntryPointInfo>,
    handlers: Vec<Handler>,
    /// Its share of the host-stack bound (`evm`'s entry points run EVM
    /// transactions: an EVM call's).
    stack_cost: usize,
}

impl NativeContract {
    pub(crate) fn new(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            description,
            entry_points: Vec::new(),
            handlers: Vec::new(),
            stack_cost: 1,
        }
    }

    /// Sets its share of the host-stack bound (builder style).
    pub(crate) fn stack_cost(mut self, units: usize) -> Self {
        self.stack_cost = units;
        self
    }

    /// Adds an entry point (builder style).
    pub(crate) fn with(mut self, info: EntryPointInfo, handler: Handler) -> Self {
        self.entry_points.push(info);
        self.handlers.push(handler);
        self
    }

    pub(crate) fn hname(&self) -> Hname {
        Hname::of(self.name)
    }
}

impl Processor for NativeContract {
    fn vm_type(&self) -> VmType {
        VmType::CORE
    }

    fn entry_points(&self) -> &[EntryPointInfo] {
        &self.entry_points
    }

    fn stack_cost(&self) -> usize {
        self.stack_cost
    }

    fn call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<Dict, VmError> {
        let index = self
            .entry_points
            .iter()
            .position(|ep| ep.hname == entry)
            .ok_or_else(|| VmError::EntryPointNotFound {
                contract: self.name.to_owned(),
                entry,
            })?;
        self.handlers[index](ctx)
    }
}

/// Every core contract, in genesis order.
pub(crate) fn all() -> Vec<NativeContract> {
    vec![
        root::contract(),
        accounts::contract(),
        blob::contract(),
        blocklog::contract(),
        governance::contract(),
        errors::contract(),
        evm::contract(),
    ]
}

/// The program hash recorded in root for a core contract: blake2b of
/// `core:<name>` (core contracts have no blob).
pub(crate) fn core_program_hash(name: &str) -> Hash {
    Hash::blake2b(format!("core:{name}").as_bytes())
}

/// An entry point that ISC has but a one-process chain cannot honour.
pub(crate) fn unsupported(what: &str) -> VmError {
    VmError::unsupported(what.to_owned())
}

// --- param helpers ----------------------------------------------------------

fn param_err(key: &str) -> impl Fn(CodecError) -> VmError + '_ {
    move |err| VmError::param(key, err)
}

/// A required agent id param.
pub(crate) fn agent_param(ctx: &dyn Sandbox, key: &str) -> Result<AgentId, VmError> {
    ctx.params()
        .agent_id(key)
        .map_err(param_err(key))?
        .ok_or_else(|| VmError::param(key, "missing"))
}

/// A required hash param.
pub(crate) fn hash_param(ctx: &dyn Sandbox, key: &str) -> Result<Hash, VmError> {
    ctx.params()
        .hash(key)
        .map_err(param_err(key))?
        .ok_or_else(|| VmError::param(key, "missing"))
}

/// A required hname param.
pub(crate) fn hname_param(ctx: &dyn Sandbox, key: &str) -> Result<Hname, VmError> {
    ctx.params()
        .hname(key)
        .map_err(param_err(key))?
        .ok_or_else(|| VmError::param(key, "missing"))
}

/// A required, non-empty string param.
pub(crate) fn string_param(ctx: &dyn Sandbox, key: &str) -> Result<String, VmError> {
    let text = ctx.params().string(key).map_err(param_err(key))?;
    if text.is_empty() {
        return Err(VmError::param(key, "missing"));
    }
    Ok(text)
}

/// An optional u32 param stored as 4 little-endian bytes.
pub(crate) fn u32_param(ctx: &dyn Sandbox, key: &str) -> Result<Option<u32>, VmError> {
    ctx.params()
        .get(key)
        .map(crate::codec::u32_from_bytes)
        .transpose()
        .map_err(param_err(key))
}

/// Fails unless the caller is the chain owner.
pub(crate) fn require_owner(ctx: &dyn Sandbox, action: &str) -> Result<(), VmError> {
    if ctx.caller() == ctx.chain_owner() {
        Ok(())
    } else {
        Err(VmError::unauthorized(format!(
            "only the chain owner may {action}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::Hname;

    #[test]
    fn the_known_hnames_are_the_names_hnames() {
        for (known, name) in [
            (super::root::hname(), super::root::NAME),
            (super::accounts::hname(), super::accounts::NAME),
            (super::blob::hname(), super::blob::NAME),
            (super::blocklog::hname(), super::blocklog::NAME),
            (super::governance::hname(), super::governance::NAME),
            (super::evm::hname(), super::evm::NAME),
        ] {
            assert_eq!(known, Hname::of(name), "{name}");
        }
    }
}
