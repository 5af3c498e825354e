//! The session's lifecycle on the page: startup (a share link, a lesson
//! link, or the autosave), autosave after every change, share links,
//! export and import as a file, the bundled sessions, and restoring the
//! work a link replaced.

use super::banner::{Banner, Previous};
use super::editor::{SolidityCompiler, TypeScriptCompiler};
use super::workshop::{ActiveLesson, start_lesson};
use super::{Message, Note, Shared};
use isc_app::model::autosave::{self, Journal, Saved};
use isc_app::model::catalog;
use isc_app::model::lesson::Lesson;
use isc_app::model::words::count;
use isc_app::page::web;
use isc_app::protocol::{ChainView, Command, Reply};
use isc_engine::Hash;
use isc_engine::session::{Link, Origin, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Decides what the page opens with, then turns autosave on.
pub(crate) fn startup(shared: Shared, banner: Banner, lesson: ActiveLesson) {
    let previous = Previous(RwSignal::new(web::load(autosave::PREVIOUS_KEY)));
    provide_context(previous);
    let saving = RwSignal::new(false);
    // Every new view is saved, writing only what changed (the journal
    // learns from each update how much of the session it kept).
    let journal = Rc::new(RefCell::new(Journal::default()));
    let save = {
        let journal = Rc::clone(&journal);
        move |view: &ChainView, kept: Option<usize>| {
            let mut journal = journal.borrow_mut();
            journal.changed(kept);
            if saving.get_untracked() {
                // A full storage keeps the last good save; the page says
                // nothing (as before): the work is still in the page.
                let _ = journal.save(
                    &mut web::Local,
                    &view.session,
                    &view.state_hash,
                    view.block_index,
                );
            }
        }
    };
    let watcher = save.clone();
    shared.engine.with_value(|engine| engine.watch(watcher));
    // Turning autosave on saves the chain as it is.
    Effect::new(move || {
        if saving.get()
            && let Some(view) = shared.view.get_untracked()
        {
            save(&view, None);
        }
    });
    let page = Startup {
        shared,
        banner,
        lesson,
        saving,
        previous,
        compiler: expect_context::<SolidityCompiler>(),
        typescript: expect_context::<TypeScriptCompiler>(),
    };
    let fragment = window().location().hash().unwrap_or_default();
    // No link, or a bad one: the user's own work comes back.
    if open_fragment(page, &fragment) != Some(true) {
        restore(shared, banner, saving);
    }
    // A link opened while the page is already open (pasted into the
    // address bar, clicked in a lesson) is handled the same way.
    let on_hash = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let fragment = window().location().hash().unwrap_or_default();
        open_fragment(page, &fragment);
    });
    window().set_onhashchange(Some(wasm_bindgen::JsCast::unchecked_ref(on_hash.as_ref())));
    // The listener lives as long as the page.
    on_hash.forget();
}

/// What opening a link touches (all handles: cheap to copy into a
/// listener or a task, which have no reactive owner to ask).
#[derive(Clone, Copy)]
struct Startup {
    shared: Shared,
    banner: Banner,
    lesson: ActiveLesson,
    saving: RwSignal<bool>,
    previous: Previous,
    compiler: SolidityCompiler,
    typescript: TypeScriptCompiler,
}

/// Opens a share or lesson link in `fragment`: `None` if it holds none,
/// `Some(false)` for a bad one (the chain and the autosave stay as they are).
fn open_fragment(page: Startup, fragment: &str) -> Option<bool> {
    let Startup {
        shared,
        banner,
        lesson,
        saving,
        previous,
        compiler,
        typescript,
    } = page;
    if fragment.starts_with("#s=") {
        web::clear_fragment();
        match Link::decode(fragment) {
            Ok(link) => {
                spawn_local(async move {
                    match complete(link, banner, compiler, typescript).await {
                        Ok((session, state_hash)) => {
                            previous.keep();
                            open_link(shared, session, state_hash, banner, saving);
                        }
                        Err(err) => {
                            banner.set(Some(Err(format!(
                                "This share link could not be opened: {err}. Your own work is unchanged."
                            ))));
                            restore(shared, banner, saving);
                        }
                    }
                });
                Some(true)
            }
            Err(err) => {
                banner.set(Some(Err(format!(
                    "This share link could not be opened: {err}. Your own work is unchanged."
                ))));
                Some(false)
            }
        }
    } else if fragment.starts_with("#l=") {
        web::clear_fragment();
        match Lesson::from_link(fragment) {
            Ok(opened) => {
                previous.keep();
                saving.set(true);
                start_lesson(shared, lesson, opened, banner);
                Some(true)
            }
            Err(err) => {
                banner.set(Some(Err(format!(
                    "This lesson link could not be opened: {err}. Your own work is unchanged."
                ))));
                Some(false)
            }
        }
    } else {
        None
    }
}

/// What a link of `session` may leave out, by hash: every bundled
/// example's values, and the programs its Solidity and TypeScript sources
/// rebuild to with this page's compilers (only if the compiler is at
/// hand; else the programs travel in the link).
async fn known_values(
    session: &Session,
    compiler: SolidityCompiler,
    typescript: TypeScriptCompiler,
) -> BTreeMap<Hash, Origin> {
    let mut known = BTreeMap::new();
    for (n, source) in session.sources.iter().enumerate() {
        if source.compiler.is_none() {
            continue;
        }
        if source.language == "typescript" {
            if let Ok(binary) = typescript.rebuild(source).await {
                known.insert(Hash::blake2b(&binary), Origin::Source(n));
            }
            continue;
        }
        if source.language != "solidity" {
            continue;
        }
        if let Ok(built) = compiler.rebuild(source).await
            && built
                .programs
                .iter()
                .all(|p| p.sources.iter().any(|s| s.compiler == source.compiler))
        {
            for program in built.programs {
                known.insert(Hash::blake2b(&program.binary), Origin::Source(n));
            }
        }
    }
    // A bundled file wins: opening needs no compiler.
    for example in catalog::EXAMPLES {
        // An example that does not load is simply written into the link.
        if let Ok(files) = web::fetch_all(example.program_files()).await {
            for value in catalog::bundled_values(&files) {
                known.insert(
                    Hash::blake2b(&value),
                    Origin::Example(example.name.to_owned()),
                );
            }
        }
    }
    known
}

/// Puts back what `link` leaves out: from the bundled examples it names,
/// and by compiling the Solidity and TypeScript sources it names.
async fn complete(
    mut link: Link,
    banner: Banner,
    compiler: SolidityCompiler,
    typescript: TypeScriptCompiler,
) -> Result<(Session, String), String> {
    for origin in link.origins_needed() {
        let values = match origin {
            Origin::Example(name) => {
                let Some(example) = catalog::find(&name) else {
                    continue;
                };
                let files = web::fetch_all(example.program_files()).await?;
                catalog::bundled_values(&files)
            }
            Origin::Source(n) => {
                let Some(source) = link.session.sources.get(n).cloned() else {
                    continue;
                };
                if source.language == "typescript" {
                    banner.set(Some(Ok(
                        "Opening the shared session: compiling its TypeScript source (the compiler loads on first use)…"
                            .into(),
                    )));
                    let binary = typescript.rebuild(&source).await?;
                    link.supply([binary.as_slice()]);
                    continue;
                }
                banner.set(Some(Ok(
                    "Opening the shared session: compiling its Solidity source (the compiler loads on first use)…"
                        .into(),
                )));
                let built = compiler.rebuild(&source).await?;
                built
                    .programs
                    .into_iter()
                    .filter(|p| p.sources.iter().any(|s| s.compiler == source.compiler))
                    .map(|p| p.binary)
                    .collect()
            }
        };
        link.supply(values.iter().map(Vec::as_slice));
    }
    link.complete().map_err(|err| err.to_string())
}

fn open_link(
    shared: Shared,
    session: Session,
    expected: String,
    banner: Banner,
    saving: RwSignal<bool>,
) {
    let blocks = session.blocks();
    shared.send(
        "opening the shared session",
        Command::Open {
            session: session.to_json(),
        },
        move |reply| {
            saving.set(true);
            banner.set(Some(match reply {
                Reply::Chain { view, .. } => {
                    shared.selected.set(view.contracts.first().map(|c| c.name.clone()));
                    if view.state_hash == expected {
                        Ok(format!(
                            "Opened a shared session: {} replayed. The state hash matches the link's.",
                            count(blocks as u64, "block")
                        ))
                    } else {
                        Err(format!(
                            "Opened a shared session: {} replayed. STATE HASH MISMATCH: the link recorded {expected}, this replay gives {}.",
                            count(blocks as u64, "block"),
                            view.state_hash
                        ))
                    }
                }
                Reply::Failed { message } => Err(format!(
                    "This share link could not be opened: {message}. Your own work is unchanged."
                )),
                other => Err(format!("unexpected reply {other:?}")),
            }));
        },
    );
}

/// Reopens the autosaved session (migrating an older form), if any.
fn restore(shared: Shared, banner: Banner, saving: RwSignal<bool>) {
    let saved = match autosave::read(&web::Local) {
        Ok(Some(saved)) => saved,
        Ok(None) => {
            saving.set(true);
            return;
        }
        Err((text, err)) => {
            web::save(autosave::UNREADABLE_KEY, &text);
            banner.set(Some(Err(format!(
                "Your autosaved session could not be read ({err}); it is kept aside, and you start on a fresh chain."
            ))));
            saving.set(true);
            return;
        }
    };
    shared.send(
        "restoring your session",
        Command::Open {
            session: saved.session.clone(),
        },
        move |reply| {
            match reply {
                Reply::Chain { view, .. } => {
                    shared.selected.set(view.contracts.first().map(|c| c.name.clone()));
                    // A message already shown (a bad link's) stays until
                    // dismissed: it matters more than this one.
                    if view.block_index > 0 && banner.get_untracked().is_none() {
                        banner.set(Some(Ok(format!(
                            "Restored your autosaved session: {}.",
                            count(view.block_index, "block")
                        ))));
                    }
                }
                Reply::Failed { message } => {
                    web::save(autosave::UNREADABLE_KEY, &saved.to_text());
                    banner.set(Some(Err(format!(
                        "Your autosaved session did not replay ({message}); it is kept aside, and you start on a fresh chain."
                    ))));
                }
                _ => {}
            }
            saving.set(true);
        },
    );
}

/// Opens a session (JSON) as the chain; `what` names it in messages.
fn open_session(shared: Shared, session: String, what: String, note: Note) {
    shared.send(
        &format!("opening {what}"),
        Command::Open { session },
        move |reply| {
            note.set(Some(match reply {
                Reply::Chain { view, .. } => {
                    shared.past.set(None);
                    shared
                        .selected
                        .set(view.contracts.first().map(|c| c.name.clone()));
                    Ok(format!(
                        "Opened {what}: {}, state hash {}",
                        count(view.block_index, "block"),
                        view.state_hash
                    ))
                }
                Reply::Failed { message } => Err(format!("{what} could not be opened: {message}")),
                other => Err(format!("unexpected reply {other:?}")),
            }));
        },
    );
}

/// A share link longer than this is better sent as a file.
const LONG_LINK: usize = 8_000;

/// Share link, export/import, bundled sessions, restoring earlier work.
#[component]
pub(crate) fn SessionBox() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let compiler = expect_context::<SolidityCompiler>();
    let typescript = expect_context::<TypeScriptCompiler>();
    let link = RwSignal::new(None::<String>);
    let note: Note = RwSignal::new(None);
    // A link shown is for the chain it was made from.
    Effect::new(move || {
        shared.view.track();
        link.set(None);
    });
    let share = move |_| {
        link.set(None);
        let Some(view) = shared.view.get_untracked() else {
            return;
        };
        let session = Session::clone(&view.session);
        spawn_local(async move {
            let mut shared_link = Link::new(session, view.state_hash);
            // Programs and schemas of bundled examples stay out: the page
            // that opens the link has the same files.
            note.set(Some(Ok("Making the link…".into())));
            let known = known_values(&shared_link.session, compiler, typescript).await;
            shared_link.leave_out(&known);
            note.set(None);
            let fragment = shared_link.encode();
            // The address bar stays as it is: opening a link is a one-time
            // import, and a reload must bring back the newest work (the
            // autosave), not the shared state.
            link.set(web::page_url().map(|page| format!("{page}#{fragment}")));
        });
    };
    let export = move |_| {
        let Some(view) = shared.view.get_untracked() else {
            return;
        };
        note.set(Some(
            web::download("isc-session.json", &view.session.to_json()).map(|()| {
                format!(
                    "Exported {} as isc-session.json",
                    count(view.block_index, "block")
                )
            }),
        ));
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else {
            return;
        };
        spawn_local(async move {
            match web::read_files(&files).await {
                Ok(files) => {
                    for (name, bytes) in files {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        open_session(shared, text, name, note);
                    }
                }
                Err(err) => note.set(Some(Err(err))),
            }
        });
    };
    let bundled = RwSignal::new(Vec::<(String, String)>::new());
    spawn_local(async move {
        bundled.set(
            web::fetch_index("sessions/index.json", |e| {
                Some((
                    e["file"].as_str()?.to_owned(),
                    e["title"].as_str()?.to_owned(),
                ))
            })
            .await,
        );
    });
    let chosen = RwSignal::new(String::new());
    let open_bundled = move |_| {
        let file = chosen.get_untracked();
        if file.is_empty() {
            return;
        }
        spawn_local(async move {
            match web::fetch_text(&file).await {
                Ok(text) => open_session(shared, text, file, note),
                Err(err) => note.set(Some(Err(err))),
            }
        });
    };
    let Previous(previous) = expect_context::<Previous>();
    let restore_previous = move |_| {
        let Some(saved) = previous
            .get_untracked()
            .and_then(|text| Saved::from_text(&text).ok())
        else {
            return;
        };
        open_session(shared, saved.session, "your previous work".into(), note);
        web::remove(autosave::PREVIOUS_KEY);
        previous.set(None);
    };
    view! {
        <div class="share">
            <div class="row">
                <button data-testid="share" on:click=share>"Share this session"</button>
                <button data-testid="export" on:click=export>"Export file"</button>
                <label class="inline">
                    "Import file"
                    <input type="file" accept=".json,application/json" data-testid="import" on:change=import/>
                </label>
            </div>
            {move || link.get().map(|url| {
                let size = url.len();
                let copy = {
                    let url = url.clone();
                    move |_| {
                        let url = url.clone();
                        spawn_local(async move {
                            note.set(Some(
                                web::copy_text(&url)
                                    .await
                                    .map(|()| "The link is on the clipboard.".to_owned()),
                            ));
                        });
                    }
                };
                view! {
                    <input readonly aria-label="share link" data-testid="share-link" prop:value=url/>
                    <button data-testid="copy-link" on:click=copy>"Copy"</button>
                    <span class="hint" data-testid="share-size">{format!("{size} characters")}</span>
                    {(size > LONG_LINK).then(|| view! {
                        <span class="hint" data-testid="share-long">
                            "This link is long for chat and e-mail: use Export file to send the session as a file instead."
                        </span>
                    })}
                }
            })}
            <div class="row">
                <label class="inline">
                    "Bundled sessions"
                    <select data-testid="bundled" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"choose…"</option>
                        {move || bundled.get().into_iter().map(|(file, title)| view! {
                            <option value=file>{title}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="open-bundled" on:click=open_bundled>"Open"</button>
            </div>
            {move || previous.get().and_then(|text| Saved::from_text(&text).ok()).map(|saved| view! {
                <button data-testid="restore-previous" on:click=restore_previous>
                    {format!("Restore the work a link replaced ({})", count(saved.blocks, "block"))}
                </button>
            })}
            <Message message=note/>
        </div>
    }
}
