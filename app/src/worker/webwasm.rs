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
    memory: WebAssembly::Memory,
    fuel: WebAssembly::Global,
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
    /// Whether a host function stopped the run (its exception is ours).
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// The browser's WebAssembly: the imports object every instance shares.
pub struct BrowserWasm {
    imports: Object,
    /// The host functions, alive as long as the runtime.
    _closures: Vec<Closure<dyn Fn(i32, i32, i32, i32) -> i32>>,
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
            let closure = Closure::<dyn Fn(i32, i32, i32, i32) -> i32>::new(
                move |a: i32, b: i32, c: i32, d: i32| match dispatch(import, [a, b, c, d]) {
                    Ok(value) => value,
                    // Nothing of this frame needs dropping: `dispatch`
                    // has returned and released what it held.
                    Err(Stop) => wasm_bindgen::throw_str(STOP),
                },
            );
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

impl WasmRuntime for BrowserWasm {
    fn name(&self) -> &str {
        NAME
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
        if ACTIVE.with(|active| active.borrow().is_some()) {
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
                memory: memory.clone(),
                fuel: fuel_global.clone(),
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
            fuel: i64::try_from(fuel_global.value()).unwrap_or(0),
            out_of_fuel: flag.value().as_f64() == Some(1.0),
            memory_bytes: buffer_len(&memory),
        }
    }
}

/// A host function's call from the guest: to the engine's host, with the
/// instance's memory and fuel counter.
fn dispatch(import: Import, args: [i32; 4]) -> Result<i32, Stop> {
    let active = ACTIVE.with(|active| {
        active
            .borrow()
            .as_ref()
            .map(|a| (a.host, a.memory.clone(), a.fuel.clone()))
    });
    let Some((host, memory, fuel)) = active else {
        return Err(Stop);
    };
    // SAFETY: `ACTIVE` holds the host only while `Compiled::run` lends it
    // and calls the guest, which is what calls this; nothing else uses it
    // meanwhile (the engine runs no second guest inside a host call: it
    // hands nested calls back to wasmi), so this is the only reference.
    #[allow(unsafe_code)]
    let host = unsafe { &mut *host };
    let result = host.call(import, args, &mut View { memory, fuel });
    if result.is_err() {
        STOPPED.with(|stopped| stopped.set(true));
    }
    result
}

/// The instance's memory and fuel counter, for a host function.
struct View {
    memory: WebAssembly::Memory,
    fuel: WebAssembly::Global,
}

impl View {
    /// The memory's bytes `at..at + len`, as a view (taken anew each time:
    /// growing the memory replaces its buffer).
    fn bytes(&self, at: usize, len: usize) -> Uint8Array {
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        let len = u32::try_from(len).unwrap_or(0);
        Uint8Array::new_with_byte_offset_and_length(&self.memory.buffer(), at, len)
    }
}

impl Instance for View {
    fn memory_len(&self) -> usize {
        buffer_len(&self.memory)
    }

    fn read(&self, at: usize, out: &mut [u8]) {
        self.bytes(at, out.len()).copy_to(out);
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        self.bytes(at, bytes.len()).copy_from(bytes);
    }

    fn fuel(&self) -> i64 {
        i64::try_from(self.fuel.value()).unwrap_or(0)
    }

    fn set_fuel(&mut self, fuel: i64) {
        self.fuel.set_value(&JsValue::from(fuel));
    }
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
