//! A second engine for WasmLib contracts, behind a narrow seam: the host's
//! own WebAssembly (a browser's), which compiles a module to machine code.
//!
//! wasmi stays the reference. A [`WasmRuntime`] runs a call only when it
//! can end exactly as on wasmi — same results, state, gas and error — and
//! otherwise hands the whole request back to wasmi, which runs it again
//! from the start. What makes that possible is in the module itself
//! (`meter.rs`): it counts its own fuel, its frames against a stack budget
//! half of wasmi's, and declares the memory and table limits wasmi's
//! limiter keeps as its maximums. The processor asks a runtime to run such
//! a module; a run that traps (anything but running out of fuel), makes a
//! nested call or could overrun the request's memory budget is handed
//! back. The engine stays free of web dependencies: the browser's
//! implementation lives in the app's worker.

pub use super::meter::{FUEL_GLOBAL, OUT_OF_FUEL_GLOBAL, START_EXPORT};

/// The host functions a WasmLib module may import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Import {
    /// `WasmLib.hostStateGet(i32, i32, i32, i32) -> i32`.
    HostStateGet,
    /// `WasmLib.hostStateSet(i32, i32, i32, i32)`.
    HostStateSet,
    /// `wasi_snapshot_preview1.fd_write(i32, i32, i32, i32) -> i32` (TinyGo's panic).
    FdWrite,
    /// `env.abort(i32, i32, i32, i32)` (AssemblyScript's).
    Abort,
}

impl Import {
    /// Every import, each once.
    pub const ALL: [Import; 4] = [
        Import::HostStateGet,
        Import::HostStateSet,
        Import::FdWrite,
        Import::Abort,
    ];

    /// The import's module name.
    pub fn module(self) -> &'static str {
        match self {
            Import::HostStateGet | Import::HostStateSet => "WasmLib",
            Import::FdWrite => "wasi_snapshot_preview1",
            Import::Abort => "env",
        }
    }

    /// The import's field name.
    pub fn name(self) -> &'static str {
        match self {
            Import::HostStateGet => "hostStateGet",
            Import::HostStateSet => "hostStateSet",
            Import::FdWrite => "fd_write",
            Import::Abort => "abort",
        }
    }

    /// Whether it returns an `i32` (the others return nothing).
    pub fn returns(self) -> bool {
        matches!(self, Import::HostStateGet | Import::FdWrite)
    }
}

/// A running instance, as the host functions see it.
pub trait Instance {
    /// The linear memory's size in bytes.
    fn memory_len(&self) -> usize;
    /// Copies the memory at `at` into `out` (the range is checked first).
    fn read(&self, at: usize, out: &mut [u8]);
    /// Copies `bytes` into the memory at `at` (the range is checked first).
    fn write(&mut self, at: usize, bytes: &[u8]);
    /// The fuel counter ([`FUEL_GLOBAL`], an `i64`).
    fn fuel(&self) -> i64;
    /// Sets the fuel counter.
    fn set_fuel(&mut self, fuel: i64);
}

/// A host function stopped the guest: the runtime must unwind it (throw)
/// and end the run with [`Ended::Stopped`]. The reason is the engine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// The engine's side of a run: what the module's imports call.
pub trait Host {
    /// Import `import` was called with `args` (unused ones 0); the value
    /// to return to the guest (ignored for imports without a result), or
    /// [`Stop`].
    ///
    /// # Errors
    /// [`Stop`]: unwind the guest.
    fn call(
        &mut self,
        import: Import,
        args: [i32; 4],
        instance: &mut dyn Instance,
    ) -> Result<i32, Stop>;
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// `on_call` returned.
    Returned,
    /// A host function stopped it ([`Stop`]).
    Stopped,
    /// Anything else: a trap, an instantiation that failed, the engine's
    /// own limits — in the engine's words.
    Failed(String),
}

/// What a run left: how it ended, the fuel counter, the out-of-fuel flag
/// and the memory's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// How it ended.
    pub ended: Ended,
    /// [`FUEL_GLOBAL`] at the end (below 0 where the last run of
    /// operators took more than was left).
    pub fuel: i64,
    /// Whether [`OUT_OF_FUEL_GLOBAL`] was set.
    pub out_of_fuel: bool,
    /// The linear memory's size at the end, in bytes (0 if there was no
    /// instance).
    pub memory_bytes: usize,
}

/// A module compiled by a [`WasmRuntime`].
pub trait CompiledModule {
    /// Instantiates the module with its imports calling `host`, sets
    /// [`FUEL_GLOBAL`] to `fuel`, calls [`START_EXPORT`] if the module
    /// exports it, then `on_call(index)`; each with the same instance.
    fn run(&self, host: &mut dyn Host, fuel: i64, index: i32) -> Run;
}

/// A WebAssembly engine other than wasmi.
pub trait WasmRuntime {
    /// Its name, for people (a receipt names the engine that ran it).
    fn name(&self) -> &str;

    /// The gas below which a call is cheaper on wasmi: a call runs here
    /// only once the same entry point's last call burned at least this
    /// much (0: every call). A browser's engine compiles a module to
    /// machine code, but a fresh instance (its own linear memory) costs it
    /// more than a whole small request costs wasmi. Which engine runs a
    /// call never changes its outcome, so this is only speed.
    fn break_even(&self) -> u64 {
        0
    }

    /// Compiles a module prepared by the engine (metered and guarded).
    ///
    /// # Errors
    /// The engine's message: the call runs on wasmi instead.
    fn compile(&self, module: &[u8]) -> Result<Box<dyn CompiledModule>, String>;
}
