//! The chain: genesis, requests and blocks, views, snapshots and reverts.

pub(crate) mod compact;
mod exec;
pub(crate) mod l1;
pub(crate) mod queue;
pub(crate) mod receipt;
mod registry;
pub(crate) mod store;

use crate::Hname;
use crate::codec::{Assets, Dict};
use crate::core::governance::{FeePolicy, Limits};
use crate::core::root::ContractRecord;
use crate::core::{self, accounts, blob, blocklog, governance, root};
use crate::ids::{AgentId, ChainId, Hash, RequestId};
use crate::vm::{EntryPointInfo, GAS, ProcessorFactory, VmError, VmType};
use exec::{BlockEnv, Call, Exec};
use queue::Pending;
use receipt::{BlockInfo, Receipt, Request, Step};
use registry::Registry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
use store::{Store, Undo};

pub use compact::ReceiptForm;
pub use store::StateHash;

/// How a chain starts. Every field has a documented default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChainConfig {
    /// The chain id (default: blake2b-256 of `isc-playground`).
    pub chain_id: ChainId,
    /// The chain's description (default `ISC Playground chain`).
    pub description: String,
    /// The owner's user name (default `owner`).
    pub owner: String,
    /// The other users' names (default `alice`, `bob`, `carol`).
    pub users: Vec<String>,
    /// Base tokens in each user's (and the owner's) L1 wallet at genesis
    /// (default 1 000 000 000).
    pub l1_funds: u64,
    /// Base tokens in each user's (and the owner's) chain account at genesis
    /// (default 10 000 000).
    pub l2_funds: u64,
    /// Genesis time, nanoseconds since the Unix epoch (default
    /// 2024-01-01T00:00:00Z).
    pub genesis_time: u64,
    /// Time between blocks, nanoseconds (default 1 s).
    pub block_time: u64,
    /// The gas fee policy (default 100 gas per token, minimum fee 100).
    pub fee_policy: FeePolicy,
    /// Size and count limits (see [`Limits`]).
    pub limits: Limits,
    /// The most gas one request may burn (default 50 000 000).
    pub max_gas_per_request: u64,
    /// The gas budget of a view call (default 50 000 000).
    pub view_gas_budget: u64,
    /// How the blocklog stores receipts (default: compact). A config that
    /// names no form is from before the compact form, and keeps JSON.
    #[serde(
        default = "ReceiptForm::unnamed",
        skip_serializing_if = "ReceiptForm::is_unnamed"
    )]
    pub receipt_form: ReceiptForm,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            chain_id: ChainId(Hash::blake2b(b"isc-playground").0),
            description: "ISC Playground chain".into(),
            owner: "owner".into(),
            users: vec!["alice".into(), "bob".into(), "carol".into()],
            l1_funds: 1_000_000_000,
            l2_funds: 10_000_000,
            genesis_time: 1_704_067_200_000_000_000,
            block_time: 1_000_000_000,
            fee_policy: FeePolicy::default(),
            limits: Limits::default(),
            max_gas_per_request: 50_000_000,
            view_gas_budget: 50_000_000,
            receipt_form: ReceiptForm::Compact,
        }
    }
}

/// A chain config field out of its bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid chain config: `{field}` {message}")]
pub struct ConfigError {
    /// The field.
    pub field: &'static str,
    /// What is wrong, with the bound.
    pub message: String,
}

impl ChainConfig {
    /// The most gas a request or view may be given (Wasp's block limit).
    pub const MAX_GAS: u64 = 1_000_000_000;
    /// The most users besides the owner.
    pub const MAX_USERS: usize = 64;
    /// The longest user (or owner) name, in bytes.
    pub const MAX_NAME_BYTES: usize = 64;
    /// The longest description, in bytes.
    pub const MAX_DESCRIPTION_BYTES: usize = 1024;
    /// The latest genesis time: 2100-01-01T00:00:00Z, in nanoseconds.
    pub const MAX_GENESIS_TIME: u64 = 4_102_444_800_000_000_000;
    /// The longest time between blocks: a day, in nanoseconds.
    pub const MAX_BLOCK_TIME: u64 = 86_400_000_000_000;
    /// The most gas one base token may buy.
    pub const MAX_GAS_PER_TOKEN: u64 = 1_000_000;
    /// The largest minimum fee, in base tokens.
    pub const MAX_MIN_FEE: u64 = 1_000_000_000_000;
    /// The largest blob (and so program) a config may allow.
    pub const MAX_BLOB_SIZE: u32 = 4 * 1024 * 1024;
    /// The largest event payload a config may allow.
    pub const MAX_EVENT_SIZE: u32 = 1024 * 1024;
    /// The most events per request a config may allow.
    pub const MAX_EVENTS_PER_REQUEST: u32 = 10_000;

    /// Checks every field against its bound (configs come from share links
    /// and files: nothing in one may make a request unbounded or a token
    /// amount overflow). The total of every account's genesis funds must
    /// fit a `u64`, so no balance can ever overflow.
    ///
    /// # Errors
    /// The first field out of bounds.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |field, message: String| Err(ConfigError { field, message });
        let name_ok = |name: &str| !name.is_empty() && name.len() <= Self::MAX_NAME_BYTES;
        if !name_ok(&self.owner) {
            return fail(
                "owner",
                format!("must be 1 to {} bytes long", Self::MAX_NAME_BYTES),
            );
        }
        if self.users.len() > Self::MAX_USERS {
            return fail(
                "users",
                format!(
                    "lists {} users; at most {} are allowed",
                    self.users.len(),
                    Self::MAX_USERS
                ),
            );
        }
        let mut names = std::collections::BTreeSet::from([self.owner.as_str()]);
        for user in &self.users {
            if !name_ok(user) {
                return fail(
                    "users",
                    format!("names must be 1 to {} bytes long", Self::MAX_NAME_BYTES),
                );
            }
            if !names.insert(user) {
                return fail(
                    "users",
                    format!("name `{user}` appears twice (the owner counts too)"),
                );
            }
        }
        if self.description.len() > Self::MAX_DESCRIPTION_BYTES {
            return fail(
                "description",
                format!("is longer than {} bytes", Self::MAX_DESCRIPTION_BYTES),
            );
        }
        let accounts = self.users.len() as u64 + 1;
        let supply = self
            .l1_funds
            .checked_add(self.l2_funds)
            .and_then(|each| each.checked_mul(accounts));
        if supply.is_none() {
            return fail(
                "l1_funds/l2_funds",
                format!("give {accounts} accounts more base tokens than a u64 holds in total"),
            );
        }
        if self.genesis_time > Self::MAX_GENESIS_TIME {
            return fail("genesis_time", "is after the year 2100".into());
        }
        if self.block_time == 0 || self.block_time > Self::MAX_BLOCK_TIME {
            return fail(
                "block_time",
                format!("must be 1 to {} nanoseconds (a day)", Self::MAX_BLOCK_TIME),
            );
        }
        let policy = self.fee_policy;
        if policy.gas_per_token == 0 || policy.gas_per_token > Self::MAX_GAS_PER_TOKEN {
            return fail(
                "fee_policy.gas_per_token",
                format!("must be 1 to {}", Self::MAX_GAS_PER_TOKEN),
            );
        }
        if policy.min_fee > Self::MAX_MIN_FEE {
            return fail(
                "fee_policy.min_fee",
                format!("must be at most {}", Self::MAX_MIN_FEE),
            );
        }
        let limits = self.limits;
        for (field, value, max) in [
            (
                "limits.max_blob_size",
                limits.max_blob_size,
                Self::MAX_BLOB_SIZE,
            ),
            (
                "limits.max_event_size",
                limits.max_event_size,
                Self::MAX_EVENT_SIZE,
            ),
            (
                "limits.max_events_per_request",
                limits.max_events_per_request,
                Self::MAX_EVENTS_PER_REQUEST,
            ),
        ] {
            if value > max {
                return fail(field, format!("is {value}; at most {max} is allowed"));
            }
        }
        for (field, value) in [
            ("max_gas_per_request", self.max_gas_per_request),
            ("view_gas_budget", self.view_gas_budget),
        ] {
            if value == 0 || value > Self::MAX_GAS {
                return fail(
                    field,
                    format!("is {value}; it must be 1 to {}", Self::MAX_GAS),
                );
            }
        }
        Ok(())
    }

    /// The owner's agent id.
    pub fn owner_id(&self) -> AgentId {
        AgentId::user(&self.owner)
    }

    /// The funded users (owner first), with their agent ids.
    pub fn accounts(&self) -> Vec<(String, AgentId)> {
        std::iter::once(&self.owner)
            .chain(&self.users)
            .map(|name| (name.clone(), AgentId::user(name)))
            .collect()
    }
}

/// Why the chain could not process a request at all (a request that runs
/// and fails is not an error: it is a failed [`Receipt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// Requests come from users or Ethereum accounts, not from contracts or nil.
    #[error("a request cannot be sent by {0}")]
    InvalidSender(AgentId),
    /// The sender's wallet cannot cover the attached tokens.
    #[error("{sender} cannot attach {needed} base tokens: its L1 wallet holds {available}")]
    InsufficientL1Funds {
        /// The sender.
        sender: AgentId,
        /// Its wallet balance.
        available: u64,
        /// The tokens attached.
        needed: u64,
    },
    /// The sender cannot pay the minimum fee.
    #[error(
        "{sender} cannot pay the minimum fee of {fee} base tokens (it holds {available} on the chain)"
    )]
    CannotPayFee {
        /// The sender.
        sender: AgentId,
        /// Its chain balance.
        available: u64,
        /// The minimum fee.
        fee: u64,
    },
    /// No such block.
    #[error("block {index} does not exist (the latest is {latest})")]
    NoSuchBlock {
        /// The block asked for.
        index: u32,
        /// The latest block.
        latest: u32,
    },
    /// A block has no request of that index.
    #[error("block {index} has no request {request_index}")]
    NoSuchRequest {
        /// The block asked for.
        index: u32,
        /// The request asked for.
        request_index: u16,
    },
    /// A view failed.
    #[error(transparent)]
    View(#[from] VmError),
    /// The chain has done all the work one session may do.
    #[error(
        "this chain has burned {burned} gas, the most one session may ({}): export it and start a new chain",
        Chain::MAX_TOTAL_GAS
    )]
    WorkLimit {
        /// The gas burned since genesis.
        burned: u64,
    },
    /// A block was asked for, but no queued request is ready.
    #[error("{}", nothing_ready(*.waiting, *.next_unlock))]
    NothingReady {
        /// How many requests wait.
        waiting: usize,
        /// The time (ns since the epoch) the first time lock opens, if any.
        next_unlock: Option<u64>,
    },
    /// The queue is full.
    #[error("the queue already holds {max} requests, the most it may: run a block first")]
    QueueFull {
        /// The cap.
        max: usize,
    },
    /// The clock was asked to move by nothing or too far.
    #[error("time moves forward by 1 to {max} seconds at a time, not {seconds}")]
    BadAdvance {
        /// The seconds asked for.
        seconds: u64,
        /// The most allowed.
        max: u64,
    },
    /// A deposit would make a balance overflow.
    #[error("depositing {needed} base tokens would overflow the chain account of {sender}")]
    Overflow {
        /// The sender.
        sender: AgentId,
        /// The tokens attached.
        needed: u64,
    },
}

fn nothing_ready(waiting: usize, next_unlock: Option<u64>) -> String {
    match (waiting, next_unlock) {
        (0, _) => "no request is queued: there is nothing for a block to run".into(),
        (_, Some(time)) => format!(
            "no queued request is ready yet: the first time lock opens at {} (advance time)",
            crate::chain::receipt::format_time(time)
        ),
        (_, None) => "no queued request is ready yet (advance time)".into(),
    }
}

/// What the chain keeps of each block besides its state: the hash, the
/// undo log, and the steps that led to it (genesis has none) — kept here,
/// not only in the blocklog, so a session never depends on reading a
/// receipt back.
#[derive(Clone)]
struct BlockRecord {
    state_hash: StateHash,
    /// Undoes the block and the steps before it since the previous block.
    undo: Vec<Undo>,
    /// The steps since the previous block; the last one made this block.
    steps: Vec<Step>,
    /// Gas burned by this block and all before it.
    total_gas: u64,
    /// Steps of this block and all before it.
    total_steps: usize,
    /// The block's time, nanoseconds since the Unix epoch.
    timestamp: u64,
}

/// A copy of the chain's state and history, to [`Chain::restore`] later.
pub struct Snapshot {
    store: Store,
    blocks: Vec<BlockRecord>,
    steps: Vec<Step>,
}

/// A deterministic, single-process ISC chain.
///
/// Every func call is a [`Request`]: it runs atomically, closes a block and
/// leaves a [`Receipt`] in the blocklog. Views run on the latest state and
/// never change it. Processors for VM types other than `core` are added with
/// [`Chain::register_processor`].
pub struct Chain {
    config: ChainConfig,
    store: Store,
    registry: Registry,
    blocks: Vec<BlockRecord>,
    /// Steps since the last block (queued requests, time advanced): their
    /// changes are the store's journal until a block takes it.
    steps: Vec<Step>,
    /// The engine that ran a request's Wasm calls, where not wasmi alone
    /// (see [`Receipt::wasm_engine`]).
    engines: BTreeMap<crate::RequestId, String>,
}

impl Chain {
    /// The most gas one chain (and so one session, and its replay) may
    /// burn in all (see [`crate::bounds::MAX_TOTAL_GAS`]).
    pub const MAX_TOTAL_GAS: u64 = crate::bounds::MAX_TOTAL_GAS;

    /// A chain at genesis (block 0): core contracts deployed, the owner and
    /// users funded.
    pub fn new(config: ChainConfig) -> Self {
        let registry = Registry::new();
        let mut store = Store::default();
        let owner = config.owner_id();
        governance::init(
            &mut store,
            &owner,
            &config.description,
            config.fee_policy,
            config.limits,
        );
        for contract in registry.core_contracts() {
            root::put_record(
                &mut store,
                &ContractRecord {
                    name: contract.name.to_owned(),
                    hname: contract.hname(),
                    description: contract.description.to_owned(),
                    program_hash: core::core_program_hash(contract.name),
                    deployer: owner,
                    vm_type: VmType::CORE,
                },
            );
        }
        for (_, agent) in config.accounts() {
            // Only a config that fails `validate` can overflow here; its
            // excess funds are not credited.
            let _ = l1::credit(&mut store, &agent, Assets::base(config.l1_funds));
            let _ = accounts::mint(&mut store, &agent, Assets::base(config.l2_funds));
        }
        let users: Vec<AgentId> = config
            .accounts()
            .into_iter()
            .map(|(_, agent)| agent)
            .collect();
        crate::evm::genesis(&mut store, &users);
        let genesis = BlockInfo {
            index: 0,
            timestamp: config.genesis_time,
            requests: 0,
            gas_burned: 0,
            gas_fee: 0,
            previous_state_hash: StateHash([0; 32]).to_string(),
        };
        blocklog::put_block(&mut store, &genesis, &[], config.receipt_form);
        store.take_journal();
        let state_hash = store.hash();
        Self {
            config,
            store,
            registry,
            blocks: vec![BlockRecord {
                state_hash,
                undo: Vec::new(),
                steps: Vec::new(),
                total_gas: 0,
                total_steps: 0,
                timestamp: genesis.timestamp,
            }],
            steps: Vec::new(),
            engines: BTreeMap::new(),
        }
    }

    /// Adds a VM: contracts whose program blob names `factory.vm_type()` run
    /// on the processors it loads. Replaces a factory of the same type.
    pub fn register_processor(&mut self, factory: Box<dyn ProcessorFactory>) {
        self.registry.register(factory);
    }

    /// Runs Wasm calls on `runtime` (the browser's own engine) where it
    /// ends them exactly as wasmi would, or on wasmi alone (`None`). The
    /// state, results and gas are the same either way; receipts name the
    /// engine ([`Receipt::wasm_engine`]).
    pub fn set_wasm_runtime(
        &mut self,
        runtime: Option<Rc<dyn crate::wasmvm::runtime::WasmRuntime>>,
    ) {
        let limits = crate::wasmvm::WasmLimits::default();
        let factory = match runtime {
            Some(runtime) => crate::wasmvm::WasmFactory::with_runtime(limits, runtime),
            None => crate::wasmvm::WasmFactory::new(limits),
        };
        self.registry.register(Box::new(factory));
    }

    /// The VM types that programs may name (besides `core`).
    pub fn vm_types(&self) -> Vec<VmType> {
        self.registry.vm_types().cloned().collect()
    }

    /// The configuration the chain started from.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The chain id.
    pub fn chain_id(&self) -> ChainId {
        self.config.chain_id
    }

    /// The current chain owner.
    pub fn owner(&self) -> AgentId {
        governance::owner(&self.store)
    }

    /// The agent id of contract `name` on this chain.
    pub fn contract_agent(&self, name: &str) -> AgentId {
        AgentId::Contract {
            chain: self.chain_id(),
            hname: Hname::of(name),
        }
    }

    /// The latest block's index.
    pub fn block_index(&self) -> u32 {
        // There is always the genesis block; more than u32::MAX blocks
        // cannot be posted (see `post`).
        (self.blocks.len() - 1) as u32
    }

    /// The state hash after the latest block.
    pub fn state_hash(&self) -> StateHash {
        self.store.hash()
    }

    /// The state hash after block `index`, if it exists.
    pub fn state_hash_at(&self, index: u32) -> Option<StateHash> {
        self.blocks
            .get(index as usize)
            .map(|block| block.state_hash)
    }

    /// Posts a request: it runs atomically, first in a new block; the
    /// queued requests that are ready run after it in the same block.
    ///
    /// # Errors
    /// [`ChainError`] if the request cannot be processed at all; a request
    /// that runs and fails returns `Ok` with a failed receipt.
    pub fn post(&mut self, request: Request) -> Result<Receipt, ChainError> {
        self.post_traced(request, None)
    }

    /// [`Chain::post`]; with `trace`, instruction traces stay in the
    /// receipt — an EVM one asked for with `evm.steps`, and up to that
    /// many instructions of every VM's calls (only simulations keep them:
    /// a stored receipt holds no instruction trace, which can be 100 000
    /// steps).
    fn post_traced(&mut self, request: Request, trace: Option<u32>) -> Result<Receipt, ChainError> {
        let trace = trace.map(|steps| Traced {
            request_index: 0,
            steps,
        });
        let receipts = self.run_block_with(Some(request), trace)?;
        // The sender's request is the block's first.
        receipts.into_iter().next().ok_or(ChainError::NothingReady {
            waiting: 0,
            next_unlock: None,
        })
    }

    /// Puts `request` in the queue without running it: a later block runs
    /// it. Its tokens leave the sender's L1 wallet now (an on-ledger
    /// request). Returns its request id.
    ///
    /// # Errors
    /// [`ChainError::InvalidSender`], [`ChainError::InsufficientL1Funds`],
    /// [`ChainError::QueueFull`], [`ChainError::WorkLimit`].
    pub fn queue(&mut self, request: Request) -> Result<crate::RequestId, ChainError> {
        let sender = request.sender;
        if !matches!(sender, AgentId::User(_) | AgentId::Ethereum(_)) {
            return Err(ChainError::InvalidSender(sender));
        }
        self.check_work()?;
        if queue::len(&self.store) >= crate::bounds::MAX_QUEUED_REQUESTS {
            return Err(ChainError::QueueFull {
                max: crate::bounds::MAX_QUEUED_REQUESTS,
            });
        }
        self.take_from_wallet(&request)?;
        let nonce = accounts::nonce(&self.store, &sender);
        let id = request_id(&self.store.settled_hash(), &sender, nonce);
        queue::push(
            &mut self.store,
            &Pending {
                id,
                request: request.clone(),
                unlock_time: 0,
                posted_by: None,
            },
        );
        self.steps.push(Step::Queue(request));
        Ok(id)
    }

    /// Runs a new block of the queued requests that are ready (at most
    /// [`crate::bounds::MAX_BLOCK_REQUESTS`], oldest first) and returns
    /// their receipts.
    ///
    /// # Errors
    /// [`ChainError::NothingReady`]; [`ChainError::WorkLimit`].
    pub fn run_block(&mut self) -> Result<Vec<Receipt>, ChainError> {
        self.run_block_with(None, None)
    }

    /// Moves the clock `seconds` forward: the next block's time is the
    /// last one's plus the block time plus every second advanced since.
    ///
    /// # Errors
    /// [`ChainError::BadAdvance`] for 0 or more than
    /// [`crate::bounds::MAX_ADVANCE_SECONDS`].
    pub fn advance_time(&mut self, seconds: u64) -> Result<(), ChainError> {
        let max = crate::bounds::MAX_ADVANCE_SECONDS;
        if seconds == 0 || seconds > max {
            return Err(ChainError::BadAdvance { seconds, max });
        }
        queue::add_advance(&mut self.store, seconds);
        self.steps.push(Step::AdvanceTime { seconds });
        Ok(())
    }

    /// Does `step`; the receipts of the block it made, if it made one.
    ///
    /// # Errors
    /// As the method the step names.
    pub fn apply(&mut self, step: &Step) -> Result<Vec<Receipt>, ChainError> {
        match step {
            Step::Post(request) => self.post(request.clone()).map(|receipt| vec![receipt]),
            Step::Queue(request) => self.queue(request.clone()).map(|_| Vec::new()),
            Step::RunBlock => self.run_block(),
            Step::AdvanceTime { seconds } => self.advance_time(*seconds).map(|()| Vec::new()),
        }
    }

    /// The requests waiting in the queue, oldest first.
    pub fn pending(&self) -> Vec<Pending> {
        queue::list(&self.store)
            .into_iter()
            .map(|(_, pending)| pending)
            .collect()
    }

    /// The latest block's time, nanoseconds since the Unix epoch.
    pub fn time(&self) -> u64 {
        self.blocks
            .last()
            .map_or(self.config.genesis_time, |block| block.timestamp)
    }

    /// The time the next block will have (the block time after the last
    /// one, plus any time advanced since).
    pub fn next_block_time(&self) -> u64 {
        let advanced = queue::advance(&self.store).saturating_mul(1_000_000_000);
        self.time()
            .saturating_add(self.config.block_time)
            .saturating_add(advanced)
    }

    /// Base tokens carried by queued requests (out of every account until
    /// their block runs them).
    pub fn in_flight(&self) -> u64 {
        queue::in_flight(&self.store)
    }

    /// Takes `request`'s tokens out of its sender's L1 wallet (an
    /// on-ledger request carries them).
    fn take_from_wallet(&mut self, request: &Request) -> Result<(), ChainError> {
        let sender = request.sender;
        let available = l1::balance(&self.store, &sender);
        l1::debit(&mut self.store, &sender, request.tokens).map_err(|_| {
            ChainError::InsufficientL1Funds {
                sender,
                available,
                needed: request.tokens.base_tokens,
            }
        })
    }

    fn check_work(&self) -> Result<(), ChainError> {
        let burned = self.blocks.last().map_or(0, |block| block.total_gas);
        if burned >= Self::MAX_TOTAL_GAS {
            return Err(ChainError::WorkLimit { burned });
        }
        Ok(())
    }

    /// Checks that `request`, sent by a person, can be processed: its
    /// sender may send, its wallet covers its tokens, and its chain
    /// account (with them) the minimum fee.
    fn check_sendable(&self, request: &Request) -> Result<(), ChainError> {
        let sender = request.sender;
        if !matches!(sender, AgentId::User(_) | AgentId::Ethereum(_)) {
            return Err(ChainError::InvalidSender(sender));
        }
        let l1_available = l1::balance(&self.store, &sender);
        if request.tokens.base_tokens > l1_available {
            return Err(ChainError::InsufficientL1Funds {
                sender,
                available: l1_available,
                needed: request.tokens.base_tokens,
            });
        }
        let policy = governance::fee_policy(&self.store);
        let l2_available = accounts::balance(&self.store, &sender)
            .base_tokens
            .checked_add(request.tokens.base_tokens)
            .ok_or(ChainError::Overflow {
                sender,
                needed: request.tokens.base_tokens,
            })?;
        let min_fee = policy.fee(GAS.request_base);
        if l2_available < min_fee {
            return Err(ChainError::CannotPayFee {
                sender,
                available: l2_available,
                fee: min_fee,
            });
        }
        Ok(())
    }

    /// Forms and runs a block: `first` (a person's request, checked
    /// before anything changes), then the queued requests ready at the
    /// block's time.
    fn run_block_with(
        &mut self,
        first: Option<Request>,
        trace: Option<Traced>,
    ) -> Result<Vec<Receipt>, ChainError> {
        self.check_work()?;
        if let Some(request) = &first {
            self.check_sendable(request)?;
        }
        let index = self.block_index() + 1;
        let timestamp = self.next_block_time();
        let room = crate::bounds::MAX_BLOCK_REQUESTS - usize::from(first.is_some());
        let ready = queue::ready(&self.store, timestamp, room);
        if first.is_none() && ready.is_empty() {
            let queued = queue::list(&self.store);
            return Err(ChainError::NothingReady {
                waiting: queued.len(),
                next_unlock: queued.iter().map(|(_, pending)| pending.unlock_time).min(),
            });
        }
        let previous = self.store.settled_hash();
        let burned_before = self.blocks.last().map_or(0, |block| block.total_gas);

        let mut receipts = Vec::with_capacity(ready.len() + 1);
        let mut place = Place {
            index,
            request_index: 0,
            timestamp,
            previous,
        };
        if let Some(request) = first.clone() {
            let sender = request.sender;
            let nonce = accounts::nonce(&self.store, &sender);
            // The on-ledger deposit happens whatever the call does.
            // Minted first: it is the step that can fail (an overflow),
            // and the wallet was checked above.
            if !request.tokens.is_empty() {
                accounts::mint(&mut self.store, &sender, request.tokens).map_err(|_| {
                    ChainError::Overflow {
                        sender,
                        needed: request.tokens.base_tokens,
                    }
                })?;
                self.take_from_wallet(&request)?;
            }
            let id = request_id(&previous, &sender, nonce);
            let traced = trace.and_then(|t| t.steps_for(place.request_index));
            receipts.push(self.run_request(request, id, None, &place, traced));
            place.request_index += 1;
        }
        // The block has used the time advanced (only now: nothing above may
        // refuse the block after a change).
        queue::clear_advance(&mut self.store);
        for (sequence, pending) in ready {
            queue::remove(&mut self.store, sequence);
            let request = pending.request;
            // The tokens in flight arrive in the sender's account; the
            // supply bound keeps this from overflowing.
            let _ = accounts::mint(&mut self.store, &request.sender, request.tokens);
            let traced = trace.and_then(|t| t.steps_for(place.request_index));
            receipts.push(self.run_request(request, pending.id, pending.posted_by, &place, traced));
            place.request_index += 1;
        }

        let gas_burned = receipts
            .iter()
            .map(|receipt| receipt.gas_burned)
            .fold(0, u64::saturating_add);
        let info = BlockInfo {
            index,
            timestamp,
            requests: u16::try_from(receipts.len()).unwrap_or(u16::MAX),
            gas_burned,
            gas_fee: receipts
                .iter()
                .map(|receipt| receipt.gas_fee)
                .fold(0, u64::saturating_add),
            previous_state_hash: previous.to_string(),
        };
        // Which engine ran a request is kept beside the state, not in it.
        let engines: Vec<Option<String>> = receipts
            .iter_mut()
            .map(|receipt| receipt.wasm_engine.take())
            .collect();
        blocklog::put_block(&mut self.store, &info, &receipts, self.config.receipt_form);
        for (receipt, engine) in receipts.iter_mut().zip(engines) {
            match &engine {
                Some(engine) => self.engines.insert(receipt.request_id, engine.clone()),
                None => self.engines.remove(&receipt.request_id),
            };
            receipt.wasm_engine = engine;
        }
        let undo = self.store.take_journal();
        let mut steps = std::mem::take(&mut self.steps);
        steps.push(first.map_or(Step::RunBlock, Step::Post));
        let steps_before = self.blocks.last().map_or(0, |block| block.total_steps);
        self.blocks.push(BlockRecord {
            state_hash: self.store.hash(),
            undo,
            total_steps: steps_before + steps.len(),
            steps,
            total_gas: burned_before.saturating_add(gas_burned),
            timestamp,
        });
        Ok(receipts)
    }

    /// Runs one request of a block whose tokens are already in the
    /// sender's account; charges its fee.
    fn run_request(
        &mut self,
        request: Request,
        request_id: crate::RequestId,
        posted_by: Option<crate::RequestId>,
        place: &Place,
        trace: Option<u32>,
    ) -> Receipt {
        let sender = request.sender;
        let policy = governance::fee_policy(&self.store);
        let l2_available = accounts::balance(&self.store, &sender).base_tokens;
        let mut entropy_input = [
            place.previous.as_bytes().as_slice(),
            &place.index.to_le_bytes(),
        ]
        .concat();
        if place.request_index > 0 {
            entropy_input.extend_from_slice(&place.request_index.to_le_bytes());
        }
        let env = BlockEnv {
            index: place.index,
            chain_id: self.config.chain_id,
            request_id,
            sender,
            timestamp: place.timestamp,
            entropy: Hash::blake2b(&entropy_input),
            post_gas_budget: self.config.max_gas_per_request,
        };
        let budget = request
            .gas_budget
            .min(self.config.max_gas_per_request)
            .min(policy.affordable_gas(l2_available));

        let call = Call::top(
            sender,
            request.contract,
            request.entry,
            request.params.clone(),
            request.allowance,
            false,
        );
        let mut outcome = Exec::new(&mut self.store, &self.registry, env.clone(), budget)
            .tracing(trace.unwrap_or(0))
            .run(call, 0);
        // As on Wasp, the minimum is a floor, not an addition: a request
        // that burned less is charged the minimum (within its budget).
        outcome.gas_burned = outcome.gas_burned.max(GAS.request_base.min(budget));
        if trace.is_none() {
            drop_steps(&mut outcome.trace);
        }

        let balance = accounts::balance(&self.store, &sender).base_tokens;
        let fee = policy.fee(outcome.gas_burned).min(balance);
        let owner = self.owner();
        // Cannot fail: the fee is capped by the balance.
        let _ = accounts::transfer(&mut self.store, &sender, &owner, Assets::base(fee));
        // A person's request uses a nonce; one a contract posted (an
        // on-ledger request, also for an EVM contract) does not.
        if posted_by.is_none() {
            accounts::bump_nonce(&mut self.store, &sender);
        }

        let (results, error) = match outcome.result {
            Ok(results) => (Some(results), None),
            Err(error) => (None, Some(error)),
        };
        Receipt {
            block_index: place.index,
            request_index: place.request_index,
            request_id: env.request_id,
            posted_by,
            request,
            results,
            error,
            gas_budget: budget,
            gas_burned: outcome.gas_burned,
            gas_fee: fee,
            events: outcome.events,
            trace: outcome.trace,
            logs: outcome.logs,
            wasm_engine: outcome.engine.describe(),
        }
    }

    /// Runs `request` as [`Chain::post`] would, returns its receipt, and
    /// leaves the chain exactly as it was (for traces and dry runs).
    ///
    /// # Errors
    /// As [`Chain::post`].
    pub fn simulate(&mut self, request: Request) -> Result<Receipt, ChainError> {
        self.trace(request, 0)
    }

    /// [`Chain::simulate`] with the first `steps` instructions the request
    /// executes recorded, in every VM and nested call: the debugger's
    /// input. Each call's trace node keeps its own (`evm_steps`,
    /// `wasm_steps`), and a nested call made while recording names the
    /// caller's instruction that made it (`at_step`). Recording changes
    /// neither the gas nor the outcome.
    ///
    /// # Errors
    /// As [`Chain::post`].
    pub fn trace(&mut self, request: Request, steps: u32) -> Result<Receipt, ChainError> {
        let snapshot = self.snapshot();
        let receipt = self.post_traced(request, Some(steps));
        self.restore(&snapshot);
        receipt
    }

    /// Request `request_index` of block `index` run again with its first
    /// `steps` instructions recorded ([`Chain::trace`]) on the chain as
    /// it was: the blocks after it undone, the steps between the block
    /// before and it (queued requests, time advanced) done again, and the
    /// block formed again as it was — so the request runs at the same time
    /// on the same state, after the same requests of its block. The chain
    /// is left as it was.
    ///
    /// # Errors
    /// [`ChainError::NoSuchBlock`] (genesis included), and
    /// [`ChainError::NoSuchRequest`] past the block's requests.
    pub fn trace_past(
        &mut self,
        index: u32,
        request_index: u16,
        steps: u32,
    ) -> Result<Receipt, ChainError> {
        let latest = self.block_index();
        let record = self
            .blocks
            .get(index as usize)
            .filter(|_| index > 0)
            .ok_or(ChainError::NoSuchBlock { index, latest })?;
        let block_steps = record.steps.clone();
        let Some((last, before)) = block_steps.split_last() else {
            return Err(ChainError::NoSuchBlock { index, latest });
        };
        let trace = Some(Traced {
            request_index,
            steps,
        });
        let snapshot = self.snapshot();
        let mut run = || {
            self.revert_to(index - 1)?;
            for step in before {
                self.apply(step)?;
            }
            let first = match last {
                Step::Post(request) => Some(request.clone()),
                _ => None,
            };
            self.run_block_with(first, trace)?
                .into_iter()
                .nth(usize::from(request_index))
                .ok_or(ChainError::NoSuchRequest {
                    index,
                    request_index,
                })
        };
        let receipt = run();
        self.restore(&snapshot);
        receipt
    }

    /// Calls view `entry` of `contract` on the latest state, as `caller`.
    ///
    /// # Errors
    /// The view's [`VmError`] (a view that tries to write fails with
    /// [`VmError::WriteInView`]).
    pub fn call_view_as(
        &mut self,
        caller: AgentId,
        contract: Hname,
        entry: Hname,
        params: Dict,
    ) -> Result<Dict, VmError> {
        let index = self.block_index();
        let env = BlockEnv {
            index,
            chain_id: self.config.chain_id,
            request_id: RequestId([0; 34]),
            sender: caller,
            timestamp: self.time(),
            entropy: Hash::blake2b(self.store.settled_hash().as_bytes()),
            post_gas_budget: 0,
        };
        let outcome = Exec::new(
            &mut self.store,
            &self.registry,
            env,
            self.config.view_gas_budget,
        )
        .run(
            Call::top(caller, contract, entry, params, Assets::default(), true),
            0,
        );
        // Views cannot write: the journal holds only the steps since the
        // last block, which the next block takes.
        outcome.result
    }

    /// Calls view `entry` of contract `contract`, by name, as nobody.
    ///
    /// # Errors
    /// The view's [`VmError`].
    pub fn call_view(
        &mut self,
        contract: &str,
        entry: &str,
        params: Dict,
    ) -> Result<Dict, VmError> {
        self.call_view_as(AgentId::Nil, Hname::of(contract), Hname::of(entry), params)
    }

    /// Stores `program` in the blob contract and deploys it as contract
    /// `name`, passing `init_params` to its `init`: two requests from
    /// `sender`, two blocks. Returns the deploy receipt, or the failed
    /// blob receipt.
    ///
    /// # Errors
    /// [`ChainError`] if either request cannot be processed.
    pub fn deploy(
        &mut self,
        sender: AgentId,
        name: &str,
        vm_type: &VmType,
        program: &[u8],
        init_params: Dict,
    ) -> Result<Receipt, ChainError> {
        let budget = self.config.max_gas_per_request;
        self.deploy_with_budget(sender, name, vm_type, program, init_params, budget)
    }

    /// [`Chain::deploy`] with `gas_budget` for the deploy request (the
    /// blob is stored with the chain's maximum).
    ///
    /// # Errors
    /// As [`Chain::deploy`].
    pub fn deploy_with_budget(
        &mut self,
        sender: AgentId,
        name: &str,
        vm_type: &VmType,
        program: &[u8],
        init_params: Dict,
        gas_budget: u64,
    ) -> Result<Receipt, ChainError> {
        // A program already on the chain is not stored again.
        let known = blob::program_hash(vm_type, program);
        let hash = if blob::exists(&self.store, &known) {
            known.as_bytes().to_vec()
        } else {
            let stored = self.post(
                Request::new(sender, blob::NAME, "storeBlob")
                    .param(blob::FIELD_VM_TYPE, vm_type.as_str())
                    .param(blob::FIELD_PROGRAM, program)
                    .gas_budget(self.config.max_gas_per_request),
            )?;
            match stored.result().map(|results| results.get("hash")) {
                Ok(Some(hash)) => hash.to_vec(),
                _ => return Ok(stored),
            }
        };
        let mut params = init_params;
        params.set("ph", hash);
        params.set("nm", name);
        self.post(
            Request::new(sender, root::NAME, "deployContract")
                .params(params)
                .gas_budget(gas_budget),
        )
    }

    /// Checks `request` without running it — the contract and entry point
    /// exist, the entry is a func anyone may call, and its processor takes
    /// the params ([`Processor::check_call`](crate::Processor::check_call))
    /// — so that a typo can be refused before it costs a block.
    ///
    /// # Errors
    /// The [`VmError`] the request would fail with.
    pub fn check_request(&self, request: &Request) -> Result<(), VmError> {
        request.params.check()?;
        let (processor, record) = self.registry.resolve(&self.store, request.contract)?;
        let info = exec::find_entry(
            processor.as_ref(),
            &record.name,
            self.config.chain_id,
            request.sender,
            request.entry,
            true,
        )?
        .ok_or_else(|| VmError::EntryPointNotFound {
            contract: record.name.clone(),
            entry: request.entry,
        })?;
        exec::check_kind(info, &record.name, true, false)?;
        processor.check_call(request.entry, &request.params)
    }

    /// Checks a deploy without making it: the name is free, the program
    /// fits a blob and loads (its VM accepts it), and its `init` takes
    /// `init_params`.
    ///
    /// # Errors
    /// The [`VmError`] the deploy would fail with.
    pub fn check_deploy(
        &self,
        name: &str,
        vm_type: &VmType,
        program: &[u8],
        init_params: &Dict,
    ) -> Result<(), VmError> {
        if let Some(existing) = root::record(&self.store, Hname::of(name)) {
            return Err(VmError::param(
                "nm",
                format!(
                    "a contract `{}` with hname {} is already deployed: pick another name",
                    existing.name, existing.hname
                ),
            ));
        }
        let max = governance::limits(&self.store).max_blob_size;
        if program.len() as u64 > u64::from(max) {
            return Err(VmError::limit(format!(
                "a program of {} bytes exceeds the chain's maximum blob of {max}",
                program.len()
            )));
        }
        init_params.check()?;
        let processor = self.registry.load_unstored(vm_type, program)?;
        processor.check_call(Hname::of(root::INIT), init_params)
    }

    /// `agent`'s balance on the chain.
    pub fn balance(&self, agent: &AgentId) -> u64 {
        accounts::balance(&self.store, agent).base_tokens
    }

    /// `user`'s L1 wallet balance.
    pub fn l1_balance(&self, user: &AgentId) -> u64 {
        l1::balance(&self.store, user)
    }

    /// Total base tokens held on the chain.
    pub fn total_assets(&self) -> u64 {
        accounts::total(&self.store)
    }

    /// The receipt of the first request in block `index`.
    pub fn receipt(&self, index: u32) -> Option<Receipt> {
        self.block_receipts(index).into_iter().next()
    }

    /// The receipts of block `index`, in order.
    pub fn block_receipts(&self, index: u32) -> Vec<Receipt> {
        let mut receipts = blocklog::receipts(&self.store, index);
        for receipt in &mut receipts {
            receipt.wasm_engine = self.engines.get(&receipt.request_id).cloned();
        }
        receipts
    }

    /// Every receipt, oldest first.
    pub fn receipts(&self) -> Vec<Receipt> {
        // Genesis has none.
        self.receipts_after(0)
    }

    /// The receipts of the blocks after block `index`, oldest first: what
    /// a reader who has every receipt up to `index` lacks. Costs only the
    /// blocks it reads, however long the chain.
    pub fn receipts_after(&self, index: u32) -> Vec<Receipt> {
        (index.saturating_add(1)..=self.block_index())
            .flat_map(|index| self.block_receipts(index))
            .collect()
    }

    /// Block `index`'s info.
    pub fn block(&self, index: u32) -> Option<BlockInfo> {
        blocklog::block(&self.store, index)
    }

    /// Every deployed contract, core contracts included, by hname.
    pub fn contracts(&self) -> Vec<ContractRecord> {
        root::records(&self.store)
    }

    /// The program stored in the blob contract under `hash`, with its VM
    /// type (a contract record's `program_hash`: an EVM contract's is its
    /// program's JSON, ABI included).
    pub fn program(&self, hash: &crate::Hash) -> Option<(VmType, Vec<u8>)> {
        crate::core::blob::program(&self.store, hash).ok()
    }

    /// The entry points of contract `hname`.
    ///
    /// # Errors
    /// [`VmError::ContractNotFound`], or the program fails to load.
    pub fn entry_points(&self, hname: Hname) -> Result<Vec<EntryPointInfo>, VmError> {
        let (processor, _) = self.registry.resolve(&self.store, hname)?;
        Ok(processor.entry_points().to_vec())
    }

    /// The language contract `hname`'s program was written in, if it says.
    pub fn language(&self, hname: Hname) -> Option<String> {
        let (processor, _) = self.registry.resolve(&self.store, hname).ok()?;
        processor.language().map(str::to_owned)
    }

    /// What a program not on the chain says of itself: its language and
    /// entry points, as its VM loads it.
    ///
    /// # Errors
    /// The [`VmError`] loading it fails with.
    pub fn inspect_program(
        &self,
        vm_type: &VmType,
        program: &[u8],
    ) -> Result<(Option<String>, Vec<EntryPointInfo>), VmError> {
        let processor = self.registry.load_unstored(vm_type, program)?;
        Ok((
            processor.language().map(str::to_owned),
            processor.entry_points().to_vec(),
        ))
    }

    /// The state of contract `hname` (its partition), sorted by key.
    pub fn contract_state(&self, hname: Hname) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.store.prefix(hname, b"")
    }

    /// Number of keys in the whole state.
    pub fn state_len(&self) -> usize {
        self.store.len()
    }

    /// Every key/value pair of the whole state, sorted.
    pub fn state_items(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.store.items()
    }

    /// Every step since genesis, in order: doing them again on a new chain
    /// with the same config rebuilds this one.
    pub fn steps(&self) -> Vec<Step> {
        // Genesis has none.
        self.steps_after(0).1
    }

    /// The steps after block `index` (those of later blocks, then those
    /// since the last block), and how many steps come before them: what a
    /// reader of [`Chain::steps`] who has them up to block `index` lacks.
    /// Costs only the steps it returns.
    pub fn steps_after(&self, index: u32) -> (usize, Vec<Step>) {
        let from = (index as usize).saturating_add(1).min(self.blocks.len());
        let before = self.blocks[from - 1].total_steps;
        let steps = self.blocks[from..]
            .iter()
            .flat_map(|block| block.steps.iter().cloned())
            .chain(self.steps.iter().cloned())
            .collect();
        (before, steps)
    }

    /// A copy of the state and history.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            store: self.store.clone(),
            blocks: self.blocks.clone(),
            steps: self.steps.clone(),
        }
    }

    /// Returns to a snapshot taken from this chain.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        self.store = snapshot.store.clone();
        self.blocks = snapshot.blocks.clone();
        self.steps = snapshot.steps.clone();
    }

    /// Undoes every block after `index`, and every step since the last
    /// block (requests queued, time advanced).
    ///
    /// # Errors
    /// [`ChainError::NoSuchBlock`].
    pub fn revert_to(&mut self, index: u32) -> Result<(), ChainError> {
        let latest = self.block_index();
        if index > latest {
            return Err(ChainError::NoSuchBlock { index, latest });
        }
        let since_last_block = self.store.take_journal();
        self.store.apply_undo(since_last_block);
        self.steps.clear();
        while self.block_index() > index {
            if let Some(block) = self.blocks.pop() {
                self.store.apply_undo(block.undo);
            }
        }
        Ok(())
    }
}

/// Which request of a block records its instructions, and how many.
#[derive(Clone, Copy)]
struct Traced {
    request_index: u16,
    steps: u32,
}

impl Traced {
    /// The steps the request at `request_index` records, if it is the one.
    fn steps_for(self, request_index: u16) -> Option<u32> {
        (self.request_index == request_index).then_some(self.steps)
    }
}

/// Where in the chain a request runs.
struct Place {
    index: u32,
    request_index: u16,
    timestamp: u64,
    previous: StateHash,
}

/// Removes instruction traces (`evm_steps`) from a trace tree.
fn drop_steps(trace: &mut receipt::CallTrace) {
    if let Some(serde_json::Value::Object(detail)) = trace.detail.as_mut() {
        detail.remove("evm_steps");
    }
    for call in &mut trace.calls {
        drop_steps(call);
    }
}

/// A request id: blake2b(previous state hash, sender, nonce), then output
/// index 0.
fn request_id(previous: &StateHash, sender: &AgentId, nonce: u64) -> RequestId {
    let hash = Hash::blake2b(
        &[
            previous.as_bytes().as_slice(),
            &sender.to_bytes(),
            &nonce.to_le_bytes(),
        ]
        .concat(),
    );
    let mut id = [0; 34];
    id[..32].copy_from_slice(hash.as_bytes());
    RequestId(id)
}
