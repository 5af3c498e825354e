//! Uploads by file picker or drop: WasmLib modules with their schema, Solidity
//! artifacts, bytecode with its ABI.

use super::Shared;
use super::deploy::DeployForm;
use isc_app::model::contract::Deployable;
use isc_app::page::web;
use isc_app::protocol::{Command, Reply};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Upload a `.wasm` (with its schema) or Solidity artifacts, by picker or
/// by dropping files.
#[component]
pub(crate) fn Upload() -> impl IntoView {
    let shared = expect_context::<super::Shared>();
    let found = RwSignal::new(None::<Result<Vec<Deployable>, String>>);
    let over = RwSignal::new(false);
    let take = move |files: Option<web_sys::FileList>| {
        let Some(files) = files else {
            return;
        };
        spawn_local(async move {
            let read = web::read_files(&files).await;
            let programs = read.and_then(|files| Deployable::from_files(&files));
            if let Ok(programs) = &programs {
                super::deploy::note_known_programs(shared, programs);
            }
            found.set(Some(programs));
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
                            <Language program=program.clone()/>
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

/// The language an uploaded program says it is written in (a Wasm
/// module's WasmLib tag or producers section), as its VM loads it.
#[component]
fn Language(
    /// The program.
    program: Deployable,
) -> impl IntoView {
    let language = RwSignal::new(None::<String>);
    if program.vm == isc_engine::VmType::WASM {
        let shared = expect_context::<Shared>();
        let command = Command::Inspect {
            vm: program.vm.clone(),
            binary: program.binary.clone(),
        };
        shared.send("reading the module", command, move |reply| {
            if let Reply::Inspected {
                language: Some(found),
            } = reply
            {
                language.set(Some(found));
            }
        });
    }
    move || {
        language
            .get()
            .map(|language| view! { <span class="lang" data-testid="uploaded-language">{language}</span> })
    }
}
