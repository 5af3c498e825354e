//! The page's frame: the top bar (engine status and Stop, the sender, theme and
//! text size) and the layout of the panels.

use super::Display;
use super::Shared;
use super::chain::ChainPanel;
use super::contracts::Contracts;
use super::gallery::Gallery;
use super::time_travel::TimeTravelBanner;
use super::upload::Upload;
use isc_app::page::client::{Engine, EngineSignals, Status};
use isc_app::page::web;
use leptos::prelude::*;

/// The whole page.
#[component]
pub(crate) fn App() -> impl IntoView {
    let signals = EngineSignals {
        view: RwSignal::new(None),
        status: RwSignal::new(Status::Starting),
    };
    let shared = Shared {
        engine: StoredValue::new_local(Engine::start(signals)),
        view: signals.view,
        status: signals.status,
        sender: RwSignal::new("alice".to_owned()),
        selected: RwSignal::new(None),
        past: RwSignal::new(None),
        at_tabs: RwSignal::new(Vec::new()),
        compiled_abis: RwSignal::new(Vec::new()),
        debug_sources: RwSignal::new(Vec::new()),
        debug_line: RwSignal::new(None),
    };
    provide_context(shared);
    provide_context(Display {
        theme: RwSignal::new(
            web::load("isc-playground.data-theme").unwrap_or_else(|| "light".into()),
        ),
        size: RwSignal::new(
            web::load("isc-playground.data-size").unwrap_or_else(|| "normal".into()),
        ),
    });
    provide_context(super::editor::EditorRequest(RwSignal::new(None)));
    provide_context(super::editor::SolidityCompiler::new());
    provide_context(super::editor::TypeScriptCompiler::new());
    let link_status: super::banner::Banner = RwSignal::new(None);
    let lesson = super::workshop::ActiveLesson::new();
    super::sessions::startup(shared, link_status, lesson);
    view! {
        <header class="topbar">
            <h1>"ISC Playground"</h1>
            <span class="tagline">"IOTA Smart Contracts, in your browser"</span>
            <EngineStatus/>
            <SenderPicker/>
            <DisplayOptions/>
        </header>
        {move || link_status.get().map(|status| {
            let dismiss = view! {
                <button class="dismiss" data-testid="dismiss-link-status"
                    aria-label="Dismiss this message"
                    on:click=move |_| link_status.set(None)>"×"</button>
            };
            match status {
                Ok(text) => view! {
                    <p class="banner ok" role="status" data-testid="link-status">
                        <span data-testid="link-status-text">{text}</span>{dismiss}
                    </p>
                }.into_any(),
                Err(text) => view! {
                    <p class="banner error" role="alert" data-testid="link-status">
                        <span data-testid="link-status-text">{text}</span>{dismiss}
                    </p>
                }.into_any(),
            }
        })}
        <TimeTravelBanner/>
        <super::workshop::Workshop active=lesson banner=link_status/>
        <main class="playground">
            <section class="panel" aria-labelledby="examples-title">
                <h2 id="examples-title">"Examples"</h2>
                <Gallery/>
                <h2 id="upload-title">"Upload"</h2>
                <Upload/>
            </section>
            <section class="panel" aria-labelledby="contracts-title">
                <h2 id="contracts-title">"Contracts"</h2>
                <Contracts/>
            </section>
            <section class="panel chain-panel" aria-labelledby="chain-title">
                <h2 id="chain-title">"Chain"</h2>
                <ChainPanel/>
            </section>
            <section class="panel editor-panel" aria-labelledby="editor-title">
                <h2 id="editor-title">"Write code"</h2>
                <super::editor::EditorPanel/>
                <super::script::ScriptConsole/>
            </section>
        </main>
        <super::glossary::Glossary/>
    }
}

/// What the engine is doing, and the Stop button while it runs.
#[component]
pub(crate) fn EngineStatus() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let stop = move |_| shared.engine.with_value(Engine::stop);
    view! {
        <span class="engine-status" data-testid="engine-status" role="status" aria-live="polite">
            {move || match shared.status.get() {
                Status::Starting => "starting the engine…".to_owned(),
                Status::Ready => "engine ready".to_owned(),
                Status::Busy(label) => format!("running: {label}…"),
                Status::Rebuilding => "rebuilding the chain…".to_owned(),
                Status::Broken(why) => format!("engine failed: {why}"),
            }}
        </span>
        <Show when=move || matches!(shared.status.get(), Status::Busy(_))>
            <button class="stop" data-testid="stop" on:click=stop>"Stop"</button>
        </Show>
    }
}

/// Who sends requests: the chain's users.
#[component]
pub(crate) fn SenderPicker() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let users = move || {
        shared.view.with(|view| {
            view.as_ref()
                .map(|v| {
                    v.accounts
                        .iter()
                        .filter(|a| a.user)
                        .map(|a| a.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <label class="sender">
            "Sender "
            <select
                data-testid="sender"
                on:change=move |ev| shared.sender.set(event_target_value(&ev))
            >
                {move || users()
                    .into_iter()
                    .map(|name| {
                        let selected = name == shared.sender.get_untracked();
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The theme and text-size switches.
#[component]
pub(crate) fn DisplayOptions() -> impl IntoView {
    let Display { theme, size } = expect_context::<Display>();
    let root = document().document_element();
    Effect::new(move || {
        for (attribute, value) in [("data-theme", theme.get()), ("data-size", size.get())] {
            if let Some(root) = &root {
                let _ = root.set_attribute(attribute, &value);
            }
            web::save(&format!("isc-playground.{attribute}"), &value);
        }
    });
    view! {
        <button
            class="option"
            data-testid="theme"
            aria-pressed=move || (theme.get() == "dark").to_string()
            on:click=move |_| theme.update(|t| *t = if t == "dark" { "light".into() } else { "dark".into() })
        >
            {move || if theme.get() == "dark" { "Light theme" } else { "Dark theme" }}
        </button>
        <button
            class="option"
            data-testid="font-size"
            aria-pressed=move || (size.get() == "large").to_string()
            on:click=move |_| size.update(|s| *s = if s == "large" { "normal".into() } else { "large".into() })
        >
            {move || if size.get() == "large" { "Normal text" } else { "Large text" }}
        </button>
    }
}
