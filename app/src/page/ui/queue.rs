//! The queue: requests waiting for a block — posted by contracts
//! (`FN_POST`) or queued by a person — with their time locks, the chain's
//! clock, and the two things a person does with them: run the next block,
//! and move time forward.

use super::Message;
use super::Note;
use super::Shared;
use super::glossary::Hint;
use super::short_id;
use isc_app::protocol::{Command, Reply};
use isc_engine::format_time;
use leptos::prelude::*;

/// What the queue's message speaks of: the blocks, the queue, the clock.
fn moment_of(view: &isc_app::protocol::ChainView) -> (u32, usize, u64) {
    (view.block_index, view.pending.len(), view.next_block_time)
}

/// What a queued request waits for, as people read it.
fn waits_for(unlock_time: u64, next_block_time: u64) -> String {
    if unlock_time <= next_block_time {
        "ready: the next block runs it".into()
    } else {
        let seconds = (unlock_time - next_block_time).div_ceil(1_000_000_000);
        format!(
            "locked until {} ({} after the next block)",
            format_time(unlock_time),
            isc_app::model::words::count(seconds, "second")
        )
    }
}

/// Pending requests, the clock, "Run next block" and "Advance time".
#[component]
pub(crate) fn QueuePanel() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let note: Note = RwSignal::new(None);
    let seconds = RwSignal::new("10".to_owned());
    // A message speaks of the chain as it was when it came: once the queue,
    // the blocks or the clock change, it goes.
    let moment = move || shared.view.with(|view| view.as_ref().map(moment_of));
    let noted_at = RwSignal::new(None);
    Effect::new(move |_| {
        if moment() != noted_at.get_untracked() {
            note.set(None);
        }
    });
    let say = move |message: Result<String, String>| {
        noted_at.set(
            shared
                .view
                .with_untracked(|view| view.as_ref().map(moment_of)),
        );
        note.set(Some(message));
    };
    let clock = move || {
        shared
            .shown()
            .map(|v| (v.time, v.next_block_time))
            .unwrap_or_default()
    };
    let rows = move || {
        let Some(view) = shared.shown() else {
            return Vec::new();
        };
        let names = shared.names();
        view.pending
            .iter()
            .map(|pending| {
                let request = &pending.request;
                (
                    short_id(&pending.id),
                    names.agent(&request.sender),
                    format!(
                        "{}.{}",
                        names.hname(request.contract),
                        names.hname(request.entry)
                    ),
                    request.tokens.base_tokens,
                    waits_for(pending.unlock_time, view.next_block_time),
                    pending.posted_by.as_ref().map(short_id),
                )
            })
            .collect::<Vec<_>>()
    };
    let in_past = move || shared.past.get().is_some();
    let run_block = move |_| {
        shared.send("running the next block", Command::RunBlock, move |reply| {
            say(match reply {
                Reply::Chain { view, .. } => {
                    let ran = view
                        .receipts
                        .iter()
                        .filter(|r| r.block_index == view.block_index)
                        .count();
                    Ok(format!(
                        "block {} ran {}",
                        view.block_index,
                        isc_app::model::words::count(ran as u64, "request")
                    ))
                }
                Reply::Failed { message } => Err(message),
                other => Err(format!("unexpected reply {other:?}")),
            });
        });
    };
    let advance = move |_| {
        let text = seconds.get_untracked();
        let Ok(amount) = text.trim().parse::<u64>() else {
            say(Err(format!(
                "Seconds: `{}` is not a whole number of seconds",
                text.trim()
            )));
            return;
        };
        shared.send(
            "advancing time",
            Command::AdvanceTime { seconds: amount },
            move |reply| {
                say(match reply {
                    Reply::Chain { view, .. } => Ok(format!(
                        "the next block's time is {}",
                        format_time(view.next_block_time)
                    )),
                    Reply::Failed { message } => Err(message),
                    other => Err(format!("unexpected reply {other:?}")),
                });
            },
        );
    };
    view! {
        <h3>"Queue " <Hint term="queue"/></h3>
        <p class="hash" data-testid="clock">
            "last block at " <span data-testid="block-time">{move || format_time(clock().0)}</span>
            " · next block at " <span data-testid="next-block-time">{move || format_time(clock().1)}</span>
        </p>
        {move || {
            let rows = rows();
            if rows.is_empty() {
                view! { <p class="hint" data-testid="queue-empty">"No request waits. A contract's posted requests, and requests you queue, wait here for a block."</p> }.into_any()
            } else {
                view! {
                    <ul class="queue" data-testid="queue">
                        {rows.into_iter().map(|(id, sender, target, tokens, waits, posted_by)| view! {
                            <li data-testid="pending"
                                title=posted_by.map_or_else(
                                    || format!("request {id}…, queued by a person"),
                                    |p| format!("request {id}…, posted by request {p}…"),
                                )>
                                <span data-testid="pending-sender">{sender}</span>
                                " → "
                                <code data-testid="pending-target">{target}</code>
                                <span class="tokens">{format!(" · {tokens} base tokens")}</span>
                                <br/>
                                <span class="waits" data-testid="pending-waits">{waits}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        <div class="row">
            <button data-testid="run-block" on:click=run_block disabled=in_past>"Run next block"</button>
            <label>
                "Seconds "
                <input data-testid="advance-seconds" inputmode="numeric" size="6"
                    prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev))/>
            </label>
            <button data-testid="advance-time" on:click=advance disabled=in_past>"Advance time"</button>
        </div>
        <div data-testid="queue-message"><Message message=note/></div>
    }
}
