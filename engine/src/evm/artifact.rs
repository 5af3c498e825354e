//! Compiler artifacts in the shapes people bring, turned into [`EvmProgram`]s.
//!
//! Accepted: solc's standard-JSON output (`contracts.<file>.<name>` with
//! `abi` and `evm.bytecode.object`, one or many contracts); solc's
//! `--combined-json abi,bin` (`contracts.<file>:<name>` with `abi` and
//! `bin`); a Foundry artifact
//! (`abi`, `bytecode.object`); a Hardhat artifact (`contractName`, `abi`,
//! `bytecode` as hex); Remix's compiled JSON (`abi`, `data.bytecode.object`);
//! or plain `{ "abi": …, "bytecode": "0x…" }`.

use super::abi::{AbiError, EvmProgram, Library};
use alloy_json_abi::JsonAbi;
use serde_json::Value;
use sha3::Digest;

/// What the accepted shapes are, for error messages.
pub const ACCEPTED_SHAPES: &str = "solc standard-JSON output, solc --combined-json abi,bin, a Foundry artifact (out/X.sol/X.json), \
     a Hardhat artifact, Remix's compiled JSON, or {\"abi\": [...], \"bytecode\": \"0x...\"}";

/// Every deployable contract in an artifact, by name (`""` where the shape
/// does not name it).
///
/// # Errors
/// [`AbiError::Program`] naming the accepted shapes if none matches, or what
/// is wrong inside one that does.
pub fn programs_from_artifact(json: &str) -> Result<Vec<(String, EvmProgram)>, AbiError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|err| AbiError::Program(format!("the artifact is not JSON: {err}")))?;
    if let Some(contracts) = value.get("contracts").and_then(Value::as_object) {
        let mut programs = Vec::new();
        // `solc --combined-json abi,bin`: "file:Name" → {abi, bin}, the ABI
        // as JSON or (older solc) as JSON text.
        if contracts.values().any(|c| c.get("bin").is_some()) {
            for (key, contract) in contracts {
                let name = key.rsplit(':').next().unwrap_or(key).to_owned();
                let bin = contract.get("bin").and_then(Value::as_str);
                let Some(bin) = bin.filter(|b| !b.is_empty()) else {
                    continue;
                };
                let abi = match contract.get("abi") {
                    Some(Value::String(text)) => {
                        Some(serde_json::from_str(text).map_err(|err| {
                            AbiError::Program(format!("{key}: the ABI text is not JSON: {err}"))
                        })?)
                    }
                    other => other.cloned(),
                };
                let names: Vec<String> = contracts.keys().cloned().collect();
                programs.push((name, program(abi.as_ref(), bin, &names)?));
            }
            if programs.is_empty() {
                return Err(AbiError::Program(
                    "the solc output holds no deployable contract".into(),
                ));
            }
            return Ok(programs);
        }
        for file in contracts.values() {
            for (name, contract) in file.as_object().into_iter().flatten() {
                let bytecode = contract
                    .pointer("/evm/bytecode/object")
                    .and_then(Value::as_str);
                // Interfaces and abstract contracts have no bytecode: skip them.
                if let Some(bytecode) = bytecode.filter(|b| !b.is_empty()) {
                    let references = contract.pointer("/evm/bytecode/linkReferences");
                    programs.push((
                        name.clone(),
                        program(
                            contract.get("abi"),
                            bytecode,
                            &known_names(&value, references),
                        )?,
                    ));
                }
            }
        }
        if programs.is_empty() {
            return Err(AbiError::Program(
                "the solc output holds no deployable contract".into(),
            ));
        }
        return Ok(programs);
    }
    let name = value
        .get("contractName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let bytecode = value
        .get("bytecode")
        .and_then(|b| {
            b.as_str()
                .or_else(|| b.get("object").and_then(Value::as_str))
        })
        .or_else(|| {
            value
                .pointer("/data/bytecode/object")
                .and_then(Value::as_str)
        });
    let references = value
        .get("linkReferences")
        .or_else(|| value.pointer("/bytecode/linkReferences"));
    match (value.get("abi"), bytecode) {
        (Some(abi), Some(bytecode)) => Ok(vec![(
            name,
            program(Some(abi), bytecode, &known_names(&value, references))?,
        )]),
        _ => Err(AbiError::Program(format!(
            "unrecognised artifact; accepted are {ACCEPTED_SHAPES}"
        ))),
    }
}

/// The fully qualified names (`file:Name`) a placeholder may stand for:
/// the artifact's link references, and every contract of a solc output.
fn known_names(artifact: &Value, references: Option<&Value>) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |files: &Value| {
        for (file, entries) in files.as_object().into_iter().flatten() {
            for name in entries.as_object().into_iter().flatten().map(|(n, _)| n) {
                names.push(format!("{file}:{name}"));
            }
        }
    };
    if let Some(references) = references {
        add(references);
    }
    if let Some(contracts) = artifact.get("contracts") {
        add(contracts);
    }
    names
}

/// The libraries `bytecode` leaves placeholders for, each named from
/// `names` where one fits (`__$` + the first 17 bytes of keccak-256 of the
/// name, in hex, + `$__`), or from the placeholder itself (`__Name___`).
fn libraries(bytecode: &str, names: &[String]) -> Result<Vec<Library>, AbiError> {
    let mut found: Vec<Library> = Vec::new();
    let mut rest = bytecode;
    while let Some(at) = rest.find("__") {
        let placeholder = rest
            .get(at..at + 40)
            .filter(|p| p.ends_with("__"))
            .ok_or_else(|| {
                AbiError::Program(format!(
                    "the bytecode holds `{}`, not a library placeholder (40 characters)",
                    &rest[at..(at + 40).min(rest.len())]
                ))
            })?;
        rest = &rest[at + 40..];
        if found.iter().any(|l| l.placeholder == placeholder) {
            continue;
        }
        let name = match placeholder
            .strip_prefix("__$")
            .and_then(|p| p.strip_suffix("$__"))
        {
            Some(hash) => names
                .iter()
                .find(|name| {
                    const_hex::encode(&sha3::Keccak256::digest(name.as_bytes())[..17]) == hash
                })
                .cloned()
                .unwrap_or_else(|| format!("library {placeholder}")),
            None => placeholder.trim_matches('_').to_owned(),
        };
        found.push(Library {
            name,
            placeholder: placeholder.to_owned(),
        });
    }
    Ok(found)
}

fn program(abi: Option<&Value>, bytecode: &str, names: &[String]) -> Result<EvmProgram, AbiError> {
    let abi: JsonAbi = serde_json::from_value(abi.cloned().unwrap_or(Value::Array(Vec::new())))
        .map_err(|err| AbiError::Program(format!("invalid ABI: {err}")))?;
    let bytecode = if bytecode.starts_with("0x") {
        bytecode.to_owned()
    } else {
        format!("0x{bytecode}")
    };
    // solc's link placeholders: kept, to be linked before deploying.
    let libraries = libraries(&bytecode, names)?;
    let program = EvmProgram {
        abi,
        bytecode,
        libraries: Vec::new(),
    };
    if libraries.is_empty() {
        program.creation_code()?;
        return Ok(program);
    }
    // The rest must be hex: checked with the placeholders zeroed.
    let mut zeroed = program.clone();
    for library in &libraries {
        zeroed.bytecode = zeroed
            .bytecode
            .replace(&library.placeholder, &"0".repeat(40));
    }
    zeroed.creation_code()?;
    Ok(EvmProgram {
        libraries,
        ..program
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABI: &str = r#"[{"type":"function","name":"get","inputs":[],"outputs":[{"name":"","type":"uint256"}],"stateMutability":"view"}]"#;

    #[test]
    fn every_shape_loads() {
        let shapes = [
            format!(
                r#"{{"contracts":{{"A.sol":{{"A":{{"abi":{ABI},"evm":{{"bytecode":{{"object":"6001"}}}}}},"I":{{"abi":[],"evm":{{"bytecode":{{"object":""}}}}}}}}}}}}"#
            ),
            format!(
                r#"{{"abi":{ABI},"bytecode":{{"object":"0x6001","sourceMap":""}},"deployedBytecode":{{"object":"0x"}}}}"#
            ),
            format!(
                r#"{{"_format":"hh-sol-artifact-1","contractName":"A","abi":{ABI},"bytecode":"0x6001"}}"#
            ),
            format!(r#"{{"data":{{"bytecode":{{"object":"6001"}}}},"abi":{ABI}}}"#),
            format!(r#"{{"abi":{ABI},"bytecode":"0x6001"}}"#),
        ];
        for shape in &shapes {
            let programs =
                programs_from_artifact(shape).unwrap_or_else(|err| panic!("{shape}: {err}"));
            assert_eq!(programs.len(), 1, "{shape}");
            assert_eq!(programs[0].1.bytecode, "0x6001");
            assert!(programs[0].1.function("get").is_ok());
        }
    }

    #[test]
    fn solc_combined_json_loads_with_its_abi_as_json_or_as_text() {
        let escaped = ABI.replace('"', "\\\"");
        for abi in [ABI.to_owned(), format!("\"{escaped}\"")] {
            let combined = format!(
                r#"{{"contracts":{{"src/A.sol:A":{{"abi":{abi},"bin":"6001"}},"src/A.sol:I":{{"abi":[],"bin":""}}}},"version":"0.8.37"}}"#
            );
            let programs =
                programs_from_artifact(&combined).unwrap_or_else(|err| panic!("{combined}: {err}"));
            assert_eq!(programs.len(), 1, "{combined}");
            assert_eq!(programs[0].0, "A");
            assert!(programs[0].1.function("get").is_ok());
        }
    }

    #[test]
    fn libraries_are_named_from_link_references_and_linked_by_name() {
        // keccak-256("contracts/L.sol:L"), first 17 bytes.
        let hash = const_hex::encode(&sha3::Keccak256::digest(b"contracts/L.sol:L")[..17]);
        let hardhat = format!(
            r#"{{"contractName":"A","abi":{ABI},"bytecode":"0x6001__${hash}$__6001__${hash}$__",
                "linkReferences":{{"contracts/L.sol":{{"L":[{{"start":2,"length":20}}]}}}}}}"#
        );
        let program = programs_from_artifact(&hardhat).expect("loads").remove(0).1;
        assert_eq!(program.libraries.len(), 1, "one library, used twice");
        assert_eq!(program.libraries[0].name, "contracts/L.sol:L");
        let err = program.creation_code().expect_err("unlinked");
        assert!(err.to_string().contains("contracts/L.sol:L"), "{err}");
        let linked = program.link(&[("L".into(), [0xab; 20])]).expect("links");
        assert_eq!(
            linked.bytecode,
            format!("0x6001{}6001{}", "ab".repeat(20), "ab".repeat(20))
        );
        assert!(linked.libraries.is_empty());
        let err = program.link(&[]).expect_err("no address");
        assert!(
            err.to_string().contains("no address given for library"),
            "{err}"
        );
        // A placeholder that is not 40 characters is no placeholder.
        let broken = format!(r#"{{"abi":{ABI},"bytecode":"0x6001__$01$__"}}"#);
        assert!(programs_from_artifact(&broken).is_err());
    }

    #[test]
    fn other_shapes_get_a_message_naming_the_accepted_ones() {
        let err = programs_from_artifact(r#"{"hello": 1}"#).expect_err("unknown shape");
        assert!(err.to_string().contains("Foundry artifact"), "{err}");
        assert!(programs_from_artifact("not json").is_err());
        let err =
            programs_from_artifact(r#"{"abi": [], "bytecode": "0xzz"}"#).expect_err("bad hex");
        assert!(err.to_string().contains("not hex"), "{err}");
    }
}
