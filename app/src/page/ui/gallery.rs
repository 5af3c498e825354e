//! The examples gallery: each bundled example's paragraph, its source on
//! demand, its deploy form.

use super::deploy::DeployForm;
use isc_app::model::catalog::{self, EXAMPLES, Example};
use isc_app::model::contract::Deployable;
use isc_app::page::editor::{Editor, Language};
use isc_app::page::web;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The bundled examples: pick one to read it and deploy it.
#[component]
pub(crate) fn Gallery() -> impl IntoView {
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
                                <span class="lang" data-testid="language">{example.language()}</span>
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
pub(crate) fn ExampleDetails(
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
                let language = match language {
                    "rust" => Language::Rust,
                    "typescript" => Language::TypeScript,
                    _ => Language::Solidity,
                };
                highlighted.set(Editor::colorize(&text, language).await.ok());
            }
        });
    };
    let super::editor::EditorRequest(request) = expect_context::<super::editor::EditorRequest>();
    let open_in_editor = move |_| {
        spawn_local(async move {
            let (file, _) = example.source_file();
            let language = if example.kind == catalog::Kind::TypeScript {
                Language::TypeScript
            } else {
                Language::Solidity
            };
            match web::fetch_text(&file).await {
                Ok(text) => request.set(Some((language, text))),
                Err(err) => source.set(Some(Err(err))),
            }
        });
    };
    // Sources the page compiles can be opened in the editor.
    let editable = matches!(
        example.kind,
        catalog::Kind::Solidity | catalog::Kind::TypeScript
    );
    view! {
        <p class="description">{example.description}</p>
        <div class="row">
            <button class="link" data-testid="show-source" on:click=show_source>
                {move || if source.get().is_some() { "Hide source" } else { "Show source" }}
            </button>
            {editable.then(|| view! {
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
