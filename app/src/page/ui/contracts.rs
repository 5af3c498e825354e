//! The deployed contracts: a tab per contract, its entry points, and its state
//! as a tree.

use super::Shared;
use super::entry::EntryCard;
use isc_app::model::state::{Group, Shown, group_state};
use isc_app::protocol::ContractView;
use leptos::prelude::*;

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
    view! {
        <Show
            when=move || !names().is_empty()
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
            </div>
        </Show>
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
