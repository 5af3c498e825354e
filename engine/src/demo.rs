//! The first-light demo: one chain, one Wasm program on wasmi, one EVM program on revm.
//!
//! It proves the whole toolchain end to end (native and in the browser) before
//! the real processors exist; the page shows its [`FirstLight`] report.

use crate::evm::{self, EvmError, EvmOutcome};
use crate::wasmvm::{self, WasmError, WasmLimits, WasmRun};
use crate::{Chain, ChainConfig, Dict, Request, StateHash};
use thiserror::Error;

/// A recursive Fibonacci in WebAssembly text: `fib(n: i64) -> i64`.
pub(crate) const FIB_WAT: &str = r#"(module
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add
        (call $fib (i64.sub (local.get $n) (i64.const 1)))
        (call $fib (i64.sub (local.get $n) (i64.const 2))))))))"#;

/// The argument the demo passes to `fib`.
pub(crate) const FIB_ARG: i64 = 20;

/// EVM runtime code computing 6 × 7 and returning it as one 32-byte word:
/// `PUSH1 7 PUSH1 6 MUL PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN`.
pub(crate) const MUL_BYTECODE: &[u8] = &[
    0x60, 0x07, 0x60, 0x06, 0x02, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
];

/// What one engine computed in the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineResult {
    /// The engine's name, for display.
    pub engine: &'static str,
    /// The value computed.
    pub value: u64,
    /// Gas (EVM) or fuel (Wasm) the run consumed.
    pub gas_used: u64,
}

/// The demo's report: both results and the chain state they were written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstLight {
    /// `fib(20)` computed by wasmi.
    pub wasm: EngineResult,
    /// `6 * 7` computed by revm.
    pub evm: EngineResult,
    /// The hash of the chain state after both results were stored.
    pub state_hash: StateHash,
}

/// Why the demo failed.
#[derive(Debug, Error)]
pub enum FirstLightError {
    /// The Wasm program failed.
    #[error("wasm: {0}")]
    Wasm(#[from] WasmError),
    /// The EVM refused the transaction.
    #[error("evm: {0}")]
    Evm(#[from] EvmError),
    /// The chain refused to record the results.
    #[error("chain: {0}")]
    Chain(String),
    /// The EVM program did not return a value.
    #[error("evm: the program did not succeed: {0:?}")]
    EvmOutcome(EvmOutcome),
}

/// Runs the demo: creates a chain, computes `fib(20)` on wasmi and `6 * 7` on
/// revm, and stores both results in the chain state.
///
/// # Errors
///
/// [`FirstLightError`] if either engine fails, which would mean the build is broken.
pub fn first_light() -> Result<FirstLight, FirstLightError> {
    let mut chain = Chain::new(ChainConfig::default());
    let mut results = Dict::new();

    let wasm = wasmvm::compile_wat(FIB_WAT)?;
    let WasmRun { value, fuel_used } =
        wasmvm::call_i64(&wasm, "fib", FIB_ARG, WasmLimits::default())?;
    results.set("fib", value.to_le_bytes());
    let wasm = EngineResult {
        engine: "wasmi",
        value: value as u64,
        gas_used: fuel_used,
    };

    let evm = match evm::call_code(MUL_BYTECODE, &[], 100_000)? {
        EvmOutcome::Success { output, gas_used } => {
            let word: [u8; 32] = output.as_slice().try_into().map_err(|_| {
                FirstLightError::EvmOutcome(EvmOutcome::Success {
                    output: output.clone(),
                    gas_used,
                })
            })?;
            results.set("mul", word);
            let mut low = [0u8; 8];
            low.copy_from_slice(&word[24..]);
            EngineResult {
                engine: "revm",
                value: u64::from_be_bytes(low),
                gas_used,
            }
        }
        other => return Err(FirstLightError::EvmOutcome(other)),
    };

    // Record both results on the chain, through a real request.
    let sender = ChainConfig::default().owner_id();
    let receipt = chain
        .post(Request::new(sender, "blob", "storeBlob").params(results))
        .map_err(|err| FirstLightError::Chain(err.to_string()))?;
    if let Some(error) = receipt.error {
        return Err(FirstLightError::Chain(error.to_string()));
    }
    Ok(FirstLight {
        wasm,
        evm,
        state_hash: chain.state_hash(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_compute_their_results() {
        let report = first_light().expect("demo runs");
        assert_eq!(report.wasm.value, 6765);
        assert_eq!(report.evm.value, 42);
        assert!(report.wasm.gas_used > 0);
        // 21000 intrinsic + 5 PUSH1 (3 each), MUL (5), MSTORE (3) + one word of memory (3).
        assert_eq!(report.evm.gas_used, 21_000 + 5 * 3 + 5 + 3 + 3);
    }

    #[test]
    fn the_demo_is_deterministic() {
        let one = first_light().expect("demo runs");
        let two = first_light().expect("demo runs");
        assert_eq!(one, two);
    }
}
