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

/// The most each built `.wasm` may weigh gzipped, by the start of its
/// name: the page's must stay small enough to show quickly, and the
/// engine worker's is what a newcomer waits for before the first deploy.
/// Raising one is a decision: say why in the commit.
pub(crate) const BUDGET: &[(&str, usize)] = &[("isc-app-", 790_000), ("isc-worker", 1_350_000)];

impl Sizes {
    /// Checks every file against [`BUDGET`]; a file no budget names fails
    /// too (a new binary gets a budget when it is added).
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut over = Vec::new();
        for report in &self.0 {
            match BUDGET
                .iter()
                .find(|(prefix, _)| report.file.starts_with(prefix))
            {
                Some((_, budget)) if report.gzip > *budget => over.push(format!(
                    "{} is {} B gzipped, over its budget of {budget} B",
                    report.file, report.gzip
                )),
                Some(_) => {}
                None => over.push(format!("{} has no size budget", report.file)),
            }
        }
        if over.is_empty() {
            Ok(())
        } else {
            Err(over.join("; "))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(files: &[(&str, usize)]) -> Sizes {
        Sizes(
            files
                .iter()
                .map(|(file, gzip)| SizeReport {
                    file: (*file).to_owned(),
                    raw: gzip * 3,
                    gzip: *gzip,
                })
                .collect(),
        )
    }

    #[test]
    fn a_file_over_its_budget_or_without_one_fails_the_check() {
        assert_eq!(
            sizes(&[
                ("isc-app-12ab_bg.wasm", 700_000),
                ("isc-worker_bg.wasm", 1_200_000)
            ])
            .check(),
            Ok(())
        );
        let page = BUDGET
            .iter()
            .find(|(prefix, _)| *prefix == "isc-app-")
            .map_or(0, |(_, budget)| *budget);
        let over = sizes(&[("isc-app-12ab_bg.wasm", page + 1)]).check();
        assert!(
            over.as_ref()
                .is_err_and(|err| err.contains(&format!("over its budget of {page}"))),
            "{over:?}"
        );
        let unknown = sizes(&[("other_bg.wasm", 1)]).check();
        assert!(unknown.is_err_and(|err| err.contains("no size budget")));
    }
}
