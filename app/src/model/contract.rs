//! Contracts as the page presents them: entry points with typed params
//! (from a WasmLib `schema.json`, a Solidity ABI, or what a processor
//! reports), and the text ⇄ value conversions of their forms. Plain Rust,
//! shared by the page and the engine worker, tested natively.

pub use crate::protocol::{Entry, Param, Tokens};
use isc_engine::evm::EvmProgram;
use isc_engine::session::Source;
use isc_engine::vm::{EntryPointInfo, FieldInfo};
use isc_engine::{AgentId, Dict, Hname, VmType};
use serde::{Deserialize, Serialize};

/// The params of a program's `init` and its other entry points.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Interface {
    /// Init (Wasm) or constructor (EVM) params.
    pub init: Vec<Param>,
    /// The constructor takes `msg.value` (a payable Solidity constructor).
    #[serde(default)]
    pub init_payable: bool,
    /// Every other entry point.
    pub entries: Vec<Entry>,
}

fn fields(fields: &[FieldInfo]) -> Vec<Param> {
    fields
        .iter()
        .map(|f| Param {
            name: f.key.clone(),
            ty: f.ty.clone(),
            optional: f.optional,
        })
        .collect()
}

impl From<EntryPointInfo> for Entry {
    fn from(ep: EntryPointInfo) -> Self {
        Self {
            view: ep.kind == isc_engine::EntryKind::View,
            payable: ep.payable,
            raw: false,
            params: fields(&ep.params),
            results: fields(&ep.results),
            name: ep.name,
        }
    }
}

impl Interface {
    /// Adds a schema's entry point: `init`'s params, or a func or view.
    fn add(&mut self, name: String, view: bool, params: Vec<Param>, results: Vec<Param>) {
        if name == "init" {
            self.init = params;
        } else {
            self.entries.push(Entry {
                name,
                view,
                payable: false,
                raw: false,
                params,
                results,
            });
        }
    }

    /// From a processor's description of its entry points (`init` apart).
    /// `raw` marks entries whose params are unknown.
    pub fn from_entry_points(entry_points: Vec<EntryPointInfo>, raw: bool) -> Self {
        let mut interface = Self::default();
        for ep in entry_points {
            if ep.name == "init" {
                interface.init = fields(&ep.params);
                interface.init_payable = ep.payable;
            } else {
                let mut entry = Entry::from(ep);
                entry.raw = raw;
                interface.entries.push(entry);
            }
        }
        interface
    }

    /// From a Solidity program's ABI.
    pub fn of_evm(program: &EvmProgram) -> Self {
        Self::from_entry_points(isc_engine::evm::entry_points(program), false)
    }

    /// From a WasmLib `schema.json` (funcs, views, their params and results).
    ///
    /// # Errors
    /// A message if the text is not such a schema.
    pub fn from_schema(schema: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct SchemaField {
            key: String,
            #[serde(rename = "type")]
            ty: String,
            #[serde(default)]
            optional: bool,
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
        let params = |fields: Vec<SchemaField>| -> Vec<Param> {
            fields
                .into_iter()
                .map(|f| Param {
                    name: f.key,
                    ty: f.ty,
                    optional: f.optional,
                })
                .collect()
        };
        let schema: Schema = serde_json::from_str(schema)
            .map_err(|err| format!("not a WasmLib schema.json: {err}"))?;
        let mut interface = Self::default();
        for (view, entry) in schema
            .funcs
            .into_iter()
            .map(|e| (false, e))
            .chain(schema.views.into_iter().map(|e| (true, e)))
        {
            interface.add(
                entry.name,
                view,
                params(entry.params),
                params(entry.results),
            );
        }
        Ok(interface)
    }
}

impl Interface {
    /// From a WasmLib `schema.yaml` (the format of IOTA's schema tool:
    /// `funcs`/`views` maps of name → `params`/`results` maps of key →
    /// type, a trailing `?` or `// comment` allowed after the type).
    ///
    /// # Errors
    /// A message if the text is not such a schema.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        use std::collections::BTreeMap;
        #[derive(Deserialize, Default)]
        struct YamlEntry {
            #[serde(default)]
            params: Option<BTreeMap<String, String>>,
            #[serde(default)]
            results: Option<BTreeMap<String, String>>,
        }
        #[derive(Deserialize)]
        struct YamlSchema {
            #[serde(default)]
            funcs: Option<BTreeMap<String, Option<YamlEntry>>>,
            #[serde(default)]
            views: Option<BTreeMap<String, Option<YamlEntry>>>,
        }
        let params = |fields: Option<BTreeMap<String, String>>| -> Vec<Param> {
            fields
                .unwrap_or_default()
                .into_iter()
                .map(|(name, ty)| {
                    let ty = ty.split("//").next().unwrap_or_default().trim();
                    Param {
                        name,
                        ty: ty.trim_end_matches('?').trim().to_owned(),
                        optional: ty.ends_with('?'),
                    }
                })
                .collect()
        };
        let schema: YamlSchema = serde_yaml::from_str(text)
            .map_err(|err| format!("not a WasmLib schema.yaml: {err}"))?;
        if schema.funcs.is_none() && schema.views.is_none() {
            return Err("not a WasmLib schema.yaml: it has neither funcs nor views".into());
        }
        let mut interface = Self::default();
        let all = schema
            .funcs
            .unwrap_or_default()
            .into_iter()
            .map(|e| (false, e))
            .chain(
                schema
                    .views
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| (true, e)),
            );
        for (view, (name, entry)) in all {
            let entry = entry.unwrap_or_default();
            interface.add(name, view, params(entry.params), params(entry.results));
        }
        Ok(interface)
    }
}

/// A program ready for the deploy form: its VM, bytes, interface and the
/// sources to keep with it in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployable {
    /// The suggested contract name.
    pub name: String,
    /// Its VM.
    pub vm: VmType,
    /// The program: Wasm bytes, or an EVM program's JSON.
    pub binary: Vec<u8>,
    /// Its init params and entry points, where known.
    pub interface: Interface,
    /// Whether its init params are unknown (raw `key=value` lines).
    pub raw_init: bool,
    /// Schema and source text to keep in the session.
    pub sources: Vec<Source>,
}

impl Deployable {
    /// The libraries an EVM program still needs linked (short names and
    /// full names); none for other programs.
    pub fn libraries(&self) -> Vec<isc_engine::evm::Library> {
        if self.vm != VmType::EVM {
            return Vec::new();
        }
        serde_json::from_slice::<isc_engine::evm::EvmProgram>(&self.binary)
            .map(|program| program.libraries)
            .unwrap_or_default()
    }

    /// This program with its libraries linked: `addresses` gives each
    /// library's (short name's) address as typed, `0x` and 40 hex digits.
    ///
    /// # Errors
    /// A library without an address, or an address that is not one.
    pub fn linked(&self, addresses: &[(String, String)]) -> Result<Self, String> {
        if self.libraries().is_empty() {
            return Ok(self.clone());
        }
        let program: isc_engine::evm::EvmProgram =
            serde_json::from_slice(&self.binary).map_err(|err| err.to_string())?;
        let mut parsed = Vec::new();
        for (name, text) in addresses {
            let text = text.trim();
            let digits = text.strip_prefix("0x").unwrap_or(text);
            let bytes = hex::decode(digits)
                .ok()
                .and_then(|b| <[u8; 20]>::try_from(b).ok())
                .ok_or_else(|| {
                    format!("library {name}: `{text}` is not an EVM address (0x and 40 hex digits)")
                })?;
            parsed.push((name.clone(), bytes));
        }
        let linked = program.link(&parsed).map_err(|err| err.to_string())?;
        Ok(Self {
            binary: linked.to_json(),
            ..self.clone()
        })
    }
}

/// The ABI (JSON) of an EVM program's stored JSON form; `None` for other
/// programs.
pub fn abi_of_program(binary: &[u8]) -> Option<String> {
    let program: serde_json::Value = serde_json::from_slice(binary).ok()?;
    program.get("abi").map(ToString::to_string)
}

/// What an upload may hold, for the message when it holds none of it.
pub const ACCEPTED_UPLOADS: &str = "a WasmLib contract (.wasm, optionally with its schema.json or \
     schema.yaml), a Solidity artifact (.json: solc standard-JSON output or --combined-json, Foundry \
     out/X.sol/X.json, Hardhat, Remix, or {abi, bytecode}), or creation bytecode (.bin/.hex) with its ABI (.abi/.json)";

/// The language under which a Solidity contract's storage layout is kept
/// among a session's sources: JSON `[{slot, offset, label}]`.
pub const LAYOUT_LANGUAGE: &str = "storage-layout";

/// Contract `name`'s state variables from an artifact that has solc's
/// `storageLayout` (standard-JSON output, or an artifact of one contract),
/// as [`LAYOUT_LANGUAGE`] JSON.
fn storage_layout(artifact: &serde_json::Value, name: &str) -> Option<String> {
    let in_output = artifact
        .get("contracts")
        .and_then(serde_json::Value::as_object)
        .and_then(|files| files.values().find_map(|file| file.get(name)))
        .and_then(|contract| contract.get("storageLayout"));
    let layout = in_output.or_else(|| artifact.get("storageLayout"))?;
    let variables: Vec<crate::protocol::Variable> = layout
        .get("storage")?
        .as_array()?
        .iter()
        .filter_map(|item| {
            Some(crate::protocol::Variable {
                slot: item.get("slot")?.as_str()?.to_owned(),
                offset: u32::try_from(item.get("offset")?.as_u64()?).ok()?,
                label: item.get("label")?.as_str()?.to_owned(),
            })
        })
        .collect();
    (!variables.is_empty()).then(|| serde_json::to_string(&variables).unwrap_or_default())
}

fn schema_source(language: &str, text: &str) -> Source {
    Source {
        name: String::new(),
        language: language.to_owned(),
        text: text.to_owned(),
        compiler: None,
        ..Source::default()
    }
}

impl Deployable {
    /// A WasmLib contract, typed by its schema (`schema.json` or
    /// `schema.yaml` text) when given.
    ///
    /// # Errors
    /// A message if the bytes are not Wasm or the schema does not parse.
    pub fn wasm(name: &str, wasm: Vec<u8>, schema: Option<&str>) -> Result<Self, String> {
        if !wasm.starts_with(b"\0asm") {
            return Err(format!(
                "{name}: not a WebAssembly module (no \\0asm header)"
            ));
        }
        let (interface, sources) = match schema {
            Some(text) if text.trim_start().starts_with('{') => (
                Interface::from_schema(text)?,
                vec![schema_source(isc_engine::session::SCHEMA_LANGUAGE, text)],
            ),
            Some(text) => {
                let interface = Interface::from_yaml(text)?;
                // Kept as JSON, the one schema form the session reads back.
                let json = schema_json(&interface);
                (
                    interface,
                    vec![schema_source(isc_engine::session::SCHEMA_LANGUAGE, &json)],
                )
            }
            None => (Interface::default(), Vec::new()),
        };
        Ok(Self {
            name: name.to_owned(),
            vm: VmType::WASM,
            binary: wasm,
            raw_init: schema.is_none(),
            interface,
            sources,
        })
    }

    /// Every deployable contract of a Solidity artifact.
    ///
    /// # Errors
    /// A message naming the accepted shapes if it is none of them.
    pub fn from_artifact(text: &str) -> Result<Vec<Self>, String> {
        let programs =
            isc_engine::evm::programs_from_artifact(text).map_err(|err| err.to_string())?;
        let artifact: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        Ok(programs
            .into_iter()
            .map(|(name, program)| {
                let mut found = Self::evm(&name, &program);
                if let Some(layout) = storage_layout(&artifact, &name) {
                    found.sources.push(schema_source(LAYOUT_LANGUAGE, &layout));
                }
                found
            })
            .collect())
    }

    /// A Solidity contract from its creation bytecode (hex) and ABI (JSON).
    ///
    /// # Errors
    /// A message if either does not parse.
    pub fn from_bytecode(name: &str, bytecode: &str, abi: &str) -> Result<Self, String> {
        let abi: serde_json::Value =
            serde_json::from_str(abi).map_err(|err| format!("the ABI is not JSON: {err}"))?;
        // An artifact's ABI or a bare ABI array.
        let abi = abi.get("abi").cloned().unwrap_or(abi);
        let bytecode = bytecode.trim();
        let artifact =
            serde_json::json!({ "contractName": name, "abi": abi, "bytecode": bytecode });
        let mut programs = Self::from_artifact(&artifact.to_string())?;
        let mut program = programs.pop().ok_or("no contract in the bytecode")?;
        program.name = name.to_owned();
        Ok(program)
    }

    fn evm(name: &str, program: &EvmProgram) -> Self {
        Self {
            name: name.to_owned(),
            vm: VmType::EVM,
            binary: program.to_json(),
            interface: Interface::of_evm(program),
            raw_init: false,
            sources: Vec::new(),
        }
    }

    /// The deployable programs among uploaded files (`(file name, bytes)`):
    /// each `.wasm` with the schema beside it, each artifact's contracts,
    /// and bytecode with its ABI.
    ///
    /// # Errors
    /// A message naming what was expected if nothing deployable is found,
    /// or what is wrong with a file that looked deployable.
    pub fn from_files(files: &[(String, Vec<u8>)]) -> Result<Vec<Self>, String> {
        let text = |bytes: &[u8], file: &str| {
            String::from_utf8(bytes.to_vec()).map_err(|_| format!("{file}: not UTF-8 text"))
        };
        let stem = |file: &str| {
            let base = file.rsplit('/').next().unwrap_or(file);
            base.split('.').next().unwrap_or(base).to_owned()
        };
        let schema = files
            .iter()
            .find(|(file, _)| {
                file.ends_with("schema.json") || file.ends_with(".yaml") || file.ends_with(".yml")
            })
            .map(|(file, bytes)| text(bytes, file))
            .transpose()?;
        let abi = files
            .iter()
            .find(|(file, _)| file.ends_with(".abi") || file.ends_with(".abi.json"))
            .map(|(file, bytes)| text(bytes, file))
            .transpose()?;
        let mut found = Vec::new();
        for (file, bytes) in files {
            let lower = file.to_lowercase();
            if lower.ends_with(".wasm") {
                found.push(Self::wasm(&stem(file), bytes.clone(), schema.as_deref())?);
            } else if lower.ends_with(".bin") || lower.ends_with(".hex") {
                let abi = abi.as_deref().ok_or_else(|| {
                    format!("{file}: bytecode needs its ABI beside it (a .abi or .abi.json file)")
                })?;
                found.push(Self::from_bytecode(&stem(file), &text(bytes, file)?, abi)?);
            } else if lower.ends_with(".json")
                && !lower.ends_with("schema.json")
                && !lower.ends_with(".abi.json")
            {
                let programs = Self::from_artifact(&text(bytes, file)?)
                    .map_err(|err| format!("{file}: {err}"))?;
                found.extend(programs.into_iter().map(|mut p| {
                    if p.name.is_empty() {
                        p.name = stem(file);
                    }
                    p
                }));
            }
        }
        if found.is_empty() {
            return Err(format!(
                "nothing to deploy in these files: upload {ACCEPTED_UPLOADS}"
            ));
        }
        Ok(found)
    }
}

/// An interface written as the playground's `schema.json`.
fn schema_json(interface: &Interface) -> String {
    let fields = |params: &[Param]| -> Vec<serde_json::Value> {
        params
            .iter()
            .map(|p| serde_json::json!({ "key": p.name, "type": p.ty, "optional": p.optional }))
            .collect()
    };
    let entry = |name: &str, params: &[Param], results: &[Param]| serde_json::json!({ "name": name, "params": fields(params), "results": fields(results) });
    let mut funcs = vec![entry("init", &interface.init, &[])];
    let mut views = Vec::new();
    for e in &interface.entries {
        let json = entry(&e.name, &e.params, &e.results);
        if e.view {
            views.push(json);
        } else {
            funcs.push(json);
        }
    }
    serde_json::json!({ "format": "isc-playground-schema", "version": 1, "funcs": funcs, "views": views })
        .to_string()
}

/// Encodes the form's `args` for `params` of a contract on `vm` into
/// request params: Solidity args as the JSON array the EVM processor
/// coerces, WasmLib args each by its declared type (empty ones left out:
/// optional params), raw entries from `key=value` lines.
///
/// # Errors
/// A message naming the param whose text does not encode.
pub fn encode_args(
    vm: &VmType,
    entry_params: &[Param],
    raw: bool,
    args: &[String],
) -> Result<Dict, String> {
    if raw {
        return parse_raw(args.first().map_or("", String::as_str));
    }
    if entry_params.len() != args.len() {
        return Err(format!(
            "{} arguments expected, {} given",
            entry_params.len(),
            args.len()
        ));
    }
    if *vm == VmType::EVM {
        let list: Vec<&str> = args.iter().map(|a| a.trim()).collect();
        let json = serde_json::to_vec(&list).map_err(|err| err.to_string())?;
        return Ok(Dict::new().with("args", json));
    }
    let mut dict = Dict::new();
    for (param, arg) in entry_params.iter().zip(args) {
        if arg.trim().is_empty() {
            if !param.optional {
                return Err(format!("{}: required (a {})", param.name, param.ty));
            }
            continue;
        }
        let value = encode_wasm(&param.ty, arg).map_err(|err| format!("{}: {err}", param.name))?;
        dict.set(&param.name, value);
    }
    Ok(dict)
}

/// The form's args with known account names in place of agents: a name
/// typed into an `address` param becomes that account's Ethereum address
/// (WasmLib `AgentID` params already read user names).
pub fn resolve_names(
    params: &[Param],
    args: &[String],
    accounts: &[crate::protocol::AccountView],
) -> Vec<String> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            let is_address = params.get(i).is_some_and(|p| p.ty == "address");
            match accounts.iter().find(|a| a.name == arg.trim()) {
                Some(account) if is_address => account.address.clone(),
                _ => arg.clone(),
            }
        })
        .collect()
}

/// Raw params: one `key=value` per line, the value as `0x…` hex or text.
///
/// # Errors
/// A message naming the line that is not `key=value` or has bad hex.
pub fn parse_raw(text: &str) -> Result<Dict, String> {
    let mut dict = Dict::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: write key=value", n + 1))?;
        let value = value.trim();
        let bytes = match value.strip_prefix("0x") {
            Some(hex_text) => hex::decode(hex_text)
                .map_err(|_| format!("line {}: `{value}` is not hex", n + 1))?,
            None => value.as_bytes().to_vec(),
        };
        dict.set(key.trim(), bytes);
    }
    Ok(dict)
}

/// Results as named text values, decoded by the entry's declared types.
pub fn show_results(vm: &VmType, entry: &Entry, results: &Dict) -> Vec<(String, String)> {
    if *vm == VmType::EVM
        && let Some(decoded) = results.get("decoded")
    {
        return serde_json::from_slice(decoded).unwrap_or_default();
    }
    results
        .iter()
        .map(|(key, value)| {
            let name = String::from_utf8_lossy(key).into_owned();
            // Undeclared results (a contract without a schema): their likely reading.
            let shown = match entry.results.iter().find(|r| r.name == name) {
                Some(result) => show_wasm(&result.ty, value),
                None => crate::model::state::guess_value(value),
            };
            (name, shown)
        })
        .collect()
}

/// One executed instruction of a recorded trace: an EVM opcode, or a Wasm
/// instruction (then `func` names its function, and `host` holds the host
/// calls it made).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OpStep {
    /// Call depth (the request's own call is 0): EVM frames, Wasm
    /// functions, and calls across VMs all count.
    pub depth: u32,
    /// Program counter (EVM), or byte offset in the module (Wasm).
    pub pc: u64,
    /// The opcode's name, or the Wasm instruction in text form.
    pub op: String,
    /// Gas left before it.
    pub gas: u64,
    /// The top of the stack, topmost first (EVM).
    #[serde(default)]
    pub stack: Vec<String>,
    /// The EVM frame it runs in (its index among the trace's EVM frames).
    #[serde(default)]
    pub frame: Option<usize>,
    /// The frame's memory, hex, where it changed since the frame's last step.
    #[serde(default)]
    pub memory: Option<String>,
    /// An `SSTORE`'s slot value before it ran.
    #[serde(default)]
    pub old: Option<String>,
    /// A Wasm instruction's function.
    #[serde(skip)]
    pub func: Option<String>,
    /// The host calls a Wasm instruction made, decoded.
    #[serde(skip)]
    pub host: Vec<HostCall>,
}

/// A host call a Wasm instruction made: the sandbox function (`FN_PARAMS`,
/// `state get`, …), its arguments and result as text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HostCall {
    /// The sandbox function.
    pub name: String,
    /// Its arguments.
    #[serde(default)]
    pub args: String,
    /// What it gave.
    #[serde(default)]
    pub result: String,
}

/// An EVM call frame of a recorded trace: what evm.codes shows of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FrameInfo {
    /// `Call`, `StaticCall`, `DelegateCall`, `Create`, …
    pub kind: String,
    /// The caller.
    pub from: String,
    /// The callee.
    pub to: String,
    /// Calldata, hex.
    pub input: String,
    /// Return data, hex.
    #[serde(default)]
    pub output: String,
}

/// A receipt's recorded instructions across VMs, in the order they ran: a
/// nested call's steps follow the step that made it (its `at_step`), one
/// level deeper; with each EVM frame's code hash and call data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The steps.
    pub steps: Vec<OpStep>,
    /// EVM frame index → `0x` keccak-256 of its code.
    pub codes: std::collections::BTreeMap<usize, String>,
    /// EVM frame index → the frame.
    pub frames: std::collections::BTreeMap<usize, FrameInfo>,
}

/// The EVM instructions a receipt's trace recorded, in order.
pub fn evm_steps(receipt: &isc_engine::Receipt) -> Vec<OpStep> {
    recorded(receipt)
        .steps
        .into_iter()
        .filter(|step| step.func.is_none())
        .collect()
}

/// Everything a receipt's trace recorded (a request traced), across VMs.
pub fn recorded(receipt: &isc_engine::Receipt) -> Recorded {
    let mut out = Recorded::default();
    walk(&receipt.trace, 0, &mut out);
    out
}

/// A Wasm step as the engine records it.
#[derive(Deserialize)]
struct WasmStep {
    depth: u32,
    pc: u64,
    op: String,
    gas: u64,
    func: u32,
    #[serde(default)]
    host: Vec<HostCall>,
}

/// Adds `node`'s steps at depth `base` and, after each, the steps of the
/// calls it made; a node with none of its own is looked through.
fn walk(node: &isc_engine::CallTrace, base: u32, out: &mut Recorded) {
    use serde_json::Value;
    let detail = node.detail.as_ref();
    let field = |name: &str| detail.and_then(|d| d.get(name));
    let offset = out
        .frames
        .len()
        .max(out.codes.keys().next_back().map_or(0, |k| k + 1));
    let mut own: Vec<OpStep> = Vec::new();
    if let Some(steps) = field("evm_steps") {
        own = serde_json::from_value(steps.clone()).unwrap_or_default();
        for step in &mut own {
            step.frame = step.frame.map(|f| f + offset);
        }
        if let Some(codes) = field("evm_codes").and_then(Value::as_object) {
            for (frame, hash) in codes {
                if let (Ok(frame), Some(hash)) = (frame.parse::<usize>(), hash.as_str()) {
                    out.codes.insert(frame + offset, hash.to_owned());
                }
            }
        }
        if let Some(frames) = field("evm_frames").and_then(Value::as_array) {
            for (i, frame) in frames.iter().enumerate() {
                if let Ok(frame) = serde_json::from_value(frame.clone()) {
                    out.frames.insert(i + offset, frame);
                }
            }
        }
    } else if let Some(steps) = field("wasm_steps") {
        let names = field("wasm_functions");
        let steps: Vec<WasmStep> = serde_json::from_value(steps.clone()).unwrap_or_default();
        own = steps
            .into_iter()
            .map(|step| OpStep {
                depth: step.depth,
                pc: step.pc,
                op: step.op,
                gas: step.gas,
                stack: Vec::new(),
                frame: None,
                memory: None,
                old: None,
                func: Some(
                    names
                        .and_then(|n| n.get(step.func.to_string()))
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("func {}", step.func), str::to_owned),
                ),
                host: step.host,
            })
            .collect();
    }
    if own.is_empty() {
        for call in &node.calls {
            walk(call, base, out);
        }
        return;
    }
    let at = |call: &isc_engine::CallTrace| {
        call.detail
            .as_ref()
            .and_then(|d| d.get("at_step"))
            .and_then(Value::as_u64)
    };
    for (i, mut step) in own.into_iter().enumerate() {
        step.depth += base;
        let depth = step.depth;
        out.steps.push(step);
        for call in node.calls.iter().filter(|c| at(c) == Some(i as u64)) {
            walk(call, depth + 1, out);
        }
    }
}

/// `name = value, …`, or `(no results)`.
pub fn show_values(values: &[(String, String)]) -> String {
    if values.is_empty() {
        return "(no results)".into();
    }
    values
        .iter()
        .map(|(name, value)| format!("{name} = {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Encodes text as a WasmLib value of type `ty`.
///
/// # Errors
/// A message naming the type when the text does not parse.
pub fn encode_wasm(ty: &str, text: &str) -> Result<Vec<u8>, String> {
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
pub fn show_wasm(ty: &str, bytes: &[u8]) -> String {
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
pub fn show_event(event: &isc_engine::Event) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn raw_params_read_key_value_lines() {
        let dict = parse_raw("counter=0x0500000000000000\n\nname = ada").expect("parses");
        assert_eq!(dict.get("counter"), Some(&[5, 0, 0, 0, 0, 0, 0, 0][..]));
        assert_eq!(dict.get("name"), Some(&b"ada"[..]));
        assert_eq!(parse_raw("oops"), Err("line 1: write key=value".into()));
        assert_eq!(parse_raw("k=0xzz"), Err("line 1: `0xzz` is not hex".into()));
    }

    #[test]
    fn uploads_are_recognised_by_kind_with_clear_errors() {
        let read = |path: &str| {
            std::fs::read(crate::model::catalog::repo_file(&format!(
                "examples/{path}"
            )))
            .expect("example")
        };
        let wasm = read("inccounter/inccounter.wasm");
        let schema = read("inccounter/schema.json");
        let found = Deployable::from_files(&[
            ("inccounter.wasm".into(), wasm.clone()),
            ("schema.json".into(), schema),
        ])
        .expect("deployable");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "inccounter");
        assert!(!found[0].raw_init);
        assert_eq!(found[0].sources.len(), 1);

        let bare = Deployable::from_files(&[("c.wasm".into(), wasm)]).expect("deployable");
        assert!(bare[0].raw_init);

        let yaml = "funcs:\n  init:\n    params:\n      counter: Int64? // start\n  increment: {}\nviews:\n  getCounter:\n    results:\n      counter: Int64\n";
        let interface = Interface::from_yaml(yaml).expect("yaml");
        assert_eq!(
            interface.init,
            [Param {
                name: "counter".into(),
                ty: "Int64".into(),
                optional: true,
            }]
        );
        assert_eq!(interface.entries.len(), 2);
        let json_form = schema_json(&interface);
        assert_eq!(Interface::from_schema(&json_form).expect("json"), interface);

        let token = read("solidity/Token.json");
        let found = Deployable::from_files(&[("Token.json".into(), token)]).expect("artifact");
        assert_eq!(found[0].name, "Token");
        assert_eq!(found[0].interface.init.len(), 3);

        let err =
            Deployable::from_files(&[("notes.txt".into(), b"hi".to_vec())]).expect_err("nothing");
        assert!(err.starts_with("nothing to deploy"), "{err}");
        let err =
            Deployable::from_files(&[("x.wasm".into(), b"hi".to_vec())]).expect_err("not wasm");
        assert!(err.contains("not a WebAssembly module"), "{err}");
        let err =
            Deployable::from_files(&[("x.bin".into(), b"6000".to_vec())]).expect_err("no abi");
        assert!(err.contains("needs its ABI"), "{err}");
        let plain = Deployable::from_bytecode("Tiny", "0x6000", "[]").expect("bytecode + abi");
        assert_eq!(plain.vm, VmType::EVM);
    }

    #[test]
    fn a_schema_gives_init_params_funcs_and_views() {
        let schema = include_str!("../../../contracts/inccounter/schema.json");
        let interface = Interface::from_schema(schema).expect("schema");
        assert_eq!(interface.init[0].name, "counter");
        let get = interface
            .entries
            .iter()
            .find(|e| e.name == "getCounter")
            .expect("view");
        assert!(get.view);
        assert!(Interface::from_schema("{}").is_err());
    }
}

#[cfg(test)]
mod linking_tests {
    use super::*;

    #[test]
    fn a_program_calling_a_library_is_linked_from_typed_addresses() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/fixtures/solidity/Linked.json"
        ))
        .expect("the fixture");
        let files = vec![("Linked.json".to_owned(), text.into_bytes())];
        let programs = Deployable::from_files(&files).expect("loads");
        let user = programs
            .iter()
            .find(|p| p.name == "UsesLib")
            .expect("UsesLib");
        let libraries = user.libraries();
        assert_eq!(libraries.len(), 1);
        assert_eq!(libraries[0].short_name(), "MathLib");
        let err = user
            .linked(&[("MathLib".into(), "0x12".into())])
            .expect_err("not an address");
        assert!(err.contains("not an EVM address"), "{err}");
        let linked = user
            .linked(&[("MathLib".into(), format!("0x{}", "ab".repeat(20)))])
            .expect("links");
        assert!(linked.libraries().is_empty());
        let program: isc_engine::evm::EvmProgram =
            serde_json::from_slice(&linked.binary).expect("JSON");
        assert!(program.bytecode.contains(&"ab".repeat(20)));
    }
}
