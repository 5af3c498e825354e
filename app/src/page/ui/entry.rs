//! One entry point's card: its params, tokens and gas, the call, its result,
//! and an EVM call simulated under a tracer: the debugger (source line,
//! stepping, gas, stack, memory, storage) over its opcode trace.

use super::Message;
use super::Note;
use super::Shared;
use super::forms::ArgInputs;
use super::forms::RawParams;
use super::forms::ValueInput;
use super::forms::base_tokens;
use super::forms::optional_number;
use super::glossary::Hint;
use isc_app::model::contract::{
    Entry, OpStep, Tokens, encode_args, evm_trace, resolve_names, show_results, show_values,
};
use isc_app::model::debug::Debugging;
use isc_app::model::units::{self, Unit};
use isc_app::protocol::{AddressTarget, Command, Reply};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

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
    let steps = RwSignal::new(None::<(Vec<OpStep>, BTreeMap<usize, String>)>);
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
                            let recorded = evm_trace(&receipt);
                            let outcome = match &receipt.error {
                                None => format!(
                                    "simulated (the chain is unchanged): {} instructions recorded, {} gas",
                                    recorded.0.len(),
                                    receipt.gas_burned
                                ),
                                Some(error) => names.text(&format!(
                                    "simulated (the chain is unchanged), failing: {error}; {} instructions recorded",
                                    recorded.0.len()
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
    let traceable = vm == isc_engine::VmType::EVM && !view_only;
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
            {move || steps.get().map(|(steps, codes)| {
                let debugging = Debugging::new(steps.clone(), &codes, &shared.debug_sources.get_untracked());
                view! { <Debugger debugging/> <OpcodeTable steps/> }
            })}
        </article>
    }
}

/// How many EVM instructions "Debug" records.
pub(crate) const TRACE_STEPS: u32 = 20_000;

/// Lines of source shown around the current one.
const CONTEXT_LINES: u32 = 6;

/// Steps through a recorded EVM call: the Solidity line it is on (where the
/// code was compiled in the editor), with breakpoints; the instruction, its
/// gas cost and the gas left; the stack, the frame's memory, and the storage
/// written so far. Into, over, out, back, on to a breakpoint.
#[component]
fn Debugger(debugging: Debugging) -> impl IntoView {
    let last = debugging.len().saturating_sub(1);
    let debugging = StoredValue::new(debugging);
    let at = RwSignal::new(0usize);
    let breakpoints = RwSignal::new(BTreeSet::<(String, u32)>::new());
    let go = move |to: fn(&Debugging, usize, &BTreeSet<(String, u32)>) -> usize| {
        move |_| {
            let next = debugging.with_value(|d| breakpoints.with(|b| to(d, at.get_untracked(), b)));
            at.set(next);
        }
    };
    let source = move || {
        let i = at.get();
        debugging.with_value(|d| {
            let place = d.place(i)?.clone();
            let text = d.source_text(i)?;
            Some((place, text))
        })
    };
    view! {
        <section class="debugger" data-testid="debugger" aria-label="debugger">
            <div class="row">
                <button data-testid="debug-first" on:click=go(|_, _, _| 0) title="The first instruction">"First"</button>
                <button data-testid="debug-back" on:click=go(|d, i, _| d.step_back(i)) title="Back to the previous line">"Back"</button>
                <button data-testid="debug-into" on:click=go(|d, i, _| d.step_into(i)) title="The next line, into calls">"Step into"</button>
                <button data-testid="debug-over" on:click=go(|d, i, _| d.step_over(i)) title="The next line here, calls run through">"Step over"</button>
                <button data-testid="debug-out" on:click=go(|d, i, _| d.step_out(i)) title="Back in the caller">"Step out"</button>
                <button data-testid="debug-continue" on:click=go(|d, i, b| d.run_to(i, b)) title="On to the next breakpoint (or the end)">"Continue"</button>
                <button data-testid="debug-last" on:click=go(|d, _, _| d.len().saturating_sub(1)) title="The last instruction">"Last"</button>
                <input type="range" min="0" max=last.to_string() aria-label="step"
                    data-testid="debug-step"
                    prop:value=move || at.get().to_string()
                    on:input=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            at.set(i.min(last));
                        }
                    }/>
                <span class="hint" data-testid="debug-position">{move || format!("step {} of {}", at.get(), last + 1)}</span>
            </div>
            {move || match source() {
                Some((place, text)) => {
                    let first = place.line.saturating_sub(CONTEXT_LINES).max(1);
                    let file = place.file.clone();
                    view! {
                        <div class="debug-source" data-testid="debug-source">
                            <div class="hint">{format!("{} line {}", place.file, place.line)}</div>
                            <ol class="source-lines" start=first.to_string()>
                                {text.lines().enumerate().skip(first as usize - 1).take((2 * CONTEXT_LINES + 1) as usize).map(|(n, line)| {
                                    let number = n as u32 + 1;
                                    let key = (file.clone(), number);
                                    let marked = {
                                        let key = key.clone();
                                        Signal::derive(move || breakpoints.with(|b| b.contains(&key)))
                                    };
                                    let toggle = {
                                        let key = key.clone();
                                        move |_| breakpoints.update(|b| {
                                            if !b.remove(&key) {
                                                b.insert(key.clone());
                                            }
                                        })
                                    };
                                    let current = number == place.line;
                                    view! {
                                        <li class:current=current data-testid=if current { "debug-line-current" } else { "debug-line" }>
                                            <button class="link breakpoint" data-testid=format!("bp-{number}")
                                                aria-pressed=move || marked.get().to_string()
                                                title="Toggle a breakpoint on this line"
                                                on:click=toggle>
                                                {move || if marked.get() { "●" } else { "○" }}
                                            </button>
                                            <code>{line.to_owned()}</code>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </div>
                    }.into_any()
                }
                None => view! {
                    <p class="hint" data-testid="debug-source">
                        "No source for this code: compile it in the editor (this page) to step through its Solidity."
                    </p>
                }.into_any(),
            }}
            {move || {
                let i = at.get();
                debugging.with_value(|d| {
                    let step = d.steps.get(i).cloned()?;
                    let cost = d.cost(i).map_or_else(|| "—".to_owned(), |c| c.to_string());
                    let memory = d.memory(i);
                    let written = d.storage_written(i);
                    Some(view! {
                        <div class="debug-panes">
                            <div data-testid="debug-instruction">
                                <h4>"Instruction"</h4>
                                <p><code>{step.op.clone()}</code>{format!(" at pc {}, depth {}", step.pc, step.depth)}</p>
                                <p>{format!("gas left {}, this step costs {cost}", step.gas)}</p>
                            </div>
                            <div data-testid="debug-stack">
                                <h4>"Stack (top first)"</h4>
                                <ol start="0" class="mono">
                                    {step.stack.iter().map(|v| view! { <li>{v.clone()}</li> }).collect_view()}
                                </ol>
                            </div>
                            <div data-testid="debug-memory">
                                <h4>"Memory"</h4>
                                <pre class="source wrap">{memory_rows(&memory)}</pre>
                            </div>
                            <div data-testid="debug-storage">
                                <h4>"Storage written"</h4>
                                {if written.is_empty() {
                                    view! { <p class="hint">"nothing yet"</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="balances">
                                            <thead><tr><th>"slot"</th><th>"value"</th><th>"at step"</th></tr></thead>
                                            <tbody>
                                                {written.into_iter().map(|(_, slot, value, j)| view! {
                                                    <tr><td><code>{slot}</code></td><td><code>{value}</code></td><td>{j}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                        </div>
                    })
                })
            }}
        </section>
    }
}

/// Memory as rows of 32 bytes: `0x00: …`.
fn memory_rows(memory: &str) -> String {
    let hex = memory.trim_start_matches("0x");
    if hex.is_empty() {
        return "(empty)".into();
    }
    hex.as_bytes()
        .chunks(64)
        .enumerate()
        .map(|(row, chunk)| format!("0x{:02x}: {}", row * 32, String::from_utf8_lossy(chunk)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An opcode trace, as evm.codes shows one: step, depth, pc, opcode, gas
/// left, the top of the stack.
#[component]
pub(crate) fn OpcodeTable(
    /// The recorded instructions.
    steps: Vec<OpStep>,
) -> impl IntoView {
    let count = steps.len();
    view! {
        <details class="opcodes" open=true data-testid="opcodes">
            <summary>{isc_app::model::words::count(count as u64, "instruction")}</summary>
            <div class="scroll">
                <table>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"depth"</th><th scope="col">"pc"</th>
                        <th scope="col">"opcode"</th><th scope="col">"gas left"</th><th scope="col">"stack (top first)"</th>
                    </tr></thead>
                    <tbody>
                        {steps.into_iter().enumerate().map(|(i, step)| view! {
                            <tr data-testid="opcode">
                                <td class="num">{i}</td><td class="num">{step.depth}</td><td class="num">{step.pc}</td>
                                <td><code>{step.op}</code></td><td class="num">{step.gas}</td>
                                <td><code>{step.stack.join(" ")}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}
