//! What both sides of the app share and the browser has no part in:
//! plain Rust, tested natively. May import [`crate::protocol`] only.

pub mod autosave;
pub mod catalog;
pub mod compile;
pub mod contract;
pub mod debug;
pub mod lesson;
pub mod names;
pub mod project;
pub mod solc;
pub mod state;
pub mod units;
pub mod words;
