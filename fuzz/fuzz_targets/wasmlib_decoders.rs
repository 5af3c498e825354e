//! The WasmLib decoders the host applies to bytes from contract memory:
//! dicts, assets, agent ids, hashes, variable-length integers, strings.
//! None may panic; a dict that decodes encodes back to a dict equal to it.
#![no_main]

use isc_engine::codec::{self, Decoder};
use isc_engine::{AgentId, Assets, Dict, Hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dict) = Dict::from_bytes(data) {
        let bytes = dict.try_to_bytes().expect("a decoded dict re-encodes");
        assert_eq!(Dict::from_bytes(&bytes).expect("re-decodes"), dict);
    }
    if let Ok(assets) = Assets::from_bytes(data) {
        assert_eq!(Assets::from_bytes(&assets.to_bytes()), Ok(assets));
    }
    if let Ok(agent) = AgentId::from_bytes(data) {
        assert_eq!(AgentId::from_bytes(&agent.to_bytes()), Ok(agent));
    }
    let _ = Hash::from_bytes(data);
    let _ = codec::string_from_bytes(data);
    let _ = codec::u64_from_bytes(data);
    let _ = codec::hname_from_bytes(data);
    // The stream decoder, as the host reads FN_CALL / FN_DEPLOY params.
    let mut dec = Decoder::new(data);
    for step in data.iter().take(16) {
        let ok = match step % 5 {
            0 => dec.bytes().is_ok(),
            1 => dec.vlu(64).is_ok(),
            2 => dec.vli(32).is_ok(),
            3 => dec.fixed(usize::from(*step >> 3), "field").is_ok(),
            _ => dec.bool().is_ok(),
        };
        if !ok {
            break;
        }
    }
});
