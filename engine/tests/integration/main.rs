//! Solo-style integration tests of the engine, through its public API only.

mod chain;
mod core_contracts;
mod depth;
mod determinism;
mod evm;
mod hostile;
mod hostile_corpus;
mod languages;
mod queue;
mod runtime;
mod session;
mod sessions;
mod testvm;
mod typescript;
mod wasm;

use isc_engine::{AgentId, Chain, ChainConfig, Dict, Receipt, Request, VmError};

/// A default chain with the test VM registered.
pub(crate) fn new_chain() -> Chain {
    let mut chain = Chain::new(ChainConfig::default());
    chain.register_processor(Box::new(testvm::TestFactory));
    chain
}

/// A default chain with the engine's built-in VMs (Wasm and EVM).
pub(crate) fn builtin_chain() -> Chain {
    let mut chain = Chain::new(ChainConfig::default());
    isc_engine::register_builtin_vms(&mut chain);
    chain
}

/// The committed build of Wasm example `name` (`public/examples`).
pub(crate) fn wasm_example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../public/examples/{name}/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Contract `name` from its committed solc output `public/examples/solidity/<name>.json`.
pub(crate) fn solidity_example(name: &str) -> isc_engine::evm::EvmProgram {
    solidity_artifact("../public/examples/solidity", name)
}

/// Contract `name` from the solc output `<dir>/<name>.json`, `dir`
/// relative to the engine crate.
pub(crate) fn solidity_artifact(dir: &str, name: &str) -> isc_engine::evm::EvmProgram {
    artifact_contract(dir, name, name)
}

/// Contract `contract` of the solc output `<dir>/<file>.json` (a file may
/// hold several: a factory and its child, a library and its user).
pub(crate) fn artifact_contract(
    dir: &str,
    file: &str,
    contract: &str,
) -> isc_engine::evm::EvmProgram {
    let path = format!("{}/{dir}/{file}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    isc_engine::evm::programs_from_artifact(&text)
        .expect("a solc output")
        .into_iter()
        .find(|(name, _)| name == contract)
        .map(|(_, program)| program)
        .unwrap_or_else(|| panic!("{contract} is in {file}.json"))
}

/// The user alice.
pub(crate) fn alice() -> AgentId {
    AgentId::user("alice")
}

/// The user bob.
pub(crate) fn bob() -> AgentId {
    AgentId::user("bob")
}

/// Deploys `program` of VM `vm` as `name`, from alice, passing `init` to
/// its init, and asserts success.
#[track_caller]
pub(crate) fn deploy_program(
    chain: &mut Chain,
    name: &str,
    vm: &isc_engine::VmType,
    program: &[u8],
    init: Dict,
) -> Receipt {
    let receipt = chain
        .deploy(alice(), name, vm, program, init)
        .expect("the chain accepts the deploy");
    assert!(
        receipt.is_success(),
        "deploy of {name} failed: {:?}",
        receipt.error
    );
    receipt
}

/// Deploys the bundled `inccounter` as `inccounter`, from alice, and
/// asserts success.
#[track_caller]
pub(crate) fn deploy_inccounter(chain: &mut Chain) -> Receipt {
    deploy_program(
        chain,
        "inccounter",
        &isc_engine::VmType::WASM,
        &wasm_example("inccounter"),
        Dict::new(),
    )
}

/// Stores `program` as a Wasm blob, from alice; gives its hash.
#[track_caller]
pub(crate) fn store_wasm_blob(chain: &mut Chain, program: Vec<u8>) -> Vec<u8> {
    let receipt = chain
        .post(
            Request::new(alice(), "blob", "storeBlob")
                .param("v", "wasmvm")
                .param("p", program),
        )
        .expect("accepted");
    ok(&receipt).get("hash").map(<[u8]>::to_vec).expect("hash")
}

/// Deploys a test-VM program as `name`, from alice, and asserts success.
#[track_caller]
pub(crate) fn deploy(chain: &mut Chain, name: &str, program: serde_json::Value) -> Receipt {
    deploy_program(
        chain,
        name,
        &testvm::VM,
        program.to_string().as_bytes(),
        Dict::new(),
    )
}

/// The bundled `inccounter`'s counter, by its view.
pub(crate) fn inccounter_value(chain: &mut Chain) -> i64 {
    let results = chain
        .call_view("inccounter", "getCounter", Dict::new())
        .expect("view runs");
    let bytes: [u8; 8] = results
        .get("counter")
        .unwrap_or(&[0; 8])
        .try_into()
        .expect("an i64");
    i64::from_le_bytes(bytes)
}

/// Posts a request from alice and returns its receipt.
#[track_caller]
pub(crate) fn post(chain: &mut Chain, contract: &str, entry: &str) -> Receipt {
    chain
        .post(Request::new(alice(), contract, entry))
        .expect("the chain accepts the request")
}

/// The results of a successful receipt.
#[track_caller]
pub(crate) fn ok(receipt: &Receipt) -> Dict {
    match receipt.result() {
        Ok(results) => results.clone(),
        Err(err) => panic!("request failed: {err}"),
    }
}

/// The error of a failed receipt.
#[track_caller]
pub(crate) fn failed(receipt: &Receipt) -> VmError {
    match receipt.result() {
        Ok(results) => panic!("request succeeded with {results:?}"),
        Err(err) => err.clone(),
    }
}

/// A contract's state value as text.
pub(crate) fn state(chain: &Chain, contract: &str, key: &str) -> Option<String> {
    chain
        .contract_state(isc_engine::Hname::of(contract))
        .into_iter()
        .find(|(k, _)| k == key.as_bytes())
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
}
