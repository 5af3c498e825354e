//! The working session, kept in the browser's local storage so a reload
//! restores it: a versioned record under a versioned key, with migration
//! from older forms, and a second slot keeping the previous work when a link
//! replaces it (so no link can lose anyone's work).
//!
//! The working session is written as a [`Journal`]: a small index under
//! [`KEY`], the config and sources under [`HEAD_KEY`], and the steps in
//! chunks of [`CHUNK`] under [`chunk_key`] — so a save after a request
//! writes the last chunk and the index, not the whole session again. The
//! other slots hold a whole [`Saved`] record.

use crate::model::project::{Project, ProjectFile};
use isc_engine::session::{Session, Source};
use isc_engine::{ChainConfig, Step};
use serde::{Deserialize, Serialize};

/// Where the working session is kept.
pub const KEY: &str = "isc-playground.autosave.v1";
/// Where the work a link replaced is kept, to restore it.
pub const PREVIOUS_KEY: &str = "isc-playground.autosave.v1.previous";
/// Where an autosave that could not be read is moved, so it is not lost.
pub const UNREADABLE_KEY: &str = "isc-playground.autosave.unreadable";
/// Older keys, oldest first: version 0 stored the bare session JSON.
pub const LEGACY_KEYS: &[&str] = &["isc-playground.session"];
/// The whole record's version.
pub const VERSION: u32 = 1;
/// The journal's version (its index under [`KEY`]).
pub const JOURNAL_VERSION: u32 = 2;
/// Where the journal keeps the session's config and sources.
pub const HEAD_KEY: &str = "isc-playground.autosave.v1.head";
/// Steps per chunk of the journal.
pub const CHUNK: usize = 100;

/// Where the journal keeps chunk `n` of the steps.
pub fn chunk_key(n: usize) -> String {
    format!("isc-playground.autosave.v1.steps.{n}")
}
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
    /// The TypeScript draft is shown (over `wat_shown`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub typescript_shown: bool,
    /// The TypeScript draft (empty: none yet).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub typescript: String,
    /// The Solidity project's files, unless it is the one file
    /// `Contract.sol` (`solidity` is the active one's text either way).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<ProjectFile>,
    /// Which of `files` is shown.
    #[serde(default)]
    pub active: usize,
}

impl Drafts {
    /// The Solidity project the drafts hold.
    pub fn project(&self) -> Project {
        Project::new(self.files.clone(), self.active)
            .unwrap_or_else(|| Project::single(self.solidity.clone()))
    }

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

/// Key/value text storage (the browser's local storage; a map in tests).
pub trait Storage {
    /// The value under `key`.
    fn load(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`; `false` if the storage refused.
    fn save(&mut self, key: &str, value: &str) -> bool;
    /// Removes `key`.
    fn remove(&mut self, key: &str);
}

/// The journal's index: what the chunks hold.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    version: u32,
    state_hash: String,
    blocks: u32,
    /// How many steps the chunks hold.
    steps: usize,
    /// Steps per chunk.
    chunk: usize,
}

/// The session's beginning: how the chain starts, and the sources.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    config: ChainConfig,
    #[serde(default)]
    sources: Vec<Source>,
}

/// Writes the working session so that each save costs what changed.
///
/// The page tells it what stayed the same ([`Journal::changed`]: the
/// worker's updates say how many steps they kept) and it rewrites only the
/// chunks from the first changed step on. Writes are ordered so that
/// storage always holds a session: the index first shrinks to the
/// unchanged steps, then the chunks are written, then the index grows — a
/// refused write leaves the work up to the last good save.
#[derive(Debug)]
pub struct Journal {
    /// The session's first `valid` steps are what the chunks hold.
    valid: usize,
    /// How many steps the stored index says the chunks hold
    /// (`usize::MAX`: not known yet — an earlier page's save).
    stored: usize,
    /// Chunks written.
    chunks: usize,
    /// The head last written.
    head: Option<String>,
}

impl Default for Journal {
    fn default() -> Self {
        Self {
            valid: 0,
            stored: usize::MAX,
            chunks: 0,
            head: None,
        }
    }
}

impl Journal {
    /// Only the session's first `kept` steps are sure to be unchanged since
    /// the last save (`None`: none are — another session was opened).
    pub fn changed(&mut self, kept: Option<usize>) {
        self.valid = kept.map_or(0, |kept| kept.min(self.valid));
    }

    /// Saves `session` at `state_hash` after `blocks` blocks.
    ///
    /// # Errors
    /// A message if the storage refused a write; the next save writes
    /// everything again.
    pub fn save(
        &mut self,
        storage: &mut impl Storage,
        session: &Session,
        state_hash: &str,
        blocks: u32,
    ) -> Result<(), String> {
        let result = self.write(storage, session, state_hash, blocks);
        if result.is_err() {
            // Everything is written again next time; the index stored
            // still describes what the chunks hold.
            self.valid = 0;
            self.head = None;
        }
        result
    }

    fn write(
        &mut self,
        storage: &mut impl Storage,
        session: &Session,
        state_hash: &str,
        blocks: u32,
    ) -> Result<(), String> {
        let refused = |key: &str| format!("the browser's storage refused to keep {key} (full?)");
        let steps = &session.requests;
        let head = serde_json::to_string(&Head {
            config: session.config.clone(),
            sources: session.sources.clone(),
        })
        .map_err(|err| err.to_string())?;
        let index = |steps: usize| {
            serde_json::to_string(&Index {
                version: JOURNAL_VERSION,
                state_hash: state_hash.to_owned(),
                blocks,
                steps,
                chunk: CHUNK,
            })
            .unwrap_or_default()
        };
        let first = self.valid.min(steps.len()) / CHUNK;
        if first * CHUNK < self.stored {
            // The index holds only what stays while the rest is written.
            if !storage.save(KEY, &index(first * CHUNK)) {
                return Err(refused(KEY));
            }
            self.stored = first * CHUNK;
        }
        if self.head.as_ref() != Some(&head) {
            if !storage.save(HEAD_KEY, &head) {
                return Err(refused(HEAD_KEY));
            }
            self.head = Some(head);
        }
        let count = steps.len().div_ceil(CHUNK);
        // Chunks past the end are removed below, also after a refused
        // write left some written.
        self.chunks = self.chunks.max(count);
        for n in first..count {
            let chunk = &steps[n * CHUNK..((n + 1) * CHUNK).min(steps.len())];
            let text = serde_json::to_string(chunk).map_err(|err| err.to_string())?;
            if !storage.save(&chunk_key(n), &text) {
                return Err(refused(&chunk_key(n)));
            }
        }
        if !storage.save(KEY, &index(steps.len())) {
            return Err(refused(KEY));
        }
        for n in count..self.chunks {
            storage.remove(&chunk_key(n));
        }
        self.chunks = count;
        self.valid = steps.len();
        self.stored = steps.len();
        Ok(())
    }
}

/// Reads the working session: `Ok(None)` if none is kept, else the whole
/// record (from the journal or an older whole record).
///
/// # Errors
/// What is wrong, with everything stored for it as one text (to be kept
/// aside, so nothing is lost).
pub fn read(storage: &impl Storage) -> Result<Option<Saved>, (String, String)> {
    let Some(text) = storage.load(KEY) else {
        return Ok(LEGACY_KEYS
            .iter()
            .find_map(|key| storage.load(key).and_then(|legacy| Saved::migrate(&legacy))));
    };
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|value| value.get("version").and_then(serde_json::Value::as_u64));
    if version != Some(u64::from(JOURNAL_VERSION)) {
        return Saved::from_text(&text).map(Some).map_err(|err| (text, err));
    }
    let everything = || {
        let mut all = serde_json::json!({ "index": text, "head": storage.load(HEAD_KEY) });
        if let Ok(index) = serde_json::from_str::<Index>(&text) {
            let chunks: Vec<_> = (0..index.steps.div_ceil(index.chunk.max(1)))
                .map(|n| storage.load(&chunk_key(n)))
                .collect();
            all["chunks"] = serde_json::json!(chunks);
        }
        all.to_string()
    };
    read_journal(storage, &text)
        .map(Some)
        .map_err(|err| (everything(), err))
}

fn read_journal(storage: &impl Storage, text: &str) -> Result<Saved, String> {
    let index: Index =
        serde_json::from_str(text).map_err(|err| format!("autosave index: {err}"))?;
    if index.chunk == 0 {
        return Err("autosave index: chunks of 0 steps".into());
    }
    let head = storage
        .load(HEAD_KEY)
        .ok_or("the autosave's config is missing")?;
    let head: Head =
        serde_json::from_str(&head).map_err(|err| format!("the autosave's config: {err}"))?;
    let mut session = Session::new(head.config);
    session.sources = head.sources;
    for n in 0..index.steps.div_ceil(index.chunk) {
        let chunk = storage
            .load(&chunk_key(n))
            .ok_or_else(|| format!("part {n} of the autosave is missing"))?;
        let steps: Vec<Step> = serde_json::from_str(&chunk)
            .map_err(|err| format!("part {n} of the autosave: {err}"))?;
        session.requests.extend(steps);
    }
    if session.requests.len() < index.steps {
        return Err(format!(
            "the autosave holds {} of its {} steps",
            session.requests.len(),
            index.steps
        ));
    }
    session.requests.truncate(index.steps);
    Ok(Saved::new(
        &session.to_json(),
        &index.state_hash,
        index.blocks,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_garbage_is_none() {
        let mut drafts = Drafts {
            wat_shown: true,
            solidity: "contract C {}".into(),
            wat: "(module)".into(),
            typescript_shown: false,
            typescript: String::new(),
            files: Vec::new(),
            active: 0,
        };
        assert_eq!(Drafts::from_text(&drafts.to_text()), Some(drafts.clone()));
        // The TypeScript draft comes back, shown; drafts from before it
        // read as none, not shown.
        let typescript = Drafts {
            typescript_shown: true,
            typescript: "export function on_load(): void {}".into(),
            ..drafts.clone()
        };
        assert_eq!(Drafts::from_text(&typescript.to_text()), Some(typescript));
        assert_eq!(drafts.project(), Project::single("contract C {}".into()));
        assert_eq!(Drafts::from_text("{"), None);
        // Drafts from before projects read as a project of one file.
        let old = r#"{"wat_shown": false, "solidity": "contract Old {}", "wat": ""}"#;
        let old = Drafts::from_text(old).expect("old drafts");
        assert_eq!(old.project().active().text, "contract Old {}");
        assert!(!old.typescript_shown && old.typescript.is_empty());
        // A project of several files comes back with the same file shown.
        let mut project = drafts.project();
        project.add("lib/Math.sol").expect("adds");
        drafts.files = project.files().to_vec();
        drafts.active = project.active_index();
        let back = Drafts::from_text(&drafts.to_text()).expect("reads");
        assert_eq!(back.project(), project);
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

    use isc_engine::{AgentId, Request};
    use std::collections::BTreeMap;

    /// Storage in a map that counts the bytes written and may refuse
    /// writes after a budget.
    #[derive(Default)]
    struct Map {
        items: BTreeMap<String, String>,
        written: usize,
        budget: Option<usize>,
    }

    impl Storage for Map {
        fn load(&self, key: &str) -> Option<String> {
            self.items.get(key).cloned()
        }
        fn save(&mut self, key: &str, value: &str) -> bool {
            if let Some(budget) = &mut self.budget {
                if *budget == 0 {
                    return false;
                }
                *budget -= 1;
            }
            self.written += value.len();
            self.items.insert(key.to_owned(), value.to_owned());
            true
        }
        fn remove(&mut self, key: &str) {
            self.items.remove(key);
        }
    }

    fn step(n: usize) -> Step {
        Step::Post(
            Request::new(AgentId::user("alice"), "inccounter", "increment")
                .param("n", (n as u64).to_le_bytes()),
        )
    }

    fn session(steps: impl IntoIterator<Item = usize>) -> Session {
        let mut session = Session::new(ChainConfig::default());
        session.requests = steps.into_iter().map(step).collect();
        session
    }

    #[track_caller]
    fn reads_back(storage: &Map, expected: &Session) {
        let saved = read(storage).expect("readable").expect("kept");
        assert_eq!(
            Session::from_json(&saved.session).expect("a session"),
            *expected
        );
    }

    #[test]
    fn the_journal_writes_what_changed_and_reads_back_the_session() {
        let mut storage = Map::default();
        let mut journal = Journal::default();
        let chunk = serde_json::to_string(&session(0..CHUNK).requests)
            .expect("JSON")
            .len();
        for n in 0..=450 {
            let grown = session(0..n);
            journal.changed(Some(n.saturating_sub(1)));
            let before = storage.written;
            journal
                .save(&mut storage, &grown, "h", n as u32)
                .expect("saves");
            reads_back(&storage, &grown);
            // A save writes at most the chunk it completes, the one it
            // starts, and the index: never the whole session again.
            let cost = storage.written - before;
            assert!(cost <= 2 * chunk + 500, "{n}: {cost} (a chunk: {chunk})");
        }

        // Time travel: back to 120 steps, then others.
        let reverted = session((0..120).chain(1000..1010));
        journal.changed(Some(120));
        journal
            .save(&mut storage, &reverted, "h2", 130)
            .expect("saves");
        reads_back(&storage, &reverted);
        assert_eq!(
            storage.load(&chunk_key(2)),
            None,
            "a chunk past the end is removed"
        );

        // Another session, whose steps happen to share the first chunk's
        // length: everything is written again.
        let other = session(500..560);
        journal.changed(None);
        journal.save(&mut storage, &other, "h3", 60).expect("saves");
        reads_back(&storage, &other);
    }

    #[test]
    fn a_refused_write_leaves_the_last_good_save_or_a_prefix_of_it() {
        let mut storage = Map::default();
        let mut journal = Journal::default();
        let first = session(0..230);
        journal.save(&mut storage, &first, "h", 230).expect("saves");
        // A revert to 50 steps, then 300 more; storage fills up midway.
        let second = session((0..50).chain(2000..2300));
        journal.changed(Some(50));
        storage.budget = Some(2);
        assert!(journal.save(&mut storage, &second, "h", 350).is_err());
        let saved = read(&storage).expect("readable").expect("kept");
        let kept = Session::from_json(&saved.session).expect("a session");
        assert!(kept.requests.len() <= 50, "{}", kept.requests.len());
        assert_eq!(kept.requests[..], first.requests[..kept.requests.len()]);
        // Room again: the next save writes all of it.
        storage.budget = None;
        journal
            .save(&mut storage, &second, "h", 350)
            .expect("saves");
        reads_back(&storage, &second);
    }

    #[test]
    fn a_whole_record_under_the_key_is_still_read_and_garbage_is_kept_aside() {
        let mut storage = Map::default();
        let bare = session(0..3);
        let record = Saved::new(&bare.to_json(), "h", 3);
        storage.save(KEY, &record.to_text());
        assert_eq!(read(&storage), Ok(Some(record)));
        storage.save(
            KEY,
            r#"{"version": 2, "state_hash": "h", "blocks": 1, "steps": 5, "chunk": 100}"#,
        );
        let (kept, err) = read(&storage).expect_err("no head, no chunks");
        assert!(err.contains("config is missing"), "{err}");
        assert!(kept.contains("index") && kept.contains("chunks"), "{kept}");
        assert_eq!(read(&Map::default()), Ok(None));
    }
}
