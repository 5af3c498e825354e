//! Names for what the chain shows as ids: accounts by agent id or Ethereum
//! address, contracts by hname. The page shows a name wherever one of
//! these appears (state keys and values, events, receipts, errors) and
//! keeps the raw form for hover.

use crate::protocol::ChainView;
use isc_engine::{AgentId, Hname};
use std::collections::BTreeMap;

/// The names the chain knows, by the forms its ids are written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Agent id (as written, lower case) or Ethereum address → name.
    ids: BTreeMap<String, String>,
    /// Hname, 8 hex digits → contract name.
    hnames: BTreeMap<String, String>,
}

/// ISC's core contracts, whose hnames appear in receipts and errors.
const CORE: &[&str] = &[
    "root",
    "accounts",
    "blob",
    "blocklog",
    "governance",
    "errors",
    "evm",
];

impl Names {
    /// The names in `view`: its accounts, contracts and the core contracts.
    pub fn of(view: &ChainView) -> Self {
        let mut names = Self::default();
        for account in &view.accounts {
            names.add_agent(&account.agent, &account.name);
            names
                .ids
                .insert(account.address.to_ascii_lowercase(), account.name.clone());
        }
        for contract in &view.contracts {
            names
                .hnames
                .insert(contract.hname.clone(), contract.name.clone());
            if let Some(address) = &contract.address {
                names
                    .ids
                    .insert(address.to_ascii_lowercase(), contract.name.clone());
            }
        }
        for entry in view.contracts.iter().flat_map(|c| &c.entries) {
            names.add_name(&entry.name);
        }
        for core in CORE {
            names
                .hnames
                .insert(Hname::of(core).to_string(), (*core).to_owned());
        }
        names
    }

    /// Also knows `names` by their hnames: contracts the chain may not
    /// have (yet), such as the bundled examples' suggested names.
    #[must_use]
    pub fn with_names(mut self, names: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        for name in names {
            self.add_name(name.as_ref());
        }
        self
    }

    fn add_name(&mut self, name: &str) {
        self.hnames
            .entry(Hname::of(name).to_string())
            .or_insert_with(|| name.to_owned());
    }

    fn add_agent(&mut self, agent: &AgentId, name: &str) {
        self.ids
            .insert(agent.to_string().to_ascii_lowercase(), name.to_owned());
        // WasmLib writes a user's address as bech32 (in events, say).
        if let AgentId::User(address) = agent
            && let Ok(bech32) =
                isc_engine::wasmvm::utils::bech32_encode(&[&[0u8][..], address].concat())
        {
            self.ids.insert(bech32, name.to_owned());
        }
    }

    /// The name of the agent `bytes` encode, if known.
    pub fn agent_bytes(&self, bytes: &[u8]) -> Option<&str> {
        let agent = AgentId::from_bytes(bytes).ok()?;
        self.id(&agent.to_string())
    }

    /// The name of an id written as text (`0x…` agent id or address), if known.
    pub fn id(&self, text: &str) -> Option<&str> {
        self.ids.get(&text.to_ascii_lowercase()).map(String::as_str)
    }

    /// The name of `hname` (a contract or entry point), or its hex.
    pub fn hname(&self, hname: isc_engine::Hname) -> String {
        let hex = hname.to_string();
        self.hnames.get(&hex).cloned().unwrap_or(hex)
    }

    /// The name of `agent`, or its text.
    pub fn agent(&self, agent: &AgentId) -> String {
        let text = agent.to_string();
        self.id(&text).map_or(text, str::to_owned)
    }

    /// `text` with every known id replaced by its name, and every known
    /// hname followed by it: `contract af2438e9 not found` reads
    /// `contract inccounter (af2438e9) not found`.
    pub fn text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut token = String::new();
        let flush = |token: &mut String, out: &mut String| {
            out.push_str(&self.token(token));
            token.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() || c == '@' {
                token.push(c);
            } else {
                flush(&mut token, &mut out);
                out.push(c);
            }
        }
        flush(&mut token, &mut out);
        out
    }

    /// One word of [`Names::text`], named if it is a known id or hname.
    fn token(&self, token: &str) -> String {
        if let Some(name) = self.id(token) {
            return name.to_owned();
        }
        // A contract's agent id: `hname@chain`.
        let hname = token.split_once('@').map_or(token, |(hname, _)| hname);
        match self.hnames.get(&hname.to_ascii_lowercase()) {
            Some(name) if hname.len() == 8 && hname != token => name.clone(),
            Some(name) if hname.len() == 8 => format!("{name} ({token})"),
            _ => token.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AccountView, ContractView};
    use isc_engine::VmType;

    fn view() -> ChainView {
        let alice = AgentId::user("alice");
        ChainView {
            block_index: 0,
            state_hash: String::new(),
            accounts: vec![AccountView {
                name: "alice".into(),
                agent: alice,
                l2: 0,
                l1: None,
                user: true,
                address: "0xAbCd000000000000000000000000000000000001".into(),
            }],
            contracts: vec![ContractView {
                name: "inccounter".into(),
                vm: VmType::WASM,
                hname: Hname::of("inccounter").to_string(),
                address: None,
                entries: Vec::new(),
                state: Vec::new(),
                variables: Vec::new(),
                language: None,
            }],
            ..ChainView::default()
        }
    }

    #[test]
    fn ids_read_as_names_and_hnames_gain_theirs() {
        let names = Names::of(&view());
        let alice = AgentId::user("alice");
        assert_eq!(names.agent_bytes(&alice.to_bytes()), Some("alice"));
        let inccounter = Hname::of("inccounter");
        assert_eq!(
            names.text(&format!("contract {inccounter} not found")),
            format!("contract inccounter ({inccounter}) not found")
        );
        assert_eq!(
            names.text(&format!(
                "sent by {alice}, to 0xabcd000000000000000000000000000000000001."
            )),
            "sent by alice, to alice."
        );
        // Unknown ids and plain hex stay as they are.
        assert_eq!(
            names.text("0x12 and 0xdeadbeef, 0x"),
            "0x12 and 0xdeadbeef, 0x"
        );
        let later = Hname::of("later");
        assert_eq!(names.text(&format!("{later}")), later.to_string());
        let names = names.with_names(["later"]);
        assert_eq!(names.text(&format!("{later}")), format!("later ({later})"));
        let contract = AgentId::Contract {
            chain: isc_engine::ChainId([1; 32]),
            hname: inccounter,
        };
        assert_eq!(
            names.text(&format!("caller {contract}")),
            "caller inccounter"
        );
        let bech32 =
            isc_engine::wasmvm::utils::bech32_encode(&alice.to_bytes()[1..]).expect("address");
        assert_eq!(
            names.text(&format!("transfer|{bech32}|5")),
            "transfer|alice|5"
        );
        assert_eq!(
            names.text(&format!("{} in root", Hname::of("root"))),
            format!("root ({}) in root", Hname::of("root"))
        );
    }
}
