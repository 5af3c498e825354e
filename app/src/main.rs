//! # isc-app — the ISC Playground page
//!
//! A leptos client-side-rendered app: the bundled example contracts (Wasm and
//! Solidity), deploy forms from their schemas and ABIs, a form per entry
//! point, balances, receipts with their call traces, and the engine check.
//! Components only wire signals to views; the logic lives in [`model`] and
//! in the engine. The chain itself is kept out of signals (a `StoredValue`);
//! a version counter tells views when it changed.

mod model;
mod sys;

use isc_engine::session::Link;
use isc_engine::{AgentId, CallTrace, Dict, FirstLight, Receipt, first_light};
use leptos::prelude::*;
use model::{Deployed, Entry, Example, Model, Outcome, Tokens};

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// What every panel shares: the model (not reactive), the bundled examples,
/// and the cheap signals views depend on.
#[derive(Clone, Copy)]
struct Shared {
    model: StoredValue<Model, LocalStorage>,
    examples: StoredValue<Vec<Example>, LocalStorage>,
    /// Bumped after every change to the chain: views that show chain data
    /// read it to refresh.
    version: RwSignal<u64>,
    /// The index of the sending account in [`Model::accounts`].
    sender: RwSignal<usize>,
    /// The deployed contract whose entry points are shown.
    selected: RwSignal<Option<String>>,
}

impl Shared {
    fn sender_id(&self) -> AgentId {
        let index = self.sender.get_untracked();
        self.model
            .with_value(|m| m.accounts().get(index).map(|(_, id)| *id))
            .unwrap_or_else(|| AgentId::user("alice"))
    }
}

/// The whole page.
#[component]
fn App() -> impl IntoView {
    let examples = match model::examples() {
        Ok(examples) => examples,
        Err(message) => {
            return view! { <p class="error" role="alert" data-testid="engine-error">{message}</p> }.into_any();
        }
    };
    // A share link in the fragment: replay it, and say whether it matched.
    let fragment = window().location().hash().unwrap_or_default();
    let (model, opened) = if fragment.starts_with("#s=") {
        let opened = Link::decode(&fragment)
            .map_err(|err| err.to_string())
            .and_then(|link| {
                Model::from_session(&link.session, &examples).map(|model| (model, link.state_hash))
            });
        match opened {
            Ok((model, expected)) => {
                let actual = model.chain.state_hash().to_string();
                let requests = model.chain.block_index();
                (model, Some(Ok((expected, actual, requests))))
            }
            Err(message) => (Model::new(), Some(Err(message))),
        }
    } else {
        (Model::new(), None)
    };
    let first = model.deployed.first().map(|d| d.name.clone());
    let shared = Shared {
        model: StoredValue::new_local(model),
        examples: StoredValue::new_local(examples),
        version: RwSignal::new(0),
        sender: RwSignal::new(1),
        selected: RwSignal::new(first),
    };
    provide_context(shared);
    // The demo is pure and takes a few milliseconds; it runs once on load.
    let report = first_light().map_err(|err| err.to_string());
    view! {
        <header class="topbar">
            <h1>"ISC Playground"</h1>
            <span class="tagline">"IOTA Smart Contracts, in your browser"</span>
            <SenderPicker/>
        </header>
        {opened.map(|opened| match opened {
            Ok((expected, actual, blocks)) => {
                let matches = expected == actual;
                view! {
                    <p class=if matches { "banner ok" } else { "banner error" } role="status" data-testid="link-status">
                        {format!("Opened a shared session: {blocks} blocks replayed. ")}
                        {if matches {
                            "The state hash matches the link's.".to_owned()
                        } else {
                            format!("STATE HASH MISMATCH: the link recorded {expected}, this replay gives {actual}.")
                        }}
                    </p>
                }
                .into_any()
            }
            Err(message) => view! {
                <p class="banner error" role="alert" data-testid="link-status">
                    "This share link could not be opened: " {message} ". You are on a fresh chain."
                </p>
            }
            .into_any(),
        })}
        <main class="playground">
            <section class="panel" aria-labelledby="examples-title">
                <h2 id="examples-title">"Examples"</h2>
                <Gallery/>
            </section>
            <section class="panel" aria-labelledby="contracts-title">
                <h2 id="contracts-title">"Contracts"</h2>
                <Contracts/>
            </section>
            <section class="panel" aria-labelledby="chain-title">
                <h2 id="chain-title">"Chain"</h2>
                <ChainView/>
            </section>
        </main>
        <section class="engines">
            <h2>"Engine check"</h2>
            {match report {
                Ok(report) => view! { <FirstLightReport report/> }.into_any(),
                Err(message) => view! {
                    <p class="error" role="alert" data-testid="engine-error">{message}</p>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

/// Who sends requests.
#[component]
fn SenderPicker() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let accounts = shared.model.with_value(Model::accounts);
    view! {
        <label class="sender">
            "Sender "
            <select
                data-testid="sender"
                on:change=move |ev| shared.sender.set(event_target_value(&ev).parse().unwrap_or(0))
            >
                {accounts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, _))| {
                        view! { <option value=i.to_string() selected=i == 1>{name}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The bundled examples, each deployable with its init params.
#[component]
fn Gallery() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let chosen = RwSignal::new(None::<usize>);
    let list = shared.examples.with_value(|examples| {
        examples
            .iter()
            .enumerate()
            .map(|(i, ex)| (i, ex.name, ex.vm.to_string(), ex.description))
            .collect::<Vec<_>>()
    });
    view! {
        <ul class="gallery">
            {list
                .into_iter()
                .map(|(i, name, vm, description)| {
                    view! {
                        <li>
                            <button
                                class="example"
                                class:chosen=move || chosen.get() == Some(i)
                                data-testid=format!("example-{name}")
                                on:click=move |_| chosen.set(Some(i))
                            >
                                <span class="name">{name}</span>
                                <span class=format!("vm vm-{vm}")>{vm.clone()}</span>
                            </button>
                            <Show when=move || chosen.get() == Some(i)>
                                <p class="description">{description}</p>
                                <DeployForm index=i/>
                            </Show>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Name and init params of one example, and its Deploy button.
#[component]
fn DeployForm(
    /// The example's index in the gallery.
    index: usize,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let (name, init) = shared
        .examples
        .with_value(|e| (e[index].name.to_lowercase(), e[index].init.clone()));
    let contract_name = RwSignal::new(name);
    let args = RwSignal::new(vec![String::new(); init.len()]);
    let message = RwSignal::new(None::<Result<String, String>>);
    let deploy = move |_| {
        let sender = shared.sender_id();
        let result = shared.model.try_update_value(|m| {
            shared.examples.with_value(|examples| {
                m.deploy(
                    &examples[index],
                    &contract_name.get_untracked(),
                    sender,
                    &args.get_untracked(),
                )
            })
        });
        let outcome = match result {
            Some(Ok(receipt)) => match &receipt.error {
                None => {
                    shared
                        .selected
                        .set(Some(contract_name.get_untracked().trim().to_owned()));
                    Ok(format!("deployed in block {}", receipt.block_index))
                }
                Some(error) => Err(format!("deploy failed: {error}")),
            },
            Some(Err(error)) => Err(error),
            None => Err("the model is gone".into()),
        };
        message.set(Some(outcome));
        shared.version.update(|v| *v += 1);
    };
    view! {
        <div class="form" data-testid="deploy-form">
            <label>
                "Contract name"
                <input
                    data-testid="deploy-name"
                    prop:value=move || contract_name.get()
                    on:input=move |ev| contract_name.set(event_target_value(&ev))
                />
            </label>
            <ArgInputs params=init args prefix="init".to_owned()/>
            <button class="primary" data-testid="deploy-button" on:click=deploy>"Deploy"</button>
            <Message message/>
        </div>
    }
}

/// One labelled text input per param, bound to `args`.
#[component]
fn ArgInputs(
    /// The params.
    params: Vec<model::Param>,
    /// Their values, by position.
    args: RwSignal<Vec<String>>,
    /// Prefix of the inputs' test ids.
    prefix: String,
) -> impl IntoView {
    params
        .into_iter()
        .enumerate()
        .map(|(i, param)| {
            let testid = format!("{prefix}-{}", param.name);
            view! {
                <label>
                    {param.name.clone()}
                    " "
                    <span class="ty">{param.ty.clone()}</span>
                    <input
                        data-testid=testid
                        prop:value=move || args.with(|a| a.get(i).cloned().unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            args.update(|a| {
                                if a.len() <= i {
                                    a.resize(i + 1, String::new());
                                }
                                a[i] = value;
                            });
                        }
                    />
                </label>
            }
        })
        .collect_view()
}

/// A success or error line.
#[component]
fn Message(
    /// What to show.
    message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    move || {
        message.get().map(|m| match m {
            Ok(text) => {
                view! { <p class="ok" data-testid="message" role="status">{text}</p> }.into_any()
            }
            Err(text) => {
                view! { <p class="error" data-testid="message" role="alert">{text}</p> }.into_any()
            }
        })
    }
}

/// The deployed contracts and the entry points of the selected one.
#[component]
fn Contracts() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let names = move || {
        shared.version.get();
        shared.model.with_value(|m| {
            m.deployed
                .iter()
                .map(|d| (d.name.clone(), d.vm.to_string()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show
            when=move || !names().is_empty()
            fallback=|| view! { <p class="hint">"Pick an example and deploy it."</p> }
        >
            <div class="tabs" role="tablist">
                {move || {
                    names()
                        .into_iter()
                        .map(|(name, vm)| {
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
                                    <span class=format!("vm vm-{vm}")>{vm.clone()}</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
        {move || {
            let name = shared.selected.get()?;
            let contract = shared.model.with_value(|m| m.contract(&name).cloned())?;
            Some(
                contract
                    .entries
                    .clone()
                    .into_iter()
                    .map(|entry| view! { <EntryCard contract=contract.clone() entry/> })
                    .collect_view(),
            )
        }}
    }
}

/// One func or view: its params and a button to call it.
#[component]
fn EntryCard(
    /// The contract.
    contract: Deployed,
    /// The entry point.
    entry: Entry,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let args = RwSignal::new(vec![String::new(); entry.params.len()]);
    let allowance = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let (name, view_only, params) = (entry.name.clone(), entry.view, entry.params.clone());
    let payable = entry.payable;
    let (allowance_id, value_id) = (format!("allowance-{name}"), format!("value-{name}"));
    let run = {
        let entry = entry.clone();
        move |_| {
            let sender = shared.sender_id();
            let tokens = match (
                base_tokens("Allowance", &allowance.get_untracked()),
                base_tokens("Value", &value.get_untracked()),
            ) {
                (Ok(allowance), Ok(value)) => Tokens { allowance, value },
                (Err(error), _) | (_, Err(error)) => {
                    message.set(Some(Err(error)));
                    return;
                }
            };
            let result = shared.model.try_update_value(|m| {
                m.call(&contract, &entry, sender, &args.get_untracked(), tokens)
            });
            message.set(Some(match result {
                Some(Ok(Outcome::View(values))) => Ok(show_values(&values)),
                Some(Ok(Outcome::Request(receipt))) => match &receipt.error {
                    None => {
                        let values = Model::show_results(
                            &contract,
                            &entry,
                            receipt.results.as_ref().unwrap_or(&Dict::new()),
                        );
                        Ok(format!(
                            "block {}: ok {}",
                            receipt.block_index,
                            show_values(&values)
                        ))
                    }
                    Some(error) => Err(format!("block {}: {error}", receipt.block_index)),
                },
                Some(Err(error)) => Err(error),
                None => Err("the model is gone".into()),
            }));
            shared.version.update(|v| *v += 1);
        }
    };
    view! {
        <article class="entry" data-testid=format!("entry-{name}")>
            <header>
                <span class=if view_only { "kind view" } else { "kind func" }>
                    {if view_only { "view" } else { "func" }}
                </span>
                <code>{name.clone()}</code>
            </header>
            <ArgInputs params args prefix=format!("arg-{name}")/>
            <Show when=move || !view_only>
                <label>
                    "Allowance " <span class="ty">"base tokens"</span>
                    <input
                        data-testid=allowance_id.clone()
                        inputmode="numeric"
                        prop:value=move || allowance.get()
                        on:input=move |ev| allowance.set(event_target_value(&ev))
                    />
                </label>
            </Show>
            <Show when=move || payable>
                <label>
                    "Value " <span class="ty">"base tokens → msg.value"</span>
                    <input
                        data-testid=value_id.clone()
                        inputmode="numeric"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                </label>
            </Show>
            <button data-testid=format!("call-{name}") on:click=run>
                {if view_only { "Call view" } else { "Send request" }}
            </button>
            <Message message/>
        </article>
    }
}

/// A base-token amount typed by the user: empty is none.
fn base_tokens(label: &str, text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse()
        .map_err(|_| format!("{label}: \"{text}\" is not a whole number of base tokens"))
}

fn show_values(values: &[(String, String)]) -> String {
    if values.is_empty() {
        return "(no results)".into();
    }
    values
        .iter()
        .map(|(name, value)| format!("{name} = {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Balances, blocks and receipts, and the state hash.
#[component]
fn ChainView() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let balances = move || {
        shared.version.get();
        shared.model.with_value(|m| {
            let users = m.accounts().into_iter().map(|(name, id)| {
                let l1 = m.chain.l1_balance(&id).to_string();
                (name, m.chain.balance(&id), l1)
            });
            let contracts = m.deployed.iter().map(|c| {
                let id = m.chain.contract_agent(&c.name);
                (c.name.clone(), m.chain.balance(&id), "—".to_owned())
            });
            users.chain(contracts).collect::<Vec<_>>()
        })
    };
    let receipts = move || {
        shared.version.get();
        shared.model.with_value(|m| m.chain.receipts())
    };
    let hash = move || {
        shared.version.get();
        shared
            .model
            .with_value(|m| (m.chain.block_index(), m.chain.state_hash().to_string()))
    };
    view! {
        <h3>"Accounts"</h3>
        <table class="balances" data-testid="balances">
            <thead><tr><th>"account"</th><th>"on chain"</th><th>"L1 wallet"</th></tr></thead>
            <tbody>
                {move || balances()
                    .into_iter()
                    .map(|(name, l2, l1)| view! {
                        <tr data-testid=format!("balance-{name}")>
                            <td>{name.clone()}</td><td class="num">{l2}</td><td class="num">{l1}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="hash">
            "block " <span data-testid="block-index">{move || hash().0}</span>
            " · state hash " <code data-testid="chain-state-hash">{move || hash().1}</code>
        </p>
        <ShareBox/>
        <h3>"Receipts"</h3>
        <ul class="receipts">
            {move || {
                let mut list = receipts();
                list.reverse();
                list.into_iter().map(|r| view! { <ReceiptRow receipt=r/> }).collect_view()
            }}
        </ul>
    }
}

/// The Share button: puts the session into the URL fragment and shows the link.
#[component]
fn ShareBox() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let link = RwSignal::new(None::<String>);
    let share = move |_| {
        let fragment = shared.model.with_value(Model::share_link);
        let location = window().location();
        let _ = location.set_hash(&fragment);
        link.set(location.href().ok());
    };
    view! {
        <div class="share">
            <button data-testid="share" on:click=share>"Share this session"</button>
            {move || link.get().map(|url| {
                let size = url.len();
                view! {
                    <input readonly aria-label="share link" data-testid="share-link" prop:value=url/>
                    <span class="hint" data-testid="share-size">{format!("{size} characters")}</span>
                }
            })}
        </div>
    }
}

/// One receipt: status, call, gas, fee; details with events and the trace.
#[component]
fn ReceiptRow(
    /// The receipt.
    receipt: Receipt,
) -> impl IntoView {
    let ok = receipt.is_success();
    let call = format!(
        "{}.{}",
        receipt.trace.contract_name, receipt.trace.entry_name
    );
    let events: Vec<String> = receipt.events.iter().map(model::show_event).collect();
    view! {
        <li class=if ok { "receipt ok" } else { "receipt failed" } data-testid="receipt">
            <span class="status" data-testid="receipt-status">{if ok { "ok" } else { "failed" }}</span>
            <span class="block">"#" {receipt.block_index}</span>
            <code>{call}</code>
            <span class="gas">{receipt.gas_burned} " gas · fee " {receipt.gas_fee}</span>
            {receipt.error.as_ref().map(|e| view! { <p class="reason" data-testid="receipt-error">{e.to_string()}</p> })}
            <details>
                <summary>"events and trace"</summary>
                <ul class="events">{events.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                <TraceTree trace=receipt.trace.clone()/>
            </details>
        </li>
    }
}

/// A call trace as a nested list, across VMs.
#[component]
fn TraceTree(
    /// The root call.
    trace: CallTrace,
) -> impl IntoView {
    fn node(trace: CallTrace) -> AnyView {
        let label = format!(
            "{}.{} [{}] {} gas{}",
            trace.contract_name,
            trace.entry_name,
            trace.vm,
            trace.gas_burned,
            trace
                .error
                .as_ref()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        );
        view! {
            <li data-testid="trace-node">
                {label}
                <ul>{trace.calls.into_iter().map(node).collect_view()}</ul>
            </li>
        }
        .into_any()
    }
    view! { <ul class="trace" data-testid="trace">{node(trace)}</ul> }
}

/// Both engines' results side by side, and the state hash they produced.
#[component]
fn FirstLightReport(
    /// The demo's report.
    report: FirstLight,
) -> impl IntoView {
    view! {
        <section class="intro">
            <p>
                "One chain, two VMs. On load the page created a chain, ran a WebAssembly "
                "program on " <b>"wasmi"</b> " and EVM bytecode on " <b>"revm"</b>
                ", and stored both results in the chain state."
            </p>
        </section>
        <section class="cards">
            <article class="card" data-testid="wasm-card">
                <h2>"Wasm · wasmi"</h2>
                <p class="program">"fib(20), recursive, in WebAssembly"</p>
                <p class="value" data-testid="wasm-result">{report.wasm.value}</p>
                <p class="gas">"fuel used: " <span data-testid="wasm-gas">{report.wasm.gas_used}</span></p>
            </article>
            <article class="card" data-testid="evm-card">
                <h2>"EVM · revm"</h2>
                <p class="program">"PUSH1 7 PUSH1 6 MUL … RETURN"</p>
                <p class="value" data-testid="evm-result">{report.evm.value}</p>
                <p class="gas">"gas used: " <span data-testid="evm-gas">{report.evm.gas_used}</span></p>
            </article>
        </section>
        <section class="hash">
            <span>"state hash "</span>
            <code data-testid="state-hash">{report.state_hash.to_string()}</code>
        </section>
    }
}
