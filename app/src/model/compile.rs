//! In-page compilation, the parts that are plain Rust: the standard-JSON
//! input solc-js is given, its output read into deployable contracts and
//! problems, and compiler messages placed on lines and columns for the
//! editor's markers. The compilers themselves run elsewhere: WAT in the
//! engine worker (the `wat` crate), Solidity in solc-js's own worker.

use crate::model::contract::Deployable;
use isc_engine::session::Source;
use serde::{Deserialize, Serialize};

/// The Solidity file every example imports, sent along with the user's.
pub const ISC_SOL: &str = "ISC.sol";

/// A compiler message, placed in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
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

/// The standard-JSON input for compiling `source` (as `file`) with the
/// playground's settings (EVM version Prague, optimizer on, as the bundled
/// examples are built), `ISC.sol` alongside.
pub fn solidity_input(file: &str, source: &str, isc_sol: &str) -> String {
    serde_json::json!({
        "language": "Solidity",
        "sources": {
            file: { "content": source },
            ISC_SOL: { "content": isc_sol },
        },
        "settings": {
            "evmVersion": "prague",
            "optimizer": { "enabled": true, "runs": 200 },
            "metadata": { "bytecodeHash": "none" },
            "outputSelection": { "*": { "*": ["abi", "evm.bytecode.object", "storageLayout"] } },
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
}

/// The name a source built by solc-js `version` records as its compiler.
pub fn compiler_name(version: &str) -> String {
    format!("solc-js {version}")
}

/// Reads solc's standard-JSON output for `file` (whose text is `source`,
/// built by `compiler`): each program keeps `source` as a Solidity source
/// naming its compiler, so a share link can carry the source instead.
///
/// # Errors
/// A message if the output is not solc's JSON.
pub fn solidity_output(
    output: &str,
    file: &str,
    source: &str,
    compiler: &str,
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
                .filter(|l| l.file == file && l.start >= 0);
            let (start, end) = here.map_or((0, 0), |l| {
                (
                    usize::try_from(l.start).unwrap_or(0),
                    usize::try_from(l.end.max(l.start)).unwrap_or(0),
                )
            });
            let ((line, column), (end_line, end_column)) =
                (position(source, start), position(source, end));
            let text = if m.formatted.is_empty() {
                m.message
            } else {
                m.formatted
            };
            Problem {
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
                program.sources.push(Source {
                    name: String::new(),
                    language: "solidity".into(),
                    text: source.to_owned(),
                    compiler: Some(compiler.to_owned()),
                });
            }
            programs
        }
        Err(err) => {
            return Ok(Compiled {
                programs: Vec::new(),
                problems: vec![Problem {
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
    Ok(Compiled { programs, problems })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contract::LAYOUT_LANGUAGE;

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
        let compiled = solidity_output(failed, "A.sol", source, "solc-js 0").expect("solc JSON");
        assert!(compiled.programs.is_empty());
        assert_eq!(compiled.problems.len(), 2);
        let first = &compiled.problems[0];
        assert!(first.error);
        assert_eq!((first.line, first.column), (2, 12));
        assert_eq!(first.message, "ParserError: Expected primary expression.");
        assert_eq!(
            (compiled.problems[1].line, compiled.problems[1].error),
            (1, false)
        );

        // The committed artifact of Storage is solc output of the same shape.
        let artifact = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/examples/solidity/Storage.json"
        ))
        .expect("artifact");
        let compiled =
            solidity_output(&artifact, "Storage.sol", "", "solc-js 0").expect("solc JSON");
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
        assert!(solidity_output("nope", "A.sol", "", "solc-js 0").is_err());
        let input: serde_json::Value =
            serde_json::from_str(&solidity_input("A.sol", source, "// isc")).expect("JSON");
        assert_eq!(input["settings"]["evmVersion"], "prague");
        assert_eq!(input["sources"]["ISC.sol"]["content"], "// isc");
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
