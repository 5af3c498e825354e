//! The EVM processor: Solidity contracts on revm, one more VM behind the
//! `Processor` interface.
//!
//! A program is an [`EvmProgram`] (ABI and creation bytecode) stored as JSON
//! in a blob. Its entry points are `init` (the constructor: it creates the
//! contract from the request's sender, like an Ethereum deployment, and
//! records its address) and every ABI function, by name (`view`/`pure`
//! functions are views). Params: `args`, a JSON array of the arguments as
//! text, or `i`, raw ABI-encoded input (calldata with selector for a
//! function, encoded arguments for the constructor). Results: `o`, the raw
//! return data; `decoded`, the outputs as JSON `[[name, value], …]`;
//! `address` after `init`. With `evm.steps` (`u32` LE) the trace's detail
//! also holds that many executed instructions (pc, opcode, gas, the stack's
//! top 16, the frame's memory when it changed, the frame), as evm.codes
//! shows them, and each frame's code hash (`evm_codes`), so a debugger can
//! find the source map of the code — meant for [`crate::Chain::simulate`].

use super::abi::{self, CallShape, EvmProgram};
use super::db::{self, SandboxDb};
use super::evm_address;
use super::magic::{Magic, RequestAllowance};
use crate::Hname;
use crate::codec::Dict;
use crate::ids::AgentId;
use crate::vm::{
    EntryPointInfo, FieldInfo, GAS, Processor, ProcessorFactory, Sandbox, VmError, VmType,
};
use alloy_json_abi::{Function, StateMutability};
use revm::context::result::{ExecutionResult, Output};
use revm::database_interface::Database;
use revm::primitives::{Address, B256, Bytes, TxKind, U256};
use revm::{Context, InspectEvm, MainContext};
use std::cell::OnceCell;

/// The most instructions an opcode trace records.
pub const MAX_TRACED_STEPS: u32 = 100_000;

/// The EVM's block gas limit: no single call may use more.
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;

/// Loads Solidity contracts (VM type `evm`).
#[derive(Debug, Default)]
pub struct EvmFactory;

impl ProcessorFactory for EvmFactory {
    fn vm_type(&self) -> VmType {
        VmType::EVM
    }

    fn load(&self, program: &[u8]) -> Result<Box<dyn Processor>, VmError> {
        let program = EvmProgram::from_json(program).map_err(|err| VmError::InvalidProgram {
            vm: VmType::EVM,
            message: err.to_string(),
        })?;
        let (entry_points, functions) = describe(&program);
        Ok(Box::new(EvmProcessor {
            program,
            entry_points,
            functions,
        }))
    }
}

fn fields(params: &[alloy_json_abi::Param]) -> Vec<FieldInfo> {
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let key = if p.name.is_empty() {
                format!("#{i}")
            } else {
                p.name.clone()
            };
            FieldInfo::new(&key, &p.ty)
        })
        .collect()
}

/// The entry points of an EVM program: `init` with the constructor's
/// params, then every ABI function by name, and each overloaded one (the
/// first included) by its full signature too, with Solidity types as the
/// field types.
pub fn entry_points(program: &EvmProgram) -> Vec<EntryPointInfo> {
    describe(program).0
}

fn describe(program: &EvmProgram) -> (Vec<EntryPointInfo>, Vec<Callable>) {
    let payable = |m: StateMutability| m == StateMutability::Payable;
    let init = match &program.abi.constructor {
        Some(c) => EntryPointInfo::func("init")
            .params(fields(&c.inputs))
            .payable(payable(c.state_mutability)),
        None => EntryPointInfo::func("init"),
    };
    let mut entry_points = vec![init];
    let mut functions: Vec<Callable> = Vec::new();
    let overloaded = |name: &str| program.abi.functions().filter(|f| f.name == name).count() > 1;
    for function in program.abi.functions() {
        let first = !functions.iter().any(|(_, f, _)| f.name == function.name);
        // The first of a name also answers to it bare; every overload, the
        // first included, to its full signature.
        let mut names = Vec::new();
        if first {
            names.push(function.name.clone());
        }
        if !first || overloaded(&function.name) {
            names.push(function.signature());
        }
        for name in names {
            let info = if abi::is_view(function) {
                EntryPointInfo::view(&name)
            } else {
                EntryPointInfo::func(&name)
            }
            .params(fields(&function.inputs))
            .results(fields(&function.outputs))
            .payable(payable(function.state_mutability));
            functions.push((info.hname, function.clone(), OnceCell::new()));
            entry_points.push(info);
        }
    }
    // Ethereum's special functions: a plain value transfer and any other
    // calldata (`args` `["0x…"]` or raw `i`).
    if let Some(receive) = &program.abi.receive {
        entry_points.push(EntryPointInfo::func(RECEIVE).payable(payable(receive.state_mutability)));
    }
    if let Some(fallback) = &program.abi.fallback {
        entry_points.push(
            EntryPointInfo::func(FALLBACK)
                .params(vec![FieldInfo::new("data", "bytes")])
                .payable(payable(fallback.state_mutability)),
        );
    }
    (entry_points, functions)
}

/// The entry point of a plain value transfer to a contract's `receive`.
const RECEIVE: &str = "receive";
/// The entry point of a call to a contract's `fallback`.
const FALLBACK: &str = "fallback";

struct EvmProcessor {
    program: EvmProgram,
    entry_points: Vec<EntryPointInfo>,
    functions: Vec<Callable>,
}

/// A function by a name it answers to, with its call shape once it was
/// called.
type Callable = (Hname, Function, OnceCell<CallShape>);

/// The arguments of a call: the JSON array under `args`, as text.
fn text_args(params: &Dict) -> Result<Option<Vec<String>>, VmError> {
    let Some(raw) = params.get("args") else {
        return Ok(None);
    };
    let values: Vec<serde_json::Value> = serde_json::from_slice(raw)
        .map_err(|err| VmError::param("args", format!("a JSON array of arguments: {err}")))?;
    Ok(Some(
        values
            .into_iter()
            .map(|value| match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            })
            .collect(),
    ))
}

/// The calldata of a call of `function` from `params`: `args` coerced to
/// its ABI types, or raw `i`.
/// (`shape` is the function's, when the caller keeps it.)
fn function_input(
    function: &Function,
    shape: Option<&CallShape>,
    params: &Dict,
) -> Result<Vec<u8>, VmError> {
    let encode = |args: &[String]| match shape {
        Some(shape) => shape.encode(function, args),
        None => abi::encode_call(function, args),
    };
    Ok(match (text_args(params)?, params.get("i")) {
        (Some(args), _) => encode(&args).map_err(abi_error("args"))?,
        (None, Some(raw)) => raw.to_vec(),
        (None, None) => encode(&[]).map_err(abi_error("args"))?,
    })
}

/// The calldata of a call of `entry` (a function's name, or its full
/// signature for any overload) of `interface` from `params` (`args` or raw
/// `i`, as an EVM contract's entry points take them), and the function:
/// for calling code at an address through `evm.callAddress`.
///
/// # Errors
/// [`VmError::EntryPointNotFound`] for a function the ABI lacks;
/// [`VmError::Param`] for arguments that do not fit it.
pub fn calldata<'p>(
    interface: &'p EvmProgram,
    entry: &str,
    params: &Dict,
) -> Result<(&'p Function, Vec<u8>), VmError> {
    let function = interface
        .function(entry)
        .map_err(|_| VmError::EntryPointNotFound {
            contract: "the ABI".into(),
            entry: Hname::of(entry),
        })?;
    Ok((function, function_input(function, None, params)?))
}

fn abi_error(key: &str) -> impl Fn(abi::AbiError) -> VmError + '_ {
    move |err| VmError::param(key, err)
}

impl Processor for EvmProcessor {
    fn vm_type(&self) -> VmType {
        VmType::EVM
    }

    /// An EVM call (revm with its context and inspector) takes about four
    /// times a Wasm call's host stack.
    fn stack_cost(&self) -> usize {
        4
    }

    fn entry_points(&self) -> &[EntryPointInfo] {
        &self.entry_points
    }

    fn state_partition(&self) -> Option<Hname> {
        Some(crate::evm::partition())
    }

    fn check_call(&self, entry: Hname, params: &Dict) -> Result<(), VmError> {
        self.input(entry, params).map(|_| ())
    }

    fn describe_log(
        &self,
        topics: &[[u8; 32]],
        data: &[u8],
    ) -> Option<(String, Vec<(String, String)>)> {
        abi::describe_log(&self.program.abi, topics, data)
    }

    fn describe_revert(&self, data: &[u8]) -> Option<String> {
        abi::describe_error(&self.program.abi, data)
    }

    fn call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<Dict, VmError> {
        if entry == Hname::of("init") {
            return self.deploy(ctx);
        }
        let (function, input) = self.input(entry, ctx.params()).map_err(|err| match err {
            VmError::EntryPointNotFound { entry, .. } => VmError::EntryPointNotFound {
                contract: ctx.contract().to_string(),
                entry,
            },
            other => other,
        })?;
        let address = contract_address(ctx)?;
        let caller = ctx.caller();
        let output = transact(
            ctx,
            Some(&self.program.abi),
            &caller,
            TxKind::Call(address),
            input,
        )?;
        let mut results = Dict::new().with("o", output.clone());
        if let Some(function) = function
            && let Ok(decoded) = abi::decode_output(function, &output)
        {
            results.set("decoded", serde_json::to_vec(&decoded).unwrap_or_default());
        }
        Ok(results)
    }
}

/// Records which agent is behind `address` (a sender's), so that value
/// sent from it settles in that agent's chain account.
fn remember_owner(
    ctx: &mut dyn Sandbox,
    address: &Address,
    sender: &AgentId,
) -> Result<(), VmError> {
    let key = db::owner_key(address);
    if matches!(sender, AgentId::Ethereum(_)) || ctx.state_get(&key)?.is_some() {
        return Ok(());
    }
    ctx.state_set(&key, &sender.to_bytes())
}

/// The address recorded for the running contract at `init`.
fn contract_address(ctx: &mut dyn Sandbox) -> Result<Address, VmError> {
    let stored = ctx.state_get(&db::contract_key(ctx.contract()))?;
    stored
        .filter(|bytes| bytes.len() == 20)
        .map(|bytes| Address::from_slice(&bytes))
        .ok_or_else(|| VmError::panic("this EVM contract was never constructed (no `init`)"))
}

impl EvmProcessor {
    /// The function `entry` names and its calldata from `params` (`args`
    /// coerced to the ABI types, or raw `i`); for `init`, no function and
    /// the creation code with the constructor's arguments.
    fn input(&self, entry: Hname, params: &Dict) -> Result<(Option<&Function>, Vec<u8>), VmError> {
        if entry == Hname::of("init") {
            let mut code = self.program.creation_code().map_err(abi_error("p"))?;
            match (text_args(params)?, params.get("i")) {
                (Some(args), _) => code.extend(
                    self.program
                        .encode_constructor(&args)
                        .map_err(abi_error("args"))?,
                ),
                (None, Some(raw)) => code.extend_from_slice(raw),
                (None, None) => code.extend(
                    self.program
                        .encode_constructor(&[])
                        .map_err(abi_error("args"))?,
                ),
            }
            return Ok((None, code));
        }
        if entry == Hname::of(RECEIVE) && self.program.abi.receive.is_some() {
            return Ok((None, Vec::new()));
        }
        if entry == Hname::of(FALLBACK) && self.program.abi.fallback.is_some() {
            let data = match (text_args(params)?, params.get("i")) {
                (Some(args), _) => match args.first() {
                    Some(hex) => {
                        let digits = hex.trim().trim_start_matches("0x");
                        hex::decode(digits).map_err(|err| {
                            VmError::param("args", format!("fallback data `{hex}`: {err}"))
                        })?
                    }
                    None => Vec::new(),
                },
                (None, Some(raw)) => raw.to_vec(),
                (None, None) => Vec::new(),
            };
            return Ok((None, data));
        }
        let (_, function, shape) = self
            .functions
            .iter()
            .find(|(hname, _, _)| *hname == entry)
            .ok_or_else(|| VmError::EntryPointNotFound {
                contract: String::new(),
                entry,
            })?;
        let shape = shape.get_or_init(|| CallShape::of(function));
        Ok((
            Some(function),
            function_input(function, Some(shape), params)?,
        ))
    }

    fn deploy(&self, ctx: &mut dyn Sandbox) -> Result<Dict, VmError> {
        let (_, code) = self.input(Hname::of("init"), ctx.params())?;
        // msg.sender of the constructor is whoever sent the deploy request.
        let sender = ctx.request_sender();
        // The new address belongs to this contract before the constructor
        // runs, so that value sent to a payable constructor settles into
        // the contract's own account (as on Ethereum, it is the contract's).
        let from = evm_address(ctx, &sender)?;
        let expected = from.create(db::nonce(ctx, &from)?);
        let own = ctx.account_id();
        ctx.state_set(&db::owner_key(&expected), &own.to_bytes())?;
        let address = transact(ctx, Some(&self.program.abi), &sender, TxKind::Create, code)?;
        if address.as_slice() != expected.as_slice() {
            return Err(VmError::Trap {
                vm: VmType::EVM,
                message: format!(
                    "the contract was created at 0x{}, not at the address its creator's nonce \
                     gives (0x{})",
                    const_hex::encode(&address),
                    const_hex::encode(expected)
                ),
            });
        }
        ctx.state_set(&db::contract_key(ctx.contract()), &address)?;
        Ok(Dict::new().with("address", address))
    }
}

/// Calls the EVM address `to` with `input` from the caller (see
/// `core::evm`'s `callAddress`): the return data.
pub(crate) fn call_address(
    ctx: &mut dyn Sandbox,
    to: [u8; 20],
    input: Vec<u8>,
) -> Result<Vec<u8>, VmError> {
    let caller = ctx.caller();
    transact(ctx, None, &caller, TxKind::Call(Address::from(to)), input)
}

/// Creates a contract from the caller with creation code `code` (see
/// `core::evm`'s `createContract`): its address.
pub(crate) fn create_from_caller(ctx: &mut dyn Sandbox, code: Vec<u8>) -> Result<Vec<u8>, VmError> {
    let caller = ctx.caller();
    transact(ctx, None, &caller, TxKind::Create, code)
}

/// revm's mainnet EVM over `ctx` with `inspector`, as
/// `MainBuilder::build_mainnet_with_inspector` makes it except for its call
/// frames: revm's builder makes eight up front, each with a 32 KiB operand
/// stack, and a request that calls no other contract uses one. Here a
/// frame is made when a call first reaches its depth (revm's `FrameStack`
/// supports both; an empty frame gets its stack when it is first set up).
fn lazy_frames_evm<CTX, INSP>(ctx: CTX, inspector: INSP) -> revm::MainnetEvm<CTX, INSP>
where
    CTX: revm::context::ContextTr,
{
    use revm::context::Cfg;
    let spec = ctx.cfg().spec().into();
    revm::context::Evm {
        ctx,
        inspector,
        instruction: revm::handler::instructions::EthInstructions::new_mainnet_with_spec(spec),
        precompiles: revm::handler::EthPrecompiles::new(spec),
        frame_stack: revm::context::FrameStack::new(),
    }
}

/// Runs one EVM transaction from `sender` (its address: [`evm_address`])
/// with `input`, `evm.value` and `evm.steps` from the params, and commits
/// it unless the call is a view. `abi` is the called contract's, when
/// known: its logs and custom errors are named with it first, then with
/// any deployed contract's. Gives the output (for a create: the new
/// address).
pub(crate) fn transact(
    ctx: &mut dyn Sandbox,
    abi: Option<&alloy_json_abi::JsonAbi>,
    sender: &AgentId,
    kind: TxKind,
    input: Vec<u8>,
) -> Result<Vec<u8>, VmError> {
    let from = evm_address(ctx, sender)?;
    let ratio = GAS.evm_gas_ratio.max(1);
    let gas_limit = (ctx.gas_remaining() / ratio).min(BLOCK_GAS_LIMIT);
    // Whether the request's budget, not the block gas limit, bounds the call.
    let budget_bound = gas_limit < BLOCK_GAS_LIMIT;
    let view = ctx.is_view();
    let block_number = u64::from(ctx.block_index());
    let timestamp = ctx.timestamp() / 1_000_000_000;
    let prevrandao = B256::from(*ctx.entropy().as_bytes());

    // `evm.steps` (u32 LE): record that many instructions for the trace;
    // else as many as the request records (`Chain::trace`).
    let asked = ctx
        .params()
        .get("evm.steps")
        .and_then(|b| crate::codec::u32_from_bytes(b).ok());
    let shared_budget = asked.is_none() && ctx.trace_steps() > 0;
    let max_steps = asked
        .unwrap_or_else(|| ctx.trace_steps())
        .min(MAX_TRACED_STEPS) as usize;
    // `evm.value` (`u64` LE, base tokens): the call's `msg.value`.
    let value = match ctx.params().get("evm.value") {
        Some(bytes) => {
            crate::codec::u64_from_bytes(bytes).map_err(|err| VmError::param("evm.value", err))?
        }
        None => 0,
    };
    if value > 0 && view {
        return Err(VmError::param("evm.value", "a view cannot receive value"));
    }
    if !view {
        remember_owner(ctx, &from, sender)?;
    }
    let request = match kind {
        TxKind::Call(to) => RequestAllowance {
            from,
            to,
            left: ctx.allowance().base_tokens,
        },
        TxKind::Create => RequestAllowance::default(),
    };
    let mut database = SandboxDb::new(ctx);
    let nonce = database
        .basic(from)
        .map_err(|err| VmError::Trap {
            vm: VmType::EVM,
            message: err.to_string(),
        })?
        .map_or(0, |info| info.nonce);
    let mut tx = super::transaction(from, kind, Bytes::from(input), gas_limit, nonce);
    tx.value = U256::from(value) * U256::from(db::WEI_PER_BASE_TOKEN);
    // On the heap: nested ISC calls re-enter the EVM on the host's
    // stack, and an EVM with its context is kilobytes.
    let mut evm = Box::new(lazy_frames_evm(
        Context::mainnet()
            .with_db(&mut database)
            .modify_cfg_chained(super::playground_cfg)
            .modify_block_chained(|block| {
                block.number = U256::from(block_number);
                block.timestamp = U256::from(timestamp);
                block.prevrandao = Some(prevrandao);
                block.gas_limit = BLOCK_GAS_LIMIT;
                block.basefee = 0;
            }),
        Magic {
            max_steps,
            shared_budget,
            request,
            ..Magic::default()
        },
    ));
    let outcome = evm.inspect_tx(tx);
    let fatal = evm.inspector.fatal.take();
    let frames = std::mem::take(&mut evm.inspector.frames);
    let frames_total = evm.inspector.frames_total;
    let steps = std::mem::take(&mut evm.inspector.steps);
    let reported = evm.inspector.reported;
    let codes = std::mem::take(&mut evm.inspector.codes);
    let sends = std::mem::take(&mut evm.inspector.sends);
    drop(evm);
    let SandboxDb {
        ctx, error, loaded, ..
    } = database;
    let frames_kept = frames.len();
    let mut detail = serde_json::json!({ "evm_frames": frames });
    if frames_total > frames_kept {
        detail["evm_frames_total"] = serde_json::json!(frames_total);
        detail["evm_frames_truncated"] = serde_json::json!(true);
    }
    if max_steps > 0 {
        ctx.traced_steps(u32::try_from(steps.len() - reported).unwrap_or(u32::MAX));
        detail["evm_steps"] = serde_json::json!(steps);
        detail["evm_codes"] = serde_json::json!(codes);
    }
    ctx.trace_detail(detail);
    if let Some(error) = fatal.or(error) {
        return Err(error);
    }
    let outcome = outcome.map_err(|err| {
        if gas_limit < 21_000 {
            VmError::OutOfGas { budget: 0 }
        } else {
            VmError::Trap {
                vm: VmType::EVM,
                message: err.to_string(),
            }
        }
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(VmError::OutOfGas { .. }) => {
            return Err(ctx
                .burn_gas(u64::MAX)
                .err()
                .unwrap_or(VmError::OutOfGas { budget: 0 }));
        }
        Err(err) => return Err(err),
    };
    let result = outcome.result;
    // The request's own transaction (not one a contract makes through
    // ISC) uses up its sender's nonce even when it fails.
    if !view && !result.is_success() && *sender == ctx.request_sender() {
        db::use_nonce_on_failure(ctx, &from)?;
    }
    ctx.burn_gas(result.tx_gas_used().saturating_mul(ratio))?;
    match result {
        ExecutionResult::Success { output, logs, .. } => {
            if !view {
                db::commit(ctx, outcome.state, &loaded)?;
                post_sends(ctx, sends)?;
            }
            let mut others = Others::default();
            for log in logs {
                let topics: Vec<[u8; 32]> = log.data.topics().iter().map(|t| t.0).collect();
                let mut decoded = abi::decode_log(abi, log.address.0.0, &topics, &log.data.data);
                if decoded.event.is_empty()
                    && let Some((event, args)) = others
                        .get(ctx)
                        .iter()
                        .find_map(|p| p.describe_log(&topics, &log.data.data))
                {
                    decoded.event = event;
                    decoded.args = args;
                }
                let topic = if decoded.event.is_empty() {
                    "evm.log".to_owned()
                } else {
                    decoded.event.clone()
                };
                ctx.evm_log(&topic, &serde_json::to_vec(&decoded).unwrap_or_default())?;
            }
            Ok(match output {
                Output::Create(_, address) => address.map(|a| a.to_vec()).unwrap_or_default(),
                Output::Call(data) => data.to_vec(),
            })
        }
        ExecutionResult::Revert { output, .. } => {
            let own = abi::revert_reason(abi, &output);
            // A custom error of another contract (bubbled up from an
            // inner call): named with that contract's ABI.
            let reason = if own.starts_with("0x") {
                Others::default()
                    .get(ctx)
                    .iter()
                    .find_map(|p| p.describe_revert(&output))
                    .unwrap_or(own)
            } else {
                own
            };
            Err(VmError::Revert {
                reason,
                data: const_hex::encode_prefixed(&output),
            })
        }
        ExecutionResult::Halt { reason, .. } => {
            let message = format!("{reason:?}");
            if message.starts_with("OutOfGas") {
                if budget_bound {
                    return Err(ctx
                        .burn_gas(u64::MAX)
                        .err()
                        .unwrap_or(VmError::OutOfGas { budget: 0 }));
                }
                // The EVM's own limit (the block gas limit) ran out
                // first: out of gas all the same, with that budget.
                return Err(VmError::OutOfGas { budget: gas_limit });
            }
            Err(VmError::Trap {
                vm: VmType::EVM,
                message,
            })
        }
    }
}

/// The programs of the chain's other EVM contracts, looked up once and
/// only when a log or a revert is not in the running contract's ABI.
#[derive(Default)]
struct Others(Option<Vec<std::rc::Rc<dyn Processor>>>);

impl Others {
    fn get(&mut self, ctx: &mut dyn Sandbox) -> &[std::rc::Rc<dyn Processor>] {
        self.0
            .get_or_insert_with(|| ctx.deployed_programs(&VmType::EVM))
    }
}

/// Posts the requests the transaction sent (after it committed: their
/// tokens are in the `evm` reserve), each with its sending contract as
/// sender.
fn post_sends(ctx: &mut dyn Sandbox, sends: Vec<super::magic::Send>) -> Result<(), VmError> {
    // Settling the transaction moved what the senders sent to the magic
    // contract (which keeps no balance) into the `evm` reserve.
    let escrow = AgentId::Contract {
        chain: ctx.chain_id(),
        hname: crate::evm::partition(),
    };
    for send in sends {
        let sender = super::address_agent(ctx, &send.from)?;
        let mut post = send.post;
        post.on_behalf_of = Some((sender, escrow));
        ctx.post(post)?;
    }
    Ok(())
}
