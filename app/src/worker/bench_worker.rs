//! # isc-bench-worker — the engine worker of the bench site
//!
//! The playground's worker ([`isc_app::worker::serve`]) built with the
//! `bench` feature: it also answers `Command::Bench`. Only `app/bench.html`
//! (→ `dist/bench/`) loads it; the playground's own worker stays without
//! the bench workloads.

#[cfg(target_arch = "wasm32")]
fn main() {
    isc_app::worker::serve();
}

/// Natively the workloads run in `isc-bench`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("isc-bench-worker runs in the bench page's Web Worker; see `cargo xtask bench`");
}
