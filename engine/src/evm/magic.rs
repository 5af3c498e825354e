//! The ISC magic contract: Solidity's door to the chain, at
//! `0x1074000000000000000000000000000000000000`.
//!
//! It is a revm inspector hook: a call to the magic address never runs EVM
//! code; the hook decodes it against the `ISCSandbox` interface (the one in
//! `contracts/solidity/ISC.sol`), does it through the engine's `Sandbox`
//! (so `call` is a real nested ISC call, into any VM, atomic and in the
//! trace) and returns the ABI-encoded answer. Any failure reverts the EVM
//! call with `Error(string)`, which Solidity can catch.

use super::db::SandboxDb;
use crate::Hname;
use crate::codec::{Assets, Dict};
use crate::vm::{Sandbox, VmError};
use alloy_sol_types::{SolCall, SolError, sol};
use revm::bytecode::OpCode;
use revm::context_interface::ContextTr;
use revm::inspector::Inspector;
use revm::interpreter::Interpreter;
use revm::interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Gas, InstructionResult, InterpreterResult,
};
use revm::primitives::Log;
use revm::primitives::{Address, B256, Bytes, U256, address};

/// The ISC sandbox's magic address.
pub(crate) const MAGIC_ADDRESS: Address = address!("1074000000000000000000000000000000000000");

/// The ERC-20 view of the chain's base token.
pub(crate) const BASE_TOKEN_ADDRESS: Address = address!("1074010000000000000000000000000000000000");

/// Whether `address` is one of the magic addresses answered here.
pub(crate) fn is_magic(address: &Address) -> bool {
    *address == MAGIC_ADDRESS || *address == BASE_TOKEN_ADDRESS
}

/// [`MAGIC_ADDRESS`] as text.
pub const MAGIC_ADDRESS_HEX: &str = "0x1074000000000000000000000000000000000000";

/// The code the magic address appears to have, so that Solidity's
/// `extcodesize` check passes: `INVALID` (it never runs).
pub(crate) const MAGIC_CODE: [u8; 1] = [0xfe];

/// EVM gas a magic call costs, besides what its sandbox work burns.
const MAGIC_CALL_GAS: u64 = 700;

sol! {
    struct ISCDictItem { bytes key; bytes value; }
    struct ISCDict { ISCDictItem[] items; }
    struct NativeTokenID { bytes data; }
    struct NativeToken { NativeTokenID ID; uint256 amount; }
    struct ISCAssets { uint64 baseTokens; NativeToken[] nativeTokens; bytes32[] nfts; }
    struct ISCAgentID { bytes data; }
    struct ISCRequestID { bytes data; }

    interface ISCSandbox {
        function getRequestID() external view returns (ISCRequestID memory);
        function getSenderAccount() external view returns (ISCAgentID memory);
        function triggerEvent(string memory s) external;
        function getEntropy() external view returns (bytes32);
        function getChainID() external view returns (bytes32);
        function getChainOwnerID() external view returns (ISCAgentID memory);
        function getTimestampUnixSeconds() external view returns (int64);
        function call(uint32 contractHname, uint32 entryPoint, ISCDict memory params, ISCAssets memory allowance) external returns (ISCDict memory);
        function callView(uint32 contractHname, uint32 entryPoint, ISCDict memory params) external view returns (ISCDict memory);
        function getAllowanceFrom(address addr) external view returns (ISCAssets memory);
        function takeAllowedFunds(address addr, ISCAssets memory allowance) external;
    }

    error Error(string message);

    interface IERC20BaseTokens {
        function name() external view returns (string memory);
        function symbol() external view returns (string memory);
        function decimals() external view returns (uint8);
        function totalSupply() external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
        function transfer(address to, uint256 amount) external returns (bool);
    }
}

/// The selector of a call to `who`, and how to report its decoding errors.
fn split_call(
    input: &[u8],
    who: &'static str,
) -> Result<([u8; 4], impl Fn(alloy_sol_types::Error) -> VmError), VmError> {
    let selector: [u8; 4] = input
        .get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| VmError::panic(format!("{who}: call without a selector")))?;
    Ok((selector, move |err| VmError::Codec(format!("{who}: {err}"))))
}

/// The base-token ERC-20: balances are the chain's accounts.
fn base_token(
    ctx: &mut dyn Sandbox,
    input: &[u8],
    caller: Address,
    is_static: bool,
) -> Result<Vec<u8>, VmError> {
    use IERC20BaseTokens as T;
    let (selector, bad) = split_call(input, "base-token ERC-20")?;
    Ok(match selector {
        T::nameCall::SELECTOR => T::nameCall::abi_encode_returns(&"IOTA".to_owned()),
        T::symbolCall::SELECTOR => T::symbolCall::abi_encode_returns(&"IOTA".to_owned()),
        T::decimalsCall::SELECTOR => T::decimalsCall::abi_encode_returns(&6u8),
        T::totalSupplyCall::SELECTOR => {
            let total =
                ctx.call_view(Hname::of("accounts"), Hname::of("totalAssets"), Dict::new())?;
            T::totalSupplyCall::abi_encode_returns(&U256::from(total.u64("B")?))
        }
        T::balanceOfCall::SELECTOR => {
            let call = T::balanceOfCall::abi_decode(input).map_err(bad)?;
            let agent = super::address_agent(ctx, &call.account)?;
            let balance = ctx.balance_of(&agent)?.base_tokens;
            T::balanceOfCall::abi_encode_returns(&U256::from(balance))
        }
        T::transferCall::SELECTOR => {
            if is_static {
                return Err(VmError::panic(
                    "base-token ERC-20: transfer in a static call",
                ));
            }
            let call = T::transferCall::abi_decode(input).map_err(bad)?;
            // Only the running contract's own account can pay: its tokens are
            // the chain account the sandbox may send from.
            let own = ctx.account_id();
            let own_address = super::evm_address(ctx, &own)?;
            if caller != own_address {
                return Err(VmError::Unsupported(format!(
                    "base-token transfer from {caller}: only the called contract ({own_address}) can pay"
                )));
            }
            let amount = u64::try_from(call.amount)
                .map_err(|_| VmError::param("amount", "more base tokens than exist"))?;
            let target = super::address_agent(ctx, &call.to)?;
            ctx.send(&target, Assets::base(amount))?;
            T::transferCall::abi_encode_returns(&true)
        }
        other => {
            return Err(VmError::panic(format!(
                "base-token ERC-20: unknown function 0x{}",
                hex::encode(other)
            )));
        }
    })
}

fn to_dict(dict: &ISCDict) -> Dict {
    dict.items
        .iter()
        .map(|item| (item.key.to_vec(), item.value.to_vec()))
        .collect()
}

fn from_dict(dict: &Dict) -> ISCDict {
    ISCDict {
        items: dict
            .iter()
            .map(|(key, value)| ISCDictItem {
                key: Bytes::copy_from_slice(key),
                value: Bytes::copy_from_slice(value),
            })
            .collect(),
    }
}

fn to_assets(assets: &ISCAssets) -> Result<Assets, VmError> {
    if !assets.nativeTokens.is_empty() {
        return Err(VmError::Unsupported("native tokens".into()));
    }
    if !assets.nfts.is_empty() {
        return Err(VmError::Unsupported("NFTs".into()));
    }
    Ok(Assets::base(assets.baseTokens))
}

/// Runs one call of the ISC sandbox interface and returns its ABI-encoded
/// output.
fn dispatch(
    ctx: &mut dyn Sandbox,
    input: &[u8],
    caller: Address,
    is_static: bool,
) -> Result<Vec<u8>, VmError> {
    let (selector, bad) = split_call(input, "ISC magic contract")?;
    Ok(match selector {
        ISCSandbox::getRequestIDCall::SELECTOR => {
            ISCSandbox::getRequestIDCall::abi_encode_returns(&ISCRequestID {
                data: Bytes::copy_from_slice(ctx.request_id().as_bytes()),
            })
        }
        ISCSandbox::getSenderAccountCall::SELECTOR => {
            ISCSandbox::getSenderAccountCall::abi_encode_returns(&ISCAgentID {
                data: Bytes::from(ctx.request_sender().to_bytes()),
            })
        }
        ISCSandbox::triggerEventCall::SELECTOR => {
            if is_static {
                return Err(VmError::panic(
                    "ISC magic contract: triggerEvent in a static call",
                ));
            }
            let call = ISCSandbox::triggerEventCall::abi_decode(input).map_err(bad)?;
            let topic = call.s.split('|').next().unwrap_or_default().to_owned();
            ctx.event(&topic, call.s.as_bytes())?;
            Vec::new()
        }
        ISCSandbox::getEntropyCall::SELECTOR => {
            ISCSandbox::getEntropyCall::abi_encode_returns(&B256::from(*ctx.entropy().as_bytes()))
        }
        ISCSandbox::getChainIDCall::SELECTOR => {
            ISCSandbox::getChainIDCall::abi_encode_returns(&B256::from(*ctx.chain_id().as_bytes()))
        }
        ISCSandbox::getChainOwnerIDCall::SELECTOR => {
            ISCSandbox::getChainOwnerIDCall::abi_encode_returns(&ISCAgentID {
                data: Bytes::from(ctx.chain_owner().to_bytes()),
            })
        }
        ISCSandbox::getTimestampUnixSecondsCall::SELECTOR => {
            let seconds = i64::try_from(ctx.timestamp() / 1_000_000_000).unwrap_or(i64::MAX);
            ISCSandbox::getTimestampUnixSecondsCall::abi_encode_returns(&seconds)
        }
        ISCSandbox::callCall::SELECTOR => {
            if is_static {
                return Err(VmError::panic(
                    "ISC magic contract: call in a static call (use callView)",
                ));
            }
            let call = ISCSandbox::callCall::abi_decode(input).map_err(bad)?;
            let results = ctx.call(
                Hname::from_u32(call.contractHname),
                Hname::from_u32(call.entryPoint),
                to_dict(&call.params),
                to_assets(&call.allowance)?,
            )?;
            ISCSandbox::callCall::abi_encode_returns(&from_dict(&results))
        }
        ISCSandbox::getAllowanceFromCall::SELECTOR => {
            let call = ISCSandbox::getAllowanceFromCall::abi_decode(input).map_err(bad)?;
            let from = ctx.caller();
            let allowed = if super::evm_address(ctx, &from)? == call.addr {
                ctx.allowance().base_tokens
            } else {
                0
            };
            ISCSandbox::getAllowanceFromCall::abi_encode_returns(&ISCAssets {
                baseTokens: allowed,
                nativeTokens: Vec::new(),
                nfts: Vec::new(),
            })
        }
        ISCSandbox::takeAllowedFundsCall::SELECTOR => {
            if is_static {
                return Err(VmError::panic(
                    "ISC magic contract: takeAllowedFunds in a static call",
                ));
            }
            let call = ISCSandbox::takeAllowedFundsCall::abi_decode(input).map_err(bad)?;
            // The request's allowance: what the caller of the running
            // contract let it take, moved into the contract's own account.
            let own = ctx.account_id();
            if caller != super::evm_address(ctx, &own)? {
                return Err(VmError::Unsupported(format!(
                    "takeAllowedFunds from {caller}: only the called contract can take its allowance"
                )));
            }
            let from = ctx.caller();
            if super::evm_address(ctx, &from)? != call.addr {
                return Err(VmError::AllowanceExceeded {
                    needed: call.allowance.baseTokens,
                    allowed: 0,
                });
            }
            ctx.transfer_allowed(&own, to_assets(&call.allowance)?)?;
            Vec::new()
        }
        ISCSandbox::callViewCall::SELECTOR => {
            let call = ISCSandbox::callViewCall::abi_decode(input).map_err(bad)?;
            let results = ctx.call_view(
                Hname::from_u32(call.contractHname),
                Hname::from_u32(call.entryPoint),
                to_dict(&call.params),
            )?;
            ISCSandbox::callViewCall::abi_encode_returns(&from_dict(&results))
        }
        other => {
            return Err(VmError::panic(format!(
                "ISC magic contract: unknown function 0x{}",
                hex::encode(other)
            )));
        }
    })
}

/// One EVM call frame, for the receipt's trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct EvmFrame {
    /// Nesting depth, the transaction's own call being 0.
    pub(crate) depth: usize,
    /// `Call`, `StaticCall`, `DelegateCall`, `CallCode` or `Create`.
    pub(crate) kind: String,
    pub(crate) from: String,
    pub(crate) to: String,
    /// Input, hex (for a create: the init code's length only).
    pub(crate) input: String,
    /// Output, hex.
    pub(crate) output: String,
    pub(crate) gas_limit: u64,
    pub(crate) gas_used: u64,
    pub(crate) success: bool,
    /// Logs emitted in this frame: `[address, [topics…], data]`, hex.
    pub(crate) logs: Vec<(String, Vec<String>, String)>,
}

/// One executed instruction, for the opcode trace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct EvmStep {
    pub(crate) depth: usize,
    pub(crate) pc: usize,
    pub(crate) op: &'static str,
    /// Gas left before the instruction.
    pub(crate) gas: u64,
    /// The top of the stack (up to 4 items), topmost first, hex.
    pub(crate) stack: Vec<String>,
}

/// The inspector: answers calls to the magic addresses, records call
/// frames (and, when asked, the first `max_steps` instructions), and keeps
/// the first failure that must end the request (out of gas).
#[derive(Default)]
pub(crate) struct Magic {
    pub(crate) fatal: Option<VmError>,
    pub(crate) max_steps: usize,
    pub(crate) steps: Vec<EvmStep>,
    /// Frames in start order.
    pub(crate) frames: Vec<EvmFrame>,
    pub(crate) open: Vec<usize>,
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

impl Magic {
    fn open_frame(
        &mut self,
        kind: String,
        from: Address,
        to: Address,
        input: String,
        gas_limit: u64,
    ) {
        self.open.push(self.frames.len());
        self.frames.push(EvmFrame {
            depth: self.open.len() - 1,
            kind,
            from: from.to_checksum(None),
            to: to.to_checksum(None),
            input,
            output: String::new(),
            gas_limit,
            gas_used: 0,
            success: false,
            logs: Vec::new(),
        });
    }

    fn close_frame(&mut self, result: &InterpreterResult, to: Option<Address>) {
        if let Some(frame) = self.open.pop().and_then(|i| self.frames.get_mut(i)) {
            frame.output = hex0x(&result.output);
            frame.gas_used = result.gas.total_gas_spent();
            frame.success = result.result.is_ok();
            if let Some(to) = to {
                frame.to = to.to_checksum(None);
            }
        }
    }
}

impl<'d, 's: 'd, CTX> Inspector<CTX> for Magic
where
    CTX: ContextTr<Db = &'d mut SandboxDb<'s>>,
{
    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        let input = inputs.input.bytes(context);
        self.open_frame(
            format!("{:?}", inputs.scheme),
            inputs.caller,
            inputs.target_address,
            hex0x(&input),
            inputs.gas_limit,
        );
        if !is_magic(&inputs.target_address) {
            return None;
        }
        let mut gas = Gas::new(inputs.gas_limit);
        let outcome = if gas.record_regular_cost(MAGIC_CALL_GAS) {
            let ctx: &mut dyn Sandbox = &mut *context.db_mut().ctx;
            if inputs.target_address == MAGIC_ADDRESS {
                dispatch(ctx, &input, inputs.caller, inputs.is_static)
            } else {
                base_token(ctx, &input, inputs.caller, inputs.is_static)
            }
        } else {
            Err(VmError::panic("ISC magic contract: out of EVM gas"))
        };
        let (result, output) = match outcome {
            Ok(output) => (InstructionResult::Return, Bytes::from(output)),
            Err(err) => {
                let message = err.to_string();
                if matches!(err, VmError::OutOfGas { .. }) {
                    self.fatal.get_or_insert(err);
                }
                (
                    InstructionResult::Revert,
                    Bytes::from(Error { message }.abi_encode()),
                )
            }
        };
        Some(CallOutcome::new(
            InterpreterResult {
                result,
                output,
                gas,
            },
            inputs.return_memory_offset.clone(),
        ))
    }

    fn step(&mut self, interp: &mut Interpreter, _context: &mut CTX) {
        use revm::interpreter::interpreter_types::Jumps;
        if self.steps.len() >= self.max_steps {
            return;
        }
        let stack = (0..interp.stack.len().min(4))
            .filter_map(|i| interp.stack.peek(i).ok())
            .map(|value| format!("{value:#x}"))
            .collect();
        self.steps.push(EvmStep {
            depth: self.open.len().saturating_sub(1),
            pc: interp.bytecode.pc(),
            op: OpCode::name_by_op(interp.bytecode.opcode()),
            gas: interp.gas.remaining(),
            stack,
        });
    }

    fn call_end(&mut self, _context: &mut CTX, _inputs: &CallInputs, outcome: &mut CallOutcome) {
        self.close_frame(&outcome.result, None);
    }

    fn create(&mut self, _context: &mut CTX, inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        let input = format!("({} bytes of init code)", inputs.init_code().len());
        self.open_frame(
            "Create".into(),
            inputs.caller(),
            Address::ZERO,
            input,
            inputs.gas_limit(),
        );
        None
    }

    fn create_end(
        &mut self,
        _context: &mut CTX,
        _inputs: &CreateInputs,
        outcome: &mut CreateOutcome,
    ) {
        self.close_frame(&outcome.result, outcome.address);
    }

    fn log(&mut self, _context: &mut CTX, log: Log) {
        if let Some(frame) = self.open.last().and_then(|i| self.frames.get_mut(*i)) {
            frame.logs.push((
                log.address.to_checksum(None),
                log.data
                    .topics()
                    .iter()
                    .map(|t| hex0x(t.as_slice()))
                    .collect(),
                hex0x(&log.data.data),
            ));
        }
    }
}
