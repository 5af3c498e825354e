//! # isc-worker — the engine, in a Web Worker
//!
//! Holds the chain ([`isc_app::worker::host::Host`]) and answers the page's
//! messages ([`isc_app::protocol`]) one at a time, so the page stays
//! responsive while a contract runs, and a runaway one can be stopped by
//! terminating this worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    isc_app::worker::serve();
}

/// Natively there is no worker to be: the engine is tested through
/// `isc_app::worker::host` instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("isc-worker runs in a browser's Web Worker; see `cargo xtask serve`");
}
