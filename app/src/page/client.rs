//! The page's handle on the engine worker.
//!
//! Commands go out as [`ToWorker`] messages, one at a time in order; each
//! reply comes back to the callback given with its command. The latest
//! chain view and whether the engine is busy are signals the page reads.
//! [`Engine::stop`] terminates the worker mid-request and rebuilds the chain
//! in a new one by replaying the session as of the last finished request,
//! so a runaway contract never costs the user their work.

use crate::protocol::{ChainView, Command, FromWorker, Reply, ToWorker, message_id, to_json};
use isc_engine::session::Session;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, Worker};

/// The worker's script: trunk's loader for the `isc-worker` binary.
const WORKER_SCRIPT: &str = "./isc-worker_loader.js";

type Callback = Box<dyn FnOnce(Reply)>;
type Handler = Closure<dyn FnMut(MessageEvent)>;
/// Told of each new view, with how many of its session's steps the one
/// before had too (`None`: the session was replaced).
type Watcher = Rc<dyn Fn(&ChainView, Option<usize>)>;

/// What the page shows about the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The worker is loading.
    Starting,
    /// Idle, ready for commands.
    Ready,
    /// Running the command described.
    Busy(String),
    /// Rebuilding the chain after a stop.
    Rebuilding,
    /// The worker failed and could not be restarted.
    Broken(String),
}

/// The signals the engine keeps up to date.
#[derive(Clone, Copy)]
pub struct EngineSignals {
    /// The chain as of the last finished command.
    pub view: RwSignal<Option<ChainView>>,
    /// What the engine is doing.
    pub status: RwSignal<Status>,
}

struct Inner {
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    next_id: Cell<u64>,
    /// Messages waiting for the worker to be ready.
    queue: RefCell<Vec<String>>,
    /// Sent and unanswered: (id, label, callback), oldest first.
    pending: RefCell<VecDeque<(u64, String, Callback)>>,
    signals: EngineSignals,
    /// The session of the last finished command (what a stop rebuilds).
    session: RefCell<Option<Arc<Session>>>,
    /// Told of every new view (autosave).
    watcher: RefCell<Option<Watcher>>,
    /// Handlers of the current worker, kept alive with it.
    handlers: RefCell<Vec<Handler>>,
}

/// The page's handle on the engine worker (cheap to clone).
#[derive(Clone)]
pub struct Engine(Rc<Inner>);

impl Engine {
    /// Starts the worker.
    pub fn start(signals: EngineSignals) -> Self {
        let engine = Self(Rc::new(Inner {
            worker: RefCell::new(None),
            ready: Cell::new(false),
            next_id: Cell::new(1),
            queue: RefCell::new(Vec::new()),
            pending: RefCell::new(VecDeque::new()),
            signals,
            session: RefCell::new(None),
            watcher: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
        }));
        engine.spawn();
        engine
    }

    fn spawn(&self) {
        self.0.ready.set(false);
        let worker = match Worker::new(WORKER_SCRIPT) {
            Ok(worker) => worker,
            Err(err) => {
                self.0.signals.status.set(Status::Broken(format!(
                    "the engine worker did not start: {err:?}"
                )));
                return;
            }
        };
        let this = self.clone();
        let on_message = Handler::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            this.receive(&text);
        });
        let this = self.clone();
        let on_error = Handler::new(move |event: MessageEvent| {
            // An `ErrorEvent`: its message says what broke the worker.
            let message = js_sys::Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            this.crashed(&message);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.0.handlers.borrow_mut() = vec![on_message, on_error];
        *self.0.worker.borrow_mut() = Some(worker);
    }

    /// Sends `command`; `done` gets the reply. `label` says what runs, for
    /// the busy indicator.
    pub fn send(&self, label: &str, command: Command, done: impl FnOnce(Reply) + 'static) {
        let id = self.0.next_id.get();
        self.0.next_id.set(id + 1);
        let text = to_json(&ToWorker::new(id, command));
        self.0
            .pending
            .borrow_mut()
            .push_back((id, label.to_owned(), Box::new(done)));
        self.post(text);
        self.show_status();
    }

    fn post(&self, text: String) {
        if !self.0.ready.get() {
            self.0.queue.borrow_mut().push(text);
            return;
        }
        if let Some(worker) = self.0.worker.borrow().as_ref() {
            let _ = worker.post_message(&text.into());
        }
    }

    fn show_status(&self) {
        let status = if !self.0.ready.get() {
            if self.0.session.borrow().is_some() {
                Status::Rebuilding
            } else {
                Status::Starting
            }
        } else {
            match self.0.pending.borrow().front() {
                Some((_, label, _)) => Status::Busy(label.clone()),
                None => Status::Ready,
            }
        };
        self.0.signals.status.set(status);
    }

    fn receive(&self, text: &str) {
        let message = match FromWorker::from_json(text) {
            Ok(message) => message,
            // An unreadable reply to a known command fails that command
            // and leaves the link working.
            Err(err) => match message_id(text) {
                Some(id) => FromWorker::new(
                    id,
                    Reply::Failed {
                        message: err.to_string(),
                    },
                ),
                None => {
                    self.0.signals.status.set(Status::Broken(err.to_string()));
                    return;
                }
            },
        };
        let mut message = message;
        if let Reply::Ready { view } = message.reply {
            self.0.ready.set(true);
            // A rebuilt worker starts fresh: the page's view stays until
            // the replayed session arrives.
            if self.0.signals.view.get_untracked().is_none() {
                let _ = self.take_view(*view);
            }
            for text in self.0.queue.take() {
                self.post(text);
            }
            self.show_status();
            return;
        }
        if let Reply::Chain { view, .. }
        | Reply::Rpc {
            view: Some(view), ..
        } = &mut message.reply
        {
            match self.take_view(std::mem::take(&mut **view)) {
                Ok(whole) => **view = whole,
                Err(err) => {
                    // The worker and the page disagree on the chain: the
                    // page's last whole session is rebuilt, as after a stop.
                    self.restart(&format!(
                        "{err}; the chain was rebuilt as of the last finished request"
                    ));
                    return;
                }
            }
        }
        let callback = {
            let mut pending = self.0.pending.borrow_mut();
            let at = pending.iter().position(|(id, _, _)| *id == message.id);
            at.and_then(|at| pending.remove(at))
                .map(|(_, _, done)| done)
        };
        self.show_status();
        if let Some(done) = callback {
            done(message.reply);
        }
    }

    /// Makes `view` (an update, or whole) the page's view; returns it whole.
    fn take_view(&self, view: ChainView) -> Result<ChainView, crate::protocol::UpdateError> {
        let kept = view.since.as_ref().map(|since| since.steps);
        // Nothing else may hold the parts being extended, or they would be
        // copied whole: the view leaves the signal, the session this handle.
        let mut held = None;
        self.0
            .signals
            .view
            .update_untracked(|shown| held = shown.take());
        drop(self.0.session.take());
        let result = ChainView::update(&mut held, view);
        if let Some(whole) = &held {
            self.0.session.replace(Some(whole.session.clone()));
        }
        self.0.signals.view.set(held.clone());
        result?;
        let whole = held.ok_or(crate::protocol::UpdateError::NoView)?;
        if let Some(watcher) = self.0.watcher.borrow().clone() {
            watcher(&whole, kept);
        }
        Ok(whole)
    }

    /// Tells `watcher` of every new view from now on, with how many steps
    /// of the session the view before had too.
    pub fn watch(&self, watcher: impl Fn(&ChainView, Option<usize>) + 'static) {
        self.0.watcher.replace(Some(Rc::new(watcher)));
    }

    /// Stops whatever runs: terminates the worker, fails the waiting
    /// commands, and rebuilds the chain in a new worker from the session
    /// of the last finished command.
    pub fn stop(&self) {
        self.restart("stopped: the chain was rebuilt as of the last finished request");
    }

    fn crashed(&self, cause: &str) {
        let cause = cause.trim();
        let cause = if cause.is_empty() {
            String::new()
        } else {
            format!(" ({cause})")
        };
        self.restart(&format!(
            "the engine failed{cause}; the chain was rebuilt as of the last finished request"
        ));
    }

    fn restart(&self, why: &str) {
        if let Some(worker) = self.0.worker.borrow_mut().take() {
            worker.terminate();
        }
        self.0.queue.borrow_mut().clear();
        let waiting: Vec<_> = self.0.pending.borrow_mut().drain(..).collect();
        self.spawn();
        let session = self.0.session.borrow().as_ref().map(|s| s.to_json());
        if let Some(session) = session {
            self.send("rebuilding the chain", Command::Open { session }, |_| ());
        }
        self.show_status();
        for (_, _, done) in waiting {
            done(Reply::Failed {
                message: why.to_owned(),
            });
        }
    }
}
