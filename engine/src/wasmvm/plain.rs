//! A stand-in for the browser's engine, for tests and fuzzing (feature
//! `testing`): a second, plain wasmi behind [`WasmRuntime`] — no fuel of
//! its own, no limiter, its own default stack, as a browser's engine
//! would run a module. A chain using it must end every request exactly as
//! on wasmi alone; the engine's tests and the `wasm_modules` fuzz target
//! check that it does.

use super::runtime::{
    CompiledModule, Ended, FUEL_GLOBAL, Host, Import, Instance, OUT_OF_FUEL_GLOBAL, Run,
    START_EXPORT, Stop, WasmRuntime,
};
use wasmi::{Caller, Engine, Extern, Linker, Module, Store, Val};

/// The runtime's name, as receipts show it.
pub const NAME: &str = "a second wasmi";

/// wasmi as a [`WasmRuntime`]: no fuel, no limiter, its own default stack.
#[derive(Default)]
pub struct PlainWasmi {
    engine: Engine,
}

impl WasmRuntime for PlainWasmi {
    fn name(&self) -> &str {
        NAME
    }

    fn compile(&self, module: &[u8]) -> Result<Box<dyn CompiledModule>, String> {
        let module = Module::new(&self.engine, module).map_err(|err| err.to_string())?;
        Ok(Box::new(Compiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

struct Compiled {
    engine: Engine,
    module: Module,
}

struct Data<'h> {
    host: Option<&'h mut dyn Host>,
    stopped: bool,
}

/// The instance as the host sees it, during an import's call.
struct View<'c, 'x, 'h> {
    caller: &'c mut Caller<'x, Data<'h>>,
}

impl View<'_, '_, '_> {
    fn memory(&self) -> wasmi::Memory {
        self.caller
            .get_export("memory")
            .and_then(Extern::into_memory)
            .expect("a WasmLib module exports its memory")
    }

    fn fuel_global(&self) -> wasmi::Global {
        self.caller
            .get_export(FUEL_GLOBAL)
            .and_then(Extern::into_global)
            .expect("a metered module exports its fuel")
    }
}

impl Instance for View<'_, '_, '_> {
    fn memory_len(&self) -> usize {
        self.memory().data(&*self.caller).len()
    }

    fn read(&self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.memory().data(&*self.caller)[at..at + out.len()]);
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        let memory = self.memory();
        memory.data_mut(&mut *self.caller)[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn fuel(&self) -> i64 {
        match self.fuel_global().get(&*self.caller) {
            Val::I64(fuel) => fuel,
            _ => 0,
        }
    }

    fn set_fuel(&mut self, fuel: i64) {
        let global = self.fuel_global();
        global
            .set(&mut *self.caller, Val::I64(fuel))
            .expect("the fuel global is a mutable i64");
    }
}

fn dispatch(
    caller: &mut Caller<'_, Data<'_>>,
    import: Import,
    args: [i32; 4],
) -> Result<i32, wasmi::Error> {
    let host = caller.data_mut().host.take().expect("the host is lent");
    let result = host.call(import, args, &mut View { caller });
    caller.data_mut().host = Some(host);
    result.map_err(|Stop| {
        caller.data_mut().stopped = true;
        wasmi::Error::new("stopped by the host")
    })
}

fn state_get(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<i32, wasmi::Error> {
    dispatch(&mut c, Import::HostStateGet, [a, b, d, e])
}

fn state_set(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<(), wasmi::Error> {
    dispatch(&mut c, Import::HostStateSet, [a, b, d, e]).map(drop)
}

fn fd_write(
    mut c: Caller<'_, Data<'_>>,
    a: i32,
    b: i32,
    d: i32,
    e: i32,
) -> Result<i32, wasmi::Error> {
    dispatch(&mut c, Import::FdWrite, [a, b, d, e])
}

fn abort(mut c: Caller<'_, Data<'_>>, a: i32, b: i32, d: i32, e: i32) -> Result<(), wasmi::Error> {
    dispatch(&mut c, Import::Abort, [a, b, d, e]).map(drop)
}

impl CompiledModule for Compiled {
    fn run(&self, host: &mut dyn Host, fuel: i64, index: i32) -> Run {
        let mut store = Store::new(
            &self.engine,
            Data {
                host: Some(host),
                stopped: false,
            },
        );
        let mut linker = Linker::new(&self.engine);
        for import in Import::ALL {
            let (module, name) = (import.module(), import.name());
            let linked = match import {
                Import::HostStateGet => linker.func_wrap(module, name, state_get),
                Import::HostStateSet => linker.func_wrap(module, name, state_set),
                Import::FdWrite => linker.func_wrap(module, name, fd_write),
                Import::Abort => linker.func_wrap(module, name, abort),
            };
            linked.expect("each import is linked once");
        }
        let failed = |message: String| Run {
            ended: Ended::Failed(message),
            fuel,
            out_of_fuel: false,
            memory_bytes: 0,
        };
        let instance = match linker.instantiate_and_start(&mut store, &self.module) {
            Ok(instance) => instance,
            Err(err) => return failed(err.to_string()),
        };
        let global = |store: &Store<Data<'_>>, name: &str| {
            instance
                .get_global(store, name)
                .map(|global| global.get(store))
        };
        if let Some(fuel_global) = instance.get_global(&store, FUEL_GLOBAL) {
            fuel_global
                .set(&mut store, Val::I64(fuel))
                .expect("the fuel global is a mutable i64");
        }
        let start = instance.get_typed_func::<(), ()>(&store, START_EXPORT).ok();
        let result = match start {
            Some(start) => start.call(&mut store, ()),
            None => Ok(()),
        }
        .and_then(|()| {
            instance
                .get_typed_func::<i32, ()>(&store, "on_call")
                .and_then(|on_call| on_call.call(&mut store, index))
        });
        let ended = match result {
            Ok(()) => Ended::Returned,
            Err(_) if store.data().stopped => Ended::Stopped,
            Err(err) => Ended::Failed(err.to_string()),
        };
        let memory_bytes = instance
            .get_memory(&store, "memory")
            .map_or(0, |memory| memory.data(&store).len());
        Run {
            ended,
            fuel: match global(&store, FUEL_GLOBAL) {
                Some(Val::I64(fuel)) => fuel,
                _ => 0,
            },
            out_of_fuel: matches!(global(&store, OUT_OF_FUEL_GLOBAL), Some(Val::I32(1))),
            memory_bytes,
        }
    }
}
