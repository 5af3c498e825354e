//! Running one request (or view): call frames, gas, events, the call trace,
//! and the [`Sandbox`] every contract sees.

use crate::Hname;
use crate::bounds::MAX_QUEUED_REQUESTS;
use crate::bounds::{
    MAX_ALLOCATED_MEMORY_BYTES, MAX_CALL_DEPTH, MAX_HOST_STACK, MAX_LIVE_MEMORY_BYTES,
    MAX_LOG_LINE_BYTES, MAX_LOG_LINES, MAX_TRACE_DEPTH, MAX_TRACE_NODES,
};
use crate::chain::l1;
use crate::chain::queue::{self, Pending};
use crate::chain::receipt::Request;
use crate::chain::receipt::{CallTrace, Event};
use crate::chain::registry::Registry;
use crate::chain::store::Store;
use crate::codec::{Assets, Dict};
use crate::core::{accounts, governance, governance::Limits, root};
use crate::ids::{AgentId, ChainId, Hash, RequestId};
use crate::vm::{
    EntryKind, EntryPointInfo, GAS, NestedCall, Opened, Post, Processor, Sandbox, StateItems, Step,
    Suspended, TimeLock, VmError, VmType,
};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The block and request a call runs in.
#[derive(Debug, Clone)]
pub(crate) struct BlockEnv {
    pub(crate) index: u32,
    pub(crate) chain_id: ChainId,
    pub(crate) request_id: RequestId,
    pub(crate) sender: AgentId,
    pub(crate) timestamp: u64,
    pub(crate) entropy: Hash,
    /// The gas budget of a request a contract posts (Wasp: the most a
    /// request may burn).
    pub(crate) post_gas_budget: u64,
}

/// One request's execution: shared by all its nested calls.
pub(crate) struct Exec<'a> {
    store: &'a mut Store,
    registry: &'a Registry,
    env: BlockEnv,
    limits: Limits,
    budget: u64,
    burned: u64,
    exhausted: bool,
    /// Units of host stack the calls running on it hold (see
    /// [`MAX_HOST_STACK`]).
    stack: usize,
    /// Engine memory the open calls hold, and all ever allocated.
    memory_live: u64,
    memory_allocated: u64,
    events: Vec<Event>,
    logs: Vec<String>,
    dropped_logs: usize,
    open: Vec<CallTrace>,
    trace: Option<CallTrace>,
    /// Trace nodes kept, and calls past the cap.
    trace_nodes: usize,
    omitted_calls: u64,
    /// Writes that happen only if the request fails (partition, key, value).
    on_failure: Vec<(Hname, Vec<u8>, Vec<u8>)>,
    /// Keys the request has written or deleted: reading them is free.
    written: BTreeMap<Hname, std::collections::BTreeSet<Vec<u8>>>,
    /// Requests posted so far (their output indexes count from 1).
    posts: u16,
    /// Executed instructions still to record for a debugger (see
    /// [`Sandbox::trace_steps`]).
    trace_steps: u32,
    /// The recorded instruction that makes the next nested call.
    step_mark: Option<u32>,
    /// Whether Wasm calls may run on the host's own engine
    /// ([`Sandbox::wasm_runtime_allowed`]): the chain has one, and no
    /// instruction trace is being recorded.
    runtime_allowed: bool,
    /// Which Wasm engine ran the request's Wasm calls.
    engine: WasmEngine,
}

/// Which engine ran a request's Wasm calls, besides wasmi (not part of the
/// state: every engine ends a request alike; a receipt shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum WasmEngine {
    /// wasmi alone (or no Wasm call at all).
    #[default]
    Wasmi,
    /// The host's own engine, of this name.
    Runtime(String),
    /// wasmi, after a run on `runtime` handed the request back for `reason`.
    HandedBack {
        /// The engine that handed it back.
        runtime: String,
        /// Why.
        reason: String,
    },
}

impl WasmEngine {
    /// For a receipt: `None` for wasmi alone.
    pub(crate) fn describe(&self) -> Option<String> {
        match self {
            WasmEngine::Wasmi => None,
            WasmEngine::Runtime(name) => Some(name.clone()),
            WasmEngine::HandedBack { runtime, reason } => {
                Some(format!("wasmi ({runtime} handed it back: {reason})"))
            }
        }
    }
}

/// What an execution leaves behind.
pub(crate) struct Outcome {
    pub(crate) result: Result<Dict, VmError>,
    pub(crate) gas_burned: u64,
    pub(crate) events: Vec<Event>,
    pub(crate) logs: Vec<String>,
    pub(crate) trace: CallTrace,
    pub(crate) engine: WasmEngine,
}

impl<'a> Exec<'a> {
    pub(crate) fn new(
        store: &'a mut Store,
        registry: &'a Registry,
        env: BlockEnv,
        budget: u64,
    ) -> Self {
        let limits = governance::limits(store);
        Self {
            store,
            registry,
            env,
            limits,
            budget,
            burned: 0,
            exhausted: false,
            stack: 0,
            memory_live: 0,
            memory_allocated: 0,
            events: Vec::new(),
            logs: Vec::new(),
            dropped_logs: 0,
            open: Vec::new(),
            trace: None,
            trace_nodes: 0,
            omitted_calls: 0,
            on_failure: Vec::new(),
            written: BTreeMap::new(),
            posts: 0,
            trace_steps: 0,
            step_mark: None,
            runtime_allowed: registry.may_hand_back(),
            engine: WasmEngine::Wasmi,
        }
    }

    /// Records up to `steps` executed instructions (all calls together)
    /// in the trace, for a debugger.
    pub(crate) fn tracing(mut self, steps: u32) -> Self {
        self.trace_steps = steps;
        // Recording needs wasmi: the runtime runs no step import.
        self.runtime_allowed &= steps == 0;
        self
    }

    /// Runs a request's func (`view == false`) or a view, from `caller`.
    /// On failure every state change is reverted.
    pub(crate) fn run(mut self, call: Call, base_gas: u64) -> Outcome {
        let (caller, contract, entry) = (call.caller, call.contract, call.entry);
        let checkpoint = self.store.checkpoint();
        let again = self.runtime_allowed.then(|| call.clone());
        let mut result = self.burn(base_gas).and_then(|()| self.enter(call));
        if let (WasmEngine::HandedBack { .. }, Some(call)) = (&self.engine, again) {
            // A call on the host's own engine could not end as wasmi
            // would: all of the request again, from the start, on wasmi.
            self.store.rollback(checkpoint);
            let engine = std::mem::take(&mut self.engine);
            let mut again = Exec::new(self.store, self.registry, self.env, self.budget);
            again.runtime_allowed = false;
            let mut outcome = again.run(call, base_gas);
            outcome.engine = engine;
            return outcome;
        }
        if self.exhausted && result.is_ok() {
            // Out of gas cannot be caught by a contract.
            result = Err(VmError::OutOfGas {
                budget: self.budget,
            });
        }
        if result.is_err() {
            self.store.rollback(checkpoint);
            self.events.clear();
            for (partition, key, value) in std::mem::take(&mut self.on_failure) {
                self.store.set(partition, &key, value);
            }
        }
        if self.dropped_logs > 0 {
            self.logs
                .push(format!("… {} more log lines dropped", self.dropped_logs));
        }
        let trace = self.trace.take().unwrap_or_else(|| CallTrace {
            contract,
            contract_name: String::new(),
            entry,
            entry_name: String::new(),
            vm: VmType::CORE,
            caller,
            gas_burned: self.burned,
            error: result.as_ref().err().map(ToString::to_string),
            detail: None,
            calls: Vec::new(),
            omitted_calls: 0,
        });
        let mut trace = trace;
        trace.omitted_calls = self.omitted_calls;
        Outcome {
            result,
            gas_burned: self.burned,
            events: self.events,
            logs: self.logs,
            trace,
            engine: self.engine,
        }
    }

    fn burn(&mut self, gas: u64) -> Result<(), VmError> {
        let total = self.burned.saturating_add(gas);
        if total > self.budget {
            self.burned = self.budget;
            self.exhausted = true;
            return Err(VmError::OutOfGas {
                budget: self.budget,
            });
        }
        self.burned = total;
        Ok(())
    }

    /// Calls into a contract, atomically: a failure reverts the callee's
    /// state changes and events, and is returned to the caller.
    ///
    /// Calls through [`Sandbox::call`] (the request's own, the EVM's and
    /// core contracts' nested ones) re-enter here on the host's stack; the
    /// nested calls of a processor that suspends for them ([`Step::Calls`])
    /// run in [`drive`]'s loop instead. The bookkeeping is out of line, so
    /// each level's frame stays small.
    fn enter(&mut self, call: Call) -> Result<Dict, VmError> {
        let (opened, callee) = self.open(call);
        match callee {
            Ok(Some((processor, frame))) => {
                let entry = frame.entry;
                let mut ctx = Ctx {
                    frame,
                    opened,
                    waiting: Vec::new(),
                    exec: self,
                };
                drive(&mut ctx, processor, entry)
            }
            other => {
                let result = other.map(|_| Dict::new());
                self.close(opened, &result);
                result
            }
        }
    }

    /// Opens a call: its trace node, then its checks; on success the
    /// processor and frame it runs in (none for an `init` the contract does
    /// not have), holding the processor's units of host stack. Whatever the
    /// outcome, [`Exec::close`] closes it with the call's result.
    #[inline(never)]
    fn open(&mut self, call: Call) -> (Open, Result<Option<Callee>, VmError>) {
        let mut open = self.open_node(&call);
        let callee = self.frame_for(call);
        if let Ok(Some((processor, _))) = &callee {
            open.stack = processor.stack_cost();
            self.stack += open.stack;
        }
        (open, callee)
    }

    /// Closes a call [`Exec::open`] opened, with its result.
    #[inline(never)]
    fn close(&mut self, open: Open, result: &Result<Dict, VmError>) {
        self.stack -= open.stack;
        self.close_node(open, result);
    }

    /// Opens the call's trace node; what [`Exec::close_node`] needs.
    fn open_node(&mut self, call: &Call) -> Open {
        self.open.push(CallTrace {
            contract: call.contract,
            contract_name: String::new(),
            entry: call.entry,
            entry_name: String::new(),
            vm: VmType::CORE,
            caller: call.caller,
            gas_burned: 0,
            error: None,
            detail: self
                .step_mark
                .take()
                .map(|step| serde_json::json!({ "at_step": step })),
            calls: Vec::new(),
            omitted_calls: 0,
        });
        Open {
            gas_at_start: self.burned,
            checkpoint: self.store.checkpoint(),
            events: self.events.len(),
            stack: 0,
        }
    }

    /// Reverts a failed call's changes and closes its trace node.
    fn close_node(&mut self, open: Open, result: &Result<Dict, VmError>) {
        if result.is_err() {
            self.store.rollback(open.checkpoint);
            self.events.truncate(open.events);
        }
        if let Some(mut node) = self.open.pop() {
            node.gas_burned = self.burned - open.gas_at_start;
            node.error = result.as_ref().err().map(ToString::to_string);
            let too_deep = self.open.len() > MAX_TRACE_DEPTH;
            match self.open.last_mut() {
                Some(_) if self.trace_nodes >= MAX_TRACE_NODES || too_deep => {
                    self.omitted_calls += 1 + count_calls(&node);
                }
                Some(parent) => {
                    self.trace_nodes += 1;
                    parent.calls.push(node);
                }
                None => self.trace = Some(node),
            }
        }
    }

    /// The checks of a call, and the processor and frame it runs in (none
    /// for an `init` the contract does not have).
    fn frame_for(&mut self, call: Call) -> Result<Option<Callee>, VmError> {
        // Params a contract cannot read back byte for byte are refused.
        call.params.check()?;
        let (processor, record) = self.registry.resolve(self.store, call.contract)?;
        // The open trace nodes are the calls open now, this one included.
        if self.open.len() > MAX_CALL_DEPTH {
            return Err(VmError::CallDepth {
                max: MAX_CALL_DEPTH,
            });
        }
        if self.stack + processor.stack_cost() > MAX_HOST_STACK {
            return Err(VmError::HostStack {
                max: MAX_HOST_STACK,
            });
        }
        if let Some(node) = self.open.last_mut() {
            node.contract_name.clone_from(&record.name);
            node.vm = processor.vm_type();
        }
        let Some(info) = find_entry(
            processor.as_ref(),
            &record.name,
            self.env.chain_id,
            call.caller,
            call.entry,
            call.top_level,
        )?
        else {
            return Ok(None);
        };
        if let Some(node) = self.open.last_mut() {
            node.entry_name.clone_from(&info.name);
        }
        let view = info.kind == EntryKind::View;
        check_kind(info, &record.name, call.top_level, call.from_view)?;
        if !call.allowance.is_empty() {
            let available = accounts::balance(self.store, &call.caller).base_tokens;
            if available < call.allowance.base_tokens {
                return Err(VmError::InsufficientFunds {
                    account: call.caller.to_string(),
                    available,
                    needed: call.allowance.base_tokens,
                });
            }
        }
        let frame = Frame {
            contract: call.contract,
            entry: call.entry,
            partition: processor.state_partition().unwrap_or(call.contract),
            caller: call.caller,
            params: call.params,
            allowance: call.allowance,
            view,
        };
        Ok(Some((processor, frame)))
    }

    fn log_line(&mut self, mut line: String) {
        if self.logs.len() >= MAX_LOG_LINES {
            self.dropped_logs += 1;
            return;
        }
        if line.len() > MAX_LOG_LINE_BYTES {
            let full = line.len();
            let mut cut = MAX_LOG_LINE_BYTES;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push_str(&format!("… (truncated: {full} bytes)"));
        }
        self.logs.push(line);
    }
}

/// The entry point `entry` of contract `name`, if `caller` may call it:
/// `init` only when root deploys (as in ISC). `Ok(None)` is an `init` the
/// contract does not have, which a nested call (root's) may skip. Shared
/// by every call and by [`Chain::check_request`](crate::Chain::check_request).
pub(crate) fn find_entry<'p>(
    processor: &'p dyn Processor,
    name: &str,
    chain: ChainId,
    caller: AgentId,
    entry: Hname,
    top_level: bool,
) -> Result<Option<&'p EntryPointInfo>, VmError> {
    let init = entry == Hname::of(root::INIT);
    let root = AgentId::Contract {
        chain,
        hname: root::hname(),
    };
    if init && caller != root {
        return Err(VmError::unauthorized(format!(
            "`init` of contract `{name}` runs only when root deploys it, not when {caller} calls it"
        )));
    }
    match processor.entry_point(entry) {
        Some(info) => Ok(Some(info)),
        None if init && !top_level => Ok(None),
        None => Err(VmError::EntryPointNotFound {
            contract: name.to_owned(),
            entry,
        }),
    }
}

/// Funcs are requested and views called: a view may not call a func, and
/// a request may not name a view.
pub(crate) fn check_kind(
    info: &EntryPointInfo,
    name: &str,
    top_level: bool,
    from_view: bool,
) -> Result<(), VmError> {
    let view = info.kind == EntryKind::View;
    if from_view && !view {
        return Err(VmError::FuncFromView {
            contract: name.to_owned(),
            entry: info.name.clone(),
        });
    }
    if top_level && !from_view && view {
        return Err(VmError::NotAFunc {
            contract: name.to_owned(),
            entry: info.name.clone(),
        });
    }
    Ok(())
}

/// The calls below `node` (kept ones: a node past the cap has none).
fn count_calls(node: &CallTrace) -> u64 {
    node.calls.iter().map(|call| 1 + count_calls(call)).sum()
}

/// One call into a contract: the outermost one of a request or view, or a
/// nested one from a running contract.
#[derive(Clone)]
pub(crate) struct Call {
    caller: AgentId,
    contract: Hname,
    entry: Hname,
    params: Dict,
    allowance: Assets,
    from_view: bool,
    top_level: bool,
}

impl Call {
    /// The outermost call of a request (`view == false`) or of a view.
    pub(crate) fn top(
        caller: AgentId,
        contract: Hname,
        entry: Hname,
        params: Dict,
        allowance: Assets,
        view: bool,
    ) -> Self {
        Self {
            caller,
            contract,
            entry,
            params,
            allowance,
            from_view: view,
            top_level: true,
        }
    }
}

/// The processor a call runs on, and its frame.
type Callee = (Rc<dyn Processor>, Frame);

struct Frame {
    contract: Hname,
    /// The entry point called.
    entry: Hname,
    /// Where the contract's state lives (its own partition unless its
    /// processor says otherwise).
    partition: Hname,
    caller: AgentId,
    params: Dict,
    allowance: Assets,
    view: bool,
}

/// What closing an open call needs: where it started (gas, state,
/// events) and the units of host stack it holds.
#[derive(Clone, Copy)]
struct Open {
    gas_at_start: u64,
    checkpoint: crate::chain::store::Checkpoint,
    events: usize,
    stack: usize,
}

/// The sandbox of the innermost call of one [`drive`] loop: its frame,
/// the frames of the calls waiting off the host's stack for it, and the
/// shared execution.
struct Ctx<'e, 'a> {
    frame: Frame,
    opened: Open,
    /// The calls waiting for the innermost one, outermost first.
    waiting: Vec<(Frame, Open)>,
    exec: &'e mut Exec<'a>,
}

/// Runs a call a processor starts, and every nested call it and its
/// callees suspend for ([`Step::Calls`]), in one loop: a waiting program
/// is kept on the heap, not on the host's stack, so such calls nest as
/// deep as [`MAX_CALL_DEPTH`] on any machine. Closes each call it runs,
/// the first one (already open in `sandbox`) included.
fn drive<'s>(
    sandbox: &'s mut dyn Sandbox,
    processor: Rc<dyn Processor>,
    entry: Hname,
) -> Result<Dict, VmError> {
    let mut waiting: Vec<Box<dyn Suspended<'s> + 's>> = Vec::new();
    let mut step = processor.start(sandbox, entry);
    loop {
        step = match step {
            Step::Done(result, sandbox) => {
                let result = sandbox.close_call(result);
                match waiting.pop() {
                    None => return result,
                    Some(caller) => caller.resume(sandbox, result),
                }
            }
            Step::Calls(call, caller, sandbox) => match sandbox.open_call(call) {
                Ok(Some((processor, entry))) => {
                    waiting.push(caller);
                    processor.start(sandbox, entry)
                }
                Ok(None) => caller.resume(sandbox, Ok(Dict::new())),
                Err(err) => caller.resume(sandbox, Err(err)),
            },
        };
    }
}

impl Ctx<'_, '_> {
    /// The nested call `call` from this contract, read-only if `from_view`.
    fn nested_call(&self, call: NestedCall, from_view: bool) -> Call {
        Call {
            caller: self.account_id(),
            contract: call.contract,
            entry: call.entry,
            params: call.params,
            allowance: call.allowance,
            from_view,
            top_level: false,
        }
    }

    /// A nested call on the host's stack, read-only if `from_view`.
    fn nested(&mut self, call: NestedCall, from_view: bool) -> Result<Dict, VmError> {
        self.exec.burn(GAS.call)?;
        let call = self.nested_call(call, from_view);
        self.exec.enter(call)
    }

    /// Records that the request wrote (or deleted) `key` of this
    /// partition: reading it again is free.
    fn note_written(&mut self, key: &[u8]) {
        let keys = self.exec.written.entry(self.frame.partition).or_default();
        if !keys.contains(key) {
            keys.insert(key.to_vec());
        }
    }

    fn no_writes(&self, action: &'static str) -> Result<(), VmError> {
        if self.frame.view {
            Err(VmError::WriteInView {
                contract: self.frame.contract,
                action: action.to_owned(),
            })
        } else {
            Ok(())
        }
    }
}

impl Sandbox for Ctx<'_, '_> {
    fn contract(&self) -> Hname {
        self.frame.contract
    }

    fn account_id(&self) -> AgentId {
        AgentId::Contract {
            chain: self.exec.env.chain_id,
            hname: self.frame.contract,
        }
    }

    fn caller(&self) -> AgentId {
        self.frame.caller
    }

    fn chain_id(&self) -> ChainId {
        self.exec.env.chain_id
    }

    fn chain_owner(&self) -> AgentId {
        governance::owner(self.exec.store)
    }

    fn limits(&self) -> Limits {
        self.exec.limits
    }

    fn request_id(&self) -> RequestId {
        self.exec.env.request_id
    }

    fn request_sender(&self) -> AgentId {
        self.exec.env.sender
    }

    fn block_index(&self) -> u32 {
        self.exec.env.index
    }

    fn timestamp(&self) -> u64 {
        self.exec.env.timestamp
    }

    fn entropy(&self) -> Hash {
        self.exec.env.entropy
    }

    fn params(&self) -> &Dict {
        &self.frame.params
    }

    fn is_view(&self) -> bool {
        self.frame.view
    }

    fn state_get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, VmError> {
        let value = self
            .exec
            .store
            .get(self.frame.partition, key)
            .map(<[u8]>::to_vec);
        // Wasp: a key the request wrote itself is read for free.
        let written = self
            .exec
            .written
            .get(&self.frame.partition)
            .is_some_and(|keys| keys.contains(key));
        if !written {
            self.exec
                .burn(GAS.read(value.as_ref().map_or(0, Vec::len)))?;
        }
        Ok(value)
    }

    fn state_set(&mut self, key: &[u8], value: &[u8]) -> Result<(), VmError> {
        self.no_writes("state write")?;
        // The full key as the chain stores it: the partition's hname first.
        let full_key = std::mem::size_of::<u32>() + key.len();
        self.exec.burn(GAS.write(full_key + value.len()))?;
        self.note_written(key);
        self.exec
            .store
            .set(self.frame.partition, key, value.to_vec());
        Ok(())
    }

    fn state_set_on_failure(&mut self, key: &[u8], value: &[u8]) -> Result<(), VmError> {
        self.no_writes("state write")?;
        self.exec
            .on_failure
            .push((self.frame.partition, key.to_vec(), value.to_vec()));
        Ok(())
    }

    fn state_delete(&mut self, key: &[u8]) -> Result<(), VmError> {
        self.no_writes("state delete")?;
        // Wasp: deleting is free.
        self.note_written(key);
        self.exec.store.delete(self.frame.partition, key);
        Ok(())
    }

    fn state_prefix(&mut self, prefix: &[u8]) -> Result<StateItems, VmError> {
        let items = self.exec.store.prefix(self.frame.partition, prefix);
        // Each item as a read of its value (and 1 for an empty scan).
        let gas = items
            .iter()
            .map(|(_, value)| GAS.read(value.len()))
            .sum::<u64>()
            .max(GAS.state_read);
        self.exec.burn(gas)?;
        Ok(items)
    }

    fn balance_of(&mut self, agent: &AgentId) -> Result<Assets, VmError> {
        self.exec.burn(GAS.balance)?;
        Ok(accounts::balance(self.exec.store, agent))
    }

    fn allowance(&self) -> Assets {
        self.frame.allowance
    }

    fn transfer_allowed(&mut self, target: &AgentId, assets: Assets) -> Result<(), VmError> {
        if assets.is_empty() {
            return Ok(());
        }
        self.no_writes("token transfer")?;
        self.exec.burn(GAS.transfer)?;
        let allowed = self.frame.allowance.base_tokens;
        let left = allowed
            .checked_sub(assets.base_tokens)
            .ok_or(VmError::AllowanceExceeded {
                needed: assets.base_tokens,
                allowed,
            })?;
        accounts::transfer(self.exec.store, &self.frame.caller, target, assets)?;
        self.frame.allowance = Assets::base(left);
        Ok(())
    }

    fn send(&mut self, target: &AgentId, assets: Assets) -> Result<(), VmError> {
        if assets.is_empty() {
            return Ok(());
        }
        self.no_writes("token transfer")?;
        self.exec.burn(GAS.transfer)?;
        let own = self.account_id();
        accounts::transfer(self.exec.store, &own, target, assets)
    }

    fn settle(&mut self, from: &AgentId, to: &AgentId, assets: Assets) -> Result<(), VmError> {
        if self.frame.partition != crate::core::evm::hname() {
            return Err(VmError::unsupported(format!(
                "moving tokens between other accounts from {}: only the EVM may",
                self.frame.contract
            )));
        }
        if assets.is_empty() {
            return Ok(());
        }
        self.no_writes("token transfer")?;
        self.exec.burn(GAS.transfer)?;
        accounts::transfer(self.exec.store, from, to, assets)
    }

    fn send_to_l1(&mut self, user: &AgentId, assets: Assets) -> Result<(), VmError> {
        if assets.is_empty() {
            return Ok(());
        }
        self.no_writes("token transfer")?;
        if !matches!(user, AgentId::User(_)) {
            return Err(VmError::unsupported(format!(
                "sending to L1 address {user}: only users have L1 wallets here"
            )));
        }
        self.exec.burn(GAS.send)?;
        let own = self.account_id();
        accounts::burn(self.exec.store, &own, assets)?;
        l1::credit(self.exec.store, user, assets)
    }

    fn post(&mut self, post: Post) -> Result<RequestId, VmError> {
        self.no_writes("posting a request")?;
        if post.chain != self.exec.env.chain_id {
            return Err(VmError::unsupported(format!(
                "posting a request to chain {}: the playground runs one chain",
                post.chain
            )));
        }
        let (sender, payer) = match post.on_behalf_of {
            None => (self.account_id(), self.account_id()),
            Some(accounts) if self.frame.partition == crate::core::evm::hname() => accounts,
            Some(_) => {
                return Err(VmError::unsupported(format!(
                    "posting on behalf of another account from {}: only the EVM may",
                    self.frame.contract
                )));
            }
        };
        self.exec.burn(GAS.send)?;
        if queue::len(self.exec.store) >= MAX_QUEUED_REQUESTS {
            return Err(VmError::limit(format!(
                "the queue already holds {MAX_QUEUED_REQUESTS} requests, the most it may"
            )));
        }
        let Some(index) = self.exec.posts.checked_add(1) else {
            return Err(VmError::limit("a request may post at most 65 535 requests"));
        };
        self.exec.posts = index;
        accounts::burn(self.exec.store, &payer, post.transfer)?;
        // As an output of the posting request's own transaction: its
        // transaction part derives from the posting request's id (so
        // requests posted by posted requests get ids of their own), the
        // output index counts the request's posts from 1.
        let mut id = [0; 34];
        id[..32].copy_from_slice(Hash::blake2b(self.exec.env.request_id.as_bytes()).as_bytes());
        id[32..].copy_from_slice(&index.to_le_bytes());
        let id = RequestId(id);
        let unlock_time = match post.time_lock {
            TimeLock::None => 0,
            TimeLock::After(delay) => self
                .exec
                .env
                .timestamp
                .saturating_add(u64::from(delay).saturating_mul(1_000_000_000)),
            TimeLock::At(seconds) => seconds.saturating_mul(1_000_000_000),
        };
        let budget = post
            .gas_budget
            .unwrap_or(self.exec.env.post_gas_budget)
            .min(self.exec.env.post_gas_budget);
        let mut request = Request::to(sender, post.contract, post.entry)
            .params(post.params)
            .gas_budget(budget);
        request.tokens = post.transfer;
        request.allowance = post.allowance;
        queue::push(
            self.exec.store,
            &Pending {
                id,
                request,
                unlock_time,
                posted_by: Some(self.exec.env.request_id),
            },
        );
        Ok(id)
    }

    fn call(
        &mut self,
        contract: Hname,
        entry: Hname,
        params: Dict,
        allowance: Assets,
    ) -> Result<Dict, VmError> {
        let call = NestedCall {
            contract,
            entry,
            params,
            allowance,
        };
        self.nested(call, self.frame.view)
    }

    fn call_view(&mut self, contract: Hname, entry: Hname, params: Dict) -> Result<Dict, VmError> {
        let call = NestedCall {
            contract,
            entry,
            params,
            allowance: Assets::default(),
        };
        self.nested(call, true)
    }

    fn deployed_programs(&mut self, vm: &VmType) -> Vec<Rc<dyn Processor>> {
        let mut hashes = Vec::new();
        let mut programs = Vec::new();
        for record in root::records(self.exec.store) {
            if record.vm_type != *vm || hashes.contains(&record.program_hash) {
                continue;
            }
            hashes.push(record.program_hash);
            if let Ok(program) = self
                .exec
                .registry
                .load(self.exec.store, record.program_hash)
            {
                programs.push(program);
            }
        }
        programs
    }

    fn open_call(&mut self, call: NestedCall) -> Result<Option<Opened>, VmError> {
        self.exec.burn(GAS.call)?;
        let call = self.nested_call(call, self.frame.view);
        // The caller waits off the host's stack.
        self.exec.stack -= self.opened.stack;
        let (open, callee) = self.exec.open(call);
        match callee {
            Ok(Some((processor, frame))) => {
                let entry = frame.entry;
                let caller = (
                    std::mem::replace(&mut self.frame, frame),
                    std::mem::replace(&mut self.opened, open),
                );
                self.waiting.push(caller);
                Ok(Some((processor, entry)))
            }
            other => {
                let result = other.map(|_| Dict::new());
                self.exec.close(open, &result);
                self.exec.stack += self.opened.stack;
                result.map(|_| None)
            }
        }
    }

    fn close_call(&mut self, result: Result<Dict, VmError>) -> Result<Dict, VmError> {
        self.exec.close(self.opened, &result);
        if let Some((frame, open)) = self.waiting.pop() {
            self.frame = frame;
            self.opened = open;
            self.exec.stack += open.stack;
        }
        result
    }

    fn load_program(&mut self, hash: Hash) -> Result<VmType, VmError> {
        self.exec.burn(GAS.sandbox_call)?;
        Ok(self.exec.registry.load(self.exec.store, hash)?.vm_type())
    }

    fn event(&mut self, topic: &str, payload: &[u8]) -> Result<(), VmError> {
        self.no_writes("event")?;
        let limits = self.exec.limits;
        if payload.len() > limits.max_event_size as usize {
            return Err(VmError::limit(format!(
                "event of {} bytes exceeds the maximum of {}",
                payload.len(),
                limits.max_event_size
            )));
        }
        if self.exec.events.len() >= limits.max_events_per_request as usize {
            return Err(VmError::limit(format!(
                "more than {} events in one request",
                limits.max_events_per_request
            )));
        }
        self.exec.burn(GAS.event)?;
        self.exec.events.push(Event {
            contract: self.frame.contract,
            topic: topic.to_owned(),
            payload: payload.to_vec(),
        });
        Ok(())
    }

    fn evm_log(&mut self, topic: &str, payload: &[u8]) -> Result<(), VmError> {
        self.no_writes("event")?;
        if payload.len() > crate::bounds::MAX_EVM_LOG_BYTES {
            return Err(VmError::limit(format!(
                "an EVM log of {} bytes; at most {}",
                payload.len(),
                crate::bounds::MAX_EVM_LOG_BYTES
            )));
        }
        if self.exec.events.len() >= crate::bounds::MAX_EVM_LOGS {
            return Err(VmError::limit(format!(
                "more than {} events in one request",
                crate::bounds::MAX_EVM_LOGS
            )));
        }
        self.exec.events.push(Event {
            contract: self.frame.contract,
            topic: topic.to_owned(),
            payload: payload.to_vec(),
        });
        Ok(())
    }

    fn log(&mut self, message: &str) {
        let line = format!("[{}] {message}", self.frame.contract);
        self.exec.log_line(line);
    }

    fn trace(&mut self, message: &str) {
        let line = format!("[{}] trace: {message}", self.frame.contract);
        self.exec.log_line(line);
    }

    fn trace_detail(&mut self, mut detail: serde_json::Value) {
        if let Some(node) = self.exec.open.last_mut() {
            // The instruction that made this call stays with it.
            let at_step = node.detail.as_ref().and_then(|d| d.get("at_step")).cloned();
            if let (Some(at_step), Some(object)) = (at_step, detail.as_object_mut()) {
                object.insert("at_step".into(), at_step);
            }
            node.detail = Some(detail);
        }
    }

    fn trace_steps(&self) -> u32 {
        self.exec.trace_steps
    }

    fn wasm_runtime_allowed(&self) -> bool {
        self.exec.runtime_allowed && !matches!(self.exec.engine, WasmEngine::HandedBack { .. })
    }

    fn give_up_runtime(&mut self, reason: &'static str) {
        let runtime = match &self.exec.engine {
            WasmEngine::Runtime(name) => name.clone(),
            _ => String::new(),
        };
        self.exec.engine = WasmEngine::HandedBack {
            runtime,
            reason: reason.to_owned(),
        };
    }

    fn ran_on_runtime(&mut self, name: &str) {
        if self.exec.engine == WasmEngine::Wasmi {
            self.exec.engine = WasmEngine::Runtime(name.to_owned());
        }
    }

    fn memory_headroom(&self) -> u64 {
        let live = MAX_LIVE_MEMORY_BYTES.saturating_sub(self.exec.memory_live);
        let allocated = MAX_ALLOCATED_MEMORY_BYTES.saturating_sub(self.exec.memory_allocated);
        live.min(allocated)
    }

    fn traced_steps(&mut self, steps: u32) {
        self.exec.trace_steps = self.exec.trace_steps.saturating_sub(steps);
    }

    fn mark_step(&mut self, step: Option<u32>) {
        if self.exec.trace_steps > 0 || step.is_none() {
            self.exec.step_mark = step;
        }
    }

    fn burn_gas(&mut self, gas: u64) -> Result<(), VmError> {
        self.exec.burn(gas)
    }

    fn gas_remaining(&self) -> u64 {
        self.exec.budget - self.exec.burned
    }

    fn reserve_memory(&mut self, bytes: u64) -> Result<(), VmError> {
        let exec = &mut *self.exec;
        let live = exec.memory_live.saturating_add(bytes);
        let allocated = exec.memory_allocated.saturating_add(bytes);
        if live > MAX_LIVE_MEMORY_BYTES {
            return Err(VmError::limit(format!(
                "the request's calls would hold {} MiB of engine memory at once; at most {} MiB",
                live >> 20,
                MAX_LIVE_MEMORY_BYTES >> 20
            )));
        }
        if allocated > MAX_ALLOCATED_MEMORY_BYTES {
            return Err(VmError::limit(format!(
                "the request would allocate more than {} MiB of engine memory in all \
                 (instances created and grown)",
                MAX_ALLOCATED_MEMORY_BYTES >> 20
            )));
        }
        exec.memory_live = live;
        exec.memory_allocated = allocated;
        Ok(())
    }

    fn release_memory(&mut self, bytes: u64) {
        self.exec.memory_live = self.exec.memory_live.saturating_sub(bytes);
    }
}
