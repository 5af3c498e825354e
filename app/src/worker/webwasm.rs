//! The browser's own WebAssembly engine as a Wasm runtime for the chain
//! (`isc_engine::wasmvm::runtime`): a module compiled once per contract
//! with `WebAssembly.Module`, a fresh `WebAssembly.Instance` per call, its
//! imports calling the engine's host functions.
//!
//! The engine decides what may run here and hands back to wasmi whatever
//! could end otherwise than there (a trap, a nested call, a frame budget
//! passed). This file only moves calls and bytes across the JS boundary.
//!
//! It holds the project's only `unsafe` code, two lines: the imports are
//! `'static` JS functions, and the engine's host they call is borrowed for
//! one call; so the borrow is kept as a pointer, set and cleared around the
//! call into the guest (see the SAFETY notes).

use isc_engine::wasmvm::runtime::{
    CompiledModule, Ended, FUEL_GLOBAL, Host, Import, Instance, OUT_OF_FUEL_GLOBAL, Run,
    START_EXPORT, Stop, WasmRuntime,
};
use js_sys::{Function, Object, Reflect, Uint8Array, WebAssembly};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};

/// The runtime's name, as receipts show it.
pub const NAME: &str = "the browser's WebAssembly";

/// The text a host function throws to unwind a guest ([`Stop`]).
const STOP: &str = "isc-playground: the host stopped the contract";

/// The run in progress: the engine's host functions and the instance's
/// memory and fuel counter. Set only while [`Compiled::run`] calls into
/// the guest.
struct Active {
    /// The `&mut dyn Host` lent to [`Compiled::run`], its lifetime erased:
    /// it is only used while that call is on the stack (see [`dispatch`]).
    host: *mut (dyn Host + 'static),
    view: View,
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
    /// Whether a host function stopped the run (its exception is ours).
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// A WasmLib import as a JS function: four `i32`s in, one out.
type HostFunction = Closure<dyn Fn(i32, i32, i32, i32) -> i32>;

/// The browser's WebAssembly: the imports object every instance shares.
pub struct BrowserWasm {
    imports: Object,
    /// The host functions, alive as long as the runtime.
    _closures: Vec<HostFunction>,
}

impl BrowserWasm {
    /// The runtime, or `None` where the global scope has no `WebAssembly`.
    pub fn new() -> Option<Self> {
        let global = js_sys::global();
        if !Reflect::has(&global, &JsValue::from_str("WebAssembly")).unwrap_or(false) {
            return None;
        }
        let imports = Object::new();
        let mut closures = Vec::new();
        for import in Import::ALL {
            let closure = HostFunction::new(move |a: i32, b: i32, c: i32, d: i32| {
                match dispatch(import, [a, b, c, d]) {
                    Ok(value) => value,
                    // Nothing of this frame needs dropping: `dispatch`
                    // has returned and released what it held.
                    Err(Stop) => wasm_bindgen::throw_str(STOP),
                }
            });
            let module_name = JsValue::from_str(import.module());
            let module = match Reflect::get(&imports, &module_name) {
                Ok(module) if module.is_object() => module,
                _ => {
                    let module: JsValue = Object::new().into();
                    Reflect::set(&imports, &module_name, &module).ok()?;
                    module
                }
            };
            Reflect::set(
                &module,
                &JsValue::from_str(import.name()),
                closure.as_ref().unchecked_ref::<Function>(),
            )
            .ok()?;
            closures.push(closure);
        }
        Some(Self {
            imports,
            _closures: closures,
        })
    }
}

/// The gas below which a call is cheaper on wasmi, measured in Chromium
/// (`bench/ANALYSIS.md`): a fresh instance costs V8 0.1–0.35 ms in the
/// engine worker (its linear memory, and the collections freeing the
/// last ones), about what wasmi takes for 150 000 gas of Wasm.
pub const BREAK_EVEN: u64 = 200_000;

impl WasmRuntime for BrowserWasm {
    fn name(&self) -> &str {
        NAME
    }

    fn break_even(&self) -> u64 {
        BREAK_EVEN
    }

    fn compile(&self, module: &[u8]) -> Result<Box<dyn CompiledModule>, String> {
        let bytes = Uint8Array::from(module);
        let module = WebAssembly::Module::new(bytes.as_ref()).map_err(|err| describe(&err))?;
        Ok(Box::new(Compiled {
            module,
            imports: self.imports.clone(),
        }))
    }
}

struct Compiled {
    module: WebAssembly::Module,
    imports: Object,
}

impl CompiledModule for Compiled {
    fn run(&self, host: &mut dyn Host, fuel: i64, index: i32) -> Run {
        let failed = |message: String| Run {
            ended: Ended::Failed(message),
            fuel,
            out_of_fuel: false,
            memory_bytes: 0,
        };
        // Never inside another run (the engine hands nested calls back;
        // this only keeps a mistake from becoming a panic).
        if ACTIVE.with(|active| active.try_borrow().map_or(true, |a| a.is_some())) {
            return failed("another run is in progress".into());
        }
        let instance = match WebAssembly::Instance::new(&self.module, &self.imports) {
            Ok(instance) => instance,
            Err(err) => return failed(describe(&err)),
        };
        let exports = instance.exports();
        let export = |name: &str| Reflect::get(&exports, &JsValue::from_str(name)).ok();
        let (Some(memory), Some(fuel_global), Some(flag), Some(on_call)) = (
            export("memory").and_then(|m| m.dyn_into::<WebAssembly::Memory>().ok()),
            export(FUEL_GLOBAL).and_then(|g| g.dyn_into::<WebAssembly::Global>().ok()),
            export(OUT_OF_FUEL_GLOBAL).and_then(|g| g.dyn_into::<WebAssembly::Global>().ok()),
            export("on_call").and_then(|f| f.dyn_into::<Function>().ok()),
        ) else {
            return failed("the module lacks a metered module's exports".into());
        };
        let start = export(START_EXPORT).and_then(|f| f.dyn_into::<Function>().ok());
        fuel_global.set_value(&JsValue::from(fuel));
        let host: *mut (dyn Host + '_) = host;
        // SAFETY: only the lifetime is erased. `dispatch` dereferences the
        // pointer only while `ACTIVE` holds it, which is only during the
        // calls below, while `host` is lent to this function and not
        // otherwise used; `ACTIVE` is cleared before this returns.
        #[allow(unsafe_code)]
        let host: *mut (dyn Host + 'static) = unsafe { std::mem::transmute(host) };
        ACTIVE.with(|active| {
            *active.borrow_mut() = Some(Active {
                host,
                view: View::new(memory.clone(), fuel_global.clone()),
            });
        });
        STOPPED.with(|stopped| stopped.set(false));
        let result = start
            .map_or(Ok(JsValue::UNDEFINED), |start| {
                start.call0(&JsValue::UNDEFINED)
            })
            .and_then(|_| on_call.call1(&JsValue::UNDEFINED, &JsValue::from(index)));
        ACTIVE.with(|active| active.borrow_mut().take());
        let ended = match result {
            Ok(_) => Ended::Returned,
            Err(_) if STOPPED.with(Cell::get) => Ended::Stopped,
            Err(err) => Ended::Failed(describe(&err)),
        };
        Run {
            ended,
            fuel: counter(&fuel_global),
            out_of_fuel: flag.value().as_f64() == Some(1.0),
            memory_bytes: buffer_len(&memory),
        }
    }
}

/// A host function's call from the guest: to the engine's host, with the
/// instance's memory and fuel counter.
fn dispatch(import: Import, args: [i32; 4]) -> Result<i32, Stop> {
    let result = ACTIVE.with(|active| {
        // Held for the host call: the engine starts no second run inside
        // one (it hands nested calls back to wasmi).
        let Ok(mut active) = active.try_borrow_mut() else {
            return Err(Stop);
        };
        let Some(Active { host, view }) = active.as_mut() else {
            return Err(Stop);
        };
        // SAFETY: `ACTIVE` holds the host only while `Compiled::run` lends
        // it and calls the guest, which is what calls this; nothing else
        // uses it meanwhile, so this is the only reference.
        #[allow(unsafe_code)]
        let host = unsafe { &mut **host };
        view.refresh();
        host.call(import, args, view)
    });
    if result.is_err() {
        STOPPED.with(|stopped| stopped.set(true));
    }
    result
}

/// The instance's memory and fuel counter, for a host function.
struct View {
    memory: WebAssembly::Memory,
    fuel: WebAssembly::Global,
    /// The memory's bytes, and their length: taken again when the guest
    /// has grown the memory (which replaces the buffer) since.
    bytes: Uint8Array,
    len: usize,
}

impl View {
    fn new(memory: WebAssembly::Memory, fuel: WebAssembly::Global) -> Self {
        let bytes = Uint8Array::new(&memory.buffer());
        let len = bytes.length() as usize;
        Self {
            memory,
            fuel,
            bytes,
            len,
        }
    }

    /// Takes the bytes again if the memory grew (its old buffer is then
    /// detached: length 0).
    fn refresh(&mut self) {
        if self.bytes.length() as usize != self.len || self.len == 0 {
            self.bytes = Uint8Array::new(&self.memory.buffer());
            self.len = self.bytes.length() as usize;
        }
    }

    fn range(&self, at: usize, len: usize) -> Uint8Array {
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        let end = at.saturating_add(u32::try_from(len).unwrap_or(0));
        self.bytes.subarray(at, end)
    }
}

impl Instance for View {
    fn memory_len(&self) -> usize {
        self.len
    }

    fn read(&self, at: usize, out: &mut [u8]) {
        self.range(at, out.len()).copy_to(out);
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        self.range(at, bytes.len()).copy_from(bytes);
    }

    fn fuel(&self) -> i64 {
        counter(&self.fuel)
    }

    fn set_fuel(&mut self, fuel: i64) {
        self.fuel.set_value(&JsValue::from(fuel));
    }
}

/// The fuel counter's value (an `i64` global: a `BigInt` in JS).
fn counter(global: &WebAssembly::Global) -> i64 {
    i64::try_from(global.value()).unwrap_or(0)
}

fn buffer_len(memory: &WebAssembly::Memory) -> usize {
    memory
        .buffer()
        .dyn_into::<js_sys::ArrayBuffer>()
        .map_or(0, |buffer| buffer.byte_length() as usize)
}

/// An exception as text: an `Error`'s name and message.
fn describe(err: &JsValue) -> String {
    match err.dyn_ref::<js_sys::Error>() {
        Some(error) => format!("{}: {}", error.name(), error.message()),
        None => format!("{err:?}"),
    }
}
