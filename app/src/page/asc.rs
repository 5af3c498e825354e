//! The page's handle on AssemblyScript's compiler, which runs in its own
//! module worker (`app/js/asc-worker.js`, started on the first compile):
//! TypeScript WasmLib contracts in, a Wasm module and the compiler's
//! problems out.

use crate::model::compile::Problem;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// The worker's script, relative to the page.
const SCRIPT: &str = "./asc-worker.js";
/// The files it loads on first use, for the service worker to keep.
pub const FILES: [&str; 4] = [
    "asc-worker.js",
    "asc-compile.mjs",
    "vendor/asc.min.js",
    "examples/ts/wasmlib.json",
];
/// What a compile that cannot reach the compiler says.
const NEEDS_NETWORK: &str = "the TypeScript compiler (about 3 MB) is downloaded the first \
     time it is used, and that needs the network once; after that it works offline";

/// A compile's outcome: the module (none when there were errors), the
/// compiler's problems, and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// The module, or none when the compiler reported errors.
    pub binary: Option<Vec<u8>>,
    /// Errors and warnings, placed in the file they are in.
    pub problems: Vec<Problem>,
    /// AssemblyScript's version.
    pub version: String,
}

type Done = Box<dyn FnOnce(Result<Compiled, String>)>;
type Handler = Closure<dyn FnMut(MessageEvent)>;
type ErrorHandler = Closure<dyn FnMut(web_sys::Event)>;

#[derive(Default)]
struct Inner {
    worker: RefCell<Option<Worker>>,
    next: Cell<u64>,
    pending: RefCell<BTreeMap<u64, Done>>,
    handlers: RefCell<Option<(Handler, ErrorHandler)>>,
}

/// AssemblyScript in a worker (cheap to clone).
#[derive(Clone, Default)]
pub struct Asc(Rc<Inner>);

fn field(data: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl Asc {
    fn worker(&self) -> Result<Worker, String> {
        if let Some(worker) = self.0.worker.borrow().as_ref() {
            return Ok(worker.clone());
        }
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(SCRIPT, &options)
            .map_err(|err| format!("the TypeScript compiler did not start: {err:?}"))?;
        let this = self.clone();
        let handler = Handler::new(move |event: MessageEvent| this.receive(&event.data()));
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The script itself did not load (offline, never cached): every
        // compile waiting fails with a message, and the next one retries.
        let this = self.clone();
        let failed = ErrorHandler::new(move |_: web_sys::Event| {
            *this.0.worker.borrow_mut() = None;
            let waiting = std::mem::take(&mut *this.0.pending.borrow_mut());
            for done in waiting.into_values() {
                done(Err(NEEDS_NETWORK.into()));
            }
        });
        worker.set_onerror(Some(failed.as_ref().unchecked_ref()));
        *self.0.handlers.borrow_mut() = Some((handler, failed));
        *self.0.worker.borrow_mut() = Some(worker.clone());
        Ok(worker)
    }

    fn receive(&self, data: &JsValue) {
        let id = field(data, "id").as_f64().unwrap_or(0.0) as u64;
        let Some(done) = self.0.pending.borrow_mut().remove(&id) else {
            return;
        };
        if field(data, "kind").as_string().as_deref() != Some("compiled") {
            done(Err(field(data, "message")
                .as_string()
                .unwrap_or_else(|| "the TypeScript compiler failed".into())));
            return;
        }
        let binary = field(data, "binary");
        let binary = (!binary.is_null() && !binary.is_undefined())
            .then(|| js_sys::Uint8Array::new(&binary).to_vec());
        let problems = field(data, "problems").as_string().unwrap_or_default();
        done(
            serde_json::from_str(&problems)
                .map(|problems| Compiled {
                    binary,
                    problems,
                    version: field(data, "version").as_string().unwrap_or_default(),
                })
                .map_err(|err| format!("the TypeScript compiler's problems are unreadable: {err}")),
        );
    }

    /// Compiles `source` as file `entry` (beside WasmLib's files).
    pub async fn compile(&self, entry: &str, source: &str) -> Result<Compiled, String> {
        let worker = self.worker()?;
        let id = self.0.next.get() + 1;
        self.0.next.set(id);
        let (send, receive) = futures_channel::oneshot::channel();
        self.0.pending.borrow_mut().insert(
            id,
            Box::new(move |outcome| {
                let _ = send.send(outcome);
            }),
        );
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"id".into(), &JsValue::from_f64(id as f64));
        let _ = js_sys::Reflect::set(&message, &"entry".into(), &JsValue::from_str(entry));
        let _ = js_sys::Reflect::set(&message, &"source".into(), &JsValue::from_str(source));
        if let Err(err) = worker.post_message(&message) {
            self.0.pending.borrow_mut().remove(&id);
            return Err(format!("the TypeScript compiler is unreachable: {err:?}"));
        }
        receive
            .await
            .map_err(|_| "the TypeScript compiler stopped".to_owned())?
    }
}
