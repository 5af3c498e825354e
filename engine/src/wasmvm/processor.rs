//! The Wasm processor: WasmLib contracts on wasmi.
//!
//! A module must export `memory`, `on_load: () -> ()` and
//! `on_call: (i32) -> ()`, and may import only `WasmLib.hostStateGet:
//! (i32, i32, i32, i32) -> i32` and `WasmLib.hostStateSet: (i32, i32, i32,
//! i32) -> ()`. Loading validates and compiles it once (the chain caches the
//! processor by program hash) and runs `on_load` to learn the entry points;
//! each call instantiates it afresh and runs `on_call(index)`.

use super::WasmLimits;
use super::host::{self, HostState};
use super::meter::{
    CALL_FROM_HOST, FUEL_GLOBAL, OUT_OF_FUEL_GLOBAL, START_EXPORT, Site, TRACE_MODULE, TRACE_STEP,
};
use super::runtime::{CompiledModule, Ended, WasmRuntime};
use super::trace::Tracer;
use crate::Hname;
use crate::codec::Dict;
use crate::vm::{
    EntryPointInfo, GAS, Processor, ProcessorFactory, Sandbox, Step, Suspended, VmError, VmType,
};
use std::cell::OnceCell;
use std::rc::Rc;
use wasmi::errors::ErrorKind;
use wasmi::{
    Engine, ExternType, Instance, Linker, Module, Store, TrapCode, TypedResumableCall,
    TypedResumableCallHostTrap, Val, ValType,
};

/// Loads WasmLib contracts (VM type `wasmvm`).
pub struct WasmFactory {
    engine: Engine,
    limits: WasmLimits,
    runtime: Option<Rc<dyn WasmRuntime>>,
}

impl Default for WasmFactory {
    fn default() -> Self {
        Self::new(WasmLimits::default())
    }
}

impl WasmFactory {
    /// A factory whose processors run within `limits`.
    pub fn new(limits: WasmLimits) -> Self {
        Self {
            engine: super::metered_engine(&limits),
            limits,
            runtime: None,
        }
    }

    /// A factory whose processors run calls on `runtime` where it can end
    /// them as wasmi would, and on wasmi otherwise (see [`super::runtime`]).
    pub fn with_runtime(limits: WasmLimits, runtime: Rc<dyn WasmRuntime>) -> Self {
        Self {
            runtime: Some(runtime),
            ..Self::new(limits)
        }
    }
}

impl ProcessorFactory for WasmFactory {
    fn vm_type(&self) -> VmType {
        VmType::WASM
    }

    fn may_hand_back(&self) -> bool {
        self.runtime.is_some()
    }

    fn load(&self, program: &[u8]) -> Result<Box<dyn Processor>, VmError> {
        if program.len() > self.limits.max_module_bytes {
            return Err(VmError::limit(format!(
                "Wasm module of {} bytes exceeds the maximum of {}",
                program.len(),
                self.limits.max_module_bytes
            )));
        }
        let module = super::compile_metered(&self.engine, program).map_err(invalid)?;
        check_interface(&module)?;
        let mut processor = WasmProcessor {
            engine: self.engine.clone(),
            module,
            program: Rc::from(program),
            traced: OnceCell::new(),
            runtime: self.runtime.clone(),
            on_runtime: OnceCell::new(),
            burned: std::cell::RefCell::default(),
            limits: self.limits,
            entry_points: Vec::new(),
            indices: Vec::new(),
            language: None,
        };
        let exported = processor.on_load()?;
        // Compiled for the runtime now, not in the first call's time.
        let _ = processor.on_runtime();
        processor.language = language(exported.language.as_deref(), program);
        for (index, name) in exported.names {
            let info = if index & 0x8000 == 0 {
                EntryPointInfo::func(&name)
            } else {
                EntryPointInfo::view(&name)
            };
            processor.indices.push((info.hname, index));
            processor.entry_points.push(info);
        }
        Ok(Box::new(processor))
    }
}

/// What a module's `on_load` exported.
struct Exported {
    /// Entry points: (index, name).
    names: Vec<(i32, String)>,
    /// The language tag, if it gave one.
    language: Option<String>,
}

/// A module's source language, for people: from WasmLib's language tag
/// (`WASM::RUST` → `Rust`, `WASM::GO` → `Go`, `WASM::TYPESCRIPT` →
/// `TypeScript`), else from the `language` field of the module's
/// `producers` section (what the toolchain wrote), else unknown.
fn language(tag: Option<&str>, program: &[u8]) -> Option<String> {
    if let Some(tag) = tag {
        let name = tag.strip_prefix("WASM::").unwrap_or(tag);
        return Some(
            match name.to_ascii_uppercase().as_str() {
                "RUST" => "Rust",
                "GO" => "Go",
                "TYPESCRIPT" | "TS" => "TypeScript",
                _ => name,
            }
            .to_owned(),
        );
    }
    for payload in wasmparser::Parser::new(0).parse_all(program) {
        let Ok(wasmparser::Payload::CustomSection(section)) = payload else {
            continue;
        };
        let wasmparser::KnownCustom::Producers(reader) = section.as_known() else {
            continue;
        };
        for field in reader.into_iter().flatten() {
            if field.name == "language" {
                let value = field.values.into_iter().flatten().next()?;
                return Some(value.name.to_owned());
            }
        }
    }
    None
}

fn invalid(message: impl Into<String>) -> VmError {
    VmError::InvalidProgram {
        vm: VmType::WASM,
        message: message.into(),
    }
}

/// Refuses a module that does not speak the WasmLib host ABI, naming what
/// is missing or extra.
fn check_interface(module: &Module) -> Result<(), VmError> {
    for import in module.imports() {
        let expected = match (import.module(), import.name()) {
            ("WasmLib", "hostStateGet") => Some((4, true)),
            ("WasmLib", "hostStateSet") => Some((4, false)),
            // TinyGo prints a panic through WASI's fd_write.
            ("wasi_snapshot_preview1", "fd_write") => Some((4, true)),
            // AssemblyScript aborts with message, file, line, column.
            ("env", "abort") => Some((4, false)),
            _ => None,
        };
        let ok = match (expected, import.ty()) {
            (Some((params, returns)), ExternType::Func(ty)) => {
                ty.params().len() == params
                    && ty.params().iter().all(|t| *t == ValType::I32)
                    && ty.results()
                        == if returns {
                            &[ValType::I32][..]
                        } else {
                            &[][..]
                        }
            }
            _ => false,
        };
        if !ok {
            return Err(invalid(format!(
                "unsupported import `{}.{}`: a WasmLib contract imports only \
                 `WasmLib.hostStateGet` and `WasmLib.hostStateSet` (and, built \
                 by TinyGo, `wasi_snapshot_preview1.fd_write`; by AssemblyScript, \
                 `env.abort`)",
                import.module(),
                import.name()
            )));
        }
    }
    let export = |name: &str| {
        module
            .exports()
            .find(|e| e.name() == name)
            .map(|e| e.ty().clone())
    };
    match export("memory") {
        Some(ExternType::Memory(_)) => {}
        _ => return Err(invalid("missing export `memory`")),
    }
    match export("on_load") {
        Some(ExternType::Func(ty)) if ty.params().is_empty() && ty.results().is_empty() => {}
        Some(_) => return Err(invalid("export `on_load` must be a function () -> ()")),
        None => return Err(invalid("missing export `on_load`")),
    }
    match export("on_call") {
        Some(ExternType::Func(ty)) if ty.params() == [ValType::I32] && ty.results().is_empty() => {}
        Some(_) => return Err(invalid("export `on_call` must be a function (i32) -> ()")),
        None => return Err(invalid("missing export `on_call`")),
    }
    Ok(())
}

/// A module compiled to record what runs, and where each instruction is.
type Traced = (Module, Rc<[Site]>);

/// A module compiled for a [`WasmRuntime`], and its memory's initial size.
struct OnRuntimeModule {
    compiled: Box<dyn CompiledModule>,
    initial_memory: usize,
}

/// A loaded WasmLib contract.
struct WasmProcessor {
    engine: Engine,
    module: Module,
    /// The module as deployed (a debugger's trace reads it).
    program: Rc<[u8]>,
    /// The module rewritten to record what runs, compiled on the first
    /// traced call, with its instructions' sites.
    traced: OnceCell<Result<Traced, String>>,
    /// The other engine calls may run on, and the module compiled for it
    /// when the module is loaded (`None`: it runs on wasmi only).
    runtime: Option<Rc<dyn WasmRuntime>>,
    on_runtime: OnceCell<Option<OnRuntimeModule>>,
    /// The gas each entry point's last call burned (by export index):
    /// whether the next is worth the runtime ([`WasmRuntime::break_even`]).
    burned: std::cell::RefCell<Vec<(i32, u64)>>,
    limits: WasmLimits,
    entry_points: Vec<EntryPointInfo>,
    indices: Vec<(Hname, i32)>,
    /// The source language, as the module says it.
    language: Option<String>,
}

impl WasmProcessor {
    /// Runs `on_load` (no sandbox: only `export_name` and logging work) and
    /// returns what it exported.
    fn on_load(&self) -> Result<Exported, VmError> {
        let mut store = self.store(HostState::new(None, &self.limits));
        let (result, _) = self.run(&mut store, "on_load", None, self.limits.on_load_fuel);
        let mut state = store.into_data();
        state.release();
        match result {
            Ok(()) => Ok(Exported {
                names: state.exports,
                language: state.language,
            }),
            Err(Failure::OutOfFuel) => Err(invalid(format!(
                "on_load failed: it ran past its budget of {} fuel",
                self.limits.on_load_fuel
            ))),
            Err(err) => Err(invalid(format!(
                "on_load failed: {}",
                state.error.unwrap_or_else(|| trap(err, &self.limits))
            ))),
        }
    }

    /// A store for one call, on the heap: nested ISC calls re-enter this
    /// processor on the host's stack, and a store is kilobytes (a browser
    /// worker's stack holds about 1 MiB).
    fn store<'a>(&self, state: HostState<'a>) -> Box<Store<HostState<'a>>> {
        let mut store = Box::new(Store::new(&self.engine, state));
        store.limiter(|state| state);
        store
    }

    /// Instantiates the module, gives it `fuel`, runs its start function
    /// (if it has one) and calls `name` (with `index` for `on_call`).
    /// Gives the outcome and the fuel left.
    ///
    /// Nested ISC calls re-enter this on the host's stack, so what runs
    /// while the guest does keeps a small frame: setting up and reading the
    /// outcome are out of line.
    fn run(
        &self,
        store: &mut Store<HostState<'_>>,
        name: &str,
        index: Option<i32>,
        fuel: u64,
    ) -> (Result<(), Failure>, u64) {
        let (instance, globals) = match self.prepare(store, &self.module, fuel) {
            Ok(prepared) => prepared,
            Err(failure) => return (Err(failure), fuel),
        };
        let result = call_export(store, instance, name, index);
        read_fuel(store, globals, result)
    }

    /// Instantiates the module and gives it `fuel`: the instance and its
    /// fuel globals (counter, out-of-fuel flag).
    #[inline(never)]
    fn prepare(
        &self,
        store: &mut Store<HostState<'_>>,
        module: &Module,
        fuel: u64,
    ) -> Result<(Instance, (wasmi::Global, wasmi::Global)), Failure> {
        store.data_mut().set_mark(fuel);
        let instance = self
            .instantiate(store, module)
            .map_err(Failure::Instantiate)?;
        let global = |name: &str| instance.get_global(&*store, name);
        let (Some(fuel_global), Some(flag)) = (global(FUEL_GLOBAL), global(OUT_OF_FUEL_GLOBAL))
        else {
            return Err(Failure::Run(wasmi::Error::new("the module is not metered")));
        };
        let budget = i64::try_from(fuel).unwrap_or(i64::MAX);
        fuel_global
            .set(&mut *store, Val::I64(budget))
            .map_err(|err| Failure::Run(wasmi::Error::new(err.to_string())))?;
        Ok((instance, (fuel_global, flag)))
    }

    /// An instance of `module` (the deployed one or the traced one), its
    /// host functions linked (no start function: the metered module
    /// exports it instead).
    /// Kept out of line: its frame is not on the stack while the guest runs.
    #[inline(never)]
    fn instantiate(
        &self,
        store: &mut Store<HostState<'_>>,
        module: &Module,
    ) -> Result<Instance, wasmi::Error> {
        let mut linker = Linker::new(&self.engine);
        linker
            .func_wrap("WasmLib", "hostStateGet", host::host_state_get)
            .and_then(|linker| linker.func_wrap("WasmLib", "hostStateSet", host::host_state_set))
            .and_then(|linker| {
                linker.func_wrap("wasi_snapshot_preview1", "fd_write", host::fd_write)
            })
            .and_then(|linker| linker.func_wrap("env", "abort", host::abort))
            .map_err(wasmi::Error::from)?;
        if store.data().tracer.is_some() {
            linker.func_wrap(TRACE_MODULE, TRACE_STEP, host::trace_step)?;
        }
        linker.instantiate_and_start(&mut *store, module)
    }

    /// The traced module and its sites, compiled on first use.
    fn traced(&self) -> Result<(&Module, Rc<[Site]>), String> {
        let traced = self.traced.get_or_init(|| {
            let (wasm, sites) = super::meter::instrument_traced(&self.program)?;
            // Validated whole before wasmi translates it, as every module is.
            Module::validate(&self.engine, &wasm)
                .map_err(|err| format!("tracing the module: {err}"))?;
            let module = Module::new(&self.engine, &wasm[..])
                .map_err(|err| format!("tracing the module: {err}"))?;
            Ok((module, Rc::from(sites)))
        });
        match traced {
            Ok((module, sites)) => Ok((module, Rc::clone(sites))),
            Err(err) => Err(err.clone()),
        }
    }
}

/// Runs the module's start function (if it has one), then export `name`
/// (with `index` for `on_call`).
fn call_export(
    store: &mut Store<HostState<'_>>,
    instance: Instance,
    name: &str,
    index: Option<i32>,
) -> Result<(), Failure> {
    if let Ok(start) = instance.get_typed_func::<(), ()>(&*store, START_EXPORT) {
        start.call(&mut *store, ()).map_err(Failure::Instantiate)?;
    }
    match index {
        Some(index) => instance
            .get_typed_func::<i32, ()>(&*store, name)
            .and_then(|func| func.call(&mut *store, index)),
        None => instance
            .get_typed_func::<(), ()>(&*store, name)
            .and_then(|func| func.call(&mut *store, ())),
    }
    .map_err(Failure::Run)
}

/// The outcome of a call and the fuel left, from the module's fuel globals.
#[inline(never)]
fn read_fuel(
    store: &Store<HostState<'_>>,
    (fuel_global, flag): (wasmi::Global, wasmi::Global),
    result: Result<(), Failure>,
) -> (Result<(), Failure>, u64) {
    let left = match fuel_global.get(store) {
        Val::I64(left) => u64::try_from(left).unwrap_or(0),
        _ => 0,
    };
    // The host's call into the module costs fuel too (see meter.rs).
    let left = left.saturating_sub(CALL_FROM_HOST);
    let out_of_fuel = matches!(flag.get(store), Val::I32(1));
    match result {
        Err(_) if out_of_fuel => (Err(Failure::OutOfFuel), 0),
        result => (result, left),
    }
}

impl Processor for WasmProcessor {
    fn vm_type(&self) -> VmType {
        VmType::WASM
    }

    fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    fn entry_points(&self) -> &[EntryPointInfo] {
        &self.entry_points
    }

    /// Runs to the end, each nested call through the sandbox on the host's
    /// stack (the chain itself uses [`Processor::start`]).
    fn call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<Dict, VmError> {
        let mut step = self.start(ctx, entry);
        loop {
            step = match step {
                Step::Done(result, _) => return result,
                Step::Calls(call, waiting, ctx) => {
                    let result = ctx.call(call.contract, call.entry, call.params, call.allowance);
                    waiting.resume(ctx, result)
                }
            };
        }
    }

    /// Instantiates the module and runs `on_call` resumably: a nested call
    /// (`FN_CALL`) suspends it, off the host's stack, until the chain
    /// resumes it with the callee's results.
    fn start<'s>(&self, ctx: &'s mut dyn Sandbox, entry: Hname) -> Step<'s> {
        let (index, fuel) = match self.prepare_call(ctx, entry) {
            Ok(ready) => ready,
            Err(err) => return Step::Done(Err(err), ctx),
        };
        // Recorded for a debugger: the traced module (a module that cannot
        // be traced runs as it is).
        let room = ctx.trace_steps();
        let gas_before = ctx.gas_remaining();
        if room == 0
            && ctx.wasm_runtime_allowed()
            && self.worth_the_runtime(index)
            && let Some(module) = self.on_runtime()
        {
            let step = self.run_on_runtime(ctx, module, index, fuel);
            return self.note_burned(index, gas_before, step);
        }
        let traced = (room > 0).then(|| self.traced().ok()).flatten();
        let module = traced.as_ref().map_or(&self.module, |(module, _)| module);
        let mut state = HostState::new(Some(ctx), &self.limits);
        if let Some((_, sites)) = &traced {
            state.tracer = Some(Box::new(Tracer::new(
                Rc::clone(sites),
                Rc::clone(&self.program),
                room,
            )));
        }
        let mut store = self.store(state);
        let (globals, outcome) = match self.begin(&mut store, module, index, fuel) {
            Ok(begun) => begun,
            Err((failure, left)) => return finish(store, Err(failure), left, &self.limits),
        };
        let step = settle(store, globals, outcome, self.limits);
        self.note_burned(index, gas_before, step)
    }
}

/// The module's fuel globals: its counter and its out-of-fuel flag.
type Globals = (wasmi::Global, wasmi::Global);

/// How a resumable run of `on_call` stopped.
type Outcome = Result<TypedResumableCall<()>, Failure>;

impl WasmProcessor {
    /// Instantiates the module with `fuel`, runs its start function (if it
    /// has one) and starts `on_call(index)` resumably. A failure before
    /// `on_call` comes with the fuel left.
    #[inline(never)]
    fn begin(
        &self,
        store: &mut Store<HostState<'_>>,
        module: &Module,
        index: i32,
        fuel: u64,
    ) -> Result<(Globals, Outcome), (Failure, u64)> {
        let (instance, globals) = self
            .prepare(store, module, fuel)
            .map_err(|failure| (failure, fuel))?;
        if let Ok(start) = instance.get_typed_func::<(), ()>(&*store, START_EXPORT)
            && let Err(err) = start.call(&mut *store, ())
        {
            let (result, left) = read_fuel(store, globals, Err(Failure::Instantiate(err)));
            return Err((result.err().unwrap_or(Failure::OutOfFuel), left));
        }
        store.data_mut().suspends = true;
        let outcome = instance
            .get_typed_func::<i32, ()>(&*store, "on_call")
            .and_then(|on_call| on_call.call_resumable(&mut *store, index))
            .map_err(Failure::Run);
        Ok((globals, outcome))
    }

    /// The export index of `entry`, after the checks and charges of a
    /// call, and the fuel the guest gets.
    #[inline(never)]
    fn prepare_call(&self, ctx: &mut dyn Sandbox, entry: Hname) -> Result<(i32, u64), VmError> {
        let index = self
            .indices
            .iter()
            .find(|(hname, _)| *hname == entry)
            .map(|(_, index)| *index)
            .ok_or_else(|| VmError::EntryPointNotFound {
                contract: ctx.contract().to_string(),
                entry,
            })?;
        let params = ctx.params().to_bytes().len();
        if params > self.limits.max_params_bytes {
            return Err(VmError::limit(format!(
                "params of {params} bytes exceed the maximum of {}",
                self.limits.max_params_bytes
            )));
        }
        ctx.burn_gas(GAS.sandbox_call)?;
        Ok((index, ctx.gas_remaining() / GAS.wasm_instruction))
    }
}

impl WasmProcessor {
    /// Whether a call of export `index` should run on the runtime: its
    /// last call burned at least the runtime's break-even gas.
    fn worth_the_runtime(&self, index: i32) -> bool {
        let Some(runtime) = &self.runtime else {
            return false;
        };
        let break_even = runtime.break_even();
        break_even == 0
            || self
                .burned
                .borrow()
                .iter()
                .any(|(entry, gas)| *entry == index && *gas >= break_even)
    }

    /// Keeps what a call that ended in `step` burned (one that waits for a
    /// nested call is not over: it is not counted).
    fn note_burned<'s>(&self, index: i32, gas_before: u64, step: Step<'s>) -> Step<'s> {
        if self.runtime.is_some()
            && let Step::Done(_, ctx) = &step
        {
            let burned = gas_before.saturating_sub(ctx.gas_remaining());
            let mut entries = self.burned.borrow_mut();
            match entries.iter_mut().find(|(entry, _)| *entry == index) {
                Some((_, gas)) => *gas = burned,
                None => entries.push((index, burned)),
            }
        }
        step
    }

    /// The module compiled for the runtime (at load); `None` without a
    /// runtime, or for a module it cannot run as wasmi would.
    fn on_runtime(&self) -> Option<&OnRuntimeModule> {
        self.on_runtime
            .get_or_init(|| {
                let runtime = self.runtime.as_ref()?;
                let limits = super::meter::GuardLimits {
                    max_pages: (self.limits.max_memory_bytes / PAGE) as u64,
                    max_table_elements: self.limits.max_table_elements as u64,
                };
                let guarded = super::meter::instrument_guarded(&self.program, limits).ok()??;
                let compiled = runtime.compile(&guarded).ok()?;
                Some(OnRuntimeModule {
                    compiled,
                    initial_memory: initial_memory(&self.module),
                })
            })
            .as_ref()
    }

    /// Runs `on_call(index)` on the runtime with `fuel`, to the end: a
    /// nested call is not waited for there (the run hands the request
    /// back). Whatever the runtime cannot end as wasmi would, the request
    /// runs again on wasmi ([`Sandbox::give_up_runtime`]).
    #[inline(never)]
    fn run_on_runtime<'s>(
        &self,
        ctx: &'s mut dyn Sandbox,
        module: &OnRuntimeModule,
        index: i32,
        fuel: u64,
    ) -> Step<'s> {
        // wasmi's limiter reserves each page as it is grown; the runtime
        // grows without asking. So the run needs room for the most the
        // memory may come to: then no reservation could have failed.
        let name = self.runtime.as_ref().map_or("", |runtime| runtime.name());
        ctx.ran_on_runtime(name);
        if ctx.memory_headroom() < self.limits.max_memory_bytes as u64 {
            return hand_back(ctx, "the request's engine memory is nearly all reserved");
        }
        let mut state = HostState::new(Some(ctx), &self.limits);
        state.on_runtime = true;
        state.set_mark(fuel);
        use wasmi::ResourceLimiter;
        let _ = state.memory_growing(0, module.initial_memory, None);
        let budget = i64::try_from(fuel).unwrap_or(i64::MAX);
        let run = module.compiled.run(
            &mut super::host::OnRuntime { state: &mut state },
            budget,
            index,
        );
        if run.memory_bytes > module.initial_memory {
            let _ = state.memory_growing(module.initial_memory, run.memory_bytes, None);
        }
        let result = match run.ended {
            Ended::Returned => Ok(()),
            Ended::Stopped => Err(Failure::Run(wasmi::Error::new("stopped by the host"))),
            Ended::Failed(_) if run.out_of_fuel => Err(Failure::OutOfFuel),
            Ended::Failed(message) => {
                state.gave_up.get_or_insert("the contract trapped");
                Err(Failure::Run(wasmi::Error::new(message)))
            }
        };
        if let Some(reason) = state.gave_up {
            let error = VmError::panic(format!("handed back to wasmi: {reason}"));
            state.error = Some(error);
        }
        // As `read_fuel`: the host's call costs fuel; no fuel left is none.
        let left = u64::try_from(run.fuel)
            .unwrap_or(0)
            .saturating_sub(CALL_FROM_HOST);
        let (result, left) = match result {
            Err(_) if run.out_of_fuel => (Err(Failure::OutOfFuel), 0),
            result => (result, left),
        };
        let gave_up = state.gave_up;
        match finish_state(state, result, left, &self.limits) {
            Step::Done(result, ctx) => {
                if let Some(reason) = gave_up {
                    ctx.give_up_runtime(reason);
                }
                Step::Done(result, ctx)
            }
            step => step,
        }
    }
}

/// A linear memory page, in bytes.
const PAGE: usize = 65_536;

/// The bytes of the module's memory when it is instantiated.
fn initial_memory(module: &Module) -> usize {
    module
        .exports()
        .find_map(|export| match export.ty() {
            ExternType::Memory(memory) => Some(memory.minimum()),
            _ => None,
        })
        .and_then(|pages| usize::try_from(pages).ok())
        .map_or(0, |pages| pages.saturating_mul(PAGE))
}

/// Ends a call the runtime will not run: the request runs again on wasmi.
fn hand_back<'s>(ctx: &'s mut dyn Sandbox, reason: &'static str) -> Step<'s> {
    ctx.give_up_runtime(reason);
    Step::Done(
        Err(VmError::panic(format!("handed back to wasmi: {reason}"))),
        ctx,
    )
}

/// A Wasm call waiting for a nested call: its store (instance, memory,
/// host state) and wasmi's resumable invocation, all on the heap.
struct Waiting<'s> {
    store: Box<Store<HostState<'s>>>,
    invocation: TypedResumableCallHostTrap<()>,
    globals: Globals,
    limits: WasmLimits,
}

impl<'s> Suspended<'s> for Waiting<'s> {
    fn resume(
        self: Box<Self>,
        ctx: &'s mut dyn Sandbox,
        result: Result<Dict, VmError>,
    ) -> Step<'s> {
        let Waiting {
            mut store,
            invocation,
            globals,
            limits,
        } = *self;
        let room = ctx.trace_steps();
        store.data_mut().lend(ctx);
        if let Some(tracer) = store.data_mut().tracer.as_deref_mut() {
            tracer.resize(room);
        }
        let outcome =
            match result.and_then(|results| host::resumed(&mut store, globals.0, &results)) {
                Ok(len) => invocation
                    .resume(&mut *store, &[Val::I32(len)])
                    .map_err(Failure::Run),
                // A failed nested call fails its caller with the callee's error.
                Err(err) => {
                    let message = err.to_string();
                    store.data_mut().error = Some(err);
                    Err(Failure::Run(wasmi::Error::new(message)))
                }
            };
        settle(store, globals, outcome, limits)
    }
}

/// Where a resumable run of `on_call` stands: waiting for the nested call
/// the guest asked for, or over.
fn settle<'s>(
    mut store: Box<Store<HostState<'s>>>,
    globals: Globals,
    outcome: Outcome,
    limits: WasmLimits,
) -> Step<'s> {
    let result = match outcome {
        Ok(TypedResumableCall::Finished(())) => Ok(()),
        Ok(TypedResumableCall::HostTrap(invocation)) => match store.data_mut().pending.take() {
            Some(call) => {
                let state = store.data_mut();
                let recorded = state.tracer.as_deref_mut().map_or(0, Tracer::unreported);
                let Some(ctx) = state.take_back() else {
                    unreachable!("a call's store holds its sandbox");
                };
                ctx.traced_steps(recorded);
                let waiting = Waiting {
                    store,
                    invocation,
                    globals,
                    limits,
                };
                return Step::Calls(call, Box::new(waiting), ctx);
            }
            None => Err(Failure::Run(wasmi::Error::new(
                invocation.host_error().to_string(),
            ))),
        },
        // wasmi's own fuel is off: the metered module counts its fuel.
        Ok(TypedResumableCall::OutOfFuel(_)) => Err(Failure::OutOfFuel),
        Err(failure) => Err(failure),
    };
    let (result, left) = read_fuel(&store, globals, result);
    finish(store, result, left, &limits)
}

/// A call's results or error, from its outcome and the fuel left, with
/// the sandbox it gives back.
#[inline(never)]
fn finish<'s>(
    store: Box<Store<HostState<'s>>>,
    result: Result<(), Failure>,
    left: u64,
    limits: &WasmLimits,
) -> Step<'s> {
    finish_state(store.into_data(), result, left, limits)
}

/// [`finish`], from the call's host state.
fn finish_state<'s>(
    mut state: HostState<'s>,
    result: Result<(), Failure>,
    left: u64,
    limits: &WasmLimits,
) -> Step<'s> {
    state.release();
    let synced = state.charge_fuel(left);
    let result = match result {
        Ok(()) => synced.map(|()| state.results.take().unwrap_or_default()),
        Err(err) => Err(if let Some(error) = state.error.take() {
            error
        } else if err.is_out_of_fuel() {
            // The guest used every unit of fuel it had: the budget is gone.
            state.exhaust()
        } else {
            match synced {
                Err(error) => error,
                Ok(()) => trap(err, limits),
            }
        }),
    };
    let tracer = state.tracer.take();
    let Some(ctx) = state.take_back() else {
        unreachable!("a call's store holds its sandbox");
    };
    if let Some(mut tracer) = tracer {
        ctx.traced_steps(tracer.unreported());
        ctx.trace_detail(tracer.detail());
    }
    Step::Done(result, ctx)
}

/// How running a module failed: while instantiating it (its segments, its
/// start function) or in the called export.
enum Failure {
    Instantiate(wasmi::Error),
    Run(wasmi::Error),
    /// A fuel check found none left (the metered module's own trap).
    OutOfFuel,
}

impl Failure {
    fn is_out_of_fuel(&self) -> bool {
        matches!(self, Self::OutOfFuel)
    }
}

/// A failure as a [`VmError`]: the call stack limit is [`VmError::Limit`],
/// the rest a [`VmError::Trap`] in wasmi's own words. (A refused memory or
/// table growth never gets here: the limiter keeps its own error, which
/// the caller reports first.)
fn trap(failure: Failure, limits: &WasmLimits) -> VmError {
    let err = match failure {
        Failure::Instantiate(err) => {
            let message = match err.kind() {
                ErrorKind::Memory(_) => {
                    "a data segment lies outside the module's linear memory".to_owned()
                }
                ErrorKind::Table(_) => "an element segment lies outside its table".to_owned(),
                _ => err.to_string(),
            };
            return VmError::Trap {
                vm: VmType::WASM,
                message: format!("instantiating the module: {message}"),
            };
        }
        Failure::Run(err) => err,
        Failure::OutOfFuel => {
            return VmError::Trap {
                vm: VmType::WASM,
                message: "out of fuel".into(),
            };
        }
    };
    let message = match (err.as_trap_code(), err.kind()) {
        (Some(TrapCode::StackOverflow), _) => {
            return VmError::limit(format!(
                "Wasm call stack exhausted (deeper than {} frames, or more than {} KiB of \
                 locals and temporaries)",
                limits.max_recursion_depth,
                super::MAX_VALUE_STACK_BYTES / 1024
            ));
        }
        (_, ErrorKind::Memory(inner)) => format!("linear memory: {inner}"),
        (_, ErrorKind::Table(inner)) => format!("table: {inner}"),
        _ => err.to_string(),
    };
    VmError::Trap {
        vm: VmType::WASM,
        message,
    }
}
