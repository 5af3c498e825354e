//! The hostile-input corpus: every case on a fresh chain, with its exact
//! expected outcome — the error's kind and words — and the same checks for
//! all: a failed request changes nothing but the sender's fee (paid to the
//! owner), its nonce and the blocklog; no token is made or lost; the
//! session replays to the same state hash; a failed view changes nothing.
//! Links and session files have their own table at the end.

use crate::hostile::{call_params, hostile_sol, module, wat, wat_bytes};
use crate::{alice, builtin_chain, solidity_example, wasm_example};
use isc_engine::session::{Link, Session};
use isc_engine::{Chain, Dict, Hname, Receipt, Request, VmError, VmType};
use serde_json::json;

/// What a case deploys.
enum Program {
    Wasm(Vec<u8>),
    Evm(Vec<u8>),
}

/// What a case does once its program is deployed.
enum Act {
    /// The deploy itself must fail.
    Deploy,
    /// A request to `entry`, with params and a gas budget.
    Request(&'static str, Dict, u64),
    /// A view call of `entry`.
    View(&'static str, Dict),
}

struct Case {
    name: &'static str,
    program: Option<Program>,
    act: Act,
    /// The error's kind (`VmError::kind`) and words it must contain.
    kind: &'static str,
    words: &'static str,
}

const BUDGET: u64 = 5_000_000;

fn args(values: serde_json::Value) -> Dict {
    Dict::new().with("args", values.to_string().into_bytes())
}

fn testcore() -> Option<Program> {
    Some(Program::Wasm(wasm_example("testcore")))
}

fn hostile() -> Option<Program> {
    Some(Program::Evm(hostile_sol()))
}

fn reverter() -> Option<Program> {
    Some(Program::Evm(solidity_example("Reverter").to_json()))
}

/// A WAT module whose `go` (index 0) runs `body`.
fn wasm(pages: u32, data: &str, body: &str) -> Option<Program> {
    Some(Program::Wasm(module(pages, data, "", body)))
}

fn request(entry: &'static str) -> Act {
    Act::Request(entry, Dict::new(), BUDGET)
}

fn cases() -> Vec<Case> {
    let inccounter = wasm_example("inccounter");
    let self_call = call_params("target", "go");
    vec![
        // --- Wasm programs that must not deploy ---
        Case {
            name: "garbage bytes",
            program: Some(Program::Wasm(b"\0asm\x01\0\0\0garbage".to_vec())),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "invalid wasmvm program",
        },
        Case {
            name: "truncated module",
            program: Some(Program::Wasm(inccounter[..inccounter.len() / 2].to_vec())),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "invalid wasmvm program",
        },
        Case {
            name: "not Wasm at all",
            program: Some(Program::Wasm(b"hello".to_vec())),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "invalid wasmvm program",
        },
        Case {
            name: "unknown import",
            program: Some(Program::Wasm(wat(
                r#"(module (import "env" "clock" (func (result i64)))
                (memory (export "memory") 1)
                (func (export "on_load")) (func (export "on_call") (param i32)))"#,
            ))),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "unsupported import `env.clock`",
        },
        Case {
            name: "no memory export",
            program: Some(Program::Wasm(wat(
                r#"(module (func (export "on_load")) (func (export "on_call") (param i32)))"#,
            ))),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "missing export `memory`",
        },
        Case {
            name: "on_load loops forever",
            program: Some(Program::Wasm(wat(
                r#"(module (memory (export "memory") 1)
                (func (export "on_load") (loop $l (br $l))) (func (export "on_call") (param i32)))"#,
            ))),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "on_load failed",
        },
        Case {
            name: "data segment outside memory",
            program: Some(Program::Wasm(wat(
                r#"(module (memory (export "memory") 1) (data (i32.const 65535) "xy")
                (func (export "on_load")) (func (export "on_call") (param i32)))"#,
            ))),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "data segment",
        },
        Case {
            name: "initial memory past the cap",
            program: Some(Program::Wasm(wat(
                r#"(module (memory (export "memory") 300)
                (func (export "on_load")) (func (export "on_call") (param i32)))"#,
            ))),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "may not grow past 256 pages",
        },
        Case {
            name: "program over the blob size",
            program: Some(Program::Wasm(vec![0; 2_200_000])),
            act: Act::Deploy,
            kind: "limit",
            words: "max_blob_size",
        },
        // --- Wasm calls that must fail ---
        Case {
            name: "endless loop in a func",
            program: testcore(),
            act: request("testEndlessLoop"),
            kind: "out_of_gas",
            words: "out of gas",
        },
        Case {
            name: "memory growth past 16 MiB",
            program: testcore(),
            act: request("testGrowMemory"),
            kind: "limit",
            words: "linear memory may not grow past 256 pages",
        },
        Case {
            name: "deep recursion in Rust",
            program: testcore(),
            act: request("testDeepRecursion"),
            kind: "limit",
            words: "call stack exhausted",
        },
        Case {
            name: "recursion without end in WAT",
            program: Some(Program::Wasm(wat(
                r#"(module (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
                (memory (export "memory") 1) (data (i32.const 16) "go")
                (func $f (call $f))
                (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2)))
                (func (export "on_call") (param i32) (call $f)))"#,
            ))),
            act: request("go"),
            kind: "limit",
            words: "call stack exhausted",
        },
        Case {
            name: "contract panic",
            program: testcore(),
            act: request("testPanic"),
            kind: "panic",
            words: "contract panicked",
        },
        Case {
            // wasmlib's PostRequest: no allowance, chain id 01…01 (not
            // this chain), contract, no delay, function, no params, no
            // transfer.
            name: "posting a request to another chain",
            program: wasm(
                1,
                &format!(
                    r#"(data (i32.const 64) "\00{}\01\02\03\04\00\05\06\07\08\04\00\00\00\00\00")"#,
                    "\\01".repeat(32)
                ),
                "(drop (call $get (i32.const 0) (i32.const -19) (i32.const 64) (i32.const 48)))",
            ),
            act: request("go"),
            kind: "unsupported",
            words: "the playground runs one chain",
        },
        Case {
            name: "out-of-range host pointer",
            program: wasm(
                1,
                "",
                "(call $set (i32.const 70000) (i32.const 8) (i32.const 16) (i32.const 4))",
            ),
            act: request("go"),
            kind: "trap",
            words: "out-of-range pointer",
        },
        Case {
            name: "negative host pointer",
            program: wasm(
                1,
                "",
                "(drop (call $get (i32.const -5) (i32.const 8) (i32.const 16) (i32.const 4)))",
            ),
            act: request("go"),
            kind: "trap",
            words: "out-of-range pointer",
        },
        Case {
            name: "unknown sandbox function",
            program: wasm(
                1,
                "",
                "(drop (call $get (i32.const 0) (i32.const -999) (i32.const 0) (i32.const 0)))",
            ),
            act: request("go"),
            kind: "panic",
            words: "unknown sandbox function -999",
        },
        Case {
            name: "malformed FN_CALL params",
            program: wasm(
                1,
                "",
                "(drop (call $get (i32.const 0) (i32.const -6) (i32.const 16) (i32.const 3)))",
            ),
            act: request("go"),
            kind: "codec",
            words: "bad encoding",
        },
        Case {
            name: "oversized params",
            program: Some(Program::Wasm(inccounter.clone())),
            act: Act::Request("increment", Dict::new().with("x", vec![0; 300_000]), BUDGET),
            kind: "limit",
            words: "params of",
        },
        Case {
            name: "oversized results",
            program: wasm(
                6,
                "",
                "(drop (call $get (i32.const 0) (i32.const -23) (i32.const 0) (i32.const 300000)))",
            ),
            act: request("go"),
            kind: "limit",
            words: "results of 300000 bytes",
        },
        Case {
            name: "oversized event",
            program: wasm(
                1,
                "",
                "(drop (call $get (i32.const 0) (i32.const -14) (i32.const 0) (i32.const 2000)))",
            ),
            act: request("go"),
            kind: "limit",
            words: "event of 2000 bytes",
        },
        Case {
            name: "too many events",
            program: wasm(
                1,
                "",
                "(loop $l (drop (call $get (i32.const 0) (i32.const -14) (i32.const 16) (i32.const 2)))
                    (br $l))",
            ),
            act: request("go"),
            kind: "limit",
            words: "more than 50 events",
        },
        Case {
            name: "table growth past the cap",
            program: Some(Program::Wasm(wat(
                r#"(module (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
                (memory (export "memory") 1) (table 1 funcref) (data (i32.const 16) "go")
                (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 2)))
                (func (export "on_call") (param i32) (drop (table.grow (ref.null func) (i32.const 100000)))))"#,
            ))),
            act: request("go"),
            kind: "limit",
            words: "tables may not grow past 10000",
        },
        Case {
            name: "nested instances past the live-memory cap",
            program: wasm(
                256,
                &format!(r#"(data (i32.const 32) "{}")"#, wat_bytes(&self_call)),
                &format!(
                    "(drop (call $get (i32.const 0) (i32.const -6) (i32.const 32) (i32.const {})))",
                    self_call.len()
                ),
            ),
            act: request("go"),
            kind: "limit",
            words: "engine memory at once",
        },
        Case {
            name: "export outside on_load",
            program: wasm(
                1,
                "",
                "(call $set (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 2))",
            ),
            act: request("go"),
            kind: "trap",
            words: "only during on_load",
        },
        Case {
            name: "a view that writes",
            program: testcore(),
            act: Act::View("testViewWrite", Dict::new()),
            kind: "write_in_view",
            words: "a view cannot change state",
        },
        Case {
            name: "a func called as a request to a view",
            program: testcore(),
            act: request("getSandboxInfo"),
            kind: "not_a_func",
            words: "is a view",
        },
        // --- EVM ---
        Case {
            name: "malformed EVM program JSON",
            program: Some(Program::Evm(b"{\"abi\": 7}".to_vec())),
            act: Act::Deploy,
            kind: "invalid_program",
            words: "invalid evm program",
        },
        Case {
            name: "creation code that halts",
            program: Some(Program::Evm(
                json!({"abi": [], "bytecode": "0xfe"}).to_string().into_bytes(),
            )),
            act: Act::Deploy,
            kind: "trap",
            words: "evm trap",
        },
        Case {
            name: "EVM loop until out of gas",
            program: hostile(),
            act: Act::Request("spin", args(json!([])), BUDGET),
            kind: "out_of_gas",
            words: "out of gas",
        },
        Case {
            name: "EVM loop past the block gas limit",
            program: hostile(),
            act: Act::Request("spin", args(json!([])), 50_000_000),
            kind: "out_of_gas",
            words: "budget of 30000000 gas",
        },
        Case {
            name: "EVM recursion 2000 deep",
            program: hostile(),
            act: Act::Request("recurse", args(json!(["2000"])), BUDGET),
            kind: "revert",
            words: "execution reverted",
        },
        Case {
            name: "EVM memory hog (a pure function: a view)",
            program: hostile(),
            act: Act::View("hog", args(json!(["100000000"]))),
            kind: "out_of_gas",
            words: "out of gas",
        },
        Case {
            name: "revert with a reason",
            program: reverter(),
            act: Act::Request("failWithReason", args(json!([])), BUDGET),
            kind: "revert",
            words: "execution reverted",
        },
        Case {
            name: "revert with a custom error",
            program: reverter(),
            act: Act::Request("failWithCustomError", args(json!(["7"])), BUDGET),
            kind: "revert",
            words: "code: 7)",
        },
        Case {
            name: "panic (assert)",
            program: reverter(),
            act: Act::Request("failWithPanic", args(json!([])), BUDGET),
            kind: "revert",
            words: "Panic",
        },
        Case {
            name: "division by zero in a view",
            program: reverter(),
            act: Act::View("divide", args(json!(["1", "0"]))),
            kind: "revert",
            words: "division",
        },
        Case {
            name: "an argument that is not a number",
            program: hostile(),
            act: Act::Request("recurse", args(json!(["ten"])), BUDGET),
            kind: "param",
            words: "uint256",
        },
        Case {
            name: "re-running a constructor",
            program: hostile(),
            act: Act::Request("init", args(json!([])), BUDGET),
            kind: "unauthorized",
            words: "runs only when root deploys it",
        },
        Case {
            name: "EVM call storm keeps a bounded trace",
            program: hostile(),
            act: Act::Request("fanOut", args(json!(["100000", "65536"])), 50_000_000),
            kind: "out_of_gas",
            words: "out of gas",
        },
    ]
}

/// Every partition but the two a failed request may touch.
fn untouched_state(chain: &Chain) -> Vec<(Vec<u8>, Vec<u8>)> {
    let touched = [Hname::of("accounts"), Hname::of("blocklog")];
    // A failed EVM transaction still uses up its sender's nonce, as on
    // Ethereum (evm.rs checks that): alice's EVM account record.
    let nonce = [
        Hname::of("evm").to_bytes().as_slice(),
        b"a",
        &isc_engine::evm::agent_address(&alice()),
    ]
    .concat();
    chain
        .state_items()
        .filter(|(key, _)| !touched.iter().any(|h| key.starts_with(&h.to_bytes())))
        .filter(|(key, _)| *key != nonce.as_slice())
        .map(|(key, value)| (key.to_vec(), value.to_vec()))
        .collect()
}

#[track_caller]
fn check_error(name: &str, err: &VmError, kind: &str, words: &str) {
    assert_eq!(err.kind(), kind, "{name}: {err}");
    assert!(
        err.to_string().contains(words),
        "{name}: `{err}` lacks `{words}`"
    );
    assert!(
        err.to_string().len() < 600,
        "{name}: a short message, not `{err}`"
    );
}

/// What a failed request may change only by its fee.
struct Before {
    state: Vec<(Vec<u8>, Vec<u8>)>,
    alice: u64,
    total: u64,
}

impl Before {
    fn of(chain: &Chain) -> Self {
        Self {
            state: untouched_state(chain),
            alice: chain.balance(&alice()),
            total: chain.total_assets(),
        }
    }
}

#[track_caller]
fn check_failed(name: &str, chain: &mut Chain, receipt: &Receipt, before: Before) {
    let Before {
        state,
        alice: alice_balance,
        total,
    } = before;
    assert!(
        untouched_state(chain) == state,
        "{name}: a failed request changed contract state"
    );
    assert_eq!(
        chain.balance(&alice()),
        alice_balance - receipt.gas_fee,
        "{name}: the sender pays its fee and nothing else"
    );
    assert_eq!(chain.total_assets(), total, "{name}: tokens are conserved");
    // What a receipt adds to the request it carries is bounded.
    let json = serde_json::to_string(receipt).expect("serializes").len();
    let request = serde_json::to_string(&receipt.request)
        .expect("serializes")
        .len();
    assert!(
        json - request < 1024 * 1024,
        "{name}: a receipt of {json} bytes for a request of {request}"
    );
}

#[test]
fn every_corpus_case_fails_cleanly_and_changes_nothing_it_should_not() {
    run_corpus(false);
}

/// The same cases with Wasm calls on a second engine (`wasmvm::plain`, the
/// browser engine's stand-in): each ends with the same error, words and
/// all, and the session replays on wasmi alone to the same state hash.
#[test]
fn every_corpus_case_ends_the_same_on_the_second_wasm_engine() {
    run_corpus(true);
}

fn run_corpus(on_runtime: bool) {
    // ISC_CORPUS_TIMES=1 prints each case's time (a measurement for the
    // docs, never an assertion).
    let show_times = std::env::var_os("ISC_CORPUS_TIMES").is_some();
    for case in cases() {
        let started = std::time::Instant::now();
        let mut chain = builtin_chain();
        if on_runtime {
            chain.set_wasm_runtime(Some(std::rc::Rc::new(
                isc_engine::wasmvm::plain::PlainWasmi::default(),
            )));
        }
        let name = case.name;
        let deployed = case.program.map(|program| {
            let (vm, bytes) = match program {
                Program::Wasm(bytes) => (VmType::WASM, bytes),
                Program::Evm(bytes) => (VmType::EVM, bytes),
            };
            chain
                .deploy(alice(), "target", &vm, &bytes, Dict::new())
                .expect("the chain accepts the deploy")
        });
        match case.act {
            Act::Deploy => {
                let receipt = deployed.expect("a program to deploy");
                let err = receipt
                    .error
                    .clone()
                    .unwrap_or_else(|| panic!("{name}: deployed"));
                check_error(name, &err, case.kind, case.words);
                assert!(
                    !chain.contracts().iter().any(|c| c.name == "target"),
                    "{name}: no contract is left behind"
                );
            }
            Act::Request(entry, params, budget) => {
                if let Some(receipt) = &deployed {
                    assert!(
                        receipt.is_success(),
                        "{name}: deploy failed: {:?}",
                        receipt.error
                    );
                }
                let before = Before::of(&chain);
                let receipt = chain
                    .post(
                        Request::new(alice(), "target", entry)
                            .params(params)
                            .gas_budget(budget),
                    )
                    .expect("the chain accepts the request");
                let err = receipt
                    .error
                    .clone()
                    .unwrap_or_else(|| panic!("{name}: succeeded"));
                check_error(name, &err, case.kind, case.words);
                check_failed(name, &mut chain, &receipt, before);
            }
            Act::View(entry, params) => {
                let before = chain.state_hash();
                let err = chain
                    .call_view("target", entry, params)
                    .expect_err("the view fails");
                check_error(name, &err, case.kind, case.words);
                assert_eq!(
                    chain.state_hash(),
                    before,
                    "{name}: a view changed the chain"
                );
            }
        }
        let replay = Session::of(&chain)
            .replay(isc_engine::register_builtin_vms)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(replay.state_hash(), chain.state_hash(), "{name}: replay");
        if show_times {
            eprintln!(
                "corpus: {name}: {:.0?} (with its replay)",
                started.elapsed()
            );
        }
    }
}

#[test]
fn core_requests_that_must_fail() {
    let long_key = vec![b'k'; 70_000];
    let cases: Vec<(&str, Request, &str, &str)> = vec![
        (
            "unknown contract",
            Request::new(alice(), "nosuch", "go"),
            "contract_not_found",
            "not found",
        ),
        (
            "unknown entry point",
            Request::new(alice(), "accounts", "nosuch"),
            "entry_point_not_found",
            "not found",
        ),
        (
            "a view as a request",
            Request::new(alice(), "blob", "listBlobs"),
            "not_a_func",
            "is a view",
        ),
        (
            "a dict key too long to encode",
            Request::new(alice(), "blob", "storeBlob").param(&long_key, vec![1]),
            "codec",
            "65535",
        ),
        (
            "a blob over the maximum",
            Request::new(alice(), "blob", "storeBlob")
                .param("p", vec![0; 2_200_000])
                .gas_budget(50_000_000),
            "limit",
            "max_blob_size",
        ),
        (
            "a deploy of a missing blob",
            Request::new(alice(), "root", "deployContract")
                .param("ph", vec![7; 32])
                .param("nm", "x"),
            "param",
            "not found",
        ),
        (
            "an owner-only call",
            Request::new(alice(), "governance", "delegateChainOwnership")
                .param("o", alice().to_bytes()),
            "unauthorized",
            "unauthorized",
        ),
        (
            "withdrawing more than the balance",
            Request::new(alice(), "accounts", "withdraw").allowance(u64::MAX / 2),
            "insufficient_funds",
            "insufficient funds",
        ),
    ];
    for (name, request, kind, words) in cases {
        let mut chain = builtin_chain();
        let before = Before::of(&chain);
        let receipt = chain.post(request).expect("accepted");
        let err = receipt
            .error
            .clone()
            .unwrap_or_else(|| panic!("{name}: succeeded"));
        check_error(name, &err, kind, words);
        check_failed(name, &mut chain, &receipt, before);
    }
}

#[test]
fn bad_links_and_session_files_get_their_own_short_messages() {
    use base64::Engine;
    let good = Link::new(
        Session::new(isc_engine::ChainConfig::default()),
        "00".repeat(32),
    )
    .encode();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let deflate = |bytes: &[u8]| {
        use std::io::Write;
        let mut out = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        out.write_all(bytes).expect("in memory");
        out.finish().expect("in memory")
    };
    let mut flipped = good.clone().into_bytes();
    let at = flipped.len() - 10;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let links: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "not a playground link"),
        ("another prefix", "#x=1.abc".into(), "not a playground link"),
        ("no version", "#s=abc".into(), "not a playground link"),
        (
            "a future version",
            "#s=9.abc".into(),
            "version `9` is not supported",
        ),
        ("not base64", "#s=1.@@@".into(), "damaged"),
        ("truncated", good[..good.len() * 2 / 3].to_owned(), ""),
        (
            "one character changed",
            String::from_utf8(flipped).expect("ascii"),
            "",
        ),
        (
            "not deflate",
            format!("s=1.{}", b64(b"plain text")),
            "damaged",
        ),
        (
            "deflate of garbage",
            format!("s=1.{}", b64(&deflate(b"{{{"))),
            "not a valid session",
        ),
        (
            "a bomb",
            format!("s=1.{}", b64(&deflate(&vec![b' '; 20 * 1024 * 1024]))),
            "expands past",
        ),
        (
            "oversize",
            format!("s=1.{}", "A".repeat(5 * 1024 * 1024)),
            "too long",
        ),
        (
            "a config out of bounds",
            format!(
                "s=1.{}",
                b64(&deflate(
                    json!({"session": {"format": "isc-playground-session", "version": 1,
                        "config": {"max_gas_per_request": u64::MAX}, "requests": []},
                        "state_hash": ""})
                    .to_string()
                    .as_bytes()
                ))
            ),
            "max_gas_per_request",
        ),
    ];
    for (name, link, words) in links {
        let err = Link::decode(&link).expect_err(name).to_string();
        assert!(err.contains(words), "{name}: `{err}` lacks `{words}`");
        assert!(
            err.len() < 300,
            "{name}: a short message, not {} characters",
            err.len()
        );
    }

    let files: Vec<(&str, String, &str)> = vec![
        ("not JSON", "{".into(), "not a valid session file"),
        ("no format", r#"{"version": 1}"#.into(), "not a session file"),
        (
            "a future version",
            r#"{"format": "isc-playground-session", "version": 6}"#.into(),
            "version 6 is not supported",
        ),
        (
            "an unknown field",
            r#"{"format": "isc-playground-session", "version": 1, "config": {}, "requests": [], "x": 1}"#.into(),
            "unknown field",
        ),
        (
            "a request without a sender",
            r#"{"format": "isc-playground-session", "version": 1, "config": {}, "requests": [{}]}"#.into(),
            "not a valid session file",
        ),
        (
            "duplicate users",
            r#"{"format": "isc-playground-session", "version": 1, "config": {"users": ["a", "a"]}, "requests": []}"#.into(),
            "appears twice",
        ),
    ];
    for (name, text, words) in files {
        let err = Session::from_json(&text).expect_err(name).to_string();
        assert!(err.contains(words), "{name}: `{err}` lacks `{words}`");
        assert!(
            err.len() < 300,
            "{name}: a short message, not {} characters",
            err.len()
        );
    }
}
