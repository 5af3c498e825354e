//! # isc-worker — the engine, in a Web Worker
//!
//! Holds the chain ([`isc_app::worker::host::Host`]) and answers the page's
//! messages ([`isc_app::protocol`]) one at a time, so the page stays
//! responsive while a contract runs, and a runaway one can be stopped by
//! terminating this worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    use isc_app::protocol::{FromWorker, Reply, ToWorker, message_id};
    use isc_app::worker::host::Host;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::{Closure, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let host = RefCell::new(Host::default());
    let post = {
        let scope = scope.clone();
        move |message: &FromWorker| {
            let _ = scope.post_message(&JsValue::from_str(&message.to_json()));
        }
    };
    let ready = FromWorker::new(
        0,
        Reply::Ready {
            view: Box::new(host.borrow_mut().update()),
        },
    );
    let reply = post.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        let message = match ToWorker::from_json(&text) {
            Ok(message) => {
                let answer = host.borrow_mut().handle(message.command);
                FromWorker::new(message.id, answer)
            }
            Err(err) => FromWorker::new(
                message_id(&text).unwrap_or(u64::MAX),
                Reply::Failed {
                    message: err.to_string(),
                },
            ),
        };
        reply(&message);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&ready);
}

/// Natively there is no worker to be: the engine is tested through
/// `isc_app::worker::host` instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("isc-worker runs in a browser's Web Worker; see `cargo xtask serve`");
}
