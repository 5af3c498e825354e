//! WasmLib contracts from every language Wasp runs: besides the two
//! `WasmLib` imports, TinyGo builds import `wasi_snapshot_preview1.fd_write`
//! (to print a panic) and AssemblyScript builds import `env.abort`. Both
//! load, and both end the call as the contract's panic, with Wasp's text.

use crate::hostile::{send, wat};
use crate::{alice, builtin_chain, failed, ok};
use isc_engine::{Dict, VmError, VmType};

/// A contract that exports entry point `go` (index 0) and runs `body` in
/// `on_call`, with `imports` and `data` (`(data …)` segments) beside it.
fn contract(imports: &str, data: &str, body: &str) -> Vec<u8> {
    wat(&format!(
        r#"(module
            (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
            {imports}
            (memory (export "memory") 1)
            (data (i32.const 8) "go")
            {data}
            (func (export "on_load") (call $set (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 2)))
            (func (export "on_call") (param i32) {body}))"#
    ))
}

fn deploy(chain: &mut isc_engine::Chain, name: &str, module: &[u8]) {
    ok(&chain
        .deploy(alice(), name, &VmType::WASM, module, Dict::new())
        .expect("the chain accepts the deploy"));
}

#[test]
fn a_tinygo_panic_through_fd_write_is_the_contracts_panic() {
    let mut chain = builtin_chain();
    // One iovec at 64: {buf = 128, len = 16}; the text "panic: no tokens".
    let module = contract(
        r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#,
        r#"(data (i32.const 64) "\80\00\00\00\10\00\00\00")
           (data (i32.const 128) "panic: no tokens")"#,
        "(drop (call $fd_write (i32.const 2) (i32.const 64) (i32.const 1) (i32.const 96)))",
    );
    deploy(&mut chain, "tinygo", &module);
    let err = failed(&send(&mut chain, alice(), "tinygo", "go", Dict::new()));
    assert!(matches!(&err, VmError::Panic { .. }), "{err:?}");
    assert_eq!(err.to_string(), "contract panicked: no tokens");
    // A pointer outside memory is a failed call, not a host crash.
    let bad = contract(
        r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#,
        r#"(data (i32.const 64) "\f0\ff\ff\7f\10\00\00\00")"#,
        "(drop (call $fd_write (i32.const 2) (i32.const 64) (i32.const 1) (i32.const 96)))",
    );
    deploy(&mut chain, "badgo", &bad);
    let err = failed(&send(&mut chain, alice(), "badgo", "go", Dict::new()));
    assert!(err.to_string().contains("out-of-range pointer"), "{err}");
}

#[test]
fn an_assemblyscript_abort_is_the_contracts_panic_with_its_place() {
    let mut chain = builtin_chain();
    // UTF-16LE strings, each ended by a zero code unit: "boom" at 64,
    // "a.ts" at 128; line 3, column 7.
    let module = contract(
        r#"(import "env" "abort" (func $abort (param i32 i32 i32 i32)))"#,
        r#"(data (i32.const 64) "b\00o\00o\00m\00\00\00")
           (data (i32.const 128) "a\00.\00t\00s\00\00\00")"#,
        "(call $abort (i32.const 64) (i32.const 128) (i32.const 3) (i32.const 7))",
    );
    deploy(&mut chain, "ascript", &module);
    let err = failed(&send(&mut chain, alice(), "ascript", "go", Dict::new()));
    assert!(matches!(&err, VmError::Panic { .. }), "{err:?}");
    assert_eq!(err.to_string(), "contract panicked: boom (a.ts 3:7)");
}

#[test]
fn other_imports_are_still_refused_by_name() {
    let mut chain = builtin_chain();
    let module = contract(r#"(import "env" "seed" (func $seed (result i32)))"#, "", "");
    let receipt = chain
        .deploy(alice(), "other", &VmType::WASM, &module, Dict::new())
        .expect("the chain accepts the deploy");
    let err = failed(&receipt);
    assert!(
        err.to_string().contains("unsupported import `env.seed`"),
        "{err}"
    );
}

#[test]
fn a_contract_says_its_language_by_wasmlib_tag_or_producers_section() {
    let mut chain = builtin_chain();
    // WasmLib's Go and TypeScript libraries export their tag in on_load.
    let tagged = |tag: &str| {
        wat(&format!(
            r#"(module
                (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
                (memory (export "memory") 1)
                (data (i32.const 8) "go")
                (data (i32.const 16) "{tag}")
                (func (export "on_load")
                    (call $set (i32.const 0) (i32.const -1) (i32.const 16) (i32.const {len}))
                    (call $set (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 2)))
                (func (export "on_call") (param i32)))"#,
            len = tag.len()
        ))
    };
    let inspect = |chain: &isc_engine::Chain, module: &[u8]| {
        chain
            .inspect_program(&VmType::WASM, module)
            .expect("loads")
            .0
    };
    assert_eq!(inspect(&chain, &tagged("WASM::GO")).as_deref(), Some("Go"));
    assert_eq!(
        inspect(&chain, &tagged("WASM::TYPESCRIPT")).as_deref(),
        Some("TypeScript")
    );
    // Without a tag, what the toolchain wrote in the producers section.
    let noted = wat(r#"(module
            (@producers (language "AssemblyScript" "0.27"))
            (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
            (memory (export "memory") 1)
            (func (export "on_load"))
            (func (export "on_call") (param i32)))"#);
    assert_eq!(inspect(&chain, &noted).as_deref(), Some("AssemblyScript"));
    assert_eq!(inspect(&chain, &contract("", "", "")), None);
    // The bundled Rust example, deployed.
    let rust = crate::wasm_example("inccounter");
    assert_eq!(inspect(&chain, &rust).as_deref(), Some("Rust"));
    deploy(&mut chain, "inccounter", &rust);
    assert_eq!(
        chain
            .language(isc_engine::Hname::of("inccounter"))
            .as_deref(),
        Some("Rust")
    );
}
