//! The ISC magic contract: Solidity's door to the chain, at
//! `0x1074000000000000000000000000000000000000`.
//!
//! It is a revm inspector hook: a call to the magic address never runs EVM
//! code; the hook decodes it against the `ISCSandbox` interface (the one in
//! `contracts/solidity/ISC.sol`), does it through the engine's `Sandbox`
//! (so `call` is a real nested ISC call, into any VM, atomic and in the
//! trace) and returns the ABI-encoded answer. Any failure reverts the EVM
//! call with `Error(string)`, which Solidity can catch.

use super::db::{SandboxDb, WEI_PER_BASE_TOKEN};
use crate::Hname;
use crate::bounds::{MAX_EVM_FRAME_BYTES, MAX_EVM_FRAME_LOGS, MAX_EVM_FRAMES};
use crate::codec::{Assets, Dict};
use crate::vm::{Sandbox, VmError};
use alloy_sol_types::{SolCall, SolError, SolEvent, sol};
use revm::bytecode::OpCode;
use revm::context_interface::{ContextTr, JournalTr};
use revm::inspector::Inspector;
use revm::interpreter::Interpreter;
use revm::interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Gas, InstructionResult, InterpreterResult,
};
use revm::primitives::Log;
use revm::primitives::{Address, B256, Bytes, U256, keccak256};

use super::addresses::{BASE_TOKEN_ADDRESS, MAGIC_ADDRESS, is_magic};

/// EVM gas a magic call costs, besides what its sandbox work burns.
const MAGIC_CALL_GAS: u64 = 700;

// The Solidity side's own declarations, read from the file contracts
// import: the interface is written once.
sol!("../contracts/solidity/ISC.sol");

sol! {
    error Error(string message);
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
    Ok((selector, move |err| VmError::codec(format!("{who}: {err}"))))
}

/// What the ISC request's caller allowed the called EVM contract to take:
/// an allowance from the caller's address to the contract's that lasts for
/// this request only, taken before any stored one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RequestAllowance {
    pub(crate) from: Address,
    pub(crate) to: Address,
    pub(crate) left: u64,
}

/// One magic call: the sandbox and revm's journal, so that token moves and
/// allowances are journaled like any EVM state change (an EVM revert undoes
/// them; they settle in the chain's accounts when the transaction commits).
struct Host<'c, 'd, 's: 'd, CTX: ContextTr<Db = &'d mut SandboxDb<'s>>> {
    cx: &'c mut CTX,
    /// `msg.sender` of the magic call.
    caller: Address,
    is_static: bool,
    request: &'c mut RequestAllowance,
    /// Requests posted with `send`, waiting for the transaction to commit.
    sends: &'c mut Vec<Send>,
    /// The depth of the frame that called the magic contract.
    depth: usize,
}

/// A request Solidity posted with `send`: posted to the chain's queue once
/// the transaction commits (its tokens go to the magic contract, which
/// settling puts in the `evm` reserve), dropped if the frame that sent it
/// reverts.
#[derive(Debug, Clone)]
pub(crate) struct Send {
    /// The depth of the frame that sent it.
    pub(crate) depth: usize,
    /// The sending contract: the request's sender.
    pub(crate) from: Address,
    /// The request.
    pub(crate) post: crate::vm::Post,
}

fn journal_error(err: super::db::DbError) -> VmError {
    VmError::Trap {
        vm: crate::vm::VmType::EVM,
        message: err.to_string(),
    }
}

fn wei(base_tokens: u64) -> U256 {
    U256::from(base_tokens) * U256::from(WEI_PER_BASE_TOKEN)
}

/// The allowance slot of (`from`, `to`) in the magic address's storage.
fn allowance_slot(from: &Address, to: &Address) -> U256 {
    U256::from_be_bytes(keccak256([from.as_slice(), to.as_slice()].concat()).0)
}

impl<'d, 's: 'd, CTX: ContextTr<Db = &'d mut SandboxDb<'s>>> Host<'_, 'd, 's, CTX> {
    fn sandbox(&mut self) -> &mut dyn Sandbox {
        &mut *self.cx.db_mut().ctx
    }

    fn writes(&self, what: &str) -> Result<(), VmError> {
        if self.is_static {
            Err(VmError::panic(format!("{what} in a static call")))
        } else {
            Ok(())
        }
    }

    /// `address`'s balance in base tokens, as the transaction sees it now.
    fn balance(&mut self, address: Address) -> Result<u64, VmError> {
        let account = self
            .cx
            .journal_mut()
            .load_account(address)
            .map_err(journal_error)?;
        let tokens = account.data.info.balance / U256::from(WEI_PER_BASE_TOKEN);
        Ok(u64::try_from(tokens).unwrap_or(u64::MAX))
    }

    /// Moves base tokens between EVM balances (that is, chain accounts).
    fn transfer(&mut self, from: Address, to: Address, amount: u64) -> Result<(), VmError> {
        let journal = self.cx.journal_mut();
        journal.load_account(to).map_err(journal_error)?;
        match journal
            .transfer(from, to, wei(amount))
            .map_err(journal_error)?
        {
            None => Ok(()),
            Some(_) => {
                let available = self.balance(from)?;
                Err(VmError::InsufficientFunds {
                    account: super::memo::checksum(from),
                    available,
                    needed: amount,
                })
            }
        }
    }

    fn allowance(&mut self, from: &Address, to: &Address) -> Result<u64, VmError> {
        let journal = self.cx.journal_mut();
        journal.load_account(MAGIC_ADDRESS).map_err(journal_error)?;
        let value = journal
            .sload(MAGIC_ADDRESS, allowance_slot(from, to))
            .map_err(journal_error)?
            .data;
        Ok(u64::try_from(value).unwrap_or(u64::MAX))
    }

    fn set_allowance(&mut self, from: &Address, to: &Address, amount: u64) -> Result<(), VmError> {
        let journal = self.cx.journal_mut();
        journal.load_account(MAGIC_ADDRESS).map_err(journal_error)?;
        journal
            .sstore(MAGIC_ADDRESS, allowance_slot(from, to), U256::from(amount))
            .map_err(journal_error)?;
        journal.touch_account(MAGIC_ADDRESS);
        Ok(())
    }

    /// The request's allowance, if it is `from`'s to the caller.
    fn request_part(&self, from: &Address) -> u64 {
        if self.request.from == *from && self.request.to == self.caller {
            self.request.left
        } else {
            0
        }
    }

    /// Moves `amount` from `from` to the caller within what `from` allowed
    /// it: the request's allowance first, then the stored one.
    fn take(&mut self, from: Address, amount: u64) -> Result<(), VmError> {
        let from_request = self.request_part(&from).min(amount);
        let rest = amount - from_request;
        let stored = self.allowance(&from, &self.caller.clone())?;
        if rest > stored {
            return Err(VmError::AllowanceExceeded {
                needed: amount,
                allowed: from_request + stored,
            });
        }
        let to = self.caller;
        self.transfer(from, to, amount)?;
        self.request.left -= from_request;
        if rest > 0 {
            self.set_allowance(&from, &to, stored - rest)?;
        }
        Ok(())
    }

    /// Records an ERC-20 style log from a magic address.
    fn log(&mut self, address: Address, topics: Vec<B256>, data: Vec<u8>) {
        self.cx
            .journal_mut()
            .log(Log::new_unchecked(address, topics, Bytes::from(data)));
    }

    /// The base-token ERC-20: balances are the chain's accounts.
    fn base_token(&mut self, input: &[u8]) -> Result<Vec<u8>, VmError> {
        use ISCBaseTokens as T;
        let (selector, bad) = split_call(input, "base-token ERC-20")?;
        let caller = self.caller;
        Ok(match selector {
            T::nameCall::SELECTOR => T::nameCall::abi_encode_returns(&"IOTA".to_owned()),
            T::symbolCall::SELECTOR => T::symbolCall::abi_encode_returns(&"IOTA".to_owned()),
            T::decimalsCall::SELECTOR => T::decimalsCall::abi_encode_returns(&6u8),
            T::totalSupplyCall::SELECTOR => {
                let total = self.sandbox().call_view(
                    Hname::of("accounts"),
                    Hname::of("totalAssets"),
                    Dict::new(),
                )?;
                T::totalSupplyCall::abi_encode_returns(&U256::from(total.u64("B")?))
            }
            T::balanceOfCall::SELECTOR => {
                let call = T::balanceOfCall::abi_decode(input).map_err(bad)?;
                let balance = self.balance(call.account)?;
                T::balanceOfCall::abi_encode_returns(&U256::from(balance))
            }
            T::allowanceCall::SELECTOR => {
                let call = T::allowanceCall::abi_decode(input).map_err(bad)?;
                let allowed = self.allowance(&call.owner, &call.spender)?;
                T::allowanceCall::abi_encode_returns(&U256::from(allowed))
            }
            T::transferCall::SELECTOR => {
                self.writes("base-token ERC-20: transfer")?;
                let call = T::transferCall::abi_decode(input).map_err(bad)?;
                let amount = base_amount(call.amount)?;
                self.transfer(caller, call.to, amount)?;
                self.log(
                    BASE_TOKEN_ADDRESS,
                    transfer_topics(caller, call.to),
                    word(amount),
                );
                T::transferCall::abi_encode_returns(&true)
            }
            T::approveCall::SELECTOR => {
                self.writes("base-token ERC-20: approve")?;
                let call = T::approveCall::abi_decode(input).map_err(bad)?;
                let amount = base_amount(call.amount)?;
                self.set_allowance(&caller, &call.spender, amount)?;
                let topics = vec![
                    T::Approval::SIGNATURE_HASH,
                    caller.into_word(),
                    call.spender.into_word(),
                ];
                self.log(BASE_TOKEN_ADDRESS, topics, word(amount));
                T::approveCall::abi_encode_returns(&true)
            }
            T::transferFromCall::SELECTOR => {
                self.writes("base-token ERC-20: transferFrom")?;
                let call = T::transferFromCall::abi_decode(input).map_err(bad)?;
                let amount = base_amount(call.amount)?;
                let allowed = self.allowance(&call.from, &caller)?;
                let left = allowed
                    .checked_sub(amount)
                    .ok_or(VmError::AllowanceExceeded {
                        needed: amount,
                        allowed,
                    })?;
                self.transfer(call.from, call.to, amount)?;
                self.set_allowance(&call.from, &caller, left)?;
                self.log(
                    BASE_TOKEN_ADDRESS,
                    transfer_topics(call.from, call.to),
                    word(amount),
                );
                T::transferFromCall::abi_encode_returns(&true)
            }
            other => {
                return Err(VmError::panic(format!(
                    "base-token ERC-20: unknown function 0x{}",
                    const_hex::encode(other)
                )));
            }
        })
    }

    /// `send`: a request to this chain, posted when the transaction
    /// commits. Its tokens move from the caller to the magic contract now
    /// (journaled: a revert undoes it), and on to the queue at commit.
    fn send(&mut self, call: ISCSandbox::sendCall) -> Result<(), VmError> {
        let chain = self.sandbox().chain_id();
        let target = call.targetAddress.data.to_vec();
        if target.first() != Some(&8) || target.get(1..) != Some(chain.as_bytes().as_slice()) {
            return Err(VmError::unsupported(format!(
                "sending to L1 address 0x{}: the playground runs one chain (send to ISC.chainAddress())",
                const_hex::encode(&target)
            )));
        }
        let assets = to_assets(&call.assets)?;
        let metadata = &call.metadata;
        let allowance = to_assets(&metadata.allowance)?;
        if allowance.base_tokens > assets.base_tokens {
            return Err(VmError::panic(
                "allowance must not be greater than sent tokens",
            ));
        }
        let caller = self.caller;
        if assets.base_tokens > 0 {
            self.transfer(caller, MAGIC_ADDRESS, assets.base_tokens)?;
        }
        let timelock = call.sendOptions.timelock;
        self.sends.push(Send {
            depth: self.depth,
            from: caller,
            post: crate::vm::Post {
                chain,
                on_behalf_of: None,
                contract: Hname::from_u32(metadata.targetContract),
                entry: Hname::from_u32(metadata.entrypoint),
                params: to_dict(&metadata.params),
                transfer: assets,
                allowance,
                gas_budget: (metadata.gasBudget > 0).then_some(metadata.gasBudget),
                time_lock: match u64::try_from(timelock) {
                    Ok(seconds) if seconds > 0 => crate::vm::TimeLock::At(seconds),
                    _ => crate::vm::TimeLock::None,
                },
            },
        });
        Ok(())
    }

    /// One call of the ISC sandbox interface.
    fn sandbox_call(&mut self, input: &[u8]) -> Result<Vec<u8>, VmError> {
        use ISCSandbox as S;
        let (selector, bad) = split_call(input, "ISC magic contract")?;
        let caller = self.caller;
        Ok(match selector {
            S::getRequestIDCall::SELECTOR => {
                let id = self.sandbox().request_id();
                S::getRequestIDCall::abi_encode_returns(&ISCRequestID {
                    data: Bytes::copy_from_slice(id.as_bytes()),
                })
            }
            S::getSenderAccountCall::SELECTOR => {
                let sender = self.sandbox().request_sender();
                S::getSenderAccountCall::abi_encode_returns(&ISCAgentID {
                    data: Bytes::from(sender.to_bytes()),
                })
            }
            S::triggerEventCall::SELECTOR => {
                self.writes("ISC magic contract: triggerEvent")?;
                let call = S::triggerEventCall::abi_decode(input).map_err(bad)?;
                let topic = call.s.split('|').next().unwrap_or_default().to_owned();
                self.sandbox().event(&topic, call.s.as_bytes())?;
                Vec::new()
            }
            S::getEntropyCall::SELECTOR => {
                let entropy = self.sandbox().entropy();
                S::getEntropyCall::abi_encode_returns(&B256::from(*entropy.as_bytes()))
            }
            S::getChainIDCall::SELECTOR => {
                let chain = self.sandbox().chain_id();
                S::getChainIDCall::abi_encode_returns(&B256::from(*chain.as_bytes()))
            }
            S::getChainOwnerIDCall::SELECTOR => {
                let owner = self.sandbox().chain_owner();
                S::getChainOwnerIDCall::abi_encode_returns(&ISCAgentID {
                    data: Bytes::from(owner.to_bytes()),
                })
            }
            S::getTimestampUnixSecondsCall::SELECTOR => {
                let nanos = self.sandbox().timestamp();
                let seconds = i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX);
                S::getTimestampUnixSecondsCall::abi_encode_returns(&seconds)
            }
            S::callCall::SELECTOR => {
                self.writes("ISC magic contract: call (use callView)")?;
                let call = S::callCall::abi_decode(input).map_err(bad)?;
                let allowance = to_assets(&call.allowance)?;
                let results = self.sandbox().call(
                    Hname::from_u32(call.contractHname),
                    Hname::from_u32(call.entryPoint),
                    to_dict(&call.params),
                    allowance,
                )?;
                S::callCall::abi_encode_returns(&from_dict(&results))
            }
            S::callViewCall::SELECTOR => {
                let call = S::callViewCall::abi_decode(input).map_err(bad)?;
                let results = self.sandbox().call_view(
                    Hname::from_u32(call.contractHname),
                    Hname::from_u32(call.entryPoint),
                    to_dict(&call.params),
                )?;
                S::callViewCall::abi_encode_returns(&from_dict(&results))
            }
            S::allowCall::SELECTOR => {
                self.writes("ISC magic contract: allow")?;
                let call = S::allowCall::abi_decode(input).map_err(bad)?;
                let amount = to_assets(&call.allowance)?.base_tokens;
                let now = self.allowance(&caller, &call.target)?;
                self.set_allowance(&caller, &call.target, now.saturating_add(amount))?;
                Vec::new()
            }
            S::getAllowanceFromCall::SELECTOR => {
                let call = S::getAllowanceFromCall::abi_decode(input).map_err(bad)?;
                let allowed =
                    self.request_part(&call.addr) + self.allowance(&call.addr, &caller)?;
                S::getAllowanceFromCall::abi_encode_returns(&base_assets(allowed))
            }
            S::getAllowanceToCall::SELECTOR => {
                let call = S::getAllowanceToCall::abi_decode(input).map_err(bad)?;
                let allowed = self.allowance(&caller, &call.target)?;
                S::getAllowanceToCall::abi_encode_returns(&base_assets(allowed))
            }
            S::getAllowanceCall::SELECTOR => {
                let call = S::getAllowanceCall::abi_decode(input).map_err(bad)?;
                let allowed = self.allowance(&call.from, &call.to)?;
                S::getAllowanceCall::abi_encode_returns(&base_assets(allowed))
            }
            S::takeAllowedFundsCall::SELECTOR => {
                self.writes("ISC magic contract: takeAllowedFunds")?;
                let call = S::takeAllowedFundsCall::abi_decode(input).map_err(bad)?;
                let amount = to_assets(&call.allowance)?.base_tokens;
                self.take(call.addr, amount)?;
                Vec::new()
            }
            S::sendCall::SELECTOR => {
                self.writes("ISC magic contract: send")?;
                let call = S::sendCall::abi_decode(input).map_err(bad)?;
                self.send(call)?;
                Vec::new()
            }
            other => {
                return Err(VmError::panic(format!(
                    "ISC magic contract: unknown function 0x{}",
                    const_hex::encode(other)
                )));
            }
        })
    }
}

/// An ERC-20 amount as base tokens.
fn base_amount(amount: U256) -> Result<u64, VmError> {
    u64::try_from(amount).map_err(|_| VmError::param("amount", "more base tokens than exist"))
}

/// A 32-byte big-endian word holding `value`: an ERC-20 log's data.
fn word(value: u64) -> Vec<u8> {
    U256::from(value).to_be_bytes::<32>().to_vec()
}

fn transfer_topics(from: Address, to: Address) -> Vec<B256> {
    vec![
        ISCBaseTokens::Transfer::SIGNATURE_HASH,
        from.into_word(),
        to.into_word(),
    ]
}

fn base_assets(base_tokens: u64) -> ISCAssets {
    ISCAssets {
        baseTokens: base_tokens,
        nativeTokens: Vec::new(),
        nfts: Vec::new(),
    }
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
        return Err(VmError::unsupported("native tokens"));
    }
    if !assets.nfts.is_empty() {
        return Err(VmError::unsupported("NFTs"));
    }
    Ok(Assets::base(assets.baseTokens))
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
    /// The top of the stack, topmost first, hex: the 16 items an
    /// instruction can reach (`DUP16`, `SWAP16`).
    pub(crate) stack: Vec<String>,
    /// The frame it runs in: its index in the trace's `evm_frames`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) frame: Option<usize>,
    /// The frame's memory, hex, when it differs from what the frame's
    /// last recorded step had (memory is recorded up to
    /// [`MAX_TRACED_MEMORY`] bytes in all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) memory: Option<String>,
    /// An `SSTORE`'s slot value before it ran (a storage diff's left side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) old: Option<String>,
}

/// The most memory bytes an opcode trace records, all steps together.
pub(crate) const MAX_TRACED_MEMORY: usize = 8 * 1024 * 1024;
/// How many stack items a step records.
const TRACED_STACK: usize = 16;

/// The inspector: answers calls to the magic addresses, records call
/// frames (and, when asked, the first `max_steps` instructions), and keeps
/// the first failure that must end the request (out of gas).
#[derive(Default)]
pub(crate) struct Magic {
    pub(crate) fatal: Option<VmError>,
    pub(crate) max_steps: usize,
    /// The ISC request's allowance to the called contract.
    pub(crate) request: RequestAllowance,
    pub(crate) steps: Vec<EvmStep>,
    /// Frames in start order (the first [`MAX_EVM_FRAMES`]).
    pub(crate) frames: Vec<EvmFrame>,
    /// Every frame opened, kept or not.
    pub(crate) frames_total: usize,
    /// Logs kept in frames so far.
    pub(crate) logs_kept: usize,
    /// Indices into `frames` of the open frames (`usize::MAX`: not kept).
    pub(crate) open: Vec<usize>,
    /// Requests posted with `send`, in order.
    pub(crate) sends: Vec<Send>,
    /// While steps are recorded: each open frame's memory as its last
    /// recorded step saw it.
    pub(crate) memories: Vec<Vec<u8>>,
    /// Memory bytes recorded so far.
    pub(crate) memory_recorded: usize,
    /// The code hash of each kept frame that ran code, by frame index.
    pub(crate) codes: std::collections::BTreeMap<usize, String>,
    /// Whether the instruction running now was recorded (its `step_end`
    /// may complete it).
    pub(crate) recorded_now: bool,
    /// Whether `max_steps` is the request's shared budget
    /// (`Sandbox::trace_steps`), which nested calls draw on too.
    pub(crate) shared_budget: bool,
    /// Steps already counted against that budget.
    pub(crate) reported: usize,
}

fn hex0x(bytes: &[u8]) -> String {
    const_hex::encode_prefixed(bytes)
}

/// `bytes` as hex for the trace: the first [`MAX_EVM_FRAME_BYTES`], with
/// the full length noted when cut.
fn hex_capped(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_EVM_FRAME_BYTES {
        return hex0x(bytes);
    }
    format!(
        "{}… (truncated: {} bytes)",
        hex0x(&bytes[..MAX_EVM_FRAME_BYTES]),
        bytes.len()
    )
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
        self.frames_total += 1;
        if self.max_steps > 0 {
            self.memories.push(Vec::new());
        }
        if self.frames.len() >= MAX_EVM_FRAMES {
            self.open.push(usize::MAX);
            return;
        }
        self.open.push(self.frames.len());
        self.frames.push(EvmFrame {
            depth: self.open.len() - 1,
            kind,
            from: super::memo::checksum(from),
            to: super::memo::checksum(to),
            input,
            output: String::new(),
            gas_limit,
            gas_used: 0,
            success: false,
            logs: Vec::new(),
        });
    }

    fn close_frame(&mut self, result: &InterpreterResult, to: Option<Address>) {
        // A frame that fails takes back what it (and its callees) sent.
        let depth = self.open.len().saturating_sub(1);
        self.memories.pop();
        if !result.result.is_ok() {
            self.sends.retain(|send| send.depth < depth);
        }
        if let Some(frame) = self.open.pop().and_then(|i| self.frames.get_mut(i)) {
            frame.output = hex_capped(&result.output);
            frame.gas_used = result.gas.total_gas_spent();
            frame.success = result.result.is_ok();
            if let Some(to) = to {
                frame.to = super::memo::checksum(to);
            }
        }
    }
}

/// A storage slot of `address` as the transaction's journal holds it now,
/// if it was loaded: (value before the transaction, value now).
fn journaled_slot<J: JournalTr<State = revm::state::EvmState>>(
    journal: &J,
    address: Address,
    key: U256,
) -> Option<(U256, U256)> {
    let slot = journal.evm_state().get(&address)?.storage.get(&key)?;
    Some((slot.original_value, slot.present_value))
}

impl<'d, 's: 'd, CTX> Inspector<CTX> for Magic
where
    CTX: ContextTr<Db = &'d mut SandboxDb<'s>>,
    CTX::Journal: JournalTr<State = revm::state::EvmState>,
{
    fn call(&mut self, context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        let input = inputs.input.bytes(context);
        self.open_frame(
            format!("{:?}", inputs.scheme),
            inputs.caller,
            inputs.target_address,
            hex_capped(&input),
            inputs.gas_limit,
        );
        if !is_magic(&inputs.target_address) {
            return None;
        }
        let mut gas = Gas::new(inputs.gas_limit);
        let outcome = if !gas.record_regular_cost(MAGIC_CALL_GAS) {
            Err(VmError::panic("ISC magic contract: out of EVM gas"))
        } else if !inputs.call_value().is_zero() {
            Err(VmError::panic(
                "the ISC magic contracts accept no value: send tokens with `allow` or the base-token ERC-20",
            ))
        } else {
            let mut host = Host {
                cx: context,
                caller: inputs.caller,
                is_static: inputs.is_static,
                request: &mut self.request,
                sends: &mut self.sends,
                // The magic call's own frame is the last one open.
                depth: self.open.len().saturating_sub(2),
            };
            // While recording: a nested ISC call this makes names the
            // instruction that called the magic contract.
            let mark = (self.max_steps > 0)
                .then(|| self.steps.len().checked_sub(1))
                .flatten()
                .and_then(|step| u32::try_from(step).ok());
            if mark.is_some() {
                host.sandbox().mark_step(mark);
            }
            // The request's budget: what this call recorded so far is
            // spent before the nested call draws on it.
            if self.shared_budget {
                let recorded = self.steps.len();
                let new = u32::try_from(recorded - self.reported).unwrap_or(u32::MAX);
                host.sandbox().traced_steps(new);
                self.reported = recorded;
            }
            let outcome = if inputs.target_address == MAGIC_ADDRESS {
                host.sandbox_call(&input)
            } else {
                host.base_token(&input)
            };
            if mark.is_some() {
                host.sandbox().mark_step(None);
            }
            if self.shared_budget {
                let left = host.sandbox().trace_steps() as usize;
                self.max_steps = self.steps.len().saturating_add(left);
            }
            outcome
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

    fn step(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        use revm::interpreter::interpreter_types::{InputsTr, Jumps};
        self.recorded_now = self.steps.len() < self.max_steps;
        if !self.recorded_now {
            return;
        }
        // An SSTORE's slot as it is before it runs, when the transaction
        // has read it already (else `step_end` finds its original value).
        let old = (interp.bytecode.opcode() == revm::bytecode::opcode::SSTORE)
            .then(|| interp.stack.peek(0).ok())
            .flatten()
            .and_then(|key| {
                journaled_slot(context.journal_ref(), interp.input.target_address(), key)
            })
            .map(|(_, present)| format!("{present:#x}"));
        let stack = (0..interp.stack.len().min(TRACED_STACK))
            .filter_map(|i| interp.stack.peek(i).ok())
            .map(|value| format!("{value:#x}"))
            .collect();
        let frame = self.open.last().copied().filter(|i| *i != usize::MAX);
        if let Some(frame) = frame {
            self.codes
                .entry(frame)
                .or_insert_with(|| hex0x(interp.bytecode.get_or_calculate_hash().as_slice()));
        }
        // The memory, when it changed since the frame's last step.
        let size = interp.memory.len();
        let memory = {
            let now = interp.memory.slice_len(0, size);
            match self.memories.last_mut() {
                Some(last)
                    if last.as_slice() != &*now
                        && self.memory_recorded + size <= MAX_TRACED_MEMORY =>
                {
                    self.memory_recorded += size;
                    last.clear();
                    last.extend_from_slice(&now);
                    Some(hex0x(&now))
                }
                _ => None,
            }
        };
        self.steps.push(EvmStep {
            depth: self.open.len().saturating_sub(1),
            pc: interp.bytecode.pc(),
            op: OpCode::name_by_op(interp.bytecode.opcode()),
            gas: interp.gas.remaining(),
            stack,
            frame,
            memory,
            old,
        });
    }

    fn step_end(&mut self, interp: &mut Interpreter, context: &mut CTX) {
        use revm::interpreter::interpreter_types::InputsTr;
        // A slot the transaction had not read before this SSTORE: its
        // value before is the one the transaction started with.
        if !std::mem::take(&mut self.recorded_now) {
            return;
        }
        let Some(step) = self.steps.last_mut() else {
            return;
        };
        if step.op != "SSTORE" || step.old.is_some() {
            return;
        }
        let Some(key) = step.stack.first().and_then(|k| k.parse::<U256>().ok()) else {
            return;
        };
        if let Some((original, _)) =
            journaled_slot(context.journal_ref(), interp.input.target_address(), key)
        {
            step.old = Some(format!("{original:#x}"));
        }
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
        if self.logs_kept >= MAX_EVM_FRAME_LOGS {
            return;
        }
        if let Some(frame) = self.open.last().and_then(|i| self.frames.get_mut(*i)) {
            self.logs_kept += 1;
            frame.logs.push((
                super::memo::checksum(log.address),
                log.data
                    .topics()
                    .iter()
                    .map(|t| hex0x(t.as_slice()))
                    .collect(),
                hex_capped(&log.data.data),
            ));
        }
    }
}
