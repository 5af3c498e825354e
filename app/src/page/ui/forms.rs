//! Form pieces: one input per typed param, raw `key=value` params, and reading
//! numbers people type.

use super::Shared;
use super::glossary::Hint;
use isc_app::model::contract::Param;
use isc_app::model::units::{self, Unit};
use leptos::prelude::*;

/// A number typed by the user: empty is none.
pub(crate) fn optional_number(label: &str, text: &str) -> Result<Option<u64>, String> {
    let text = text.trim().replace(['_', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{label}: \"{text}\" is not a whole number"))
}

/// A base-token amount typed by the user: empty is none.
pub(crate) fn base_tokens(label: &str, text: &str) -> Result<u64, String> {
    optional_number(label, text)
        .map(Option::unwrap_or_default)
        .map_err(|_| {
            format!(
                "{label}: \"{}\" is not a whole number of base tokens",
                text.trim()
            )
        })
}

/// One labelled text input per param, bound to `args`.
#[component]
pub(crate) fn ArgInputs(
    /// The params.
    params: Vec<Param>,
    /// Their values, by position.
    args: RwSignal<Vec<String>>,
    /// Prefix of the inputs' test ids.
    prefix: String,
) -> impl IntoView {
    let users = move || {
        let shared = expect_context::<Shared>();
        shared.view.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.accounts
                        .iter()
                        .map(|a| a.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    params
        .into_iter()
        .enumerate()
        .map(|(i, param)| {
            let testid = format!("{prefix}-{}", param.name);
            let list = format!("{testid}-accounts");
            let is_agent = matches!(param.ty.as_str(), "AgentID" | "address");
            view! {
                <label>
                    {param.name.clone()}
                    " "
                    <span class="ty">{param.ty.clone()}</span>
                    <input
                        data-testid=testid
                        list=if is_agent { Some(list.clone()) } else { None }
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
                    {is_agent.then(|| view! {
                        <datalist id=list>
                            {move || users().into_iter().map(|name| view! { <option value=name/> }).collect_view()}
                        </datalist>
                    })}
                </label>
            }
        })
        .collect_view()
}

/// Raw params for a contract without a schema: `key=value` lines.
#[component]
pub(crate) fn RawParams(
    /// One value: the lines.
    args: RwSignal<Vec<String>>,
    /// Prefix of the test id.
    prefix: String,
) -> impl IntoView {
    view! {
        <label>
            "Params " <span class="ty">"key=value per line; value as 0x… hex or text"</span>
            <textarea
                class="code"
                rows="3"
                data-testid=format!("{prefix}-raw")
                prop:value=move || args.with(|a| a.first().cloned().unwrap_or_default())
                on:input=move |ev| args.set(vec![event_target_value(&ev)])
            ></textarea>
        </label>
    }
}

/// The value a payable Solidity function or constructor receives as
/// `msg.value`: typed in base tokens, wei, gwei or ether, shown converted.
#[component]
pub(crate) fn ValueInput(
    /// The amount as typed.
    value: RwSignal<String>,
    /// Its unit.
    unit: RwSignal<Unit>,
    /// The input's test id (`<id>-unit`, `<id>-shown` for the others).
    id: String,
) -> impl IntoView {
    view! {
        <label>
            "Value " <span class="ty">"→ msg.value"</span>
            <Hint term="value"/>
            <span class="row">
                <input data-testid=id.clone() inputmode="decimal"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <select data-testid=format!("{id}-unit") aria-label="unit of the value"
                    on:change=move |ev| unit.set(Unit::from_name(&event_target_value(&ev)).unwrap_or(Unit::Base))>
                    {Unit::ALL.map(|u| view! { <option value=u.name()>{u.name()}</option> }).collect_view()}
                </select>
            </span>
        </label>
        <span class="hint" data-testid=format!("{id}-shown")>{move || {
            match units::to_base(&value.get(), unit.get()) {
                Ok(0) => String::new(),
                Ok(base) => format!(
                    "= {base} base tokens = {} = {} wei",
                    units::tokens(base),
                    u128::from(base) * units::WEI_PER_BASE
                ),
                Err(err) => err.to_string(),
            }
        }}</span>
    }
}
