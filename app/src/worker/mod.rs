//! The engine worker's side: the chain and everything it answers
//! ([`host`]), plain Rust tested natively; `main.rs` is the binary that
//! wires it to `postMessage`. May import [`crate::protocol`] and
//! [`crate::model`].

#[cfg(feature = "bench")]
pub mod bench;
pub mod host;
mod sys;
#[cfg(target_arch = "wasm32")]
pub mod webwasm;

/// Serves the page: holds the chain ([`host::Host`]) and answers the
/// page's messages ([`crate::protocol`]) one at a time. The worker binaries
/// (`isc-worker`, and `isc-bench-worker` with the `bench` feature) are this.
#[cfg(target_arch = "wasm32")]
pub fn serve() {
    use crate::protocol::{FromWorker, Reply, ToWorker, message_id};
    use host::Host;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::{Closure, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let mut host = Host::default();
    if let Some(runtime) = webwasm::BrowserWasm::new() {
        host = host.with_runtime(std::rc::Rc::new(runtime));
    }
    let host = RefCell::new(host);
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
                let answer = answer(&host, message.command);
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

/// The answer to `command`: a bench workload's figures (feature `bench`),
/// else the host's.
#[cfg(target_arch = "wasm32")]
fn answer(
    host: &std::cell::RefCell<host::Host>,
    command: crate::protocol::Command,
) -> crate::protocol::Reply {
    #[cfg(feature = "bench")]
    if let crate::protocol::Command::Bench { case, fixtures } = &command {
        return match bench::run(case, fixtures) {
            Ok(report) => crate::protocol::Reply::Bench { report },
            Err(message) => crate::protocol::Reply::Failed { message },
        };
    }
    host.borrow_mut().handle(command)
}
