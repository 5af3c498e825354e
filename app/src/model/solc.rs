//! Which Solidity compiler builds a source, and how: the solc-js builds
//! the site ships, a source's `pragma solidity` ranges (the newest shipped
//! compiler that fits them all is picked when the person does not choose),
//! the settings a person may change (optimizer and runs, EVM version), the
//! record a built program keeps of all that (so a share link rebuilds it
//! the same way), and the `import`s a source needs supplied.
//!
//! Plain Rust, no crate: npm-style version ranges are a page of code here,
//! where the crates that parse them (with their error-reporting
//! dependencies) would cost the page's size budget far more.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A compiler version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// …
    pub major: u32,
    /// …
    pub minor: u32,
    /// …
    pub patch: u32,
}

impl Version {
    /// `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = String;

    /// `0.8.19`, or a build's long form `0.8.19+commit.7dd6d404…`.
    fn from_str(text: &str) -> Result<Self, String> {
        let short = text.split(['+', '-']).next().unwrap_or_default();
        let parts: Vec<u32> = short
            .trim()
            .split('.')
            .map(|p| p.parse::<u32>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("`{text}` is not a compiler version"))?;
        match parts[..] {
            [major, minor, patch] => Ok(Self::new(major, minor, patch)),
            _ => Err(format!("`{text}` is not a compiler version")),
        }
    }
}

/// An EVM version solc can target, oldest first (the ones a person may
/// still want; the chain itself runs Prague, which executes them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EvmVersion {
    /// …
    London,
    /// …
    Paris,
    /// …
    Shanghai,
    /// …
    Cancun,
    /// …
    Prague,
}

impl EvmVersion {
    /// Every version, oldest first.
    pub const ALL: [Self; 5] = [
        Self::London,
        Self::Paris,
        Self::Shanghai,
        Self::Cancun,
        Self::Prague,
    ];

    /// solc's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::London => "london",
            Self::Paris => "paris",
            Self::Shanghai => "shanghai",
            Self::Cancun => "cancun",
            Self::Prague => "prague",
        }
    }

    /// The first solc release that knows it.
    pub const fn since(self) -> Version {
        match self {
            Self::London => Version::new(0, 8, 7),
            Self::Paris => Version::new(0, 8, 18),
            Self::Shanghai => Version::new(0, 8, 20),
            Self::Cancun => Version::new(0, 8, 24),
            Self::Prague => Version::new(0, 8, 30),
        }
    }

    /// The newest one `compiler` knows (what it is given when the person
    /// picks none: a compiler's own default may be newer than the chain).
    pub fn newest_for(compiler: Version) -> Self {
        Self::ALL
            .into_iter()
            .rev()
            .find(|evm| evm.since() <= compiler)
            .unwrap_or(Self::London)
    }
}

impl FromStr for EvmVersion {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|evm| evm.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not an EVM version the playground offers"))
    }
}

/// The solc-js builds the site ships (npm `solc` at these versions), newest
/// first. The first is what the bundled examples are built with.
pub const BUNDLED: [Version; 4] = [
    Version::new(0, 8, 37),
    Version::new(0, 8, 28),
    Version::new(0, 8, 24),
    Version::new(0, 8, 19),
];

/// Where a bundled compiler is, relative to the page.
pub fn soljson_path(version: Version) -> String {
    format!("solc/{version}/soljson.js")
}

/// How solc is asked to build: what a person may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The optimizer's `runs`, or `None` for the optimizer off.
    pub optimizer: Option<u32>,
    /// The EVM version, or `None` for the newest the compiler knows.
    pub evm: Option<EvmVersion>,
}

/// The optimizer runs the examples are built with.
pub const DEFAULT_RUNS: u32 = 200;

impl Default for Settings {
    fn default() -> Self {
        Self {
            optimizer: Some(DEFAULT_RUNS),
            evm: None,
        }
    }
}

impl Settings {
    /// The EVM version `compiler` is given.
    pub fn evm_for(self, compiler: Version) -> EvmVersion {
        self.evm.unwrap_or_else(|| EvmVersion::newest_for(compiler))
    }
}

/// What a built program records as its compiler: the build's own version
/// string and the settings, as `solc-js <version>[ --no-optimize |
/// --optimize-runs N][ --evm-version V]` — flags only where the settings
/// differ from the defaults, so a program built before settings existed
/// (`solc-js <version>`) reads as built with the defaults, as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The compiler's own version string (`0.8.19+commit.7dd6d404…`).
    pub long_version: String,
    /// How it built.
    pub settings: Settings,
}

const PREFIX: &str = "solc-js ";

impl Build {
    /// The short version.
    ///
    /// # Errors
    /// A message if the long version does not start with one.
    pub fn version(&self) -> Result<Version, String> {
        self.long_version.parse()
    }

    /// The record's text.
    pub fn record(&self) -> String {
        let mut text = format!("{PREFIX}{}", self.long_version);
        match self.settings.optimizer {
            None => text.push_str(" --no-optimize"),
            Some(DEFAULT_RUNS) => {}
            Some(runs) => text.push_str(&format!(" --optimize-runs {runs}")),
        }
        if let (Some(evm), Ok(version)) = (self.settings.evm, self.version())
            && evm != EvmVersion::newest_for(version)
        {
            text.push_str(&format!(" --evm-version {}", evm.as_str()));
        }
        text
    }

    /// Reads a record.
    ///
    /// # Errors
    /// A message naming what is not understood.
    pub fn parse(record: &str) -> Result<Self, String> {
        let rest = record
            .strip_prefix(PREFIX)
            .ok_or_else(|| format!("`{record}` does not name solc-js"))?;
        let mut words = rest.split_whitespace();
        let long_version = words
            .next()
            .ok_or_else(|| format!("`{record}` names no version"))?
            .to_owned();
        long_version.parse::<Version>()?;
        let mut settings = Settings::default();
        while let Some(flag) = words.next() {
            match flag {
                "--no-optimize" => settings.optimizer = None,
                "--optimize-runs" => {
                    let runs = words
                        .next()
                        .and_then(|r| r.parse().ok())
                        .ok_or_else(|| format!("`{record}`: --optimize-runs needs a number"))?;
                    settings.optimizer = Some(runs);
                }
                "--evm-version" => {
                    settings.evm = Some(
                        words
                            .next()
                            .ok_or_else(|| format!("`{record}`: --evm-version needs a name"))?
                            .parse()?,
                    );
                }
                other => return Err(format!("`{record}`: unknown setting `{other}`")),
            }
        }
        Ok(Self {
            long_version,
            settings,
        })
    }
}

/// Text with its comments blanked out (strings kept, lines kept), for
/// reading pragmas and imports.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                out.push(c);
                while let Some(s) = chars.next() {
                    out.push(s);
                    if s == '\\' {
                        if let Some(escaped) = chars.next() {
                            out.push(escaped);
                        }
                    } else if s == c || s == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && s == '/' {
                        break;
                    }
                    last = s;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The statements of `text` that start with `keyword`, each from after
/// the keyword up to its `;` (a statement starts a text, or follows `;`,
/// `{` or `}`).
fn statements<'t>(text: &'t str, keyword: &'t str) -> impl Iterator<Item = &'t str> + 't {
    text.split(';').filter_map(move |statement| {
        let mut from = 0;
        loop {
            let at = from + statement.get(from..)?.find(keyword)?;
            let before = statement[..at].trim_end();
            let rest = &statement[at + keyword.len()..];
            let starts = before.is_empty() || before.ends_with(['{', '}']);
            if starts && rest.starts_with(|c: char| c.is_whitespace() || "\"'{*".contains(c)) {
                return Some(rest);
            }
            from = at + keyword.len();
        }
    })
}

/// The version ranges of a source's `pragma solidity` lines.
pub fn pragmas(text: &str) -> Vec<String> {
    statements(&without_comments(text), "pragma")
        .filter_map(|rest| rest.trim_start().strip_prefix("solidity"))
        .map(|range| range.trim().to_owned())
        .collect()
}

/// The paths a source imports, as written.
pub fn imports(text: &str) -> Vec<String> {
    statements(&without_comments(text), "import")
        .filter_map(|rest| {
            let start = rest.find(['"', '\''])?;
            let quote = rest[start..].chars().next()?;
            let path = &rest[start + 1..];
            Some(path[..path.find(quote)?].to_owned())
        })
        .collect()
}

/// The source unit an import of `path` in unit `from` names: relative
/// paths against `from`'s directory (`.` and `..` folded), others as they
/// are — as solc resolves them.
pub fn resolve(path: &str, from: &str) -> String {
    if !(path.starts_with("./") || path.starts_with("../")) {
        return path.to_owned();
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Every source unit `roots` need, by name: the roots, and what they
/// import, transitively, that `lookup` has. An import `lookup` lacks is
/// left out, for solc to report where it is written.
pub fn gather(
    roots: &BTreeMap<String, String>,
    lookup: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    let mut units = roots.clone();
    let mut todo: Vec<String> = roots.keys().cloned().collect();
    let mut missing = BTreeSet::new();
    while let Some(name) = todo.pop() {
        let Some(text) = units.get(&name) else {
            continue;
        };
        for path in imports(text) {
            let unit = resolve(&path, &name);
            if units.contains_key(&unit) || missing.contains(&unit) {
                continue;
            }
            match lookup(&unit) {
                Some(text) => {
                    units.insert(unit.clone(), text);
                    todo.push(unit);
                }
                None => {
                    missing.insert(unit);
                }
            }
        }
    }
    units
}

/// One comparator of a range: `version` compared by `op`.
#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A version as a range writes it: parts may be missing or wildcards.
fn partial(text: &str) -> Option<(u32, Option<u32>, Option<u32>)> {
    let mut parts = text.split('.').map(|p| match p {
        "x" | "X" | "*" => Ok(None),
        p => p.parse::<u32>().map(Some).map_err(|_| ()),
    });
    let major = parts.next()?.ok()??;
    let minor = parts.next().map_or(Some(None), Result::ok)?;
    let patch = parts.next().map_or(Some(None), Result::ok)?;
    if parts.next().is_some() || (minor.is_none() && patch.is_some()) {
        return None;
    }
    Some((major, minor, patch))
}

/// The comparators one range element stands for (`^0.8.19` is
/// `>=0.8.19 <0.9.0`, …), as npm and solc read them.
fn comparators(element: &str) -> Option<Vec<(Op, Version)>> {
    let (op, rest) = ["^", "~", ">=", "<=", ">", "<", "="]
        .into_iter()
        .find_map(|op| element.strip_prefix(op).map(|rest| (op, rest)))
        .unwrap_or(("", element));
    let (major, minor, patch) = partial(rest.trim())?;
    let low = Version::new(major, minor.unwrap_or(0), patch.unwrap_or(0));
    // The first version above the given one's precision.
    let next = match (minor, patch) {
        (None, _) => Version::new(major + 1, 0, 0),
        (Some(minor), None) => Version::new(major, minor + 1, 0),
        (Some(minor), Some(patch)) => Version::new(major, minor, patch + 1),
    };
    Some(match op {
        "^" => {
            let high = match (major, minor, patch) {
                (0, Some(0), Some(patch)) => Version::new(0, 0, patch + 1),
                (0, Some(minor), _) => Version::new(0, minor + 1, 0),
                _ => Version::new(major + 1, 0, 0),
            };
            vec![(Op::Ge, low), (Op::Lt, high)]
        }
        "~" => {
            let high = match minor {
                Some(minor) => Version::new(major, minor + 1, 0),
                None => Version::new(major + 1, 0, 0),
            };
            vec![(Op::Ge, low), (Op::Lt, high)]
        }
        ">=" => vec![(Op::Ge, low)],
        ">" if patch.is_some() => vec![(Op::Gt, low)],
        ">" => vec![(Op::Ge, next)],
        "<" => vec![(Op::Lt, low)],
        "<=" if patch.is_some() => vec![(Op::Le, low)],
        "<=" => vec![(Op::Lt, next)],
        _ if patch.is_some() => vec![(Op::Eq, low)],
        _ => vec![(Op::Ge, low), (Op::Lt, next)],
    })
}

/// Whether `version` is in the npm-style `range` (`^0.8.19`, `>=0.8.0
/// <0.9.0`, `0.8.19`, `0.8.0 - 0.8.20`, alternatives with `||`).
///
/// # Errors
/// A message if the range cannot be read.
pub fn satisfies(range: &str, version: Version) -> Result<bool, String> {
    let unreadable = || format!("cannot read the version range `{range}`");
    let mut any = false;
    for alternative in range.split("||") {
        let words: Vec<&str> = alternative.split_whitespace().collect();
        // `a - b` is `>=a <=b`; an operator may stand apart (`>= 0.8.0`).
        let mut elements = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if words.get(i + 1) == Some(&"-") {
                let high = words.get(i + 2).ok_or_else(unreadable)?;
                elements.push(format!(">={}", words[i]));
                elements.push(format!("<={high}"));
                i += 3;
            } else if words[i].chars().all(|c| "<>=^~".contains(c)) {
                let version = words.get(i + 1).ok_or_else(unreadable)?;
                elements.push(format!("{}{version}", words[i]));
                i += 2;
            } else {
                elements.push(words[i].to_owned());
                i += 1;
            }
        }
        if elements.is_empty() {
            return Err(unreadable());
        }
        let mut all = true;
        for element in &elements {
            for (op, bound) in comparators(element).ok_or_else(unreadable)? {
                all &= match op {
                    Op::Eq => version == bound,
                    Op::Lt => version < bound,
                    Op::Le => version <= bound,
                    Op::Gt => version > bound,
                    Op::Ge => version >= bound,
                };
            }
        }
        any |= all;
    }
    Ok(any)
}

/// The newest bundled compiler that fits every `pragma solidity` of
/// `sources`.
///
/// # Errors
/// A message naming the ranges if no bundled compiler fits, or one that
/// cannot be read.
pub fn pick<'s>(sources: impl IntoIterator<Item = &'s str>) -> Result<Version, String> {
    let ranges: BTreeSet<String> = sources.into_iter().flat_map(pragmas).collect();
    for version in BUNDLED {
        let mut fits = true;
        for range in &ranges {
            fits &= satisfies(range, version)?;
        }
        if fits {
            return Ok(version);
        }
    }
    let bundled: Vec<String> = BUNDLED.iter().map(Version::to_string).collect();
    Err(format!(
        "no compiler the playground ships fits `pragma solidity {}` (it ships solc {})",
        ranges.into_iter().collect::<Vec<_>>().join("` and `"),
        bundled.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().expect("version")
    }

    #[test]
    fn ranges_read_as_npm_and_solc_read_them() {
        let cases = [
            ("^0.8.19", "0.8.19", true),
            ("^0.8.19", "0.8.37", true),
            ("^0.8.19", "0.8.18", false),
            ("^0.8.19", "0.9.0", false),
            ("^0.8", "0.8.0", true),
            ("^0.0.3", "0.0.4", false),
            ("^1.2.3", "1.9.0", true),
            ("~0.8.19", "0.8.30", true),
            ("~0.8.19", "0.9.0", false),
            ("0.8.19", "0.8.19", true),
            ("0.8.19", "0.8.20", false),
            ("=0.8.19", "0.8.19", true),
            ("0.8", "0.8.37", true),
            ("0.8.x", "0.8.37", true),
            ("0.8.x", "0.7.6", false),
            (">=0.8.0 <0.9.0", "0.8.28", true),
            (">=0.8.0 <0.9.0", "0.9.0", false),
            (">= 0.8.0 < 0.8.20", "0.8.19", true),
            (">= 0.8.0 < 0.8.20", "0.8.20", false),
            (">0.8.19", "0.8.19", false),
            (">0.8.19", "0.8.20", true),
            (">0.8", "0.8.37", false),
            ("<=0.8", "0.8.37", true),
            ("<=0.8.19", "0.8.19", true),
            (">=0.4.16", "0.8.19", true),
            ("0.8.0 - 0.8.20", "0.8.20", true),
            ("0.8.0 - 0.8.20", "0.8.24", false),
            ("^0.7.0 || ^0.8.24", "0.8.24", true),
            ("^0.7.0 || ^0.8.24", "0.8.19", false),
        ];
        for (range, version, expected) in cases {
            assert_eq!(
                satisfies(range, v(version)),
                Ok(expected),
                "{version} in {range}"
            );
        }
        for bad in ["", "^", "banana", "0.8.19 -", ">="] {
            assert!(satisfies(bad, v("0.8.19")).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_newest_shipped_compiler_that_fits_every_pragma_is_picked() {
        let at = |range: &str| format!("// SPDX\npragma solidity {range};\ncontract A {{}}\n");
        assert_eq!(pick([at("^0.8.24").as_str()]), Ok(v("0.8.37")));
        assert_eq!(pick([at("0.8.19").as_str()]), Ok(v("0.8.19")));
        assert_eq!(pick([at(">=0.8.0 <0.8.25").as_str()]), Ok(v("0.8.24")));
        // Every file counts: an imported file's pragma narrows the choice.
        assert_eq!(
            pick([at("^0.8.20").as_str(), at("<0.8.29").as_str()]),
            Ok(v("0.8.28"))
        );
        // None: the latest.
        assert_eq!(pick(["contract A {}"]), Ok(BUNDLED[0]));
        let err = pick([at("^0.7.6").as_str()]).expect_err("none fits");
        assert!(err.contains("^0.7.6") && err.contains("0.8.19"), "{err}");
        // A pragma in a comment is no pragma.
        assert_eq!(
            pick(["// pragma solidity 0.8.19;\n/* pragma solidity 0.8.24; */ contract A {}"]),
            Ok(BUNDLED[0])
        );
    }

    #[test]
    fn imports_are_read_in_every_form_and_resolved_as_solc_does() {
        let text = r#"
            // import "commented.sol";
            pragma solidity ^0.8.20;
            import "./ISC.sol";
            import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
            import * as Lib from '../lib/Lib.sol';
            import "./A.sol" as A;
            contract C { string s = "import \"no.sol\";"; }
        "#;
        assert_eq!(
            imports(text),
            [
                "./ISC.sol",
                "@openzeppelin/contracts/token/ERC20/ERC20.sol",
                "../lib/Lib.sol",
                "./A.sol"
            ]
        );
        assert_eq!(resolve("./ISC.sol", "Contract.sol"), "ISC.sol");
        assert_eq!(
            resolve(
                "../../utils/Context.sol",
                "@openzeppelin/contracts/token/ERC20/ERC20.sol"
            ),
            "@openzeppelin/contracts/utils/Context.sol"
        );
        assert_eq!(resolve("x/Y.sol", "a/b.sol"), "x/Y.sol");

        let library: BTreeMap<&str, &str> = [
            ("a/A.sol", "import \"./B.sol\"; import \"../c/C.sol\";"),
            ("a/B.sol", "import './A.sol';"),
            ("c/C.sol", "contract C {}"),
        ]
        .into();
        let roots = BTreeMap::from([(
            "Main.sol".to_owned(),
            "import \"a/A.sol\"; import \"gone.sol\";".to_owned(),
        )]);
        let units = gather(&roots, |name| library.get(name).map(|t| (*t).to_owned()));
        assert_eq!(
            units.keys().collect::<Vec<_>>(),
            ["Main.sol", "a/A.sol", "a/B.sol", "c/C.sol"]
        );
    }

    #[test]
    fn a_build_record_reads_back_and_old_records_mean_the_defaults() {
        let old = Build::parse("solc-js 0.8.37+commit.abcdef.Emscripten.clang").expect("old");
        assert_eq!(old.settings, Settings::default());
        assert_eq!(old.version(), Ok(v("0.8.37")));
        assert_eq!(
            old.record(),
            "solc-js 0.8.37+commit.abcdef.Emscripten.clang"
        );
        let builds = [
            Settings {
                optimizer: None,
                evm: Some(EvmVersion::London),
            },
            Settings {
                optimizer: Some(1000),
                evm: None,
            },
        ];
        for settings in builds {
            let build = Build {
                long_version: "0.8.19+commit.7dd6d404".into(),
                settings,
            };
            assert_eq!(Build::parse(&build.record()), Ok(build));
        }
        // Naming the default EVM version is the same record as naming none.
        let explicit = Build {
            long_version: "0.8.19+commit.7dd6d404".into(),
            settings: Settings {
                evm: Some(EvmVersion::Paris),
                ..Settings::default()
            },
        };
        assert_eq!(explicit.record(), "solc-js 0.8.19+commit.7dd6d404");
        for bad in [
            "solc 0.8.19",
            "solc-js",
            "solc-js x.y",
            "solc-js 0.8.19 --fast",
            "solc-js 0.8.19 --evm-version frontier",
        ] {
            assert!(Build::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(EvmVersion::newest_for(v("0.8.24")), EvmVersion::Cancun);
        assert_eq!(EvmVersion::newest_for(v("0.8.37")), EvmVersion::Prague);
    }
}
