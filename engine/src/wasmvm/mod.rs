//! The Wasm engine: [wasmi], configured for deterministic, metered execution.
//!
//! Architecture invariant: this is the only module that names a wasmi type.
//! Everything it exposes is plain Rust ([`WasmLimits`], [`WasmRun`], [`WasmError`]).

mod host;
mod meter;
#[cfg(feature = "testing")]
pub mod plain;
mod processor;
pub mod runtime;
mod trace;
pub mod utils;

pub use processor::WasmFactory;

use std::fmt;
use thiserror::Error;
use wasmi::{CompilationMode, Config, Engine, Linker, Module, StoreLimits, StoreLimitsBuilder};

/// Limits of one Wasm execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasmLimits {
    fuel: u64,
    max_memory_bytes: usize,
    max_recursion_depth: usize,
    max_module_bytes: usize,
    max_table_elements: usize,
    max_params_bytes: usize,
    max_results_bytes: usize,
    on_load_fuel: u64,
}

impl Default for WasmLimits {
    fn default() -> Self {
        Self {
            fuel: 10_000_000,
            max_memory_bytes: 16 * 1024 * 1024,
            max_recursion_depth: 1024,
            max_module_bytes: 2 * 1024 * 1024,
            max_table_elements: 10_000,
            max_params_bytes: 256 * 1024,
            max_results_bytes: 256 * 1024,
            on_load_fuel: 1_000_000,
        }
    }
}

impl WasmLimits {
    /// The fuel budget: roughly one unit per executed instruction.
    /// Default: 10 000 000.
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = fuel;
        self
    }

    /// The largest linear memory a module may have or grow to, in bytes.
    /// Default: 16 MiB (256 pages).
    pub fn max_memory_bytes(mut self, bytes: usize) -> Self {
        self.max_memory_bytes = bytes;
        self
    }

    /// The largest module accepted, in bytes. Default: 2 MiB.
    pub fn max_module_bytes(mut self, bytes: usize) -> Self {
        self.max_module_bytes = bytes;
        self
    }

    /// The most elements a table may have or grow to. Default: 10 000.
    pub fn max_table_elements(mut self, elements: usize) -> Self {
        self.max_table_elements = elements;
        self
    }

    /// The largest encoded params a call accepts, in bytes. Default: 256 KiB.
    pub fn max_params_bytes(mut self, bytes: usize) -> Self {
        self.max_params_bytes = bytes;
        self
    }

    /// The largest encoded results a call may return, in bytes. Default: 256 KiB.
    pub fn max_results_bytes(mut self, bytes: usize) -> Self {
        self.max_results_bytes = bytes;
        self
    }

    /// The fuel `on_load` may use when a module is loaded. Default: 1 000 000.
    pub fn on_load_fuel(mut self, fuel: u64) -> Self {
        self.on_load_fuel = fuel;
        self
    }

    /// The deepest Wasm call stack allowed. Default: 1024 frames.
    pub fn max_recursion_depth(mut self, depth: usize) -> Self {
        self.max_recursion_depth = depth;
        self
    }
}

/// The outcome of a finished Wasm call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasmRun {
    /// The value the export returned.
    pub value: i64,
    /// The fuel the call consumed.
    pub fuel_used: u64,
}

/// Why a Wasm program could not run to completion.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum WasmError {
    /// The WAT text did not parse.
    #[error("invalid WAT: {reason}")]
    Wat {
        /// The parser's message, with line and column.
        reason: String,
    },
    /// The binary is not a valid Wasm module, or uses an unsupported feature.
    #[error("invalid Wasm module: {reason}")]
    InvalidModule {
        /// wasmi's validation message.
        reason: String,
    },
    /// The module could not be instantiated (imports, memory limits, start function).
    #[error("cannot instantiate the module: {reason}")]
    Instantiate {
        /// wasmi's message.
        reason: String,
    },
    /// The module has no function export of that name and type.
    #[error("the module has no export `{name}` of type (i64) -> i64")]
    MissingExport {
        /// The export that was asked for.
        name: String,
    },
    /// The fuel budget ran out before the call finished.
    #[error("out of gas: the call used up its budget of {budget} fuel")]
    OutOfFuel {
        /// The budget that was exhausted.
        budget: u64,
    },
    /// The program trapped: unreachable, division by zero, out-of-bounds access,
    /// too deep recursion and the like.
    #[error("the program trapped: {reason}")]
    Trap {
        /// A description of the trap.
        reason: String,
    },
}

/// Compiles WebAssembly text into a binary module.
///
/// # Errors
///
/// [`WasmError::Wat`] with the parser's message if `text` is not valid WAT.
pub fn compile_wat(text: &str) -> Result<Vec<u8>, WasmError> {
    wat::parse_str(text).map_err(|err| WasmError::Wat {
        reason: err.to_string(),
    })
}

/// Runs `export(arg)` of the module `wasm`, an `(i64) -> i64` function, within `limits`.
///
/// The module may not import anything. Compilation is eager and fuel metering is
/// on, so the same module and argument always use the same fuel.
///
/// # Errors
///
/// [`WasmError::InvalidModule`], [`WasmError::Instantiate`] or
/// [`WasmError::MissingExport`] if the module cannot run, and
/// [`WasmError::OutOfFuel`] or [`WasmError::Trap`] if the call does not finish.
pub fn call_i64(
    wasm: &[u8],
    export: &str,
    arg: i64,
    limits: WasmLimits,
) -> Result<WasmRun, WasmError> {
    let engine = engine(&limits);
    let module = compile(&engine, wasm).map_err(|err| WasmError::InvalidModule {
        reason: err.to_string(),
    })?;
    let store_limits = StoreLimitsBuilder::new()
        .memory_size(limits.max_memory_bytes)
        .instances(1)
        .memories(1)
        .tables(1)
        .build();
    let mut store = wasmi::Store::new(&engine, store_limits);
    store.limiter(|limits: &mut StoreLimits| limits);
    store.set_fuel(limits.fuel).map_err(trap)?;
    let linker = Linker::<StoreLimits>::new(&engine);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(|err| WasmError::Instantiate {
            reason: err.to_string(),
        })?;
    let func = instance
        .get_typed_func::<i64, i64>(&store, export)
        .map_err(|_| WasmError::MissingExport {
            name: export.to_owned(),
        })?;
    match func.call(&mut store, arg) {
        Ok(value) => {
            let left = store.get_fuel().map_err(trap)?;
            Ok(WasmRun {
                value,
                fuel_used: limits.fuel - left,
            })
        }
        Err(err) if err.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) => {
            Err(WasmError::OutOfFuel {
                budget: limits.fuel,
            })
        }
        Err(err) => Err(trap(err)),
    }
}

/// A wasmi engine as every Wasm run here needs it: fuel metering on, eager
/// compilation (determinism), and the recursion limit.
/// Validates the whole module, then compiles it. Validating first matters:
/// wasmi 2.0's translator reaches a debug assertion on some malformed
/// modules (a code section that ends inside a function body) before its
/// own validation reports them.
fn compile(engine: &Engine, wasm: &[u8]) -> Result<Module, wasmi::Error> {
    Module::validate(engine, wasm)?;
    Module::new(engine, wasm)
}

/// Validates `wasm`, meters it as Wasp does ([`meter::instrument`]) and
/// compiles the metered module.
fn compile_metered(engine: &Engine, wasm: &[u8]) -> Result<Module, String> {
    Module::validate(engine, wasm).map_err(|err| err.to_string())?;
    let metered = meter::instrument(wasm)?;
    Module::new(engine, &metered[..]).map_err(|err| format!("metering the module: {err}"))
}

fn engine(limits: &WasmLimits) -> Engine {
    engine_with(limits, true)
}

/// The most bytes of wasmi's value stack (locals and temporaries of every
/// frame) one call may hold: 256 KiB, a quarter of wasmi's default. A
/// call waiting for a nested one keeps its stack, so this is what bounds
/// the engine memory of 1 024 nested calls (with their instances' linear
/// memories, counted in the request's memory budget) to about 320 MiB
/// whatever the contracts do: a frame with tens of thousands of locals
/// costs almost no gas. Real contracts' frames are a few hundred bytes.
pub(crate) const MAX_VALUE_STACK_BYTES: usize = 256 * 1024;

/// A wasmi engine for modules metered by [`meter::instrument`]: they count
/// their own fuel, so wasmi counts none.
fn metered_engine(limits: &WasmLimits) -> Engine {
    engine_with(limits, false)
}

fn engine_with(limits: &WasmLimits, wasmi_fuel: bool) -> Engine {
    let mut config = Config::default();
    config
        .consume_fuel(wasmi_fuel)
        .compilation_mode(CompilationMode::Eager)
        .set_max_recursion_depth(limits.max_recursion_depth)
        .set_max_stack_height(MAX_VALUE_STACK_BYTES);
    Engine::new(&config)
}

fn trap(err: impl fmt::Display) -> WasmError {
    WasmError::Trap {
        reason: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOP_FOREVER: &str = r#"(module (func (export "run") (param i64) (result i64)
        (loop $l (br $l)) (i64.const 0)))"#;
    const RECURSE: &str = r#"(module (func $f (export "run") (param i64) (result i64)
        (call $f (local.get 0))))"#;
    const GROW: &str = r#"(module (memory 1) (func (export "run") (param i64) (result i64)
        (i64.extend_i32_s (memory.grow (i32.const 1000)))))"#;

    #[track_caller]
    fn run(wat: &str, limits: WasmLimits) -> Result<WasmRun, WasmError> {
        let wasm = compile_wat(wat).expect("test WAT compiles");
        call_i64(&wasm, "run", 0, limits)
    }

    #[test]
    fn an_endless_loop_runs_out_of_fuel() {
        let err = run(LOOP_FOREVER, WasmLimits::default().fuel(50_000)).expect_err("must fail");
        assert_eq!(err, WasmError::OutOfFuel { budget: 50_000 });
    }

    #[test]
    fn unbounded_recursion_traps_instead_of_overflowing_the_host() {
        let err = run(RECURSE, WasmLimits::default()).expect_err("must fail");
        assert!(matches!(err, WasmError::Trap { .. }), "{err:?}");
    }

    #[test]
    fn memory_growth_past_the_cap_fails_inside_the_guest() {
        // memory.grow answers -1 when the limiter refuses.
        let run = run(GROW, WasmLimits::default()).expect("the call itself succeeds");
        assert_eq!(run.value, -1);
    }

    #[test]
    fn malformed_input_gets_typed_errors() {
        assert!(matches!(
            compile_wat("(module (func"),
            Err(WasmError::Wat { .. })
        ));
        assert!(matches!(
            call_i64(b"\0asm\x01\0\0\0\xff", "run", 0, WasmLimits::default()),
            Err(WasmError::InvalidModule { .. })
        ));
        let wasm = compile_wat("(module)").expect("empty module");
        assert_eq!(
            call_i64(&wasm, "run", 0, WasmLimits::default()),
            Err(WasmError::MissingExport { name: "run".into() })
        );
    }

    #[test]
    fn fuel_use_is_deterministic() {
        let wasm = compile_wat(crate::demo::FIB_WAT).expect("demo WAT compiles");
        let first = call_i64(&wasm, "fib", 15, WasmLimits::default()).expect("runs");
        let second = call_i64(&wasm, "fib", 15, WasmLimits::default()).expect("runs");
        assert_eq!(first, second);
        assert_eq!(first.value, 610);
        assert!(first.fuel_used > 0);
    }
}
