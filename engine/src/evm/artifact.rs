//! Compiler artifacts in the shapes people bring, turned into [`EvmProgram`]s.
//!
//! Accepted: solc's standard-JSON output (`contracts.<file>.<name>` with
//! `abi` and `evm.bytecode.object`, one or many contracts); a Foundry artifact
//! (`abi`, `bytecode.object`); a Hardhat artifact (`contractName`, `abi`,
//! `bytecode` as hex); Remix's compiled JSON (`abi`, `data.bytecode.object`);
//! or plain `{ "abi": …, "bytecode": "0x…" }`.

use super::abi::{AbiError, EvmProgram};
use alloy_json_abi::JsonAbi;
use serde_json::Value;

/// What the accepted shapes are, for error messages.
pub const ACCEPTED_SHAPES: &str = "solc standard-JSON output, a Foundry artifact (out/X.sol/X.json), \
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
    fn other_shapes_get_a_message_naming_the_accepted_ones() {
        let err = programs_from_artifact(r#"{"hello": 1}"#).expect_err("unknown shape");
        assert!(err.to_string().contains("Foundry artifact"), "{err}");
        assert!(programs_from_artifact("not json").is_err());
        let err =
            programs_from_artifact(r#"{"abi": [], "bytecode": "0xzz"}"#).expect_err("bad hex");
        assert!(err.to_string().contains("not hex"), "{err}");
    }
}
