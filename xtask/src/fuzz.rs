//! `cargo xtask fuzz [--seconds N] [TARGET…]`: runs the `cargo fuzz`
//! targets of `fuzz/` (nightly libFuzzer) for N seconds each (default 60),
//! from a corpus seeded with the project's own examples and sessions.
//! `cargo xtask test` runs each for a few seconds as a smoke test.
//!
//! cargo-fuzz is installed (pinned, from crates.io) only here: serving the
//! page never needs it. A crash leaves its input in
//! `fuzz/artifacts/<target>/`; turn it into a regression test.

use crate::shell::{Cmd, root};
use std::path::Path;

/// The pinned cargo-fuzz.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Every target, with the longest input it is given.
pub(crate) const TARGETS: [(&str, usize); 5] = [
    ("links", 65_536),
    ("wasmlib_decoders", 4_096),
    ("abi_args", 4_096),
    ("wasm_modules", 65_536),
    ("evm_bytecode", 24_576),
];

/// `cargo xtask fuzz` with its arguments.
pub(crate) fn command(args: &[String]) -> Result<(), String> {
    let mut seconds = 60;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or("--seconds needs a whole number")?;
        } else if TARGETS.iter().any(|(name, _)| name == arg) {
            targets.push(arg.as_str());
        } else {
            let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
            return Err(format!(
                "unknown fuzz target `{arg}`; the targets are {}",
                names.join(", ")
            ));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|(name, _)| *name).collect();
    }
    run(&targets, seconds)
}

/// Runs `targets` for `seconds` each; fails on the first crash.
pub(crate) fn run(targets: &[&str], seconds: u64) -> Result<(), String> {
    setup()?;
    for target in targets {
        let max_len = TARGETS
            .iter()
            .find(|(name, _)| name == target)
            .map_or(4_096, |(_, len)| *len);
        let corpus = seed(target)?;
        Cmd::new("cargo")
            .args([
                "+nightly",
                "fuzz",
                "run",
                "--sanitizer",
                "none",
                "--debug-assertions",
            ])
            .args([target.to_string(), corpus])
            .args([
                "--".to_owned(),
                format!("-max_total_time={seconds}"),
                format!("-max_len={max_len}"),
                "-rss_limit_mb=4096".to_owned(),
                "-timeout=60".to_owned(),
                "-print_final_stats=1".to_owned(),
            ])
            .run()
            .map_err(|err| format!("fuzz target {target}: {err} (see fuzz/artifacts/{target}/)"))?;
    }
    Ok(())
}

/// The nightly toolchain and the pinned cargo-fuzz.
fn setup() -> Result<(), String> {
    let toolchains = Cmd::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .unwrap_or_default();
    if !toolchains.lines().any(|line| line.starts_with("nightly")) {
        return Err(
            "fuzzing needs a nightly toolchain (`rustup toolchain install nightly`)".into(),
        );
    }
    crate::setup::cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)
}

/// `target/fuzz-corpus/<target>`, seeded with the project's own inputs
/// (libFuzzer adds what it finds; nothing here is committed).
fn seed(target: &str) -> Result<String, String> {
    let dir = root().join("target/fuzz-corpus").join(target);
    std::fs::create_dir_all(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let put = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).map_err(|err| format!("{}: {err}", dir.display()))
    };
    let public = root().join("public");
    match target {
        "links" => {
            for file in files(&public.join("sessions"), ".json")? {
                put(&file_name(&file), &read(&file)?)?;
            }
            put("link-prefix", b"s=1.")?;
        }
        "wasmlib_decoders" => {
            // The worked trace's results dict: one item, `counter` = 2.
            put(
                "dict",
                &hex("010000000700636f756e746572080000000200000000000000")?,
            )?;
            put("assets", &hex("00640000")?)?;
            put("agent", &hex("0100")?)?;
        }
        "abi_args" => {
            put(
                "scalars",
                b"\x0042\n-1\n0x0000000000000000000000000000000000000001\ntrue\n0x01",
            )?;
            put("dynamic", b"\x010xabcd\n\"text\"\n[1,2,3]")?;
            put(
                "nested",
                b"\x02[(true,0x01020304),(false,0x00000000)]\n[[]]",
            )?;
        }
        "wasm_modules" => {
            for example in crate::examples::EXAMPLES {
                let wasm = public.join(format!("examples/{example}/{example}.wasm"));
                put(example, &read(&wasm)?)?;
            }
        }
        "evm_bytecode" => {
            for file in files(&public.join("examples/solidity"), ".json")? {
                let json: serde_json::Value = serde_json::from_slice(&read(&file)?)
                    .map_err(|err| format!("{}: {err}", file.display()))?;
                for contract in json["contracts"]
                    .as_object()
                    .into_iter()
                    .flat_map(|files| files.values())
                    .filter_map(|contracts| contracts.as_object())
                    .flat_map(|contracts| contracts.iter())
                {
                    if let Some(code) = contract.1["evm"]["bytecode"]["object"].as_str() {
                        put(contract.0, &hex(code)?)?;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(dir.to_string_lossy().into_owned())
}

fn files(dir: &Path, suffix: &str) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim_start_matches("0x");
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|byte| u8::from_str_radix(byte, 16).ok())
                .ok_or_else(|| format!("not hex: {text}"))
        })
        .collect()
}
