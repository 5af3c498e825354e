//! What the page's startup and its panels share about links: the banner
//! that says what opening a link or lesson did, and the work a link
//! replaced (kept for "Restore").

use isc_app::model::autosave;
use isc_app::page::web;
use leptos::prelude::*;

/// The banner above the playground: what startup did.
pub(crate) type Banner = RwSignal<Option<Result<String, String>>>;

/// The work a link or lesson replaced, as stored (shown with a Restore
/// button while there is some).
#[derive(Clone, Copy)]
pub(crate) struct Previous(pub(crate) RwSignal<Option<String>>);

impl Previous {
    /// Keeps the autosaved work before a link replaces it.
    pub(crate) fn keep(self) {
        // Kept whole: the journal's parts are rewritten as the new work
        // goes on. An unreadable autosave is kept as it was read.
        let current = match autosave::read(&web::Local) {
            Ok(Some(saved)) => saved.to_text(),
            Ok(None) => return,
            Err((text, _)) => text,
        };
        web::save(autosave::PREVIOUS_KEY, &current);
        self.0.set(Some(current));
    }
}
