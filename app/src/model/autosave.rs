//! The working session, kept in the browser's local storage so a reload
//! restores it: a versioned record under a versioned key, with migration
//! from older forms, and a second slot keeping the previous work when a link
//! replaces it (so no link can lose anyone's work).

use serde::{Deserialize, Serialize};

/// Where the working session is kept.
pub const KEY: &str = "isc-playground.autosave.v1";
/// Where the work a link replaced is kept, to restore it.
pub const PREVIOUS_KEY: &str = "isc-playground.autosave.v1.previous";
/// Where an autosave that could not be read is moved, so it is not lost.
pub const UNREADABLE_KEY: &str = "isc-playground.autosave.unreadable";
/// Older keys, oldest first: version 0 stored the bare session JSON.
pub const LEGACY_KEYS: &[&str] = &["isc-playground.session"];
/// The record's version.
pub const VERSION: u32 = 1;
/// Where the editor's drafts are kept (what is typed but not deployed).
pub const DRAFTS_KEY: &str = "isc-playground.editor.v1";

/// The editor's drafts: the language shown and the text of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drafts {
    /// `wat` when the WAT draft is shown, otherwise Solidity.
    pub wat_shown: bool,
    /// The Solidity draft.
    pub solidity: String,
    /// The WAT draft.
    pub wat: String,
}

impl Drafts {
    /// The stored text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads stored drafts; anything unreadable is no drafts.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// An autosaved session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// [`VERSION`].
    pub version: u32,
    /// The session, in the engine's JSON form.
    pub session: String,
    /// The state hash it replayed to when saved.
    pub state_hash: String,
    /// How many blocks it has.
    pub blocks: u32,
}

impl Saved {
    /// A record of `session` at `state_hash` after `blocks` blocks.
    pub fn new(session: &str, state_hash: &str, blocks: u32) -> Self {
        Self {
            version: VERSION,
            session: session.to_owned(),
            state_hash: state_hash.to_owned(),
            blocks,
        }
    }

    /// The stored text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored record.
    ///
    /// # Errors
    /// A message if it is not a record of a version this build reads.
    pub fn from_text(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(format!("autosave version {v} is not supported")),
            None => return Err("not an autosave record".into()),
        }
        serde_json::from_value(value).map_err(|err| err.to_string())
    }

    /// A version-0 value (a bare session JSON) as a record; its hash is
    /// unknown until it replays.
    pub fn migrate(legacy: &str) -> Option<Self> {
        let session = isc_engine::session::Session::from_json(legacy).ok()?;
        let blocks = u32::try_from(session.blocks()).unwrap_or(u32::MAX);
        Some(Self::new(legacy, "", blocks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_garbage_is_none() {
        let drafts = Drafts {
            wat_shown: true,
            solidity: "contract C {}".into(),
            wat: "(module)".into(),
        };
        assert_eq!(Drafts::from_text(&drafts.to_text()), Some(drafts));
        assert_eq!(Drafts::from_text("{"), None);
    }
    use isc_engine::ChainConfig;
    use isc_engine::session::Session;

    #[test]
    fn records_round_trip_other_versions_are_refused_and_v0_migrates() {
        let session = Session::new(ChainConfig::default()).to_json();
        let saved = Saved::new(&session, "ab", 0);
        assert_eq!(Saved::from_text(&saved.to_text()), Ok(saved));
        assert!(
            Saved::from_text(r#"{"version": 9, "session": ""}"#)
                .expect_err("future")
                .contains("version 9")
        );
        assert!(Saved::from_text("{").is_err());
        let migrated = Saved::migrate(&session).expect("a bare session migrates");
        assert_eq!(migrated.version, VERSION);
        assert_eq!(migrated.session, session);
        assert_eq!(Saved::migrate("junk"), None);
    }
}
