//! # isc-app — the ISC Playground web app
//!
//! Two binaries share this library: the page (`isc-app`, leptos, client-side
//! rendered, `page/main.rs`) and the engine worker (`isc-worker`,
//! `worker/main.rs`). Its rooms, each importing only the ones before it:
//!
//! - [`protocol`] — the one seam: the messages page and worker exchange.
//! - [`model`] — plain Rust both sides use, free of the browser:
//!   contracts' interfaces and value parsing, state decoding, names, units,
//!   lessons, the examples catalog, compiler output, the autosave format.
//! - [`worker`] — the worker's side: the chain and its answers ([`worker::host`]).
//! - [`page`] — the page's browser glue: the worker handle, fetch and
//!   storage, Monaco, solc-js. Its components are the `isc-app` binary's
//!   `page/ui/`.

pub mod model;
pub mod page;
pub mod protocol;
pub mod worker;
