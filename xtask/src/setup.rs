//! `cargo xtask setup`: install what is missing, skip what is there.
//!
//! Nothing here downloads a tool binary from the internet: tools come from
//! crates.io (`cargo install`), Debian (`apt-get`) and npm (`npm ci`).

use crate::shell::{Cmd, root};
use std::path::Path;

/// The trunk version known to build here (trunk 0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";
/// The wasm-bindgen version the app pins; Cargo.lock and Trunk.toml must agree.
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Runs every setup step in order.
pub(crate) fn run() -> Result<(), String> {
    check_pins()?;
    wasm_target()?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        false,
    )?;
    chromium()?;
    npm_packages()?;
    vendor_bundles()?;
    source_libraries()?;
    println!("setup: all tools present");
    Ok(())
}

/// Fails if Cargo.lock or Trunk.toml disagree with the pinned wasm-bindgen:
/// the CLI and the library must be the same version or the page will not load.
fn check_pins() -> Result<(), String> {
    let lock = read(&root().join("Cargo.lock"))?;
    let locked = locked_version(&lock, "wasm-bindgen")
        .ok_or("Cargo.lock has no wasm-bindgen entry; run `cargo generate-lockfile`")?;
    if locked != WASM_BINDGEN_VERSION {
        return Err(format!(
            "version drift: Cargo.lock has wasm-bindgen {locked}, but xtask pins \
             wasm-bindgen-cli {WASM_BINDGEN_VERSION}. Make them equal: update \
             WASM_BINDGEN_VERSION in xtask/src/setup.rs, `wasm-bindgen` in Cargo.toml \
             and `wasm_bindgen` in Trunk.toml together."
        ));
    }
    let trunk_toml = read(&root().join("Trunk.toml"))?;
    let wanted = format!("wasm_bindgen = \"{WASM_BINDGEN_VERSION}\"");
    if !trunk_toml.lines().any(|line| line.trim() == wanted) {
        return Err(format!(
            "version drift: Trunk.toml must pin `{wanted}` to match Cargo.lock"
        ));
    }
    Ok(())
}

/// The version of package `name` in a Cargo.lock text.
pub(crate) fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim();
            return version.strip_prefix("version = \"")?.strip_suffix('"');
        }
    }
    None
}

pub(crate) fn wasm_target() -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("setup: {WASM_TARGET} target present");
        return Ok(());
    }
    Cmd::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .run()
}

/// Installs crate `krate` at `version` unless `bin --version` already reports it.
pub(crate) fn cargo_tool(
    bin: &str,
    krate: &str,
    version: &str,
    locked: bool,
) -> Result<(), String> {
    let found = Cmd::new(bin).args(["--version"]).output();
    let found_version = found
        .as_deref()
        .and_then(|out| out.split_whitespace().nth(1))
        .map(str::to_owned);
    if found_version.as_deref() == Some(version) {
        println!("setup: {bin} {version} present");
        return Ok(());
    }
    if let Some(other) = &found_version {
        println!("setup: {bin} {other} found, {version} wanted: reinstalling");
    }
    let mut args = vec!["install", krate, "--version", version, "--force"];
    // wasm-bindgen-cli fails to build here with --locked (ARCHITECTURE.md, Toolchain).
    if locked {
        args.push("--locked");
    }
    Cmd::new("cargo").args(args).run()
}

fn chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        println!("setup: Debian chromium and chromium-driver present");
        return Ok(());
    }
    let is_root = Cmd::new("id")
        .args(["-u"])
        .output()
        .is_some_and(|id| id.trim() == "0");
    let apt = |args: &[&str]| {
        let cmd = if is_root {
            Cmd::new("apt-get").args(args)
        } else {
            Cmd::new("sudo").args(["apt-get"]).args(args)
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive").run()
    };
    let install = [
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ];
    apt(&install).or_else(|_| {
        apt(&["update"])?;
        apt(&install)
    })
}

/// `npm ci` unless node_modules was installed from this very package-lock.json.
pub(crate) fn npm_packages() -> Result<(), String> {
    let lock_path = root().join("package-lock.json");
    let stamp_path = root().join("node_modules").join(".isc-installed-lock.json");
    let lock = read(&lock_path)?;
    if std::fs::read_to_string(&stamp_path).is_ok_and(|stamp| stamp == lock) {
        println!("setup: npm packages present");
        return Ok(());
    }
    if Cmd::new("npm").args(["--version"]).output().is_none() {
        return Err("npm is missing: install Node.js and npm, then rerun".into());
    }
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .run()?;
    std::fs::write(&stamp_path, lock)
        .map_err(|err| format!("cannot write {}: {err}", stamp_path.display()))
}

/// The npm packages the site loads as single ES modules, bundled by
/// `esbuild` (from npm) into `target/vendor/` and copied into `dist/vendor/`
/// by trunk: viem for the script console (which imports it in its worker;
/// ethers ships one already), and `@ethereumjs/evm` for the bench page
/// (`bench.html`: the same Token transfer on ethereumjs, beside the
/// engine). Each is written again whenever `package-lock.json` or its entry
/// changed.
const VENDOR_BUNDLES: &[(&str, &str)] = &[
    ("app/js/viem-entry.js", "viem.min.js"),
    ("app/js/ethereumjs-entry.js", "ethereumjs.min.js"),
    ("app/js/asc-entry.js", "asc.min.js"),
];

/// esbuild's arguments for every bundle: an ES module for browsers. ES2022
/// for AssemblyScript's top-level `await`; Node's built-ins stay out (its
/// compiler and binaryen import them only when they run in Node).
const BUNDLE_ARGS: &[&str] = &[
    "--bundle",
    "--format=esm",
    "--minify",
    "--target=es2022",
    "--log-level=warning",
    "--external:node:*",
    "--external:fs",
    "--external:path",
    "--external:url",
    "--external:module",
];

/// The Solidity libraries the editor resolves imports from: npm package
/// directory, import prefix, and the JSON file (import path → source) in
/// `target/vendor/` that trunk copies into `dist/libraries/`.
const SOURCE_LIBRARIES: &[(&str, &str, &str)] = &[(
    "node_modules/@openzeppelin/contracts",
    "@openzeppelin/contracts/",
    "openzeppelin-contracts.json",
)];

/// Writes each library's `.sol` files into one JSON object, again whenever
/// `package-lock.json` changed.
fn source_libraries() -> Result<(), String> {
    let lock = read(&root().join("package-lock.json"))?;
    for (dir, prefix, file) in SOURCE_LIBRARIES {
        vendor_file(file, &lock, |out| {
            let base = root().join(dir);
            let mut sources = serde_json::Map::new();
            for path in crate::shell::files_under(&base)? {
                let Ok(relative) = path.strip_prefix(&base) else {
                    continue;
                };
                if path.extension().is_some_and(|e| e == "sol") {
                    let name = format!("{prefix}{}", relative.to_string_lossy().replace('\\', "/"));
                    sources.insert(name, serde_json::Value::String(read(&path)?));
                }
            }
            if sources.is_empty() {
                return Err(format!("{dir} holds no Solidity sources: run `npm ci`"));
            }
            let text = serde_json::Value::Object(sources).to_string();
            std::fs::write(out, text)
                .map_err(|err| format!("cannot write {}: {err}", out.display()))
        })?;
    }
    Ok(())
}

/// Writes `target/vendor/<file>` with `write` unless it is there and was
/// written from the same `inputs` (kept beside it as `<file>.lock`).
fn vendor_file(
    file: &str,
    inputs: &str,
    write: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let out = root().join("target").join("vendor").join(file);
    let stamp = out.with_extension("lock");
    if out.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == inputs) {
        return Ok(());
    }
    std::fs::create_dir_all(out.parent().unwrap_or(&root()))
        .map_err(|err| format!("cannot create target/vendor: {err}"))?;
    write(&out)?;
    std::fs::write(&stamp, inputs).map_err(|err| format!("cannot write {}: {err}", stamp.display()))
}

fn vendor_bundles() -> Result<(), String> {
    for (entry, file) in VENDOR_BUNDLES {
        vendor_bundle(entry, file)?;
    }
    Ok(())
}

fn vendor_bundle(entry: &str, file: &str) -> Result<(), String> {
    let inputs = read(&root().join("package-lock.json"))? + &read(&root().join(entry))?;
    vendor_file(file, &inputs, |out| {
        let esbuild = root().join("node_modules").join(".bin").join("esbuild");
        Cmd::new(&esbuild.display().to_string())
            .args([entry])
            .args(BUNDLE_ARGS)
            .args([format!("--outfile={}", out.display()).as_str()])
            .run()
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen"), Some("0.2.130"));
        assert_eq!(locked_version(lock, "trunk"), None);
    }

    #[test]
    fn the_committed_pins_agree() {
        check_pins().expect("Cargo.lock, Trunk.toml and xtask agree on wasm-bindgen");
    }
}
