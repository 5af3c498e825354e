//! The messages between the page and the engine worker: typed, versioned,
//! sent as JSON text through `postMessage`.
//!
//! The page sends a [`ToWorker`] (an id and a [`Command`]); the worker
//! answers each with a [`FromWorker`] carrying the same id and a [`Reply`].
//! It announces itself once with id 0 and [`Reply::Ready`]. A message of
//! another [`PROTOCOL_VERSION`] is refused with a message, never guessed at.

use isc_engine::session::{Session, Source};
use isc_engine::{AgentId, Dict, Receipt, VmType};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The version both sides must speak.
pub const PROTOCOL_VERSION: u32 = 2;

/// One typed parameter or result of an entry point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The dict key (Wasm) or argument name (EVM).
    pub name: String,
    /// The WasmLib type (`Uint64`, `AgentID`, …) or Solidity type (`uint256`, …).
    pub ty: String,
    /// May be left empty (a WasmLib optional param; Solidity has none).
    #[serde(default)]
    pub optional: bool,
}

/// A func or view and its params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its name.
    pub name: String,
    /// A view (read-only, answered at once) rather than a func (a request).
    pub view: bool,
    /// Takes base tokens as `msg.value` (a payable Solidity function).
    #[serde(default)]
    pub payable: bool,
    /// Its params are unknown (a Wasm contract deployed without a schema):
    /// the form takes raw `key=value` lines.
    #[serde(default)]
    pub raw: bool,
    /// Declared params.
    pub params: Vec<Param>,
    /// Declared results.
    pub results: Vec<Param>,
}

/// The tokens a call carries, in base tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// What the callee may take from the sender's account.
    pub allowance: u64,
    /// What a payable EVM function receives as `msg.value`.
    pub value: u64,
    /// What the sender attaches from its L1 wallet (an on-ledger deposit
    /// into its chain account, before the call runs).
    #[serde(default)]
    pub deposit: u64,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    /// [`PROTOCOL_VERSION`].
    pub v: u32,
    /// Echoed in the reply.
    pub id: u64,
    /// What to do.
    pub command: Command,
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FromWorker {
    /// [`PROTOCOL_VERSION`].
    pub v: u32,
    /// The command's id (0 for [`Reply::Ready`]).
    pub id: u64,
    /// The answer.
    pub reply: Reply,
}

/// What the page asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    /// Replaces the chain by replaying a session (JSON, the engine's
    /// session format); a session without requests is a fresh chain.
    Open {
        /// The session file's text.
        session: String,
    },
    /// Deploys a program (blob + `root.deployContract`) as one request.
    Deploy {
        /// Who deploys.
        sender: AgentId,
        /// The contract's name.
        name: String,
        /// Its VM.
        vm: VmType,
        /// The program: Wasm bytes, or an EVM program's JSON.
        #[serde(with = "hex_bytes")]
        binary: Vec<u8>,
        /// Init params.
        init: Dict,
        /// Sources kept in the session (its source text, its schema).
        sources: Vec<Source>,
        /// The request's gas budget (the chain's maximum when absent).
        gas_budget: Option<u64>,
    },
    /// Calls an entry point: a view directly, a func as a request.
    Call {
        /// Who calls.
        sender: AgentId,
        /// The contract's name.
        contract: String,
        /// The entry point's name.
        entry: String,
        /// Its params.
        params: Dict,
        /// Allowance and value.
        tokens: Tokens,
        /// Whether it is a view.
        view: bool,
        /// The request's gas budget (the default when absent).
        gas_budget: Option<u64>,
        /// Simulate the request instead (the chain stays as it is),
        /// recording up to this many instructions, of every VM, in its
        /// trace.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trace: Option<u32>,
        /// For a view: call it on the state after this block (time
        /// travel); the latest state when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<u32>,
        /// For a func: put the request in the queue instead of running it
        /// (a later block runs it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        queue: bool,
        /// Call code at an EVM address instead (`contract` is ignored):
        /// `entry` is a function of the target's ABI, and the request goes
        /// to `evm.callAddress` (a view: `evm.callContract`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<AddressTarget>,
    },
    /// An Ethereum JSON-RPC request (EIP-1193), answered from the chain.
    Rpc {
        /// The method.
        method: String,
        /// Its params (a JSON array).
        params: serde_json::Value,
    },
    /// EVM programs the page holds without their being deployed (compiled
    /// in the editor, uploaded): the worker names logs and errors with
    /// their ABIs and recognises their code in contracts that contracts
    /// created; one of a name already known replaces it. Replies with the
    /// chain view.
    KnownPrograms {
        /// (contract name, program JSON) pairs.
        programs: Vec<(String, String)>,
    },
    /// The funcs and views of an ABI, to call code at an address with.
    Interface {
        /// Where the ABI comes from.
        source: AbiSource,
    },
    /// What a program says of itself before it is deployed: its language.
    Inspect {
        /// Its VM.
        vm: VmType,
        /// The program.
        #[serde(with = "hex_bytes")]
        binary: Vec<u8>,
    },
    /// Runs a block of the queued requests that are ready.
    RunBlock,
    /// Moves the chain's clock forward before the next block.
    AdvanceTime {
        /// By how many seconds.
        seconds: u64,
    },
    /// Reverts the chain to the state after block `block`, dropping the
    /// blocks after it.
    RevertTo {
        /// The block to keep as the last one.
        block: u32,
    },
    /// Request `request_index` of block `block` run again on the chain as
    /// it was, with up to `steps` instructions recorded (the chain stays
    /// as it is): a past request, debugged.
    TracePast {
        /// The block.
        block: u32,
        /// The request's index in its block.
        #[serde(default)]
        request_index: u16,
        /// The most instructions to record.
        steps: u32,
    },
    /// The chain as it was after block `block` (time travel), or now.
    ViewAt {
        /// The block, or `None` for now.
        block: Option<u32>,
    },
    /// Runs the engines' first-light demo.
    FirstLight,
    /// Runs a benchmark workload on a chain of its own (the bench page,
    /// `cargo xtask bench`): the worker's chain is untouched. Only in a
    /// worker built with the `bench` feature.
    #[cfg(feature = "bench")]
    Bench {
        /// The workload.
        case: bench::BenchCase,
        /// The programs it deploys.
        fixtures: Box<bench::BenchFixtures>,
    },
    /// Compiles WebAssembly text to a binary (the `wat` crate).
    CompileWat {
        /// The text.
        text: String,
    },
    /// Chooses the engine Wasm calls run on (a chain setting: the state
    /// and every result stay as they are; the session records it).
    WasmEngine {
        /// The engine.
        engine: isc_engine::session::WasmEngineChoice,
    },
}

/// What the engine answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    /// The worker is up and holds a fresh default chain.
    Ready {
        /// That chain.
        view: Box<ChainView>,
    },
    /// The chain changed (opened, reverted, or a request ran): its new view.
    Chain {
        /// The chain now.
        view: Box<ChainView>,
        /// The receipt of the request that ran, if one did.
        receipt: Option<Box<Receipt>>,
    },
    /// A simulated request's receipt: nothing changed.
    Simulated {
        /// What the request would do.
        receipt: Box<Receipt>,
    },
    /// A view call's results, decoded.
    Values {
        /// `[name, value]` pairs.
        values: Vec<(String, String)>,
    },
    /// The chain as it was after an earlier block (nothing changed).
    Past {
        /// That chain.
        view: Box<ChainView>,
    },
    /// A JSON-RPC answer.
    Rpc {
        /// The result, or why there is none.
        outcome: Result<serde_json::Value, RpcFailure>,
        /// The chain now, when the request changed it.
        view: Option<Box<ChainView>>,
    },
    /// An ABI's funcs and views.
    Interface {
        /// The ABI, as JSON.
        abi: String,
        /// Its entry points, as contract cards show them.
        entries: Vec<Entry>,
    },
    /// What an inspected program says of itself.
    Inspected {
        /// Its source language, if it says (WasmLib's tag, the producers
        /// section).
        language: Option<String>,
    },
    /// A benchmark workload's figures.
    #[cfg(feature = "bench")]
    Bench {
        /// What it measured.
        report: bench::BenchReport,
    },
    /// The first-light demo's report.
    FirstLight {
        /// Both engines' results.
        report: FirstLightReport,
    },
    /// Compiled WebAssembly.
    Compiled {
        /// The module.
        #[serde(with = "hex_bytes")]
        binary: Vec<u8>,
    },
    /// The command failed; the chain is unchanged.
    Failed {
        /// Why, for people.
        message: String,
    },
}

/// What the page shows of a chain: everything a view reads, in one value.
///
/// On the wire a view may leave out what the page already holds
/// ([`ChainView::since`]): the worker sends the receipts and steps that
/// are new, so a reply costs the same at block 10 as at block 10 000, and
/// the page puts them together with [`ChainView::update`]. A view the page
/// keeps is always whole. The long parts are shared (`Arc`), so copying a
/// view costs nothing that grows with the session.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChainView {
    /// The last block's index.
    pub block_index: u32,
    /// The state hash after it.
    pub state_hash: String,
    /// The session that rebuilds this chain, sources included (for
    /// autosave, share links and for rebuilding the worker after a stop).
    pub session: Arc<Session>,
    /// Users (owner first), then deployed contracts, with their balances.
    pub accounts: Vec<AccountView>,
    /// Deployed (non-core) contracts, in deployment order.
    pub contracts: Vec<ContractView>,
    /// Every receipt, oldest first.
    pub receipts: Arc<Vec<Receipt>>,
    /// The requests waiting in the queue, oldest first.
    #[serde(default)]
    pub pending: Vec<isc_engine::Pending>,
    /// The latest block's time, nanoseconds since the Unix epoch.
    #[serde(default)]
    pub time: u64,
    /// The time the next block will have.
    #[serde(default)]
    pub next_block_time: u64,
    /// EVM contracts that contracts created (a factory's children): they
    /// have no ISC name, only an address.
    #[serde(default)]
    pub evm_children: Vec<EvmChild>,
    /// Set on the wire when the view holds only what follows the page's
    /// view: `receipts` then holds those of later blocks, and
    /// `session.requests` the steps after the ones kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Since>,
    /// The engine Wasm calls run on besides wasmi, by name (`None`: wasmi
    /// alone).
    #[serde(default)]
    pub wasm_engine: Option<String>,
    /// The browser's own engine, by name, if the worker has one.
    #[serde(default)]
    pub browser_engine: Option<String>,
}

/// What of the page's view an update keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    /// The receipts of blocks up to this one are unchanged.
    pub block: u32,
    /// So are this many steps of the session.
    pub steps: usize,
    /// The state hash of the view this one follows: the page's, or the
    /// update does not fit it.
    pub base: String,
}

/// Why an update could not be put together with the page's view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The page holds no view to update.
    #[error("the engine sent an update, but the page holds no chain to update")]
    NoView,
    /// The update follows another view than the page's (a reply was lost).
    #[error("the engine's update follows state {base}, but the page shows state {held}")]
    Stale {
        /// The view the update follows.
        base: String,
        /// The page's.
        held: String,
    },
    /// The update keeps more than the page holds.
    #[error(
        "the engine's update keeps {steps} steps up to block {block}, but the page holds {held_steps} steps up to block {held_block}"
    )]
    Ahead {
        /// The update's block.
        block: u32,
        /// The update's steps.
        steps: usize,
        /// The page's last block.
        held_block: u32,
        /// The page's steps.
        held_steps: usize,
    },
}

impl ChainView {
    /// Makes `view` the page's view: a whole view replaces it; one
    /// [`since`](Self::since) an earlier state keeps what is unchanged of
    /// this one and adds what is new. Costs what is new, not the session's
    /// length (the parts are copied only when something else still holds
    /// them).
    ///
    /// # Errors
    /// [`UpdateError`] if `view` keeps more than `held` holds; `held` is
    /// then unchanged.
    pub fn update(held: &mut Option<Self>, mut view: Self) -> Result<(), UpdateError> {
        let Some(since) = view.since.take() else {
            *held = Some(view);
            return Ok(());
        };
        let Some(old) = held.as_mut() else {
            return Err(UpdateError::NoView);
        };
        if since.base != old.state_hash {
            return Err(UpdateError::Stale {
                base: since.base,
                held: old.state_hash.clone(),
            });
        }
        if since.block > old.block_index || since.steps > old.session.requests.len() {
            return Err(UpdateError::Ahead {
                block: since.block,
                steps: since.steps,
                held_block: old.block_index,
                held_steps: old.session.requests.len(),
            });
        }
        let mut receipts = std::mem::take(&mut old.receipts);
        let list = Arc::make_mut(&mut receipts);
        let kept = list.partition_point(|receipt| receipt.block_index <= since.block);
        list.truncate(kept);
        list.extend(Arc::unwrap_or_clone(std::mem::take(&mut view.receipts)));
        let mut session = std::mem::take(&mut old.session);
        let whole = Arc::make_mut(&mut session);
        let new = Arc::unwrap_or_clone(std::mem::take(&mut view.session));
        whole.requests.truncate(since.steps);
        whole.requests.extend(new.requests);
        whole.config = new.config;
        whole.sources = new.sources;
        whole.wasm_engine = new.wasm_engine;
        view.receipts = receipts;
        view.session = session;
        *old = view;
        Ok(())
    }
}

/// An EVM contract another contract created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvmChild {
    /// Its address, checksummed.
    pub address: String,
    /// Who created it: a deployed contract's name, or another child's
    /// address.
    pub creator: Option<String>,
    /// The deployed contract whose code it runs, if one does (its ABI fits).
    pub code_of: Option<String>,
    /// Else the compiled contract (of [`Command::KnownPrograms`]) whose
    /// code it runs, if one does.
    #[serde(default)]
    pub compiled_as: Option<String>,
}

/// A JSON-RPC error, as EIP-1193 shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcFailure {
    /// The code (3: a revert, 4100: an account the page does not hold,
    /// -32601: an unknown method, -32602: bad params).
    pub code: i64,
    /// What went wrong.
    pub message: String,
    /// A revert's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// Code at an EVM address and the ABI to call it with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressTarget {
    /// The address, `0x` and 40 hex digits.
    pub address: String,
    /// The ABI, as JSON.
    pub abi: String,
}

/// Where an ABI comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AbiSource {
    /// A deployed EVM contract's.
    Contract {
        /// Its name.
        name: String,
    },
    /// ABI JSON (pasted, or from a compile).
    Json {
        /// The text.
        text: String,
    },
}

/// An account and its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// A user's or contract's name.
    pub name: String,
    /// Its agent id.
    pub agent: AgentId,
    /// Base tokens on the chain.
    pub l2: u64,
    /// Base tokens in its L1 wallet (users only).
    pub l1: Option<u64>,
    /// Whether it is a user (who can send requests).
    pub user: bool,
    /// Its Ethereum address (`0x…`): what Solidity sees as `msg.sender`.
    pub address: String,
}

/// A deployed contract: its entry points and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractView {
    /// Its name.
    pub name: String,
    /// Its VM.
    pub vm: VmType,
    /// Its hname, hex.
    pub hname: String,
    /// Its Ethereum address (EVM contracts).
    pub address: Option<String>,
    /// Its funcs and views.
    pub entries: Vec<Entry>,
    /// Its state: raw keys and values (for an EVM contract, its storage
    /// slots as `slot → value`, 32 bytes each).
    pub state: Vec<StateItem>,
    /// An EVM contract's variables by slot, where the compiler's storage
    /// layout came with it.
    #[serde(default)]
    pub variables: Vec<Variable>,
    /// The language its program was written in, if the program says.
    #[serde(default)]
    pub language: Option<String>,
}

/// A Solidity state variable: where it lives and what it is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Its slot, as solc writes it (decimal).
    pub slot: String,
    /// Its byte offset within the slot (variables smaller than 32 bytes
    /// share one).
    #[serde(default)]
    pub offset: u32,
    /// Its name.
    pub label: String,
}

/// One key of contract state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateItem {
    /// The key.
    #[serde(with = "hex_bytes")]
    pub key: Vec<u8>,
    /// The value.
    #[serde(with = "hex_bytes")]
    pub value: Vec<u8>,
}

/// The first-light demo's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstLightReport {
    /// `fib(20)` by wasmi.
    pub wasm_value: u64,
    /// Its fuel.
    pub wasm_gas: u64,
    /// `6 * 7` by revm.
    pub evm_value: u64,
    /// Its gas.
    pub evm_gas: u64,
    /// The demo chain's state hash.
    pub state_hash: String,
}

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Not JSON of the expected shape.
    #[error("a malformed message between page and engine: {0}")]
    Malformed(String),
    /// The other side speaks another version.
    #[error(
        "the engine speaks protocol version {found}, the page {PROTOCOL_VERSION}: reload the page"
    )]
    Version {
        /// The version received.
        found: u32,
    },
}

fn read<T: serde::de::DeserializeOwned>(
    text: &str,
    version: impl Fn(&T) -> u32,
) -> Result<T, ProtocolError> {
    let message: T =
        serde_json::from_str(text).map_err(|err| ProtocolError::Malformed(err.to_string()))?;
    match version(&message) {
        PROTOCOL_VERSION => Ok(message),
        found => Err(ProtocolError::Version { found }),
    }
}

/// The bench site's messages (feature `bench`): a workload, the programs
/// it deploys, and what it measured (`crate::worker::bench` runs them).
#[cfg(feature = "bench")]
pub mod bench {
    use serde::{Deserialize, Serialize};

    /// One workload and its size.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case", tag = "case")]
    pub enum BenchCase {
        /// Solidity `Token.transfer` as chain requests, one per block.
        TokenRequests {
            /// How many.
            count: u32,
        },
        /// The same, queued and run 100 to a block.
        TokenBatch {
            /// How many.
            count: u32,
        },
        /// The same transfer on a bare revm over an in-memory database.
        TokenRevm {
            /// How many.
            count: u32,
        },
        /// A trivial Wasm request: `inccounter.increment`.
        Increment {
            /// How many.
            count: u32,
            /// On the browser's own WebAssembly (else wasmi alone).
            #[serde(default)]
            browser: bool,
        },
        /// CPU-bound Wasm: `testcore.testFibonacci(n)`, one request.
        Fibonacci {
            /// The argument.
            n: u32,
            /// On the browser's own WebAssembly (else wasmi alone).
            #[serde(default)]
            browser: bool,
        },
        /// Replaying a session of a deploy and `requests` increments.
        Replay {
            /// How many increments.
            requests: u32,
            /// On the browser's own WebAssembly (else wasmi alone).
            #[serde(default)]
            browser: bool,
        },
        /// The worker's whole answer to a request (the request, the view, the
        /// JSON on the wire) on a chain of `blocks` blocks, and the worker's
        /// memory there.
        Latency {
            /// The chain's length.
            blocks: u32,
            /// How many requests are timed.
            count: u32,
            /// On the browser's own WebAssembly (else wasmi alone).
            #[serde(default)]
            browser: bool,
        },
        /// Not a timing: the differential check of the two Wasm engines.
        /// Each session replayed, and each module deployed with every
        /// entry point called (funcs as requests, views), on wasmi alone
        /// and on the browser's WebAssembly: the receipts, view results
        /// and state hashes must be the same. `ops` counts what was
        /// compared, `on_browser` the requests the browser's engine ran.
        Differential {
            /// Session files (JSON).
            #[serde(default)]
            sessions: Vec<String>,
            /// Wasm modules (binary, hex on the wire).
            #[serde(default, with = "hex_list")]
            modules: Vec<Vec<u8>>,
            /// Modules as WAT text.
            #[serde(default)]
            wat: Vec<String>,
        },
    }

    /// A list of byte strings as hex strings.
    mod hex_list {
        use serde::{Deserialize, Deserializer, Serializer};

        pub(super) fn serialize<S: Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(list.iter().map(const_hex::encode))
        }

        pub(super) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<Vec<u8>>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|text| hex::decode(text).map_err(serde::de::Error::custom))
                .collect()
        }
    }

    /// The programs the workloads deploy (the worker has no file system: the
    /// bench page fetches them from the site's examples).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BenchFixtures {
        /// `examples/solidity/Token.json` (solc standard-JSON output).
        pub token: String,
        /// `examples/inccounter/inccounter.wasm`.
        #[serde(with = "super::hex_bytes")]
        pub inccounter: Vec<u8>,
        /// `examples/testcore/testcore.wasm`.
        #[serde(with = "super::hex_bytes")]
        pub testcore: Vec<u8>,
    }

    /// What one run of a workload measured.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct BenchReport {
        /// Operations timed.
        pub ops: u32,
        /// Their total time, milliseconds.
        pub total_ms: f64,
        /// Time per operation, microseconds.
        pub per_op_us: f64,
        /// The engine's linear memory after the run, bytes (wasm32 only).
        pub memory_bytes: Option<u64>,
        /// For the differential check: the requests and views the
        /// browser's engine ran (not handed back).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub on_browser: Option<u32>,
    }
}

impl Command {
    /// A plain request to `contract`'s `entry` from `sender`: no tokens,
    /// the default gas budget, run now (not queued, not traced).
    pub fn request(sender: AgentId, contract: &str, entry: &str, params: Dict) -> Self {
        Self::Call {
            sender,
            contract: contract.to_owned(),
            entry: entry.to_owned(),
            params,
            tokens: Tokens::default(),
            view: false,
            gas_budget: None,
            trace: None,
            at: None,
            queue: false,
            target: None,
        }
    }
}

impl ToWorker {
    /// `command` as message `id`.
    pub fn new(id: u64, command: Command) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            id,
            command,
        }
    }

    /// Reads a message.
    ///
    /// # Errors
    /// [`ProtocolError`].
    pub fn from_json(text: &str) -> Result<Self, ProtocolError> {
        read(text, |m: &Self| m.v)
    }
}

impl FromWorker {
    /// `reply` to message `id`.
    pub fn new(id: u64, reply: Reply) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            id,
            reply,
        }
    }

    /// Reads a message.
    ///
    /// # Errors
    /// [`ProtocolError`].
    pub fn from_json(text: &str) -> Result<Self, ProtocolError> {
        read(text, |m: &Self| m.v)
    }
}

/// Serializes a message to the worker. A command that cannot be
/// serialized is sent as one the worker refuses with the reason, so its
/// reply still arrives.
pub fn to_json(message: &ToWorker) -> String {
    serde_json::to_string(message).unwrap_or_else(|err| {
        format!(
            "{{\"v\":{PROTOCOL_VERSION},\"id\":{},\"unsendable\":{}}}",
            message.id,
            serde_json::Value::String(err.to_string())
        )
    })
}

impl FromWorker {
    /// The message as JSON text. A reply that cannot be serialized becomes
    /// a `Failed` reply to the same message, naming why: the page always
    /// gets an answer it can read, never an empty message.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|err| {
            let message = format!("the engine could not send its reply: {err}");
            // Built by hand: a string value always serializes.
            format!(
                "{{\"v\":{PROTOCOL_VERSION},\"id\":{},\"reply\":{{\"kind\":\"failed\",\"message\":{}}}}}",
                self.id,
                serde_json::Value::String(message)
            )
        })
    }
}

/// The `id` of a message that could not be read, if its text names one,
/// so the side waiting for it can be told.
pub fn message_id(text: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()?
        .get("id")?
        .as_u64()
}

/// Bytes as a hex string in JSON.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&const_hex::encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_other_versions_are_refused() {
        let message = ToWorker::new(
            7,
            Command::Deploy {
                sender: AgentId::user("alice"),
                name: "c".into(),
                vm: VmType::WASM,
                binary: vec![0, 97, 115, 109],
                init: Dict::new().with("counter", 5u64.to_le_bytes().to_vec()),
                sources: Vec::new(),
                gas_budget: Some(1000),
            },
        );
        let text = to_json(&message);
        assert!(text.contains("\"binary\":\"0061736d\""), "{text}");
        assert_eq!(ToWorker::from_json(&text), Ok(message));
        let other = text.replacen(
            &format!("\"v\":{PROTOCOL_VERSION}"),
            &format!("\"v\":{}", PROTOCOL_VERSION + 1),
            1,
        );
        assert_eq!(
            ToWorker::from_json(&other),
            Err(ProtocolError::Version {
                found: PROTOCOL_VERSION + 1
            })
        );
        assert!(matches!(
            FromWorker::from_json("{"),
            Err(ProtocolError::Malformed(_))
        ));
    }
}
