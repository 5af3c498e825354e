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
    BuildOutput, Compiled, ISC_SOL, Problem, TYPESCRIPT_ENTRY, solidity_input, solidity_output,
    typescript_compiler, typescript_name, typescript_schema, wat_problem,
};
use isc_app::model::contract::{Deployable, abi_of_program};
use isc_app::model::project::Project;
use isc_app::model::solc::{self, Build, EvmVersion, Settings, Version, soljson_path};
use isc_app::page::asc::{self, Asc};
use isc_app::page::editor::{Editor, Language};
use isc_app::page::solc::Solc;
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use isc_engine::Dict;
use isc_engine::session::DEFAULT_SOURCE_PATH;
use isc_engine::session::Source;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Asks the editor to show a source in its language (the gallery's "Open
/// in editor": Solidity or TypeScript).
#[derive(Clone, Copy)]
pub(crate) struct EditorRequest(pub(crate) RwSignal<Option<(Language, String)>>);

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

/// The TypeScript draft to start from: the counter example, as
/// `contracts/ts/` holds it (it imports WasmLib as `"./wasmlib"`, which
/// the page's compiler has beside it).
const TYPESCRIPT_TEMPLATE: &str = include_str!("../../../../contracts/ts/tscounter.ts");

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
        Some(drafts) if drafts.typescript_shown => Language::TypeScript,
        Some(drafts) if drafts.wat_shown => Language::Wat,
        _ => Language::Solidity,
    });
    // The Solidity project; `solidity` is the text of its active file.
    let project = RwSignal::new(drafts.as_ref().map_or_else(
        || Project::single(SOLIDITY_TEMPLATE.to_owned()),
        Drafts::project,
    ));
    let solidity = RwSignal::new(project.with_untracked(|p| p.active().text.clone()));
    let wat = RwSignal::new(
        drafts
            .as_ref()
            .map_or_else(|| WAT_TEMPLATE.to_owned(), |d| d.wat.clone()),
    );
    let typescript = RwSignal::new(
        drafts
            .as_ref()
            .map(|d| d.typescript.clone())
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| TYPESCRIPT_TEMPLATE.to_owned()),
    );
    Effect::new(move || {
        let text = solidity.get();
        let (files, active) = project.with(|p| {
            let single = p.files().len() == 1 && p.active().path == DEFAULT_SOURCE_PATH;
            let files = if single {
                Vec::new()
            } else {
                p.files().to_vec()
            };
            (files, p.active_index())
        });
        let drafts = Drafts {
            wat_shown: language.get() == Language::Wat,
            typescript_shown: language.get() == Language::TypeScript,
            typescript: typescript.get(),
            solidity: text,
            wat: wat.get(),
            files,
            active,
        };
        web::save(autosave::DRAFTS_KEY, &drafts.to_text());
    });
    let text = move |lang: Language| match lang {
        Language::Wat => wat,
        Language::TypeScript => typescript,
        Language::Solidity | Language::Rust => solidity,
    };
    // What the person typed: the draft, and the project's file shown.
    let edit = move |value: String| {
        let lang = language.get_untracked();
        if lang == Language::Solidity {
            project.update_untracked(|p| p.set_text(value.clone()));
        }
        text(lang).set(value);
    };
    let problems = RwSignal::new(Vec::<Problem>::new());
    let compiled = RwSignal::new(None::<Result<Vec<Deployable>, String>>);
    let outputs = RwSignal::new(Vec::<BuildOutput>::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let solidity_compiler = expect_context::<SolidityCompiler>();
    let typescript_compiler = expect_context::<TypeScriptCompiler>();
    let progress = solidity_compiler.progress;
    let choice = RwSignal::new(Choice::default());
    let monaco = RwSignal::new(Monaco::Loading);
    let editor = StoredValue::new_local(None::<Editor>);
    let host = NodeRef::<leptos::html::Div>::new();
    let started = StoredValue::new(false);

    // Monaco's markers: the problems of the file shown.
    let show_markers = move || {
        let path = project.with_untracked(|p| p.active().path.clone());
        let here: Vec<Problem> = problems.with_untracked(|all| {
            all.iter()
                .filter(|p| p.file.is_empty() || p.file == path)
                .cloned()
                .collect()
        });
        editor.with_value(|e| {
            if let Some(e) = e {
                e.set_problems(&here);
            }
        });
    };
    let show = move |found: Vec<Problem>,
                     result: Result<Vec<Deployable>, String>,
                     deploy_now: bool,
                     by: String| {
        problems.set(found);
        show_markers();
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
                                        ..Source::default()
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
            Language::TypeScript => spawn_local(async move {
                match typescript_compiler.build(&source).await {
                    Ok((problems, program, version)) => {
                        show(
                            problems,
                            program,
                            deploy_now,
                            format!(", by AssemblyScript {version}"),
                        );
                    }
                    Err(err) => show(Vec::new(), Err(err), false, String::new()),
                }
            }),
            Language::Solidity => spawn_local(async move {
                let choice = choice.get_untracked();
                project.update_untracked(|p| p.set_text(source));
                let (main, files) = project.with_untracked(|p| {
                    let files = p.files().iter().map(|f| (f.path.clone(), f.text.clone()));
                    (p.active().path.clone(), files.collect())
                });
                match solidity_compiler.compile(main, files, choice).await {
                    Ok(Built { compiled, version }) => {
                        // The debugger places steps of this code in these sources.
                        shared.debug_sources.update(|known| {
                            for debug in compiled.outputs.iter().filter_map(|o| o.debug.clone()) {
                                known.retain(|k| k.code_hash != debug.code_hash);
                                known.insert(0, debug);
                            }
                        });
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
                        edit,
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
        if let Some((lang, source)) = request.get() {
            language.set(lang);
            compiled.set(None);
            status.set(None);
            problems.set(Vec::new());
            if lang == Language::Solidity {
                project.update(|p| p.set_text(source.clone()));
            }
            text(lang).set(source.clone());
            editor.with_value(|e| {
                if let Some(e) = e {
                    e.set_language(lang);
                    e.set_value(&source);
                    e.set_problems(&[]);
                }
            });
            request.set(None);
        }
    });
    let switch = move |ev: leptos::ev::Event| {
        let lang = match event_target_value(&ev).as_str() {
            "wat" => Language::Wat,
            "typescript" => Language::TypeScript,
            _ => Language::Solidity,
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
    // Shows project file `index`: the text in the editor, its markers.
    let select_file = move |index: usize| {
        project.update(|p| p.select(index));
        let shown = project.with_untracked(|p| p.active().text.clone());
        solidity.set(shown.clone());
        editor.with_value(|e| {
            if let Some(e) = e {
                e.set_value(&shown);
            }
        });
        show_markers();
    };
    // The debugger's current line, marked in Monaco when it is in one of
    // the project's files (that file shown).
    Effect::new(move |_| {
        let place = shared.debug_line.get();
        let ready = monaco.get() == Monaco::Ready;
        if !ready || language.get() != Language::Solidity {
            return;
        }
        let line = match place {
            Some((file, line)) => {
                match project.with_untracked(|p| p.files().iter().position(|f| f.path == file)) {
                    Some(index) => {
                        if index != project.with_untracked(Project::active_index) {
                            select_file(index);
                        }
                        line
                    }
                    None => 0,
                }
            }
            None => 0,
        };
        editor.with_value(|e| {
            if let Some(e) = e {
                e.highlight_line(line);
            }
        });
    });
    // A problem's line, in Monaco or in the plain editor (showing its
    // project file first).
    let source_area = NodeRef::<leptos::html::Textarea>::new();
    let go_to = move |file: String, line: u32, column: u32| {
        if let Some(index) =
            project.with_untracked(|p| p.files().iter().position(|f| f.path == file))
            && index != project.with_untracked(Project::active_index)
        {
            select_file(index);
        }
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
                <select data-testid="editor-language" on:change=switch prop:value=move || match language.get() {
                    Language::Wat => "wat",
                    Language::TypeScript => "typescript",
                    Language::Solidity | Language::Rust => "solidity",
                }>
                    <option value="solidity" selected=move || language.get_untracked() == Language::Solidity>"Solidity (solc-js, in the page)"</option>
                    <option value="typescript" selected=move || language.get_untracked() == Language::TypeScript>"TypeScript (WasmLib, AssemblyScript in the page)"</option>
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
            <ProjectFiles project select_file/>
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
                on:input=move |ev| edit(event_target_value(&ev))
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
                    let shown = project.with(|project| project.active().path.clone());
                    let place = if p.file.is_empty() || p.file == shown {
                        format!(" {line}:{column} ")
                    } else {
                        format!(" {}:{line}:{column} ", p.file)
                    };
                    let file = p.file.clone();
                    let go = move |_| go_to(file.clone(), line, column);
                    view! {
                        <li class=if p.error { "problem error-line" } else { "problem warning-line" } data-testid="problem">
                            <button class="link" data-testid="problem-go" on:click=go
                                title="Show this line in the editor">
                                <b>{if p.error { "error" } else { "warning" }}</b>
                                {place}
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

/// The project's files as tabs, with adding and removing: the shown one
/// is compiled, the others are there for its imports.
#[component]
fn ProjectFiles(
    project: RwSignal<Project>,
    select_file: impl Fn(usize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let add = move || {
        let path = name.get_untracked();
        let mut added = Ok(());
        project.update(|p| added = p.add(&path));
        match added {
            Ok(()) => {
                select_file(project.with_untracked(Project::active_index));
                name.set(String::new());
                message.set(None);
            }
            Err(err) => message.set(Some(err)),
        }
    };
    let remove = move |_| {
        let mut removed = Ok(());
        project.update(|p| removed = p.remove(p.active_index()));
        match removed {
            Ok(()) => {
                select_file(project.with_untracked(Project::active_index));
                message.set(None);
            }
            Err(err) => message.set(Some(err)),
        }
    };
    view! {
        <div class="row files" data-testid="project-files">
            <div class="row" role="tablist" aria-label="project files">
            {move || project.with(|p| p.files().iter().enumerate().map(|(index, file)| {
                let selected = index == p.active_index();
                view! {
                    <button role="tab" class="file-tab" aria-selected=selected.to_string()
                        data-testid=format!("file-{}", file.path)
                        on:click=move |_| select_file(index)>
                        {file.path.clone()}
                    </button>
                }
            }).collect_view())}
            </div>
            <button class="link" data-testid="remove-file" on:click=remove
                hidden=move || project.with(|p| p.files().len() < 2)
                title="Remove the file shown from the project">
                "Remove this file"
            </button>
            <label class="inline">
                "New file"
                <input data-testid="new-file-name" placeholder="lib/Math.sol" class="runs"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { add() }/>
            </label>
            <button data-testid="add-file" on:click=move |_| add()>"Add file"</button>
        </div>
        {move || message.get().map(|text| view! { <p class="error" role="alert" data-testid="file-message">{text}</p> })}
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

/// AssemblyScript for the whole page: the editor compiles TypeScript
/// WasmLib contracts with it (its worker starts on the first compile).
#[derive(Clone, Copy)]
pub(crate) struct TypeScriptCompiler {
    asc: StoredValue<Asc, LocalStorage>,
}

impl TypeScriptCompiler {
    pub(crate) fn new() -> Self {
        Self {
            asc: StoredValue::new_local(Asc::default()),
        }
    }

    /// Compiles `text` as the editor's contract: the compiler's problems,
    /// the program (with its source, and its schema when the source
    /// declares one) or why there is none, and the compiler's version.
    ///
    /// # Errors
    /// A message if the compiler cannot be loaded or run.
    pub(crate) async fn build(
        self,
        text: &str,
    ) -> Result<(Vec<Problem>, Result<Vec<Deployable>, String>, String), String> {
        let asc = self.asc.get_value();
        let built = asc.compile(TYPESCRIPT_ENTRY, text).await?;
        web::keep_offline(&asc::FILES);
        let version = built.version.clone();
        let program = match built.binary {
            Some(binary) => {
                Deployable::wasm(&typescript_name(text), binary, typescript_schema(text)).map(
                    |mut program| {
                        program.sources.push(Source {
                            name: String::new(),
                            language: "typescript".into(),
                            text: text.to_owned(),
                            compiler: Some(typescript_compiler(&version)),
                            path: Some(TYPESCRIPT_ENTRY.to_owned()),
                            ..Source::default()
                        });
                        vec![program]
                    },
                )
            }
            None => Err(format!(
                "AssemblyScript {version} found errors: see the problems below"
            )),
        };
        // The editor's own file is the one shown: its problems get markers
        // (those in WasmLib's files keep their file's name).
        let problems = built
            .problems
            .into_iter()
            .map(|mut problem| {
                if problem.file == TYPESCRIPT_ENTRY {
                    problem.file.clear();
                }
                problem
            })
            .collect();
        Ok((problems, program, version))
    }

    /// Builds a TypeScript source again (a share link's): its module, if
    /// this page's AssemblyScript is the one its record names.
    ///
    /// # Errors
    /// A message if the source names no compiler or another version, or
    /// does not compile.
    pub(crate) async fn rebuild(self, source: &Source) -> Result<Vec<u8>, String> {
        let record = source
            .compiler
            .as_deref()
            .ok_or("the source names no compiler")?;
        let asc = self.asc.get_value();
        let entry = source.path.as_deref().unwrap_or(TYPESCRIPT_ENTRY);
        let built = asc.compile(entry, &source.text).await?;
        web::keep_offline(&asc::FILES);
        let here = typescript_compiler(&built.version);
        if here != record {
            return Err(format!(
                "its TypeScript was compiled by {record}, and this page has {here}"
            ));
        }
        built
            .binary
            .ok_or_else(|| "its TypeScript source does not compile".to_owned())
    }
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

    /// Compiles project file `main` (among `files`, the project's files
    /// by path), with `ISC.sol` and what the files import from
    /// OpenZeppelin Contracts at hand, by `choice`; the programs keep their
    /// source: `main`'s text, the project files it needed, the compiler's
    /// record.
    ///
    /// # Errors
    /// A message if no bundled compiler fits the pragmas, or a file or the
    /// compiler cannot be loaded, or the output cannot be read.
    pub(crate) async fn compile(
        self,
        main: String,
        files: BTreeMap<String, String>,
        choice: Choice,
    ) -> Result<Built, String> {
        let imported: Vec<(String, String)> = files
            .iter()
            .flat_map(|(path, text)| solc::imports(text).into_iter().map(|i| (i, path.clone())))
            .collect();
        let isc = if imported
            .iter()
            .any(|(i, from)| solc::resolve(i, from) == ISC_SOL)
        {
            Some(self.isc_sol().await?)
        } else {
            None
        };
        let library = if imported
            .iter()
            .any(|(i, _)| i.starts_with(OPENZEPPELIN_PREFIX))
        {
            Some(self.library().await?)
        } else {
            None
        };
        let Some(text) = files.get(&main).cloned() else {
            return Err(format!("{main} is not in the project"));
        };
        let roots = BTreeMap::from([(main.clone(), text.clone())]);
        let units = solc::gather(&roots, |name| {
            files
                .get(name)
                .or_else(|| isc.as_ref().filter(|_| name == ISC_SOL))
                .cloned()
                .or_else(|| library.as_ref()?.get(name).cloned())
        });
        let version = match choice.version {
            Some(version) => version,
            None => solc::pick(units.values().map(String::as_str))?,
        };
        let input = solidity_input(&main, &units, version, choice.settings);
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
        let source = Source {
            name: String::new(),
            language: "solidity".into(),
            text,
            compiler: Some(record),
            path: (main != DEFAULT_SOURCE_PATH).then(|| main.clone()),
            // The project's files it needed (not ISC.sol, not libraries).
            files: units
                .iter()
                .filter(|(name, _)| **name != main && files.contains_key(*name))
                .map(|(name, text)| (name.clone(), text.clone()))
                .collect(),
        };
        let compiled = solidity_output(&output, &main, &units, &source)?;
        Ok(Built { compiled, version })
    }

    /// Builds `source` again as the program it was built as: its files,
    /// and the compiler and settings its record names (a share link's
    /// source).
    ///
    /// # Errors
    /// As [`Self::compile`], and if the source names no compiler or one
    /// this page does not ship.
    pub(crate) async fn rebuild(self, source: &Source) -> Result<Compiled, String> {
        let record = source
            .compiler
            .as_deref()
            .ok_or("the source names no compiler")?;
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
        let main = source
            .path
            .clone()
            .unwrap_or_else(|| DEFAULT_SOURCE_PATH.to_owned());
        let mut files = source.files.clone();
        files.insert(main.clone(), source.text.clone());
        Ok(self.compile(main, files, choice).await?.compiled)
    }
}
