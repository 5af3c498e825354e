//! The page's handle on one solc-js version, which runs in its own worker
//! (`app/js/solc-worker.js`, started on first use; one worker per version,
//! as each build is a whole Emscripten module): compile requests by id,
//! load progress as a fraction for the progress bar.

use crate::model::solc::{Version, soljson_path};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

/// The worker's script, relative to the page.
const SCRIPT: &str = "./solc-worker.js";
/// What a compile that cannot reach the compiler says.
const NEEDS_NETWORK: &str = "the Solidity compiler (about 9 MB) is downloaded the first time \
     it is used, and that needs the network once; after that it works offline";

/// A compile's result: solc's standard-JSON output and its version.
pub type Output = Result<(String, String), String>;
type Done = Box<dyn FnOnce(Output)>;
type Handler = Closure<dyn FnMut(MessageEvent)>;
type ErrorHandler = Closure<dyn FnMut(web_sys::Event)>;

struct Inner {
    version: Version,
    worker: RefCell<Option<Worker>>,
    next: Cell<u64>,
    pending: RefCell<BTreeMap<u64, Done>>,
    on_progress: Box<dyn Fn(f64)>,
    _handler: RefCell<Option<Handler>>,
    _on_error: RefCell<Option<ErrorHandler>>,
}

/// One solc-js version in a worker (cheap to clone).
#[derive(Clone)]
pub struct Solc(Rc<Inner>);

fn field(data: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl Solc {
    /// A handle on `version` (a bundled one); the worker starts with the
    /// first compile. `on_progress` gets the compiler's load progress, 0
    /// to 1.
    pub fn new(version: Version, on_progress: impl Fn(f64) + 'static) -> Self {
        Self(Rc::new(Inner {
            version,
            worker: RefCell::new(None),
            next: Cell::new(1),
            pending: RefCell::new(BTreeMap::new()),
            on_progress: Box::new(on_progress),
            _handler: RefCell::new(None),
            _on_error: RefCell::new(None),
        }))
    }

    fn worker(&self) -> Result<Worker, String> {
        if let Some(worker) = self.0.worker.borrow().as_ref() {
            return Ok(worker.clone());
        }
        let worker = Worker::new(SCRIPT)
            .map_err(|err| format!("the Solidity compiler did not start: {err:?}"))?;
        let this = self.clone();
        let handler = Handler::new(move |event: MessageEvent| {
            this.receive(&event.data());
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The script itself did not load (offline, never cached): every
        // compile waiting fails with a message, and the next one retries.
        let this = self.clone();
        let failed = ErrorHandler::new(move |_: web_sys::Event| {
            *this.0.worker.borrow_mut() = None;
            let waiting = std::mem::take(&mut *this.0.pending.borrow_mut());
            (this.0.on_progress)(1.0);
            for done in waiting.into_values() {
                done(Err(NEEDS_NETWORK.into()));
            }
        });
        worker.set_onerror(Some(failed.as_ref().unchecked_ref()));
        *self.0._on_error.borrow_mut() = Some(failed);
        *self.0._handler.borrow_mut() = Some(handler);
        *self.0.worker.borrow_mut() = Some(worker.clone());
        Ok(worker)
    }

    fn receive(&self, data: &JsValue) {
        let kind = field(data, "kind").as_string().unwrap_or_default();
        if kind == "progress" {
            let loaded = field(data, "loaded").as_f64().unwrap_or(0.0);
            let total = field(data, "total").as_f64().unwrap_or(1.0).max(1.0);
            (self.0.on_progress)((loaded / total).min(1.0));
            return;
        }
        let id = field(data, "id").as_f64().unwrap_or(0.0) as u64;
        let Some(done) = self.0.pending.borrow_mut().remove(&id) else {
            return;
        };
        (self.0.on_progress)(1.0);
        done(match kind.as_str() {
            "compiled" => Ok((
                field(data, "output").as_string().unwrap_or_default(),
                field(data, "version").as_string().unwrap_or_default(),
            )),
            _ => Err(field(data, "message")
                .as_string()
                .unwrap_or_else(|| "the Solidity compiler failed".into())),
        });
    }

    /// Compiles standard-JSON `input`; `done` gets the output.
    pub fn compile(&self, input: String, done: impl FnOnce(Output) + 'static) {
        let worker = match self.worker() {
            Ok(worker) => worker,
            Err(err) => {
                done(Err(err));
                return;
            }
        };
        let id = self.0.next.get();
        self.0.next.set(id + 1);
        self.0.pending.borrow_mut().insert(id, Box::new(done));
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"id".into(), &JsValue::from_f64(id as f64));
        let _ = js_sys::Reflect::set(&message, &"input".into(), &JsValue::from_str(&input));
        let _ = js_sys::Reflect::set(
            &message,
            &"soljson".into(),
            &JsValue::from_str(&soljson_path(self.0.version)),
        );
        if let Err(err) = worker.post_message(&message)
            && let Some(done) = self.0.pending.borrow_mut().remove(&id)
        {
            done(Err(format!(
                "the Solidity compiler is unreachable: {err:?}"
            )));
        }
    }
}
