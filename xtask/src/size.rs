//! `cargo xtask size`: how big the built app's `.wasm` is, raw and gzipped.

use crate::shell::root;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fmt;
use std::io::Write;

/// The sizes of one built file.
pub(crate) struct SizeReport {
    file: String,
    raw: usize,
    gzip: usize,
}

impl fmt::Display for SizeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} raw, {} gzip -9",
            self.file,
            kib(self.raw),
            kib(self.gzip)
        )
    }
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB ({bytes} B)", bytes as f64 / 1024.0)
}

/// Every built `.wasm`: the page's and the engine worker's.
pub(crate) struct Sizes(Vec<SizeReport>);

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for report in &self.0 {
            writeln!(f, "{report}")?;
        }
        let raw = self.0.iter().map(|r| r.raw).sum();
        let gzip = self.0.iter().map(|r| r.gzip).sum();
        write!(f, "total: {} raw, {} gzip -9", kib(raw), kib(gzip))
    }
}

/// Measures each `.wasm` in `dist/` (run `cargo xtask build` first).
pub(crate) fn report() -> Result<Sizes, String> {
    let dist = root().join("dist");
    let entries = std::fs::read_dir(&dist)
        .map_err(|err| format!("cannot read {}: {err} (build first)", dist.display()))?;
    let mut wasms: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    if wasms.is_empty() {
        return Err(format!("no .wasm in {} (build first)", dist.display()));
    }
    wasms.sort();
    wasms
        .iter()
        .map(|wasm| measure(wasm))
        .collect::<Result<_, _>>()
        .map(Sizes)
}

fn measure(wasm: &std::path::Path) -> Result<SizeReport, String> {
    let bytes = std::fs::read(wasm).map_err(|err| format!("{}: {err}", wasm.display()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&bytes)
        .and_then(|()| gz.finish())
        .map(|gzipped| SizeReport {
            file: wasm
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            raw: bytes.len(),
            gzip: gzipped.len(),
        })
        .map_err(|err| format!("gzip: {err}"))
}
