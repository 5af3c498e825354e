//! The bundled examples: what the gallery lists. Their files are fetched
//! from `examples/` when chosen (and cached by the service worker), so the
//! page's own binary stays small.

use crate::model::contract::Deployable;
use isc_engine::VmType;

/// One bundled example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// Its name (and the suggested contract name, lower-cased).
    pub name: &'static str,
    /// Solidity (EVM) or WasmLib (Wasm).
    pub kind: Kind,
    /// A paragraph for people.
    pub description: &'static str,
}

/// How an example is stored under `examples/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `examples/<name>/<name>.wasm`, `schema.json` and `source.rs` (its
    /// Rust sources against WasmLib, concatenated).
    Wasm,
    /// `examples/solidity/<Name>.json` (solc standard-JSON) and `<Name>.sol`.
    Solidity,
    /// `examples/<name>/<name>.wasm`, `schema.json` (from the source's
    /// `@schema` block) and `source.ts` (TypeScript against WasmLib, built
    /// with AssemblyScript).
    TypeScript,
}

impl Example {
    /// The VM it runs on.
    pub fn vm(&self) -> VmType {
        match self.kind {
            Kind::Wasm | Kind::TypeScript => VmType::WASM,
            Kind::Solidity => VmType::EVM,
        }
    }

    /// The language it is written in, for people.
    pub fn language(&self) -> &'static str {
        match self.kind {
            Kind::Wasm => "Rust",
            Kind::Solidity => "Solidity",
            Kind::TypeScript => "TypeScript",
        }
    }

    /// The files to fetch for deploying it, relative to the page.
    pub fn program_files(&self) -> Vec<String> {
        let name = self.name;
        match self.kind {
            Kind::Wasm | Kind::TypeScript => vec![
                format!("examples/{name}/{name}.wasm"),
                format!("examples/{name}/schema.json"),
            ],
            Kind::Solidity => vec![format!("examples/solidity/{name}.json")],
        }
    }

    /// Its source file, relative to the page, and the source's language.
    pub fn source_file(&self) -> (String, &'static str) {
        let name = self.name;
        match self.kind {
            Kind::Wasm => (format!("examples/{name}/source.rs"), "rust"),
            Kind::Solidity => (format!("examples/solidity/{name}.sol"), "solidity"),
            Kind::TypeScript => (format!("examples/{name}/source.ts"), "typescript"),
        }
    }
}

/// The values a share link may leave out because the page has them in
/// an example's `files` (see [`Example::program_files`]): the bytes of each
/// program they give and the text of each source kept with it.
pub fn bundled_values(files: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    Deployable::from_files(files)
        .map(|found| {
            found
                .into_iter()
                .flat_map(|program| {
                    let sources = program.sources.into_iter().map(|s| s.text.into_bytes());
                    std::iter::once(program.binary).chain(sources)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Where a file the page fetches (`examples/…`) is written in the
/// repository, for native tests: a schema beside its contract in
/// `contracts/` (the site serves a copy the build makes), builds under
/// `public/`.
#[cfg(test)]
pub(crate) fn repo_file(path: &str) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match path
        .strip_prefix("examples/")
        .and_then(|rest| rest.strip_suffix("/schema.json"))
    {
        // A TypeScript example's schema is written from its source's
        // `@schema` block by the build.
        Some(name)
            if root
                .join("contracts/ts")
                .join(format!("{name}.ts"))
                .exists() =>
        {
            let schema = std::env::temp_dir().join(format!("isc-playground-{name}-schema.json"));
            let text =
                std::fs::read_to_string(root.join("contracts/ts").join(format!("{name}.ts")))
                    .expect("the TypeScript example");
            let block = crate::model::compile::typescript_schema(&text).expect("its @schema block");
            std::fs::write(&schema, block).expect("a temporary schema file");
            schema
        }
        Some(name) => root.join("contracts").join(name).join("schema.json"),
        None => root.join("public").join(path),
    }
}

/// The bundled examples, Wasm first.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "inccounter",
        kind: Kind::Wasm,
        description: "A counter in Rust against WasmLib; its state is one Int64, counter. increment adds 1, incrementBy adds an amount; callIncrement adds 1 and calls increment through the sandbox (+2 in all); callIncrementRecurse5x adds 1 and calls itself until the counter reaches 5. getCounter reads it.",
    },
    Example {
        name: "tscounter",
        kind: Kind::TypeScript,
        description: "The same counter written in TypeScript against WasmLib and compiled with AssemblyScript: every entry point ends as inccounter's does, with the same state (the calls to itself, the posted incrementWithDelay and repeatMany too). Open it in the editor to change it and compile it in the page.",
    },
    Example {
        name: "erc20",
        kind: Kind::Wasm,
        description: "ERC-20 written in Rust for the Wasm VM: init mints the supply to an owner; transfer, approve and transferFrom emit events; balances are keyed by agent id.",
    },
    Example {
        name: "tserc20",
        kind: Kind::TypeScript,
        description: "The same ERC-20 written in TypeScript against WasmLib: the same entry points, state layout (balances.<agent id>, allAllowances.<owner>.<delegate>), events and errors as erc20. Open it in the editor to change it.",
    },
    Example {
        name: "fairroulette",
        kind: Kind::Wasm,
        description: "Bet base tokens on a number from 1 to 8 (allow the stake); payWinners draws the number from the block's entropy, so a replayed session draws the same.",
    },
    Example {
        name: "tsfairroulette",
        kind: Kind::TypeScript,
        description: "The same roulette written in TypeScript: bets in a WasmLib array of encoded structs, the number drawn with random() from the entropy, winners paid through the accounts contract.",
    },
    Example {
        name: "testcore",
        kind: Kind::Wasm,
        description: "A tour of the sandbox: caller, owner, timestamp, entropy, events, nested calls (deploy inccounter first), a panic, an endless loop and a memory bomb.",
    },
    Example {
        name: "tstestcore",
        kind: Kind::TypeScript,
        description: "The same tour of the sandbox written in TypeScript: every entry point of testcore, with the same results and errors (deploy inccounter first for the nested calls).",
    },
    Example {
        name: "Storage",
        kind: Kind::Solidity,
        description: "The smallest Solidity contract: set a number, get it back, see the event.",
    },
    Example {
        name: "Token",
        kind: Kind::Solidity,
        description: "An ERC-20 in Solidity with OpenZeppelin's interface: constructor (name, symbol, supply); custom errors show decoded when a transfer overspends.",
    },
    Example {
        name: "Ballot",
        kind: Kind::Solidity,
        description: "Vote once per address on proposals given to the constructor as a string array, e.g. [\"rust\",\"go\"].",
    },
    Example {
        name: "Reverter",
        kind: Kind::Solidity,
        description: "Every way a call fails: a reason string, a custom error, a panic, an endless loop.",
    },
    Example {
        name: "CrossVM",
        kind: Kind::Solidity,
        description: "Solidity calling the Wasm inccounter through the ISC magic contract (deploy inccounter first): the trace crosses from evm to wasmvm.",
    },
    Example {
        name: "Vault",
        kind: Kind::Solidity,
        description: "Value on an ISC chain: deposit sends base tokens as msg.value (1 token = 10^12 wei) into the contract's chain account; allowTo and pull move funds between contracts with the magic contract's allow/takeAllowedFunds.",
    },
];

/// The example named `name`.
pub fn find(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_its_files_and_they_parse() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/");
        let read = |path: &str| std::fs::read(repo_file(path)).expect(path);
        assert_eq!(EXAMPLES.len(), 14);
        for example in EXAMPLES {
            let files: Vec<(String, Vec<u8>)> = example
                .program_files()
                .into_iter()
                .map(|path| {
                    let bytes = read(&path);
                    (path, bytes)
                })
                .collect();
            let found = Deployable::from_files(&files).expect("deployable");
            let program = found
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(example.name))
                .expect("the example's own program");
            assert_eq!(program.vm, example.vm());
            assert!(!program.raw_init, "{}: typed", example.name);
            // Its source, as written in contracts/ (the site serves a copy
            // the build makes).
            let written = match example.kind {
                Kind::Wasm => format!("contracts/{0}/src/{0}.rs", example.name),
                Kind::Solidity => format!("contracts/solidity/{}.sol", example.name),
                Kind::TypeScript => format!("contracts/ts/{}.ts", example.name),
            };
            let path = format!("{root}../{written}");
            assert!(std::path::Path::new(&path).exists(), "{path}");
        }
        let vault = find("Vault").expect("Vault");
        let files = vault
            .program_files()
            .into_iter()
            .map(|path| {
                let bytes = read(&path);
                (path, bytes)
            })
            .collect::<Vec<_>>();
        let program = Deployable::from_files(&files).expect("vault").remove(0);
        let payable: Vec<_> = program
            .interface
            .entries
            .iter()
            .filter(|e| e.payable)
            .collect();
        assert_eq!(payable.len(), 1);
        assert_eq!(payable[0].name, "deposit");
    }
}
