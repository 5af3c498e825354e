//! Deposits from a user's L1 wallet into their account on the chain.

use super::Message;
use super::Note;
use super::Shared;
use super::forms::base_tokens;
use isc_app::model::contract::Tokens;
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;

/// Deposit base tokens from a user's L1 wallet into their chain account.
#[component]
pub(crate) fn Funding() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let amount = RwSignal::new(String::new());
    let note: Note = RwSignal::new(None);
    let deposit = move |_| {
        let amount = match base_tokens("Amount", &amount.get_untracked()) {
            Ok(0) => {
                note.set(Some(Err("Amount: how many base tokens to deposit?".into())));
                return;
            }
            Ok(amount) => amount,
            Err(err) => {
                note.set(Some(Err(err)));
                return;
            }
        };
        let sender = shared.sender.get_untracked();
        let command = Command::Call {
            sender: shared.sender_id(),
            contract: "accounts".into(),
            entry: "deposit".into(),
            params: isc_engine::Dict::new(),
            tokens: Tokens {
                deposit: amount,
                ..Tokens::default()
            },
            view: false,
            gas_budget: None,
            trace: None,
            at: None,
            queue: false,
            target: None,
        };
        shared.send(&format!("depositing for {sender}"), command, move |reply| {
            note.set(Some(match reply {
                Reply::Chain {
                    receipt: Some(r), ..
                } if r.is_success() => Ok(format!(
                    "{sender} deposited {amount} base tokens in block {}",
                    r.block_index
                )),
                Reply::Chain {
                    receipt: Some(r), ..
                } => Err(format!(
                    "block {}: {}",
                    r.block_index,
                    r.error.map(|e| e.to_string()).unwrap_or_default()
                )),
                Reply::Failed { message } => Err(message),
                other => Err(format!("unexpected reply {other:?}")),
            }));
        });
    };
    view! {
        <details class="more" data-testid="funding">
            <summary>"Fund the sender from L1"</summary>
            <div class="form">
                <label>
                    "Base tokens to deposit (from the sender's L1 wallet)"
                    <input data-testid="deposit-amount" inputmode="numeric"
                        prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                </label>
                <button data-testid="deposit" on:click=deposit>"Deposit"</button>
                <Message message=note/>
            </div>
        </details>
    }
}
