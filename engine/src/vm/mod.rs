//! The VM abstraction — the narrow waist between the chain and the engines.
//!
//! - [`ProcessorFactory`] turns a program binary into a [`Processor`]; the
//!   chain keeps one factory per [`VmType`] and caches processors by program
//!   hash.
//! - [`Processor`] is a loaded program: it lists its [`EntryPointInfo`]s and
//!   runs one of them against a [`Sandbox`].
//! - [`Sandbox`] is everything a running contract may ask of the chain,
//!   whatever engine runs it.
//! - [`VmError`] is how a call fails; the chain turns it into a failed receipt.
//!
//! **Architecture invariant:** nothing here names an engine. A processor
//! reaches chain state only through the `Sandbox`.

mod gas;
mod sandbox;

pub use gas::{GAS, GasSchedule};

pub use sandbox::{NestedCall, Opened, Post, Sandbox, StateItems, TimeLock};

use crate::Hname;
use crate::codec::{CodecError, Dict};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// Which VM runs a program: `"wasmvm"`, `"evm"`, `"core"`, or any other name
/// a registered factory answers to.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VmType(Cow<'static, str>);

impl VmType {
    /// Native core contracts.
    pub const CORE: Self = Self::new_static("core");
    /// The Wasm processor (WasmLib contracts).
    pub const WASM: Self = Self::new_static("wasmvm");
    /// The EVM processor.
    pub const EVM: Self = Self::new_static("evm");

    /// A VM type with a static name.
    pub const fn new_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// A VM type named at run time (e.g. decoded from a blob).
    pub fn new(name: impl Into<String>) -> Self {
        Self(Cow::Owned(name.into()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for VmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VmType({})", self.0)
    }
}

/// Whether an entry point may change state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A state-changing function, called by a request.
    Func,
    /// A read-only view.
    View,
}

/// One named field of an entry point's params or results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// The dict key.
    pub key: String,
    /// The WasmLib type name (`Uint64`, `AgentID`, `String`, …).
    pub ty: String,
    /// Whether the field may be absent.
    pub optional: bool,
}

impl FieldInfo {
    /// A required field.
    pub fn new(key: &str, ty: &str) -> Self {
        Self {
            key: key.to_owned(),
            ty: ty.to_owned(),
            optional: false,
        }
    }

    /// An optional field.
    pub fn optional(key: &str, ty: &str) -> Self {
        Self {
            optional: true,
            ..Self::new(key, ty)
        }
    }
}

/// An entry point a program exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPointInfo {
    /// The name, e.g. `increment`.
    pub name: String,
    /// `Hname::of(name)`.
    pub hname: Hname,
    /// Func or view.
    pub kind: EntryKind,
    /// Its params, where known.
    pub params: Vec<FieldInfo>,
    /// Its results, where known.
    pub results: Vec<FieldInfo>,
    /// Whether it takes a value with the call (a `payable` Solidity
    /// function: the request's `evm.value` becomes `msg.value`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payable: bool,
}

impl EntryPointInfo {
    /// A func without a declared schema.
    pub fn func(name: &str) -> Self {
        Self::new(name, EntryKind::Func)
    }

    /// A view without a declared schema.
    pub fn view(name: &str) -> Self {
        Self::new(name, EntryKind::View)
    }

    fn new(name: &str, kind: EntryKind) -> Self {
        Self {
            name: name.to_owned(),
            hname: Hname::of(name),
            kind,
            params: Vec::new(),
            results: Vec::new(),
            payable: false,
        }
    }

    /// Marks it as taking a value with the call (builder style).
    #[must_use]
    pub fn payable(mut self, payable: bool) -> Self {
        self.payable = payable;
        self
    }

    /// Adds declared params (builder style).
    #[must_use]
    pub fn params(mut self, params: impl IntoIterator<Item = FieldInfo>) -> Self {
        self.params.extend(params);
        self
    }

    /// Adds declared results (builder style).
    #[must_use]
    pub fn results(mut self, results: impl IntoIterator<Item = FieldInfo>) -> Self {
        self.results.extend(results);
        self
    }
}

/// A loaded program, ready to run any of its entry points.
pub trait Processor {
    /// The VM that runs it.
    fn vm_type(&self) -> VmType;

    /// Its entry points.
    fn entry_points(&self) -> &[EntryPointInfo];

    /// Runs entry point `entry` against `ctx` to the end and returns its
    /// results; its nested calls run through [`Sandbox::call`].
    ///
    /// # Errors
    /// Any [`VmError`]: the chain reverts the call's state changes.
    fn call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<Dict, VmError>;

    /// Starts entry point `entry` against `ctx`, as the chain runs every
    /// call: to the end ([`Step::Done`], what the default does through
    /// [`Processor::call`]), or until the program makes a nested call it
    /// can wait for off the host's stack ([`Step::Calls`]: the chain runs
    /// the callee and resumes the program with its result). A processor
    /// that suspends this way lets contracts nest deeply whatever the
    /// host's stack (the Wasm processor does; the EVM and core contracts
    /// nest on the stack, through [`Sandbox::call`]).
    fn start<'s>(&self, ctx: &'s mut dyn Sandbox, entry: Hname) -> Step<'s> {
        let result = self.call(&mut *ctx, entry);
        Step::Done(result, ctx)
    }

    /// Where the program's state lives: `None` (the default) for the
    /// contract's own partition, or the partition of a core contract that
    /// holds the state of every program of this VM (the EVM keeps all its
    /// accounts in `evm`'s, as ISC does).
    fn state_partition(&self) -> Option<Hname> {
        None
    }

    /// The language the program was written in, if the program says
    /// (WasmLib's language tag, a toolchain's notes).
    fn language(&self) -> Option<&str> {
        None
    }

    /// How much of the host's stack a call into this processor takes while
    /// it runs, in units of [`crate::bounds::MAX_HOST_STACK`]: calls
    /// through [`Sandbox::call`] nest on the host's stack, and a heavy VM
    /// counts more. A call waiting off the stack ([`Step::Calls`]) holds
    /// none.
    fn stack_cost(&self) -> usize {
        1
    }

    /// Checks, without running anything, that `params` are input `entry`
    /// can take (an EVM call's arguments coerce to its ABI types): a dry
    /// check the page uses so that a typo costs no block. The default
    /// accepts everything; the call itself still checks.
    ///
    /// # Errors
    /// The [`VmError`] the call would fail with for these params.
    fn check_call(&self, entry: Hname, params: &Dict) -> Result<(), VmError> {
        let _ = (entry, params);
        Ok(())
    }

    /// What the program's interface names a log by its topics and data (an
    /// EVM log: the first topic the event's selector): the event's name
    /// and its fields by name, as text. `None` (the default) if it declares
    /// no such event. A receipt names a log that one contract emitted
    /// while another ran with the interface of any contract deployed.
    fn describe_log(
        &self,
        topics: &[[u8; 32]],
        data: &[u8],
    ) -> Option<(String, Vec<(String, String)>)> {
        let _ = (topics, data);
        None
    }

    /// What the program's interface names revert data (an EVM custom
    /// error by its selector): `Name(arg: value, …)`. `None` (the default)
    /// if it declares no such error.
    fn describe_revert(&self, data: &[u8]) -> Option<String> {
        let _ = data;
        None
    }

    /// The entry point `entry`, if the program has it.
    fn entry_point(&self, entry: Hname) -> Option<&EntryPointInfo> {
        self.entry_points().iter().find(|ep| ep.hname == entry)
    }
}

/// Where a started or resumed call stands. Either way the sandbox goes
/// back to the chain, which needs it to run the next step.
pub enum Step<'s> {
    /// The call finished with this result.
    Done(Result<Dict, VmError>, &'s mut dyn Sandbox),
    /// The program waits for a nested call: the chain opens it
    /// ([`Sandbox::open_call`]), runs it, closes it and resumes the waiting
    /// program with its result.
    Calls(NestedCall, Box<dyn Suspended<'s> + 's>, &'s mut dyn Sandbox),
}

/// A program waiting for a nested call's result, off the host's stack.
pub trait Suspended<'s> {
    /// Continues with the nested call's `result` (an error fails the
    /// waiting call, as on Wasp, where a failed nested call panics its
    /// caller).
    fn resume(self: Box<Self>, ctx: &'s mut dyn Sandbox, result: Result<Dict, VmError>)
    -> Step<'s>;
}

/// Loads program binaries of one VM type.
pub trait ProcessorFactory {
    /// The VM type it loads.
    fn vm_type(&self) -> VmType;

    /// Validates and loads `program`.
    ///
    /// # Errors
    /// [`VmError::InvalidProgram`] (or another variant) if it cannot run.
    fn load(&self, program: &[u8]) -> Result<Box<dyn Processor>, VmError>;

    /// Whether its processors may run a call on a second engine that can
    /// hand the request back to be run again (see
    /// [`Sandbox::wasm_runtime_allowed`]); only then does the chain keep
    /// a copy of each request's call to run it again.
    fn may_hand_back(&self) -> bool {
        false
    }
}

/// Why a contract call failed. Every variant ends as a failed receipt, with
/// the state changes of the failed call reverted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VmError {
    /// The contract panicked (WasmLib `panic`, a failed `require`).
    #[error("contract panicked: {message}")]
    Panic {
        /// The contract's message.
        message: String,
    },
    /// The gas budget ran out.
    #[error("out of gas: the budget of {budget} gas is exhausted")]
    OutOfGas {
        /// The request's gas budget.
        budget: u64,
    },
    /// The engine stopped the program (a Wasm trap, an EVM halt).
    #[error("{vm} trap: {message}")]
    Trap {
        /// The VM that trapped.
        vm: VmType,
        /// What happened.
        message: String,
    },
    /// An EVM contract reverted.
    #[error("execution reverted: {reason}")]
    Revert {
        /// The decoded reason, if any.
        reason: String,
        /// The raw revert data, hex.
        data: String,
    },
    /// A view tried to change state.
    #[error("contract `{contract}`: a view cannot change state ({action})")]
    WriteInView {
        /// The contract.
        contract: Hname,
        /// What it tried.
        action: String,
    },
    /// No contract with this hname.
    #[error("contract {contract} not found")]
    ContractNotFound {
        /// The hname asked for.
        contract: Hname,
    },
    /// The contract has no such entry point.
    #[error("contract `{contract}`: entry point {entry} not found")]
    EntryPointNotFound {
        /// The contract's name.
        contract: String,
        /// The entry point.
        entry: Hname,
    },
    /// A request named a view: views are called, not requested.
    #[error("`{entry}` of contract `{contract}` is a view: call it as a view, not in a request")]
    NotAFunc {
        /// The contract's name.
        contract: String,
        /// The view.
        entry: String,
    },
    /// A view tried to call a func.
    #[error("a view cannot call func `{entry}` of contract `{contract}`")]
    FuncFromView {
        /// The callee's name.
        contract: String,
        /// The func.
        entry: String,
    },
    /// An account has too few tokens.
    #[error("insufficient funds: {account} has {available} base tokens, needs {needed}")]
    InsufficientFunds {
        /// The account.
        account: String,
        /// What it holds.
        available: u64,
        /// What was asked.
        needed: u64,
    },
    /// More was taken than the caller allowed.
    #[error("allowance exceeded: {needed} base tokens asked, {allowed} allowed")]
    AllowanceExceeded {
        /// What was asked.
        needed: u64,
        /// What the caller allowed.
        allowed: u64,
    },
    /// Nested calls went too deep.
    #[error("nested calls exceed the call depth limit of {max}")]
    CallDepth {
        /// The limit.
        max: usize,
    },
    /// Calls that nest on the host's stack (through the EVM and core
    /// contracts) went past its bound.
    #[error(
        "nested calls through the EVM and core contracts exceed the host-stack bound of {max} units (an EVM call counts 4, any other 1)"
    )]
    HostStack {
        /// The bound, in units.
        max: usize,
    },
    /// The program cannot be loaded.
    #[error("invalid {vm} program: {message}")]
    InvalidProgram {
        /// The VM that refused it.
        vm: VmType,
        /// Why.
        message: String,
    },
    /// No processor is registered for this VM type.
    #[error("no processor for VM type `{vm}`")]
    UnknownVmType {
        /// The VM type the program names.
        vm: VmType,
    },
    /// A limit on size, count or work was exceeded.
    #[error("limit exceeded: {message}")]
    Limit {
        /// Which limit, with the numbers.
        message: String,
    },
    /// Params or results could not be decoded.
    #[error("bad encoding: {message}")]
    Codec {
        /// What is malformed.
        message: String,
    },
    /// A param is missing or invalid.
    #[error("invalid param `{key}`: {message}")]
    Param {
        /// The dict key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The caller may not do this.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// What was refused, and to whom.
        message: String,
    },
    /// An ISC operation that a one-process chain cannot honour.
    #[error("not supported in the playground: {message}")]
    Unsupported {
        /// What is not supported.
        message: String,
    },
}

impl From<CodecError> for VmError {
    fn from(err: CodecError) -> Self {
        match err {
            CodecError::Unsupported(what) => Self::unsupported(what),
            other => Self::codec(other),
        }
    }
}

impl VmError {
    /// A panic with `message`.
    pub fn panic(message: impl Into<String>) -> Self {
        Self::Panic {
            message: message.into(),
        }
    }

    /// A limit exceeded, described by `message`.
    pub fn limit(message: impl fmt::Display) -> Self {
        Self::Limit {
            message: message.to_string(),
        }
    }

    /// Malformed bytes, described by `message`.
    pub fn codec(message: impl fmt::Display) -> Self {
        Self::Codec {
            message: message.to_string(),
        }
    }

    /// A refusal, described by `message`.
    pub fn unauthorized(message: impl fmt::Display) -> Self {
        Self::Unauthorized {
            message: message.to_string(),
        }
    }

    /// Something the playground cannot do, described by `message`.
    pub fn unsupported(message: impl fmt::Display) -> Self {
        Self::Unsupported {
            message: message.to_string(),
        }
    }

    /// An invalid param.
    pub fn param(key: &str, message: impl fmt::Display) -> Self {
        Self::Param {
            key: key.to_owned(),
            message: message.to_string(),
        }
    }

    /// A short machine-readable name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Panic { .. } => "panic",
            Self::OutOfGas { .. } => "out_of_gas",
            Self::Trap { .. } => "trap",
            Self::Revert { .. } => "revert",
            Self::WriteInView { .. } => "write_in_view",
            Self::ContractNotFound { .. } => "contract_not_found",
            Self::EntryPointNotFound { .. } => "entry_point_not_found",
            Self::NotAFunc { .. } => "not_a_func",
            Self::FuncFromView { .. } => "func_from_view",
            Self::InsufficientFunds { .. } => "insufficient_funds",
            Self::AllowanceExceeded { .. } => "allowance_exceeded",
            Self::CallDepth { .. } => "call_depth",
            Self::HostStack { .. } => "host_stack",
            Self::InvalidProgram { .. } => "invalid_program",
            Self::UnknownVmType { .. } => "unknown_vm_type",
            Self::Limit { .. } => "limit",
            Self::Codec { .. } => "codec",
            Self::Param { .. } => "param",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Unsupported { .. } => "unsupported",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every variant. The `kind` match in [`VmError::kind`] is
    /// exhaustive, and the count below is checked against the distinct
    /// kinds, so a new variant must be added here to pass.
    fn one_of_each() -> Vec<VmError> {
        let hname = Hname::of("x");
        vec![
            VmError::panic("p"),
            VmError::OutOfGas { budget: 1 },
            VmError::Trap {
                vm: VmType::WASM,
                message: "t".into(),
            },
            VmError::Revert {
                reason: "r".into(),
                data: "00".into(),
            },
            VmError::WriteInView {
                contract: hname,
                action: "a".into(),
            },
            VmError::ContractNotFound { contract: hname },
            VmError::EntryPointNotFound {
                contract: "c".into(),
                entry: hname,
            },
            VmError::NotAFunc {
                contract: "c".into(),
                entry: "e".into(),
            },
            VmError::FuncFromView {
                contract: "c".into(),
                entry: "e".into(),
            },
            VmError::InsufficientFunds {
                account: "a".into(),
                available: 1,
                needed: 2,
            },
            VmError::AllowanceExceeded {
                needed: 2,
                allowed: 1,
            },
            VmError::CallDepth { max: 1 },
            VmError::HostStack { max: 1 },
            VmError::InvalidProgram {
                vm: VmType::EVM,
                message: "m".into(),
            },
            VmError::UnknownVmType {
                vm: VmType::new("cobol"),
            },
            VmError::limit("l"),
            VmError::codec("c"),
            VmError::param("k", "m"),
            VmError::unauthorized("u"),
            VmError::unsupported("s"),
        ]
    }

    #[test]
    fn every_error_round_trips_through_json() {
        let errors = one_of_each();
        let kinds: std::collections::BTreeSet<&str> = errors.iter().map(VmError::kind).collect();
        assert_eq!(kinds.len(), errors.len(), "one error per variant");
        for error in errors {
            let json = serde_json::to_string(&error)
                .unwrap_or_else(|err| panic!("{} does not serialize: {err}", error.kind()));
            assert!(json.contains(error.kind()), "{json}");
            let back: VmError = serde_json::from_str(&json).expect("reads its own JSON");
            assert_eq!(back, error);
        }
    }
}
