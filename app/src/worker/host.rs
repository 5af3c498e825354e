//! The engine's side of the worker: one chain with the built-in VMs, the
//! sources its contracts were deployed from, and the answer to each
//! [`Command`]. Plain Rust (no browser types), so it is tested natively;
//! `bin/isc-worker.rs` only moves messages in and out.

use crate::model::contract::{Interface, show_results};
use crate::protocol::{
    AbiSource, AccountView, AddressTarget, ChainView, Command, ContractView, EvmChild,
    FirstLightReport, Reply, RpcFailure, Since, StateItem,
};
use held::Held;
use isc_engine::session::{Session, Source, WasmEngineChoice};
use isc_engine::wasmvm::runtime::WasmRuntime;
use isc_engine::{AgentId, Chain, ChainConfig, Hname, Request, VmType};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::model::contract::LAYOUT_LANGUAGE;

mod held;
mod rpc;
pub use isc_engine::session::SCHEMA_LANGUAGE;
pub use rpc::RpcError;

/// The chain the worker runs, and what it knows of its contracts.
pub struct Host {
    chain: Chain,
    sources: Vec<Source>,
    /// ABIs the page called code at an address with: what the page shows
    /// of receipts names those contracts' logs and errors with them too
    /// (the chain names them with the ABIs deployed on it).
    abis: Vec<isc_engine::evm::EvmProgram>,
    /// EVM programs the page compiled: (name, program).
    known: Vec<(String, isc_engine::evm::EvmProgram)>,
    /// The blocks whose receipts and steps the page holds, and the state
    /// hash of the last view it was sent: a view sends only what follows.
    page: Held,
    page_hash: Option<String>,
    /// The ABIs receipts are named with changed since the page was sent
    /// them: the next view sends every receipt again.
    renamed: bool,
    /// Contracts that EVM frames of the receipts created.
    creations: RefCell<Creations>,
    /// A Wasm engine besides wasmi (the browser's own), if there is one.
    runtime: Option<Rc<dyn WasmRuntime>>,
    /// The Wasm engine the session chose, if it chose one.
    wasm_engine: Option<WasmEngineChoice>,
}

/// Contracts that EVM frames of the receipts created, as (block, child,
/// creator), for the blocks `read` holds.
#[derive(Default)]
struct Creations {
    read: Held,
    found: Vec<(u32, String, String)>,
}

impl Default for Host {
    fn default() -> Self {
        Self::new(ChainConfig::default())
    }
}

fn failed(message: impl ToString) -> Reply {
    Reply::Failed {
        message: message.to_string(),
    }
}

impl Host {
    /// A fresh chain over `config`, with the built-in VMs.
    pub fn new(config: ChainConfig) -> Self {
        let mut chain = Chain::new(config);
        isc_engine::register_builtin_vms(&mut chain);
        Self {
            chain,
            sources: Vec::new(),
            abis: Vec::new(),
            known: Vec::new(),
            page: Held::default(),
            page_hash: None,
            renamed: false,
            creations: RefCell::default(),
            runtime: None,
            wasm_engine: None,
        }
    }

    /// Runs Wasm calls on `runtime` too (where it ends them as wasmi
    /// would), unless the session chooses wasmi.
    pub fn with_runtime(mut self, runtime: Rc<dyn WasmRuntime>) -> Self {
        self.runtime = Some(runtime);
        self.chain.set_wasm_runtime(self.runtime_in_use());
        self
    }

    /// The runtime calls run on now: `None` for wasmi alone.
    fn runtime_in_use(&self) -> Option<Rc<dyn WasmRuntime>> {
        match self.wasm_engine {
            Some(WasmEngineChoice::Wasmi) => None,
            Some(WasmEngineChoice::Browser) | None => self.runtime.clone(),
        }
    }

    /// Chooses the Wasm engine (the chain and its state stay as they are).
    fn choose_engine(&mut self, engine: WasmEngineChoice) -> Reply {
        self.wasm_engine = Some(engine);
        self.chain.set_wasm_runtime(self.runtime_in_use());
        // The session the page holds names the engine now.
        self.resend();
        self.changed(None)
    }

    /// Answers `answer` on the state after `block` (the latest when
    /// `None`), then puts the chain back as it was: time travel.
    fn at_block(&mut self, block: Option<u32>, answer: impl FnOnce(&mut Self) -> Reply) -> Reply {
        let Some(block) = block else {
            return answer(self);
        };
        let snapshot = self.chain.snapshot();
        let reply = match self.chain.revert_to(block) {
            Ok(()) => answer(self),
            Err(err) => failed(err),
        };
        self.chain.restore(&snapshot);
        reply
    }

    /// A view's results as people read them: by the contract's declared
    /// types where known, else each value as hex.
    fn show_values(&self, contract: &str, entry: &str, results: &isc_engine::Dict) -> Reply {
        let described = self
            .chain
            .contracts()
            .into_iter()
            .find(|c| c.name == contract && c.vm_type != VmType::CORE)
            .and_then(|record| {
                let found = self
                    .interface(&record)
                    .entries
                    .into_iter()
                    .find(|e| e.name == entry)?;
                Some((record.vm_type, found))
            });
        let values = match described {
            Some((vm, entry)) => show_results(&vm, &entry, results),
            None => results
                .iter()
                .map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        const_hex::encode_prefixed(v),
                    )
                })
                .collect(),
        };
        Reply::Values { values }
    }

    /// The chain (for tests and the worker's first message).
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Does `command`. A command that fails leaves the chain as it was.
    pub fn handle(&mut self, command: Command) -> Reply {
        match command {
            Command::Open { session } => self.open(&session),
            Command::WasmEngine { engine } => self.choose_engine(engine),
            Command::Deploy {
                sender,
                name,
                vm,
                binary,
                init,
                sources,
                gas_budget,
            } => {
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return failed("give the contract a name");
                }
                // Checked first, so a mistake costs no block and no fee.
                if let Err(err) = self.chain.check_deploy(&name, &vm, &binary, &init) {
                    return failed(format!("not deployed: {err}"));
                }
                let budget = gas_budget.unwrap_or(self.chain.config().max_gas_per_request);
                match self
                    .chain
                    .deploy_with_budget(sender, &name, &vm, &binary, init, budget)
                {
                    Ok(receipt) => {
                        if receipt.is_success() {
                            self.sources.retain(|s| s.name != name);
                            self.sources.extend(sources.into_iter().map(|s| Source {
                                name: name.clone(),
                                ..s
                            }));
                        }
                        self.changed(Some(receipt))
                    }
                    Err(err) => failed(err),
                }
            }
            Command::Call {
                sender,
                contract,
                entry,
                params,
                tokens,
                view,
                gas_budget,
                trace,
                at,
                queue,
                target,
            } => {
                let mut params = params;
                if tokens.value > 0 {
                    params.set("evm.value", tokens.value.to_le_bytes().to_vec());
                }
                // Code at an address: a request to the evm core contract,
                // its return data decoded with the chosen ABI.
                let (contract, entry, params, called) = match target {
                    None => (contract, entry, params, None),
                    Some(target) => match address_call(&target, &entry, params) {
                        Ok((params, called)) => {
                            let entry = if view { "callContract" } else { "callAddress" };
                            ("evm".to_owned(), entry.to_owned(), params, Some(called))
                        }
                        Err(err) => return failed(format!("not sent: {err}")),
                    },
                };
                let (hname, entry_hname) = (Hname::of(&contract), Hname::of(&entry));
                if view {
                    // At a past block (time travel) the view reads that state.
                    return self.at_block(at, |host| {
                        match host.chain.call_view_as(sender, hname, entry_hname, params) {
                            Ok(results) => match &called {
                                Some(called) => Reply::Values {
                                    values: called.decode(&results),
                                },
                                None => host.show_values(&contract, &entry, &results),
                            },
                            Err(err) => failed(err),
                        }
                    });
                }
                let mut request = Request::to(sender, hname, entry_hname)
                    .params(params)
                    .allowance(tokens.allowance)
                    .tokens(tokens.deposit);
                if let Some(gas) = gas_budget {
                    request = request.gas_budget(gas);
                }
                // Checked first, so a typo costs no block and no fee.
                if let Err(err) = self.chain.check_request(&request) {
                    return failed(format!("not sent: {err}"));
                }
                if let Some(steps) = trace {
                    let steps = steps.min(isc_engine::evm::MAX_TRACED_STEPS);
                    return match self.chain.trace(request, steps) {
                        Ok(receipt) => Reply::Simulated {
                            receipt: Box::new(receipt),
                        },
                        Err(err) => failed(err),
                    };
                }
                if queue {
                    return match self.chain.queue(request) {
                        Ok(_) => self.changed(None),
                        Err(err) => failed(format!("not queued: {err}")),
                    };
                }
                match self.chain.post(request) {
                    Ok(mut receipt) => {
                        // What the page shows of this receipt names the
                        // outputs (the chain's own copy keeps the raw ones).
                        if let (Some(called), Some(results)) = (&called, &mut receipt.results) {
                            let decoded = called.decode(results);
                            results
                                .set("decoded", serde_json::to_vec(&decoded).unwrap_or_default());
                        }
                        self.changed(Some(receipt))
                    }
                    Err(err) => failed(err),
                }
            }
            Command::Rpc { method, params } => {
                let before = (
                    self.chain.block_index(),
                    self.chain.state_hash(),
                    self.chain.time(),
                );
                let outcome = self.rpc(&method, &params).map_err(|err| RpcFailure {
                    code: err.code,
                    message: err.message,
                    data: err.data,
                });
                let after = (
                    self.chain.block_index(),
                    self.chain.state_hash(),
                    self.chain.time(),
                );
                Reply::Rpc {
                    outcome,
                    view: (before != after).then(|| Box::new(self.update())),
                }
            }
            Command::KnownPrograms { programs } => {
                // A program of the same name replaces the one known before.
                for (name, json) in programs {
                    if let Ok(program) = serde_json::from_str(&json) {
                        self.known.retain(|(known, _)| *known != name);
                        self.known.push((name, program));
                        self.renamed = true;
                    }
                }
                self.changed(None)
            }
            Command::Interface { source } => match self.abi_text(source) {
                Ok(abi) => match isc_engine::evm::EvmProgram::interface(&abi) {
                    Ok(program) => {
                        if !self.abis.contains(&program) {
                            self.abis.push(program.clone());
                            self.renamed = true;
                        }
                        Reply::Interface {
                            entries: Interface::from_entry_points(
                                isc_engine::evm::entry_points(&program),
                                false,
                            )
                            .entries
                            .into_iter()
                            .filter(|e| e.name != "init")
                            .collect(),
                            abi,
                        }
                    }
                    Err(err) => failed(err),
                },
                Err(err) => failed(err),
            },
            Command::Inspect { vm, binary } => match self.chain.inspect_program(&vm, &binary) {
                Ok((language, _)) => Reply::Inspected { language },
                Err(err) => failed(err),
            },
            Command::RunBlock => match self.chain.run_block() {
                Ok(_) => self.changed(None),
                Err(err) => failed(err),
            },
            Command::AdvanceTime { seconds } => match self.chain.advance_time(seconds) {
                Ok(()) => self.changed(None),
                Err(err) => failed(err),
            },
            Command::RevertTo { block } => match self.chain.revert_to(block) {
                Ok(()) => {
                    let names: Vec<String> =
                        self.chain.contracts().into_iter().map(|c| c.name).collect();
                    self.sources.retain(|s| names.contains(&s.name));
                    self.changed(None)
                }
                Err(err) => failed(err),
            },
            Command::TracePast {
                block,
                request_index,
                steps,
            } => {
                let steps = steps.min(isc_engine::evm::MAX_TRACED_STEPS);
                match self.chain.trace_past(block, request_index, steps) {
                    Ok(receipt) => Reply::Simulated {
                        receipt: Box::new(receipt),
                    },
                    Err(err) => failed(err),
                }
            }
            Command::ViewAt { block } => self.at_block(block, |host| Reply::Past {
                view: Box::new(host.view()),
            }),
            Command::CompileWat { text } => match wat::parse_str(&text) {
                Ok(binary) => Reply::Compiled { binary },
                Err(err) => failed(format!("WAT: {err}")),
            },
            #[cfg(feature = "bench")]
            // The worker's loop runs workloads (on chains of their own),
            // never the host.
            Command::Bench { .. } => failed("a bench workload runs beside the chain, not on it"),
            Command::FirstLight => match isc_engine::first_light() {
                Ok(report) => Reply::FirstLight {
                    report: FirstLightReport {
                        wasm_value: report.wasm.value,
                        wasm_gas: report.wasm.gas_used,
                        evm_value: report.evm.value,
                        evm_gas: report.evm.gas_used,
                        state_hash: report.state_hash.to_string(),
                    },
                },
                Err(err) => failed(err),
            },
        }
    }

    fn open(&mut self, text: &str) -> Reply {
        let session = match Session::from_json(text) {
            Ok(session) => session,
            Err(err) => return failed(err),
        };
        self.wasm_engine = session.wasm_engine;
        let runtime = self.runtime_in_use();
        let setup = |chain: &mut Chain| {
            isc_engine::register_builtin_vms(chain);
            chain.set_wasm_runtime(runtime);
        };
        match session.replay(setup) {
            Ok(replay) => {
                self.chain = replay.chain;
                self.sources = session.sources;
                // Another chain: the page is sent all of it (and a worker
                // rebuilt after a stop does not know what the page holds).
                self.page.forget();
                self.changed(None)
            }
            Err(err) => failed(err),
        }
    }

    fn changed(&mut self, receipt: Option<isc_engine::Receipt>) -> Reply {
        Reply::Chain {
            view: Box::new(self.update()),
            receipt: receipt.map(|receipt| Box::new(self.named(receipt))),
        }
    }

    /// The view to send the page now: only what follows what it was sent
    /// before (see [`ChainView::since`]), whole the first time, after
    /// another session was opened, or when [`Host::resend`] asked.
    pub fn update(&mut self) -> ChainView {
        let common = self.page.catch_up(&self.chain);
        let base = self.page_hash.take();
        let view = match (common, base) {
            (Some(block), Some(base)) => {
                let receipts_after = if std::mem::take(&mut self.renamed) {
                    0
                } else {
                    block
                };
                let (kept, steps) = self.chain.steps_after(block);
                let mut session = Session::new(self.chain.config().clone());
                session.sources = self.sources.clone();
                session.requests = steps;
                session.wasm_engine = self.wasm_engine;
                let receipts = self
                    .chain
                    .receipts_after(receipts_after)
                    .into_iter()
                    .map(|r| self.named(r))
                    .collect();
                ChainView {
                    since: Some(Since {
                        block: receipts_after,
                        steps: kept,
                        base,
                    }),
                    ..self.view_with(session, receipts)
                }
            }
            _ => {
                self.renamed = false;
                self.view()
            }
        };
        self.page_hash = Some(view.state_hash.clone());
        view
    }

    /// The page lost track: the next view it is sent is whole.
    pub fn resend(&mut self) {
        self.page.forget();
        self.page_hash = None;
    }

    /// `receipt` as the page shows it: logs and custom errors the chain
    /// could not name (no deployed contract declares them) named with the
    /// ABIs the page opened code at an address with.
    fn named(&self, mut receipt: isc_engine::Receipt) -> isc_engine::Receipt {
        if self.known_abis().next().is_none() {
            return receipt;
        }
        for event in &mut receipt.events {
            if event.topic != "evm.log" {
                continue;
            }
            let Ok(log) = serde_json::from_slice::<isc_engine::evm::DecodedLog>(&event.payload)
            else {
                continue;
            };
            let unhex = |text: &str| hex::decode(text.trim_start_matches("0x")).unwrap_or_default();
            let topics: Vec<[u8; 32]> = log
                .topics
                .iter()
                .filter_map(|t| <[u8; 32]>::try_from(unhex(t)).ok())
                .collect();
            let address = <[u8; 20]>::try_from(unhex(&log.address)).unwrap_or_default();
            let data = unhex(&log.data);
            if let Some(named) = self
                .known_abis()
                .map(|abi| isc_engine::evm::decode_log(Some(abi), address, &topics, &data))
                .find(|named| !named.event.is_empty())
            {
                event.topic.clone_from(&named.event);
                event.payload = serde_json::to_vec(&named).unwrap_or_default();
            }
        }
        if let Some(isc_engine::VmError::Revert { reason, data }) = &mut receipt.error
            && reason.starts_with("0x")
        {
            let bytes = hex::decode(data.trim_start_matches("0x")).unwrap_or_default();
            if let Some(named) = self
                .known_abis()
                .map(|abi| isc_engine::evm::revert_reason(Some(abi), &bytes))
                .find(|named| !named.starts_with("0x"))
            {
                *reason = named;
            }
        }
        receipt
    }

    /// The session that rebuilds this chain, sources included.
    pub fn session(&self) -> Session {
        let mut session = Session::of(&self.chain);
        session.sources = self.sources.clone();
        session.wasm_engine = self.wasm_engine;
        session
    }

    fn schema(&self, name: &str) -> Option<&str> {
        self.source(name, SCHEMA_LANGUAGE)
    }

    /// The text of contract `name`'s source in `language`, if kept.
    fn source(&self, name: &str, language: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.name == name && s.language == language)
            .map(|s| s.text.as_str())
    }

    /// Everything the page shows of the chain now, whole.
    pub fn view(&self) -> ChainView {
        let receipts = self
            .chain
            .receipts()
            .into_iter()
            .map(|r| self.named(r))
            .collect();
        self.view_with(self.session(), receipts)
    }

    /// The chain's view with the session and receipts given.
    fn view_with(&self, session: Session, receipts: Vec<isc_engine::Receipt>) -> ChainView {
        let chain = &self.chain;
        let contracts: Vec<ContractView> = chain
            .contracts()
            .into_iter()
            .filter(|record| record.vm_type != VmType::CORE)
            .map(|record| self.describe(record))
            .collect();
        let evm_address =
            |agent: &AgentId| const_hex::encode_prefixed(isc_engine::evm::agent_address(agent));
        let users = chain
            .config()
            .accounts()
            .into_iter()
            .map(|(name, agent)| AccountView {
                name,
                agent,
                l2: chain.balance(&agent),
                l1: Some(chain.l1_balance(&agent)),
                user: true,
                address: evm_address(&agent),
            });
        let owned = contracts.iter().map(|c| {
            let agent = chain.contract_agent(&c.name);
            AccountView {
                name: c.name.clone(),
                agent,
                l2: chain.balance(&agent),
                l1: None,
                user: false,
                address: c.address.clone().unwrap_or_else(|| evm_address(&agent)),
            }
        });
        let evm_children = self.evm_children(&contracts);
        ChainView {
            evm_children,
            wasm_engine: self
                .runtime_in_use()
                .map(|runtime| runtime.name().to_owned()),
            browser_engine: self
                .runtime
                .as_ref()
                .map(|runtime| runtime.name().to_owned()),
            block_index: chain.block_index(),
            state_hash: chain.state_hash().to_string(),
            session: Arc::new(session),
            accounts: users.chain(owned).collect(),
            receipts: Arc::new(receipts),
            contracts,
            since: None,
            pending: chain.pending(),
            time: chain.time(),
            next_block_time: chain.next_block_time(),
        }
    }

    /// The ABIs the page knows beyond the chain's: opened at addresses,
    /// and compiled.
    fn known_abis(&self) -> impl Iterator<Item = &isc_engine::evm::JsonAbi> {
        self.abis
            .iter()
            .map(|p| &p.abi)
            .chain(self.known.iter().map(|(_, p)| &p.abi))
    }

    /// Every contract an EVM frame of the receipts created: (child,
    /// creator). Reads only the receipts of blocks not read before.
    fn creations(&self) -> Vec<(String, String)> {
        let mut cache = self.creations.borrow_mut();
        let Creations { read, found } = &mut *cache;
        let common = read.catch_up(&self.chain);
        found.retain(|(block, _, _)| common.is_some_and(|common| *block <= common));
        let after = common.unwrap_or(0);
        for receipt in self.chain.receipts_after(after) {
            found.extend(
                creations(&receipt)
                    .into_iter()
                    .map(|(child, creator)| (receipt.block_index, child, creator)),
            );
        }
        found
            .iter()
            .map(|(_, child, creator)| (child.clone(), creator.clone()))
            .collect()
    }

    /// The compiled program whose creation code holds `runtime` (the
    /// smallest: a factory's holds its children's too).
    fn compiled_as(&self, runtime: &[u8]) -> Option<String> {
        let runtime = const_hex::encode(runtime);
        if runtime.is_empty() {
            return None;
        }
        self.known
            .iter()
            .filter(|(_, p)| p.bytecode.to_lowercase().contains(&runtime))
            .min_by_key(|(_, p)| p.bytecode.len())
            .map(|(name, _)| name.clone())
    }

    /// The ABI `source` names, as JSON.
    fn abi_text(&self, source: AbiSource) -> Result<String, String> {
        let name = match source {
            AbiSource::Json { text } => return Ok(text),
            AbiSource::Contract { name } => name,
        };
        let record = self
            .chain
            .contracts()
            .into_iter()
            .find(|c| c.name == name && c.vm_type == VmType::EVM)
            .ok_or_else(|| format!("no Solidity contract `{name}` is deployed"))?;
        let (_, program) = self
            .chain
            .program(&record.program_hash)
            .ok_or_else(|| format!("the program of `{name}` is not stored"))?;
        isc_engine::evm::EvmProgram::from_json(&program)
            .map(|program| program.abi_json())
            .map_err(|err| err.to_string())
    }

    /// The EVM contracts that contracts created: every account with code
    /// that no deployed contract's name points to, with its creator (from
    /// the receipts' EVM frames) and the deployed contract running the same
    /// code, if one does.
    fn evm_children(&self, contracts: &[ContractView]) -> Vec<EvmChild> {
        let evm = self.chain.contract_state(Hname::of("evm"));
        let accounts = isc_engine::evm::code_accounts(&evm);
        let named = |address: &[u8; 20]| {
            let hex = const_hex::encode_prefixed(address);
            contracts
                .iter()
                .find(|c| {
                    c.address
                        .as_deref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&hex))
                })
                .map(|c| c.name.clone())
        };
        let code_hash = |name: &str| {
            accounts
                .iter()
                .find(|(address, _)| named(address).as_deref() == Some(name))
                .map(|(_, hash)| *hash)
        };
        let unnamed: Vec<&([u8; 20], [u8; 32])> = accounts
            .iter()
            .filter(|(address, _)| named(address).is_none())
            .collect();
        if unnamed.is_empty() {
            // No child: the receipts need no walk (most chains, every view).
            return Vec::new();
        }
        let creators = self.creations();
        unnamed
            .into_iter()
            .map(|(address, hash)| {
                let hex = const_hex::encode_prefixed(address);
                let creator = creators
                    .iter()
                    .find(|(child, _)| child.eq_ignore_ascii_case(&hex))
                    .map(|(_, creator)| {
                        let bytes = hex::decode(creator.trim_start_matches("0x")).ok();
                        let address = bytes.and_then(|b| <[u8; 20]>::try_from(b).ok());
                        let user = |address: &[u8; 20]| {
                            self.chain
                                .config()
                                .accounts()
                                .into_iter()
                                .find(|(_, agent)| {
                                    isc_engine::evm::agent_address(agent) == *address
                                })
                                .map(|(name, _)| name)
                        };
                        address
                            .and_then(|a| named(&a).or_else(|| user(&a)))
                            .unwrap_or_else(|| creator.clone())
                    });
                let code_of = contracts
                    .iter()
                    .filter(|c| c.vm == VmType::EVM)
                    .find(|c| code_hash(&c.name) == Some(*hash))
                    .map(|c| c.name.clone());
                let compiled_as = if code_of.is_none() {
                    self.compiled_as(&isc_engine::evm::account_state(&evm, *address).code)
                } else {
                    None
                };
                EvmChild {
                    address: checksummed(address),
                    creator,
                    code_of,
                    compiled_as,
                }
            })
            .collect()
    }

    /// A contract's entry points: from its schema when the session has
    /// one, else as its processor reports them (untyped for Wasm).
    fn interface(&self, record: &isc_engine::ContractRecord) -> Interface {
        match self.schema(&record.name).map(Interface::from_schema) {
            Some(Ok(interface)) => interface,
            _ => Interface::from_entry_points(
                self.chain.entry_points(record.hname).unwrap_or_default(),
                record.vm_type == VmType::WASM,
            ),
        }
    }

    fn describe(&self, record: isc_engine::ContractRecord) -> ContractView {
        let chain = &self.chain;
        let interface = self.interface(&record);
        let (address, state) = if record.vm_type == VmType::EVM {
            evm_storage(chain, record.hname)
        } else {
            let state = chain
                .contract_state(record.hname)
                .into_iter()
                .map(|(key, value)| StateItem { key, value })
                .collect();
            (None, state)
        };
        let variables = self
            .source(&record.name, LAYOUT_LANGUAGE)
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        ContractView {
            language: chain.language(record.hname),
            hname: record.hname.to_string(),
            name: record.name,
            vm: record.vm_type,
            address,
            entries: interface.entries,
            state,
            variables,
        }
    }
}

/// A call of code at an address, as the worker sends it: the function to
/// decode its return data with.
struct AddressCall {
    interface: isc_engine::evm::EvmProgram,
    function: String,
}

impl AddressCall {
    /// The return data `o` of `results`, decoded.
    fn decode(&self, results: &isc_engine::Dict) -> Vec<(String, String)> {
        let output = results.get("o").unwrap_or_default();
        self.interface
            .function(&self.function)
            .ok()
            .and_then(|function| isc_engine::evm::decode_output(function, output).ok())
            .unwrap_or_else(|| vec![("o".to_owned(), const_hex::encode_prefixed(output))])
    }
}

/// The params of `evm.callAddress` for calling `entry` of the target with
/// `params` (`args` or raw `i`, and `evm.value`).
fn address_call(
    target: &AddressTarget,
    entry: &str,
    params: isc_engine::Dict,
) -> Result<(isc_engine::Dict, AddressCall), String> {
    let digits = target.address.trim().trim_start_matches("0x");
    let address = hex::decode(digits)
        .ok()
        .filter(|bytes| bytes.len() == 20)
        .ok_or_else(|| {
            format!(
                "`{}` is not an EVM address (0x and 40 hex digits)",
                target.address
            )
        })?;
    let interface =
        isc_engine::evm::EvmProgram::interface(&target.abi).map_err(|err| err.to_string())?;
    let (_, calldata) =
        isc_engine::evm::calldata(&interface, entry, &params).map_err(|err| err.to_string())?;
    let mut call = isc_engine::Dict::new()
        .with("a", address)
        .with("i", calldata);
    if let Some(value) = params.get("evm.value") {
        call.set("evm.value", value.to_vec());
    }
    Ok((
        call,
        AddressCall {
            interface,
            function: entry.to_owned(),
        },
    ))
}

/// Every contract an EVM frame of `receipt` created: (child, creator),
/// addresses as the trace writes them.
fn creations(receipt: &isc_engine::Receipt) -> Vec<(String, String)> {
    fn walk(trace: &isc_engine::CallTrace, out: &mut Vec<(String, String)>) {
        if let Some(frames) = trace
            .detail
            .as_ref()
            .and_then(|detail| detail.get("evm_frames"))
            .and_then(serde_json::Value::as_array)
        {
            for frame in frames {
                let kind = frame.get("kind").and_then(serde_json::Value::as_str);
                let text = |key: &str| frame.get(key).and_then(serde_json::Value::as_str);
                if kind.is_some_and(|k| k.to_ascii_lowercase().starts_with("create"))
                    && frame.get("success").and_then(serde_json::Value::as_bool) == Some(true)
                    && let (Some(from), Some(to)) = (text("from"), text("to"))
                {
                    out.push((to.to_owned(), from.to_owned()));
                }
            }
        }
        for call in &trace.calls {
            walk(call, out);
        }
    }
    let mut out = Vec::new();
    walk(&receipt.trace, &mut out);
    out
}

/// An address as EIP-55 writes it.
fn checksummed(address: &[u8; 20]) -> String {
    isc_engine::evm::checksum(address)
}

/// An EVM contract's address and storage slots, from the `evm` partition
/// (`h`+hname → address, `s`+address+slot → value).
fn evm_storage(chain: &Chain, hname: Hname) -> (Option<String>, Vec<StateItem>) {
    let evm = chain.contract_state(Hname::of("evm"));
    let Some(address) = isc_engine::evm::contract_address(&evm, hname) else {
        return (None, Vec::new());
    };
    let prefix = [b"s".as_slice(), &address].concat();
    let slots = evm
        .into_iter()
        .filter_map(|(key, value)| {
            key.strip_prefix(prefix.as_slice()).map(|slot| StateItem {
                key: slot.to_vec(),
                value,
            })
        })
        .collect();
    (Some(const_hex::encode_prefixed(address)), slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contract::Tokens;
    use crate::protocol::FromWorker;
    use isc_engine::Dict;

    fn example(path: &str) -> Vec<u8> {
        std::fs::read(crate::model::catalog::repo_file(&format!(
            "examples/{path}"
        )))
        .expect("bundled example")
    }

    fn deploy_counter(host: &mut Host) -> Reply {
        host.handle(counter_deploy())
    }

    /// Deploys inccounter at 5, with its schema.
    fn counter_deploy() -> Command {
        let schema = String::from_utf8(example("inccounter/schema.json")).expect("utf-8");
        Command::Deploy {
            sender: AgentId::user("alice"),
            name: "inccounter".into(),
            vm: VmType::WASM,
            binary: example("inccounter/inccounter.wasm"),
            init: Dict::new().with("counter", 5i64.to_le_bytes().to_vec()),
            sources: vec![Source {
                name: String::new(),
                language: SCHEMA_LANGUAGE.into(),
                text: schema,
                compiler: None,
                ..Source::default()
            }],
            gas_budget: None,
        }
    }

    /// A request to inccounter's `entry` from alice allowing it 1 Mi (what
    /// a post carries), run now or `queue`d.
    fn counter_request(entry: &str, params: Dict, queue: bool) -> Command {
        Command::Call {
            sender: AgentId::user("alice"),
            contract: "inccounter".into(),
            entry: entry.into(),
            params,
            tokens: Tokens {
                allowance: 1_000_000,
                ..Tokens::default()
            },
            view: false,
            gas_budget: None,
            trace: None,
            at: None,
            queue,
            target: None,
        }
    }

    /// The engine the last receipt names.
    fn last_engine(host: &Host) -> Option<String> {
        host.view()
            .receipts
            .last()
            .and_then(|receipt| receipt.wasm_engine.clone())
    }

    #[test]
    fn the_wasm_engine_is_a_setting_the_session_keeps_and_changes_nothing_else() {
        use isc_engine::wasmvm::plain::{NAME, PlainWasmi};
        let runtime = || Rc::new(PlainWasmi::default()) as Rc<dyn WasmRuntime>;
        let mut fast = Host::default().with_runtime(runtime());
        let mut reference = Host::default();
        assert_eq!(fast.view().wasm_engine.as_deref(), Some(NAME));
        assert_eq!(fast.view().browser_engine.as_deref(), Some(NAME));
        assert_eq!(reference.view().wasm_engine, None);
        for host in [&mut fast, &mut reference] {
            assert!(matches!(deploy_counter(host), Reply::Chain { .. }));
            host.handle(counter_request("increment", Dict::new(), false));
        }
        assert_eq!(last_engine(&fast).as_deref(), Some(NAME));
        assert_eq!(last_engine(&reference), None);
        assert_eq!(fast.view().state_hash, reference.view().state_hash);

        // Chosen: wasmi alone, the chain as it was; the session says so.
        let Reply::Chain { view, .. } = fast.handle(Command::WasmEngine {
            engine: WasmEngineChoice::Wasmi,
        }) else {
            panic!("the choice is taken");
        };
        assert_eq!(view.wasm_engine, None);
        assert_eq!(view.session.wasm_engine, Some(WasmEngineChoice::Wasmi));
        assert_eq!(view.state_hash, reference.view().state_hash);
        fast.handle(counter_request("increment", Dict::new(), false));
        assert_eq!(last_engine(&fast), None);

        // A session that chose wasmi opens on wasmi, even where the
        // browser's engine is there; one that chose nothing, on it.
        let session = fast.session().to_json();
        let mut opened = Host::default().with_runtime(runtime());
        let Reply::Chain { view, .. } = opened.handle(Command::Open { session }) else {
            panic!("the session opens");
        };
        assert_eq!(view.wasm_engine, None);
        assert_eq!(view.state_hash, fast.view().state_hash);
        let mut session = fast.session();
        session.wasm_engine = None;
        let Reply::Chain { view, .. } = opened.handle(Command::Open {
            session: session.to_json(),
        }) else {
            panic!("the session opens");
        };
        assert_eq!(view.wasm_engine.as_deref(), Some(NAME));
        // The receipts that ran on it name it on the replayed chain too:
        // the deploy (its `init`) and both increments.
        assert_eq!(
            view.receipts
                .iter()
                .filter(|r| r.wasm_engine.as_deref() == Some(NAME))
                .count(),
            3
        );
    }

    fn call(host: &mut Host, entry: &str, params: Dict, view: bool) -> Reply {
        host.handle(Command::Call {
            sender: AgentId::user("alice"),
            contract: "inccounter".into(),
            entry: entry.into(),
            params,
            tokens: Tokens::default(),
            view,
            gas_budget: None,
            trace: None,
            at: None,
            queue: false,
            target: None,
        })
    }

    /// The counter's raw value in the first contract's state.
    fn counter(view: &ChainView) -> Vec<u8> {
        view.contracts[0]
            .state
            .iter()
            .find(|item| item.key == b"counter")
            .map(|item| item.value.clone())
            .expect("counter in state")
    }

    #[test]
    fn deploy_call_view_revert_and_time_travel() {
        let mut host = Host::default();
        let Reply::Chain { view, receipt } = deploy_counter(&mut host) else {
            panic!("deployed")
        };
        assert!(receipt.is_some_and(|r| r.is_success()));
        let contract = &view.contracts[0];
        assert_eq!(contract.name, "inccounter");
        assert!(
            contract
                .entries
                .iter()
                .any(|e| e.name == "getCounter" && e.view)
        );
        let deployed_at = view.block_index;

        let by3 = Dict::new().with("amount", 3i64.to_le_bytes().to_vec());
        let Reply::Chain { view, .. } = call(&mut host, "incrementBy", by3, false) else {
            panic!("called")
        };
        assert_eq!(counter(&view), 8i64.to_le_bytes());
        assert_eq!(
            call(&mut host, "getCounter", Dict::new(), true),
            Reply::Values {
                values: vec![("counter".into(), "8".into())]
            }
        );

        // Time travel: the chain as it was after the deploy; nothing changes.
        let now = host.view();
        let Reply::Past { view: past } = host.handle(Command::ViewAt {
            block: Some(deployed_at),
        }) else {
            panic!("past")
        };
        assert_eq!(counter(&past), 5i64.to_le_bytes());
        assert_eq!(host.view(), now);
        // A view at that block reads the past; the chain stays at now.
        let past_view = host.handle(Command::Call {
            sender: AgentId::user("alice"),
            contract: "inccounter".into(),
            entry: "getCounter".into(),
            params: Dict::new(),
            tokens: Tokens::default(),
            view: true,
            gas_budget: None,
            trace: None,
            at: Some(deployed_at),
            queue: false,
            target: None,
        });
        assert_eq!(
            past_view,
            Reply::Values {
                values: vec![("counter".into(), "5".into())]
            }
        );
        assert_eq!(host.view(), now);

        // Reverting drops the later block; the session replays to the same hash.
        let Reply::Chain { view, .. } = host.handle(Command::RevertTo { block: deployed_at })
        else {
            panic!("reverted")
        };
        assert_eq!(view.block_index, deployed_at);
        assert_eq!(view.state_hash, past.state_hash);
        let mut other = Host::default();
        let Reply::Chain { view: replayed, .. } = other.handle(Command::Open {
            session: host.session().to_json(),
        }) else {
            panic!("opened")
        };
        assert_eq!(replayed.state_hash, view.state_hash);
        // The schema travelled in the session: typed entries after replay.
        assert_eq!(replayed.contracts[0].entries, view.contracts[0].entries);
    }

    #[test]
    fn posted_and_queued_requests_wait_for_run_block_and_advance_time() {
        let mut host = Host::default();
        assert!(matches!(deploy_counter(&mut host), Reply::Chain { .. }));
        let send = |host: &mut Host, entry: &str, params: Dict, queue: bool| {
            host.handle(counter_request(entry, params, queue))
        };
        let delay = Dict::new().with("delay", 30u32.to_le_bytes().to_vec());
        let Reply::Chain { view, receipt } = send(&mut host, "incrementWithDelay", delay, false)
        else {
            panic!("posted");
        };
        assert!(receipt.is_some_and(|r| r.is_success()));
        assert_eq!(view.pending.len(), 1);
        assert_eq!(view.next_block_time, view.time + 1_000_000_000);
        assert!(view.pending[0].unlock_time > view.next_block_time);
        let Reply::Failed { message } = host.handle(Command::RunBlock) else {
            panic!("nothing is ready");
        };
        assert!(message.contains("advance time"), "{message}");
        let Reply::Chain { view, receipt } = send(&mut host, "increment", Dict::new(), true) else {
            panic!("queued");
        };
        assert!(receipt.is_none());
        assert_eq!(view.pending.len(), 2);
        assert!(matches!(
            host.handle(Command::AdvanceTime { seconds: 29 }),
            Reply::Chain { .. }
        ));
        let Reply::Chain { view, .. } = host.handle(Command::RunBlock) else {
            panic!("both are ready");
        };
        assert!(view.pending.is_empty());
        let block: Vec<_> = view
            .receipts
            .iter()
            .filter(|r| r.block_index == view.block_index)
            .collect();
        assert_eq!(block.len(), 2);
        assert_eq!(counter(&view), 7i64.to_le_bytes());
        // The session rebuilds all of it.
        let mut other = Host::default();
        let Reply::Chain { view: replayed, .. } = other.handle(Command::Open {
            session: host.session().to_json(),
        }) else {
            panic!("opens");
        };
        assert_eq!(replayed.state_hash, view.state_hash);
    }

    #[test]
    fn an_opcode_trace_is_a_simulation() {
        let mut host = Host::default();
        let session = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/sessions/token.json"
        ))
        .expect("session");
        assert!(matches!(
            host.handle(Command::Open { session }),
            Reply::Chain { .. }
        ));
        let before = host.view();
        let reply = host.handle(Command::Call {
            sender: AgentId::user("alice"),
            contract: "token".into(),
            entry: "transfer".into(),
            params: Dict::new().with(
                "args",
                r#"["0x0000000000000000000000000000000000000001", "5"]"#,
            ),
            tokens: Tokens::default(),
            view: false,
            gas_budget: None,
            trace: Some(50),
            at: None,
            queue: false,
            target: None,
        });
        let Reply::Simulated { receipt } = reply else {
            panic!("simulated: {reply:?}")
        };
        assert!(receipt.is_success(), "{:?}", receipt.error);
        let steps = crate::model::contract::evm_steps(&receipt);
        assert_eq!(steps.len(), 50);
        assert_eq!(steps[0].op, "PUSH1");
        assert_eq!(host.view(), before, "a simulation changes nothing");
    }

    #[test]
    fn a_past_cross_vm_request_is_debugged_across_both_vms() {
        let mut host = Host::default();
        let session = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/sessions/crossvm.json"
        ))
        .expect("session");
        let Reply::Chain { view, .. } = host.handle(Command::Open { session }) else {
            panic!("opens");
        };
        // The last request: CrossVM.increment(2), an EVM call into Wasm.
        let last = view.receipts.last().expect("a receipt").clone();
        assert_eq!(last.trace.vm, isc_engine::VmType::EVM);
        let before = host.view();
        let reply = host.handle(Command::TracePast {
            block: last.block_index,
            request_index: last.request_index,
            steps: 50_000,
        });
        let Reply::Simulated { receipt } = reply else {
            panic!("simulated: {reply:?}")
        };
        assert_eq!(receipt.gas_burned, last.gas_burned, "it ran as it did");
        assert_eq!(host.view(), before, "debugging changes nothing");
        let recorded = crate::model::contract::recorded(&receipt);
        // EVM steps, then at the magic contract's CALL the Wasm callee's,
        // one level deeper, then the EVM again.
        let first_wasm = recorded
            .steps
            .iter()
            .position(|s| s.func.is_some())
            .expect("Wasm steps");
        let caller = &recorded.steps[first_wasm - 1];
        assert_eq!(caller.op, "CALL");
        assert_eq!(recorded.steps[first_wasm].depth, caller.depth + 1);
        assert!(recorded.steps.last().is_some_and(|s| s.func.is_none()));
        let debugging = crate::model::debug::Debugging::new(recorded, &[]);
        let names: Vec<&str> = debugging
            .host_calls()
            .iter()
            .map(|(_, call)| call.name.as_str())
            .collect();
        assert!(names.contains(&"state set"), "{names:?}");
        // Over the CALL runs through the callee; into enters it.
        let at_call = first_wasm - 1;
        assert!(debugging.steps[debugging.step_over(at_call)].func.is_none());
        assert!(debugging.steps[debugging.step_into(at_call)].func.is_some());
        assert!(debugging.frame(0).is_some_and(|f| f.kind == "Call"));
        // The Wasm counter's write shows with the storage written.
        let end = debugging.len();
        assert!(
            debugging
                .storage_written(end)
                .iter()
                .any(|written| written.slot.contains("counter")),
            "{:?}",
            debugging.storage_written(end)
        );
        // Genesis has no request.
        assert!(matches!(
            host.handle(Command::TracePast {
                block: 0,
                request_index: 0,
                steps: 10
            }),
            Reply::Failed { .. }
        ));
    }

    /// The page's view, kept as the page keeps it: each reply's view read
    /// from the wire and put together with the one before.
    #[track_caller]
    fn page_sees(page: &mut Option<ChainView>, host: &mut Host, command: Command) {
        let reply = host.handle(command);
        let text = FromWorker::new(1, reply).to_json();
        let reply = FromWorker::from_json(&text).expect("readable").reply;
        if let Reply::Chain { view, .. }
        | Reply::Rpc {
            view: Some(view), ..
        } = reply
        {
            ChainView::update(page, *view).expect("the update fits the page's view");
        }
        assert_eq!(
            page.as_ref(),
            Some(&host.view()),
            "the page's view is whole"
        );
    }

    #[test]
    fn updates_send_what_is_new_and_the_page_puts_together_the_whole_view() {
        let mut host = Host::default();
        let mut page = None;
        let ready = host.update();
        assert_eq!(ready.since, None, "the first view is whole");
        ChainView::update(&mut page, ready).expect("whole");
        let deploy = counter_deploy;
        let call = |entry: &str, queue: bool| counter_request(entry, Dict::new(), queue);
        page_sees(&mut page, &mut host, deploy());
        for _ in 0..5 {
            page_sees(&mut page, &mut host, call("increment", false));
        }
        // A request's update carries its own receipt and step only.
        let Reply::Chain { view, .. } = host.handle(call("increment", false)) else {
            panic!("a request");
        };
        assert_eq!(view.receipts.len(), 1);
        assert_eq!(view.session.requests.len(), 1);
        assert_eq!(
            view.since.as_ref().map(|since| (since.block, since.steps)),
            Some((view.block_index - 1, 7))
        );
        ChainView::update(&mut page, *view).expect("fits");
        // Queued steps, a block of them, time advanced; then time travel
        // back, and other requests.
        page_sees(&mut page, &mut host, call("increment", true));
        page_sees(&mut page, &mut host, Command::AdvanceTime { seconds: 9 });
        page_sees(&mut page, &mut host, Command::RunBlock);
        page_sees(&mut page, &mut host, call("increment", true));
        page_sees(&mut page, &mut host, Command::RevertTo { block: 4 });
        page_sees(&mut page, &mut host, call("incrementWithDelay", false));
        page_sees(&mut page, &mut host, call("increment", false));
        // A failed command sends nothing; the next update still fits.
        assert!(matches!(
            host.handle(Command::RevertTo { block: 99 }),
            Reply::Failed { .. }
        ));
        page_sees(&mut page, &mut host, call("increment", false));
        // Another session opened: whole again.
        let other = {
            let mut other = Host::default();
            other.handle(deploy());
            other.session().to_json()
        };
        page_sees(&mut page, &mut host, Command::Open { session: other });
        page_sees(&mut page, &mut host, call("increment", false));
        // An update that does not follow the page's view is refused, and
        // the page's view stays.
        let before = page.clone();
        host.handle(call("increment", false));
        let Reply::Chain { view, .. } = host.handle(call("increment", false)) else {
            panic!("a request");
        };
        assert!(matches!(
            ChainView::update(&mut page, *view),
            Err(crate::protocol::UpdateError::Stale { .. })
        ));
        assert_eq!(page, before);
        // Asked to, the worker sends all of it again.
        host.resend();
        page_sees(&mut page, &mut host, call("increment", false));
    }

    /// The reply as the page reads it: serialized by the worker, parsed by
    /// the page. It must arrive whole.
    fn through_the_wire(reply: Reply) -> Reply {
        let text = FromWorker::new(9, reply.clone()).to_json();
        let back = FromWorker::from_json(&text).expect("the page reads every reply");
        assert_eq!(back.id, 9);
        assert_eq!(back.reply, reply);
        back.reply
    }

    #[test]
    fn every_failing_request_is_a_reply_the_page_can_read() {
        let mut host = Host::default();
        let deployed = host.handle(Command::Deploy {
            sender: AgentId::user("alice"),
            name: "testcore".into(),
            vm: VmType::WASM,
            binary: example("testcore/testcore.wasm"),
            init: Dict::new(),
            sources: Vec::new(),
            gas_budget: None,
        });
        assert!(matches!(through_the_wire(deployed), Reply::Chain { .. }));
        for (contract, entry) in [
            ("testcore", "testGrowMemory"),
            ("testcore", "testDeepRecursion"),
            ("testcore", "testPost"),
            ("nosuch", "go"),
        ] {
            let reply = host.handle(Command::request(
                AgentId::user("alice"),
                contract,
                entry,
                Dict::new(),
            ));
            match through_the_wire(reply) {
                Reply::Chain {
                    receipt: Some(receipt),
                    ..
                } => assert!(!receipt.is_success(), "{contract}.{entry} failed"),
                // Refused before it ran: no block, the reason given.
                Reply::Failed { message } if contract == "nosuch" => {
                    assert!(message.contains("not found"), "{message}");
                }
                other => panic!("{contract}.{entry}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_solidity_contract_deployed_with_its_storage_layout_names_its_slots() {
        let mut host = Host::default();
        let files = vec![("Storage.json".to_owned(), example("solidity/Storage.json"))];
        let program = crate::model::contract::Deployable::from_files(&files)
            .expect("artifact")
            .remove(0);
        let deployed = host.handle(Command::Deploy {
            sender: AgentId::user("alice"),
            name: "storage".into(),
            vm: VmType::EVM,
            binary: program.binary,
            init: Dict::new(),
            sources: program.sources,
            gas_budget: None,
        });
        assert!(matches!(deployed, Reply::Chain { .. }), "{deployed:?}");
        let view = host.view();
        let labels: Vec<_> = view.contracts[0]
            .variables
            .iter()
            .map(|v| (v.slot.as_str(), v.label.as_str()))
            .collect();
        assert_eq!(labels, [("0", "value")]);
    }

    #[test]
    fn bad_commands_fail_with_a_message_and_change_nothing() {
        let mut host = Host::default();
        let before = host.view();
        for command in [
            Command::Open {
                session: "{".into(),
            },
            Command::RevertTo { block: 99 },
            Command::Deploy {
                sender: AgentId::user("alice"),
                name: " ".into(),
                vm: VmType::WASM,
                binary: vec![1, 2, 3],
                init: Dict::new(),
                sources: Vec::new(),
                gas_budget: None,
            },
        ] {
            assert!(matches!(host.handle(command), Reply::Failed { .. }));
        }
        assert_eq!(host.view(), before);
        // Mistakes are refused before they cost a block: a malformed
        // program, a name in use, a constructor argument that is not a
        // number, a request to a missing entry point.
        let token = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/examples/solidity/Token.json"
        ))
        .expect("Token artifact");
        let token = isc_engine::evm::programs_from_artifact(&token).expect("artifact")[0]
            .1
            .to_json();
        let deploy = |name: &str, vm: VmType, binary: Vec<u8>, args: &str| Command::Deploy {
            sender: AgentId::user("alice"),
            name: name.into(),
            vm,
            binary,
            init: Dict::new().with("args", args),
            sources: Vec::new(),
            gas_budget: None,
        };
        for (command, words) in [
            (
                deploy("junk", VmType::WASM, vec![1, 2, 3], "[]"),
                "invalid wasmvm program",
            ),
            (
                deploy("accounts", VmType::EVM, token.clone(), r#"["T","T","1"]"#),
                "already deployed",
            ),
            (
                deploy("token", VmType::EVM, token, r#"["T","T","many"]"#),
                "uint256",
            ),
        ] {
            match host.handle(command) {
                Reply::Failed { message } => assert!(message.contains(words), "{message}"),
                other => panic!("{words}: {other:?}"),
            }
        }
        assert_eq!(host.view(), before);
    }

    /// A factory's child: listed with its creator, its ABI picked from the
    /// compile, and called and viewed at its address.
    #[test]
    fn a_factorys_child_is_listed_and_called_at_its_address() {
        let mut host = Host::default();
        let artifact = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/fixtures/solidity/Factory.json"
        ))
        .expect("the fixture");
        let programs = isc_engine::evm::programs_from_artifact(&artifact).expect("artifact");
        let program = |name: &str| {
            programs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.clone())
                .expect("in the artifact")
        };
        let deployed = host.handle(Command::Deploy {
            sender: AgentId::user("alice"),
            name: "factory".into(),
            vm: VmType::EVM,
            binary: program("Factory").to_json(),
            init: Dict::new(),
            sources: Vec::new(),
            gas_budget: None,
        });
        assert!(matches!(deployed, Reply::Chain { .. }), "{deployed:?}");
        let call = |host: &mut Host, entry: &str, args: &str, view: bool, target| {
            host.handle(Command::Call {
                sender: AgentId::user("alice"),
                contract: "factory".into(),
                entry: entry.into(),
                params: Dict::new().with("args", args),
                tokens: Tokens::default(),
                view,
                gas_budget: None,
                trace: None,
                at: None,
                queue: false,
                target,
            })
        };
        let made = call(&mut host, "make", r#"["7"]"#, false, None);
        assert!(matches!(made, Reply::Chain { .. }), "{made:?}");

        let view = host.view();
        assert_eq!(view.evm_children.len(), 1);
        let child = &view.evm_children[0];
        assert_eq!(child.creator.as_deref(), Some("factory"));
        assert_eq!(child.code_of, None);
        assert_eq!(child.compiled_as, None);
        // Once the page says what it compiled, the child's code is known:
        // the smallest program holding it (the factory's holds it too).
        let known = ["Factory", "Child"]
            .map(|name| {
                (
                    name.to_owned(),
                    String::from_utf8(program(name).to_json()).expect("utf-8"),
                )
            })
            .to_vec();
        let Reply::Chain { view, .. } = host.handle(Command::KnownPrograms { programs: known })
        else {
            panic!("a view");
        };
        assert_eq!(view.evm_children[0].compiled_as.as_deref(), Some("Child"));
        let child = &view.evm_children[0];

        let abi = program("Child").abi_json();
        let Reply::Interface { entries, .. } = host.handle(Command::Interface {
            source: AbiSource::Json { text: abi.clone() },
        }) else {
            panic!("an interface");
        };
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert!(
            names.contains(&"value") && names.contains(&"set"),
            "{names:?}"
        );

        let target = || {
            Some(AddressTarget {
                address: child.address.clone(),
                abi: abi.clone(),
            })
        };
        let set = call(&mut host, "set", r#"["9"]"#, false, target());
        let Reply::Chain {
            receipt: Some(receipt),
            ..
        } = set
        else {
            panic!("a receipt: {set:?}");
        };
        assert!(receipt.is_success(), "{:?}", receipt.error);
        // No deployed contract declares the child's event: the page names it
        // with the ABI it opened the child with; the chain keeps it raw.
        assert_eq!(receipt.events[0].topic, "Set");
        let shown = host.view().receipts.last().cloned().expect("a receipt");
        assert_eq!(shown.events[0].topic, "Set");
        let stored = host.chain.receipts().pop().expect("a receipt");
        assert_eq!(stored.events[0].topic, "evm.log");
        assert_eq!(
            call(&mut host, "value", "[]", true, target()),
            Reply::Values {
                values: vec![("#0".into(), "9".into())]
            }
        );
        // The factory's ABI from the chain, and a wrong address, by name.
        assert!(matches!(
            host.handle(Command::Interface {
                source: AbiSource::Contract {
                    name: "factory".into()
                }
            }),
            Reply::Interface { .. }
        ));
        let wrong = Some(AddressTarget {
            address: "0x1234".into(),
            abi,
        });
        let Reply::Failed { message } = call(&mut host, "value", "[]", true, wrong) else {
            panic!("refused");
        };
        assert!(message.contains("not an EVM address"), "{message}");
    }
}
