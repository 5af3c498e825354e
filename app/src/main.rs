//! # isc-app — the ISC Playground page
//!
//! A leptos client-side-rendered page over the engine worker
//! ([`isc_app::client::Engine`]): the examples gallery, uploads and the WAT
//! editor on the left; deployed contracts with a form per entry point and
//! their state in the middle; accounts, blocks (with time travel), gas and
//! receipts on the right. Components only wire signals to views; the logic
//! lives in the library, tested natively.

use isc_app::catalog::{self, EXAMPLES, Example};
use isc_app::client::{Engine, EngineSignals, Status};
use isc_app::contract::{
    Deployable, Entry, OpStep, Param, Tokens, encode_args, evm_steps, resolve_names, show_event,
    show_results, show_values,
};
use isc_app::editor::{Editor, Language};
use isc_app::names::Names;
use isc_app::protocol::{ChainView, Command, ContractView, Reply};
use isc_app::state::{Group, Shown, group_state};
use isc_app::units::{self, Unit};
use isc_app::web;
use isc_engine::session::Session;
use isc_engine::{AgentId, CallTrace, Receipt};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ui::glossary::Hint;

mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
    web::register_service_worker();
}

/// What every panel shares.
#[derive(Clone, Copy)]
struct Shared {
    engine: StoredValue<Engine, LocalStorage>,
    /// The chain as of the last finished command.
    view: RwSignal<Option<ChainView>>,
    status: RwSignal<Status>,
    /// The sending user's name.
    sender: RwSignal<String>,
    /// The deployed contract whose entry points are shown.
    selected: RwSignal<Option<String>>,
    /// Time travel: the chain as it was after an earlier block.
    past: RwSignal<Option<ChainView>>,
}

impl Shared {
    fn send(&self, label: &str, command: Command, done: impl FnOnce(Reply) + 'static) {
        self.engine
            .with_value(|engine| engine.send(label, command, done));
    }

    /// The view to show: the past one while time-travelling, else now.
    fn shown(&self) -> Option<ChainView> {
        self.past.get().or_else(|| self.view.get())
    }

    /// Names for the ids of the chain shown (the past one while
    /// time-travelling), without tracking it.
    fn names(&self) -> Names {
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
    fn accounts(&self) -> Vec<isc_app::protocol::AccountView> {
        self.view
            .with_untracked(|view| view.as_ref().map(|v| v.accounts.clone()))
            .unwrap_or_default()
    }

    fn sender_id(&self) -> AgentId {
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

/// A success or error line.
type Note = RwSignal<Option<Result<String, String>>>;

/// The whole page.
#[component]
fn App() -> impl IntoView {
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
    provide_context(ui::editor::EditorRequest(RwSignal::new(None)));
    provide_context(ui::editor::SolidityCompiler::new());
    let link_status: ui::sessions::Banner = RwSignal::new(None);
    let lesson = ui::workshop::ActiveLesson::new();
    ui::sessions::startup(shared, link_status, lesson);
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
        <ui::workshop::Workshop active=lesson banner=link_status/>
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
                <ui::editor::EditorPanel/>
            </section>
        </main>
        <ui::glossary::Glossary/>
    }
}

/// What the engine is doing, and the Stop button while it runs.
#[component]
fn EngineStatus() -> impl IntoView {
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
fn SenderPicker() -> impl IntoView {
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

/// Theme and font size, kept in local storage.
#[derive(Clone, Copy)]
struct Display {
    /// `light` or `dark`.
    theme: RwSignal<String>,
    /// `normal` or `large`.
    size: RwSignal<String>,
}

/// The theme and text-size switches.
#[component]
fn DisplayOptions() -> impl IntoView {
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

/// The bundled examples: pick one to read it and deploy it.
#[component]
fn Gallery() -> impl IntoView {
    let chosen = RwSignal::new(None::<&'static str>);
    view! {
        <ul class="gallery">
            {EXAMPLES
                .iter()
                .map(|example| {
                    let name = example.name;
                    let vm = example.vm().to_string();
                    view! {
                        <li>
                            <button
                                class="example"
                                class:chosen=move || chosen.get() == Some(name)
                                aria-expanded=move || (chosen.get() == Some(name)).to_string()
                                data-testid=format!("example-{name}")
                                on:click=move |_| chosen.set(Some(name))
                            >
                                <span class="name">{name}</span>
                                <span class=format!("vm vm-{vm}")>{vm.clone()}</span>
                            </button>
                            <Show when=move || chosen.get() == Some(name)>
                                <ExampleDetails example=*example/>
                            </Show>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// An example's paragraph, its source on demand, and its deploy form
/// (its files are fetched when it is chosen).
#[component]
fn ExampleDetails(
    /// The example.
    example: Example,
) -> impl IntoView {
    let program = RwSignal::new(None::<Result<Deployable, String>>);
    let source = RwSignal::new(None::<Result<String, String>>);
    spawn_local(async move {
        let found = web::fetch_all(example.program_files())
            .await
            .and_then(|files| Deployable::from_files(&files))
            .and_then(|found| {
                found
                    .into_iter()
                    .find(|p| p.name.eq_ignore_ascii_case(example.name))
                    .ok_or_else(|| format!("{}: not in its files", example.name))
            });
        program.set(Some(found));
    });
    // The source, highlighted by Monaco when it loads (plain text until then).
    let highlighted = RwSignal::new(None::<String>);
    let show_source = move |_| {
        if source.get_untracked().is_some() {
            source.set(None);
            return;
        }
        spawn_local(async move {
            let (file, language) = example.source_file();
            let text = web::fetch_text(&file).await;
            source.set(Some(text.clone()));
            if let Ok(text) = text {
                let language = if language == "rust" {
                    Language::Rust
                } else {
                    Language::Solidity
                };
                highlighted.set(Editor::colorize(&text, language).await.ok());
            }
        });
    };
    let ui::editor::EditorRequest(request) = expect_context::<ui::editor::EditorRequest>();
    let open_in_editor = move |_| {
        spawn_local(async move {
            let (file, _) = example.source_file();
            match web::fetch_text(&file).await {
                Ok(text) => request.set(Some(text)),
                Err(err) => source.set(Some(Err(err))),
            }
        });
    };
    let solidity = example.kind == catalog::Kind::Solidity;
    view! {
        <p class="description">{example.description}</p>
        <div class="row">
            <button class="link" data-testid="show-source" on:click=show_source>
                {move || if source.get().is_some() { "Hide source" } else { "Show source" }}
            </button>
            {solidity.then(|| view! {
                <button class="link" data-testid="open-in-editor" on:click=open_in_editor>"Open in editor"</button>
            })}
        </div>
        {move || source.get().map(|text| match (text, highlighted.get()) {
            (Ok(_), Some(html)) => view! {
                <pre class="source" data-testid="source" tabindex="0" inner_html=html></pre>
            }.into_any(),
            (Ok(text), None) => view! { <pre class="source" data-testid="source" tabindex="0">{text}</pre> }.into_any(),
            (Err(err), _) => view! { <p class="error" role="alert">{err}</p> }.into_any(),
        })}
        {move || match program.get() {
            None => view! { <p class="hint">"Loading…"</p> }.into_any(),
            Some(Ok(program)) => view! { <DeployForm program/> }.into_any(),
            Some(Err(err)) => view! { <p class="error" role="alert" data-testid="message">{err}</p> }.into_any(),
        }}
    }
}

/// Upload a `.wasm` (with its schema) or Solidity artifacts, by picker or
/// by dropping files.
#[component]
fn Upload() -> impl IntoView {
    let found = RwSignal::new(None::<Result<Vec<Deployable>, String>>);
    let over = RwSignal::new(false);
    let take = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else {
            return;
        };
        spawn_local(async move {
            let read = web::read_files(&files).await;
            found.set(Some(read.and_then(|files| Deployable::from_files(&files))));
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        take(input.files());
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        take(ev.data_transfer().and_then(|d| d.files()));
    };
    view! {
        <div
            class="dropzone"
            class:over=move || over.get()
            data-testid="dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <label>
                "Drop files here, or choose them: a .wasm with its schema.json/.yaml, or a Solidity artifact (.json), or bytecode (.bin) with its ABI"
                <input type="file" multiple data-testid="upload" on:change=on_pick/>
            </label>
        </div>
        {move || found.get().map(|found| match found {
            Ok(programs) => programs
                .into_iter()
                .map(|program| view! {
                    <div class="uploaded" data-testid="uploaded">
                        <p>
                            <b>{program.name.clone()}</b>
                            <span class=format!("vm vm-{}", program.vm)>{program.vm.to_string()}</span>
                        </p>
                        <DeployForm program/>
                    </div>
                })
                .collect_view()
                .into_any(),
            Err(err) => view! { <p class="error" role="alert" data-testid="upload-error">{err}</p> }.into_any(),
        })}
    }
}

/// Deploys `program` as `name` from the current sender; `done` gets the
/// line to show. A successful deploy selects the new contract.
fn send_deploy(
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

/// Name, init params, gas budget and the Deploy button of one program.
#[component]
fn DeployForm(
    /// The program.
    program: Deployable,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let contract_name = RwSignal::new(program.name.to_lowercase());
    let init = program.interface.init.clone();
    let raw = program.raw_init;
    let args = RwSignal::new(vec![String::new(); if raw { 1 } else { init.len() }]);
    let gas = RwSignal::new(String::new());
    let message: Note = RwSignal::new(None);
    let params = init.clone();
    let vm_label = format!("VM: {}", program.vm);
    let deploy = move |_| {
        let name = contract_name.get_untracked().trim().to_owned();
        let args = resolve_names(&params, &args.get_untracked(), &shared.accounts());
        let init = match encode_args(&program.vm, &params, raw, &args) {
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

/// A number typed by the user: empty is none.
fn optional_number(label: &str, text: &str) -> Result<Option<u64>, String> {
    let text = text.trim().replace(['_', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{label}: \"{text}\" is not a whole number"))
}

/// A base-token amount typed by the user: empty is none.
fn base_tokens(label: &str, text: &str) -> Result<u64, String> {
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
fn ArgInputs(
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
fn RawParams(
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

/// A success or error line.
#[component]
fn Message(
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

/// The deployed contracts: tabs, the entry points and state of the chosen one.
#[component]
fn Contracts() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let contracts = move || shared.shown().map(|v| v.contracts).unwrap_or_default();
    let names = move || {
        contracts()
            .into_iter()
            .map(|c| (c.name, c.vm.to_string()))
            .collect::<Vec<_>>()
    };
    let current = move || {
        let name = shared.selected.get()?;
        contracts().into_iter().find(|c| c.name == name)
    };
    let interface = Memo::new(move |_| current().map(|c| (c.name, c.vm, c.address, c.entries)));
    view! {
        <Show
            when=move || !names().is_empty()
            fallback=|| view! { <p class="hint">"Pick an example and deploy it."</p> }
        >
            <div class="tabs" role="tablist" aria-label="deployed contracts">
                {move || {
                    names()
                        .into_iter()
                        .map(|(name, vm)| {
                            let selected = name.clone();
                            let is = name.clone();
                            view! {
                                <button
                                    role="tab"
                                    data-testid=format!("contract-{name}")
                                    aria-selected=move || (shared.selected.get().as_deref() == Some(is.as_str())).to_string()
                                    on:click=move |_| shared.selected.set(Some(selected.clone()))
                                >
                                    {name.clone()}
                                    <span class=format!("vm vm-{vm}")>{vm.clone()}</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
        // The forms depend only on the entry points, so they (and what
        // their messages say) survive state updates.
        {move || interface.get().map(|(name, vm, address, entries)| view! {
            {address.map(|address| view! {
                <p class="hint">"address " <code data-testid="contract-address">{address}</code></p>
            })}
            {entries
                .into_iter()
                .map(|entry| view! { <EntryCard contract=name.clone() vm=vm.clone() entry/> })
                .collect_view()}
        })}
        {move || current().map(|contract| view! { <StateTree contract/> })}
    }
}

/// One func or view: its params and a button to call it.
#[component]
fn EntryCard(
    /// The contract's name.
    contract: String,
    /// Its VM.
    vm: isc_engine::VmType,
    /// The entry point.
    entry: Entry,
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
    let steps = RwSignal::new(None::<Vec<OpStep>>);
    let run = {
        let entry = entry.clone();
        let vm = vm.clone();
        move |trace: Option<u32>| {
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
                            let recorded = evm_steps(&receipt);
                            let outcome = match &receipt.error {
                                None => format!(
                                    "simulated (the chain is unchanged): {} instructions recorded, {} gas",
                                    recorded.len(),
                                    receipt.gas_burned
                                ),
                                Some(error) => names.text(&format!(
                                    "simulated (the chain is unchanged), failing: {error}; {} instructions recorded",
                                    recorded.len()
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
        move |_| run(None)
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
                <label>
                    "Value " <span class="ty">"→ msg.value"</span>
                    <Hint term="value"/>
                    <span class="row">
                        <input data-testid=ids.1.clone() inputmode="decimal"
                            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                        <select data-testid=format!("{}-unit", ids.1) aria-label="unit of the value"
                            on:change=move |ev| unit.set(Unit::from_name(&event_target_value(&ev)).unwrap_or(Unit::Base))>
                            {Unit::ALL.map(|u| view! { <option value=u.name()>{u.name()}</option> }).collect_view()}
                        </select>
                    </span>
                </label>
                <span class="hint" data-testid=format!("{}-shown", ids.1)>{move || {
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
            </Show>
            <div class="row">
                <button data-testid=format!("call-{name}") on:click=send disabled=call_disabled
                    title=move || call_disabled().then_some("Back to now to send requests: the past is read-only")>
                    {if view_only { "Call view" } else { "Send request" }}
                </button>
                {traceable.then(|| {
                    let run = run.clone();
                    view! {
                        <button data-testid=format!("trace-{name}") disabled=in_past
                            on:click=move |_| run(Some(TRACE_STEPS))>"Trace opcodes"</button>
                    }
                })}
            </div>
            <Message message/>
            {move || steps.get().map(|steps| view! { <OpcodeTable steps/> })}
        </article>
    }
}

/// How many EVM instructions "Trace opcodes" records.
const TRACE_STEPS: u32 = 2_000;

/// An opcode trace, as evm.codes shows one: step, depth, pc, opcode, gas
/// left, the top of the stack.
#[component]
fn OpcodeTable(
    /// The recorded instructions.
    steps: Vec<OpStep>,
) -> impl IntoView {
    let count = steps.len();
    view! {
        <details class="opcodes" open=true data-testid="opcodes">
            <summary>{isc_app::words::count(count as u64, "instruction")}</summary>
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

/// A contract's state: keys grouped by their readable prefix, values
/// decoded where the bytes suggest a type, raw hex on demand.
#[component]
fn StateTree(
    /// The contract.
    contract: ContractView,
) -> impl IntoView {
    let evm = contract.vm == isc_engine::VmType::EVM;
    let names = expect_context::<Shared>().names();
    let groups = group_state(&contract.state, evm, &names, &contract.variables);
    let count = contract.state.len();
    view! {
        <details class="state" data-testid="state" open=true>
            <summary>{format!("{} state ({})", if evm { "storage" } else { "contract" }, isc_app::words::count(count as u64, if evm { "slot" } else { "key" }))}</summary>
            <ul class="tree">
                {groups.into_iter().map(|Group { name, items }| view! {
                    <li>
                        <span class="group">{name}</span>
                        <ul>
                            {items.into_iter().map(|Shown { key, value: shown, raw }| view! {
                                <li data-testid="state-item">
                                    <code class="key" title=raw.clone()>{key}</code>
                                    " = "
                                    <span class="value" data-testid="state-value">{shown}</span>
                                    <details class="raw"><summary>"raw"</summary><code>{raw}</code></details>
                                </li>
                            }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
        </details>
    }
}

/// While time-travelling: which block is shown, back to now, or revert —
/// asked twice, and undoable until the next change (the session before the
/// revert is kept and reopened on "Undo").
#[component]
fn TimeTravelBanner() -> impl IntoView {
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
        let before = shared.view.get_untracked().map(|view| view.session);
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

/// Accounts, blocks with time travel, gas per block, receipts.
#[component]
fn ChainPanel() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let accounts = move || shared.shown().map(|v| v.accounts).unwrap_or_default();
    let receipts = move || shared.shown().map(|v| v.receipts).unwrap_or_default();
    let hash = move || {
        shared
            .shown()
            .map(|v| (v.block_index, v.state_hash))
            .unwrap_or_default()
    };
    view! {
        <h3>"Accounts " <Hint term="on-chain"/></h3>
        <table class="balances" data-testid="balances">
            <thead><tr><th scope="col">"account"</th><th scope="col">"on chain"</th><th scope="col">"L1 wallet"</th></tr></thead>
            <tbody>
                {move || accounts()
                    .into_iter()
                    .map(|a| view! {
                        <tr data-testid=format!("balance-{}", a.name)>
                            <td title=format!("agent id {}\nEVM address {}", a.agent, a.address)>{a.name.clone()}</td>
                            <td class="num" title=units::tokens(a.l2).to_string()>{a.l2}</td>
                            <td class="num" title=a.l1.map(|l1| units::tokens(l1).to_string())>
                                {a.l1.map_or_else(|| "—".to_owned(), |l1| l1.to_string())}
                            </td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="hint" data-testid="units-note">
            {format!("Amounts in base tokens: 1 000 000 = 1 {} (6 decimals); in Solidity, 1 base token = 10^12 wei. ", units::TOKEN)}
            <Hint term="base-token"/>
        </p>
        <details class="ids" data-testid="account-ids">
            <summary>"Agent ids and EVM addresses"</summary>
            <p class="hint">"Each account as ISC names it and as Solidity sees it. " <Hint term="agent"/></p>
            <dl>
                {move || accounts().into_iter().map(|a| view! {
                    <dt>{a.name.clone()}</dt>
                    <dd>"agent id " <code data-testid=format!("agent-{}", a.name)>{a.agent.to_string()}</code></dd>
                    <dd>"EVM address " <code data-testid=format!("address-{}", a.name)>{a.address.clone()}</code></dd>
                }).collect_view()}
            </dl>
        </details>
        <p class="hash">
            "block " <span data-testid="block-index">{move || hash().0}</span>
            " · state hash " <Hint term="state-hash"/> " "<code data-testid="chain-state-hash">{move || hash().1}</code>
        </p>
        <ui::sessions::SessionBox/>
        <Funding/>
        <ChainSettings/>
        <h3>"Gas per block"</h3>
        <GasChart/>
        <h3>"Blocks and receipts " <Hint term="two-blocks"/> <Hint term="gas"/></h3>
        <ul class="receipts">
            <For
                each=move || {
                    let mut list = receipts();
                    list.reverse();
                    list
                }
                key=|r| (r.block_index, r.request_id)
                children=|receipt| view! { <ReceiptRow receipt/> }
            />
        </ul>
    }
}

/// Deposit base tokens from a user's L1 wallet into their chain account.
#[component]
fn Funding() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let amount = RwSignal::new(String::new());
    let note: Note = RwSignal::new(None);
    let deposit = move |_| {
        let amount = match base_tokens("Amount", &amount.get_untracked()) {
            Ok(0) => {
                note.set(Some(Err("Amount: how many base tokens to deposit?".into())));
                return;
            }
            Ok(amount) => amount,
            Err(err) => {
                note.set(Some(Err(err)));
                return;
            }
        };
        let sender = shared.sender.get_untracked();
        let command = Command::Call {
            sender: shared.sender_id(),
            contract: "accounts".into(),
            entry: "deposit".into(),
            params: isc_engine::Dict::new(),
            tokens: Tokens {
                deposit: amount,
                ..Tokens::default()
            },
            view: false,
            gas_budget: None,
            trace: None,
            at: None,
        };
        shared.send(&format!("depositing for {sender}"), command, move |reply| {
            note.set(Some(match reply {
                Reply::Chain {
                    receipt: Some(r), ..
                } if r.is_success() => Ok(format!(
                    "{sender} deposited {amount} base tokens in block {}",
                    r.block_index
                )),
                Reply::Chain {
                    receipt: Some(r), ..
                } => Err(format!(
                    "block {}: {}",
                    r.block_index,
                    r.error.map(|e| e.to_string()).unwrap_or_default()
                )),
                Reply::Failed { message } => Err(message),
                other => Err(format!("unexpected reply {other:?}")),
            }));
        });
    };
    view! {
        <details class="more" data-testid="funding">
            <summary>"Fund the sender from L1"</summary>
            <div class="form">
                <label>
                    "Base tokens to deposit (from the sender's L1 wallet)"
                    <input data-testid="deposit-amount" inputmode="numeric"
                        prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                </label>
                <button data-testid="deposit" on:click=deposit>"Deposit"</button>
                <Message message=note/>
            </div>
        </details>
    }
}

/// The chain's configuration: users, their funds, the gas limit. Applying
/// replays the whole session on a chain started with the new settings.
#[component]
fn ChainSettings() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let config = move || {
        shared
            .view
            .get()
            .and_then(|v| Session::from_json(&v.session).ok())
            .map(|s| s.config)
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
            .and_then(|v| Session::from_json(&v.session).ok())
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
                        isc_app::words::count(view.block_index, "block")
                    )),
                    Reply::Failed { message } => Err(format!("not applied: {message}")),
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
            </div>
        </details>
    }
}

/// Gas burned per block, as bars (the latest 40 blocks).
#[component]
fn GasChart() -> impl IntoView {
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
fn ReceiptRow(
    /// The receipt.
    receipt: Receipt,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
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
    view! {
        <li class=if ok { "receipt ok" } else { "receipt failed" } data-testid="receipt">
            <span class="status" data-testid="receipt-status">{if ok { "ok" } else { "failed" }}</span>
            <span class="block">"#" {block}</span>
            <code>{call}</code>
            <span class="gas">{receipt.gas_burned} " gas · fee " {receipt.gas_fee}</span>
            <button class="link" data-testid="view-block" on:click=travel
                aria-label=format!("state here, after block {block}")>"state here"</button>
            {error.map(|(shown, raw)| view! { <p class="reason" data-testid="receipt-error" title=raw>{shown}</p> })}
            <details>
                <summary>"events and trace"</summary>
                <ul class="events">{events.into_iter().map(|(shown, raw)| view! { <li data-testid="event" title=raw>{shown}</li> }).collect_view()}</ul>
                <TraceTree trace=receipt.trace.clone() names/>
            </details>
        </li>
    }
}

/// A call trace as a nested list, across VMs.
#[component]
fn TraceTree(
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
