//! The EVM: [revm], on a chosen hard fork, with outcomes kept apart from errors.
//!
//! Architecture invariant: this is the only module that names a revm type.
//! Everything it exposes is plain Rust ([`EvmOutcome`], [`EvmError`]).

mod abi;
mod addresses;
mod artifact;
mod db;
mod magic;
mod memo;
mod processor;
mod signed;

pub use abi::{
    AbiError, DecodedLog, EvmProgram, Library, decode_log, decode_output, encode_call,
    panic_meaning, revert_reason,
};
pub use addresses::MAGIC_ADDRESS_HEX;
/// An ABI, as `alloy-json-abi` reads it (what [`EvmProgram::abi`] is).
pub use alloy_json_abi::JsonAbi;
pub use artifact::{ACCEPTED_SHAPES, programs_from_artifact};
pub use db::{
    AccountState, WEI_PER_BASE_TOKEN, account_state, code_accounts, contract_address, storage_slot,
};
pub use processor::{BLOCK_GAS_LIMIT, EvmFactory, MAX_TRACED_STEPS, calldata, entry_points};
pub(crate) use processor::{call_address, create_from_caller};
pub use signed::{SignedError, SignedTransaction, signed_transaction};

use crate::ids::AgentId;
use crate::vm::{Sandbox, VmError};
use revm::bytecode::Bytecode;
use revm::context::result::ExecutionResult;
use revm::context::{CfgEnv, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind, U256};
use revm::state::AccountInfo;
use revm::{Context, ExecuteEvm, MainBuilder, MainContext};
use thiserror::Error;

/// The hard fork whose rules the playground's EVM follows.
pub const HARD_FORK: &str = "Prague";

/// The chain id the EVM reports until the chain config supplies one.
pub const DEFAULT_CHAIN_ID: u64 = 1074;

/// The outcome of an EVM call that was processed: success, revert or halt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvmOutcome {
    /// The code returned normally.
    Success {
        /// The return data.
        output: Vec<u8>,
        /// EVM gas used.
        gas_used: u64,
    },
    /// The code executed `REVERT`.
    Revert {
        /// The revert data (e.g. an ABI-encoded `Error(string)`).
        output: Vec<u8>,
        /// EVM gas used.
        gas_used: u64,
    },
    /// The code halted exceptionally (out of gas, invalid opcode, stack underflow, …).
    Halt {
        /// What went wrong, as revm names it.
        reason: String,
        /// EVM gas used (all of the limit, for standard halts).
        gas_used: u64,
    },
}

impl EvmOutcome {
    /// The EVM gas the call used, whatever its outcome.
    pub fn gas_used(&self) -> u64 {
        match self {
            Self::Success { gas_used, .. }
            | Self::Revert { gas_used, .. }
            | Self::Halt { gas_used, .. } => *gas_used,
        }
    }
}

/// Why an EVM call could not be processed at all.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EvmError {
    /// The transaction was invalid (e.g. a gas limit below the intrinsic cost).
    #[error("the EVM refused the transaction: {reason}")]
    Rejected {
        /// revm's message.
        reason: String,
    },
}

/// A big-endian word (up to 32 bytes) as a decimal number, as Solidity
/// tools show a `uint256`.
pub fn word_to_decimal(bytes: &[u8]) -> String {
    match bytes.len() {
        0..=32 => U256::from_be_slice(bytes).to_string(),
        _ => const_hex::encode_prefixed(bytes),
    }
}

/// The address a CREATE from `from` at nonce `nonce` gives.
pub fn create_address(from: &[u8; 20], nonce: u64) -> [u8; 20] {
    Address::from(*from).create(nonce).0.0
}

/// The hname of the `evm` core contract, whose partition holds every EVM
/// account: `Hname::of("evm")`, known (asked for on every EVM request;
/// `core::tests` checks it).
pub(crate) fn partition() -> crate::Hname {
    crate::Hname::from_u32(0x07cb02c1)
}

/// `address` as EIP-55 writes it (mixed-case checksum).
pub fn checksum(address: &[u8; 20]) -> String {
    memo::checksum(Address::from(*address))
}

/// The Ethereum address of an agent: its own for an Ethereum account, the
/// last 20 bytes of keccak-256 of the key for a user, the recorded address
/// of a root-registered EVM contract, else the last 20 bytes of keccak-256
/// of `isc-contract` and the hname.
pub fn agent_address(agent: &AgentId) -> [u8; 20] {
    use sha3::Digest;
    let hash: [u8; 32] = match agent {
        AgentId::Ethereum(address) => return *address,
        AgentId::Nil => return [0; 20],
        AgentId::User(key) => sha3::Keccak256::digest(key).into(),
        AgentId::Contract { hname, .. } => {
            sha3::Keccak256::digest([b"isc-contract".as_slice(), &hname.to_bytes()].concat()).into()
        }
    };
    let mut address = [0; 20];
    address.copy_from_slice(&hash[12..]);
    address
}

/// [`agent_address`], reading a contract's recorded address from the `evm`
/// partition (the running EVM processor's own).
pub(crate) fn evm_address(ctx: &mut dyn Sandbox, agent: &AgentId) -> Result<Address, VmError> {
    if let AgentId::Contract { hname, .. } = agent
        && let Some(bytes) = ctx.state_get(&db::contract_key(*hname))?
        && bytes.len() == 20
    {
        return Ok(Address::from_slice(&bytes));
    }
    Ok(Address::from(agent_address(agent)))
}

/// The agent behind EVM address `address`: the recorded owner (a user or a
/// registered contract), else the Ethereum account itself.
pub(crate) fn address_agent(ctx: &mut dyn Sandbox, address: &Address) -> Result<AgentId, VmError> {
    match ctx.state_get(&db::owner_key(address))? {
        Some(bytes) => AgentId::from_bytes(&bytes)
            .map_err(|err| VmError::codec(format!("stored address owner: {err}"))),
        None => Ok(AgentId::Ethereum(address.0.0)),
    }
}

/// Genesis: records which user is behind each user's EVM address, so the
/// base-token ERC-20 finds their chain accounts.
pub(crate) fn genesis(store: &mut crate::chain::store::Store, users: &[AgentId]) {
    for user in users {
        let address = Address::from(agent_address(user));
        store.set(
            crate::evm::partition(),
            &db::owner_key(&address),
            user.to_bytes(),
        );
    }
}

/// A bare revm over an in-memory database, outside any chain: the baseline
/// the processor's benchmark compares against (what the chain adds —
/// sandbox state, journaling, receipts, blocks — is the difference).
pub struct InMemoryEvm {
    db: CacheDB<EmptyDB>,
    program: EvmProgram,
    from: Address,
    contract: Address,
}

impl InMemoryEvm {
    /// Deploys `program` from `from` with constructor `args`.
    ///
    /// # Errors
    /// [`EvmError::Rejected`] if deployment fails.
    pub fn deploy(program: EvmProgram, from: [u8; 20], args: &[String]) -> Result<Self, EvmError> {
        let rejected = |reason: String| EvmError::Rejected { reason };
        let mut code = program
            .creation_code()
            .map_err(|e| rejected(e.to_string()))?;
        code.extend(
            program
                .encode_constructor(args)
                .map_err(|e| rejected(e.to_string()))?,
        );
        let mut evm = Self {
            db: CacheDB::new(EmptyDB::default()),
            program,
            from: Address::from(from),
            contract: Address::ZERO,
        };
        let output = evm.transact(TxKind::Create, code)?;
        evm.contract = Address::from_slice(&output);
        Ok(evm)
    }

    /// Calls `function` with `args` and commits.
    ///
    /// # Errors
    /// [`EvmError::Rejected`] on bad arguments, a revert or a halt.
    pub fn call(&mut self, function: &str, args: &[String]) -> Result<Vec<u8>, EvmError> {
        let rejected = |reason: String| EvmError::Rejected { reason };
        let function = self
            .program
            .function(function)
            .map_err(|e| rejected(e.to_string()))?;
        let input = encode_call(function, args).map_err(|e| rejected(e.to_string()))?;
        self.transact(TxKind::Call(self.contract), input)
    }

    fn transact(&mut self, kind: TxKind, input: Vec<u8>) -> Result<Vec<u8>, EvmError> {
        use revm::ExecuteCommitEvm;
        let nonce = self
            .db
            .cache
            .accounts
            .get(&self.from)
            .map_or(0, |a| a.info.nonce);
        let tx = transaction(self.from, kind, Bytes::from(input), BLOCK_GAS_LIMIT, nonce);
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .modify_cfg_chained(playground_cfg)
            .modify_block_chained(|block| {
                block.basefee = 0;
                block.gas_limit = BLOCK_GAS_LIMIT;
            })
            .build_mainnet();
        let result = evm.transact_commit(tx).map_err(|err| EvmError::Rejected {
            reason: err.to_string(),
        })?;
        match result {
            ExecutionResult::Success { output, .. } => Ok(match output {
                revm::context::result::Output::Create(_, address) => {
                    address.map(|a| a.to_vec()).unwrap_or_default()
                }
                revm::context::result::Output::Call(data) => data.to_vec(),
            }),
            other => Err(EvmError::Rejected {
                reason: format!("{other:?}"),
            }),
        }
    }
}

/// The playground's EVM rules: hard fork [`HARD_FORK`], chain id
/// [`DEFAULT_CHAIN_ID`].
///
/// EIP-3607 (refuse transactions from senders with code) is off: in ISC an
/// ISC contract — an EVM contract calling through the magic contract
/// included — may call an EVM contract, and the EVM sees that contract's
/// address as the sender.
pub(crate) fn playground_cfg(cfg: &mut CfgEnv) {
    cfg.chain_id = DEFAULT_CHAIN_ID;
    cfg.spec = SpecId::PRAGUE;
    cfg.disable_eip3607 = true;
}

/// A transaction as the playground sends one: gas price 0 (the chain
/// charges its own fee).
pub(crate) fn transaction(
    from: Address,
    kind: TxKind,
    input: Bytes,
    gas_limit: u64,
    nonce: u64,
) -> TxEnv {
    TxEnv::builder()
        .caller(from)
        .kind(kind)
        .data(input)
        .gas_limit(gas_limit)
        .gas_price(0)
        .nonce(nonce)
        .chain_id(Some(DEFAULT_CHAIN_ID))
        .build_fill()
}

/// The address the code runs at in [`call_code`].
const CONTRACT: Address = Address::new([0xc0; 20]);
/// The caller in [`call_code`].
const CALLER: Address = Address::new([0xca; 20]);

/// Runs runtime bytecode `code` with calldata `input` as a call from a fresh
/// account, on an otherwise empty state, with `gas_limit` EVM gas.
///
/// # Errors
///
/// [`EvmError::Rejected`] if the transaction is invalid before any code runs.
/// A revert or halt is an [`EvmOutcome`], not an error.
pub fn call_code(code: &[u8], input: &[u8], gas_limit: u64) -> Result<EvmOutcome, EvmError> {
    let mut db = CacheDB::new(EmptyDB::default());
    db.insert_account_info(
        CONTRACT,
        AccountInfo::default().with_code(Bytecode::new_raw(Bytes::copy_from_slice(code))),
    );
    db.insert_account_info(CALLER, AccountInfo::from_balance(U256::ZERO));
    let mut evm = Context::mainnet()
        .with_db(db)
        .modify_cfg_chained(playground_cfg)
        .build_mainnet();
    let tx = transaction(
        CALLER,
        TxKind::Call(CONTRACT),
        Bytes::copy_from_slice(input),
        gas_limit,
        0,
    );
    let result = evm.transact_one(tx).map_err(|err| EvmError::Rejected {
        reason: err.to_string(),
    })?;
    let gas_used = result.tx_gas_used();
    Ok(match result {
        ExecutionResult::Success { output, .. } => EvmOutcome::Success {
            output: output.into_data().to_vec(),
            gas_used,
        },
        ExecutionResult::Revert { output, .. } => EvmOutcome::Revert {
            output: output.to_vec(),
            gas_used,
        },
        ExecutionResult::Halt { reason, .. } => EvmOutcome::Halt {
            reason: format!("{reason:?}"),
            gas_used,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PUSH1 0 PUSH1 0 REVERT`
    const REVERT: &[u8] = &[0x60, 0x00, 0x60, 0x00, 0xfd];
    /// `JUMPDEST PUSH1 0 JUMP`: an endless loop.
    const LOOP: &[u8] = &[0x5b, 0x60, 0x00, 0x56];
    /// `ADD` on an empty stack.
    const UNDERFLOW: &[u8] = &[0x01];

    #[test]
    fn revert_is_an_outcome_not_an_error() {
        let outcome = call_code(REVERT, &[], 100_000).expect("processed");
        assert!(matches!(outcome, EvmOutcome::Revert { ref output, .. } if output.is_empty()));
    }

    #[test]
    fn an_endless_loop_halts_out_of_gas_using_the_whole_limit() {
        let outcome = call_code(LOOP, &[], 100_000).expect("processed");
        match outcome {
            EvmOutcome::Halt { reason, gas_used } => {
                assert!(reason.contains("OutOfGas"), "{reason}");
                assert_eq!(gas_used, 100_000);
            }
            other => panic!("expected a halt, got {other:?}"),
        }
    }

    #[test]
    fn stack_underflow_halts() {
        let outcome = call_code(UNDERFLOW, &[], 100_000).expect("processed");
        assert!(
            matches!(outcome, EvmOutcome::Halt { ref reason, .. } if reason.contains("StackUnderflow")),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_gas_limit_below_the_intrinsic_cost_is_rejected() {
        let err = call_code(REVERT, &[], 100).expect_err("must fail");
        assert!(matches!(err, EvmError::Rejected { .. }), "{err:?}");
    }
}
