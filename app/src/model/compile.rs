//! In-page compilation, the parts that are plain Rust: the standard-JSON
//! input solc-js is given, its output read into deployable contracts and
//! problems, and compiler messages placed on lines and columns for the
//! editor's markers. The compilers themselves run elsewhere: WAT in the
//! engine worker (the `wat` crate), Solidity in solc-js's own worker.

use crate::model::contract::Deployable;
use crate::model::debug::DebugSource;
use crate::model::solc::{Settings, Version};
use isc_engine::session::Source;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The Solidity file every example imports, sent along with the user's.
pub const ISC_SOL: &str = "ISC.sol";

/// A compiler message, placed in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file it is in (the compiled file when solc names none).
    #[serde(default)]
    pub file: String,
    /// An error (else a warning).
    pub error: bool,
    /// The message.
    pub message: String,
    /// 1-based line and column where it starts …
    pub line: u32,
    /// …
    pub column: u32,
    /// … and where it ends.
    pub end_line: u32,
    /// …
    pub end_column: u32,
}

/// The 1-based (line, column) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// The standard-JSON input for compiling `file` among `units` (every
/// source unit it needs, by name: see [`crate::model::solc::gather`]) with `compiler`
/// and `settings`; output is asked for `file`'s contracts only.
pub fn solidity_input(
    file: &str,
    units: &BTreeMap<String, String>,
    compiler: Version,
    settings: Settings,
) -> String {
    let sources: serde_json::Map<String, serde_json::Value> = units
        .iter()
        .map(|(name, text)| (name.clone(), serde_json::json!({ "content": text })))
        .collect();
    let optimizer = match settings.optimizer {
        Some(runs) => serde_json::json!({ "enabled": true, "runs": runs }),
        None => serde_json::json!({ "enabled": false }),
    };
    serde_json::json!({
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "evmVersion": settings.evm_for(compiler).as_str(),
            "optimizer": optimizer,
            "metadata": { "bytecodeHash": "none" },
            "outputSelection": { file: { "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.linkReferences",
                "evm.deployedBytecode.sourceMap",
                "evm.methodIdentifiers",
                "storageLayout",
            ] } },
        },
    })
    .to_string()
}

/// What a Solidity compile produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// The deployable contracts of `file` (none if there were errors).
    pub programs: Vec<Deployable>,
    /// Errors and warnings in `file`, placed; others (in `ISC.sol`, or
    /// without a place) at line 1.
    pub problems: Vec<Problem>,
    /// What solc built for each contract of `file`, to read and take away.
    pub outputs: Vec<BuildOutput>,
}

/// A storage variable where solc laid it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The slot, as solc writes it (decimal).
    pub slot: String,
    /// The byte offset within the slot.
    pub offset: u64,
    /// The variable.
    pub label: String,
    /// Its type, as Solidity writes it.
    pub ty: String,
}

/// What solc built for one contract: what Remix shows under "Compilation
/// details" and a Hardhat or Foundry project keeps as an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOutput {
    /// The contract.
    pub name: String,
    /// Its source unit.
    pub source_name: String,
    /// The ABI, as JSON.
    pub abi: serde_json::Value,
    /// Creation bytecode, `0x` hex (library placeholders left in).
    pub bytecode: String,
    /// Runtime bytecode, `0x` hex.
    pub deployed_bytecode: String,
    /// Where libraries are linked into each, as solc says.
    pub link_references: (serde_json::Value, serde_json::Value),
    /// Function signature → 4-byte selector (hex), by signature.
    pub method_identifiers: Vec<(String, String)>,
    /// The storage layout (empty for a library or interface).
    pub storage: Vec<Slot>,
    /// The compiler's record (see [`crate::model::solc::Build`]).
    pub compiler: String,
    /// What maps its runtime code to the sources, for the debugger.
    pub debug: Option<DebugSource>,
}

impl BuildOutput {
    /// The contracts of `file` in solc standard-JSON `output`, compiled
    /// among `units` (by name).
    pub fn read_all(
        output: &serde_json::Value,
        file: &str,
        compiler: &str,
        units: &BTreeMap<String, String>,
    ) -> Vec<Self> {
        // The units by solc's id, for source maps.
        let by_id: BTreeMap<i64, (String, String)> = output
            .get("sources")
            .and_then(serde_json::Value::as_object)
            .map(|sources| {
                sources
                    .iter()
                    .filter_map(|(name, source)| {
                        let id = source.get("id")?.as_i64()?;
                        Some((id, (name.clone(), units.get(name)?.clone())))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let Some(contracts) = output
            .get("contracts")
            .and_then(|c| c.get(file))
            .and_then(serde_json::Value::as_object)
        else {
            return Vec::new();
        };
        contracts
            .iter()
            .map(|(name, contract)| {
                let mut output = Self::read(name, file, contract, compiler);
                let map = contract
                    .pointer("/evm/deployedBytecode/sourceMap")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                output.debug =
                    DebugSource::new(name, &output.deployed_bytecode, map, by_id.clone());
                output
            })
            .collect()
    }

    fn read(name: &str, file: &str, contract: &serde_json::Value, compiler: &str) -> Self {
        let at = |path: &[&str]| {
            path.iter()
                .try_fold(contract, |value, key| value.get(key))
                .cloned()
                .unwrap_or(serde_json::Value::Null)
        };
        let hex = |path: &[&str]| format!("0x{}", at(path).as_str().unwrap_or_default());
        let method_identifiers = at(&["evm", "methodIdentifiers"])
            .as_object()
            .map(|methods| {
                methods
                    .iter()
                    .map(|(signature, selector)| {
                        (
                            signature.clone(),
                            selector.as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let layout = at(&["storageLayout"]);
        let type_label = |ty: &str| {
            layout
                .get("types")
                .and_then(|types| types.get(ty))
                .and_then(|t| t.get("label"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or(ty)
                .to_owned()
        };
        let storage = layout
            .get("storage")
            .and_then(serde_json::Value::as_array)
            .map(|slots| {
                slots
                    .iter()
                    .map(|slot| Slot {
                        slot: slot
                            .get("slot")
                            .and_then(serde_json::Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        offset: slot
                            .get("offset")
                            .and_then(serde_json::Value::as_u64)
                            .unwrap_or(0),
                        label: slot
                            .get("label")
                            .and_then(serde_json::Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        ty: type_label(
                            slot.get("type")
                                .and_then(serde_json::Value::as_str)
                                .unwrap_or_default(),
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            name: name.to_owned(),
            source_name: file.to_owned(),
            abi: at(&["abi"]),
            bytecode: hex(&["evm", "bytecode", "object"]),
            deployed_bytecode: hex(&["evm", "deployedBytecode", "object"]),
            link_references: (
                at(&["evm", "bytecode", "linkReferences"]),
                at(&["evm", "deployedBytecode", "linkReferences"]),
            ),
            method_identifiers,
            storage,
            compiler: compiler.to_owned(),
            debug: None,
        }
    }

    /// The ABI, indented.
    pub fn abi_text(&self) -> String {
        serde_json::to_string_pretty(&self.abi).unwrap_or_default()
    }

    /// A Hardhat artifact (`hh-sol-artifact-1`, which Foundry and ethers
    /// read as well), with the compiler's record beside it.
    pub fn artifact(&self) -> String {
        let object = |v: &serde_json::Value| {
            if v.is_null() {
                serde_json::json!({})
            } else {
                v.clone()
            }
        };
        let artifact = serde_json::json!({
            "_format": "hh-sol-artifact-1",
            "contractName": self.name,
            "sourceName": self.source_name,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
            "linkReferences": object(&self.link_references.0),
            "deployedLinkReferences": object(&self.link_references.1),
            "compiler": self.compiler,
        });
        serde_json::to_string_pretty(&artifact).unwrap_or_default()
    }
}

/// Reads solc's standard-JSON output for `file`, compiled among `units`
/// (every source unit by name): problems placed in the unit they are in,
/// and `file`'s contracts, each keeping `source` (its text, project files
/// and compiler's record) so a share link can carry the source instead.
///
/// # Errors
/// A message if the output is not solc's JSON.
pub fn solidity_output(
    output: &str,
    file: &str,
    units: &BTreeMap<String, String>,
    source: &Source,
) -> Result<Compiled, String> {
    #[derive(Deserialize)]
    struct Location {
        file: String,
        start: i64,
        end: i64,
    }
    #[derive(Deserialize)]
    struct Message {
        severity: String,
        #[serde(rename = "formattedMessage", default)]
        formatted: String,
        #[serde(default)]
        message: String,
        #[serde(rename = "sourceLocation")]
        location: Option<Location>,
    }
    #[derive(Deserialize)]
    struct Output {
        #[serde(default)]
        errors: Vec<Message>,
    }
    let parsed: Output =
        serde_json::from_str(output).map_err(|err| format!("not solc output: {err}"))?;
    let problems: Vec<Problem> = parsed
        .errors
        .into_iter()
        .filter(|m| m.severity != "info")
        .map(|m| {
            let here = m
                .location
                .as_ref()
                .filter(|l| l.start >= 0)
                .and_then(|l| Some((l, units.get(&l.file)?)));
            let (start, end) = here.map_or((0, 0), |(l, _)| {
                (
                    usize::try_from(l.start).unwrap_or(0),
                    usize::try_from(l.end.max(l.start)).unwrap_or(0),
                )
            });
            let (in_file, text) = here.map_or((file, ""), |(l, text)| (l.file.as_str(), text));
            let ((line, column), (end_line, end_column)) =
                (position(text, start), position(text, end));
            let in_file = in_file.to_owned();
            let text = if m.formatted.is_empty() {
                m.message
            } else {
                m.formatted
            };
            Problem {
                file: in_file,
                error: m.severity == "error",
                message: text.trim_end().to_owned(),
                line,
                column,
                end_line,
                end_column: end_column.max(column + 1),
            }
        })
        .collect();
    if problems.iter().any(|p| p.error) {
        return Ok(Compiled {
            programs: Vec::new(),
            problems,
            outputs: Vec::new(),
        });
    }
    // Only the user's file's contracts: ISC.sol's library is not for deploying.
    let mut value: serde_json::Value =
        serde_json::from_str(output).map_err(|err| err.to_string())?;
    if let Some(contracts) = value.get_mut("contracts").and_then(|c| c.as_object_mut()) {
        contracts.retain(|name, _| name == file);
    }
    let programs = match Deployable::from_artifact(&value.to_string()) {
        Ok(mut programs) => {
            for program in &mut programs {
                program.sources.push(source.clone());
            }
            programs
        }
        Err(err) => {
            return Ok(Compiled {
                programs: Vec::new(),
                outputs: Vec::new(),
                problems: vec![Problem {
                    file: file.to_owned(),
                    error: true,
                    message: err,
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 2,
                }],
            });
        }
    };
    let compiler = source.compiler.as_deref().unwrap_or_default();
    let outputs = BuildOutput::read_all(&value, file, compiler, units);
    Ok(Compiled {
        programs,
        problems,
        outputs,
    })
}

/// A `wat` crate error message placed at the `--> <anon>:LINE:COL` it
/// names (line 1 if it names none).
pub fn wat_problem(message: &str) -> Problem {
    let place = message
        .split("-->")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .and_then(|at| {
            let mut parts = at.trim().rsplit(':');
            let column = parts.next()?.trim().parse::<u32>().ok()?;
            let line = parts.next()?.trim().parse::<u32>().ok()?;
            Some((line, column))
        });
    let (line, column) = place.unwrap_or((1, 1));
    Problem {
        file: String::new(),
        error: true,
        message: message.trim().to_owned(),
        line,
        column,
        end_line: line,
        end_column: column + 1,
    }
}

/// The UTF-16 offset of 1-based `line`:`column` in `text` (what a
/// textarea's selection counts), clamped to the text.
pub fn offset_of(text: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0usize;
    for (index, content) in text.split('\n').enumerate() {
        if index + 1 == line as usize {
            let within: usize = content
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf16)
                .sum();
            return u32::try_from(offset + within).unwrap_or(u32::MAX);
        }
        offset += content.encode_utf16().count() + 1;
    }
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// The file a TypeScript contract is compiled as in the editor (beside
/// WasmLib's `wasmlib/*.ts`, which it imports as `"./wasmlib"`).
pub const TYPESCRIPT_ENTRY: &str = "contract.ts";

/// The compiler record of a TypeScript source: `assemblyscript <version>`.
pub fn typescript_compiler(version: &str) -> String {
    format!("assemblyscript {version}")
}

/// The name a TypeScript contract is deployed under unless changed: its
/// schema's `name`, else `tscontract`.
pub fn typescript_name(text: &str) -> String {
    typescript_schema(text)
        .and_then(|schema| serde_json::from_str::<serde_json::Value>(schema).ok())
        .and_then(|schema| schema.get("name")?.as_str().map(str::to_owned))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "tscontract".to_owned())
}

/// The contract's schema, if its TypeScript source declares one: the JSON
/// object of a block comment that opens with `@schema` — the entry points
/// with their params and results (format `isc-playground-schema`), which
/// give the contract its forms, kept in the one file with the code.
pub fn typescript_schema(text: &str) -> Option<&str> {
    let start = text.find("/* @schema")? + "/* @schema".len();
    let rest = text.get(start..)?;
    let end = rest.find("*/")?;
    Some(rest.get(..end)?.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contract::LAYOUT_LANGUAGE;

    #[test]
    fn a_typescript_contract_declares_its_schema_in_a_block_comment() {
        let text =
            "// counter\n/* @schema\n{\"funcs\": []}\n*/\nexport function on_load(): void {}";
        assert_eq!(typescript_schema(text), Some("{\"funcs\": []}"));
        assert_eq!(typescript_schema("/* schema {} */"), None);
        assert_eq!(typescript_schema("/* @schema {} "), None, "unterminated");
        assert_eq!(typescript_compiler("0.28.20"), "assemblyscript 0.28.20");
        // Deployed under the schema's name, or a default.
        assert_eq!(
            typescript_name("/* @schema {\"name\": \"votes\"} */"),
            "votes"
        );
        assert_eq!(
            typescript_name("/* @schema {\"funcs\": []} */"),
            "tscontract"
        );
        assert_eq!(
            typescript_name("export function on_load(): void {}"),
            "tscontract"
        );
    }

    #[test]
    fn a_problem_position_is_an_offset_into_the_text() {
        let text = "ab\ncdé\nf";
        assert_eq!(offset_of(text, 1, 1), 0);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 3, 1), 7);
        assert_eq!(offset_of(text, 9, 1), 8);
    }

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let text = "ab\ncd\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 4), (2, 2));
        assert_eq!(position(text, 99), (3, 1));
    }

    #[test]
    fn solc_output_becomes_programs_or_placed_problems() {
        let source = "contract A {\n  uint x = ;\n}\n";
        let failed = r#"{"errors":[{"severity":"error","formattedMessage":"ParserError: Expected primary expression.","message":"Expected primary expression.","sourceLocation":{"file":"A.sol","start":24,"end":25}},{"severity":"warning","message":"elsewhere","sourceLocation":{"file":"ISC.sol","start":3,"end":4}}]}"#;
        let units = BTreeMap::from([
            ("A.sol".to_owned(), source.to_owned()),
            ("ISC.sol".to_owned(), "// isc\n".to_owned()),
        ]);
        let source_of = |text: &str| Source {
            language: "solidity".into(),
            text: text.into(),
            compiler: Some("solc-js 0".into()),
            ..Source::default()
        };
        let compiled =
            solidity_output(failed, "A.sol", &units, &source_of(source)).expect("solc JSON");
        assert!(compiled.programs.is_empty());
        assert_eq!(compiled.problems.len(), 2);
        let first = &compiled.problems[0];
        assert!(first.error);
        assert_eq!(
            (first.file.as_str(), first.line, first.column),
            ("A.sol", 2, 12)
        );
        assert_eq!(first.message, "ParserError: Expected primary expression.");
        // A problem in another file is placed in that file.
        let second = &compiled.problems[1];
        assert_eq!(
            (
                second.file.as_str(),
                second.line,
                second.column,
                second.error
            ),
            ("ISC.sol", 1, 4, false)
        );

        // The committed artifact of Storage is solc output of the same shape.
        let artifact = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/examples/solidity/Storage.json"
        ))
        .expect("artifact");
        let compiled = solidity_output(&artifact, "Storage.sol", &BTreeMap::new(), &source_of(""))
            .expect("solc JSON");
        assert_eq!(compiled.programs.len(), 1);
        assert_eq!(compiled.programs[0].name, "Storage");
        // The program keeps its source and compiler, for share links.
        let kept = &compiled.programs[0].sources;
        let solidity = kept
            .iter()
            .find(|s| s.language == "solidity")
            .expect("the source");
        assert_eq!(solidity.compiler.as_deref(), Some("solc-js 0"));
        // And the compiler's storage layout, for naming slots.
        assert!(kept.iter().any(|s| s.language == LAYOUT_LANGUAGE));
        // What a developer takes away: ABI, bytecode, layout, an artifact.
        let [output] = &compiled.outputs[..] else {
            panic!("one contract: {:?}", compiled.outputs);
        };
        assert_eq!(
            (output.name.as_str(), output.source_name.as_str()),
            ("Storage", "Storage.sol")
        );
        assert!(output.abi_text().contains("\"ValueChanged\""));
        assert!(output.bytecode.starts_with("0x60") && output.bytecode.len() > 100);
        assert_eq!(
            output.storage,
            [Slot {
                slot: "0".into(),
                offset: 0,
                label: "value".into(),
                ty: "uint256".into()
            }]
        );
        let artifact: serde_json::Value =
            serde_json::from_str(&output.artifact()).expect("artifact JSON");
        assert_eq!(artifact["_format"], "hh-sol-artifact-1");
        assert_eq!(artifact["contractName"], "Storage");
        assert_eq!(artifact["bytecode"], output.bytecode.as_str());
        assert_eq!(artifact["linkReferences"], serde_json::json!({}));
        assert_eq!(artifact["compiler"], "solc-js 0");
        assert!(solidity_output("nope", "A.sol", &units, &source_of("")).is_err());
        let units = BTreeMap::from([
            ("A.sol".to_owned(), source.to_owned()),
            (ISC_SOL.to_owned(), "// isc".to_owned()),
        ]);
        let input = |compiler: &str, settings| -> serde_json::Value {
            let compiler = compiler.parse().expect("version");
            serde_json::from_str(&solidity_input("A.sol", &units, compiler, settings))
                .expect("JSON")
        };
        let latest = input("0.8.37", Settings::default());
        assert_eq!(latest["settings"]["evmVersion"], "prague");
        assert_eq!(latest["settings"]["optimizer"]["runs"], 200);
        assert_eq!(latest["sources"]["ISC.sol"]["content"], "// isc");
        assert!(latest["settings"]["outputSelection"]["A.sol"].is_object());
        // An older compiler gets the newest EVM version it knows.
        let older = input(
            "0.8.19",
            Settings {
                optimizer: None,
                evm: None,
            },
        );
        assert_eq!(older["settings"]["evmVersion"], "paris");
        assert_eq!(older["settings"]["optimizer"]["enabled"], false);
    }

    #[test]
    fn wat_errors_are_placed_at_the_line_they_name() {
        let err = wat::parse_str("(module\n  (func (result i32)\n    i32.bogus))")
            .expect_err("bad WAT")
            .to_string();
        let problem = wat_problem(&err);
        assert_eq!(problem.line, 3, "{err}");
        assert!(problem.column > 1);
        assert_eq!(wat_problem("no place").line, 1);
    }
}
