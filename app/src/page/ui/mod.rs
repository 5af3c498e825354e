//! The page's components, one module per panel (see ARCHITECTURE.md for
//! which panel lives where), and what they all share: [`Shared`] (the
//! engine handle and the chain's signals), [`Note`] and [`Message`] (a
//! success or error line), [`Display`] (theme and text size).

// leptos's `#[component]` expands a `pub(crate)` component into `pub` items.
#![allow(unreachable_pub)]

pub(crate) mod app;
pub(crate) mod banner;
pub(crate) mod chain;
pub(crate) mod contracts;
pub(crate) mod debugger;
pub(crate) mod deploy;
pub(crate) mod editor;
pub(crate) mod entry;
pub(crate) mod forms;
pub(crate) mod funding;
pub(crate) mod gallery;
pub(crate) mod glossary;
pub(crate) mod queue;
pub(crate) mod receipts;
pub(crate) mod script;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod time_travel;
pub(crate) mod upload;
pub(crate) mod workshop;

use isc_app::model::catalog::EXAMPLES;
use isc_app::model::names::Names;
use isc_app::page::client::{Engine, Status};
use isc_app::protocol::{ChainView, Command, Reply};
use isc_engine::AgentId;
use leptos::prelude::*;

/// What every panel shares.
#[derive(Clone, Copy)]
pub(crate) struct Shared {
    pub(crate) engine: StoredValue<Engine, LocalStorage>,
    /// The chain as of the last finished command.
    pub(crate) view: RwSignal<Option<ChainView>>,
    pub(crate) status: RwSignal<Status>,
    /// The sending user's name.
    pub(crate) sender: RwSignal<String>,
    /// The deployed contract whose entry points are shown.
    pub(crate) selected: RwSignal<Option<String>>,
    /// Time travel: the chain as it was after an earlier block.
    pub(crate) past: RwSignal<Option<ChainView>>,
    /// EVM code opened at an address, as extra contract tabs.
    pub(crate) at_tabs: RwSignal<Vec<contracts::AtTab>>,
    /// The ABIs of the editor's last Solidity compile: (contract, JSON).
    pub(crate) compiled_abis: RwSignal<Vec<(String, String)>>,
    /// What maps the code of contracts compiled in the editor to their
    /// sources (newest first), for the debugger.
    pub(crate) debug_sources: RwSignal<Vec<isc_app::model::debug::DebugSource>>,
    /// Where the debugger stands in the source: (file, 1-based line), for
    /// the editor to mark when it holds that file.
    pub(crate) debug_line: RwSignal<Option<(String, u32)>>,
}

impl Shared {
    pub(crate) fn send(&self, label: &str, command: Command, done: impl FnOnce(Reply) + 'static) {
        self.engine
            .with_value(|engine| engine.send(label, command, done));
    }

    /// The view to show: the past one while time-travelling, else now.
    pub(crate) fn shown(&self) -> Option<ChainView> {
        self.past.get().or_else(|| self.view.get())
    }

    /// Names for the ids of the chain shown (the past one while
    /// time-travelling), without tracking it.
    pub(crate) fn names(&self) -> Names {
        self.past
            .with_untracked(|past| past.as_ref().map(Names::of))
            .or_else(|| {
                self.view
                    .with_untracked(|view| view.as_ref().map(Names::of))
            })
            .unwrap_or_default()
            // A contract named in an error may not be deployed (yet).
            .with_names(EXAMPLES.iter().map(|e| e.name.to_lowercase()))
    }

    /// The accounts of the chain now.
    pub(crate) fn accounts(&self) -> Vec<isc_app::protocol::AccountView> {
        self.view
            .with_untracked(|view| view.as_ref().map(|v| v.accounts.clone()))
            .unwrap_or_default()
    }

    pub(crate) fn sender_id(&self) -> AgentId {
        let name = self.sender.get_untracked();
        self.view
            .with_untracked(|view| {
                view.as_ref().and_then(|v| {
                    v.accounts
                        .iter()
                        .find(|a| a.user && a.name == name)
                        .map(|a| a.agent)
                })
            })
            .unwrap_or_else(|| AgentId::user(&name))
    }
}

/// A request id as lists show it: its first 10 characters.
pub(crate) fn short_id(id: &isc_engine::RequestId) -> String {
    id.to_string().chars().take(10).collect()
}

/// A success or error line.
pub(crate) type Note = RwSignal<Option<Result<String, String>>>;

/// Theme and font size, kept in local storage.
#[derive(Clone, Copy)]
pub(crate) struct Display {
    /// `light` or `dark`.
    pub(crate) theme: RwSignal<String>,
    /// `normal` or `large`.
    pub(crate) size: RwSignal<String>,
}

/// A success or error line.
#[component]
pub(crate) fn Message(
    /// What to show.
    message: Note,
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
