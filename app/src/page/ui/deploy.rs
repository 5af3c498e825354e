//! A program's deploy form (name, init params, gas budget) and the deploy
//! command every panel sends.

use super::Message;
use super::Note;
use super::Shared;
use super::forms::ArgInputs;
use super::forms::RawParams;
use super::forms::{ValueInput, optional_number};
use isc_app::model::contract::{Deployable, encode_args, resolve_names};
use isc_app::model::units::{self, Unit};
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;

/// Deploys `program` as `name` from the current sender; `done` gets the
/// line to show. A successful deploy selects the new contract.
pub(crate) fn send_deploy(
    shared: Shared,
    program: &Deployable,
    name: &str,
    init: isc_engine::Dict,
    gas_budget: Option<u64>,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    let name = name.trim().to_owned();
    let command = Command::Deploy {
        sender: shared.sender_id(),
        name: name.clone(),
        vm: program.vm.clone(),
        binary: program.binary.clone(),
        init,
        sources: program.sources.clone(),
        gas_budget,
    };
    shared.send(&format!("deploying {name}"), command, move |reply| {
        done(match reply {
            Reply::Chain {
                receipt: Some(receipt),
                ..
            } => match &receipt.error {
                None => {
                    shared.selected.set(Some(name));
                    Ok(format!("deployed in block {}", receipt.block_index))
                }
                Some(error) => Err(shared.names().text(&format!("deploy failed: {error}"))),
            },
            Reply::Failed { message } => Err(message),
            other => Err(format!("unexpected reply {other:?}")),
        });
    });
}

/// Tells the worker about EVM programs the page holds (compiled, or
/// uploaded) before any is deployed: it names their logs and errors in the
/// receipts it shows, and recognises their code in contracts that
/// contracts create.
pub(crate) fn note_known_programs(shared: Shared, programs: &[Deployable]) {
    let known: Vec<(String, String)> = programs
        .iter()
        .filter(|p| p.vm == isc_engine::VmType::EVM)
        .filter_map(|p| Some((p.name.clone(), String::from_utf8(p.binary.clone()).ok()?)))
        .collect();
    if !known.is_empty() {
        shared.send(
            "noting the contracts' ABIs",
            Command::KnownPrograms { programs: known },
            |_| {},
        );
    }
}

/// Name, init params, gas budget and the Deploy button of one program.
#[component]
pub(crate) fn DeployForm(
    /// The program.
    program: Deployable,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let contract_name = RwSignal::new(program.name.to_lowercase());
    let init = program.interface.init.clone();
    let raw = program.raw_init;
    let args = RwSignal::new(vec![String::new(); if raw { 1 } else { init.len() }]);
    let gas = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let unit = RwSignal::new(Unit::Base);
    let payable = program.interface.init_payable;
    let message: Note = RwSignal::new(None);
    let params = init.clone();
    let vm_label = format!("VM: {}", program.vm);
    // Libraries to link: each address as typed, first the deployed
    // contract of the library's name, if there is one.
    let libraries: Vec<(String, RwSignal<String>)> = program
        .libraries()
        .iter()
        .map(|library| {
            let short = library.short_name().to_owned();
            let address = RwSignal::new(String::new());
            let lower = short.to_lowercase();
            // Filled in when a contract of that name is deployed, unless typed.
            Effect::new(move |_| {
                let deployed = shared.view.with(|v| {
                    v.as_ref()?
                        .contracts
                        .iter()
                        .find(|c| c.name == lower)
                        .and_then(|c| c.address.clone())
                });
                if let Some(deployed) = deployed
                    && address.get_untracked().is_empty()
                {
                    address.set(deployed);
                }
            });
            (short, address)
        })
        .collect();
    let links = libraries.clone();
    let deploy = move |_| {
        let name = contract_name.get_untracked().trim().to_owned();
        let args = resolve_names(&params, &args.get_untracked(), &shared.accounts());
        let value = if payable {
            units::to_base(&value.get_untracked(), unit.get_untracked())
                .map_err(|err| format!("Value: {err}"))
        } else {
            Ok(0)
        };
        let init = match encode_args(&program.vm, &params, raw, &args).and_then(|mut init| {
            // A payable constructor's msg.value, in base tokens.
            let value = value?;
            if value > 0 {
                init.set("evm.value", value.to_le_bytes().to_vec());
            }
            Ok(init)
        }) {
            Ok(init) => init,
            Err(err) => {
                message.set(Some(Err(err)));
                return;
            }
        };
        let gas_budget = match optional_number("Gas budget", &gas.get_untracked()) {
            Ok(gas) => gas,
            Err(err) => {
                message.set(Some(Err(err)));
                return;
            }
        };
        let addresses: Vec<(String, String)> = links
            .iter()
            .map(|(name, address)| (name.clone(), address.get_untracked()))
            .collect();
        let program = match program.linked(&addresses) {
            Ok(program) => program,
            Err(err) => {
                message.set(Some(Err(err)));
                return;
            }
        };
        message.set(None);
        send_deploy(shared, &program, &name, init, gas_budget, move |outcome| {
            message.set(Some(outcome));
        });
    };
    view! {
        <div class="form" data-testid="deploy-form">
            <p class="hint">{vm_label}</p>
            <label>
                "Contract name"
                <input
                    data-testid="deploy-name"
                    prop:value=move || contract_name.get()
                    on:input=move |ev| contract_name.set(event_target_value(&ev))
                />
            </label>
            {if raw {
                view! { <RawParams args prefix="init".to_owned()/> }.into_any()
            } else {
                view! { <ArgInputs params=init args prefix="init".to_owned()/> }.into_any()
            }}
            {payable.then(|| view! { <ValueInput value unit id="deploy-value".to_owned()/> })}
            {libraries.into_iter().map(|(name, address)| view! {
                <label>
                    {format!("Library {name} at ")} <span class="ty">"its address: deploy it first"</span>
                    <input data-testid=format!("library-{name}") placeholder="0x…" spellcheck="false"
                        prop:value=move || address.get()
                        on:input=move |ev| address.set(event_target_value(&ev))/>
                </label>
            }).collect_view()}
            <label>
                "Gas budget " <span class="ty">"optional"</span>
                <input data-testid="deploy-gas" inputmode="numeric"
                    prop:value=move || gas.get() on:input=move |ev| gas.set(event_target_value(&ev))/>
            </label>
            <button class="primary" data-testid="deploy-button" on:click=deploy
                disabled=move || shared.past.get().is_some()
                title=move || shared.past.get().is_some().then_some("Back to now to deploy: the past is read-only")>"Deploy"</button>
            <Message message/>
        </div>
    }
}
