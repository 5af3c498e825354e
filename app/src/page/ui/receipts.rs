//! Blocks and receipts: the gas chart, each receipt with its events and
//! cross-VM call trace.

use super::Shared;
use super::debugger::{TRACE_STEPS, TraceView};
use super::short_id;
use isc_app::model::contract::{Recorded, recorded, show_event};
use isc_app::model::names::Names;
use isc_app::protocol::{Command, Reply};
use isc_engine::{CallTrace, Receipt};
use leptos::prelude::*;

/// Gas burned per block, as bars (the latest 40 blocks).
#[component]
pub(crate) fn GasChart() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let bars = move || {
        let receipts = shared.view.get().map(|v| v.receipts).unwrap_or_default();
        let start = receipts.len().saturating_sub(40);
        receipts[start..]
            .iter()
            .map(|r| (r.block_index, r.gas_burned, r.is_success()))
            .collect::<Vec<_>>()
    };
    view! {
        {move || {
            let bars = bars();
            let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
            let width = 8 * bars.len().max(1);
            let summary = bars
                .iter()
                .map(|(block, gas, _)| format!("block {block}: {gas}"))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <svg class="gas-chart" data-testid="gas-chart" role="img"
                    aria-label=format!("gas per block: {summary}")
                    viewBox=format!("0 0 {width} 60") preserveAspectRatio="none">
                    {bars.into_iter().enumerate().map(|(i, (block, gas, ok))| {
                        let height = ((gas as f64 / max as f64) * 58.0).max(1.0);
                        view! {
                            <rect x=(i * 8).to_string() y=format!("{:.1}", 60.0 - height)
                                width="6" height=format!("{height:.1}")
                                class=if ok { "bar ok" } else { "bar failed" }>
                                <title>{format!("block {block}: {gas} gas")}</title>
                            </rect>
                        }
                    }).collect_view()}
                </svg>
            }
        }}
    }
}

/// One receipt: status, call, gas, fee; details with events and the trace;
/// a button to see the chain as it was after it.
#[component]
pub(crate) fn ReceiptRow(
    /// The receipt.
    receipt: Receipt,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    // What this request posted: receipts of those that ran, and how many
    // still wait in the queue (kept current as the queue drains).
    let id = receipt.request_id;
    let block = receipt.block_index;
    let posted = move || {
        let (ran, waiting) = shared
            .shown()
            .map(|view| {
                // What it posted ran in its block or later: the newest
                // receipts, which the page shows, look at few.
                let from = view.receipts.partition_point(|r| r.block_index < block);
                let ran: Vec<_> = view.receipts[from..]
                    .iter()
                    .filter(|r| r.posted_by == Some(id))
                    .map(|r| (r.request_id, place(r.block_index, r.request_index)))
                    .collect();
                let waiting = view
                    .pending
                    .iter()
                    .filter(|p| p.posted_by == Some(id))
                    .count();
                (ran, waiting)
            })
            .unwrap_or_default();
        (!ran.is_empty() || waiting > 0).then(|| {
            let jumps = ran
                .into_iter()
                .map(|(id, label)| {
                    let jump = jump_to(anchor(&id));
                    view! { <button class="link" data-testid="posted-request" on:click=jump>{label}</button> }
                })
                .collect_view();
            let waits = (waiting > 0).then(|| {
                format!(
                    " {} in the queue",
                    isc_app::model::words::count(waiting as u64, "request")
                )
            });
            view! { <p class="posted" data-testid="posted">"posted: " {jumps} {waits}</p> }
        })
    };
    let ok = receipt.is_success();
    let call = format!(
        "{}.{}",
        receipt.trace.contract_name, receipt.trace.entry_name
    );
    let names = shared.names();
    // Each event with its ids named, and as written for hover.
    let events: Vec<(String, String)> = receipt
        .events
        .iter()
        .map(|event| {
            let raw = show_event(event);
            (names.text(&raw), raw)
        })
        .collect();
    let error = receipt.error.as_ref().map(|e| {
        let raw = e.to_string();
        (names.text(&raw), raw)
    });
    let block = receipt.block_index;
    let place = place(block, receipt.request_index);
    // A posted request names the request that posted it; the button
    // brings that receipt into view.
    let posted_by = receipt.posted_by.as_ref().map(|poster| {
        let jump = jump_to(anchor(poster));
        view! {
            <button class="link posted" data-testid="posted-by" on:click=jump
                title=format!("posted by request {poster}")>
                {format!("posted by request {}…", short_id(poster))}
            </button>
        }
    });
    let request_id = short_id(&receipt.request_id);
    let travel = move |_| {
        shared.send(
            &format!("reading block {block}"),
            Command::ViewAt { block: Some(block) },
            move |reply| {
                if let Reply::Past { view } = reply {
                    shared.past.set(Some(*view));
                }
            },
        );
    };
    // The request run again with its instructions recorded, in the
    // debugger.
    let debuggable = runs_code(&receipt.trace);
    // Which engine ran its Wasm code: wasmi unless the receipt names another.
    let engine = match (&receipt.wasm_engine, runs_wasm(&receipt.trace)) {
        (Some(engine), _) => Some(engine.clone()),
        (None, true) => Some("wasmi".to_owned()),
        (None, false) => None,
    };
    let request_index = receipt.request_index;
    let debugged = RwSignal::new(None::<Result<Recorded, String>>);
    let label = format!("debugging {place}");
    let debug = move |_| {
        shared.send(
            &label,
            Command::TracePast {
                block,
                request_index,
                steps: TRACE_STEPS,
            },
            move |reply| {
                debugged.set(Some(match reply {
                    Reply::Simulated { receipt } => Ok(recorded(&receipt)),
                    Reply::Failed { message } => Err(message),
                    other => Err(format!("unexpected reply {other:?}")),
                }));
            },
        );
    };
    view! {
        <li class=if ok { "receipt ok" } else { "receipt failed" } data-testid="receipt"
            id=anchor(&receipt.request_id)>
            <span class="status" data-testid="receipt-status">{if ok { "ok" } else { "failed" }}</span>
            <span class="block" title=format!("request {request_id}…")>{place}</span>
            <code>{call}</code>
            {posted_by}
            <span class="gas">{receipt.gas_burned} " gas · fee " {receipt.gas_fee}</span>
            <button class="link" data-testid="view-block" on:click=travel
                aria-label=format!("state here, after block {block}")>"state here"</button>
            // A space between the links, so they read as two words.
            {debuggable.then(|| view! {
                " "
                <button class="link" data-testid="debug-receipt" on:click=debug
                    title="Run this request again on the chain as it was, recording what it executes, and step through it (the chain is unchanged)">
                    "debug"
                </button>
            })}
            {error.map(|(shown, raw)| view! { <p class="reason" data-testid="receipt-error" title=raw>{shown}</p> })}
            {posted}
            {move || debugged.get().map(|outcome| match outcome {
                Ok(recorded) if recorded.steps.is_empty() => view! {
                    <p class="hint" data-testid="debug-message">"nothing recorded: no EVM or Wasm code ran"</p>
                }.into_any(),
                Ok(recorded) => view! { <TraceView recorded/> }.into_any(),
                Err(message) => view! { <p class="reason" data-testid="debug-message">{message}</p> }.into_any(),
            })}
            <details>
                <summary>"events and trace"</summary>
                {engine.map(|engine| view! {
                    <p class="hint" data-testid="receipt-engine">"Wasm engine: " {engine}</p>
                })}
                <ul class="events">{events.into_iter().map(|(shown, raw)| view! { <li data-testid="event" title=raw>{shown}</li> }).collect_view()}</ul>
                <TraceTree trace=receipt.trace.clone() names/>
            </details>
        </li>
    }
}

/// Whether a call tree ran EVM or Wasm code (what the debugger steps).
fn runs_code(trace: &CallTrace) -> bool {
    trace.vm == isc_engine::VmType::EVM
        || trace.vm == isc_engine::VmType::WASM
        || trace.calls.iter().any(runs_code)
}

/// Whether a call tree ran Wasm code.
fn runs_wasm(trace: &CallTrace) -> bool {
    trace.vm == isc_engine::VmType::WASM || trace.calls.iter().any(runs_wasm)
}

/// Where a request ran, as the receipts list shows it: `#7`, `#7·2`.
fn place(block: u32, index: u16) -> String {
    if index > 0 {
        format!("#{block}·{index}")
    } else {
        format!("#{block}")
    }
}

/// A click handler that brings the element `anchor` into view.
fn jump_to(anchor: String) -> impl Fn(leptos::ev::MouseEvent) + Clone + 'static {
    move |_| {
        if let Some(element) = document().get_element_by_id(&anchor) {
            element.scroll_into_view();
        }
    }
}

/// The element id of a request's receipt.
fn anchor(id: &isc_engine::RequestId) -> String {
    format!("request-{id}")
}

/// A call trace as a nested list, across VMs.
#[component]
pub(crate) fn TraceTree(
    /// The root call.
    trace: CallTrace,
    /// Names for the ids in errors.
    names: Names,
) -> impl IntoView {
    fn node(trace: CallTrace, names: &Names) -> AnyView {
        let label = format!(
            "{}.{} [{}] {} gas{}",
            trace.contract_name,
            trace.entry_name,
            trace.vm,
            trace.gas_burned,
            trace
                .error
                .as_ref()
                .map(|e| format!(" — {}", names.text(e)))
                .unwrap_or_default()
        );
        view! {
            <li data-testid="trace-node">
                {label}
                <ul>{trace.calls.into_iter().map(|call| node(call, names)).collect_view()}</ul>
            </li>
        }
        .into_any()
    }
    view! { <ul class="trace" data-testid="trace">{node(trace, &names)}</ul> }
}
