//! Sessions replay to the same chain, in process and through `isc replay`.

use crate::{alice, bob, deploy, new_chain, post};
use isc_engine::session::{Session, SessionError};
use isc_engine::{Chain, Request, Step};
use serde_json::json;
use std::process::Command;

/// A chain with core-contract traffic only (so `isc replay` can run it).
fn core_only_chain() -> Chain {
    let mut chain = new_chain();
    post(&mut chain, "blob", "storeBlob");
    chain
        .post(
            Request::new(alice(), "accounts", "transferAllowanceTo")
                .param("a", bob().to_bytes())
                .allowance(1_234)
                .tokens(99),
        )
        .expect("accepted");
    chain
        .post(Request::new(bob(), "errors", "registerError").param("m", "oops %s"))
        .expect("accepted");
    chain
}

#[test]
fn a_session_replayed_twice_gives_the_same_state_hash() {
    let mut chain = core_only_chain();
    deploy(
        &mut chain,
        "counter",
        json!({"funcs": [{"name": "inc", "ops": [{"increment": {"key": "n"}}]}]}),
    );
    post(&mut chain, "counter", "inc");

    let json = Session::of(&chain).to_json();
    let session = Session::from_json(&json).expect("reads back");
    let register =
        |chain: &mut Chain| chain.register_processor(Box::new(crate::testvm::TestFactory));
    let one = session.replay(register).expect("replays");
    let two = session.replay(register).expect("replays");
    assert_eq!(one.state_hash(), chain.state_hash());
    assert_eq!(two.state_hash(), chain.state_hash());
    assert_eq!(one.receipts, chain.receipts());
}

#[test]
fn isc_replay_prints_receipts_and_the_state_hash() {
    let chain = core_only_chain();
    let dir = std::env::temp_dir().join(format!("isc-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.json");
    std::fs::write(&good, Session::of(&chain).to_json()).expect("write");

    let out = Command::new(env!("CARGO_BIN_EXE_isc"))
        .args(["replay", &good.to_string_lossy()])
        .output()
        .expect("isc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["state_hash"], chain.state_hash().to_string());
    assert_eq!(report["blocks"], chain.block_index());
    assert_eq!(report["receipts"].as_array().map(Vec::len), Some(3));

    for (name, text, expected) in [
        (
            "corrupt.json",
            "{\"format\": \"isc-playground-session\", \"vers",
            "not a valid session file",
        ),
        (
            "future.json",
            r#"{"format": "isc-playground-session", "version": 7}"#,
            "session version 7 is not supported",
        ),
        ("other.json", r#"{"hello": "world"}"#, "not a session file"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_isc"))
            .args(["replay", &path.to_string_lossy()])
            .output()
            .expect("isc runs");
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_isc"))
        .output()
        .expect("isc runs");
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_request_the_chain_refuses_stops_the_replay_with_its_index() {
    let mut session = Session::of(&core_only_chain());
    session.requests.push(Step::Post(Request::new(
        isc_engine::AgentId::user("nobody"),
        "accounts",
        "deposit",
    )));
    let err = session.replay(|_| {}).err().expect("refused");
    assert!(
        matches!(err, SessionError::Request { index: 3, .. }),
        "{err}"
    );
}
