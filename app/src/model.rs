//! The page's model: the chain and what the page knows about each deployed
//! contract (its entry points with typed params), as plain Rust that the
//! components only wire to the DOM. Tested natively.

use isc_engine::evm::EvmProgram;
use isc_engine::session::{Link, Session};
use isc_engine::{AgentId, Chain, ChainConfig, Dict, Hash, Hname, Receipt, Request, VmType};
use serde::Deserialize;

/// One typed parameter or result of an entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    /// The dict key (Wasm) or argument name (EVM).
    pub(crate) name: String,
    /// The WasmLib type (`Uint64`, `AgentID`, …) or Solidity type (`uint256`, …).
    pub(crate) ty: String,
}

/// A func or view and its params.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) view: bool,
    /// Takes base tokens as `msg.value` (a payable Solidity function).
    pub(crate) payable: bool,
    pub(crate) params: Vec<Param>,
    pub(crate) results: Vec<Param>,
}

/// A program the page can deploy.
#[derive(Clone)]
pub(crate) enum Program {
    /// A WasmLib contract.
    Wasm(Vec<u8>),
    /// A Solidity contract.
    Evm(EvmProgram),
}

/// A bundled example.
#[derive(Clone)]
pub(crate) struct Example {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) vm: VmType,
    pub(crate) program: Program,
    /// Init (Wasm) or constructor (EVM) params.
    pub(crate) init: Vec<Param>,
    pub(crate) entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct SchemaField {
    key: String,
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Deserialize)]
struct SchemaEntry {
    name: String,
    #[serde(default)]
    params: Vec<SchemaField>,
    #[serde(default)]
    results: Vec<SchemaField>,
}

#[derive(Deserialize)]
struct Schema {
    funcs: Vec<SchemaEntry>,
    #[serde(default)]
    views: Vec<SchemaEntry>,
}

fn params(fields: Vec<SchemaField>) -> Vec<Param> {
    fields
        .into_iter()
        .map(|f| Param {
            name: f.key,
            ty: f.ty,
        })
        .collect()
}

/// A WasmLib example from its binary and `schema.json`.
fn wasm_example(
    name: &'static str,
    description: &'static str,
    wasm: &[u8],
    schema: &str,
) -> Result<Example, String> {
    let schema: Schema =
        serde_json::from_str(schema).map_err(|err| format!("{name}: schema: {err}"))?;
    let mut init = Vec::new();
    let mut entries = Vec::new();
    for (view, entry) in schema
        .funcs
        .into_iter()
        .map(|e| (false, e))
        .chain(schema.views.into_iter().map(|e| (true, e)))
    {
        if entry.name == "init" {
            init = params(entry.params);
            continue;
        }
        entries.push(Entry {
            name: entry.name,
            view,
            payable: false,
            params: params(entry.params),
            results: params(entry.results),
        });
    }
    Ok(Example {
        name,
        description,
        vm: VmType::WASM,
        program: Program::Wasm(wasm.to_vec()),
        init,
        entries,
    })
}

fn fields(fields: &[isc_engine::vm::FieldInfo]) -> Vec<Param> {
    fields
        .iter()
        .map(|f| Param {
            name: f.key.clone(),
            ty: f.ty.clone(),
        })
        .collect()
}

impl From<isc_engine::vm::EntryPointInfo> for Entry {
    fn from(ep: isc_engine::vm::EntryPointInfo) -> Self {
        Self {
            view: ep.kind == isc_engine::EntryKind::View,
            payable: ep.payable,
            params: fields(&ep.params),
            results: fields(&ep.results),
            name: ep.name,
        }
    }
}

/// The entries of an EVM program, from the engine's reading of its ABI.
fn evm_entries(program: &EvmProgram) -> (Vec<Param>, Vec<Entry>) {
    let mut init = Vec::new();
    let mut entries = Vec::new();
    for ep in isc_engine::evm::entry_points(program) {
        if ep.name == "init" {
            init = fields(&ep.params);
        } else {
            entries.push(Entry::from(ep));
        }
    }
    (init, entries)
}

/// A Solidity example from its solc standard-JSON output.
fn evm_example(
    name: &'static str,
    description: &'static str,
    artifact: &str,
) -> Result<Example, String> {
    let program = isc_engine::evm::programs_from_artifact(artifact)
        .map_err(|err| format!("{name}: {err}"))?
        .into_iter()
        .find(|(contract, _)| contract == name)
        .map(|(_, program)| program)
        .ok_or_else(|| format!("{name}: not in its artifact"))?;
    let (init, entries) = evm_entries(&program);
    Ok(Example {
        name,
        description,
        vm: VmType::EVM,
        program: Program::Evm(program),
        init,
        entries,
    })
}

macro_rules! wasm {
    ($name:literal, $description:literal) => {
        wasm_example(
            $name,
            $description,
            include_bytes!(concat!(
                "../../public/examples/",
                $name,
                "/",
                $name,
                ".wasm"
            )),
            include_str!(concat!("../../public/examples/", $name, "/schema.json")),
        )
    };
}

macro_rules! solidity {
    ($name:literal, $description:literal) => {
        evm_example(
            $name,
            $description,
            include_str!(concat!("../../public/examples/solidity/", $name, ".json")),
        )
    };
}

/// The bundled examples, Wasm first.
///
/// # Errors
/// A message if a bundled file does not parse (a broken build).
pub(crate) fn examples() -> Result<Vec<Example>, String> {
    Ok(vec![
        wasm!(
            "inccounter",
            "A counter in Rust against WasmLib: increment it, increment it by an amount, or \
             let it call itself through the sandbox five times. Its state is one Int64."
        )?,
        wasm!(
            "erc20",
            "ERC-20 written in Rust for the Wasm VM: init mints the supply to an owner; \
             transfer, approve and transferFrom emit events; balances are keyed by agent id."
        )?,
        wasm!(
            "fairroulette",
            "Bet base tokens on a number from 1 to 8 (allow the stake); payWinners draws the \
             number from the block's entropy, so a replayed session draws the same."
        )?,
        wasm!(
            "testcore",
            "A tour of the sandbox: caller, owner, timestamp, entropy, events, nested calls \
             (deploy inccounter first), a panic, an endless loop and a memory bomb."
        )?,
        solidity!(
            "Storage",
            "The smallest Solidity contract: set a number, get it back, see the event."
        )?,
        solidity!(
            "Token",
            "An ERC-20 in Solidity with OpenZeppelin's interface: constructor (name, symbol, \
             supply); custom errors show decoded when a transfer overspends."
        )?,
        solidity!(
            "Ballot",
            "Vote once per address on proposals given to the constructor as a string array, \
             e.g. [\"rust\",\"go\"]."
        )?,
        solidity!(
            "Reverter",
            "Every way a call fails: a reason string, a custom error, a panic, an endless loop."
        )?,
        solidity!(
            "CrossVM",
            "Solidity calling the Wasm inccounter through the ISC magic contract (deploy \
             inccounter first): the trace crosses from evm to wasmvm."
        )?,
        solidity!(
            "Vault",
            "Value on an ISC chain: deposit sends base tokens as msg.value (1 token = 10^12 \
             wei) into the contract's chain account; allowTo and pull move funds between \
             contracts with the magic contract's allow/takeAllowedFunds."
        )?,
    ])
}

/// Encodes text as a WasmLib value of type `ty`.
///
/// # Errors
/// A message naming the type when the text does not parse.
pub(crate) fn encode_wasm(ty: &str, text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let int = |bits: u32, signed: bool| -> Result<Vec<u8>, String> {
        let bytes = (bits / 8) as usize;
        if signed {
            let value: i64 = text
                .parse()
                .map_err(|_| format!("not a whole number: `{text}`"))?;
            let min = if bits == 64 {
                i64::MIN
            } else {
                -(1i64 << (bits - 1))
            };
            let max = if bits == 64 {
                i64::MAX
            } else {
                (1i64 << (bits - 1)) - 1
            };
            if value < min || value > max {
                return Err(format!("out of range for {ty}"));
            }
            Ok(value.to_le_bytes()[..bytes].to_vec())
        } else {
            let value: u64 = text
                .parse()
                .map_err(|_| format!("not a whole number ≥ 0: `{text}`"))?;
            if bits < 64 && value >= 1u64 << bits {
                return Err(format!("out of range for {ty}"));
            }
            Ok(value.to_le_bytes()[..bytes].to_vec())
        }
    };
    let hex_bytes = |len: Option<usize>| -> Result<Vec<u8>, String> {
        let bytes =
            hex::decode(text.trim_start_matches("0x")).map_err(|_| format!("not hex: `{text}`"))?;
        match len {
            Some(len) if bytes.len() != len => {
                Err(format!("{ty} is {len} bytes, got {}", bytes.len()))
            }
            _ => Ok(bytes),
        }
    };
    match ty {
        "Int8" => int(8, true),
        "Int16" => int(16, true),
        "Int32" => int(32, true),
        "Int64" => int(64, true),
        "Uint8" => int(8, false),
        "Uint16" => int(16, false),
        "Uint32" => int(32, false),
        "Uint64" => int(64, false),
        "Bool" => match text {
            "true" => Ok(vec![1]),
            "false" => Ok(vec![0]),
            _ => Err("true or false".into()),
        },
        "String" => Ok(text.as_bytes().to_vec()),
        "AgentID" => {
            if text.starts_with("0x") {
                let bytes = hex_bytes(None)?;
                AgentId::from_bytes(&bytes).map_err(|err| err.to_string())?;
                Ok(bytes)
            } else if text.is_empty() {
                Err("a user name (alice) or an agent id in hex".into())
            } else {
                Ok(AgentId::user(text).to_bytes())
            }
        }
        "Hname" => {
            if text.starts_with("0x") {
                hex_bytes(Some(4))
            } else {
                Ok(Hname::of(text).to_bytes().to_vec())
            }
        }
        "Hash" | "ChainID" => hex_bytes(Some(32)),
        _ => hex_bytes(None),
    }
}

/// Shows WasmLib value bytes of type `ty` as text.
pub(crate) fn show_wasm(ty: &str, bytes: &[u8]) -> String {
    let le = |n: usize| -> Option<[u8; 8]> {
        (bytes.len() == n).then(|| {
            let mut word = [0u8; 8];
            word[..n].copy_from_slice(bytes);
            word
        })
    };
    let shown = match ty {
        "Uint8" | "Uint16" | "Uint32" | "Uint64" => {
            let n = match ty {
                "Uint8" => 1,
                "Uint16" => 2,
                "Uint32" => 4,
                _ => 8,
            };
            le(n).map(|w| u64::from_le_bytes(w).to_string())
        }
        "Int64" => le(8).map(|w| i64::from_le_bytes(w).to_string()),
        "Int32" => {
            le(4).map(|w| i64::from(i32::from_le_bytes([w[0], w[1], w[2], w[3]])).to_string())
        }
        "Bool" => Some((bytes.first() == Some(&1)).to_string()),
        "String" => std::str::from_utf8(bytes).ok().map(|s| format!("{s:?}")),
        "AgentID" => AgentId::from_bytes(bytes).ok().map(|a| a.to_string()),
        _ => None,
    };
    shown.unwrap_or_else(|| format!("0x{}", hex::encode(bytes)))
}

/// An event as people read it: a decoded EVM log as `Name(arg=value, …)`,
/// a WasmLib event as its text.
pub(crate) fn show_event(event: &isc_engine::Event) -> String {
    #[derive(Deserialize)]
    struct Log {
        event: String,
        args: Vec<(String, String)>,
    }
    if let Ok(log) = serde_json::from_slice::<Log>(&event.payload)
        && !log.event.is_empty()
    {
        let args: Vec<String> = log.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return format!("{}({})", log.event, args.join(", "));
    }
    match event.text() {
        Some(text) => text.to_owned(),
        None => format!("0x{}", hex::encode(&event.payload)),
    }
}

/// A deployed contract the page can call.
#[derive(Clone)]
pub(crate) struct Deployed {
    pub(crate) name: String,
    pub(crate) vm: VmType,
    pub(crate) entries: Vec<Entry>,
}

/// The tokens a call carries, in base tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    /// What the callee may take from the sender's account.
    pub(crate) allowance: u64,
    /// What a payable EVM function receives as `msg.value`.
    pub(crate) value: u64,
}

/// What a call produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A func ran as a request: see its receipt.
    Request(Box<Receipt>),
    /// A view answered: named values, shown.
    View(Vec<(String, String)>),
}

/// The chain plus what the page knows about its contracts.
pub(crate) struct Model {
    pub(crate) chain: Chain,
    pub(crate) deployed: Vec<Deployed>,
}

impl Model {
    /// A default chain with the built-in VMs.
    pub(crate) fn new() -> Self {
        let mut chain = Chain::new(ChainConfig::default());
        isc_engine::register_builtin_vms(&mut chain);
        Self {
            chain,
            deployed: Vec::new(),
        }
    }

    /// The funded accounts, owner first.
    pub(crate) fn accounts(&self) -> Vec<(String, AgentId)> {
        self.chain.config().accounts()
    }

    /// Rebuilds the chain by replaying a shared session, and recognises the
    /// deployed contracts: a bundled example by its program hash, anything
    /// else by the entry points its processor reports.
    ///
    /// # Errors
    /// A message if the session does not replay.
    pub(crate) fn from_session(session: &Session, examples: &[Example]) -> Result<Self, String> {
        let replay = session
            .replay(isc_engine::register_builtin_vms)
            .map_err(|err| err.to_string())?;
        let chain = replay.chain;
        let known: Vec<(Hash, &Example)> = examples
            .iter()
            .map(|ex| {
                let binary = match &ex.program {
                    Program::Wasm(wasm) => wasm.clone(),
                    Program::Evm(program) => program.to_json(),
                };
                let blob = Dict::new().with("v", ex.vm.as_str()).with("p", binary);
                (Hash::blake2b(&blob.to_bytes()), ex)
            })
            .collect();
        let mut deployed = Vec::new();
        for record in chain.contracts() {
            if record.vm_type == VmType::CORE {
                continue;
            }
            let entries = match known.iter().find(|(hash, _)| *hash == record.program_hash) {
                Some((_, example)) => example.entries.clone(),
                None => chain
                    .entry_points(record.hname)
                    .map_err(|err| err.to_string())?
                    .into_iter()
                    .filter(|ep| ep.name != "init")
                    .map(Entry::from)
                    .collect(),
            };
            deployed.push(Deployed {
                name: record.name,
                vm: record.vm_type,
                entries,
            });
        }
        Ok(Self { chain, deployed })
    }

    /// The share link of the current chain (a URL fragment without `#`).
    pub(crate) fn share_link(&self) -> String {
        Link {
            session: Session::of(&self.chain),
            state_hash: self.chain.state_hash().to_string(),
        }
        .encode()
    }

    /// Encodes `args` for `params` of a contract on `vm` into request params.
    fn encode(vm: &VmType, params: &[Param], args: &[String]) -> Result<Dict, String> {
        if params.len() != args.len() {
            return Err(format!(
                "{} arguments expected, {} given",
                params.len(),
                args.len()
            ));
        }
        if *vm == VmType::EVM {
            let list: Vec<&str> = args.iter().map(|a| a.trim()).collect();
            let json = serde_json::to_vec(&list).map_err(|err| err.to_string())?;
            return Ok(Dict::new().with("args", json));
        }
        let mut dict = Dict::new();
        for (param, arg) in params.iter().zip(args) {
            if arg.trim().is_empty() {
                continue; // optional params may stay empty
            }
            let value =
                encode_wasm(&param.ty, arg).map_err(|err| format!("{}: {err}", param.name))?;
            dict.set(&param.name, value);
        }
        Ok(dict)
    }

    /// Deploys `example` as `name`, from `sender`, with init args.
    ///
    /// # Errors
    /// A message if the arguments do not encode or the chain refuses; a
    /// deploy that runs and fails is an `Ok` failed receipt.
    pub(crate) fn deploy(
        &mut self,
        example: &Example,
        name: &str,
        sender: AgentId,
        args: &[String],
    ) -> Result<Receipt, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("give the contract a name".into());
        }
        let init = Self::encode(&example.vm, &example.init, args)?;
        let binary = match &example.program {
            Program::Wasm(wasm) => wasm.clone(),
            Program::Evm(program) => program.to_json(),
        };
        let receipt = self
            .chain
            .deploy(sender, name, &example.vm, &binary, init)
            .map_err(|err| err.to_string())?;
        if receipt.is_success() {
            self.deployed.push(Deployed {
                name: name.to_owned(),
                vm: example.vm.clone(),
                entries: example.entries.clone(),
            });
        }
        Ok(receipt)
    }

    /// Calls `entry` of deployed contract `contract`: a view directly, a
    /// func as a request from `sender` allowing `allowance` base tokens.
    ///
    /// # Errors
    /// A message if the arguments do not encode, the chain refuses, or the
    /// view fails.
    pub(crate) fn call(
        &mut self,
        contract: &Deployed,
        entry: &Entry,
        sender: AgentId,
        args: &[String],
        tokens: Tokens,
    ) -> Result<Outcome, String> {
        let mut params = Self::encode(&contract.vm, &entry.params, args)?;
        if tokens.value > 0 {
            if !entry.payable {
                return Err(format!(
                    "`{}` is not payable: it takes no value",
                    entry.name
                ));
            }
            params.set("evm.value", tokens.value.to_le_bytes().to_vec());
        }
        if entry.view {
            let results = self
                .chain
                .call_view_as(
                    sender,
                    Hname::of(&contract.name),
                    Hname::of(&entry.name),
                    params,
                )
                .map_err(|err| err.to_string())?;
            return Ok(Outcome::View(Self::show_results(contract, entry, &results)));
        }
        let request = Request::to(sender, Hname::of(&contract.name), Hname::of(&entry.name))
            .params(params)
            .allowance(tokens.allowance);
        self.chain
            .post(request)
            .map(|receipt| Outcome::Request(Box::new(receipt)))
            .map_err(|err| err.to_string())
    }

    /// Results as named text values, decoded by the entry's declared types.
    pub(crate) fn show_results(
        contract: &Deployed,
        entry: &Entry,
        results: &Dict,
    ) -> Vec<(String, String)> {
        if contract.vm == VmType::EVM
            && let Some(decoded) = results.get("decoded")
        {
            return serde_json::from_slice(decoded).unwrap_or_default();
        }
        results
            .iter()
            .map(|(key, value)| {
                let name = String::from_utf8_lossy(key).into_owned();
                let ty = entry
                    .results
                    .iter()
                    .find(|r| r.name == name)
                    .map_or("Bytes", |r| r.ty.as_str());
                (name, show_wasm(ty, value))
            })
            .collect()
    }

    /// The deployed contract named `name`.
    pub(crate) fn contract(&self, name: &str) -> Option<&Deployed> {
        self.deployed.iter().find(|d| d.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_example_parses() {
        let examples = examples().expect("bundled files parse");
        assert_eq!(examples.len(), 10);
        let vault = examples.iter().find(|e| e.name == "Vault").expect("Vault");
        let payable: Vec<_> = vault.entries.iter().filter(|e| e.payable).collect();
        assert_eq!(payable.len(), 1);
        assert_eq!(payable[0].name, "deposit");
        let erc20 = examples.iter().find(|e| e.name == "erc20").expect("erc20");
        assert_eq!(erc20.init.len(), 2);
        let token = examples.iter().find(|e| e.name == "Token").expect("Token");
        assert_eq!(
            token.init.iter().map(|p| p.ty.as_str()).collect::<Vec<_>>(),
            ["string", "string", "uint256"]
        );
    }

    #[test]
    fn wasm_values_encode_from_text_with_clear_errors() {
        assert_eq!(
            encode_wasm("Int64", "-2"),
            Ok((-2i64).to_le_bytes().to_vec())
        );
        assert_eq!(encode_wasm("Uint16", "7"), Ok(vec![7, 0]));
        assert_eq!(
            encode_wasm("Uint8", "256"),
            Err("out of range for Uint8".into())
        );
        assert!(encode_wasm("Uint64", "-1").is_err());
        assert_eq!(
            encode_wasm("AgentID", "bob"),
            Ok(AgentId::user("bob").to_bytes())
        );
        assert!(encode_wasm("Hash", "0x12").is_err());
        assert_eq!(show_wasm("Int64", &5i64.to_le_bytes()), "5");
        assert_eq!(show_wasm("Bytes", &[1, 2]), "0x0102");
    }

    #[test]
    fn deploy_call_and_view_through_the_model() {
        let mut model = Model::new();
        let examples = examples().expect("parse");
        let counter = examples
            .iter()
            .find(|e| e.name == "inccounter")
            .expect("inccounter");
        let alice = AgentId::user("alice");
        let receipt = model
            .deploy(counter, "inccounter", alice, &["5".into()])
            .expect("accepted");
        assert!(receipt.is_success(), "{:?}", receipt.error);
        let deployed = model.contract("inccounter").expect("deployed").clone();
        let entry = |name: &str| {
            deployed
                .entries
                .iter()
                .find(|e| e.name == name)
                .expect("entry")
                .clone()
        };
        let outcome = model
            .call(
                &deployed,
                &entry("incrementBy"),
                alice,
                &["3".into()],
                Tokens::default(),
            )
            .expect("ran");
        assert!(matches!(outcome, Outcome::Request(ref r) if r.is_success()));
        let outcome = model
            .call(
                &deployed,
                &entry("getCounter"),
                alice,
                &[],
                Tokens::default(),
            )
            .expect("ran");
        assert_eq!(outcome, Outcome::View(vec![("counter".into(), "8".into())]));

        let storage = examples
            .iter()
            .find(|e| e.name == "Storage")
            .expect("Storage");
        model
            .deploy(storage, "storage", alice, &[])
            .expect("accepted");
        let deployed = model.contract("storage").expect("deployed").clone();
        let set = deployed
            .entries
            .iter()
            .find(|e| e.name == "set")
            .expect("set")
            .clone();
        let get = deployed
            .entries
            .iter()
            .find(|e| e.name == "get")
            .expect("get")
            .clone();
        model
            .call(&deployed, &set, alice, &["42".into()], Tokens::default())
            .expect("ran");
        assert_eq!(
            model
                .call(&deployed, &get, alice, &[], Tokens::default())
                .expect("ran"),
            Outcome::View(vec![("#0".into(), "42".into())])
        );
        assert!(
            model
                .call(&deployed, &set, alice, &[], Tokens::default())
                .is_err(),
            "wrong arity"
        );
    }
}
