//! `isc` — the engine on the command line.
//!
//! `isc replay FILE.json` replays a session file and prints its receipts and
//! final state hash as JSON. A file that cannot be read, parsed or replayed
//! gets a message on stderr and exit code 1; a usage error exits with 2.

use isc_engine::session::Session;
use std::process::ExitCode;

const USAGE: &str = "usage: isc replay FILE.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, path] if command == "replay" => match replay(path) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("isc replay: {message}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn replay(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("{path}: {err}"))?;
    let session = Session::from_json(&text).map_err(|err| format!("{path}: {err}"))?;
    let replay = session
        .replay(isc_engine::register_builtin_vms)
        .map_err(|err| format!("{path}: {err}"))?;
    let report = Report {
        blocks: replay.chain.block_index(),
        receipts: &replay.receipts,
        state_hash: replay.state_hash().to_string(),
    };
    serde_json::to_string_pretty(&report).map_err(|err| format!("{path}: the report: {err}"))
}

/// What `isc replay` prints.
#[derive(serde::Serialize)]
struct Report<'a> {
    blocks: u32,
    receipts: &'a [isc_engine::Receipt],
    state_hash: String,
}
