//! The deployed contracts: a tab per contract, its entry points, and its state
//! as a tree.

use super::entry::EntryCard;
use super::{Message, Note, Shared};
use isc_app::model::contract::Entry;
use isc_app::model::state::{Group, Shown, group_state};
use isc_app::protocol::{AbiSource, AddressTarget, Command, ContractView, EvmChild, Reply};
use isc_engine::VmType;
use leptos::prelude::*;

/// EVM code opened at an address: a contract tab without an ISC name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AtTab {
    /// Its tab's key (`@` and the address).
    pub(crate) key: String,
    /// What the tab says: the ABI's contract and the short address.
    pub(crate) label: String,
    /// The address and the ABI its cards call it with.
    pub(crate) target: AddressTarget,
    /// The ABI's funcs and views.
    pub(crate) entries: Vec<Entry>,
}

/// `0x1234…abcd`.
fn short_address(address: &str) -> String {
    match (
        address.get(..6),
        address.len().checked_sub(4).and_then(|i| address.get(i..)),
    ) {
        (Some(head), Some(tail)) if address.len() > 12 => format!("{head}…{tail}"),
        _ => address.to_owned(),
    }
}

/// Opens `address` with the ABI `source` (named `label`) as a tab, and
/// selects it; `note` says why not if it cannot.
fn open_at(shared: Shared, address: String, source: AbiSource, label: String, note: Note) {
    let address = address.trim().to_owned();
    let digits = address.strip_prefix("0x").unwrap_or_default();
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        note.set(Some(Err(format!(
            "`{address}` is not an EVM address (0x and 40 hex digits)"
        ))));
        return;
    }
    shared.send(
        &format!("reading the ABI of {label}"),
        Command::Interface { source },
        move |reply| match reply {
            Reply::Interface { abi, entries } => {
                let key = format!("@{}", address.to_lowercase());
                let tab = AtTab {
                    key: key.clone(),
                    label: format!("{label} @ {}", short_address(&address)),
                    target: AddressTarget { address, abi },
                    entries,
                };
                shared.at_tabs.update(|tabs| {
                    tabs.retain(|t| t.key != tab.key);
                    tabs.push(tab);
                });
                shared.selected.set(Some(key));
                note.set(None);
            }
            Reply::Failed { message } => note.set(Some(Err(message))),
            _ => {}
        },
    );
}

/// The deployed contracts: tabs, the entry points and state of the chosen one.
#[component]
pub(crate) fn Contracts() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let contracts = move || shared.shown().map(|v| v.contracts).unwrap_or_default();
    let names = move || {
        contracts()
            .into_iter()
            .map(|c| (c.name, c.vm.to_string(), c.language))
            .collect::<Vec<_>>()
    };
    let current = move || {
        let name = shared.selected.get()?;
        contracts().into_iter().find(|c| c.name == name)
    };
    let interface = Memo::new(move |_| current().map(|c| (c.name, c.vm, c.address, c.entries)));
    let at_tab = move || {
        let key = shared.selected.get()?;
        shared.at_tabs.get().into_iter().find(|t| t.key == key)
    };
    let at_tab = Memo::new(move |_| at_tab());
    view! {
        <Show
            when=move || !names().is_empty() || !shared.at_tabs.get().is_empty()
            fallback=|| view! { <p class="hint">"Pick an example and deploy it."</p> }
        >
            <div class="tabs" role="tablist" aria-label="deployed contracts">
                {move || {
                    names()
                        .into_iter()
                        .map(|(name, vm, language)| {
                            let selected = name.clone();
                            let is = name.clone();
                            view! {
                                <button
                                    role="tab"
                                    data-testid=format!("contract-{name}")
                                    aria-selected=move || (shared.selected.get().as_deref() == Some(is.as_str())).to_string()
                                    on:click=move |_| shared.selected.set(Some(selected.clone()))
                                >
                                    {name.clone()}
                                    {language.map(|language| view! { <span class="lang" data-testid="language">{language}</span> })}
                                    <span class=format!("vm vm-{vm}")>{vm.clone()}</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
                {move || {
                    shared
                        .at_tabs
                        .get()
                        .into_iter()
                        .map(|tab| {
                            let (key, is) = (tab.key.clone(), tab.key.clone());
                            view! {
                                <button
                                    role="tab"
                                    data-testid=format!("contract-at-{}", tab.target.address.to_lowercase())
                                    title=tab.target.address.clone()
                                    aria-selected=move || (shared.selected.get().as_deref() == Some(is.as_str())).to_string()
                                    on:click=move |_| shared.selected.set(Some(key.clone()))
                                >
                                    {tab.label}
                                    <span class="vm vm-evm">"evm"</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
        <EvmChildren/>
        {move || at_tab.get().map(|tab| view! {
            <p class="hint">"address " <code data-testid="contract-address">{tab.target.address.clone()}</code>
                " — called through " <code>"evm.callAddress"</code></p>
            {tab.entries
                .into_iter()
                .map(|entry| view! {
                    <EntryCard contract=tab.label.clone() vm=VmType::EVM entry target=tab.target.clone()/>
                })
                .collect_view()}
        })}
        // The forms depend only on the entry points, so they (and what
        // their messages say) survive state updates.
        {move || interface.get().map(|(name, vm, address, entries)| view! {
            {address.map(|address| view! {
                <p class="hint">"address " <code data-testid="contract-address">{address}</code></p>
            })}
            {entries
                .into_iter()
                .map(|entry| view! { <EntryCard contract=name.clone() vm=vm.clone() entry/> })
                .collect_view()}
        })}
        {move || current().map(|contract| view! { <StateTree contract/> })}
        <AtAddress/>
    }
}

/// The EVM contracts contracts created, each with its creator and a button
/// that opens it at its address.
#[component]
fn EvmChildren() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let children = move || shared.shown().map(|v| v.evm_children).unwrap_or_default();
    let note: Note = RwSignal::new(None);
    view! {
        <Show when=move || !children().is_empty()>
            <div class="children" data-testid="evm-children">
                <p class="hint">"Created by contracts (no ISC name: call them at their address):"</p>
                <ul>
                    {move || children().into_iter().map(|EvmChild { address, creator, code_of, compiled_as }| {
                        let by = creator
                            .map(|c| format!(" by {}", if c.starts_with("0x") { short_address(&c) } else { c }))
                            .unwrap_or_default();
                        let runs = match (&code_of, &compiled_as) {
                            (Some(deployed), _) => format!(" · runs {deployed}'s code"),
                            (None, Some(compiled)) => format!(" · a {compiled} (compiled in the editor)"),
                            (None, None) => String::new(),
                        };
                        let open = {
                            let address = address.clone();
                            move |_| {
                                let compiled = compiled_as.clone().and_then(|name| {
                                    shared
                                        .compiled_abis
                                        .get_untracked()
                                        .into_iter()
                                        .find(|(n, _)| *n == name)
                                });
                                match (code_of.clone(), compiled) {
                                    (Some(name), _) => open_at(shared, address.clone(), AbiSource::Contract { name: name.clone() }, name, note),
                                    (None, Some((name, text))) => open_at(shared, address.clone(), AbiSource::Json { text }, name, note),
                                    (None, None) => note.set(Some(Err(format!(
                                        "Which contract is {address}? Open it below, \"Call at address\", with its ABI."
                                    )))),
                                }
                            }
                        };
                        view! {
                            <li data-testid="evm-child">
                                <code title=address.clone()>{short_address(&address)}</code>
                                {by}{runs}" "
                                <button class="link" data-testid="open-child" on:click=open>"open"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Message message=note/>
            </div>
        </Show>
    }
}

/// "Call at address": any EVM address, with the ABI of a deployed
/// contract, of one the editor compiled, or pasted.
#[component]
fn AtAddress() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let address = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    let pasted = RwSignal::new(String::new());
    let note: Note = RwSignal::new(None);
    let deployed = move || {
        shared
            .shown()
            .map(|v| v.contracts)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.vm == VmType::EVM)
            .map(|c| c.name)
            .collect::<Vec<_>>()
    };
    let open = move |_| {
        let picked = choice.get_untracked();
        let (source, label) = if let Some(name) = picked.strip_prefix("deployed:") {
            (
                AbiSource::Contract {
                    name: name.to_owned(),
                },
                name.to_owned(),
            )
        } else if let Some(name) = picked.strip_prefix("compiled:") {
            let found = shared
                .compiled_abis
                .get_untracked()
                .into_iter()
                .find(|(n, _)| n == name);
            match found {
                Some((name, text)) => (AbiSource::Json { text }, name),
                None => {
                    note.set(Some(Err(format!(
                        "`{name}` is no longer compiled: compile again"
                    ))));
                    return;
                }
            }
        } else if picked == "paste" {
            (
                AbiSource::Json {
                    text: pasted.get_untracked(),
                },
                "pasted ABI".to_owned(),
            )
        } else {
            note.set(Some(Err("Pick the ABI to call it with.".into())));
            return;
        };
        open_at(shared, address.get_untracked(), source, label, note);
    };
    view! {
        <details class="more at-address" data-testid="at-address-panel">
            <summary>"Call at address"</summary>
            <p class="hint">"Any EVM contract — one a factory created, a clone — by its address, with an ABI you pick or paste."</p>
            <label>"Address "
                <input data-testid="at-address" placeholder="0x…" spellcheck="false"
                    prop:value=move || address.get()
                    on:input=move |ev| address.set(event_target_value(&ev))/>
            </label>
            <label>" ABI "
                <select data-testid="at-abi" on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="">"choose…"</option>
                    {move || deployed().into_iter().map(|name| view! {
                        <option value=format!("deployed:{name}")>{format!("{name} (deployed)")}</option>
                    }).collect_view()}
                    {move || shared.compiled_abis.get().into_iter().map(|(name, _)| view! {
                        <option value=format!("compiled:{name}")>{format!("{name} (compiled in the editor)")}</option>
                    }).collect_view()}
                    <option value="paste">"paste ABI JSON…"</option>
                </select>
            </label>
            <Show when=move || choice.get() == "paste">
                <textarea data-testid="at-abi-json" class="code" rows="4" placeholder="[{\"type\":\"function\", …}]"
                    prop:value=move || pasted.get()
                    on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            </Show>
            <button data-testid="at-open" on:click=open>"Open"</button>
            <Message message=note/>
        </details>
    }
}

/// A contract's state: keys grouped by their readable prefix, values
/// decoded where the bytes suggest a type, raw hex on demand.
#[component]
pub(crate) fn StateTree(
    /// The contract.
    contract: ContractView,
) -> impl IntoView {
    let evm = contract.vm == isc_engine::VmType::EVM;
    let names = expect_context::<Shared>().names();
    let groups = group_state(&contract.state, evm, &names, &contract.variables);
    let count = contract.state.len();
    view! {
        <details class="state" data-testid="state" open=true>
            <summary>{format!("{} state ({})", if evm { "storage" } else { "contract" }, isc_app::model::words::count(count as u64, if evm { "slot" } else { "key" }))}</summary>
            <ul class="tree">
                {groups.into_iter().map(|Group { name, items }| view! {
                    <li>
                        <span class="group">{name}</span>
                        <ul>
                            {items.into_iter().map(|Shown { key, value: shown, raw }| view! {
                                <li data-testid="state-item">
                                    <code class="key" title=raw.clone()>{key}</code>
                                    " = "
                                    <span class="value" data-testid="state-value">{shown}</span>
                                    <details class="raw"><summary>"raw"</summary><code>{raw}</code></details>
                                </li>
                            }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
        </details>
    }
}
