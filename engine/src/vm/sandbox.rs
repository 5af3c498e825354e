//! The sandbox: all a running contract may ask of the chain.

use super::{GAS, Processor, VmError};
use crate::Hname;
use crate::codec::{Assets, Dict};
use crate::ids::{AgentId, ChainId, Hash, RequestId};
use sha3::Digest;

/// Key/value pairs of state, sorted by key.
pub type StateItems = Vec<(Vec<u8>, Vec<u8>)>;

/// A request a contract posts (WasmLib's `FN_POST`, the EVM magic
/// contract's `send`): it does not run inside the current one but waits in
/// the chain's queue for a later block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The chain it goes to (only this chain is reachable here).
    pub chain: ChainId,
    /// Who sends it and whose account its tokens come from: this contract
    /// (`None`), or — only for the EVM, whose accounts live in its
    /// partition — an Ethereum account as the sender and the account that
    /// holds the tokens it carries.
    pub on_behalf_of: Option<(AgentId, AgentId)>,
    /// The target contract.
    pub contract: Hname,
    /// The func.
    pub entry: Hname,
    /// Its params.
    pub params: Dict,
    /// Tokens taken from the contract's account now and deposited into the
    /// sender's when the request arrives.
    pub transfer: Assets,
    /// What the target may take from the contract's account.
    pub allowance: Assets,
    /// Its gas budget; `None` is the chain's maximum per request.
    pub gas_budget: Option<u64>,
    /// When it may run.
    pub time_lock: TimeLock,
}

/// A call a running contract makes into another, handed to the chain's
/// call driver (see [`super::Step::Calls`]) instead of run on the host's
/// stack, so that nesting is bounded by gas and a rule of the chain, not by
/// the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedCall {
    /// The callee.
    pub contract: Hname,
    /// Its entry point.
    pub entry: Hname,
    /// The params.
    pub params: Dict,
    /// What the callee may take from the caller's account.
    pub allowance: Assets,
}

/// A nested call [`Sandbox::open_call`] opened: the callee's processor and
/// the entry point to start.
pub type Opened = (std::rc::Rc<dyn Processor>, Hname);

/// When a posted request may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLock {
    /// In the next block.
    None,
    /// This many seconds after the current block's time (WasmLib's delay).
    After(u32),
    /// Not before this time, in seconds since the Unix epoch (the EVM's
    /// `ISCSendOptions.timelock`).
    At(u64),
}

/// What a running contract sees of the chain, the same for every VM.
///
/// The chain implements it for the innermost call of a request; a
/// processor never reaches chain state any other way. Every method charges
/// gas from [`super::GAS`]; the state methods act on the calling contract's
/// own partition only.
pub trait Sandbox {
    // --- who and where -------------------------------------------------

    /// The running contract's hname.
    fn contract(&self) -> Hname;
    /// The running contract's agent id.
    fn account_id(&self) -> AgentId;
    /// Who called: the request's sender, or the calling contract.
    fn caller(&self) -> AgentId;
    /// The chain's id.
    fn chain_id(&self) -> ChainId;
    /// The chain owner's agent id.
    fn chain_owner(&self) -> AgentId;
    /// The chain's size and count limits (governance's).
    fn limits(&self) -> crate::Limits;
    /// The request's id.
    fn request_id(&self) -> RequestId;
    /// The request's sender.
    fn request_sender(&self) -> AgentId;
    /// The index of the block the request closes (for a view: the latest).
    fn block_index(&self) -> u32;
    /// The block's timestamp, nanoseconds since the Unix epoch.
    fn timestamp(&self) -> u64;
    /// The block's entropy, derived from the previous block.
    fn entropy(&self) -> Hash;
    /// The call's params.
    fn params(&self) -> &Dict;
    /// Whether this call is a view (read-only).
    fn is_view(&self) -> bool;

    // --- state (own partition) -----------------------------------------

    /// The value under `key`.
    ///
    /// # Errors
    /// [`VmError::OutOfGas`].
    fn state_get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, VmError>;
    /// Sets `key` to `value`.
    ///
    /// # Errors
    /// [`VmError::WriteInView`] in a view; [`VmError::OutOfGas`].
    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), VmError>;
    /// Deletes `key`.
    ///
    /// # Errors
    /// [`VmError::WriteInView`] in a view; [`VmError::OutOfGas`].
    fn state_delete(&mut self, key: &[u8]) -> Result<(), VmError>;
    /// The items whose key starts with `prefix`, sorted by key.
    ///
    /// # Errors
    /// [`VmError::OutOfGas`].
    fn state_prefix(&mut self, prefix: &[u8]) -> Result<StateItems, VmError>;

    // --- tokens ----------------------------------------------------------

    /// The tokens `agent` holds on the chain.
    ///
    /// # Errors
    /// [`VmError::OutOfGas`].
    fn balance_of(&mut self, agent: &AgentId) -> Result<Assets, VmError>;
    /// What the caller still allows this call to take from its account.
    fn allowance(&self) -> Assets;
    /// Moves `assets` from the caller's account to `target`'s, within the
    /// allowance.
    ///
    /// # Errors
    /// [`VmError::AllowanceExceeded`], [`VmError::InsufficientFunds`], gas.
    fn transfer_allowed(&mut self, target: &AgentId, assets: Assets) -> Result<(), VmError>;
    /// Moves `assets` from this contract's account to `target`'s account.
    ///
    /// # Errors
    /// [`VmError::InsufficientFunds`], gas.
    fn send(&mut self, target: &AgentId, assets: Assets) -> Result<(), VmError>;
    /// Moves `assets` from any account to any other: the ledger authority of
    /// the processor that owns the `evm` partition, where an Ethereum
    /// account's balance *is* its chain account (so EVM value transfers,
    /// settled after the transaction, move chain tokens).
    ///
    /// # Errors
    /// [`VmError::Unsupported`] for every other frame;
    /// [`VmError::InsufficientFunds`]; gas.
    fn settle(&mut self, from: &AgentId, to: &AgentId, assets: Assets) -> Result<(), VmError>;
    /// Moves `assets` from this contract's account to `user`'s L1 wallet.
    ///
    /// # Errors
    /// [`VmError::InsufficientFunds`]; [`VmError::Unsupported`] if the
    /// target is not a user; gas.
    fn send_to_l1(&mut self, user: &AgentId, assets: Assets) -> Result<(), VmError>;

    /// Posts a request to this chain (`FN_POST`): it runs in a later
    /// block, once its time lock has passed, with this contract as its
    /// sender. Returns its request id. A failed request posts nothing.
    ///
    /// # Errors
    /// [`VmError::Unsupported`] for another chain; [`VmError::WriteInView`];
    /// [`VmError::InsufficientFunds`] for the transfer; [`VmError::Limit`]
    /// when the queue is full; gas.
    fn post(&mut self, post: Post) -> Result<RequestId, VmError>;

    // --- calls -------------------------------------------------------------

    /// Calls `entry` of `contract` (any VM) with `params`, allowing it to take
    /// up to `allowance` from this contract's account. A view may call only
    /// views. If the callee fails, its state changes are reverted and the
    /// error is returned here, to be handled or passed on.
    ///
    /// # Errors
    /// The callee's [`VmError`].
    fn call(
        &mut self,
        contract: Hname,
        entry: Hname,
        params: Dict,
        allowance: Assets,
    ) -> Result<Dict, VmError>;

    /// Opens `call` from the running contract as the innermost call,
    /// without running it: from here until [`Sandbox::close_call`] this
    /// sandbox is the callee's. Gives the processor to start and the entry
    /// point, or `None` when nothing runs (an `init` the contract does not
    /// have: the call's result is empty). This and `close_call` are the
    /// chain's side of [`super::Step::Calls`], for the call driver; a
    /// contract's nested calls go through [`Sandbox::call`].
    ///
    /// # Errors
    /// Why the call cannot start (unknown contract or entry, depth, gas,
    /// funds): its trace node is already closed, and the caller resumes
    /// with the error.
    fn open_call(&mut self, call: NestedCall) -> Result<Option<Opened>, VmError>;

    /// Closes the innermost call with `result` (a failure reverts its state
    /// changes and events) and gives `result` back; the sandbox is its
    /// caller's again.
    ///
    /// # Errors
    /// `result`'s error.
    fn close_call(&mut self, result: Result<Dict, VmError>) -> Result<Dict, VmError>;

    /// The programs of the contracts deployed with VM `vm`, once each, in
    /// the order of their contracts' hnames: what a processor names what a
    /// contract emitted with (see [`Processor::describe_log`]). Costs no
    /// gas: it reads only what the chain already holds, and only to name
    /// things in the receipt.
    fn deployed_programs(&mut self, vm: &super::VmType) -> Vec<std::rc::Rc<dyn Processor>>;

    /// Calls view `entry` of `contract` (any VM) read-only, even from a func:
    /// a func there fails with [`VmError::FuncFromView`].
    ///
    /// # Errors
    /// The callee's [`VmError`].
    fn call_view(&mut self, contract: Hname, entry: Hname, params: Dict) -> Result<Dict, VmError>;

    /// The program stored in the blob contract under `hash`: its VM type and
    /// entry points, loading it if needed (root uses this to deploy).
    ///
    /// # Errors
    /// [`VmError::InvalidProgram`], [`VmError::UnknownVmType`], or a missing blob.
    fn load_program(&mut self, hash: Hash) -> Result<super::VmType, VmError>;

    // --- events, logs, gas ------------------------------------------------

    /// Emits an event with `topic` and `payload`.
    ///
    /// # Errors
    /// [`VmError::WriteInView`] in a view; limits; gas.
    fn event(&mut self, topic: &str, payload: &[u8]) -> Result<(), VmError>;
    /// Writes `key` of the own partition only if the request *fails*,
    /// after its changes are reverted (and never if it succeeds): what a
    /// failure must still leave behind, such as the nonce an EVM
    /// transaction used up. Free of gas.
    ///
    /// # Errors
    /// [`VmError::WriteInView`] in a view.
    fn state_set_on_failure(&mut self, key: &[u8], value: &[u8]) -> Result<(), VmError>;
    /// Records an EVM log as an event. EVM logs are limited as Ethereum
    /// limits them — by the EVM gas their transaction already paid — so
    /// neither ISC's event caps nor its event gas apply (only the hard
    /// bounds [`crate::bounds::MAX_EVM_LOGS`] and
    /// [`crate::bounds::MAX_EVM_LOG_BYTES`], which gas keeps out of reach).
    ///
    /// # Errors
    /// [`VmError::WriteInView`] in a view; the hard bounds.
    fn evm_log(&mut self, topic: &str, payload: &[u8]) -> Result<(), VmError>;
    /// Appends a line to the request's log.
    fn log(&mut self, message: &str);
    /// Appends a debug trace line to the request's log.
    fn trace(&mut self, message: &str);
    /// Attaches VM-specific detail (e.g. EVM call frames) to this call's
    /// node of the request's trace. Later detail replaces earlier.
    fn trace_detail(&mut self, detail: serde_json::Value);
    /// How many more executed instructions this request should record
    /// for a debugger (0: none — only [`crate::Chain::trace`] asks).
    /// Shared by every call of the request.
    fn trace_steps(&self) -> u32 {
        0
    }
    /// Counts `steps` recorded instructions against [`Sandbox::trace_steps`].
    fn traced_steps(&mut self, _steps: u32) {}
    /// While instructions are recorded: the next nested call this call
    /// opens was made by its recorded instruction `step` (kept in the
    /// callee's trace detail as `at_step`, so a debugger can step into
    /// it); `None` forgets a mark no call used.
    fn mark_step(&mut self, _step: Option<u32>) {}
    /// Whether a Wasm call may run on the host's own WebAssembly engine
    /// ([`crate::wasmvm::runtime`]): not when the request runs again on
    /// wasmi because such a run handed it back.
    fn wasm_runtime_allowed(&self) -> bool {
        false
    }
    /// A call on the host's own engine could not end as wasmi would: the
    /// request must run again, from the start, on wasmi alone.
    fn give_up_runtime(&mut self, _reason: &'static str) {}
    /// A Wasm call ran on the host's own engine, `name` (a receipt says so).
    fn ran_on_runtime(&mut self, _name: &str) {}
    /// The engine memory the request may still reserve
    /// ([`Sandbox::reserve_memory`]).
    fn memory_headroom(&self) -> u64 {
        0
    }
    /// Burns `gas`.
    ///
    /// # Errors
    /// [`VmError::OutOfGas`] when the budget is exhausted.
    fn burn_gas(&mut self, gas: u64) -> Result<(), VmError>;
    /// The gas left in the request's budget.
    fn gas_remaining(&self) -> u64;
    /// Accounts `bytes` of memory an engine allocates for this call (a
    /// Wasm instance's linear memory, as it is created and as it grows).
    ///
    /// # Errors
    /// [`VmError::Limit`] past the request's caps: more than
    /// [`MAX_LIVE_MEMORY_BYTES`](crate::bounds::MAX_LIVE_MEMORY_BYTES) held at once
    /// by the request's nested calls, or more than
    /// [`MAX_ALLOCATED_MEMORY_BYTES`](crate::bounds::MAX_ALLOCATED_MEMORY_BYTES)
    /// allocated in all.
    fn reserve_memory(&mut self, bytes: u64) -> Result<(), VmError>;
    /// Gives back `bytes` reserved earlier: the instance is gone.
    fn release_memory(&mut self, bytes: u64);

    // --- utilities ----------------------------------------------------------

    /// blake2b-256 of `data`.
    ///
    /// # Errors
    /// Gas.
    fn blake2b(&mut self, data: &[u8]) -> Result<Hash, VmError> {
        self.burn_gas(GAS.blake2b)?;
        Ok(Hash::blake2b(data))
    }

    /// SHA3-256 (FIPS 202) of `data`, as ISC's `HashSha3`.
    ///
    /// # Errors
    /// Gas.
    fn sha3(&mut self, data: &[u8]) -> Result<Hash, VmError> {
        self.burn_gas(GAS.sha3)?;
        Ok(Hash(sha3::Sha3_256::digest(data).into()))
    }

    /// Keccak-256 of `data`, as the EVM's `KECCAK256`.
    ///
    /// # Errors
    /// Gas.
    fn keccak256(&mut self, data: &[u8]) -> Result<Hash, VmError> {
        self.burn_gas(GAS.sha3)?;
        Ok(Hash(sha3::Keccak256::digest(data).into()))
    }

    /// The hname of `name`.
    ///
    /// # Errors
    /// Gas.
    fn hname(&mut self, name: &str) -> Result<Hname, VmError> {
        self.burn_gas(GAS.hname)?;
        Ok(Hname::of(name))
    }

    /// Panics with `message`: the call fails and its changes revert.
    fn panic(&mut self, message: &str) -> VmError {
        VmError::panic(message)
    }
}
