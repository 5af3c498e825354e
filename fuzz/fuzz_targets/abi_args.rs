//! The call form's ABI parser: arguments typed as text, coerced to the
//! Solidity types of a function, and return data decoded by them. Any text
//! is calldata or a clear error, never a panic.
#![no_main]

use isc_engine::evm::{EvmProgram, decode_output, encode_call};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Functions over the types a form can hold.
const ABI: &str = r#"[
  {"type":"function","name":"scalars","stateMutability":"nonpayable","inputs":[
    {"name":"a","type":"uint256"},{"name":"b","type":"int8"},{"name":"c","type":"address"},
    {"name":"d","type":"bool"},{"name":"e","type":"bytes32"}],
   "outputs":[{"name":"x","type":"uint256"},{"name":"y","type":"string"}]},
  {"type":"function","name":"dynamic","stateMutability":"nonpayable","inputs":[
    {"name":"a","type":"bytes"},{"name":"b","type":"string"},{"name":"c","type":"uint64[]"}],
   "outputs":[{"name":"x","type":"bytes"},{"name":"y","type":"int256[]"}]},
  {"type":"function","name":"nested","stateMutability":"nonpayable","inputs":[
    {"name":"a","type":"tuple[2]","components":[{"name":"p","type":"bool"},{"name":"q","type":"bytes4"}]},
    {"name":"b","type":"address[][]"}],
   "outputs":[{"name":"x","type":"tuple","components":[{"name":"p","type":"uint8"},{"name":"q","type":"string[]"}]}]}
]"#;

fn program() -> &'static EvmProgram {
    static PROGRAM: OnceLock<EvmProgram> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let json = format!(r#"{{"abi":{ABI},"bytecode":"0x00"}}"#);
        EvmProgram::from_json(json.as_bytes()).expect("the fuzz ABI parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let name = ["scalars", "dynamic", "nested"][usize::from(which % 3)];
    let function = program().function(name).expect("in the ABI");
    if let Ok(text) = std::str::from_utf8(rest) {
        let args: Vec<String> = text.split('\n').map(str::to_owned).collect();
        if let Ok(calldata) = encode_call(function, &args) {
            assert!(calldata.len() >= 4);
        }
    }
    let _ = decode_output(function, rest);
});
