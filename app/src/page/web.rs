//! The page's browser glue: fetching files, reading uploads, local storage,
//! downloads. Thin safe wrappers over `web-sys`; errors become messages.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn message(context: &str, err: &JsValue) -> String {
    let detail = err
        .as_string()
        .or_else(|| {
            err.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{err:?}"));
    format!("{context}: {detail}")
}

/// The bytes at `url` (relative to the page).
///
/// # Errors
/// A message with the URL and the HTTP status or network error.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|err| message(url, &err))?;
    let response: web_sys::Response = response.dyn_into().map_err(|err| message(url, &err))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let buffer = response.array_buffer().map_err(|err| message(url, &err))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|err| message(url, &err))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The text at `url`.
///
/// # Errors
/// As [`fetch_bytes`], or if it is not UTF-8.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    String::from_utf8(fetch_bytes(url).await?).map_err(|_| format!("{url}: not UTF-8 text"))
}

/// The bytes of every file in `paths`, as `(path, bytes)`.
///
/// # Errors
/// As [`fetch_bytes`], for the first file that does not load.
pub async fn fetch_all(paths: Vec<String>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = fetch_bytes(&path).await?;
        files.push((path, bytes));
    }
    Ok(files)
}

/// The entries of a JSON index file (an array of objects), each read by
/// `pick`; an index that does not load gives none.
pub async fn fetch_index<T>(url: &str, pick: impl Fn(&serde_json::Value) -> Option<T>) -> Vec<T> {
    let Ok(text) = fetch_text(url).await else {
        return Vec::new();
    };
    serde_json::from_str::<Vec<serde_json::Value>>(&text)
        .map(|entries| entries.iter().filter_map(&pick).collect())
        .unwrap_or_default()
}

/// The files of a file list (from a file picker or a drop), as
/// `(name, bytes)`.
///
/// # Errors
/// A message naming the file that could not be read.
pub async fn read_files(files: &web_sys::FileList) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut read = Vec::new();
    for index in 0..files.length() {
        let Some(file) = files.item(index) else {
            continue;
        };
        let name = file.name();
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|err| message(&name, &err))?;
        read.push((name, js_sys::Uint8Array::new(&buffer).to_vec()));
    }
    Ok(read)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value under `key` in the browser's local storage.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Stores `value` under `key`; `false` if storage is unavailable or full.
pub fn save(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// The browser's local storage, as the autosave journal writes to it.
pub struct Local;

impl crate::model::autosave::Storage for Local {
    fn load(&self, key: &str) -> Option<String> {
        load(key)
    }
    fn save(&mut self, key: &str, value: &str) -> bool {
        save(key, value)
    }
    fn remove(&mut self, key: &str) {
        remove(key);
    }
}

/// Offers `text` as a file download named `file_name`.
///
/// # Errors
/// A message if the browser refuses.
pub fn download(file_name: &str, text: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|err| message("download", &err))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|err| message("download", &err))?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|err| message("download", &err))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Removes `key` from local storage.
pub fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// Drops the URL fragment without reloading or adding a history entry (so
/// a reload restores the autosave instead of reopening a link).
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
}

/// Puts `text` on the clipboard.
///
/// # Errors
/// A message if the browser refuses (no permission, an insecure page).
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying: select the link and copy it".to_owned())
}

/// The page's address without its fragment (what a share link is built on).
pub fn page_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let href = location.href().ok()?;
    Some(match href.split_once('#') {
        Some((page, _)) => page.to_owned(),
        None => href,
    })
}

/// Registers the service worker that makes the playground work offline.
/// Where service workers are unavailable (an insecure origin, a private
/// window), the page simply stays online-only.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let registering = navigator.service_worker().register("./sw.js");
    // A refusal is not an error for the page: awaiting it keeps it from
    // surfacing as an unhandled rejection.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(registering).await;
    });
}

/// Asks the service worker to keep for offline use every file this page
/// has loaded so far (Monaco's, for one) and `more` (files a worker
/// loaded, which the page's resource timing does not list). Quietly does
/// nothing where there is no service worker.
pub fn keep_offline(more: &[&str]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let urls = js_sys::Array::new();
    if let Some(performance) = window.performance() {
        for entry in performance.get_entries_by_type("resource").iter() {
            if let Ok(name) = js_sys::Reflect::get(&entry, &JsValue::from_str("name")) {
                urls.push(&name);
            }
        }
    }
    for url in more {
        urls.push(&JsValue::from_str(url));
    }
    let ready = navigator.service_worker().ready();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(ready) = ready else {
            return;
        };
        let Ok(registration) = JsFuture::from(ready).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        if let Some(active) = registration.active() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"kind".into(), &"keep".into());
            let _ = js_sys::Reflect::set(&message, &"urls".into(), &urls);
            let _ = active.post_message(&message);
        }
    });
}
