//! The editor panel: Solidity or WebAssembly text, in Monaco once it has
//! loaded (a plain textarea until then, or if it never does), compiled in
//! the page — WAT by the engine worker, Solidity by solc-js in its own
//! worker, with a progress bar while the compiler loads — with problems as
//! editor markers and as a list. Ctrl/Cmd+Enter compiles and, when the
//! program needs no init params, deploys it.

use super::deploy::{DeployForm, send_deploy};
use super::{Display, Shared};
use isc_app::model::autosave::{self, Drafts};
use isc_app::model::compile::{
    BuildOutput, Compiled, ISC_SOL, Problem, solidity_input, solidity_output, wat_problem,
};
use isc_app::model::contract::{Deployable, abi_of_program};
use isc_app::model::solc::{self, Build, EvmVersion, Settings, Version, soljson_path};
use isc_app::page::editor::{Editor, Language};
use isc_app::page::solc::Solc;
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use isc_engine::Dict;
use isc_engine::session::Source;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Asks the editor to show a source (the gallery's "Open in editor").
#[derive(Clone, Copy)]
pub(crate) struct EditorRequest(pub(crate) RwSignal<Option<String>>);

/// The file name the page compiles Solidity as.
const SOLIDITY_FILE: &str = "Contract.sol";

const SOLIDITY_TEMPLATE: &str = r#"// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import "./ISC.sol";

/// A counter that also tells the chain: an EVM event and an ISC event.
contract Counter {
    uint256 public count;

    event Counted(address by, uint256 count);

    function increment() external {
        count += 1;
        emit Counted(msg.sender, count);
        ISC.sandbox.triggerEvent("counter.incremented");
    }
}
"#;

/// A WasmLib contract written by hand against the host ABI
/// (`hostStateGet`/`hostStateSet`), so it runs as a real contract.
const WAT_TEMPLATE: &str = r#";; A WasmLib contract in WebAssembly text: `increment` adds one to
;; state key "counter"; the view `getCounter` returns it.
(module
  (import "WasmLib" "hostStateGet" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "WasmLib" "hostStateSet" (func $set (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "increment")
  (data (i32.const 32) "getCounter")
  (data (i32.const 48) "counter")
  ;; results dict: 1 item, key "counter" (7 bytes), value of 8 bytes at 81
  (data (i32.const 64) "\01\00\00\00\07\00counter\08\00\00\00")
  (func (export "on_load")
    ;; export_name(index, name): func 0 and view 0x8000
    (call $set (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 9))
    (call $set (i32.const 0) (i32.const 0x8000) (i32.const 32) (i32.const 10)))
  (func (export "on_call") (param $index i32)
    (i64.store (i32.const 128) (i64.const 0))
    (drop (call $get (i32.const 48) (i32.const 7) (i32.const 128) (i32.const 8)))
    (if (i32.eqz (local.get $index))
      (then
        (i64.store (i32.const 128) (i64.add (i64.load (i32.const 128)) (i64.const 1)))
        (call $set (i32.const 48) (i32.const 7) (i32.const 128) (i32.const 8)))
      (else
        (i64.store (i32.const 81) (i64.load (i32.const 128)))
        ;; sandbox FN_RESULTS (-23) with the dict
        (drop (call $get (i32.const 0) (i32.const -23) (i32.const 64) (i32.const 25)))))))
"#;

/// Whether Monaco is in place.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Monaco {
    Loading,
    Ready,
    Unavailable(String),
}

/// The editor panel.
#[component]
pub(crate) fn EditorPanel() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let display = expect_context::<Display>();
    let EditorRequest(request) = expect_context::<EditorRequest>();
    // The drafts come back from local storage: a reload loses no code.
    let drafts = web::load(autosave::DRAFTS_KEY).and_then(|text| Drafts::from_text(&text));
    let language = RwSignal::new(match &drafts {
        Some(drafts) if drafts.wat_shown => Language::Wat,
        _ => Language::Solidity,
    });
    let solidity = RwSignal::new(
        drafts
            .as_ref()
            .map_or_else(|| SOLIDITY_TEMPLATE.to_owned(), |d| d.solidity.clone()),
    );
    let wat = RwSignal::new(
        drafts
            .as_ref()
            .map_or_else(|| WAT_TEMPLATE.to_owned(), |d| d.wat.clone()),
    );
    Effect::new(move || {
        let drafts = Drafts {
            wat_shown: language.get() == Language::Wat,
            solidity: solidity.get(),
            wat: wat.get(),
        };
        web::save(autosave::DRAFTS_KEY, &drafts.to_text());
    });
    let text = move |lang: Language| if lang == Language::Wat { wat } else { solidity };
    let problems = RwSignal::new(Vec::<Problem>::new());
    let compiled = RwSignal::new(None::<Result<Vec<Deployable>, String>>);
    let outputs = RwSignal::new(Vec::<BuildOutput>::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let solidity_compiler = expect_context::<SolidityCompiler>();
    let progress = solidity_compiler.progress;
    let choice = RwSignal::new(Choice::default());
    let monaco = RwSignal::new(Monaco::Loading);
    let editor = StoredValue::new_local(None::<Editor>);
    let host = NodeRef::<leptos::html::Div>::new();
    let started = StoredValue::new(false);

    let show = move |found: Vec<Problem>,
                     result: Result<Vec<Deployable>, String>,
                     deploy_now: bool,
                     by: String| {
        editor.with_value(|e| {
            if let Some(e) = e {
                e.set_problems(&found);
            }
        });
        problems.set(found);
        status.set(Some(match &result {
            Ok(programs) => Ok(format!(
                "compiled: {}{by}",
                programs
                    .iter()
                    .map(|p| format!("{} ({} bytes)", p.name, p.binary.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Err(err) => Err(err.clone()),
        }));
        if deploy_now
            && let Ok(programs) = &result
            && let Some(program) = programs.first()
            && program.interface.init.is_empty()
        {
            let name = program.name.to_lowercase();
            send_deploy(shared, program, &name, Dict::new(), None, move |outcome| {
                status.set(Some(outcome));
            });
        }
        if let Ok(programs) = &result {
            shared.compiled_abis.set(
                programs
                    .iter()
                    .filter_map(|p| Some((p.name.clone(), abi_of_program(&p.binary)?)))
                    .collect(),
            );
            super::deploy::note_known_programs(shared, programs);
        }
        compiled.set(Some(result));
    };

    let compile = move |deploy_now: bool| {
        let lang = language.get_untracked();
        let source = text(lang).get_untracked();
        status.set(None);
        outputs.set(Vec::new());
        match lang {
            Language::Wat | Language::Rust => {
                shared.send(
                    "compiling WAT",
                    Command::CompileWat {
                        text: source.clone(),
                    },
                    move |reply| match reply {
                        Reply::Compiled { binary } => {
                            let program =
                                Deployable::wasm("watcounter", binary, None).map(|mut p| {
                                    p.sources.push(Source {
                                        name: String::new(),
                                        language: "wat".into(),
                                        text: source,
                                        compiler: None,
                                    });
                                    vec![p]
                                });
                            show(Vec::new(), program, deploy_now, String::new());
                        }
                        Reply::Failed { message } => {
                            show(
                                vec![wat_problem(&message)],
                                Err(message),
                                false,
                                String::new(),
                            );
                        }
                        other => show(
                            Vec::new(),
                            Err(format!("unexpected reply {other:?}")),
                            false,
                            String::new(),
                        ),
                    },
                );
            }
            Language::Solidity => spawn_local(async move {
                let choice = choice.get_untracked();
                match solidity_compiler.compile(source, choice).await {
                    Ok(Built { compiled, version }) => {
                        outputs.set(compiled.outputs);
                        let by = format!(
                            ", by solc {version}{}",
                            if choice.version.is_none() {
                                " (the newest that fits the pragma)"
                            } else {
                                ""
                            }
                        );
                        let result = if compiled.problems.iter().any(|p| p.error) {
                            Err(format!(
                                "solc {version} found errors: see the problems below"
                            ))
                        } else {
                            Ok(compiled.programs)
                        };
                        show(compiled.problems, result, deploy_now, by);
                    }
                    Err(err) => show(Vec::new(), Err(err), false, String::new()),
                }
            }),
        }
    };

    // Monaco, once the engine is up: neither first paint nor the engine's
    // start waits for its 4 MB.
    Effect::new(move || {
        let Some(element) = host.get() else {
            return;
        };
        if matches!(
            shared.status.get(),
            isc_app::page::client::Status::Starting | isc_app::page::client::Status::Rebuilding
        ) {
            return;
        }
        // Once: the status changes again while Monaco loads.
        if started.get_value() {
            return;
        }
        started.set_value(true);
        let element: web_sys::HtmlElement = element.into();
        spawn_local(async move {
            match Editor::load().await {
                Ok(()) => {
                    let lang = language.get_untracked();
                    let created = Editor::create(
                        &element,
                        &text(lang).get_untracked(),
                        lang,
                        display.theme.get_untracked() == "dark",
                        move |value| text(language.get_untracked()).set(value),
                        move || compile(true),
                    );
                    editor.set_value(Some(created));
                    monaco.set(Monaco::Ready);
                    web::keep_offline(&[]);
                }
                Err(err) => monaco.set(Monaco::Unavailable(err)),
            }
        });
    });
    Effect::new(move || {
        let dark = display.theme.get() == "dark";
        if monaco.get() == Monaco::Ready {
            Editor::set_theme(dark);
        }
    });
    // "Open in editor" from the gallery.
    Effect::new(move || {
        if let Some(source) = request.get() {
            language.set(Language::Solidity);
            solidity.set(source.clone());
            editor.with_value(|e| {
                if let Some(e) = e {
                    e.set_language(Language::Solidity);
                    e.set_value(&source);
                }
            });
            request.set(None);
        }
    });
    let switch = move |ev: leptos::ev::Event| {
        let lang = if event_target_value(&ev) == "wat" {
            Language::Wat
        } else {
            Language::Solidity
        };
        language.set(lang);
        compiled.set(None);
        status.set(None);
        problems.set(Vec::new());
        editor.with_value(|e| {
            if let Some(e) = e {
                e.set_language(lang);
                e.set_value(&text(lang).get_untracked());
                e.set_problems(&[]);
            }
        });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            compile(true);
        }
    };
    // A problem's line, in Monaco or in the plain editor.
    let source_area = NodeRef::<leptos::html::Textarea>::new();
    let go_to = move |line: u32, column: u32| {
        if monaco.get_untracked() == Monaco::Ready {
            editor.with_value(|e| {
                if let Some(e) = e {
                    e.reveal(line, column);
                }
            });
        } else if let Some(area) = source_area.get_untracked() {
            let offset = isc_app::model::compile::offset_of(&area.value(), line, column);
            let _ = area.focus();
            let _ = area.set_selection_range(offset, offset);
        }
    };
    view! {
        <div class="row">
            <label class="inline">
                "Language"
                <select data-testid="editor-language" on:change=switch>
                    <option value="solidity" selected=move || language.get_untracked() != Language::Wat>"Solidity (solc-js, in the page)"</option>
                    <option value="wat" selected=move || language.get_untracked() == Language::Wat>"WebAssembly text (wat)"</option>
                </select>
            </label>
            <button class="primary" data-testid="compile" on:click=move |_| compile(false)>"Compile"</button>
            <span class="hint" data-testid="editor-kind">{move || match monaco.get() {
                Monaco::Loading => "plain editor (loading Monaco…)".to_owned(),
                Monaco::Ready => "Monaco".to_owned(),
                Monaco::Unavailable(why) => format!("plain editor ({why})"),
            }}</span>
        </div>
        <Show when=move || language.get() == Language::Solidity>
            <CompilerSettings choice/>
        </Show>
        <p class="hint" hidden=move || monaco.get() != Monaco::Ready>
            "Ctrl/Cmd+Enter compiles and deploys. In the editor Tab indents; Ctrl+M switches Tab to moving the focus."
        </p>
        <div class="monaco" node_ref=host data-testid="monaco" hidden=move || monaco.get() != Monaco::Ready></div>
        <label hidden=move || monaco.get() == Monaco::Ready>
            "Source (Ctrl/Cmd+Enter compiles and deploys)"
            <textarea
                node_ref=source_area
                class="code"
                rows="14"
                spellcheck="false"
                data-testid="editor-source"
                prop:value=move || text(language.get()).get()
                on:input=move |ev| text(language.get_untracked()).set(event_target_value(&ev))
                on:keydown=on_key
            ></textarea>
        </label>
        {move || progress.get().map(|done| view! {
            <label class="progress">
                "Loading and running the Solidity compiler"
                <progress data-testid="compile-progress" max="1" value=done.to_string()></progress>
            </label>
        })}
        {move || status.get().map(|status| match status {
            Ok(text) => view! { <p class="ok" role="status" data-testid="compile-status">{text}</p> }.into_any(),
            Err(text) => view! { <p class="error" role="alert" data-testid="compile-status">{text}</p> }.into_any(),
        })}
        <Show when=move || !problems.get().is_empty()>
            <ul class="problems" data-testid="problems" aria-label="problems">
                {move || problems.get().into_iter().map(|p| {
                    let (line, column) = (p.line, p.column);
                    let go = move |_| go_to(line, column);
                    view! {
                        <li class=if p.error { "problem error-line" } else { "problem warning-line" } data-testid="problem">
                            <button class="link" data-testid="problem-go" on:click=go
                                title="Show this line in the editor">
                                <b>{if p.error { "error" } else { "warning" }}</b>
                                {format!(" {line}:{column} ")}
                            </button>
                            <code>{p.message.lines().next().unwrap_or_default().to_owned()}</code>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
        {move || outputs.get().into_iter().map(|output| view! { <BuildOutputView output/> }).collect_view()}
        {move || compiled.get().and_then(Result::ok).map(|programs| programs
            .into_iter()
            .map(|program| view! { <DeployForm program/> })
            .collect_view())}
    }
}

/// The Solidity compiler's settings: version (or the pragma's pick),
/// optimizer and runs, EVM version.
#[component]
fn CompilerSettings(choice: RwSignal<Choice>) -> impl IntoView {
    let set_version = move |ev: leptos::ev::Event| {
        let version = event_target_value(&ev).parse::<Version>().ok();
        choice.update(|c| c.version = version);
    };
    let set_optimizer = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        choice.update(|c| c.settings.optimizer = on.then_some(solc::DEFAULT_RUNS));
    };
    let set_runs = move |ev: leptos::ev::Event| {
        if let Ok(runs) = event_target_value(&ev).trim().parse::<u32>() {
            choice.update(|c| c.settings.optimizer = Some(runs));
        }
    };
    let set_evm = move |ev: leptos::ev::Event| {
        let evm = event_target_value(&ev).parse::<EvmVersion>().ok();
        choice.update(|c| c.settings.evm = evm);
    };
    // The EVM versions the chosen compiler knows (all, for the pragma's pick).
    let known = move |evm: EvmVersion| {
        choice
            .get()
            .version
            .is_none_or(|version| evm.since() <= version)
    };
    view! {
        <div class="row compiler-settings">
            <label class="inline">
                "Compiler"
                <select data-testid="solc-version" on:change=set_version>
                    <option value="auto" selected=move || choice.get_untracked().version.is_none()>
                        "solc: newest that fits the pragma"
                    </option>
                    {solc::BUNDLED.into_iter().map(|version| view! {
                        <option value=version.to_string()
                            selected=move || choice.get_untracked().version == Some(version)>
                            {format!("solc {version}")}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label class="tick">
                <input type="checkbox" data-testid="optimizer"
                    prop:checked=move || choice.get().settings.optimizer.is_some()
                    on:change=set_optimizer/>
                "Optimizer"
            </label>
            <label class="inline" hidden=move || choice.get().settings.optimizer.is_none()>
                "runs"
                <input type="number" min="1" max="4294967295" class="runs" data-testid="optimizer-runs"
                    prop:value=move || choice.get().settings.optimizer.unwrap_or(solc::DEFAULT_RUNS).to_string()
                    on:change=set_runs/>
            </label>
            <label class="inline">
                "EVM version"
                <select data-testid="evm-version" on:change=set_evm>
                    <option value="newest" selected=move || choice.get_untracked().settings.evm.is_none()>
                        "newest the compiler knows"
                    </option>
                    {move || EvmVersion::ALL.into_iter().rev().filter(|evm| known(*evm)).map(|evm| view! {
                        <option value=evm.as_str()
                            selected=move || choice.get_untracked().settings.evm == Some(evm)>
                            {evm.as_str()}
                        </option>
                    }).collect_view()}
                </select>
            </label>
        </div>
    }
}

/// What solc built for one contract, to read, copy and download: ABI,
/// bytecode, deployed bytecode, method identifiers, storage layout, and a
/// Hardhat/Foundry-shaped artifact.
#[component]
fn BuildOutputView(output: BuildOutput) -> impl IntoView {
    let note = RwSignal::new(None::<Result<String, String>>);
    let copy = move |what: &'static str, text: String| {
        move |_| {
            let text = text.clone();
            spawn_local(async move {
                note.set(Some(
                    web::copy_text(&text)
                        .await
                        .map(|()| format!("The {what} is on the clipboard.")),
                ));
            });
        }
    };
    let abi = output.abi_text();
    let file = format!("{}.json", output.name);
    let artifact = output.artifact();
    let download = move |_| {
        note.set(Some(
            web::download(&file, &artifact).map(|()| format!("Downloaded {file}.")),
        ));
    };
    let name = output.name.clone();
    view! {
        <details class="build-output" data-testid="build-output">
            <summary>{format!("Build output of {name}: ABI, bytecode, method identifiers, storage layout")}</summary>
            <div class="row">
                <button data-testid="copy-abi" on:click=copy("ABI", abi.clone())>"Copy ABI"</button>
                <button data-testid="copy-bytecode" on:click=copy("bytecode", output.bytecode.clone())>"Copy bytecode"</button>
                <button data-testid="copy-deployed" on:click=copy("deployed bytecode", output.deployed_bytecode.clone())>
                    "Copy deployed bytecode"
                </button>
                <button data-testid="download-artifact" on:click=download
                    title="A Hardhat artifact (hh-sol-artifact-1), which Foundry and ethers read too">
                    "Download artifact"
                </button>
            </div>
            {move || note.get().map(|note| match note {
                Ok(text) => view! { <p class="ok" role="status" data-testid="message">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert" data-testid="message">{text}</p> }.into_any(),
            })}
            <h4>"Method identifiers"</h4>
            <table class="balances" data-testid="method-identifiers">
                <thead><tr><th>"selector"</th><th>"function"</th></tr></thead>
                <tbody>
                    {output.method_identifiers.into_iter().map(|(signature, selector)| view! {
                        <tr><td><code>{format!("0x{selector}")}</code></td><td><code>{signature}</code></td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h4>"Storage layout"</h4>
            <table class="balances" data-testid="storage-layout">
                <thead><tr><th>"slot"</th><th>"offset"</th><th>"variable"</th><th>"type"</th></tr></thead>
                <tbody>
                    {output.storage.into_iter().map(|slot| view! {
                        <tr>
                            <td>{slot.slot}</td>
                            <td>{slot.offset}</td>
                            <td><code>{slot.label}</code></td>
                            <td><code>{slot.ty}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h4>"ABI"</h4>
            <pre class="source" data-testid="abi">{abi}</pre>
            <h4>"Bytecode"</h4>
            <pre class="source wrap" data-testid="bytecode">{output.bytecode}</pre>
            <h4>"Deployed bytecode"</h4>
            <pre class="source wrap" data-testid="deployed-bytecode">{output.deployed_bytecode}</pre>
        </details>
    }
}

/// The OpenZeppelin Contracts sources the site ships (npm, pinned; built
/// into one JSON file by `cargo xtask setup`), fetched on a first import.
const OPENZEPPELIN: &str = "libraries/openzeppelin-contracts.json";
/// The import prefix those sources answer.
const OPENZEPPELIN_PREFIX: &str = "@openzeppelin/contracts/";

/// Which compiler builds the editor's Solidity, as the person set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Choice {
    /// A bundled version, or `None` for the newest that fits the pragmas.
    pub(crate) version: Option<Version>,
    /// Optimizer and EVM version.
    pub(crate) settings: Settings,
}

/// A compile's outcome and the compiler that ran.
pub(crate) struct Built {
    /// Programs and problems.
    pub(crate) compiled: Compiled,
    /// The version that compiled.
    pub(crate) version: Version,
}

/// solc-js for the whole page (the editor compiles with it; share links
/// rebuild Solidity sources with it): one worker per version, each
/// started on first use, `ISC.sol` and the OpenZeppelin sources fetched
/// once, load progress for the editor's progress bar.
#[derive(Clone, Copy)]
pub(crate) struct SolidityCompiler {
    workers: StoredValue<BTreeMap<Version, Solc>, LocalStorage>,
    isc_sol: StoredValue<Option<String>, LocalStorage>,
    library: StoredValue<Option<Rc<BTreeMap<String, String>>>, LocalStorage>,
    /// The compiler's load progress while a compile waits for it.
    pub(crate) progress: RwSignal<Option<f64>>,
}

impl SolidityCompiler {
    /// A handle; each compiler loads with its first compile.
    pub(crate) fn new() -> Self {
        Self {
            workers: StoredValue::new_local(BTreeMap::new()),
            isc_sol: StoredValue::new_local(None),
            library: StoredValue::new_local(None),
            progress: RwSignal::new(None),
        }
    }

    fn worker(self, version: Version) -> Solc {
        if let Some(solc) = self.workers.with_value(|w| w.get(&version).cloned()) {
            return solc;
        }
        let progress = self.progress;
        let solc = Solc::new(version, move |done| progress.set(Some(done)));
        self.workers
            .update_value(|w| drop(w.insert(version, solc.clone())));
        solc
    }

    async fn isc_sol(self) -> Result<String, String> {
        if let Some(isc) = self.isc_sol.get_value() {
            return Ok(isc);
        }
        let isc = web::fetch_text(&format!("examples/solidity/{ISC_SOL}")).await?;
        self.isc_sol.set_value(Some(isc.clone()));
        Ok(isc)
    }

    async fn library(self) -> Result<Rc<BTreeMap<String, String>>, String> {
        if let Some(library) = self.library.get_value() {
            return Ok(library);
        }
        let text = web::fetch_text(OPENZEPPELIN).await?;
        let library: BTreeMap<String, String> = serde_json::from_str(&text)
            .map_err(|err| format!("{OPENZEPPELIN} is not a source bundle: {err}"))?;
        let library = Rc::new(library);
        self.library.set_value(Some(library.clone()));
        web::keep_offline(&[OPENZEPPELIN]);
        Ok(library)
    }

    /// Compiles `source` as the editor's file, with `ISC.sol` beside it and
    /// what it imports from OpenZeppelin Contracts, by `choice`; the
    /// programs keep `source` and the compiler's record as their source.
    ///
    /// # Errors
    /// A message if no bundled compiler fits the pragmas, or a file or the
    /// compiler cannot be loaded, or the output cannot be read.
    pub(crate) async fn compile(self, source: String, choice: Choice) -> Result<Built, String> {
        let mut roots = BTreeMap::from([(SOLIDITY_FILE.to_owned(), source.clone())]);
        let imports = solc::imports(&source);
        if imports
            .iter()
            .any(|i| solc::resolve(i, SOLIDITY_FILE) == ISC_SOL)
        {
            roots.insert(ISC_SOL.to_owned(), self.isc_sol().await?);
        }
        let library = if imports.iter().any(|i| i.starts_with(OPENZEPPELIN_PREFIX)) {
            Some(self.library().await?)
        } else {
            None
        };
        let units = solc::gather(&roots, |name| library.as_ref()?.get(name).cloned());
        let version = match choice.version {
            Some(version) => version,
            None => solc::pick(units.values().map(String::as_str))?,
        };
        let input = solidity_input(SOLIDITY_FILE, &units, version, choice.settings);
        self.progress.set(Some(0.0));
        let (send, receive) = futures_channel::oneshot::channel();
        self.worker(version).compile(input, move |output| {
            let _ = send.send(output);
        });
        let output = receive
            .await
            .unwrap_or_else(|_| Err("the Solidity compiler stopped".into()));
        self.progress.set(None);
        let (output, long_version) = output?;
        // The compiler's worker fetched it: keep it offline.
        web::keep_offline(&[&soljson_path(version)]);
        let record = Build {
            long_version,
            settings: choice.settings,
        }
        .record();
        let compiled = solidity_output(&output, SOLIDITY_FILE, &source, &record)?;
        Ok(Built { compiled, version })
    }

    /// Builds `source` again as the program it was built as: the compiler
    /// and settings its `record` names (a share link's source).
    ///
    /// # Errors
    /// As [`Self::compile`], and if the record names a compiler this page
    /// does not ship.
    pub(crate) async fn rebuild(self, source: String, record: &str) -> Result<Compiled, String> {
        let build = Build::parse(record)?;
        let version = build.version()?;
        if !solc::BUNDLED.contains(&version) {
            return Err(format!(
                "it was built with solc {version}, which this page does not ship"
            ));
        }
        let choice = Choice {
            version: Some(version),
            settings: build.settings,
        };
        Ok(self.compile(source, choice).await?.compiled)
    }
}
