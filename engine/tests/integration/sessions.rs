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

/// Sessions written before receipts had a compact form
/// (`tests/fixtures/sessions/`, copied from the bundled ones then, with
/// the hashes recorded then): a link shared then must still open to the
/// hash it was shared with.
#[test]
fn sessions_from_before_compact_receipts_replay_to_the_hashes_recorded_then() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sessions/");
    let index = std::fs::read_to_string(format!("{dir}index.json")).expect("index");
    let entries: Vec<Entry> = serde_json::from_str(&index).expect("index JSON");
    assert!(!entries.is_empty());
    for entry in entries {
        let text = std::fs::read_to_string(format!("{dir}{}", entry.file)).expect("session");
        assert!(!text.contains("receipt_form"), "{}", entry.file);
        let (code, output) = isc_replay(&text);
        assert_eq!(code, Some(0), "{}: {output}", entry.file);
        assert!(
            output.contains(&entry.state_hash),
            "{}: {output}",
            entry.file
        );
        let session = isc_engine::session::Session::from_json(&text).expect("a session");
        assert_eq!(session.config.receipt_form, isc_engine::ReceiptForm::Json);
        let replay = session
            .replay(isc_engine::register_builtin_vms)
            .expect("replays");
        assert_eq!(replay.state_hash().to_string(), entry.state_hash);
        assert_eq!(replay.chain.block_index(), entry.blocks);
    }
}

/// Every bundled session, replayed once with each receipt form: the same
/// receipts as they ran and as the blocklog gives them back, the stored
/// bytes in the form asked for, the same receipts in both forms but for
/// the request ids, and different state hashes (the receipts' bytes are
/// under it, and a request's id hashes the state before it).
#[test]
fn both_receipt_forms_keep_the_same_receipts_for_every_bundled_session() {
    use isc_engine::session::Session;
    use isc_engine::{Dict, ReceiptForm};
    let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/");
    let index = std::fs::read_to_string(format!("{public}sessions/index.json")).expect("index");
    let entries: Vec<Entry> = serde_json::from_str(&index).expect("index JSON");
    let mut compared = 0;
    for entry in entries {
        let text = std::fs::read_to_string(format!("{public}{}", entry.file)).expect("session");
        let mut session = Session::from_json(&text).expect("a session");
        assert_eq!(
            session.config.receipt_form,
            ReceiptForm::Compact,
            "{}",
            entry.file
        );
        let mut replays = Vec::new();
        for (form, first_byte) in [(ReceiptForm::Compact, 0x02), (ReceiptForm::Json, b'{')] {
            session.config.receipt_form = form;
            let mut replay = session
                .replay(isc_engine::register_builtin_vms)
                .expect("replays");
            assert_eq!(replay.chain.receipts(), replay.receipts, "{}", entry.file);
            for receipt in &replay.receipts {
                let stored = replay
                    .chain
                    .call_view(
                        "blocklog",
                        "getRequestReceipt",
                        Dict::new().with("u", receipt.request_id.as_bytes().to_vec()),
                    )
                    .expect("the blocklog has it");
                let bytes = stored.get("d").unwrap_or_default();
                assert_eq!(bytes.first(), Some(&first_byte), "{}", entry.file);
                let mut read = isc_engine::Receipt::from_stored(bytes).expect("reads");
                read.wasm_engine.clone_from(&receipt.wasm_engine);
                assert_eq!(&read, receipt, "{}", entry.file);
            }
            replays.push(replay);
        }
        // A request's id hashes the state before it, so ids differ between
        // the forms; all else is the same.
        let without_ids = |receipts: &[isc_engine::Receipt]| -> Vec<isc_engine::Receipt> {
            receipts
                .iter()
                .cloned()
                .map(|mut receipt| {
                    receipt.request_id = isc_engine::RequestId([0; 34]);
                    receipt
                })
                .collect()
        };
        assert!(
            without_ids(&replays[0].receipts) == without_ids(&replays[1].receipts),
            "{}: the receipts differ between the forms",
            entry.file
        );
        if !replays[0].receipts.is_empty() {
            assert_ne!(
                replays[0].state_hash(),
                replays[1].state_hash(),
                "{}",
                entry.file
            );
            compared += 1;
        }
    }
    assert!(compared >= 5, "sessions with receipts");
}

/// A request whose params no contract could read back (a key longer than
/// WasmLib's 16-bit length) fails, and its receipt — which holds those
/// params — is kept and read back whole in either form.
#[test]
fn a_receipt_holding_params_wasmlib_cannot_encode_reads_back_whole() {
    use isc_engine::{Chain, ChainConfig, Dict, ReceiptForm, Request};
    for form in [ReceiptForm::Compact, ReceiptForm::Json] {
        let mut chain = Chain::new(ChainConfig {
            receipt_form: form,
            ..ChainConfig::default()
        });
        isc_engine::register_builtin_vms(&mut chain);
        let long_key = vec![b'k'; 70_000];
        let request = Request::new(isc_engine::AgentId::user("alice"), "accounts", "deposit")
            .params(Dict::new().with(long_key, vec![1]));
        let Ok(receipt) = chain.post(request) else {
            // Refused before a block: nothing to keep.
            continue;
        };
        assert!(!receipt.is_success(), "{form:?}");
        // Compared without printing them: the params are 70 000 bytes.
        assert!(
            chain.receipts().last() == Some(&receipt),
            "{form:?}: the receipt is not read back"
        );
        let stored = chain
            .call_view(
                "blocklog",
                "getRequestReceipt",
                Dict::new().with("u", receipt.request_id.as_bytes().to_vec()),
            )
            .expect("the blocklog has it");
        let read = isc_engine::Receipt::from_stored(stored.get("d").unwrap_or_default())
            .expect("reads back");
        assert!(read == receipt, "{form:?}: the stored receipt differs");
    }
}
