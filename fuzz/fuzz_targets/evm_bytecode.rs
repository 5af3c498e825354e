//! EVM bytecode on a chain: as creation code (deployed with an empty ABI),
//! and as runtime code behind raw calldata. Any bytecode ends in a receipt,
//! and a replay of the session gives the same state hash.
#![no_main]

use isc_engine::{AgentId, Chain, ChainConfig, Dict, Request, VmType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = ChainConfig {
        max_gas_per_request: 1_000_000,
        ..ChainConfig::default()
    };
    let mut chain = Chain::new(config);
    isc_engine::register_builtin_vms(&mut chain);
    let alice = AgentId::user("alice");
    // As creation code.
    let program = serde_json::json!({"abi": [], "bytecode": format!("0x{}", to_hex(data))});
    let _ = chain.deploy(
        alice,
        "created",
        &VmType::EVM,
        program.to_string().as_bytes(),
        Dict::new(),
    );
    // As runtime code: a constructor that returns `data` as the code.
    let mut init = Vec::new();
    let len = data.len().min(0xffff) as u16;
    // PUSH2 len, DUP1, PUSH1 0x0e, PUSH1 0, CODECOPY, PUSH1 0, RETURN
    init.extend_from_slice(&[
        0x61,
        (len >> 8) as u8,
        len as u8,
        0x80,
        0x60,
        0x0e,
        0x60,
        0,
        0x39,
        0x60,
        0,
        0xf3,
    ]);
    init.extend_from_slice(&[0, 0]);
    init.extend_from_slice(&data[..usize::from(len)]);
    // One function, `f()`, to call with raw calldata (param `i`).
    let abi = serde_json::json!([{"type": "function", "name": "f", "inputs": [], "outputs": [],
        "stateMutability": "nonpayable"}]);
    let program = serde_json::json!({"abi": abi, "bytecode": format!("0x{}", to_hex(&init))});
    if let Ok(receipt) = chain.deploy(
        alice,
        "runtime",
        &VmType::EVM,
        program.to_string().as_bytes(),
        Dict::new(),
    ) && receipt.is_success()
    {
        for input in [&[][..], &data[..data.len().min(68)]] {
            let _ = chain.post(
                Request::new(alice, "runtime", "f")
                    .param("i", input.to_vec())
                    .gas_budget(1_000_000),
            );
        }
    }
    let replay = isc_engine::session::Session::of(&chain)
        .replay(isc_engine::register_builtin_vms)
        .expect("a live session replays");
    assert_eq!(replay.state_hash(), chain.state_hash());
});

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
