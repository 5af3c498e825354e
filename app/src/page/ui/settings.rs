//! Chain settings: users, their funds, the gas limit; applying replays the
//! session on the new chain.

use super::Message;
use super::Note;
use super::Shared;
use super::forms::optional_number;
use isc_app::protocol::{Command, Reply};
use isc_engine::session::{Session, WasmEngineChoice};
use leptos::prelude::*;

/// The chain's configuration: users, their funds, the gas limit. Applying
/// replays the whole session on a chain started with the new settings.
#[component]
pub(crate) fn ChainSettings() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let config = move || {
        shared
            .view
            .with(|v| v.as_ref().map(|v| v.session.config.clone()))
    };
    let users = RwSignal::new(String::new());
    let funds = RwSignal::new(String::new());
    let max_gas = RwSignal::new(String::new());
    let note: Note = RwSignal::new(None);
    let fill = move |_| {
        if let Some(config) = config() {
            users.set(config.users.join(", "));
            funds.set(config.l2_funds.to_string());
            max_gas.set(config.max_gas_per_request.to_string());
        }
    };
    let apply = move |_| {
        let Some(mut session) = shared
            .view
            .get_untracked()
            .map(|v| Session::clone(&v.session))
        else {
            return;
        };
        let parsed = (|| -> Result<(), String> {
            let names: Vec<String> = users
                .get_untracked()
                .split(',')
                .map(|u| u.trim().to_owned())
                .filter(|u| !u.is_empty())
                .collect();
            if names.is_empty() {
                return Err("Users: name at least one".into());
            }
            session.config.users = names;
            if let Some(funds) = optional_number("Funds", &funds.get_untracked())? {
                session.config.l2_funds = funds;
            }
            if let Some(gas) = optional_number("Max gas per request", &max_gas.get_untracked())? {
                session.config.max_gas_per_request = gas;
            }
            Ok(())
        })();
        if let Err(err) = parsed {
            note.set(Some(Err(err)));
            return;
        }
        shared.send(
            "starting a chain with new settings",
            Command::Open {
                session: session.to_json(),
            },
            move |reply| {
                note.set(Some(match reply {
                    Reply::Chain { view, .. } => Ok(format!(
                        "New chain: the session replayed, {}.",
                        isc_app::model::words::count(view.block_index, "block")
                    )),
                    Reply::Failed { message } => Err(format!("not applied: {message}")),
                    other => Err(format!("unexpected reply {other:?}")),
                }));
            },
        );
    };
    let engine_note: Note = RwSignal::new(None);
    let engines = move || {
        shared
            .view
            .with(|v| {
                v.as_ref()
                    .map(|v| (v.wasm_engine.clone(), v.browser_engine.clone()))
            })
            .unwrap_or_default()
    };
    let choose = move |ev: leptos::ev::Event| {
        let engine = match event_target_value(&ev).as_str() {
            "wasmi" => WasmEngineChoice::Wasmi,
            _ => WasmEngineChoice::Browser,
        };
        shared.send(
            "switching the Wasm engine",
            Command::WasmEngine { engine },
            move |reply| {
                engine_note.set(Some(match reply {
                    Reply::Chain { view, .. } => Ok(match view.wasm_engine {
                        Some(name) => format!(
                            "Wasm calls now run on {name} where it ends them exactly as wasmi \
                             would; the rest on wasmi. The chain is unchanged."
                        ),
                        None => "Wasm calls now run on wasmi alone. The chain is unchanged.".into(),
                    }),
                    Reply::Failed { message } => Err(format!("not switched: {message}")),
                    other => Err(format!("unexpected reply {other:?}")),
                }));
            },
        );
    };
    view! {
        <details class="more" data-testid="settings" on:toggle=fill>
            <summary>"Chain settings"</summary>
            <div class="form">
                <label>
                    "Users " <span class="ty">"comma-separated"</span>
                    <input data-testid="settings-users" prop:value=move || users.get()
                        on:input=move |ev| users.set(event_target_value(&ev))/>
                </label>
                <label>
                    "Base tokens each user starts with on the chain"
                    <input data-testid="settings-funds" inputmode="numeric" prop:value=move || funds.get()
                        on:input=move |ev| funds.set(event_target_value(&ev))/>
                </label>
                <label>
                    "Max gas per request"
                    <input data-testid="settings-max-gas" inputmode="numeric" prop:value=move || max_gas.get()
                        on:input=move |ev| max_gas.set(event_target_value(&ev))/>
                </label>
                <button data-testid="settings-apply" on:click=apply>"Apply: replay the session on a new chain"</button>
                <Message message=note/>
                <label>
                    "Wasm engine "
                    <span class="ty">"the same results, state and gas on either; a receipt names the one that ran it"</span>
                    <select data-testid="settings-wasm-engine" on:change=choose
                        disabled=move || engines().1.is_none()>
                        <option value="browser" selected=move || engines().0.is_some()>
                            {move || format!("{} (compiled, fast)", engines().1.unwrap_or_else(|| "the browser's WebAssembly".into()))}
                        </option>
                        <option value="wasmi" selected=move || engines().0.is_none()>
                            "wasmi (the reference interpreter)"
                        </option>
                    </select>
                </label>
                <Message message=engine_note/>
            </div>
        </details>
    }
}
