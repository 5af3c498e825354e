//! Sessions: a versioned transcript that replays to the same chain.
//!
//! A session is the chain config, the ordered requests (deploys are requests
//! too: `blob.storeBlob` carries the program binary, `root.deployContract`
//! names it) and, for people, the sources the programs were built from.
//! Replaying it on a new chain gives the same blocks, receipts and state
//! hash, on every machine.
//!
//! The JSON form starts with `"format": "isc-playground-session"` and a
//! `"version"`; a reader refuses versions it does not know with a message
//! that says which it knows.

use crate::chain::receipt::{Receipt, Step};
use crate::chain::{Chain, ChainConfig, ChainError, ConfigError, StateHash};
use crate::ids::Hash;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` tag of a session file.
pub const SESSION_FORMAT: &str = "isc-playground-session";
/// The newest session version, the one this build writes when a session
/// needs it: 2 adds the steps besides requests (queue, run a block,
/// advance time); 3 adds sources of several files (a source's `path` and
/// `files`); 4 names the Wasm engine chosen; 5 a chain whose receipts are
/// kept in the compact form (`config.receipt_form`, every new chain's). A
/// session is written as the lowest version that holds it (requests alone
/// on a chain from before the compact form: version 1, which every earlier
/// build reads).
pub const SESSION_VERSION: u32 = 5;
/// The session versions this build reads.
pub const SESSION_VERSIONS: &[u32] = &[1, 2, 3, 4, SESSION_VERSION];

/// The engine a session's Wasm calls run on, where the runner has a
/// choice (a browser: its own WebAssembly or wasmi). It changes nothing
/// the chain holds: every engine ends a request alike
/// ([`crate::wasmvm::runtime`]); it is kept so a link opens as it was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WasmEngineChoice {
    /// The browser's own WebAssembly, wherever it can end a call as
    /// wasmi would (the default).
    Browser,
    /// wasmi alone, the reference interpreter.
    Wasmi,
}

/// The file name a source without a `path` was compiled as.
pub const DEFAULT_SOURCE_PATH: &str = "Contract.sol";

/// A contract's source, kept with the session for whoever opens it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The contract's name.
    pub name: String,
    /// `rust`, `go`, `solidity`, `wat`, …
    pub language: String,
    /// The source text.
    pub text: String,
    /// The compiler that built the program from it, when the page did
    /// (`solc` and its version): a share link may then carry the source
    /// alone and rebuild the program on open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiler: Option<String>,
    /// The file's name in its project, when it is not
    /// [`DEFAULT_SOURCE_PATH`] (session version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The other files of its project it was compiled with, by path
    /// (session version 3); libraries the site ships are not among them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

impl Source {
    /// Whether only session version 3 holds it.
    fn needs_version_3(&self) -> bool {
        self.path.is_some() || !self.files.is_empty()
    }
}

/// A replayable transcript of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    format: String,
    /// Always [`SESSION_VERSION`] in memory: the version written is the
    /// lowest that holds the session, and [`Session::from_json`] checks the
    /// one read before anything else.
    #[serde(deserialize_with = "current_version")]
    version: u32,
    /// How the chain starts.
    pub config: ChainConfig,
    /// Sources of the deployed programs (informational).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// What was done, in order: requests (each runs first in a block of
    /// its own), and from version 2 requests queued, blocks run and time
    /// advanced.
    pub requests: Vec<Step>,
    /// From version 4: the Wasm engine chosen, if one was (none: the
    /// runner's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasm_engine: Option<WasmEngineChoice>,
}

fn current_version<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    u32::deserialize(d).map(|_| SESSION_VERSION)
}

/// A session is written as the lowest version that holds it, so a file or
/// link of requests alone opens in builds from before version 2.
impl Serialize for Session {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            format: &'a str,
            version: u32,
            config: &'a ChainConfig,
            #[serde(skip_serializing_if = "<[Source]>::is_empty")]
            sources: &'a [Source],
            requests: &'a [Step],
            #[serde(skip_serializing_if = "Option::is_none")]
            wasm_engine: Option<WasmEngineChoice>,
        }
        Form {
            format: &self.format,
            version: self.lowest_version(),
            config: &self.config,
            sources: &self.sources,
            requests: &self.requests,
            wasm_engine: self.wasm_engine,
        }
        .serialize(s)
    }
}

/// Why a session could not be read or replayed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Not JSON, or not a session's shape.
    #[error("not a valid session file: {0}")]
    Json(String),
    /// The `format` tag is missing or wrong.
    #[error("not a session file: expected \"format\": \"{SESSION_FORMAT}\"")]
    Format,
    /// A version this build does not know.
    #[error("session version {found} is not supported (this build reads versions 1 to 5)")]
    UnknownVersion {
        /// The file's version.
        found: u64,
    },
    /// The chain config is out of bounds.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A version 1 session holds a step only version 2 has.
    #[error("step {index} needs session version 2; the file says version 1")]
    StepNeedsVersion2 {
        /// The step's position, from 0.
        index: usize,
    },
    /// A session before version 3 holds a source of several files.
    #[error(
        "source {index} has several files, which needs session version 3; the file says version {found}"
    )]
    SourceNeedsVersion3 {
        /// The source's position, from 0.
        index: usize,
        /// The file's version.
        found: u64,
    },
    /// A version 1–3 session names a Wasm engine.
    #[error(
        "the session names a Wasm engine, which needs session version 4; the file says version {found}"
    )]
    EngineNeedsVersion4 {
        /// The file's version.
        found: u64,
    },
    /// A version 1–4 session names a receipt form.
    #[error(
        "the session's chain keeps its receipts in the `{form}` form, which needs session version 5; the file says version {found}"
    )]
    ReceiptFormNeedsVersion5 {
        /// The form named.
        form: &'static str,
        /// The file's version.
        found: u64,
    },
    /// The chain refused a step while replaying.
    #[error("step {index} could not be replayed: {source}")]
    Request {
        /// The request's position, from 0.
        index: usize,
        /// Why.
        source: ChainError,
    },
}

/// The prefix of a share link's payload in the URL fragment.
pub const LINK_PREFIX: &str = "s=";
/// The prefix of a lesson link's payload in the URL fragment.
pub const LESSON_PREFIX: &str = "l=";
/// The language under which a WasmLib contract's `schema.json` is kept
/// among a session's sources (under the contract's name), so a replay
/// knows its entry points' types.
pub const SCHEMA_LANGUAGE: &str = "schema.json";
/// The version tag a share link is written with: 2 may leave out values
/// the opening page has in its bundled files ([`Omitted`]).
pub const LINK_VERSION: &str = "2";
/// The share link versions this build reads (1 never leaves anything out).
pub const LINK_VERSIONS: &[&str] = &["1", LINK_VERSION];
/// The version tag of a lesson link.
pub const LESSON_LINK_VERSION: &str = "1";
/// A value shorter than this is always written into the link itself.
pub const MIN_OMITTED_BYTES: usize = 256;
/// The longest link payload accepted, in characters.
pub const MAX_LINK_CHARS: usize = 4 * 1024 * 1024;
/// The most bytes a link may decompress to (a bigger one is a bomb).
pub const MAX_LINK_JSON_BYTES: usize = 16 * 1024 * 1024;

/// What a share link carries: the session and the state hash it replayed
/// to. A link may leave out values the page that opens it has anyway — a
/// bundled example's program or schema — naming where they come from and
/// their hash; such a link's session is complete only once
/// [`Link::supply`] has put every one of them back ([`Link::complete`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The session (without the values in `omitted`).
    pub session: Session,
    /// The state hash the sharer's chain had (hex), to compare on replay.
    pub state_hash: String,
    /// What the session lacks until supplied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<Omitted>,
}

/// A value a link leaves out: where it goes, where the opening page gets
/// it, and its blake2b-256 hash, which the value supplied must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Omitted {
    /// Where the value goes.
    pub at: Slot,
    /// Where it comes from.
    pub from: Origin,
    /// blake2b-256 of the value.
    pub hash: Hash,
}

/// Where the page that opens a link gets a value the link left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Origin {
    /// The files of the bundled example with this name.
    Example(String),
    /// Compiling the session's source number `n` with the compiler it names.
    Source(usize),
}

/// A place in a session that holds bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "snake_case", deny_unknown_fields)]
pub enum Slot {
    /// The param `key` (hex of its bytes) of request number `request`.
    Param {
        /// The request's position, from 0.
        request: usize,
        /// The param's key bytes, hex.
        key: String,
    },
    /// The text of source number `source`.
    Source {
        /// The source's position, from 0.
        source: usize,
    },
}

/// Why a share link could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Not `<prefix><version>.<payload>`.
    #[error("not a playground link: it must start with `#{0}`")]
    NotALink(&'static str),
    /// A version this build does not read.
    #[error("link version `{found}` is not supported (this build reads version {reads})")]
    UnknownVersion {
        /// The version found (at most 16 characters of it).
        found: String,
        /// The versions this build reads, for people.
        reads: String,
    },
    /// A value the link leaves out is not in this page's bundled files
    /// (or is there with other bytes: the example changed since).
    #[error(
        "the link uses the bundled example `{example}` in a version this page does not have \
         (open it with the playground build it was made with, or ask for an exported file)"
    )]
    Missing {
        /// The example (at most 64 characters of its name).
        example: String,
    },
    /// A program the link leaves out did not come out of rebuilding its
    /// source here (another compiler, or another build of it).
    #[error(
        "the link's program from source `{name}` was built with {compiler}; rebuilding it here \
         did not give the same program (ask for an exported file)"
    )]
    NotRebuilt {
        /// The source's name.
        name: String,
        /// The compiler the source names.
        compiler: String,
    },
    /// The list of left-out values is not one this build wrote.
    #[error("the share link is damaged: {0}")]
    Omitted(String),
    /// Too long to be a link we made.
    #[error("the share link is too long ({0} characters; the limit is {MAX_LINK_CHARS})")]
    Oversize(usize),
    /// Not base64url.
    #[error("the share link is damaged: {0}")]
    Base64(String),
    /// Not deflate data, or truncated.
    #[error("the share link is damaged or truncated: {0}")]
    Compression(String),
    /// Decompresses to more than the cap.
    #[error("the share link expands past {MAX_LINK_JSON_BYTES} bytes: refused")]
    Bomb,
    /// The session inside is not valid.
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// The longest detail an error message quotes from a parser, in
/// characters: a damaged link must give a short message, not the program
/// it carries as hex.
const MAX_DETAIL_CHARS: usize = 200;

/// `err`'s text, cut at [`MAX_DETAIL_CHARS`].
fn brief(err: &impl std::fmt::Display) -> String {
    let text = err.to_string();
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Packs `json` as a fragment (without `#`):
/// `<prefix><version>.<base64url(deflate(json))>`.
pub fn pack(prefix: &str, version: &str, json: &[u8]) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = deflate.write_all(json);
    let compressed = deflate.finish().unwrap_or_default();
    format!(
        "{prefix}{version}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// Unpacks a fragment made by [`pack`] with `prefix` and one of
/// `versions` (a leading `#` is allowed), strictly: prefix, version, size,
/// base64, decompression cap. Gives the version and the JSON.
///
/// # Errors
/// [`LinkError`] naming what is wrong.
pub fn unpack<'v>(
    fragment: &str,
    prefix: &'static str,
    versions: &[&'v str],
) -> Result<(&'v str, Vec<u8>), LinkError> {
    use base64::Engine;
    use std::io::Read;
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let payload = fragment
        .strip_prefix(prefix)
        .ok_or(LinkError::NotALink(prefix))?;
    if payload.len() > MAX_LINK_CHARS {
        return Err(LinkError::Oversize(payload.len()));
    }
    let (version, data) = payload.split_once('.').ok_or(LinkError::NotALink(prefix))?;
    let Some(version) = versions.iter().copied().find(|known| *known == version) else {
        return Err(LinkError::UnknownVersion {
            found: version.chars().take(16).collect(),
            reads: versions.join(" or "),
        });
    };
    let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|err| LinkError::Base64(brief(&err)))?;
    let mut json = Vec::new();
    flate2::read::DeflateDecoder::new(compressed.as_slice())
        .take(MAX_LINK_JSON_BYTES as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|err| LinkError::Compression(brief(&err)))?;
    if json.len() > MAX_LINK_JSON_BYTES {
        return Err(LinkError::Bomb);
    }
    Ok((version, json))
}

impl Link {
    /// A link to `session`, which replayed to `state_hash`, leaving nothing out.
    pub fn new(session: Session, state_hash: String) -> Self {
        Self {
            session,
            state_hash,
            omitted: Vec::new(),
        }
    }

    /// Leaves out of the link every request param and source text of at
    /// least [`MIN_OMITTED_BYTES`] that `known` has by its hash
    /// (blake2b-256 → where the opening page gets it). A source that
    /// another left-out value is rebuilt from stays in.
    pub fn leave_out(&mut self, known: &BTreeMap<Hash, Origin>) {
        let rebuilt_from: Vec<usize> = known
            .values()
            .filter_map(|origin| match origin {
                Origin::Source(n) => Some(*n),
                Origin::Example(_) => None,
            })
            .collect();
        let known = |bytes: &[u8]| {
            (bytes.len() >= MIN_OMITTED_BYTES)
                .then(|| Hash::blake2b(bytes))
                .and_then(|hash| Some((hash, known.get(&hash)?.clone())))
        };
        for (request, step) in self.session.requests.iter_mut().enumerate() {
            let Some(req) = step.request_mut() else {
                continue;
            };
            let found: Vec<(Vec<u8>, Hash, Origin)> = req
                .params
                .iter()
                .filter_map(|(key, value)| {
                    known(value).map(|(hash, example)| (key.to_vec(), hash, example))
                })
                .collect();
            for (key, hash, from) in found {
                req.params.remove(&key);
                self.omitted.push(Omitted {
                    at: Slot::Param {
                        request,
                        key: const_hex::encode(key),
                    },
                    from,
                    hash,
                });
            }
        }
        for (source, src) in self.session.sources.iter_mut().enumerate() {
            if rebuilt_from.contains(&source) {
                continue;
            }
            if let Some((hash, from @ Origin::Example(_))) = known(src.text.as_bytes()) {
                src.text.clear();
                self.omitted.push(Omitted {
                    at: Slot::Source { source },
                    from,
                    hash,
                });
            }
        }
    }

    /// Where this link's left-out values come from, each once.
    pub fn origins_needed(&self) -> Vec<Origin> {
        let mut origins: Vec<Origin> = self.omitted.iter().map(|o| o.from.clone()).collect();
        origins.sort();
        origins.dedup();
        origins
    }

    /// Puts back every left-out value whose hash one of `values` has.
    pub fn supply<'a>(&mut self, values: impl IntoIterator<Item = &'a [u8]>) {
        let by_hash: BTreeMap<Hash, &[u8]> = values
            .into_iter()
            .map(|value| (Hash::blake2b(value), value))
            .collect();
        let session = &mut self.session;
        self.omitted.retain(|omitted| {
            let Some(value) = by_hash.get(&omitted.hash) else {
                return true;
            };
            match &omitted.at {
                Slot::Param { request, key } => {
                    // Checked by `decode`: the request exists, the key is hex.
                    let (Some(req), Ok(key)) = (
                        session
                            .requests
                            .get_mut(*request)
                            .and_then(Step::request_mut),
                        hex::decode(key),
                    ) else {
                        return true;
                    };
                    req.params.set(key, value.to_vec());
                }
                Slot::Source { source } => {
                    let (Some(src), Ok(text)) =
                        (session.sources.get_mut(*source), std::str::from_utf8(value))
                    else {
                        return true;
                    };
                    src.text = text.to_owned();
                }
            }
            false
        });
    }

    /// The session, once nothing is left out.
    ///
    /// # Errors
    /// [`LinkError::Missing`] naming an example whose value was not supplied.
    pub fn complete(self) -> Result<(Session, String), LinkError> {
        let Some(missing) = self.omitted.first() else {
            return Ok((self.session, self.state_hash));
        };
        Err(match &missing.from {
            Origin::Example(example) => LinkError::Missing {
                example: example.chars().take(64).collect(),
            },
            Origin::Source(n) => {
                let source = self.session.sources.get(*n);
                LinkError::NotRebuilt {
                    name: source
                        .map(|s| s.name.chars().take(64).collect())
                        .unwrap_or_default(),
                    compiler: source
                        .and_then(|s| s.compiler.as_deref())
                        .unwrap_or("an unnamed compiler")
                        .chars()
                        .take(64)
                        .collect(),
                }
            }
        })
    }

    /// The URL fragment (without `#`): `s=2.<base64url(deflate(JSON))>`.
    pub fn encode(&self) -> String {
        // Serializing a link cannot fail (strings, integers, string-keyed maps).
        pack(
            LINK_PREFIX,
            LINK_VERSION,
            &serde_json::to_vec(self).unwrap_or_default(),
        )
    }

    /// Reads a fragment made by [`Link::encode`] (a leading `#` is allowed),
    /// strictly: version, size, base64, decompression cap, then the session
    /// and what it leaves out (each slot must exist and be empty).
    ///
    /// # Errors
    /// [`LinkError`] naming what is wrong.
    pub fn decode(fragment: &str) -> Result<Self, LinkError> {
        let (version, json) = unpack(fragment, LINK_PREFIX, LINK_VERSIONS)?;
        let value: serde_json::Value =
            serde_json::from_slice(&json).map_err(|err| SessionError::Json(brief(&err)))?;
        let session = value
            .get("session")
            .ok_or_else(|| SessionError::Json("the link holds no session".into()))?;
        let session = Session::from_json(&session.to_string())?;
        let state_hash = value
            .get("state_hash")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let omitted: Vec<Omitted> = match value.get("omitted") {
            Some(list) if version != "1" => serde_json::from_value(list.clone())
                .map_err(|err| LinkError::Omitted(brief(&err)))?,
            Some(_) => return Err(LinkError::Omitted("version 1 leaves nothing out".into())),
            None => Vec::new(),
        };
        let link = Self {
            session,
            state_hash,
            omitted,
        };
        link.check_omitted()?;
        Ok(link)
    }

    /// Every left-out value names an empty place that exists, once, and a
    /// hash of the right shape.
    fn check_omitted(&self) -> Result<(), LinkError> {
        let damaged = |what: String| Err(LinkError::Omitted(what));
        let mut seen = std::collections::BTreeSet::new();
        for omitted in &self.omitted {
            if !seen.insert(&omitted.at) {
                return damaged("a value is left out twice".into());
            }
            if let Origin::Source(n) = omitted.from {
                let rebuildable = self.session.sources.get(n).is_some_and(|s| {
                    s.compiler.is_some()
                        && !s.text.is_empty()
                        && !matches!(omitted.at, Slot::Source { .. })
                });
                if !rebuildable {
                    return damaged(format!("no source {n} with a compiler to rebuild from"));
                }
            }
            let empty = match &omitted.at {
                Slot::Param { request, key } => {
                    let req = self.session.requests.get(*request).and_then(Step::request);
                    match (req, hex::decode(key)) {
                        (Some(req), Ok(key)) => req.params.get(key).is_none(),
                        _ => false,
                    }
                }
                Slot::Source { source } => self
                    .session
                    .sources
                    .get(*source)
                    .is_some_and(|src| src.text.is_empty()),
            };
            if !empty {
                return damaged(format!("a left-out value has no place: {:?}", omitted.at));
            }
        }
        Ok(())
    }
}

/// What a replay produced.
pub struct Replay {
    /// The rebuilt chain.
    pub chain: Chain,
    /// The receipts, in order.
    pub receipts: Vec<Receipt>,
}

impl Replay {
    /// The final state hash.
    pub fn state_hash(&self) -> StateHash {
        self.chain.state_hash()
    }
}

/// An empty session over the default config.
impl Default for Session {
    fn default() -> Self {
        Self::new(ChainConfig::default())
    }
}

impl Session {
    /// An empty session over `config`.
    pub fn new(config: ChainConfig) -> Self {
        Self {
            format: SESSION_FORMAT.to_owned(),
            version: SESSION_VERSION,
            config,
            sources: Vec::new(),
            requests: Vec::new(),
            wasm_engine: None,
        }
    }

    /// The transcript of `chain`: its config and every step so far.
    pub fn of(chain: &Chain) -> Self {
        Self {
            requests: chain.steps(),
            ..Self::new(chain.config().clone())
        }
    }

    /// The pretty-printed JSON form.
    pub fn to_json(&self) -> String {
        // A session holds only strings, integers and maps with string keys:
        // serializing it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// How many blocks replaying it makes (each request sent and each
    /// block run makes one).
    pub fn blocks(&self) -> usize {
        self.requests
            .iter()
            .filter(|step| matches!(step, Step::Post(_) | Step::RunBlock))
            .count()
    }

    /// The first step only version 2 holds (queue, run a block, advance
    /// time), if any.
    fn first_version_2_step(&self) -> Option<usize> {
        self.requests
            .iter()
            .position(|step| !matches!(step, Step::Post(_)))
    }

    /// The first source only version 3 holds (several files), if any.
    fn first_version_3_source(&self) -> Option<usize> {
        self.sources.iter().position(Source::needs_version_3)
    }

    /// The lowest version that holds this session: 1 for requests alone.
    fn lowest_version(&self) -> u32 {
        if !self.config.receipt_form.is_unnamed() {
            5
        } else if self.wasm_engine.is_some() {
            4
        } else if self.first_version_3_source().is_some() {
            3
        } else if self.first_version_2_step().is_some() {
            2
        } else {
            1
        }
    }

    /// Reads the JSON form, checking format and version first.
    ///
    /// # Errors
    /// [`SessionError`] naming what is wrong.
    pub fn from_json(text: &str) -> Result<Self, SessionError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| SessionError::Json(brief(&err)))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(SESSION_FORMAT) {
            return Err(SessionError::Format);
        }
        let version = match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if SESSION_VERSIONS.iter().any(|v| u64::from(*v) == version) => version,
            Some(found) => return Err(SessionError::UnknownVersion { found }),
            None => return Err(SessionError::Json("missing `version`".into())),
        };
        let mut session: Self =
            serde_json::from_value(value).map_err(|err| SessionError::Json(brief(&err)))?;
        if version == 1
            && let Some(index) = session.first_version_2_step()
        {
            return Err(SessionError::StepNeedsVersion2 { index });
        }
        if version < 3
            && let Some(index) = session.first_version_3_source()
        {
            return Err(SessionError::SourceNeedsVersion3 {
                index,
                found: version,
            });
        }
        if version < 4 && session.wasm_engine.is_some() {
            return Err(SessionError::EngineNeedsVersion4 { found: version });
        }
        if version < 5 && !session.config.receipt_form.is_unnamed() {
            return Err(SessionError::ReceiptFormNeedsVersion5 {
                form: session.config.receipt_form.name(),
                found: version,
            });
        }
        session.config.validate()?;
        session.version = SESSION_VERSION;
        Ok(session)
    }

    /// Replays the session on a new chain, with `setup` registering the
    /// processors the programs need.
    ///
    /// # Errors
    /// [`SessionError::Config`] for a config out of bounds;
    /// [`SessionError::Request`] if the chain refuses a request (a request
    /// that fails is replayed as a failed receipt, not an error), which is
    /// also how a session that would burn more than
    /// [`Chain::MAX_TOTAL_GAS`] stops.
    pub fn replay(&self, setup: impl FnOnce(&mut Chain)) -> Result<Replay, SessionError> {
        self.config.validate()?;
        let mut chain = Chain::new(self.config.clone());
        setup(&mut chain);
        let mut receipts = Vec::with_capacity(self.requests.len());
        for (index, step) in self.requests.iter().enumerate() {
            let made = chain
                .apply(step)
                .map_err(|source| SessionError::Request { index, source })?;
            receipts.extend(made);
        }
        Ok(Replay { chain, receipts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_format_version_and_shape_are_clear_errors() {
        let err = Session::from_json("{").expect_err("not JSON");
        assert!(
            err.to_string().starts_with("not a valid session file"),
            "{err}"
        );
        let err = Session::from_json(r#"{"version": 1}"#).expect_err("no format");
        assert!(matches!(err, SessionError::Format));
        let err = Session::from_json(r#"{"format": "isc-playground-session", "version": 99}"#)
            .expect_err("future");
        assert_eq!(
            err.to_string(),
            "session version 99 is not supported (this build reads versions 1 to 5)"
        );
        let err = Session::from_json(
            r#"{"format": "isc-playground-session", "version": 1, "config": {}, "requests": [{"sender": "0x00"}]}"#,
        )
        .expect_err("incomplete request");
        assert!(matches!(err, SessionError::Json(_)), "{err}");
    }

    /// A session of a chain from before the compact receipt form.
    fn before_compact_receipts() -> Session {
        let mut session = Session::default();
        session.config.receipt_form = crate::ReceiptForm::Json;
        session
    }

    /// `session` is written as `version` and reads back as itself; the
    /// same file claiming the version before is refused with `message`.
    /// Returns the JSON written.
    fn written_as_only(session: &Session, version: u32, message: &str) -> String {
        let json = session.to_json();
        let tag = |v: u32| format!("\"version\": {v}");
        assert!(json.contains(&tag(version)), "{json}");
        assert_eq!(&Session::from_json(&json).expect("reads"), session);
        let older = json.replace(&tag(version), &tag(version - 1));
        let err = Session::from_json(&older).expect_err("the version before");
        assert_eq!(err.to_string(), message);
        json
    }

    #[test]
    fn a_compact_receipt_chain_is_written_as_version_5_and_only_read_from_it() {
        let json = written_as_only(
            &Session::default(),
            5,
            "the session's chain keeps its receipts in the `compact` form, which needs session version 5; the file says version 4",
        );
        assert!(json.contains(r#""receipt_form": "compact""#), "{json}");
        // A config that names no form is a chain from before it: JSON.
        let unnamed = json
            .replace(r#""version": 5"#, r#""version": 1"#)
            .replace(",\n    \"receipt_form\": \"compact\"", "");
        let read = Session::from_json(&unnamed).expect("reads version 1");
        assert_eq!(read.config.receipt_form, crate::ReceiptForm::Json);
        assert!(!read.to_json().contains("receipt_form"));
    }

    #[test]
    fn a_chosen_wasm_engine_is_written_as_version_4_and_only_read_from_it() {
        let mut session = before_compact_receipts();
        assert!(session.to_json().contains(r#""version": 1"#));
        session.wasm_engine = Some(WasmEngineChoice::Wasmi);
        let json = written_as_only(
            &session,
            4,
            "the session names a Wasm engine, which needs session version 4; the file says version 3",
        );
        assert!(json.contains(r#""wasm_engine": "wasmi""#), "{json}");
        let unknown = json.replace(r#""wasmi""#, r#""jit""#);
        assert!(matches!(
            Session::from_json(&unknown),
            Err(SessionError::Json(_))
        ));
    }

    #[test]
    fn a_source_of_several_files_is_written_as_version_3_and_only_read_from_it() {
        let mut session = before_compact_receipts();
        session.sources.push(Source {
            name: "token".into(),
            language: "solidity".into(),
            text: "import \"./lib/Math.sol\";".into(),
            compiler: Some("solc-js 0.8.37".into()),
            ..Source::default()
        });
        // One file under the default name: nothing new, version 1.
        assert!(session.to_json().contains("\"version\": 1"));
        session.sources[0].path = Some("Token.sol".into());
        session.sources[0]
            .files
            .insert("lib/Math.sol".into(), "library Math {}".into());
        // An older version claiming to hold it is refused, naming the source.
        written_as_only(
            &session,
            3,
            "source 0 has several files, which needs session version 3; the file says version 2",
        );
    }

    #[test]
    fn links_round_trip_and_bad_links_get_their_own_messages() {
        use base64::Engine;
        let link = Link::new(Session::new(ChainConfig::default()), "ab".repeat(32));
        let text = link.encode();
        assert!(text.starts_with("s=2."), "{text}");
        assert_eq!(
            Link::decode(&format!("#{text}")).expect("reads its own link"),
            link
        );

        let err = |text: &str| Link::decode(text).expect_err("bad link").to_string();
        assert!(err("#x=1.abc").contains("not a playground link: it must start with `#s=`"));
        assert!(err("#s=9.abc").contains("version `9` is not supported"));
        assert!(err("#s=1.@@@").contains("damaged"));
        let truncated = err(&text[..text.len() / 2]);
        assert!(
            truncated.contains("damaged") || truncated.contains("not a valid session"),
            "{truncated}"
        );

        // A bomb: 32 MiB of zeros compress to a few KiB.
        use std::io::Write;
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        deflate
            .write_all(&vec![b' '; 32 * 1024 * 1024])
            .expect("in memory");
        let bomb = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(deflate.finish().expect("in memory"));
        assert!(err(&format!("s=1.{bomb}")).contains("expands past"));
    }

    /// A session with one big param and one big source, both "bundled".
    fn bundled_link() -> (Link, Vec<u8>, String, BTreeMap<Hash, Origin>) {
        // Hashes chained: bytes that do not compress, like a program's.
        let program: Vec<u8> = (0u32..32)
            .flat_map(|i| Hash::blake2b(&i.to_le_bytes()).0)
            .collect();
        let schema = "{\"name\": \"x\"}".repeat(40);
        let mut session = Session::new(ChainConfig::default());
        let mut request = crate::Request::new(crate::AgentId::user("alice"), "blob", "storeBlob");
        request.params.set("p", program.clone());
        request.params.set("v", b"wasmvm".to_vec());
        session.requests.push(Step::Post(request));
        session.sources.push(Source {
            name: "x".into(),
            language: SCHEMA_LANGUAGE.into(),
            text: schema.clone(),
            compiler: None,
            ..Source::default()
        });
        let example = || Origin::Example("x".into());
        let bundled = BTreeMap::from([
            (Hash::blake2b(&program), example()),
            (Hash::blake2b(schema.as_bytes()), example()),
            (
                Hash::blake2b(b"wasmvm"),
                Origin::Example("too short".into()),
            ),
        ]);
        (
            Link::new(session, "00".repeat(32)),
            program,
            schema,
            bundled,
        )
    }

    #[test]
    fn a_link_leaves_out_what_the_page_has_and_gets_it_back() {
        let (full, program, schema, bundled) = bundled_link();
        let mut link = full.clone();
        link.leave_out(&bundled);
        assert_eq!(link.omitted.len(), 2, "{:?}", link.omitted);
        assert_eq!(link.origins_needed(), [Origin::Example("x".into())]);
        let short = link.encode();
        // The program alone is 1 KiB that does not compress.
        assert!(full.encode().len() > short.len() + 1024, "{short}");

        let mut opened = Link::decode(&short).expect("opens");
        assert_eq!(opened, link);
        // Not yet complete: names what is missing.
        let err = opened.clone().complete().expect_err("incomplete");
        assert!(err.to_string().contains("bundled example `x`"), "{err}");
        // Wrong bytes are not taken; the right ones are.
        opened.supply([b"other bytes".as_slice()]);
        assert_eq!(opened.omitted.len(), 2);
        opened.supply([program.as_slice(), schema.as_bytes()]);
        let (session, _) = opened.complete().expect("complete");
        assert_eq!(session, full.session);
    }

    #[test]
    fn a_program_built_in_the_page_travels_as_its_source() {
        let (mut full, program, _, _) = bundled_link();
        full.session.sources.push(Source {
            name: "mine".into(),
            language: "solidity".into(),
            text: "contract Mine {}".repeat(20),
            compiler: Some("solc 0.8.37".into()),
            ..Source::default()
        });
        let known = BTreeMap::from([(Hash::blake2b(&program), Origin::Source(1))]);
        let mut link = full.clone();
        link.leave_out(&known);
        assert_eq!(link.origins_needed(), [Origin::Source(1)]);
        // The source itself stays.
        assert_eq!(link.session.sources[1].text, full.session.sources[1].text);
        let mut opened = Link::decode(&link.encode()).expect("opens");
        let err = opened.clone().complete().expect_err("not rebuilt yet");
        assert!(
            err.to_string()
                .contains("from source `mine` was built with solc 0.8.37"),
            "{err}"
        );
        opened.supply([program.as_slice()]);
        assert_eq!(opened.complete().expect("rebuilt").0, full.session);

        // A source without a compiler cannot be rebuilt from.
        let mut bad = link.clone();
        bad.session.sources[1].compiler = None;
        let err = Link::decode(&bad.encode()).expect_err("damaged");
        assert!(
            err.to_string().contains("no source 1 with a compiler"),
            "{err}"
        );
    }

    #[test]
    fn a_left_out_list_that_does_not_fit_its_session_is_refused() {
        let (_, _, _, bundled) = bundled_link();
        let (mut link, ..) = bundled_link();
        link.leave_out(&bundled);
        let damaged = |link: &Link| {
            Link::decode(&link.encode())
                .expect_err("damaged")
                .to_string()
        };
        // A place that does not exist, or is not empty.
        let mut bad = link.clone();
        bad.omitted[0].at = Slot::Param {
            request: 5,
            key: "70".into(),
        };
        assert!(damaged(&bad).contains("has no place"));
        let mut bad = link.clone();
        bad.omitted[0].at = Slot::Param {
            request: 0,
            key: const_hex::encode("v"),
        };
        assert!(damaged(&bad).contains("has no place"));
        let mut bad = link.clone();
        bad.omitted.push(bad.omitted[0].clone());
        assert!(damaged(&bad).contains("twice"));
        // Version 1 links never leave anything out.
        let v1 = pack(
            LINK_PREFIX,
            "1",
            &serde_json::to_vec(&link).expect("serializes"),
        );
        let err = Link::decode(&v1).expect_err("v1 with omitted");
        assert!(
            err.to_string().contains("version 1 leaves nothing out"),
            "{err}"
        );
        let plain = Link::new(Session::new(ChainConfig::default()), String::new());
        let v1 = pack(LINK_PREFIX, "1", &serde_json::to_vec(&plain).expect("json"));
        assert_eq!(Link::decode(&v1).expect("v1 still opens"), plain);
    }

    #[test]
    fn a_session_round_trips_through_json() {
        let session = Session::new(ChainConfig::default());
        let back = Session::from_json(&session.to_json()).expect("reads its own output");
        assert_eq!(back, session);
    }
}
