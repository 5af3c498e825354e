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

/// Runs `isc replay` on a session given as JSON text (written to a
/// temporary file) and returns its exit code and stdout + stderr.
pub(crate) fn isc_replay(session_json: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("isc-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!(
        "{}.json",
        isc_engine::Hash::blake2b(session_json.as_bytes())
    ));
    std::fs::write(&path, session_json).expect("writes the session");
    let output = Command::new(env!("CARGO_BIN_EXE_isc"))
        .args(["replay", &path.to_string_lossy()])
        .output()
        .expect("isc runs");
    let _ = std::fs::remove_file(&path);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}
