//! The bundled sessions (`public/sessions/`) replay with the `isc replay`
//! binary to the state hashes recorded in their index — the same hashes the
//! e2e suite checks the browser against.

use std::process::Command;

#[derive(serde::Deserialize)]
struct Entry {
    file: String,
    blocks: u32,
    state_hash: String,
}

#[test]
fn isc_replay_reproduces_every_bundled_session_hash() {
    let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/");
    let index = std::fs::read_to_string(format!("{public}sessions/index.json")).expect("index");
    let entries: Vec<Entry> = serde_json::from_str(&index).expect("index JSON");
    assert!(entries.len() >= 5, "bundled sessions");
    for entry in entries {
        let output = Command::new(env!("CARGO_BIN_EXE_isc"))
            .args(["replay", &format!("{public}{}", entry.file)])
            .output()
            .expect("isc runs");
        assert!(
            output.status.success(),
            "{}: {}",
            entry.file,
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(
            report["state_hash"],
            entry.state_hash.as_str(),
            "{}",
            entry.file
        );
        assert_eq!(report["blocks"], entry.blocks, "{}", entry.file);
    }
}
