//! # isc-engine — the ISC Playground chain simulator
//!
//! A deterministic, single-process IOTA Smart Contracts chain — what Solo is
//! for Go — that builds natively and for `wasm32-unknown-unknown`. It has no
//! web dependency, does no I/O and reads no clock.
//!
//! The principal roles:
//! - [`Chain`]: the chain's key/value state and its [`StateHash`].
//! - [`Hname`]: ISC's 32-bit name hash, which identifies contracts and entry points.
//! - [`wasmvm`]: the Wasm engine (wasmi) behind an engine-agnostic API.
//! - [`evm`]: the EVM (revm) behind an engine-agnostic API.
//!
//! This is the foundation slice: the processor abstraction, core contracts and
//! requests arrive on top of these types.
//!
//! ```
//! use isc_engine::{first_light, Hname};
//!
//! assert_eq!(Hname::of("accounts").as_u32(), 0x3c4b5e02);
//! let report = first_light().expect("the bundled demo programs run");
//! assert_eq!(report.wasm.value, 6765);
//! assert_eq!(report.evm.value, 42);
//! ```

#![forbid(unsafe_code)]

mod chain;
mod demo;
pub mod evm;
mod hname;
pub mod wasmvm;

pub use chain::{Chain, StateHash};
pub use demo::{FirstLight, FirstLightError, first_light};
pub use hname::Hname;
