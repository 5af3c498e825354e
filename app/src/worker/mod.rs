//! The engine worker's side: the chain and everything it answers
//! ([`host`]), plain Rust tested natively; `main.rs` is the binary that
//! wires it to `postMessage`. May import [`crate::protocol`] and
//! [`crate::model`].

pub mod bench;
pub mod host;
mod sys;
