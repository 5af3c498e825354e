//! Contract state as people read it: keys grouped by their readable prefix
//! (a WasmLib map's name, say) and shown as WasmLib's proxies built them —
//! `bets[1]` for an array element, `balances[alice]` for a map entry —,
//! values decoded where the bytes suggest a type, accounts by name, the
//! raw bytes kept for the curious.

use crate::model::names::Names;
use crate::protocol::{StateItem, Variable};
use isc_engine::codec::Decoder;

/// One state item, shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The key's readable part (within its group).
    pub key: String,
    /// The value's likely reading.
    pub value: String,
    /// `0xkey → 0xvalue`.
    pub raw: String,
}

/// Items whose keys share a readable prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The prefix (`values` for keys that are all readable, `slots` for
    /// EVM storage).
    pub name: String,
    /// Its items, in key order.
    pub items: Vec<Shown>,
}

/// Groups state items by the readable text before the first unreadable
/// byte, `.` or `#`; EVM storage slots show as numbers.
///
/// EVM slots that `variables` (the compiler's storage layout) name are
/// shown by their variables' names, in the group `variables`.
pub fn group_state(
    state: &[StateItem],
    evm: bool,
    names: &Names,
    variables: &[Variable],
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for item in state {
        let raw = format!(
            "0x{} → 0x{}",
            hex::encode(&item.key),
            hex::encode(&item.value)
        );
        let (group, key, value) = if evm {
            let slot = hex::encode(&item.key);
            let slot = slot.trim_start_matches('0');
            let slot = format!("0x{}", if slot.is_empty() { "0" } else { slot });
            let number = isc_engine::evm::word_to_decimal(&item.key);
            let labels: Vec<&str> = variables
                .iter()
                .filter(|v| v.slot == number)
                .map(|v| v.label.as_str())
                .collect();
            let value = isc_engine::evm::word_to_decimal(&item.value);
            if labels.is_empty() {
                ("slots".to_owned(), slot, value)
            } else {
                let key = format!("{} (slot {slot})", labels.join(", "));
                ("variables".to_owned(), key, value)
            }
        } else {
            let readable = item
                .key
                .iter()
                .position(|b| !b.is_ascii_graphic() || *b == b'.' || *b == b'#')
                .unwrap_or(item.key.len());
            let text = String::from_utf8_lossy(&item.key[..readable]).into_owned();
            let rest = &item.key[readable..];
            let (group, key) = if rest.is_empty() {
                ("values".to_owned(), text)
            } else {
                let key = format!("{text}[{}]", show_key_part(rest, names));
                (text, key)
            };
            (group, key, show_value(&item.value, names))
        };
        let shown = Shown { key, value, raw };
        match groups.iter_mut().find(|g| g.name == group) {
            Some(g) => g.items.push(shown),
            None => groups.push(Group {
                name: group,
                items: vec![shown],
            }),
        }
    }
    groups
}

/// A key's part after its readable prefix: an array index (`#` and a
/// `vlu`), a map key (`.` and the key's bytes: text, a known account's
/// name, an agent id, or hex).
fn show_key_part(rest: &[u8], names: &Names) -> String {
    if let Some(index) = rest.strip_prefix(b"#") {
        let mut decoder = Decoder::new(index);
        if let Ok(index) = decoder.vlu(32)
            && decoder.finish().is_ok()
        {
            return index.to_string();
        }
    }
    let bytes = rest.strip_prefix(b".").unwrap_or(rest);
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic()) => {
            text.to_owned()
        }
        _ => names.agent_bytes(bytes).map_or_else(
            || {
                isc_engine::AgentId::from_bytes(bytes)
                    .map_or_else(|_| format!("0x{}", hex::encode(bytes)), |a| a.to_string())
            },
            str::to_owned,
        ),
    }
}

/// A value as [`guess_value`] reads it, or the name of the account it is.
pub fn show_value(bytes: &[u8], names: &Names) -> String {
    names
        .agent_bytes(bytes)
        .map_or_else(|| guess_value(bytes), str::to_owned)
}

/// A value's likely reading: text when printable, an integer (little-endian,
/// as WasmLib writes them) when 1, 2, 4 or 8 bytes, else hex.
pub fn guess_value(bytes: &[u8]) -> String {
    if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return format!("{:?}", String::from_utf8_lossy(bytes));
    }
    if matches!(bytes.len(), 1 | 2 | 4 | 8) {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        return if bytes.len() == 8 {
            i64::from_le_bytes(word).to_string()
        } else {
            u64::from_le_bytes(word).to_string()
        };
    }
    format!("0x{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use isc_engine::AgentId;

    fn item(key: &[u8], value: &[u8]) -> StateItem {
        StateItem {
            key: key.to_vec(),
            value: value.to_vec(),
        }
    }

    #[test]
    fn keys_group_by_readable_prefix_and_values_read_as_their_likely_type() {
        let alice = AgentId::user("alice");
        let bob = AgentId::user("bob");
        let balance_key = [b"b".as_slice(), &alice.to_bytes()].concat();
        let map_key = isc_engine::codec::map_key("balances", &bob.to_bytes());
        let mut array = isc_engine::Dict::new();
        isc_engine::codec::set_array(&mut array, "bets", [vec![1], vec![2]]);
        let mut items = vec![
            item(b"counter", &8i64.to_le_bytes()),
            item(b"name", b"Play"),
            item(b"owner", &bob.to_bytes()),
            item(&balance_key, &250u64.to_le_bytes()),
            item(&map_key, &7u64.to_le_bytes()),
        ];
        items.extend(array.iter().map(|(k, v)| item(k, v)));
        let names = Names::of(&crate::protocol::ChainView {
            accounts: vec![crate::protocol::AccountView {
                name: "bob".into(),
                agent: bob,
                l2: 0,
                l1: None,
                user: true,
                address: String::new(),
            }],
            ..Default::default()
        });
        let groups = group_state(&items, false, &names, &[]);
        assert_eq!(groups[0].name, "values");
        assert_eq!(groups[0].items[0].key, "counter");
        assert_eq!(groups[0].items[0].value, "8");
        assert_eq!(groups[0].items[1].value, "\"Play\"");
        assert_eq!(groups[0].items[2].value, "bob");
        assert_eq!(groups[1].name, "b");
        assert_eq!(groups[1].items[0].key, format!("b[{alice}]"));
        assert_eq!(groups[1].items[0].value, "250");
        assert!(groups[1].items[0].raw.starts_with("0x62"));
        assert_eq!(groups[2].items[0].key, "balances[bob]");
        let bets: Vec<_> = groups[3].items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(bets, ["bets[0]", "bets[1]"]);

        let mut slot = [0u8; 32];
        slot[31] = 1;
        let mut value = [0u8; 32];
        value[30] = 1;
        let slots = group_state(&[item(&slot, &value)], true, &Names::default(), &[]);
        assert_eq!(slots[0].items[0].key, "0x1");
        assert_eq!(slots[0].items[0].value, "256");
        // With the compiler's storage layout, the slot has its variable's name.
        let total = Variable {
            slot: "1".into(),
            offset: 0,
            label: "total".into(),
        };
        let named = group_state(&[item(&slot, &value)], true, &Names::default(), &[total]);
        assert_eq!(named[0].name, "variables");
        assert_eq!(named[0].items[0].key, "total (slot 0x1)");
    }
}
