//! # isc-app — the ISC Playground web app
//!
//! Two binaries share this library: the page (`isc-app`, leptos, client-side
//! rendered) and the engine worker (`isc-worker`). They talk through
//! [`protocol`]; the worker's side is [`host`] (the chain), the page's is
//! [`client`] (the worker handle) plus its components in `main.rs`.
//! [`contract`] and [`catalog`] are plain Rust both use.

pub mod autosave;
pub mod catalog;
pub mod client;
pub mod compile;
pub mod contract;
pub mod editor;
pub mod host;
pub mod lesson;
pub mod names;
pub mod protocol;
pub mod solc;
pub mod state;
mod sys;
pub mod units;
pub mod web;
pub mod words;
