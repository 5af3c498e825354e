//! `cargo xtask` — the project's automation, where cargo alone is not enough.
//!
//! - `setup`: installs what is missing (wasm32 target, pinned trunk and
//!   wasm-bindgen-cli, Debian's Chromium, npm packages) and skips what is there.
//! - `serve`: setup, then builds and serves the playground at <http://127.0.0.1:8080>.
//! - `build`: setup, then a release `trunk build` into `dist/`.
//! - `bench`: every figure of `bench/plan.json`, native and in headless
//!   Chromium, side by side → `bench/RESULTS.md`, `results.json`, `latency.svg`.
//! - `size`: the size of the built app's `.wasm`, raw and gzipped, checked
//!   against its budget (`size::BUDGET`).
//! - `test`: setup, then every check: fmt, clippy, native tests, release build, e2e.
//! - `build-examples`: builds the example contracts into `public/examples`.
//! - `fuzz [--seconds N] [TARGET…]`: the `cargo fuzz` targets (nightly).

mod bench;
mod examples;
mod fuzz;
#[cfg(test)]
mod rooms;
mod setup;
mod shell;
mod size;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("serve") => setup::run().and_then(|()| serve()),
        Some("build") => setup::run().and_then(|()| build()),
        Some("size") => size::report().and_then(|report| {
            println!("{report}");
            report.check()
        }),
        Some("test") => return test::run(),
        Some("build-examples") => examples::build(),
        Some("check-examples") => examples::check(),
        Some("fuzz") => fuzz::command(&args[1..]),
        Some("bench") => bench::run(),
        Some("profile") => bench::profile(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|serve|build|size|test|bench|profile|build-examples|check-examples|fuzz>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A release `trunk build` into `dist/` (the examples' sources first:
/// the site serves copies of `contracts/`, made here).
/// The site into `dist/`, then the bench site (`app/bench.html`: the
/// engine worker with the `bench` feature) into `dist/bench/` — after,
/// since trunk empties the directory it builds into.
pub(crate) fn build() -> Result<(), String> {
    examples::write_sources()?;
    shell::Cmd::new("trunk")
        .args(["build", "--release"])
        .run()?;
    shell::Cmd::new("trunk")
        .args([
            "build",
            "app/bench.html",
            "--release",
            "--dist",
            "dist/bench",
            "--public-url",
            "/bench/",
        ])
        .run()
}

fn serve() -> Result<(), String> {
    examples::write_sources()?;
    println!("serving the playground at http://127.0.0.1:8080 (Ctrl+C to stop)");
    shell::Cmd::new("trunk").args(["serve", "--release"]).run()
}
