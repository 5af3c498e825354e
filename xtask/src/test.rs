//! `cargo xtask test`: every check, with a timed summary at the end.

use crate::shell::Cmd;
use std::process::ExitCode;
use std::time::Instant;

struct Step {
    name: &'static str,
    outcome: Result<(), String>,
    seconds: f64,
}

/// Runs setup and every check; exits non-zero if any failed.
pub(crate) fn run() -> ExitCode {
    let mut steps = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<(), String>| {
        println!("\n=== {name}");
        let start = Instant::now();
        let outcome = f();
        let ok = outcome.is_ok();
        steps.push(Step {
            name,
            outcome,
            seconds: start.elapsed().as_secs_f64(),
        });
        ok
    };

    if step("setup", &mut crate::setup::run) {
        step("cargo fmt --check", &mut || {
            Cmd::new("cargo").args(["fmt", "--all", "--check"]).run()
        });
        step("cargo clippy (native)", &mut || {
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()
        });
        step("cargo clippy (wasm32 app)", &mut || {
            Cmd::new("cargo")
                .args([
                    "clippy",
                    "-p",
                    "isc-app",
                    "--all-features",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--",
                    "-D",
                    "warnings",
                ])
                .run()
        });
        step("cargo test --workspace", &mut || {
            Cmd::new("cargo")
                .args(["test", "--workspace", "--all-features"])
                .run()
        });
        step(
            "committed example builds match their sources",
            &mut crate::examples::check,
        );
        step(
            "fuzz smoke (every cargo fuzz target, 10 s each)",
            &mut || {
                let targets: Vec<&str> =
                    crate::fuzz::TARGETS.iter().map(|(name, _)| *name).collect();
                crate::fuzz::run(&targets, 10)
            },
        );
        if step(
            "trunk build --release (the site and the bench site)",
            &mut crate::build,
        ) {
            step("bundle size (within its budget)", &mut || {
                let report = crate::size::report()?;
                println!("{report}");
                report.check()
            });
            step("e2e (Playwright, Chromium)", &mut e2e);
        }
    }

    println!("\n=== summary");
    let mut failed = false;
    for Step {
        name,
        outcome,
        seconds,
    } in &steps
    {
        match outcome {
            Ok(()) => println!("  passed  {name} ({seconds:.1} s)"),
            Err(err) => {
                failed = true;
                println!("  FAILED  {name} ({seconds:.1} s): {err}");
            }
        }
    }
    let total: f64 = steps.iter().map(|step| step.seconds).sum();
    if failed {
        println!("xtask test: FAILED after {total:.0} s");
        ExitCode::FAILURE
    } else {
        println!(
            "xtask test: all {} steps passed in {total:.0} s",
            steps.len()
        );
        ExitCode::SUCCESS
    }
}

/// The Playwright suite against `dist/`, served on a free loopback port.
fn e2e() -> Result<(), String> {
    let port = crate::shell::free_port()?;
    Cmd::new("playwright")
        .args(["test", "--config", "e2e/playwright.config.mjs"])
        .env("E2E_PORT", &port.to_string())
        .run()
}
