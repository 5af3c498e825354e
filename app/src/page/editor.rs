//! Monaco from Rust: a `sys` extern block over `app/js/editor.js` (which
//! loads Monaco with its AMD loader on first use) and [`Editor`], the safe
//! wrapper the page uses. Until Monaco has loaded — or if it never does —
//! the page keeps a plain textarea.

use crate::model::compile::Problem;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

#[allow(unsafe_code)] // wasm-bindgen's generated import shims.
mod sys {
    use wasm_bindgen::JsValue;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen(module = "/js/editor.js")]
    extern "C" {
        #[wasm_bindgen(js_name = loadMonaco)]
        pub(super) fn load_monaco(base: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_name = createEditor)]
        pub(super) fn create_editor(
            element: &web_sys::HtmlElement,
            value: &str,
            language: &str,
            theme: &str,
            on_change: &Closure<dyn FnMut(String)>,
            on_run: &Closure<dyn FnMut()>,
        ) -> JsValue;
        #[wasm_bindgen(js_name = setLanguage)]
        pub(super) fn set_language(editor: &JsValue, language: &str);
        #[wasm_bindgen(js_name = setValue)]
        pub(super) fn set_value(editor: &JsValue, value: &str);
        #[wasm_bindgen(js_name = setTheme)]
        pub(super) fn set_theme(theme: &str);
        #[wasm_bindgen(js_name = setMarkers)]
        pub(super) fn set_markers(editor: &JsValue, problems: &str);
        #[wasm_bindgen(js_name = reveal)]
        pub(super) fn reveal(editor: &JsValue, line: u32, column: u32);
        #[wasm_bindgen(js_name = highlightLine)]
        pub(super) fn highlight_line(editor: &JsValue, line: u32);
        #[wasm_bindgen(js_name = colorize)]
        pub(super) fn colorize(text: &str, language: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_name = disposeEditor)]
        pub(super) fn dispose_editor(editor: &JsValue);
    }
}

/// Where the build puts Monaco's `min/vs`, relative to the page.
pub const MONACO_BASE: &str = "monaco";

/// The languages the editor highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Solidity (Monaco's `sol`).
    Solidity,
    /// WebAssembly text (our Monarch tokenizer).
    Wat,
    /// Rust (read-only sources of the Wasm examples).
    Rust,
    /// TypeScript for AssemblyScript (WasmLib contracts compiled in the
    /// page; Monaco's TypeScript with its type checks off, as AssemblyScript
    /// has types of its own).
    TypeScript,
}

impl Language {
    fn monaco_id(self) -> &'static str {
        match self {
            Self::Solidity => "sol",
            Self::Wat => "wat",
            Self::Rust => "rust",
            Self::TypeScript => "typescript",
        }
    }
}

fn theme(dark: bool) -> &'static str {
    if dark { "isc-dark" } else { "isc-light" }
}

/// A Monaco editor in an element of the page.
pub struct Editor {
    handle: JsValue,
    _on_change: Closure<dyn FnMut(String)>,
    _on_run: Closure<dyn FnMut()>,
}

impl Editor {
    /// Loads Monaco (once; later calls wait for the same load).
    ///
    /// # Errors
    /// A message if its files do not load.
    pub async fn load() -> Result<(), String> {
        wasm_bindgen_futures::JsFuture::from(sys::load_monaco(MONACO_BASE))
            .await
            .map(|_| ())
            .map_err(|err| {
                err.as_string()
                    .or_else(|| {
                        wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(&err)
                            .map(|e| String::from(e.message()))
                    })
                    .unwrap_or_else(|| "Monaco did not load".into())
            })
    }

    /// An editor in `element` (after [`Editor::load`]) holding `value`;
    /// `on_change` gets every new text, `on_run` Ctrl/Cmd+Enter.
    pub fn create(
        element: &web_sys::HtmlElement,
        value: &str,
        language: Language,
        dark: bool,
        on_change: impl FnMut(String) + 'static,
        on_run: impl FnMut() + 'static,
    ) -> Self {
        let on_change = Closure::<dyn FnMut(String)>::new(on_change);
        let on_run = Closure::<dyn FnMut()>::new(on_run);
        let handle = sys::create_editor(
            element,
            value,
            language.monaco_id(),
            theme(dark),
            &on_change,
            &on_run,
        );
        Self {
            handle,
            _on_change: on_change,
            _on_run: on_run,
        }
    }

    /// Highlights as `language`.
    pub fn set_language(&self, language: Language) {
        sys::set_language(&self.handle, language.monaco_id());
    }

    /// Replaces the text (if it differs).
    pub fn set_value(&self, value: &str) {
        sys::set_value(&self.handle, value);
    }

    /// Shows compiler problems as markers.
    pub fn set_problems(&self, problems: &[Problem]) {
        let json = serde_json::to_string(problems).unwrap_or_else(|_| "[]".into());
        sys::set_markers(&self.handle, &json);
    }

    /// Moves the cursor to `line`:`column` (1-based), scrolled into view
    /// and focused.
    pub fn reveal(&self, line: u32, column: u32) {
        sys::reveal(&self.handle, line, column);
    }

    /// Marks `line` (1-based) as the debugger's current one, scrolled into
    /// view; 0 clears the mark.
    pub fn highlight_line(&self, line: u32) {
        sys::highlight_line(&self.handle, line);
    }

    /// `text` highlighted as `language`, as HTML (escaped by Monaco), once
    /// Monaco is loaded.
    ///
    /// # Errors
    /// A message if Monaco does not load or colorize.
    pub async fn colorize(text: &str, language: Language) -> Result<String, String> {
        Self::load().await?;
        wasm_bindgen_futures::JsFuture::from(sys::colorize(text, language.monaco_id()))
            .await
            .ok()
            .and_then(|html| html.as_string())
            .ok_or_else(|| "Monaco could not colorize".to_owned())
    }

    /// Follows the page's theme (all editors).
    pub fn set_theme(dark: bool) {
        sys::set_theme(theme(dark));
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        sys::dispose_editor(&self.handle);
    }
}
