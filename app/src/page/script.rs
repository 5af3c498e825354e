//! The page's handle on the script console's worker
//! (`app/js/script-worker.js`): a user's JavaScript runs there against an
//! EIP-1193 provider whose requests come here, one worker per run, so
//! Stop ends a script wherever it is.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

/// The worker's script, relative to the page.
const SCRIPT: &str = "./script-worker.js";

/// What a running script says.
pub enum Event {
    /// A `console` line: its level (`log`, `warn`, `error`) and text.
    Log(String, String),
    /// A provider request: its id (for [`ScriptRun::answer`]), method and
    /// params (JSON).
    Rpc(f64, String, serde_json::Value),
    /// The script ended, with the error that ended it, if one did.
    Done(Option<String>),
}

type Handler = Closure<dyn FnMut(MessageEvent)>;

struct Inner {
    worker: Worker,
    _handler: RefCell<Option<Handler>>,
}

/// One run of a script (cheap to clone).
#[derive(Clone)]
pub struct ScriptRun(Rc<Inner>);

fn field(data: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn to_js(value: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

impl ScriptRun {
    /// Starts `script` in a new worker; `on_event` hears what it says.
    ///
    /// # Errors
    /// The worker did not start.
    pub fn start(script: &str, on_event: impl Fn(Event) + 'static) -> Result<Self, String> {
        let worker = Worker::new(SCRIPT)
            .map_err(|err| format!("the script console did not start: {err:?}"))?;
        let handler = Handler::new(move |event: MessageEvent| {
            let data = event.data();
            let text = |name: &str| field(&data, name).as_string().unwrap_or_default();
            match text("kind").as_str() {
                "log" => on_event(Event::Log(text("level"), text("text"))),
                "rpc" => {
                    let params = js_sys::JSON::stringify(&field(&data, "params"))
                        .ok()
                        .and_then(|s| s.as_string())
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .unwrap_or(serde_json::Value::Array(Vec::new()));
                    on_event(Event::Rpc(
                        field(&data, "id").as_f64().unwrap_or(0.0),
                        text("method"),
                        params,
                    ));
                }
                "done" => on_event(Event::Done(field(&data, "error").as_string())),
                _ => {}
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        let run = serde_json::json!({ "kind": "run", "script": script });
        worker
            .post_message(&to_js(&run))
            .map_err(|err| format!("the script did not start: {err:?}"))?;
        Ok(Self(Rc::new(Inner {
            worker,
            _handler: RefCell::new(Some(handler)),
        })))
    }

    /// Answers provider request `id` with `outcome` (a result, or an
    /// EIP-1193 error object `{code, message, data}`).
    pub fn answer(&self, id: f64, outcome: Result<serde_json::Value, serde_json::Value>) {
        let reply = match outcome {
            Ok(result) => serde_json::json!({ "kind": "rpc-reply", "id": id, "result": result }),
            Err(error) => serde_json::json!({ "kind": "rpc-reply", "id": id, "error": error }),
        };
        // A stopped script's worker ignores it.
        let _ = self.0.worker.post_message(&to_js(&reply));
    }

    /// Ends the script wherever it is.
    pub fn stop(&self) {
        // The handler stays until the run is dropped: this may be called
        // from inside it.
        self.0.worker.terminate();
    }
}
