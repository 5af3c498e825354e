//! Time travel: the banner while the chain is shown as of an earlier block,
//! with back-to-now, revert and undo.

use super::Note;
use super::Shared;
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;

/// While time-travelling: which block is shown, back to now, or revert —
/// asked twice, and undoable until the next change (the session before the
/// revert is kept and reopened on "Undo").
#[component]
pub(crate) fn TimeTravelBanner() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let note: Note = RwSignal::new(None);
    let confirming = RwSignal::new(false);
    // The session as it was before the last revert, for "Undo".
    let undo = RwSignal::new(None::<String>);
    let revert = move |_| {
        let Some(block) = shared.past.get_untracked().map(|v| v.block_index) else {
            return;
        };
        confirming.set(false);
        let before = shared
            .view
            .with_untracked(|view| view.as_ref().map(|view| view.session.to_json()));
        shared.send(
            &format!("reverting to block {block}"),
            Command::RevertTo { block },
            move |reply| {
                note.set(Some(match reply {
                    Reply::Chain { .. } => {
                        shared.past.set(None);
                        undo.set(before);
                        Ok(format!("The chain was reverted to block {block}."))
                    }
                    Reply::Failed { message } => Err(message),
                    other => Err(format!("unexpected reply {other:?}")),
                }));
            },
        );
    };
    let undo_revert = move |_| {
        let Some(session) = undo.get_untracked() else {
            return;
        };
        undo.set(None);
        shared.send(
            "undoing the revert",
            Command::Open { session },
            move |reply| {
                note.set(Some(match reply {
                    Reply::Chain { view, .. } => Ok(format!(
                        "The revert was undone: the chain is back at block {}.",
                        view.block_index
                    )),
                    Reply::Failed { message } => Err(message),
                    other => Err(format!("unexpected reply {other:?}")),
                }));
            },
        );
    };
    let latest = move || shared.view.get().map_or(0, |view| view.block_index);
    view! {
        {move || shared.past.get().map(|past| view! {
            <div class="banner past" role="status" data-testid="time-travel">
                {format!(
                    "Viewing the chain as it was after block {} (read-only: views work, requests and deploys wait).",
                    past.block_index
                )}
                <button data-testid="back-to-now" on:click=move |_| { confirming.set(false); shared.past.set(None) }>"Back to now"</button>
                {move || if confirming.get() {
                    view! {
                        <span data-testid="revert-confirm">
                            {format!(
                                "Drop blocks {} to {}?",
                                past.block_index + 1,
                                latest()
                            )}
                            " "
                            <button class="danger" data-testid="revert-yes" on:click=revert>"Yes, revert"</button>
                            <button data-testid="revert-no" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button class="danger" data-testid="revert-here"
                            on:click=move |_| confirming.set(true)>"Revert the chain to here"</button>
                    }.into_any()
                }}
            </div>
        })}
        {move || note.get().map(|outcome| {
            let (class, text) = match outcome {
                Ok(text) => ("banner ok", text),
                Err(text) => ("banner error", text),
            };
            view! {
                <div class=class role="status" data-testid="revert-note">
                    <span>{text}</span>
                    {move || undo.get().is_some().then(|| view! {
                        <button data-testid="undo-revert" on:click=undo_revert>"Undo"</button>
                    })}
                    <button class="dismiss" data-testid="dismiss-revert-note" aria-label="Dismiss this message"
                        on:click=move |_| { note.set(None); undo.set(None) }>"×"</button>
                </div>
            }
        })}
    }
}
