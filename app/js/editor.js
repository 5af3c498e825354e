// Monaco, loaded on demand with its AMD loader from the copy the build puts
// in the site (`monaco/vs`), behind the few functions app/src/editor.rs
// binds. Nothing here runs until the page asks for the editor.
let loading = null;

export function loadMonaco(base) {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `${base}/loader.js`;
      script.onload = () => {
        window.require.config({ paths: { vs: base } });
        window.require(
          ['vs/editor/editor.main'],
          () => {
            registerWat(window.monaco);
            quietTypeScript(window.monaco);
            defineThemes(window.monaco);
            resolve();
          },
          (err) => reject(new Error(`Monaco did not load: ${err}`)),
        );
      };
      script.onerror = () => reject(new Error(`${base}/loader.js did not load`));
      document.head.appendChild(script);
    });
  }
  return loading;
}

export function createEditor(element, value, language, theme, onChange, onRun) {
  const { monaco } = window;
  const editor = monaco.editor.create(element, {
    value,
    language,
    theme,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    scrollBeyondLastLine: false,
    renderFinalNewline: 'on',
    ariaLabel: 'source code editor (Ctrl/Cmd+Enter compiles)',
  });
  editor.onDidChangeModelContent(() => onChange(editor.getValue()));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => onRun());
  if (language === 'typescript') knowWasmLib(monaco);
  return editor;
}

export function setLanguage(editor, language) {
  window.monaco.editor.setModelLanguage(editor.getModel(), language);
  if (language === 'typescript') knowWasmLib(window.monaco);
}

export function setValue(editor, value) {
  if (editor.getValue() !== value) editor.setValue(value);
}

export function setTheme(theme) {
  if (window.monaco) window.monaco.editor.setTheme(theme);
}

export function setMarkers(editor, problemsJson) {
  const { monaco } = window;
  const markers = JSON.parse(problemsJson).map((p) => ({
    startLineNumber: p.line,
    startColumn: p.column,
    endLineNumber: p.end_line,
    endColumn: p.end_column,
    message: p.message,
    severity: p.error ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
  }));
  monaco.editor.setModelMarkers(editor.getModel(), 'compiler', markers);
}

// Puts the cursor at a problem's line and column, scrolled into view.
export function reveal(editor, line, column) {
  editor.revealLineInCenter(line);
  editor.setPosition({ lineNumber: line, column });
  editor.focus();
}

// Marks `line` (1-based) as the debugger's current line, scrolled into
// view if it is out of it; 0 clears the mark.
export function highlightLine(editor, line) {
  const { monaco } = window;
  const marks =
    line > 0
      ? [
          {
            range: new monaco.Range(line, 1, line, 1),
            options: { isWholeLine: true, className: 'debug-current-line', linesDecorationsClassName: 'debug-current-glyph' },
          },
        ]
      : [];
  editor.iscDebugLine = editor.deltaDecorations(editor.iscDebugLine || [], marks);
  if (line > 0) editor.revealLineInCenterIfOutsideViewport(line);
}

// Highlighted HTML of `text` (Monaco escapes it), for read-only sources.
export function colorize(text, language) {
  return window.monaco.editor.colorize(text, language, { tabSize: 4 });
}

export function disposeEditor(editor) {
  editor.dispose();
}

// Monaco's own themes with line numbers and comments dark (or light) enough to read:
// the page's contrast check holds inside the editor too.
function defineThemes(monaco) {
  monaco.editor.defineTheme('isc-light', {
    base: 'vs', inherit: true,
    rules: [{ token: 'comment', foreground: '1f6a1f' }],
    colors: { 'editorLineNumber.foreground': '#4f5d6f', 'editorLineNumber.activeForeground': '#172333' },
  });
  monaco.editor.defineTheme('isc-dark', {
    base: 'vs-dark', inherit: true,
    rules: [{ token: 'comment', foreground: '9bc48a' }],
    colors: { 'editorLineNumber.foreground': '#a9b7c6', 'editorLineNumber.activeForeground': '#e6edf5' },
  });
}

// WebAssembly text has no Monaco language of its own: a small Monarch
// tokenizer for its keywords, types, comments, strings and numbers.
function registerWat(monaco) {
  if (monaco.languages.getLanguages().some((l) => l.id === 'wat')) return;
  monaco.languages.register({ id: 'wat', extensions: ['.wat'] });
  monaco.languages.setMonarchTokensProvider('wat', {
    keywords: ['module', 'func', 'param', 'result', 'local', 'global', 'memory', 'data', 'import', 'export',
      'type', 'table', 'elem', 'start', 'mut', 'block', 'loop', 'if', 'then', 'else', 'end', 'call',
      'call_indirect', 'br', 'br_if', 'br_table', 'return', 'drop', 'select', 'unreachable', 'nop'],
    typeKeywords: ['i32', 'i64', 'f32', 'f64', 'funcref', 'externref'],
    tokenizer: {
      root: [
        [/;;.*$/, 'comment'],
        [/\(;/, 'comment', '@blockComment'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/\$[\w.$]+/, 'variable'],
        [/(i32|i64|f32|f64)\.[\w_]+/, 'keyword.operator'],
        [/[a-z_][\w.]*/, { cases: { '@typeKeywords': 'type', '@keywords': 'keyword', '@default': 'identifier' } }],
        [/-?0x[0-9a-fA-F_]+|-?\d[\d_]*(\.\d+)?/, 'number'],
        [/[()]/, '@brackets'],
      ],
      blockComment: [
        [/;\)/, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  });
}

// TypeScript here is AssemblyScript's: its types (i32, u64, usize…) and
// decorators are not TypeScript's, so Monaco's type checker would mark
// correct code. It keeps its syntax checks; the compiler's own messages
// come as the page's markers.
// AssemblyScript is TypeScript's syntax with its own types (i64, usize…)
// and library: the editor checks syntax only — AssemblyScript reports the
// rest when it compiles — but knows WasmLib's sources, so `ctx.` completes.
function quietTypeScript(monaco) {
  const ts = monaco.typescript ?? monaco.languages.typescript;
  if (!ts?.typescriptDefaults) return;
  ts.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });
  ts.typescriptDefaults.setCompilerOptions({
    experimentalDecorators: true,
    allowNonTsExtensions: true,
    target: ts.ScriptTarget?.ESNext ?? 99,
    moduleResolution: ts.ModuleResolutionKind?.NodeJs ?? 2,
    lib: ['es2020'],
  });
}

// AssemblyScript's own types and builtins the sources use, as TypeScript
// declarations (for completion only).
const ASSEMBLYSCRIPT_TYPES = `
declare type i8 = number; declare type i16 = number; declare type i32 = number; declare type i64 = number;
declare type u8 = number; declare type u16 = number; declare type u32 = number; declare type u64 = number;
declare type isize = number; declare type usize = number; declare type f32 = number; declare type f64 = number;
declare type bool = boolean;
declare function unreachable(): never;
declare function changetype<T>(value: unknown): T;
declare function external(...names: string[]): (...args: unknown[]) => void;
`;

let wasmLibKnown = null;

// WasmLib's TypeScript sources (the compiler worker's copy) as extra
// libraries beside the editor's model, where `import … from "./wasmlib"`
// finds them; fetched once, the first time the editor holds TypeScript.
function knowWasmLib(monaco) {
  const ts = monaco.typescript ?? monaco.languages.typescript;
  if (wasmLibKnown || !ts?.typescriptDefaults) return;
  wasmLibKnown = fetch('./examples/ts/wasmlib.json')
    .then((response) => (response.ok ? response.json() : {}))
    .then((files) => {
      ts.typescriptDefaults.addExtraLib(ASSEMBLYSCRIPT_TYPES, 'inmemory://model/assemblyscript.d.ts');
      for (const [path, source] of Object.entries(files)) {
        ts.typescriptDefaults.addExtraLib(source, `inmemory://model/${path}`);
      }
    })
    .catch(() => {
      // Offline before first use: completion waits for the next page.
      wasmLibKnown = null;
    });
}
