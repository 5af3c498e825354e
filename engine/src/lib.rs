//! # isc-engine — the ISC Playground chain simulator
//!
//! A deterministic, single-process IOTA Smart Contracts chain — what Solo is
//! for Go — that builds natively and for `wasm32-unknown-unknown`. It has no
//! web dependency, does no I/O and reads no clock.
//!
//! The principal roles:
//! - [`Chain`]: genesis, [`Request`]s that each close a block and leave a
//!   [`Receipt`], views, balances, snapshots and reverts.
//! - [`Processor`] and [`ProcessorFactory`]: the VM abstraction. The chain
//!   knows VMs only through these; the core contracts are processors too.
//! - [`Sandbox`]: all that a running contract may ask of the chain.
//!
//! ```
//! use isc_engine::{AgentId, Chain, ChainConfig, Dict, Hname, Request};
//!
//! assert_eq!(Hname::of("accounts").as_u32(), 0x3c4b5e02);
//! let mut chain = Chain::new(ChainConfig::default());
//! let alice = AgentId::user("alice");
//! let bob = AgentId::user("bob");
//!
//! // alice allows `accounts` to move 500 base tokens of hers to bob.
//! let receipt = chain
//!     .post(
//!         Request::new(alice, "accounts", "transferAllowanceTo")
//!             .param("a", bob.to_bytes())
//!             .allowance(500),
//!     )
//!     .expect("the chain accepts the request");
//! assert!(receipt.is_success(), "{:?}", receipt.error);
//! assert_eq!(chain.balance(&bob), 10_000_000 + 500);
//! assert_eq!(chain.balance(&alice), 10_000_000 - 500 - receipt.gas_fee);
//!
//! // Views read the latest state.
//! let results = chain
//!     .call_view("accounts", "balanceBaseToken", Dict::new().with("a", bob.to_bytes()))
//!     .expect("the view runs");
//! assert_eq!(results.u64("B"), Ok(10_000_500));
//! ```

#![forbid(unsafe_code)]

pub mod bounds;
mod chain;
pub mod codec;
mod core;
mod demo;
pub mod evm;
mod hname;
mod ids;
pub mod session;
pub mod vm;
pub mod wasmvm;

pub use chain::queue::Pending;
pub use chain::receipt::{
    BlockInfo, CallTrace, DEFAULT_GAS_BUDGET, Event, Receipt, Request, Step, format_time,
};
pub use chain::{Chain, ChainConfig, ChainError, ConfigError, ReceiptForm, Snapshot, StateHash};
pub use codec::{Assets, Dict};
pub use core::governance::{FeePolicy, Limits};
pub use core::root::ContractRecord;
pub use demo::{FirstLight, FirstLightError, first_light};
pub use hname::Hname;
pub use ids::{AgentId, ChainId, Hash, IdError, RequestId};
/// Registers the VMs built into the engine on `chain`: the Wasm processor
/// (VM type `wasmvm`) and the EVM processor (`evm`).
pub fn register_builtin_vms(chain: &mut Chain) {
    chain.register_processor(Box::new(wasmvm::WasmFactory::default()));
    chain.register_processor(Box::new(evm::EvmFactory));
}

pub use vm::{EntryKind, EntryPointInfo, Processor, ProcessorFactory, Sandbox, VmError, VmType};
