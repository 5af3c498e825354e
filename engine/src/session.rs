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

use crate::chain::receipt::{Receipt, Request};
use crate::chain::{Chain, ChainConfig, ChainError, ConfigError, StateHash};
use serde::{Deserialize, Serialize};

/// The `format` tag of a session file.
pub const SESSION_FORMAT: &str = "isc-playground-session";
/// The session version this build writes (and the only one it reads).
pub const SESSION_VERSION: u32 = 1;

/// A contract's source, kept with the session for whoever opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The contract's name.
    pub name: String,
    /// `rust`, `go`, `solidity`, `wat`, …
    pub language: String,
    /// The source text.
    pub text: String,
}

/// A replayable transcript of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    format: String,
    version: u32,
    /// How the chain starts.
    pub config: ChainConfig,
    /// Sources of the deployed programs (informational).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The requests, in order: one block each.
    pub requests: Vec<Request>,
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
    #[error(
        "session version {found} is not supported (this build reads version {SESSION_VERSION})"
    )]
    UnknownVersion {
        /// The file's version.
        found: u64,
    },
    /// The chain config is out of bounds.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The chain refused a request while replaying.
    #[error("request {index} could not be replayed: {source}")]
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
/// The version tag at the start of a link payload.
pub const LINK_VERSION: &str = "1";
/// The longest link payload accepted, in characters.
pub const MAX_LINK_CHARS: usize = 4 * 1024 * 1024;
/// The most bytes a link may decompress to (a bigger one is a bomb).
pub const MAX_LINK_JSON_BYTES: usize = 16 * 1024 * 1024;

/// What a share link carries: the session and the state hash it replayed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The session.
    pub session: Session,
    /// The state hash the sharer's chain had (hex), to compare on replay.
    pub state_hash: String,
}

/// Why a share link could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Not `<prefix><version>.<payload>`.
    #[error("not a playground link: it must start with `#{0}`")]
    NotALink(&'static str),
    /// A version this build does not read.
    #[error("share link version `{0}` is not supported (this build reads version {LINK_VERSION})")]
    UnknownVersion(String),
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
/// `<prefix><LINK_VERSION>.<base64url(deflate(json))>`.
pub fn pack(prefix: &str, json: &[u8]) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = deflate.write_all(json);
    let compressed = deflate.finish().unwrap_or_default();
    format!(
        "{prefix}{LINK_VERSION}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// Unpacks a fragment made by [`pack`] with `prefix` (a leading `#` is
/// allowed), strictly: prefix, version, size, base64, decompression cap.
///
/// # Errors
/// [`LinkError`] naming what is wrong.
pub fn unpack(fragment: &str, prefix: &'static str) -> Result<Vec<u8>, LinkError> {
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
    if version != LINK_VERSION {
        return Err(LinkError::UnknownVersion(
            version.chars().take(16).collect(),
        ));
    }
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
    Ok(json)
}

impl Link {
    /// The URL fragment (without `#`): `s=1.<base64url(deflate(JSON))>`.
    pub fn encode(&self) -> String {
        // Serializing a link cannot fail (strings, integers, string-keyed maps).
        pack(LINK_PREFIX, &serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a fragment made by [`Link::encode`] (a leading `#` is allowed),
    /// strictly: version, size, base64, decompression cap, then the session.
    ///
    /// # Errors
    /// [`LinkError`] naming what is wrong.
    pub fn decode(fragment: &str) -> Result<Self, LinkError> {
        let json = unpack(fragment, LINK_PREFIX)?;
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
        Ok(Self {
            session,
            state_hash,
        })
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

impl Session {
    /// An empty session over `config`.
    pub fn new(config: ChainConfig) -> Self {
        Self {
            format: SESSION_FORMAT.to_owned(),
            version: SESSION_VERSION,
            config,
            sources: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The transcript of `chain`: its config and every request so far.
    pub fn of(chain: &Chain) -> Self {
        Self {
            requests: chain.requests(),
            ..Self::new(chain.config().clone())
        }
    }

    /// The pretty-printed JSON form.
    pub fn to_json(&self) -> String {
        // A session holds only strings, integers and maps with string keys:
        // serializing it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
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
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version == u64::from(SESSION_VERSION) => {}
            Some(found) => return Err(SessionError::UnknownVersion { found }),
            None => return Err(SessionError::Json("missing `version`".into())),
        }
        let session: Self =
            serde_json::from_value(value).map_err(|err| SessionError::Json(brief(&err)))?;
        session.config.validate()?;
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
        for (index, request) in self.requests.iter().enumerate() {
            let receipt = chain
                .post(request.clone())
                .map_err(|source| SessionError::Request { index, source })?;
            receipts.push(receipt);
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
            "session version 99 is not supported (this build reads version 1)"
        );
        let err = Session::from_json(
            r#"{"format": "isc-playground-session", "version": 1, "config": {}, "requests": [{"sender": "0x00"}]}"#,
        )
        .expect_err("incomplete request");
        assert!(matches!(err, SessionError::Json(_)), "{err}");
    }

    #[test]
    fn links_round_trip_and_bad_links_get_their_own_messages() {
        use base64::Engine;
        let link = Link {
            session: Session::new(ChainConfig::default()),
            state_hash: "ab".repeat(32),
        };
        let text = link.encode();
        assert!(text.starts_with("s=1."), "{text}");
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

    #[test]
    fn a_session_round_trips_through_json() {
        let session = Session::new(ChainConfig::default());
        let back = Session::from_json(&session.to_json()).expect("reads its own output");
        assert_eq!(back, session);
    }
}
