//! # isc-bench — the bench workloads, natively
//!
//! `isc-bench plan FILE` runs the worker workloads of a bench plan
//! (`bench/plan.json`) and prints their figures as JSON;
//! `isc-bench session N` prints a session of a deploy and N increments
//! (for the page's latency at N blocks). `cargo xtask bench` runs both
//! beside the same workloads in Chromium; see `isc_app::worker::bench`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    match run(&std::env::args().skip(1).collect::<Vec<_>>()) {
        Ok(text) => {
            println!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("isc-bench: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run(args: &[String]) -> Result<String, String> {
    use isc_app::worker::bench::{self, BenchCase};
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/examples");
    let fixtures = bench::fixtures_from_dir(&examples)?;
    match args {
        [command, file] if command == "plan" => {
            let text = std::fs::read_to_string(file).map_err(|err| format!("{file}: {err}"))?;
            let plan: serde_json::Value =
                serde_json::from_str(&text).map_err(|err| format!("{file}: {err}"))?;
            let repeat = plan["repeat"].as_u64().unwrap_or(5);
            let mut out = serde_json::Map::new();
            for entry in plan["worker"].as_array().into_iter().flatten() {
                let name = entry["name"].as_str().unwrap_or_default();
                // The browser's own WebAssembly runs only in a browser.
                if entry["case"]["browser"].as_bool() == Some(true) {
                    continue;
                }
                let case: BenchCase = serde_json::from_value(entry["case"].clone())
                    .map_err(|err| format!("{name}: {err}"))?;
                // Each run twice, the second kept, as the bench page does.
                let runs = (0..repeat)
                    .map(|_| {
                        bench::run(&case, &fixtures).and_then(|_| bench::run(&case, &fixtures))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|err| format!("{name}: {err}"))?;
                out.insert(name.to_owned(), serde_json::json!(runs));
            }
            Ok(serde_json::Value::Object(out).to_string())
        }
        [command, n] if command == "session" => {
            let n: u32 = n.parse().map_err(|err| format!("{n}: {err}"))?;
            Ok(bench::counter_session(&fixtures, n.saturating_sub(2))?.to_json())
        }
        _ => Err("usage: isc-bench plan FILE | isc-bench session BLOCKS".into()),
    }
}

/// In a browser the workloads run in the engine worker (`Command::Bench`).
#[cfg(target_arch = "wasm32")]
fn main() {}
