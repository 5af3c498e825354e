//! Compiler artifacts in the shapes people bring, turned into [`EvmProgram`]s.
//!
//! Accepted: solc's standard-JSON output (`contracts.<file>.<name>` with
//! `abi` and `evm.bytecode.object`, one or many contracts); solc's
//! `--combined-json abi,bin` (`contracts.<file>:<name>` with `abi` and
//! `bin`); a Foundry artifact
//! (`abi`, `bytecode.object`); a Hardhat artifact (`contractName`, `abi`,
//! `bytecode` as hex); Remix's compiled JSON (`abi`, `data.bytecode.object`);
//! or plain `{ "abi": …, "bytecode": "0x…" }`.

use super::abi::{AbiError, EvmProgram};
use alloy_json_abi::JsonAbi;
use serde_json::Value;

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
                programs.push((name, program(abi.as_ref(), bin)?));
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
                    programs.push((name.clone(), program(contract.get("abi"), bytecode)?));
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
    match (value.get("abi"), bytecode) {
        (Some(abi), Some(bytecode)) => Ok(vec![(name, program(Some(abi), bytecode)?)]),
        _ => Err(AbiError::Program(format!(
            "unrecognised artifact; accepted are {ACCEPTED_SHAPES}"
        ))),
    }
}

fn program(abi: Option<&Value>, bytecode: &str) -> Result<EvmProgram, AbiError> {
    let abi: JsonAbi = serde_json::from_value(abi.cloned().unwrap_or(Value::Array(Vec::new())))
        .map_err(|err| AbiError::Program(format!("invalid ABI: {err}")))?;
    // solc's link placeholders: `__$<34 hex>$__` (or `__<path:Name>__`).
    if let Some(at) = bytecode.find("__") {
        let placeholder: String = bytecode[at..].chars().take(40).collect();
        return Err(AbiError::Program(format!(
            "the bytecode calls an unlinked library (placeholder `{placeholder}`): deploy the \
             library, link its address into the bytecode (solc --libraries, Hardhat's \
             `libraries`, Foundry's --libraries) and upload the linked artifact"
        )));
    }
    let bytecode = if bytecode.starts_with("0x") {
        bytecode.to_owned()
    } else {
        format!("0x{bytecode}")
    };
    let program = EvmProgram { abi, bytecode };
    program.creation_code()?;
    Ok(program)
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
    fn bytecode_with_unlinked_libraries_says_so() {
        let hardhat = format!(
            r#"{{"contractName":"A","abi":{ABI},"bytecode":"0x6001__$0123456789abcdef0123456789abcdef01$__6001"}}"#
        );
        let err = programs_from_artifact(&hardhat).expect_err("unlinked");
        assert!(err.to_string().contains("unlinked library"), "{err}");
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
