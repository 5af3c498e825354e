//! Workshop lessons: markdown steps over a starting session, each step with
//! checks on the learner's chain ("counter = 3", "bob holds 40 tokens").
//!
//! Lessons are data (`public/lessons/*.json`) or a lesson link (`#l=…`, a
//! teacher's session turned into a lesson). A check is judged from the
//! chain view the page already has, or, for a view call, from the values
//! the engine answers.

use crate::model::contract::encode_args;
use crate::model::state::guess_value;
use crate::protocol::{ChainView, Command};
use isc_engine::AgentId;
use isc_engine::session::{LESSON_LINK_VERSION, LESSON_PREFIX, LinkError, pack, unpack};
use serde::{Deserialize, Serialize};

/// The `format` tag of a lesson file.
pub const LESSON_FORMAT: &str = "isc-playground-lesson";
/// The lesson format's version.
pub const LESSON_VERSION: u32 = 1;

/// A lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    /// [`LESSON_FORMAT`].
    pub format: String,
    /// [`LESSON_VERSION`].
    pub version: u32,
    /// Its title.
    pub title: String,
    /// A sentence about it.
    #[serde(default)]
    pub summary: String,
    /// The chain it starts from: a session file's path (relative to the
    /// page), or the session itself (a lesson link carries it inline).
    pub start: Start,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Where a lesson's chain starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    /// A bundled session file, relative to the page.
    File(String),
    /// The session's JSON.
    Session(String),
}

/// One step: what to read and do, and how the chain shows it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Its title.
    pub title: String,
    /// Markdown.
    pub text: String,
    /// All must pass for the step to be done.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// A fact about the learner's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// A contract of this name is deployed.
    Deployed {
        /// The contract.
        contract: String,
    },
    /// A state key of a (WasmLib) contract reads as `equals`.
    State {
        /// The contract.
        contract: String,
        /// The key, as text.
        key: String,
        /// The value's reading (`3`, `"text"`, …).
        equals: String,
    },
    /// A view answers `equals` (its first result).
    View {
        /// The contract.
        contract: String,
        /// The view.
        entry: String,
        /// Its arguments as text; `@name` is that account (an address for
        /// a Solidity contract).
        #[serde(default)]
        args: Vec<String>,
        /// The first result's text.
        equals: String,
    },
    /// An account (user or contract) holds at least this many base tokens.
    Balance {
        /// The account's name.
        account: String,
        /// The least it must hold.
        at_least: u64,
    },
    /// A request to `contract.entry` succeeded.
    Receipt {
        /// The contract.
        contract: String,
        /// The entry point.
        entry: String,
    },
}

/// What a check says of a chain.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Satisfied.
    Pass,
    /// Not (yet).
    Fail,
    /// Ask the engine this view call, then judge its values with
    /// [`Check::judge_values`].
    Ask(Box<Command>),
}

impl Check {
    /// The check as people read it.
    pub fn label(&self) -> String {
        match self {
            Self::Deployed { contract } => format!("{contract} is deployed"),
            Self::State {
                contract,
                key,
                equals,
            } => format!("{contract}: {key} = {equals}"),
            Self::View {
                contract,
                entry,
                args,
                equals,
            } => format!("{contract}.{entry}({}) = {equals}", args.join(", ")),
            Self::Balance { account, at_least } => {
                format!("{account} holds at least {at_least} base tokens")
            }
            Self::Receipt { contract, entry } => format!("{contract}.{entry} succeeded"),
        }
    }

    /// Judges the check on `view`.
    pub fn judge(&self, view: &ChainView) -> Verdict {
        let pass = |ok: bool| if ok { Verdict::Pass } else { Verdict::Fail };
        let contract_named = |name: &str| view.contracts.iter().find(|c| c.name == name);
        match self {
            Self::Deployed { contract } => pass(contract_named(contract).is_some()),
            Self::State {
                contract,
                key,
                equals,
            } => pass(contract_named(contract).is_some_and(|c| {
                c.state
                    .iter()
                    .any(|item| item.key == key.as_bytes() && guess_value(&item.value) == *equals)
            })),
            Self::Balance { account, at_least } => pass(
                view.accounts
                    .iter()
                    .any(|a| a.name == *account && a.l2 >= *at_least),
            ),
            Self::Receipt { contract, entry } => pass(view.receipts.iter().any(|r| {
                r.is_success() && r.trace.contract_name == *contract && r.trace.entry_name == *entry
            })),
            Self::View {
                contract,
                entry,
                args,
                ..
            } => {
                let Some(deployed) = contract_named(contract) else {
                    return Verdict::Fail;
                };
                let Some(found) = deployed.entries.iter().find(|e| e.name == *entry) else {
                    return Verdict::Fail;
                };
                let evm = deployed.vm == isc_engine::VmType::EVM;
                let args: Vec<String> = args
                    .iter()
                    .map(|arg| resolve_account(arg, view, evm))
                    .collect();
                match encode_args(&deployed.vm, &found.params, found.raw, &args) {
                    Ok(params) => Verdict::Ask(Box::new(Command::Call {
                        sender: AgentId::user("owner"),
                        contract: contract.clone(),
                        entry: entry.clone(),
                        params,
                        tokens: crate::model::contract::Tokens::default(),
                        view: true,
                        gas_budget: None,
                        trace: None,
                        at: None,
                        queue: false,
                        target: None,
                    })),
                    Err(_) => Verdict::Fail,
                }
            }
        }
    }

    /// Judges a view check on the values its call answered.
    pub fn judge_values(&self, values: &[(String, String)]) -> bool {
        match self {
            Self::View { equals, .. } => values.first().is_some_and(|(_, v)| v == equals),
            _ => false,
        }
    }
}

/// `@name` as that account: a user's or contract's address for a Solidity
/// contract, its agent id (hex) otherwise; anything else as written.
fn resolve_account(arg: &str, view: &ChainView, evm: bool) -> String {
    let Some(name) = arg.strip_prefix('@') else {
        return arg.to_owned();
    };
    // The view already knows each account's agent and Ethereum address.
    match view.accounts.iter().find(|a| a.name == name) {
        Some(account) if evm => account.address.clone(),
        Some(account) => format!("0x{}", hex::encode(account.agent.to_bytes())),
        None if evm => format!(
            "0x{}",
            hex::encode(isc_engine::evm::agent_address(&AgentId::user(name)))
        ),
        None => format!("0x{}", hex::encode(AgentId::user(name).to_bytes())),
    }
}

impl Lesson {
    /// Reads a lesson file.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| format!("not a lesson: {err}"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(LESSON_FORMAT) {
            return Err(format!(
                "not a lesson: expected \"format\": \"{LESSON_FORMAT}\""
            ));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(LESSON_VERSION) => {}
            other => {
                return Err(format!(
                    "lesson version {} is not supported (this build reads {LESSON_VERSION})",
                    other.map_or_else(|| "?".into(), |v| v.to_string())
                ));
            }
        }
        let lesson: Self =
            serde_json::from_value(value).map_err(|err| format!("not a lesson: {err}"))?;
        if lesson.steps.is_empty() {
            return Err("the lesson has no steps".into());
        }
        Ok(lesson)
    }

    /// The lesson link's fragment (without `#`): the session travels inside.
    pub fn to_link(&self) -> String {
        pack(
            LESSON_PREFIX,
            LESSON_LINK_VERSION,
            &serde_json::to_vec(self).unwrap_or_default(),
        )
    }

    /// Reads a lesson link's fragment.
    ///
    /// # Errors
    /// A message naming what is wrong with the link.
    pub fn from_link(fragment: &str) -> Result<Self, String> {
        let (_, json) = unpack(fragment, LESSON_PREFIX, &[LESSON_LINK_VERSION])
            .map_err(|err: LinkError| err.to_string())?;
        Self::from_json(&String::from_utf8_lossy(&json))
    }

    /// A lesson written by a teacher over `session`: steps separated by
    /// lines `---`, each with a `# Title` line, markdown, and check lines:
    /// `check: deployed C`, `check: state C KEY = VALUE`,
    /// `check: view C ENTRY [ARG …] = VALUE`, `check: balance ACCOUNT >= N`,
    /// `check: receipt C.ENTRY`.
    ///
    /// # Errors
    /// A message naming the line that does not read.
    pub fn from_teacher(title: &str, text: &str, session: &str) -> Result<Self, String> {
        let mut steps = Vec::new();
        for (n, chunk) in text.split("\n---").enumerate() {
            let mut step = Step {
                title: format!("Step {}", n + 1),
                text: String::new(),
                checks: Vec::new(),
            };
            for line in chunk.lines() {
                let trimmed = line.trim();
                if let Some(check) = trimmed.strip_prefix("check:") {
                    step.checks.push(parse_check(check.trim())?);
                } else if let Some(heading) = trimmed.strip_prefix("# ")
                    && step.text.trim().is_empty()
                {
                    heading.trim().clone_into(&mut step.title);
                } else if trimmed != "---" {
                    step.text.push_str(line);
                    step.text.push('\n');
                }
            }
            if !step.text.trim().is_empty() || !step.checks.is_empty() {
                steps.push(step);
            }
        }
        if steps.is_empty() {
            return Err("write at least one step".into());
        }
        check_names(&steps, session)?;
        let title = title.trim();
        Ok(Self {
            format: LESSON_FORMAT.into(),
            version: LESSON_VERSION,
            title: if title.is_empty() {
                "A lesson".into()
            } else {
                title.into()
            },
            summary: String::new(),
            start: Start::Session(session.to_owned()),
            steps,
        })
    }
}

/// Refuses checks that could never pass: an account a `balance` check or a
/// view's `@name` names must be a user of the session's chain, a contract
/// deployed in it, or a contract another check expects to be deployed.
fn check_names(steps: &[Step], session: &str) -> Result<(), String> {
    let mut known: Vec<String> = Vec::new();
    if let Ok(session) = isc_engine::session::Session::from_json(session) {
        known.extend(session.config.accounts().into_iter().map(|(name, _)| name));
        let deploy = isc_engine::Hname::of("deployContract");
        for request in session
            .requests
            .iter()
            .filter_map(isc_engine::Step::request)
        {
            if request.entry == deploy
                && let Some(name) = request.params.get("nm")
            {
                known.push(String::from_utf8_lossy(name).into_owned());
            }
        }
    }
    for check in steps.iter().flat_map(|step| &step.checks) {
        if let Check::Deployed { contract } = check {
            known.push(contract.clone());
        }
    }
    let is_known = |name: &str| known.iter().any(|k| k == name);
    let unknown = |name: &str| {
        format!(
            "check: no account or contract `{name}` on this chain (known: {})",
            known.join(", ")
        )
    };
    for check in steps.iter().flat_map(|step| &step.checks) {
        match check {
            Check::Balance { account, .. } => {
                if let Some(name) = account.strip_prefix('@') {
                    return Err(format!(
                        "check: `balance {account}`: write the account's name without @ (`balance {name} >= …`)"
                    ));
                }
                if !is_known(account) {
                    return Err(unknown(account));
                }
            }
            Check::View { args, .. } => {
                for name in args.iter().filter_map(|arg| arg.strip_prefix('@')) {
                    if !is_known(name) {
                        return Err(unknown(name));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_check(text: &str) -> Result<Check, String> {
    let bad = || format!("check: `{text}` does not read (see the help beside the box)");
    let (head, expected) = match text.split_once(">=") {
        Some((head, n)) => (head, Some(n.trim())),
        None => match text.rsplit_once('=') {
            Some((head, value)) => (head, Some(value.trim())),
            None => (text, None),
        },
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    Ok(match (words.as_slice(), expected) {
        (["deployed", contract], None) => Check::Deployed {
            contract: (*contract).to_owned(),
        },
        (["state", contract, key], Some(value)) => Check::State {
            contract: (*contract).to_owned(),
            key: (*key).to_owned(),
            equals: value.to_owned(),
        },
        (["view", contract, entry, args @ ..], Some(value)) => Check::View {
            contract: (*contract).to_owned(),
            entry: (*entry).to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            equals: value.to_owned(),
        },
        (["balance", account], Some(n)) => Check::Balance {
            account: (*account).to_owned(),
            at_least: n.parse().map_err(|_| bad())?,
        },
        (["receipt", call], None) => {
            let (contract, entry) = call.split_once('.').ok_or_else(bad)?;
            Check::Receipt {
                contract: contract.to_owned(),
                entry: entry.to_owned(),
            }
        }
        _ => return Err(bad()),
    })
}

/// Markdown as HTML, with any raw HTML in it shown as text (a lesson link
/// may come from anyone).
pub fn markdown_html(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let events = Parser::new(text).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Reply;
    use crate::worker::host::Host;

    #[test]
    fn bundled_lessons_read_and_their_starts_exist() {
        let public = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/");
        let index: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(format!("{public}lessons/index.json")).expect("index"),
        )
        .expect("JSON");
        assert!(index.len() >= 3);
        for entry in index {
            let file = entry["file"].as_str().expect("file");
            let lesson = Lesson::from_json(
                &std::fs::read_to_string(format!("{public}{file}")).expect("lesson"),
            )
            .unwrap_or_else(|err| panic!("{file}: {err}"));
            let Start::File(start) = &lesson.start else {
                panic!("{file}: bundled lessons start from a bundled session")
            };
            assert!(
                std::path::Path::new(&format!("{public}{start}")).exists(),
                "{start}"
            );
        }
    }

    #[test]
    fn checks_judge_a_chain_and_teachers_write_lessons_in_lines() {
        let session = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public/sessions/token.json"
        ))
        .expect("session");
        let mut host = Host::default();
        let Reply::Chain { view, .. } = host.handle(Command::Open {
            session: session.clone(),
        }) else {
            panic!("opened")
        };
        let text = "# Send tokens\nSend **bob** 40.\ncheck: deployed token\ncheck: view token balanceOf @bob = 40\ncheck: balance alice >= 1\ncheck: receipt token.transfer\n---\n# Next\n<script>alert(1)</script>\ncheck: view token balanceOf @carol = 5\n";
        let lesson = Lesson::from_teacher("Tokens", text, &session).expect("lesson");
        assert_eq!(lesson.steps.len(), 2);
        assert_eq!(lesson.steps[0].title, "Send tokens");
        let mut outcomes = Vec::new();
        for step in &lesson.steps {
            for check in &step.checks {
                outcomes.push(match check.judge(&view) {
                    Verdict::Ask(command) => match host.handle(*command) {
                        Reply::Values { values } => check.judge_values(&values),
                        other => panic!("{other:?}"),
                    },
                    verdict => verdict == Verdict::Pass,
                });
            }
        }
        assert_eq!(outcomes, [true, true, true, true, false]);

        let link = lesson.to_link();
        assert!(link.starts_with("l=1."));
        assert_eq!(Lesson::from_link(&link), Ok(lesson.clone()));
        assert!(
            Lesson::from_link("l=2.abc")
                .expect_err("version")
                .contains("version")
        );
        assert!(
            Lesson::from_teacher("x", "check: frobnicate", &session)
                .expect_err("bad check")
                .contains("does not read")
        );
        // Checks that could never pass are refused when the lesson is made.
        for (text, words) in [
            ("check: balance @bob >= 1", "without @"),
            (
                "check: balance mallory >= 1",
                "no account or contract `mallory`",
            ),
            ("check: view token balanceOf @mallory = 1", "`mallory`"),
        ] {
            let err = Lesson::from_teacher("x", text, &session).expect_err(text);
            assert!(err.contains(words), "{text}: {err}");
        }
        Lesson::from_teacher(
            "x",
            "check: deployed vault\ncheck: balance vault >= 1",
            &session,
        )
        .expect("a contract the lesson deploys is known");
        let html = markdown_html(&lesson.steps[1].text);
        assert!(!html.contains("<script>"), "{html}");
        assert!(markdown_html("Send **bob**").contains("<strong>bob</strong>"));
    }
}
