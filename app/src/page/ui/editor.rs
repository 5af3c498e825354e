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
    Compiled, ISC_SOL, Problem, compiler_name, solidity_input, solidity_output, wat_problem,
};
use isc_app::model::contract::{Deployable, abi_of_program};
use isc_app::page::editor::{Editor, Language};
use isc_app::page::solc::{SOLJSON, Solc};
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use isc_engine::Dict;
use isc_engine::session::Source;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let status = RwSignal::new(None::<Result<String, String>>);
    let solidity_compiler = expect_context::<SolidityCompiler>();
    let progress = solidity_compiler.progress;
    let monaco = RwSignal::new(Monaco::Loading);
    let editor = StoredValue::new_local(None::<Editor>);
    let host = NodeRef::<leptos::html::Div>::new();
    let started = StoredValue::new(false);

    let show =
        move |found: Vec<Problem>, result: Result<Vec<Deployable>, String>, deploy_now: bool| {
            editor.with_value(|e| {
                if let Some(e) = e {
                    e.set_problems(&found);
                }
            });
            problems.set(found);
            status.set(Some(match &result {
                Ok(programs) => Ok(format!(
                    "compiled: {}",
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
                            show(Vec::new(), program, deploy_now);
                        }
                        Reply::Failed { message } => {
                            show(vec![wat_problem(&message)], Err(message), false);
                        }
                        other => show(
                            Vec::new(),
                            Err(format!("unexpected reply {other:?}")),
                            false,
                        ),
                    },
                );
            }
            Language::Solidity => spawn_local(async move {
                match solidity_compiler.compile(source).await {
                    Ok(done) => {
                        let result = if done.problems.iter().any(|p| p.error) {
                            Err("the compiler found errors: see the problems below".into())
                        } else {
                            Ok(done.programs)
                        };
                        show(done.problems, result, deploy_now);
                    }
                    Err(err) => show(Vec::new(), Err(err), false),
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
        {move || compiled.get().and_then(Result::ok).map(|programs| programs
            .into_iter()
            .map(|program| view! { <DeployForm program/> })
            .collect_view())}
    }
}

/// solc-js for the whole page (the editor compiles with it; share links
/// rebuild Solidity sources with it): one worker, `ISC.sol` fetched once,
/// load progress for the editor's progress bar.
#[derive(Clone, Copy)]
pub(crate) struct SolidityCompiler {
    solc: StoredValue<Solc, LocalStorage>,
    isc_sol: StoredValue<Option<String>, LocalStorage>,
    /// The compiler's load progress while a compile waits for it.
    pub(crate) progress: RwSignal<Option<f64>>,
}

impl SolidityCompiler {
    /// A handle; the compiler loads with the first compile.
    pub(crate) fn new() -> Self {
        let progress = RwSignal::new(None::<f64>);
        Self {
            solc: StoredValue::new_local(Solc::new(move |done| progress.set(Some(done)))),
            isc_sol: StoredValue::new_local(None),
            progress,
        }
    }

    /// Compiles `source` as the editor's file, with `ISC.sol` beside it
    /// and the examples' settings; the programs keep `source` and the
    /// compiler's name as their source.
    ///
    /// # Errors
    /// A message if `ISC.sol` or the compiler cannot be loaded, or the
    /// output cannot be read.
    pub(crate) async fn compile(self, source: String) -> Result<Compiled, String> {
        let isc = match self.isc_sol.get_value() {
            Some(isc) => isc,
            None => {
                let isc = web::fetch_text(&format!("examples/solidity/{ISC_SOL}")).await?;
                self.isc_sol.set_value(Some(isc.clone()));
                isc
            }
        };
        let input = solidity_input(SOLIDITY_FILE, &source, &isc);
        self.progress.set(Some(0.0));
        let (send, receive) = futures_channel::oneshot::channel();
        self.solc.with_value(|solc| {
            solc.compile(input, move |output| {
                let _ = send.send(output);
            });
        });
        let output = receive
            .await
            .unwrap_or_else(|_| Err("the Solidity compiler stopped".into()));
        self.progress.set(None);
        let (output, version) = output?;
        // The compiler's worker fetched it: keep it offline.
        web::keep_offline(&[SOLJSON]);
        solidity_output(&output, SOLIDITY_FILE, &source, &compiler_name(&version))
    }
}
