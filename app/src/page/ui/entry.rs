//! One entry point's card: its params, tokens and gas, the call, its result,
//! and the call simulated under a tracer, opened in the debugger.

use super::Message;
use super::Note;
use super::Shared;
use super::debugger::{TRACE_STEPS, TraceView};
use super::forms::ArgInputs;
use super::forms::RawParams;
use super::forms::ValueInput;
use super::forms::base_tokens;
use super::forms::optional_number;
use super::glossary::Hint;
use isc_app::model::contract::{
    Entry, Recorded, Tokens, encode_args, recorded, resolve_names, show_results, show_values,
};
use isc_app::model::units::{self, Unit};
use isc_app::protocol::{AddressTarget, Command, Reply};
use leptos::prelude::*;

/// One func or view: its params and a button to call it.
#[component]
pub(crate) fn EntryCard(
    /// The contract's name.
    contract: String,
    /// Its VM.
    vm: isc_engine::VmType,
    /// The entry point.
    entry: Entry,
    /// Code at an EVM address this card calls instead of `contract`.
    #[prop(optional)]
    target: Option<AddressTarget>,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let args = RwSignal::new(vec![
        String::new();
        if entry.raw { 1 } else { entry.params.len() }
    ]);
    let allowance = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let unit = RwSignal::new(Unit::Base);
    let gas = RwSignal::new(String::new());
    let message: Note = RwSignal::new(None);
    let (name, view_only, payable) = (entry.name.clone(), entry.view, entry.payable);
    let ids = (
        format!("allowance-{name}"),
        format!("value-{name}"),
        format!("gas-{name}"),
    );
    let steps = RwSignal::new(None::<Recorded>);
    let run = {
        let entry = entry.clone();
        let vm = vm.clone();
        move |trace: Option<u32>, queue: bool| {
            let typed = resolve_names(&entry.params, &args.get_untracked(), &shared.accounts());
            let checked = encode_args(&vm, &entry.params, entry.raw, &typed).and_then(|params| {
                let tokens = Tokens {
                    allowance: base_tokens("Allowance", &allowance.get_untracked())?,
                    value: units::to_base(&value.get_untracked(), unit.get_untracked())
                        .map_err(|err| format!("Value: {err}"))?,
                    deposit: 0,
                };
                let gas_budget = optional_number("Gas budget", &gas.get_untracked())?;
                Ok((params, tokens, gas_budget))
            });
            let (params, tokens, gas_budget) = match checked {
                Ok(checked) => checked,
                Err(err) => {
                    message.set(Some(Err(err)));
                    return;
                }
            };
            if tokens.value > 0 && !entry.payable {
                message.set(Some(Err(format!(
                    "`{}` is not payable: it takes no value",
                    entry.name
                ))));
                return;
            }
            message.set(None);
            let command = Command::Call {
                sender: shared.sender_id(),
                contract: contract.clone(),
                entry: entry.name.clone(),
                params,
                tokens,
                view: entry.view,
                gas_budget,
                trace,
                // A view while time-travelling reads the block shown.
                at: if entry.view {
                    shared.past.get_untracked().map(|past| past.block_index)
                } else {
                    None
                },
                queue,
                target: target.clone(),
            };
            let (entry, vm) = (entry.clone(), vm.clone());
            shared.send(
                &format!("{}.{}", contract, entry.name),
                command,
                move |reply| {
                    let names = shared.names();
                    message.set(Some(match reply {
                        Reply::Values { values } => Ok(names.text(&show_values(&values))),
                        Reply::Simulated { receipt } => {
                            let recorded = recorded(&receipt);
                            let outcome = match &receipt.error {
                                None => format!(
                                    "simulated (the chain is unchanged): {} instructions recorded, {} gas",
                                    recorded.steps.len(),
                                    receipt.gas_burned
                                ),
                                Some(error) => names.text(&format!(
                                    "simulated (the chain is unchanged), failing: {error}; {} instructions recorded",
                                    recorded.steps.len()
                                )),
                            };
                            steps.set(Some(recorded));
                            Ok(outcome)
                        }
                        Reply::Chain {
                            receipt: Some(receipt),
                            ..
                        } => match &receipt.error {
                            None => {
                                let results = receipt.results.clone().unwrap_or_default();
                                Ok(names.text(&format!(
                                    "block {}: ok {}",
                                    receipt.block_index,
                                    show_values(&show_results(&vm, &entry, &results))
                                )))
                            }
                            Some(error) => Err(names.text(&format!("block {}: {error}", receipt.block_index))),
                        },
                        Reply::Chain { receipt: None, .. } if queue => Ok(
                            "queued: a later block runs it (see the queue in the Chain panel)".into(),
                        ),
                        Reply::Failed { message } => Err(names.text(&message)),
                        other => Err(format!("unexpected reply {other:?}")),
                    }));
                },
            );
        }
    };
    let run = std::rc::Rc::new(run);
    let send = {
        let run = run.clone();
        move |_| run(None, false)
    };
    let queue = {
        let run = run.clone();
        move |_| run(None, true)
    };
    let traceable = (vm == isc_engine::VmType::EVM || vm == isc_engine::VmType::WASM) && !view_only;
    let in_past = move || shared.past.get().is_some();
    // Views read the past too; funcs would change the present.
    let call_disabled = move || in_past() && !view_only;
    view! {
        <article class="entry" data-testid=format!("entry-{name}")>
            <header>
                <span class=if view_only { "kind view" } else { "kind func" }>
                    {if view_only { "view" } else { "func" }}
                </span>
                <code>{name.clone()}</code>
                {payable.then(|| view! { <span class="kind payable">"payable"</span> })}
            </header>
            {if entry.raw {
                view! { <RawParams args prefix=format!("arg-{name}")/> }.into_any()
            } else {
                view! { <ArgInputs params=entry.params.clone() args prefix=format!("arg-{name}")/> }.into_any()
            }}
            <Show when=move || !view_only>
                <details class="more">
                    <summary>"tokens and gas"</summary>
                    <label>
                        "Allowance " <span class="ty">"base tokens"</span> <Hint term="allowance"/>
                        <input data-testid=ids.0.clone() inputmode="numeric"
                            prop:value=move || allowance.get() on:input=move |ev| allowance.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        "Gas budget " <span class="ty">"optional"</span> <Hint term="gas"/>
                        <input data-testid=ids.2.clone() inputmode="numeric"
                            prop:value=move || gas.get() on:input=move |ev| gas.set(event_target_value(&ev))/>
                    </label>
                </details>
            </Show>
            <Show when=move || payable>
                <ValueInput value unit id=ids.1.clone()/>
            </Show>
            <div class="row">
                <button data-testid=format!("call-{name}") on:click=send disabled=call_disabled
                    title=move || call_disabled().then_some("Back to now to send requests: the past is read-only")>
                    {if view_only { "Call view" } else { "Send request" }}
                </button>
                {(!view_only).then(|| view! {
                    <button data-testid=format!("queue-{name}") on:click=queue.clone()
                        disabled=call_disabled
                        title="Put the request in the queue without running it: a later block runs it">
                        "Queue"
                    </button>
                })}
                {traceable.then(|| {
                    let run = run.clone();
                    view! {
                        <button data-testid=format!("trace-{name}") disabled=in_past
                            on:click=move |_| run(Some(TRACE_STEPS), false)
                            title="Simulate the call under a tracer (the chain is unchanged) and step through it">
                            "Debug"
                        </button>
                    }
                })}
            </div>
            <Message message/>
            {move || steps.get().map(|recorded| view! { <TraceView recorded/> })}
        </article>
    }
}
