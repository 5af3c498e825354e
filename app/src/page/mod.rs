//! The page's browser glue: the worker handle ([`client`]), fetch, storage
//! and downloads ([`web`]), Monaco ([`editor`]) and solc-js ([`solc`]). The
//! page's components live beside this, in the `isc-app` binary
//! (`page/main.rs`, `page/ui/`). May import [`crate::protocol`] and
//! [`crate::model`].

pub mod asc;
pub mod client;
pub mod editor;
pub mod script;
pub mod solc;
pub mod web;
