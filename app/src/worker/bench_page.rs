//! # isc-bench-page — the bench page's (near-empty) main program
//!
//! trunk builds a page around one main program; the bench page's work is
//! its script (`app/js/bench.js`) and its worker (`isc-bench-worker`), so
//! this one only touches the JS global (which links wasm-bindgen's
//! intrinsics, without which wasm-bindgen refuses the module).

fn main() {
    #[cfg(target_arch = "wasm32")]
    drop(js_sys::global());
}
