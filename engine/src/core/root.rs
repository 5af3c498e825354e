//! `root`: the registry of deployed contracts.
//!
//! State layout: `c` + hname (4 bytes LE) → contract record (see
//! [`ContractRecord::to_bytes`]); `p` → deploy permissions required
//! (`01`/absent); `d` + agent id bytes → that agent may deploy.

use super::{
    NativeContract, agent_param, hash_param, hname_param, require_owner, string_param, unsupported,
};
use crate::Hname;
use crate::chain::store::Store;
use crate::codec::{Decoder, Dict, Encoder, bool_to_bytes, map_key};
use crate::ids::{AgentId, Hash};
use crate::vm::{EntryPointInfo, FieldInfo, GAS, Sandbox, VmError, VmType};
use serde::{Deserialize, Serialize};

pub(crate) const NAME: &str = "root";
/// The name of the entry point called when a contract is deployed.
pub(crate) const INIT: &str = "init";

pub(crate) fn hname() -> Hname {
    // `Hname::of(NAME)`, known (the chain asks for it on every request;
    // `core::tests` checks it).
    Hname::from_u32(0xcebf5908)
}

/// What root records about a deployed contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    /// The contract's name.
    pub name: String,
    /// `Hname::of(name)`.
    pub hname: Hname,
    /// A description given at deploy time.
    pub description: String,
    /// The blob holding the program (for core contracts: a hash of the name).
    pub program_hash: Hash,
    /// Who deployed it (the chain owner for core contracts).
    pub deployer: AgentId,
    /// The VM that runs it.
    pub vm_type: VmType,
}

impl ContractRecord {
    /// The stored form: the program hash (32 bytes), then name, description,
    /// deployer agent id and VM type, each as `vlu`-prefixed bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::new();
        enc.fixed(self.program_hash.as_bytes())
            .bytes(self.name.as_bytes())
            .bytes(self.description.as_bytes())
            .bytes(&self.deployer.to_bytes())
            .bytes(self.vm_type.as_str().as_bytes());
        enc.finish()
    }

    /// Decodes [`Self::to_bytes`].
    ///
    /// # Errors
    /// On malformed bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VmError> {
        let mut dec = Decoder::new(bytes);
        let program_hash = Hash::from_bytes(dec.fixed(32, "program hash")?)
            .map_err(crate::codec::CodecError::from)?;
        let text = |raw: &[u8]| crate::codec::string_from_bytes(raw);
        let name = text(dec.bytes()?)?;
        let description = text(dec.bytes()?)?;
        let deployer = AgentId::from_bytes(dec.bytes()?).map_err(crate::codec::CodecError::from)?;
        let vm_type = VmType::new(text(dec.bytes()?)?);
        dec.finish()?;
        Ok(Self {
            hname: Hname::of(&name),
            name,
            description,
            program_hash,
            deployer,
            vm_type,
        })
    }
}

pub(crate) fn contract() -> NativeContract {
    NativeContract::new(NAME, "Root Contract")
        .with(
            EntryPointInfo::func("deployContract").params([
                FieldInfo::new("ph", "Hash"),
                FieldInfo::new("nm", "String"),
                FieldInfo::optional("ds", "String"),
            ]),
            deploy_contract,
        )
        .with(
            EntryPointInfo::func("grantDeployPermission").params([FieldInfo::new("dp", "AgentID")]),
            |ctx| {
                require_owner(ctx, "grant deploy permissions")?;
                let agent = agent_param(ctx, "dp")?;
                ctx.state_set(&permission_key(&agent), &[1])?;
                Ok(Dict::new())
            },
        )
        .with(
            EntryPointInfo::func("revokeDeployPermission")
                .params([FieldInfo::new("dp", "AgentID")]),
            |ctx| {
                require_owner(ctx, "revoke deploy permissions")?;
                let agent = agent_param(ctx, "dp")?;
                ctx.state_delete(&permission_key(&agent))?;
                Ok(Dict::new())
            },
        )
        .with(
            EntryPointInfo::func("requireDeployPermissions").params([FieldInfo::new("de", "Bool")]),
            |ctx| {
                require_owner(ctx, "change deploy permissions")?;
                let on = crate::codec::bool_from_bytes(ctx.params().get("de").unwrap_or_default())?;
                if on {
                    ctx.state_set(b"p", &[1])?;
                } else {
                    ctx.state_delete(b"p")?;
                }
                Ok(Dict::new())
            },
        )
        .with(EntryPointInfo::func("subscribeBlockContext"), |_| {
            Err(unsupported(
                "root.subscribeBlockContext: each request is its own block here",
            ))
        })
        .with(
            EntryPointInfo::view("findContract")
                .params([FieldInfo::new("hn", "Hname")])
                .results([
                    FieldInfo::new("cf", "Bool"),
                    FieldInfo::optional("dt", "Bytes"),
                ]),
            |ctx| {
                let target = hname_param(ctx, "hn")?;
                Ok(match ctx.state_get(&record_key(target))? {
                    Some(record) => Dict::new()
                        .with("cf", bool_to_bytes(true))
                        .with("dt", record),
                    None => Dict::new().with("cf", bool_to_bytes(false)),
                })
            },
        )
        .with(
            EntryPointInfo::view("getContractRecords")
                .results([FieldInfo::new("r", "map[Hname]Bytes")]),
            |ctx| {
                Ok(ctx
                    .state_prefix(b"c")?
                    .into_iter()
                    .map(|(key, record)| (map_key("r", &key[1..]), record))
                    .collect())
            },
        )
}

fn deploy_contract(ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
    ctx.burn_gas(GAS.deploy)?;
    let program_hash = hash_param(ctx, "ph")?;
    let name = string_param(ctx, "nm")?;
    let description = ctx
        .params()
        .string("ds")
        .map_err(|err| VmError::param("ds", err))?;
    let deployer = ctx.caller();

    if ctx.state_get(b"p")?.is_some()
        && deployer != ctx.chain_owner()
        && ctx.state_get(&permission_key(&deployer))?.is_none()
    {
        return Err(VmError::unauthorized(format!(
            "{deployer} may not deploy contracts on this chain"
        )));
    }
    let hname = Hname::of(&name);
    if hname.as_u32() == 0 {
        return Err(VmError::param(
            "nm",
            format!("the hname of `{name}` is 0, which is reserved"),
        ));
    }
    if let Some(existing) = ctx.state_get(&record_key(hname))? {
        let existing = ContractRecord::from_bytes(&existing)?;
        return Err(VmError::param(
            "nm",
            format!(
                "a contract `{}` with hname {hname} is already deployed",
                existing.name
            ),
        ));
    }
    let vm_type = ctx.load_program(program_hash)?;
    let record = ContractRecord {
        name: name.clone(),
        hname,
        description,
        program_hash,
        deployer,
        vm_type,
    };
    ctx.state_set(&record_key(hname), &record.to_bytes())?;
    ctx.event("root.deploy", name.as_bytes())?;

    let mut init_params = ctx.params().clone();
    for key in ["ph", "nm", "ds"] {
        init_params.remove(key);
    }
    ctx.call(
        hname,
        Hname::of(INIT),
        init_params,
        crate::codec::Assets::default(),
    )?;
    Ok(Dict::new())
}

fn record_key(hname: Hname) -> Vec<u8> {
    let mut key = b"c".to_vec();
    key.extend_from_slice(&hname.to_bytes());
    key
}

fn permission_key(agent: &AgentId) -> Vec<u8> {
    let mut key = b"d".to_vec();
    key.extend_from_slice(&agent.to_bytes());
    key
}

/// The record of contract `hname`, if deployed.
pub(crate) fn record(store: &Store, hname: Hname) -> Option<ContractRecord> {
    store
        .get(self::hname(), &record_key(hname))
        .and_then(|bytes| ContractRecord::from_bytes(bytes).ok())
}

/// Every contract record, by hname.
pub(crate) fn records(store: &Store) -> Vec<ContractRecord> {
    store
        .prefix(hname(), b"c")
        .into_iter()
        .filter_map(|(_, bytes)| ContractRecord::from_bytes(&bytes).ok())
        .collect()
}

/// Writes a record directly (genesis).
pub(crate) fn put_record(store: &mut Store, record: &ContractRecord) {
    store.set(hname(), &record_key(record.hname), record.to_bytes());
}
