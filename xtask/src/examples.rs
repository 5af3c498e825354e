//! `cargo xtask build-examples`: builds the example WasmLib contracts in
//! `contracts/` for wasm32 and copies each `.wasm`, with its `schema.json`,
//! into `public/examples/<name>/`, where the page and the engine's tests find
//! them, and compiles `contracts/solidity/*.sol` with npm `solc` into
//! `public/examples/solidity/<Name>.json`, then scripts the bundled sessions
//! into `public/sessions/` (`cargo run -p engine --example sessions`). These
//! outputs are committed, so neither the page nor the tests need a contract
//! toolchain.
//!
//! The sources the page shows ("Show source", "Open in editor", `ISC.sol`
//! for compiles) are not committed twice: [`write_sources`] copies them
//! from `contracts/` into `public/examples/` (ignored by git) before every
//! site build, with `examples/index.json` for the service worker.

use crate::shell::{Cmd, root};

/// The example contracts, by crate name.
pub(crate) const EXAMPLES: [&str; 4] = ["inccounter", "erc20", "fairroulette", "testcore"];

/// The TypeScript WasmLib examples (`contracts/ts/<name>.ts`), compiled
/// with npm `assemblyscript` into `public/examples/<name>/<name>.wasm`.
pub(crate) const TS_EXAMPLES: [&str; 4] = ["tscounter", "tserc20", "tsfairroulette", "tstestcore"];

/// The TypeScript WasmLib's own checks (`contracts/ts/<name>.ts`), compiled
/// the same way into the engine's test fixtures.
const TS_FIXTURES: [&str; 1] = ["tswasmlib"];
/// Where [`TS_FIXTURES`] are built.
const TS_FIXTURES_DIR: &str = "engine/tests/fixtures/ts";

/// Compiles TypeScript sources `names` to `out/<name>.wasm` with the
/// pinned AssemblyScript, through the same function and options as the
/// page's compiler (`contracts/ts/compile.mjs` → `app/js/asc-compile.mjs`),
/// in one run of the compiler.
fn build_typescript(out: &std::path::Path, names: &[&str]) -> Result<(), String> {
    crate::setup::npm_packages()?;
    Cmd::new("node")
        .args([
            "contracts/ts/compile.mjs".to_owned(),
            out.to_string_lossy().into_owned(),
        ])
        .args(names.iter().map(|name| (*name).to_owned()))
        .run()
}

/// Builds the WasmLib examples for wasm32 into `target_dir`; gives the
/// folder holding the `.wasm` files.
fn build_contracts(target_dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
    crate::setup::wasm_target()?;
    let contracts = root().join("contracts");
    // Paths inside the binaries (panic locations) must not depend on where
    // the checkout or cargo's registry lives.
    let cargo_home = std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    let rustflags = format!(
        "--remap-path-prefix={}=/isc --remap-path-prefix={cargo_home}=/cargo",
        root().display()
    );
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--manifest-path",
        ])
        .args([contracts.join("Cargo.toml").to_string_lossy().into_owned()])
        .args([
            "--target-dir".to_owned(),
            target_dir.to_string_lossy().into_owned(),
        ])
        .env("RUSTFLAGS", &rustflags)
        .run()?;
    Ok(target_dir.join("wasm32-unknown-unknown/release"))
}

/// `cargo xtask check-examples`: rebuilds every committed example binary
/// and artifact from `contracts/` (into `target/`) and compares them byte
/// for byte with what is committed: the build is reproducible, so a
/// difference means a source changed without `build-examples`.
pub(crate) fn check() -> Result<(), String> {
    let built = build_contracts(&root().join("target/check-examples"))?;
    let mut differ = Vec::new();
    let same = |a: &std::path::Path, b: &std::path::Path| -> Result<bool, String> {
        let read =
            |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        Ok(read(a)? == read(b)?)
    };
    for name in EXAMPLES {
        let committed = root().join(format!("public/examples/{name}/{name}.wasm"));
        if !same(&built.join(format!("{name}.wasm")), &committed)? {
            differ.push(committed.display().to_string());
        }
    }
    crate::setup::npm_packages()?;
    let solidity_out = root().join("target/check-examples/solidity");
    Cmd::new("node")
        .args(["contracts/solidity/compile.mjs", "contracts/solidity"])
        .args([solidity_out.to_string_lossy().into_owned()])
        .run()?;
    let committed = root().join("public/examples/solidity");
    for entry in std::fs::read_dir(&solidity_out)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let file = entry.file_name();
        if !same(&entry.path(), &committed.join(&file))? {
            differ.push(committed.join(&file).display().to_string());
        }
    }
    let ts_out = root().join("target/check-examples/ts");
    let examples = TS_EXAMPLES.map(|name| (name, format!("public/examples/{name}")));
    let fixtures = TS_FIXTURES.map(|name| (name, TS_FIXTURES_DIR.to_owned()));
    let all: Vec<_> = examples.iter().chain(&fixtures).collect();
    build_typescript(
        &ts_out,
        &all.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
    )?;
    for (name, dir) in all {
        let committed = root().join(dir).join(format!("{name}.wasm"));
        if !same(&ts_out.join(format!("{name}.wasm")), &committed)? {
            differ.push(committed.display().to_string());
        }
    }
    if differ.is_empty() {
        println!("examples: every committed build matches a rebuild of contracts/");
        Ok(())
    } else {
        Err(format!(
            "these differ from a rebuild of contracts/ (run `cargo xtask build-examples`): {}",
            differ.join(", ")
        ))
    }
}

pub(crate) fn build() -> Result<(), String> {
    let contracts = root().join("contracts");
    let built = build_contracts(&contracts.join("target"))?;
    for name in EXAMPLES {
        let out = root().join("public/examples").join(name);
        std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
        let copy = |from: std::path::PathBuf, to: std::path::PathBuf| {
            std::fs::copy(&from, &to)
                .map(|_| ())
                .map_err(|err| format!("copy {} to {}: {err}", from.display(), to.display()))
        };
        copy(
            built.join(format!("{name}.wasm")),
            out.join(format!("{name}.wasm")),
        )?;
        println!("examples: {name} -> public/examples/{name}/");
    }
    // The Solidity examples, with the pinned npm solc.
    crate::setup::npm_packages()?;
    Cmd::new("node")
        .args(["contracts/solidity/compile.mjs"])
        .run()?;
    // The engine's Solidity test fixtures, compiled the same way.
    let fixtures = "engine/tests/fixtures/solidity";
    Cmd::new("node")
        .args(["contracts/solidity/compile.mjs", fixtures, fixtures])
        .run()?;
    // Each example into its own folder; the fixtures together.
    for name in TS_EXAMPLES {
        build_typescript(&root().join("public/examples").join(name), &[name])?;
    }
    build_typescript(&root().join(TS_FIXTURES_DIR), &TS_FIXTURES)?;
    write_sources()?;
    // The bundled sessions, built from the examples just written.
    Cmd::new("cargo")
        .args([
            "run",
            "-q",
            "-p",
            "engine",
            "--example",
            "sessions",
            "--",
            "public",
        ])
        .run()
}

/// The sources the site serves, copied from `contracts/` (the one place
/// they are written): each WasmLib example's Rust files as
/// `examples/<name>/source.rs` and its `schema.json`, each Solidity
/// example and `ISC.sol` into
/// `examples/solidity/`; then `examples/index.json`.
pub(crate) fn write_sources() -> Result<(), String> {
    let contracts = root().join("contracts");
    let public = root().join("public/examples");
    let write = |path: std::path::PathBuf, text: String| {
        std::fs::write(&path, text).map_err(|err| format!("{}: {err}", path.display()))
    };
    for name in EXAMPLES {
        // The contract's logic first, then the generated files.
        let source = example_source(&contracts.join(name).join("src"), name)?;
        write(public.join(name).join("source.rs"), source)?;
        let schema = contracts.join(name).join("schema.json");
        let schema =
            std::fs::read_to_string(&schema).map_err(|e| format!("{}: {e}", schema.display()))?;
        write(public.join(name).join("schema.json"), schema)?;
    }
    let solidity = contracts.join("solidity");
    let mut files: Vec<_> = std::fs::read_dir(&solidity)
        .map_err(|err| format!("{}: {err}", solidity.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|file| file.ends_with(".sol"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(solidity.join(&file))
            .map_err(|err| format!("{file}: {err}"))?;
        write(public.join("solidity").join(&file), text)?;
    }
    // WasmLib in TypeScript, for the page's compiler: one JSON object of
    // its files (`wasmlib/<file>.ts` → text); and each TypeScript
    // example's source and the schema it declares.
    let ts = contracts.join("ts");
    let mut wasmlib = serde_json::Map::new();
    let mut files: Vec<_> = std::fs::read_dir(ts.join("wasmlib"))
        .map_err(|err| format!("contracts/ts/wasmlib: {err}"))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|file| file.ends_with(".ts"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(ts.join("wasmlib").join(&file))
            .map_err(|err| format!("contracts/ts/wasmlib/{file}: {err}"))?;
        wasmlib.insert(format!("wasmlib/{file}"), serde_json::Value::String(text));
    }
    std::fs::create_dir_all(public.join("ts")).map_err(|err| format!("examples/ts: {err}"))?;
    write(
        public.join("ts").join("wasmlib.json"),
        serde_json::Value::Object(wasmlib).to_string(),
    )?;
    for name in TS_EXAMPLES {
        let file = format!("{name}.ts");
        let text =
            std::fs::read_to_string(ts.join(&file)).map_err(|err| format!("{file}: {err}"))?;
        write(
            public.join(name).join("schema.json"),
            typescript_schema(&file, &text)?,
        )?;
        write(public.join(name).join("source.ts"), text)?;
    }
    write_examples_index()
}

/// The `schema.json` of a TypeScript example: the JSON object its source
/// declares in a `/* @schema … */` block (the one place it is written),
/// tagged as the schema format the page reads.
fn typescript_schema(file: &str, text: &str) -> Result<String, String> {
    let block = text
        .split_once("/* @schema")
        .and_then(|(_, rest)| rest.split_once("*/"))
        .map(|(block, _)| block)
        .ok_or_else(|| format!("contracts/ts/{file} declares no /* @schema */ block"))?;
    let mut schema: serde_json::Map<String, serde_json::Value> = serde_json::from_str(block)
        .map_err(|err| format!("contracts/ts/{file}: its @schema block: {err}"))?;
    for (key, value) in [
        ("format", serde_json::json!("isc-playground-schema")),
        ("version", serde_json::json!(1)),
        ("language", serde_json::json!("typescript")),
        ("vm", serde_json::json!("wasmvm")),
    ] {
        schema.insert(key.to_owned(), value);
    }
    serde_json::to_string_pretty(&schema).map_err(|err| err.to_string())
}

/// The `.rs` files of `src`, `<name>.rs` first, each under a header line.
fn example_source(src: &std::path::Path, name: &str) -> Result<String, String> {
    let mut files: Vec<String> = std::fs::read_dir(src)
        .map_err(|err| format!("{}: {err}", src.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|file| file.ends_with(".rs"))
        .collect();
    let own = format!("{name}.rs");
    files.sort_by_key(|file| (*file != own, file.clone()));
    let mut source = String::new();
    for file in files {
        let text = std::fs::read_to_string(src.join(&file))
            .map_err(|err| format!("{}: {err}", src.join(&file).display()))?;
        source.push_str(&format!("// ---- src/{file} ----\n\n{text}\n"));
    }
    Ok(source)
}

/// `public/examples/index.json`: every file under `public/examples/`, as
/// page-relative paths, for the service worker to precache.
fn write_examples_index() -> Result<(), String> {
    let public = root().join("public");
    let files: Vec<String> = crate::shell::files_under(&public.join("examples"))?
        .iter()
        .filter_map(|path| path.strip_prefix(&public).ok())
        .filter(|relative| *relative != std::path::Path::new("examples/index.json"))
        .map(|relative| relative.to_string_lossy().replace('\\', "/"))
        .collect();
    // Plain ASCII paths: JSON needs no escaping beyond the quotes.
    let items: Vec<String> = files.iter().map(|file| format!("  \"{file}\"")).collect();
    let text = format!("[\n{}\n]\n", items.join(",\n"));
    std::fs::write(public.join("examples/index.json"), text).map_err(|err| err.to_string())
}
