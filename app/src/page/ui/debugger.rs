//! The debugger: a recorded trace — EVM opcodes and Wasm instructions, in
//! the order they ran across VMs — stepped through with its source line
//! (Solidity compiled in the editor), breakpoints, gas, stack, memory, the
//! EVM frame's call data, a Wasm instruction's host calls, and the storage
//! written; with the whole trace as a table beneath.

use super::Shared;
use isc_app::model::contract::{OpStep, Recorded};
use isc_app::model::debug::Debugging;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// A recorded trace in the debugger, with its table.
#[component]
pub(crate) fn TraceView(
    /// What was recorded.
    recorded: Recorded,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let steps = recorded.steps.clone();
    let debugging = Debugging::new(recorded, &shared.debug_sources.get_untracked());
    view! { <Debugger debugging/> <OpcodeTable steps/> }
}

/// How many instructions "Debug" records.
pub(crate) const TRACE_STEPS: u32 = 20_000;

/// Lines of source shown around the current one.
const CONTEXT_LINES: u32 = 6;

/// Steps through a recorded EVM call: the Solidity line it is on (where the
/// code was compiled in the editor), with breakpoints; the instruction, its
/// gas cost and the gas left; the stack, the frame's memory, and the storage
/// written so far. Into, over, out, back, on to a breakpoint.
#[component]
pub(crate) fn Debugger(debugging: Debugging) -> impl IntoView {
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
    // The editor marks the current line when it holds that file.
    let shared = expect_context::<Shared>();
    Effect::new(move |_| {
        let i = at.get();
        let place = debugging.with_value(|d| d.place(i).map(|p| (p.file.clone(), p.line)));
        shared.debug_line.set(place);
    });
    on_cleanup(move || shared.debug_line.set(None));
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
                None => {
                    let wasm = debugging.with_value(|d| d.steps.get(at.get()).is_some_and(|s| s.func.is_some()));
                    let text = if wasm {
                        "A Wasm instruction: stepping is by instruction (into, over and out of functions), with function names from the module; there is no source mapping."
                    } else {
                        "No source for this code: compile it in the editor (this page) to step through its Solidity."
                    };
                    view! { <p class="hint" data-testid="debug-source">{text}</p> }.into_any()
                }
            }}
            {move || {
                let i = at.get();
                debugging.with_value(|d| {
                    let step = d.steps.get(i).cloned()?;
                    let cost = d.cost(i).map_or_else(|| "—".to_owned(), |c| c.to_string());
                    let memory = d.memory(i);
                    let written = d.storage_written(i);
                    let place = match &step.func {
                        Some(func) => format!(" in {func} (Wasm) at offset {}, depth {}", step.pc, step.depth),
                        None => format!(" at pc {}, depth {} (EVM)", step.pc, step.depth),
                    };
                    let frame = d.frame(i).cloned();
                    let second = if step.func.is_some() {
                        view! {
                            <div data-testid="debug-host">
                                <h4>"Host calls"</h4>
                                {if step.host.is_empty() {
                                    view! { <p class="hint">"none at this instruction"</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="mono">
                                            {step.host.iter().map(|call| view! {
                                                <li>{host_text(call)}</li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <div data-testid="debug-stack">
                                <h4>"Stack (top first)"</h4>
                                <ol start="0" class="mono">
                                    {step.stack.iter().map(|v| view! { <li>{v.clone()}</li> }).collect_view()}
                                </ol>
                            </div>
                        }.into_any()
                    };
                    let third = match frame {
                        Some(frame) => view! {
                            <div data-testid="debug-frame">
                                <h4>"Call frame"</h4>
                                <p>{format!("{} {} → {}", frame.kind, frame.from, frame.to)}</p>
                                <p class="hint">"calldata"</p>
                                <pre class="source wrap">{frame.input}</pre>
                                <p class="hint">"return data"</p>
                                <pre class="source wrap">{if frame.output.is_empty() || frame.output == "0x" { "(none)".to_owned() } else { frame.output }}</pre>
                            </div>
                        }.into_any(),
                        None => ().into_any(),
                    };
                    let memory_pane = step.func.is_none().then(|| view! {
                        <div data-testid="debug-memory">
                            <h4>"Memory"</h4>
                            <pre class="source wrap">{memory_rows(&memory)}</pre>
                        </div>
                    });
                    Some(view! {
                        <div class="debug-panes">
                            <div data-testid="debug-instruction">
                                <h4>"Instruction"</h4>
                                <p><code>{step.op.clone()}</code>{place}</p>
                                <p>{format!("gas left {}, this step costs {cost}", step.gas)}</p>
                            </div>
                            {second}
                            {third}
                            {memory_pane}
                            <div data-testid="debug-storage">
                                <h4>"Storage written"</h4>
                                {if written.is_empty() {
                                    view! { <p class="hint">"nothing yet"</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="balances">
                                            <thead><tr><th>"slot"</th><th>"before"</th><th>"after"</th><th>"at step"</th></tr></thead>
                                            <tbody>
                                                {written.into_iter().map(|w| view! {
                                                    <tr>
                                                        <td><code>{w.slot}</code></td>
                                                        <td><code>{w.before.unwrap_or_else(|| "—".into())}</code></td>
                                                        <td><code>{w.after}</code></td>
                                                        <td>{w.step}</td>
                                                    </tr>
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
            {move || {
                let calls: Vec<(usize, String)> = debugging.with_value(|d| {
                    d.host_calls().into_iter().map(|(j, call)| (j, host_text(call))).collect()
                });
                (!calls.is_empty()).then(|| view! {
                    <details class="host-calls" data-testid="debug-host-calls">
                        <summary>{isc_app::model::words::count(calls.len() as u64, "host call")}</summary>
                        <ol class="mono">
                            {calls.into_iter().map(|(j, text)| view! {
                                <li data-testid="host-call">
                                    <button class="link" on:click=move |_| at.set(j)
                                        title="Go to the instruction that made it">{format!("step {j}")}</button>
                                    " " {text}
                                </li>
                            }).collect_view()}
                        </ol>
                    </details>
                })
            }}
        </section>
    }
}

/// A host call as one line: `name(args) → result`.
fn host_text(call: &isc_app::model::contract::HostCall) -> String {
    let result = if call.result.is_empty() {
        String::new()
    } else {
        format!(" → {}", call.result)
    };
    format!("{}({}){result}", call.name, call.args)
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
    let steps = StoredValue::new(steps);
    // A thousand rows at a time: a page of 20 000 rows is slow to build.
    let first = RwSignal::new(0usize);
    let rows = move || {
        let from = first.get();
        steps.with_value(|steps| {
            steps
                .iter()
                .enumerate()
                .skip(from)
                .take(TABLE_ROWS)
                .map(|(i, step)| {
                    let host = step.host.iter().map(host_text).collect::<Vec<_>>().join("; ");
                    let last = if host.is_empty() { step.stack.join(" ") } else { host };
                    view! {
                        <tr data-testid="opcode">
                            <td class="num">{i}</td><td class="num">{step.depth}</td><td class="num">{step.pc}</td>
                            <td><code>{step.op.clone()}</code>{step.func.as_ref().map(|f| format!(" in {f}"))}</td>
                            <td class="num">{step.gas}</td>
                            <td><code>{last}</code></td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <details class="opcodes" open=true data-testid="opcodes">
            <summary>{isc_app::model::words::count(count as u64, "instruction")}</summary>
            <Show when=move || { count > TABLE_ROWS }>
                <div class="row">
                    <button data-testid="opcodes-earlier" disabled=move || first.get() == 0
                        on:click=move |_| first.update(|f| *f = f.saturating_sub(TABLE_ROWS))>"Earlier"</button>
                    <button data-testid="opcodes-later" disabled=move || { first.get() + TABLE_ROWS >= count }
                        on:click=move |_| first.update(|f| *f += TABLE_ROWS)>"Later"</button>
                    <span class="hint" data-testid="opcodes-shown">{move || {
                        let from = first.get();
                        format!("rows {}–{} of {count}", from, (from + TABLE_ROWS).min(count) - 1)
                    }}</span>
                </div>
            </Show>
            <div class="scroll">
                <table>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"depth"</th><th scope="col">"pc"</th>
                        <th scope="col">"instruction"</th><th scope="col">"gas left"</th><th scope="col">"stack (top first) · host calls"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}

/// How many rows of the instruction table are shown at once.
const TABLE_ROWS: usize = 1000;
