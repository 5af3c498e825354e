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
use crate::chain::{Chain, ChainConfig, ChainError, StateHash};
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
    /// The chain refused a request while replaying.
    #[error("request {index} could not be replayed: {source}")]
    Request {
        /// The request's position, from 0.
        index: usize,
        /// Why.
        source: ChainError,
    },
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
            serde_json::from_str(text).map_err(|err| SessionError::Json(err.to_string()))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(SESSION_FORMAT) {
            return Err(SessionError::Format);
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version == u64::from(SESSION_VERSION) => {}
            Some(found) => return Err(SessionError::UnknownVersion { found }),
            None => return Err(SessionError::Json("missing `version`".into())),
        }
        serde_json::from_value(value).map_err(|err| SessionError::Json(err.to_string()))
    }

    /// Replays the session on a new chain, with `setup` registering the
    /// processors the programs need.
    ///
    /// # Errors
    /// [`SessionError::Request`] if the chain refuses a request (a request
    /// that fails is replayed as a failed receipt, not an error).
    pub fn replay(&self, setup: impl FnOnce(&mut Chain)) -> Result<Replay, SessionError> {
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
    fn a_session_round_trips_through_json() {
        let session = Session::new(ChainConfig::default());
        let back = Session::from_json(&session.to_json()).expect("reads its own output");
        assert_eq!(back, session);
    }
}
