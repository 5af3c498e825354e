//! The chain panel: accounts with their ids and units, the state hash,
//! sessions, funding, settings, gas and receipts.

use super::Shared;
use super::funding::Funding;
use super::glossary::Hint;
use super::receipts::GasChart;
use super::receipts::ReceiptRow;
use super::settings::ChainSettings;
use isc_app::model::units::{self};
use leptos::prelude::*;

/// How many receipts the list shows at first, and adds per "older".
const RECEIPTS_SHOWN: usize = 50;

/// Accounts, blocks with time travel, gas per block, receipts.
#[component]
pub(crate) fn ChainPanel() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let accounts = move || shared.shown().map(|v| v.accounts).unwrap_or_default();
    let receipts = move || shared.shown().map(|v| v.receipts).unwrap_or_default();
    // The newest receipts; older ones on request (a long session's page
    // renders what is read, not its whole history).
    let limit = RwSignal::new(RECEIPTS_SHOWN);
    let hidden = move || receipts().len().saturating_sub(limit.get());
    let hash = move || {
        shared
            .shown()
            .map(|v| (v.block_index, v.state_hash))
            .unwrap_or_default()
    };
    view! {
        <h3>"Accounts " <Hint term="on-chain"/></h3>
        <table class="balances" data-testid="balances">
            <thead><tr><th scope="col">"account"</th><th scope="col">"on chain"</th><th scope="col">"L1 wallet"</th></tr></thead>
            <tbody>
                {move || accounts()
                    .into_iter()
                    .map(|a| view! {
                        <tr data-testid=format!("balance-{}", a.name)>
                            <td title=format!("agent id {}\nEVM address {}", a.agent, a.address)>{a.name.clone()}</td>
                            <td class="num" title=units::tokens(a.l2).to_string()>{a.l2}</td>
                            <td class="num" title=a.l1.map(|l1| units::tokens(l1).to_string())>
                                {a.l1.map_or_else(|| "—".to_owned(), |l1| l1.to_string())}
                            </td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="hint" data-testid="units-note">
            {format!("Amounts in base tokens: 1 000 000 = 1 {} (6 decimals); in Solidity, 1 base token = 10^12 wei. ", units::TOKEN)}
            <Hint term="base-token"/>
        </p>
        <details class="ids" data-testid="account-ids">
            <summary>"Agent ids and EVM addresses"</summary>
            <p class="hint">"Each account as ISC names it and as Solidity sees it. " <Hint term="agent"/></p>
            <dl>
                {move || accounts().into_iter().map(|a| view! {
                    <dt>{a.name.clone()}</dt>
                    <dd>"agent id " <code data-testid=format!("agent-{}", a.name)>{a.agent.to_string()}</code></dd>
                    <dd>"EVM address " <code data-testid=format!("address-{}", a.name)>{a.address.clone()}</code></dd>
                }).collect_view()}
            </dl>
        </details>
        <p class="hash">
            "block " <span data-testid="block-index">{move || hash().0}</span>
            " · state hash " <Hint term="state-hash"/> " "<code data-testid="chain-state-hash">{move || hash().1}</code>
        </p>
        <super::sessions::SessionBox/>
        <Funding/>
        <ChainSettings/>
        <super::queue::QueuePanel/>
        <h3>"Gas per block"</h3>
        <GasChart/>
        <h3>"Blocks and receipts " <Hint term="two-blocks"/> <Hint term="gas"/></h3>
        <ul class="receipts">
            <For
                each=move || {
                    let list = receipts();
                    let start = list.len().saturating_sub(limit.get());
                    list[start..].iter().rev().cloned().collect::<Vec<_>>()
                }
                key=|r| (r.block_index, r.request_id)
                children=|receipt| view! { <ReceiptRow receipt/> }
            />
        </ul>
        <Show when=move || { hidden() > 0 }>
            <button data-testid="older-receipts" on:click=move |_| limit.update(|l| *l += RECEIPTS_SHOWN)>
                {move || format!("Show older receipts ({} more)", hidden())}
            </button>
        </Show>
    }
}
