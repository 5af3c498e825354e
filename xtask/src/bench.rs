//! `cargo xtask bench`: every figure of `bench/plan.json` measured side by
//! side in one run — the workloads natively (`isc-bench`) and in headless
//! Chromium (the site's own engine worker, `@ethereumjs/evm` in the page,
//! the page itself at 10 and 10 000 blocks, cold and warm loads), plus the
//! criterion benches — written to `bench/results.json`, `bench/RESULTS.md`
//! and `bench/latency.svg`.

use crate::shell::{Cmd, root};
use serde_json::{Value, json};
use std::fmt::Write as _;

const PLAN: &str = "bench/plan.json";

pub(crate) fn run() -> Result<(), String> {
    crate::setup::run()?;
    crate::build()?;
    let plan: Value = serde_json::from_str(&read(PLAN)?).map_err(|err| format!("{PLAN}: {err}"))?;

    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "isc-app",
            "--features",
            "bench",
            "--bin",
            "isc-bench",
        ])
        .run()?;
    let bench_bin = root()
        .join("target/release/isc-bench")
        .display()
        .to_string();
    println!("bench: the workloads, natively");
    let native = json_of(Cmd::new(&bench_bin).args(["plan", PLAN]).stdout()?)?;

    let sessions = root().join("target/bench");
    std::fs::create_dir_all(&sessions).map_err(|err| format!("target/bench: {err}"))?;
    for blocks in plan["page"]["blocks"].as_array().into_iter().flatten() {
        let blocks = blocks.to_string();
        let session = Cmd::new(&bench_bin).args(["session", &blocks]).stdout()?;
        std::fs::write(sessions.join(format!("{blocks}.json")), session)
            .map_err(|err| format!("target/bench/{blocks}.json: {err}"))?;
    }

    println!("bench: criterion (native)");
    for (package, bench) in [("engine", "engine"), ("isc-app", "host")] {
        Cmd::new("cargo")
            .args(["bench", "-p", package, "--bench", bench, "--", "--noplot"])
            .run()?;
    }
    let criterion = criterion_estimates();

    println!("bench: Chromium");
    let port = crate::shell::free_port()?.to_string();
    let browser = json_of(
        Cmd::new("node")
            .args([
                "bench/run.mjs",
                PLAN,
                &sessions.display().to_string(),
                &port,
            ])
            .stdout()?,
    )?;

    let results = json!({
        "date": Cmd::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]).output().unwrap_or_default().trim(),
        "machine": machine(),
        "versions": versions(&browser),
        "plan": plan,
        "native": native,
        "browser": browser,
        "criterion": criterion,
    });
    let figures = Figures::of(&results);
    std::fs::write(
        root().join("bench/results.json"),
        serde_json::to_string_pretty(&json!({ "figures": figures.json(), "raw": results }))
            .unwrap_or_default(),
    )
    .map_err(|err| format!("bench/results.json: {err}"))?;
    std::fs::write(root().join("bench/RESULTS.md"), figures.markdown(&results))
        .map_err(|err| format!("bench/RESULTS.md: {err}"))?;
    std::fs::write(root().join("bench/latency.svg"), chart(&results))
        .map_err(|err| format!("bench/latency.svg: {err}"))?;
    println!("bench: wrote bench/RESULTS.md, bench/results.json, bench/latency.svg");
    Ok(())
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(root().join(path)).map_err(|err| format!("{path}: {err}"))
}

fn json_of(text: String) -> Result<Value, String> {
    serde_json::from_str(text.trim()).map_err(|err| format!("not JSON ({err}): {text}"))
}

/// The median of the runs' `key` (workloads are run `repeat` times).
fn median_of(runs: &Value, key: &str) -> Option<f64> {
    let mut values: Vec<f64> = runs
        .as_array()?
        .iter()
        .filter_map(|run| run[key].as_f64())
        .collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Every criterion estimate under `target/criterion`: name → mean, ns.
fn criterion_estimates() -> Value {
    let mut out = serde_json::Map::new();
    let mut stack = vec![root().join("target/criterion")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|name| name != "report") {
                stack.push(path);
            } else if path.ends_with("new/estimates.json")
                && let Some(text) = std::fs::read_to_string(&path).ok()
                && let Ok(estimates) = serde_json::from_str::<Value>(&text)
                && let Some(bench) = path.parent().and_then(|p| p.parent())
                && let Ok(name) = bench.strip_prefix(root().join("target/criterion"))
            {
                out.insert(
                    name.display().to_string(),
                    estimates["mean"]["point_estimate"].clone(),
                );
            }
        }
    }
    Value::Object(out)
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| info.lines().next().map(str::to_owned))
        .unwrap_or_default();
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(0, usize::from),
        "memory": memory.trim_start_matches("MemTotal:").trim(),
        "os": Cmd::new("uname").args(["-sr"]).output().unwrap_or_default().trim(),
    })
}

fn versions(browser: &Value) -> Value {
    let lock = read("Cargo.lock").unwrap_or_default();
    let package = |name: &str| {
        crate::setup::locked_version(&lock, name)
            .unwrap_or("?")
            .to_owned()
    };
    let npm: Value = read("package.json")
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    json!({
        "rustc": Cmd::new("rustc").args(["-V"]).output().unwrap_or_default().trim(),
        "node": Cmd::new("node").args(["-v"]).output().unwrap_or_default().trim(),
        "chromium": browser["chromium"],
        "revm": package("revm"),
        "wasmi": package("wasmi"),
        "@ethereumjs/evm": npm["devDependencies"]["@ethereumjs/evm"],
    })
}

/// One row of the results table.
struct Row {
    figure: &'static str,
    value: Option<f64>,
    shown: String,
    target: &'static str,
    met: Option<bool>,
}

/// The figures the issue's table asks for, derived from the raw results.
struct Figures(Vec<Row>);

impl Figures {
    fn of(results: &Value) -> Self {
        let browser =
            |name: &str| median_of(&results["browser"]["bench"]["worker"][name], "per_op_us");
        let native = |name: &str| median_of(&results["native"][name], "per_op_us");
        let ratio = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a / b);
        let ethereumjs = median_of(&results["browser"]["bench"]["ethereumjs"], "per_op_us");
        let page = |blocks: &str| results["browser"]["page"][blocks]["median_ms"].as_f64();
        let load = |kind: &str, key: &str| median_of(&results["browser"]["loads"][kind], key);
        let row = |figure, value: Option<f64>, unit: &str, target, met: Option<bool>| Row {
            figure,
            value,
            shown: value.map_or_else(|| "not measured".into(), |v| format!("{v:.2}{unit}")),
            target,
            met,
        };
        let at_least = |v: Option<f64>, t: f64| v.map(|v| v >= t);
        let at_most = |v: Option<f64>, t: f64| v.map(|v| v <= t);
        let token_vs_revm = ratio(browser("token_revm"), browser("token_requests"));
        let batch_vs_revm = ratio(browser("token_revm"), browser("token_batch"));
        let vs_ethereumjs = ratio(ethereumjs, browser("token_requests"));
        let fib = ratio(browser("fibonacci_wasmi"), native("fibonacci_wasmi"));
        let v8 = median_of(&results["browser"]["bench"]["v8"], "per_op_us");
        let fib_vs_v8 = ratio(browser("fibonacci"), v8);
        let increment_vs_wasmi = ratio(browser("increment"), browser("increment_wasmi"));
        let page_ratio = ratio(page("10000"), page("10"));
        let worker_ratio = ratio(browser("latency_10000"), browser("latency_10"));
        let replay_ms = median_of(
            &results["browser"]["bench"]["worker"]["replay_1000"],
            "total_ms",
        );
        let memory = results["browser"]["bench"]["worker"]["latency_10000"][0]["memory_bytes"]
            .as_f64()
            .map(|bytes| bytes / f64::from(1 << 20));
        Self(vec![
            row(
                "Solidity `Token.transfer` as a chain request ÷ bare revm, wasm32 (throughput; one request per block)",
                token_vs_revm,
                "",
                "≥ 0.6",
                at_least(token_vs_revm, 0.6),
            ),
            row(
                "the same, 100 requests per block",
                batch_vs_revm,
                "",
                "≥ 0.85",
                at_least(batch_vs_revm, 0.85),
            ),
            row(
                "the chain request ÷ `@ethereumjs/evm` in V8 (throughput)",
                vs_ethereumjs,
                "×",
                "≥ 10×",
                at_least(vs_ethereumjs, 10.0),
            ),
            row(
                "a trivial Wasm request (`inccounter.increment`), wasm32, on the browser's WebAssembly (the playground's default)",
                browser("increment"),
                " µs",
                "≤ 20 µs",
                at_most(browser("increment"), 20.0),
            ),
            row(
                "the same request on the browser's WebAssembly ÷ on wasmi alone",
                increment_vs_wasmi,
                "×",
                "≤ 1×",
                at_most(increment_vs_wasmi, 1.0),
            ),
            row(
                "CPU-bound Wasm (`testFibonacci(30)`) on wasmi, wasm32 ÷ native",
                fib,
                "×",
                "≤ 4×",
                at_most(fib, 4.0),
            ),
            row(
                "the same request on the browser's WebAssembly ÷ the module as deployed run on V8 directly",
                fib_vs_v8,
                "×",
                "≤ 2×",
                at_most(fib_vs_v8, 2.0),
            ),
            row(
                "a request in the page at 10 000 blocks ÷ at 10 blocks (click → result painted)",
                page_ratio,
                "×",
                "≤ 1.5×",
                at_most(page_ratio, 1.5),
            ),
            row(
                "the worker's answer to a request at 10 000 ÷ 10 blocks, wasm32",
                worker_ratio,
                "×",
                "≤ 1.5×",
                at_most(worker_ratio, 1.5),
            ),
            row(
                "replaying a 1 000-request session, wasm32 (the browser's WebAssembly)",
                replay_ms,
                " ms",
                "≤ 150 ms",
                at_most(replay_ms, 150.0),
            ),
            row(
                "the engine worker's memory at 10 000 blocks",
                memory,
                " MiB",
                "stated",
                None,
            ),
            row(
                "cold load: first contentful paint",
                load("cold", "first_paint_ms"),
                " ms",
                "stated",
                None,
            ),
            row(
                "cold load: gallery usable (engine ready)",
                load("cold", "usable_ms"),
                " ms",
                "stated",
                None,
            ),
            row(
                "cold load: first deploy and call done",
                load("cold", "first_deploy_and_call_ms"),
                " ms",
                "stated",
                None,
            ),
            row(
                "warm load: gallery usable",
                load("warm", "usable_ms"),
                " ms",
                "stated",
                None,
            ),
            row(
                "warm load: first call done",
                load("warm", "first_call_ms"),
                " ms",
                "stated",
                None,
            ),
        ])
    }

    fn json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|row| json!({ "figure": row.figure, "value": row.value, "target": row.target, "met": row.met }))
                .collect(),
        )
    }

    fn markdown(&self, results: &Value) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Bench results\n");
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench` on {} — one run, every figure measured side by side: the workloads of `bench/plan.json` natively (`isc-bench`) and in headless Chromium (the site's own engine worker; `@ethereumjs/evm` in the page; the page itself), medians of {} rounds (in Chromium a round runs each workload in a fresh worker of its own, twice, and keeps the warm second). Raw figures: `results.json`; latency and memory against chain length: `latency.svg`; where the time goes and what would close each missed target: `ANALYSIS.md`.\n",
            results["date"].as_str().unwrap_or("?"),
            results["plan"]["repeat"]
        );
        let machine = &results["machine"];
        let versions = &results["versions"];
        let _ = writeln!(
            md,
            "Machine: {} ({} cores, {} memory), {}. Versions: {}, node {}, Chromium {}, revm {}, wasmi {}, @ethereumjs/evm {}.\n",
            machine["cpu"].as_str().unwrap_or("?"),
            machine["cores"],
            machine["memory"].as_str().unwrap_or("?"),
            machine["os"].as_str().unwrap_or("?"),
            versions["rustc"].as_str().unwrap_or("?"),
            versions["node"].as_str().unwrap_or("?"),
            versions["chromium"].as_str().unwrap_or("?"),
            versions["revm"].as_str().unwrap_or("?"),
            versions["wasmi"].as_str().unwrap_or("?"),
            versions["@ethereumjs/evm"].as_str().unwrap_or("?"),
        );
        let _ = writeln!(
            md,
            "## Targets\n\n| figure | measured | target | met |\n|---|---|---|---|"
        );
        for row in &self.0 {
            let met = match row.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {met} |",
                row.figure, row.shown, row.target
            );
        }
        let _ = writeln!(
            md,
            "\n## Each workload, native and wasm32\n\n| workload | native µs/op | wasm32 (Chromium) µs/op | wasm32 ÷ native |\n|---|---|---|---|"
        );
        for entry in results["plan"]["worker"].as_array().into_iter().flatten() {
            let name = entry["name"].as_str().unwrap_or_default();
            let native = median_of(&results["native"][name], "per_op_us");
            let wasm = median_of(&results["browser"]["bench"]["worker"][name], "per_op_us");
            let show = |v: Option<f64>| v.map_or_else(|| "—".into(), |v| format!("{v:.1}"));
            let ratio = native
                .zip(wasm)
                .map_or_else(|| "—".into(), |(n, w)| format!("{:.2}", w / n));
            let _ = writeln!(
                md,
                "| {} | {} | {} | {ratio} |",
                entry["what"].as_str().unwrap_or(name),
                show(native),
                show(wasm)
            );
        }
        let ethereumjs = median_of(&results["browser"]["bench"]["ethereumjs"], "per_op_us");
        let _ = writeln!(
            md,
            "| Token.transfer on `@ethereumjs/evm` (V8, in the page) | — | {} | — |",
            ethereumjs.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
        );
        let v8 = median_of(&results["browser"]["bench"]["v8"], "per_op_us");
        let _ = writeln!(
            md,
            "| testcore.testFibonacci(30) on V8 directly: the module as deployed, a stub host (in the page) | — | {} | — |",
            v8.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
        );
        let _ = writeln!(
            md,
            "\n## The page at 10 and 10 000 blocks (Chromium)\n\n| blocks | click → result painted, median ms | importing the session, ms | page JS heap |\n|---|---|---|---|"
        );
        if let Some(page) = results["browser"]["page"].as_object() {
            for (blocks, figures) in page {
                let _ = writeln!(
                    md,
                    "| {blocks} | {:.1} | {:.0} | {:.1} MiB |",
                    figures["median_ms"].as_f64().unwrap_or(f64::NAN),
                    figures["import_ms"].as_f64().unwrap_or(f64::NAN),
                    figures["page_heap_bytes"].as_f64().unwrap_or(f64::NAN) / f64::from(1 << 20)
                );
            }
        }
        let _ = writeln!(
            md,
            "\n## Criterion (native, `cargo bench`)\n\n| bench | mean |\n|---|---|"
        );
        if let Some(criterion) = results["criterion"].as_object() {
            let mut names: Vec<_> = criterion.keys().collect();
            names.sort();
            for name in names {
                let ns = criterion[name].as_f64().unwrap_or(f64::NAN);
                let _ = writeln!(md, "| {name} | {:.1} µs |", ns / 1000.0);
            }
        }
        md
    }
}

/// Latency (the worker's answer to a request, wasm32) and the worker's
/// memory against chain length, as an SVG line chart (log-scaled length).
fn chart(results: &Value) -> String {
    let points: Vec<(f64, f64, f64)> = results["plan"]["worker"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["case"]["case"] == "latency")
        .filter_map(|entry| {
            let name = entry["name"].as_str()?;
            let runs = &results["browser"]["bench"]["worker"][name];
            Some((
                entry["case"]["blocks"].as_f64()?,
                median_of(runs, "per_op_us")?,
                median_of(runs, "memory_bytes")? / f64::from(1 << 20),
            ))
        })
        .collect();
    let (width, height, pad) = (640.0, 320.0, 56.0);
    let max_latency = points.iter().map(|p| p.1).fold(1.0, f64::max) * 1.2;
    let max_memory = points.iter().map(|p| p.2).fold(1.0, f64::max) * 1.2;
    let (min_x, max_x) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.0.log10()), hi.max(p.0.log10()))
    });
    let span = (max_x - min_x).max(1.0);
    let x = |blocks: f64| pad + (blocks.log10() - min_x) / span * (width - 2.0 * pad);
    let y = |value: f64, max: f64| height - pad - value / max * (height - 2.0 * pad);
    let line = |value: fn(&(f64, f64, f64)) -> f64, max: f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.0), y(value(p), max)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let latency = line(|p| p.1, max_latency);
    let memory = line(|p| p.2, max_memory);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">
<title>The engine worker's answer to a request, and its memory, against chain length (wasm32, Chromium)</title>
<rect width="{width}" height="{height}" fill="#fff"/>
<line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="#333"/>
<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{b}" stroke="#333"/>
<line x1="{r}" y1="{pad}" x2="{r}" y2="{b}" stroke="#333"/>
<text x="{pad}" y="{t}" fill="#1f6feb">µs per request (max {max_latency:.0})</text>
<text x="{r}" y="{t}" fill="#d1242f" text-anchor="end">worker memory, MiB (max {max_memory:.1})</text>
<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{latency}"/>
<polyline fill="none" stroke="#d1242f" stroke-width="2" stroke-dasharray="6 4" points="{memory}"/>
"##,
        b = height - pad,
        r = width - pad,
        t = pad - 12.0,
    );
    for p in &points {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{} blocks</text><circle cx="{:.1}" cy="{:.1}" r="3" fill="#1f6feb"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#1f6feb">{:.0}</text>"##,
            x(p.0),
            height - pad + 18.0,
            p.0,
            x(p.0),
            y(p.1, max_latency),
            x(p.0),
            y(p.1, max_latency) - 8.0,
            p.1
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// `cargo xtask profile [CASE] [OUT]`: a CPU profile of one workload
/// (`CASE`, a case of `bench/plan.json` as JSON; Token.transfer requests by
/// default) in the engine worker as V8 runs it in headless Chromium,
/// written to `OUT` (`target/profile/<case>.cpuprofile` by default) and
/// summed up on stdout. The site's bench worker is rebuilt without
/// `wasm-opt`, which drops the function names a profile needs: a profile
/// names functions, its timings are not the bench's.
pub(crate) fn profile(args: &[String]) -> Result<(), String> {
    let case = args
        .first()
        .cloned()
        .unwrap_or_else(|| r#"{"case":"token_requests","count":1000}"#.to_owned());
    let parsed: Value =
        serde_json::from_str(&case).map_err(|err| format!("the case `{case}`: {err}"))?;
    let name = parsed["case"]
        .as_str()
        .ok_or_else(|| format!("the case `{case}` names no `case`"))?;
    let out = args.get(1).cloned().unwrap_or_else(|| {
        root()
            .join(format!("target/profile/{name}.cpuprofile"))
            .display()
            .to_string()
    });
    crate::setup::run()?;
    if !root().join("dist/bench/index.html").exists() {
        crate::build()?;
    }
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "isc-app",
            "--features",
            "bench",
            "--bin",
            "isc-bench-worker",
        ])
        .run()?;
    let site = root().join("target/profile/site");
    if site.exists() {
        std::fs::remove_dir_all(&site).map_err(|err| format!("{}: {err}", site.display()))?;
    }
    std::fs::create_dir_all(root().join("target/profile"))
        .map_err(|err| format!("target/profile: {err}"))?;
    let site = site.display().to_string();
    Cmd::new("cp").args(["-r", "dist", &site]).run()?;
    // The page's script as it is now (a site built before may lack
    // `profileCase`).
    std::fs::copy(
        root().join("app/js/bench.js"),
        format!("{site}/bench/bench.js"),
    )
    .map_err(|err| format!("app/js/bench.js: {err}"))?;
    Cmd::new("wasm-bindgen")
        .args([
            "--target",
            "no-modules",
            "--no-typescript",
            "--out-dir",
            &format!("{site}/bench"),
            "target/wasm32-unknown-unknown/release/isc-bench-worker.wasm",
        ])
        .run()?;
    let port = crate::shell::free_port()?.to_string();
    Cmd::new("node")
        .args([
            "--experimental-websocket",
            "bench/profile.mjs",
            &site,
            &case,
            &out,
            &port,
        ])
        .run()?;
    println!("profile: wrote {out}");
    Ok(())
}
