//! Writes the bundled sessions into `public/sessions/`: each scripted here,
//! as a person would build it in the page, then saved in the engine's
//! session format with the state hash it replays to (`index.json`).
//!
//! `cargo run -p engine --example sessions -- public` (run by
//! `cargo xtask build-examples`). The engine's `sessions` integration test
//! checks that `isc replay` gives each recorded hash; the e2e suite checks
//! that the browser does.

use isc_engine::session::{SCHEMA_LANGUAGE, Session, Source};
use isc_engine::{AgentId, Chain, ChainConfig, Dict, Request, VmType};
use serde_json::json;
use std::path::{Path, PathBuf};

struct Builder {
    public: PathBuf,
    chain: Chain,
    sources: Vec<Source>,
}

impl Builder {
    fn new(public: &Path) -> Self {
        let mut chain = Chain::new(ChainConfig::default());
        isc_engine::register_builtin_vms(&mut chain);
        Self {
            public: public.to_owned(),
            chain,
            sources: Vec::new(),
        }
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let path = self.public.join(path);
        std::fs::read(&path).map_err(|err| format!("{}: {err}", path.display()))
    }

    fn wasm(mut self, name: &str, init: Dict) -> Result<Self, String> {
        let wasm = self.read(&format!("examples/{name}/{name}.wasm"))?;
        // The schema as written beside the contract (the site serves a copy).
        let schema = self.read(&format!("../contracts/{name}/schema.json"))?;
        let receipt = self
            .chain
            .deploy(user("alice"), name, &VmType::WASM, &wasm, init)
            .map_err(|err| err.to_string())?;
        ok(name, &receipt)?;
        self.sources.push(Source {
            name: name.to_owned(),
            language: SCHEMA_LANGUAGE.to_owned(),
            text: String::from_utf8_lossy(&schema).into_owned(),
            compiler: None,
            ..Source::default()
        });
        Ok(self)
    }

    fn solidity(
        mut self,
        contract: &str,
        name: &str,
        args: serde_json::Value,
    ) -> Result<Self, String> {
        let artifact = self.read(&format!("examples/solidity/{contract}.json"))?;
        let program = isc_engine::evm::programs_from_artifact(&String::from_utf8_lossy(&artifact))
            .map_err(|err| err.to_string())?
            .into_iter()
            .find(|(found, _)| found == contract)
            .map(|(_, program)| program)
            .ok_or_else(|| format!("{contract} is not in its artifact"))?;
        let init = Dict::new().with("args", args.to_string());
        let receipt = self
            .chain
            .deploy(user("alice"), name, &VmType::EVM, &program.to_json(), init)
            .map_err(|err| err.to_string())?;
        ok(name, &receipt)?;
        Ok(self)
    }

    fn post(mut self, request: Request) -> Result<Self, String> {
        let what = format!("{:?}", request.entry);
        let receipt = self.chain.post(request).map_err(|err| err.to_string())?;
        ok(&what, &receipt)?;
        Ok(self)
    }

    fn call(self, from: &str, contract: &str, entry: &str, params: Dict) -> Result<Self, String> {
        self.post(Request::new(user(from), contract, entry).params(params))
    }

    fn evm(
        self,
        from: &str,
        contract: &str,
        function: &str,
        args: serde_json::Value,
    ) -> Result<Self, String> {
        self.call(
            from,
            contract,
            function,
            Dict::new().with("args", args.to_string()),
        )
    }

    /// Writes `sessions/<name>.json`; returns its index entry.
    fn save(self, name: &str, title: &str) -> Result<serde_json::Value, String> {
        let mut session = Session::of(&self.chain);
        session.sources = self.sources;
        let file = format!("sessions/{name}.json");
        let path = self.public.join(&file);
        std::fs::write(&path, session.to_json() + "\n")
            .map_err(|err| format!("{}: {err}", path.display()))?;
        println!("sessions: {file} ({} blocks)", self.chain.block_index());
        Ok(json!({
            "name": name,
            "title": title,
            "file": file,
            "blocks": self.chain.block_index(),
            "state_hash": self.chain.state_hash().to_string(),
        }))
    }
}

fn user(name: &str) -> AgentId {
    AgentId::user(name)
}

fn address(name: &str) -> String {
    format!(
        "0x{}",
        hex::encode(isc_engine::evm::agent_address(&user(name)))
    )
}

fn ok(what: &str, receipt: &isc_engine::Receipt) -> Result<(), String> {
    match &receipt.error {
        None => Ok(()),
        Some(err) => Err(format!("{what} failed: {err}")),
    }
}

fn int64(value: i64) -> Vec<u8> {
    value.to_le_bytes().to_vec()
}

fn build(public: &Path) -> Result<(), String> {
    std::fs::create_dir_all(public.join("sessions")).map_err(|err| err.to_string())?;
    let fresh = || Builder::new(public);
    let index = vec![
        fresh().save("empty", "A fresh chain")?,
        fresh()
            .wasm("inccounter", Dict::new().with("counter", int64(0)))?
            .call("alice", "inccounter", "increment", Dict::new())?
            .call(
                "bob",
                "inccounter",
                "incrementBy",
                Dict::new().with("amount", int64(41)),
            )?
            .save("inccounter", "The Wasm counter, incremented to 42")?,
        fresh()
            .wasm(
                "erc20",
                Dict::new()
                    .with("supply", 1_000u64.to_le_bytes().to_vec())
                    .with("owner", user("alice").to_bytes()),
            )?
            .call(
                "alice",
                "erc20",
                "transfer",
                Dict::new()
                    .with("account", user("bob").to_bytes())
                    .with("amount", 250u64.to_le_bytes().to_vec()),
            )?
            .save("erc20", "ERC-20 in Rust: alice sends bob 250")?,
        fresh()
            .solidity("Token", "token", json!(["Play", "PLY", "100"]))?
            .save(
                "token-start",
                "Lesson start: alice's Solidity ERC-20 with 100 tokens",
            )?,
        fresh()
            .solidity("Token", "token", json!(["Play", "PLY", "1000"]))?
            .evm("alice", "token", "transfer", json!([address("bob"), "40"]))?
            .evm("bob", "token", "approve", json!([address("carol"), "15"]))?
            .save("token", "Solidity ERC-20: transfer and approve")?,
        fresh().wasm("inccounter", Dict::new())?.save(
            "crossvm-start",
            "Lesson start: the Wasm counter, for Solidity to call",
        )?,
        fresh()
            .wasm("inccounter", Dict::new())?
            .solidity("CrossVM", "crossvm", json!([]))?
            .evm("alice", "crossvm", "increment", json!(["2"]))?
            .save("crossvm", "Solidity increments the Wasm counter twice")?,
        fresh()
            .solidity("Vault", "vault", json!([]))?
            .post(
                Request::new(user("alice"), "vault", "deposit")
                    .param("args", "[]")
                    .param("evm.value", 1_000u64.to_le_bytes().to_vec()),
            )?
            .evm("alice", "vault", "withdraw", json!(["400000000000000"]))?
            .save(
                "vault",
                "msg.value: alice deposits 1000 base tokens, withdraws 400",
            )?,
    ];
    let text = serde_json::to_string_pretty(&index).map_err(|err| err.to_string())?;
    let path = public.join("sessions/index.json");
    std::fs::write(&path, text + "\n").map_err(|err| format!("{}: {err}", path.display()))
}

fn main() -> std::process::ExitCode {
    let public = std::env::args().nth(1).unwrap_or_else(|| "public".into());
    match build(Path::new(&public)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sessions: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
