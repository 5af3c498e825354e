//! The module graph of the engine and the app, read from their sources:
//! no file imports (through any chain of `use crate::…` and `super::…`
//! paths) a file that imports it back, and each room of the app imports
//! only the rooms below it. `cargo test -p xtask` checks both, so a cycle
//! or a wrong-way import fails CI.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which rooms of `app/src/` each room may import (besides itself).
pub(crate) const APP_ROOMS: &[(&str, &[&str])] = &[
    ("protocol", &[]),
    ("model", &["protocol"]),
    ("worker", &["protocol", "model"]),
    ("page", &["protocol", "model"]),
];

/// A crate's source files by module path (`evm::db`), and the module
/// paths each one names.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    /// Module path → the module paths its code names.
    pub(crate) edges: BTreeMap<String, BTreeSet<String>>,
}

/// The module path of `file` under `root` (`src/evm/db.rs` → `evm::db`,
/// `src/evm/mod.rs` → `evm`, `src/lib.rs` → ``).
fn module_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// A binary's modules: its root `dir/main.rs` (module `dir::main`) and the
/// modules it declares (`mod ui;` → `dir::ui` and below). In them,
/// `crate::` means the binary's root, `dir`.
fn binary_prefixes(modules: &BTreeMap<String, PathBuf>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (module, file) in modules {
        let Some(dir) = module.strip_suffix("main").map(|d| d.trim_end_matches(':')) else {
            continue;
        };
        found.push((module.clone(), dir.to_owned()));
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim();
            if let Some(name) = line
                .strip_prefix("mod ")
                .or_else(|| line.strip_prefix("pub(crate) mod "))
                .and_then(|rest| rest.strip_suffix(';'))
            {
                let sub = if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}::{name}")
                };
                found.push((sub, dir.to_owned()));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The paths code names: every `crate::a::b…`, `isc_app::…` (the app's
/// library, from its binaries) and `super::…`, resolved against `module`
/// (whose `crate::` is `root`).
fn named_paths(module: &str, root: &str, code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let starts = code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
        .chain(code.match_indices("isc_app::"));
    for (start, _) in starts {
        // Not part of a longer identifier (`isc_crate::`).
        if code[..start]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[start..];
        let path: Vec<&str> = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or_default()
            .split("::")
            .filter(|p| !p.is_empty())
            .collect();
        let mut resolved: Vec<String> = match path.first() {
            Some(&"crate") => root
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(&"isc_app") => Vec::new(),
            _ => module
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        // `super` of a file's module is its parent (a `mod.rs` is its dir).
        for part in path {
            match part {
                "crate" | "isc_app" => {}
                "super" => {
                    resolved.pop();
                }
                other => resolved.push(other.to_owned()),
            }
        }
        found.push(resolved);
    }
    found
}

impl Graph {
    /// The graph of the crate whose sources are under `root` (`src/`),
    /// test modules (after `#[cfg(test)]`) excluded, binaries (`bin/`)
    /// and `main.rs` roots as modules of their own.
    pub(crate) fn of(root: &Path) -> Self {
        let mut files = Vec::new();
        rust_files(root, &mut files);
        let modules: BTreeMap<String, PathBuf> = files
            .iter()
            .map(|file| (module_of(root, file), file.clone()))
            .collect();
        let binaries = binary_prefixes(&modules);
        let root_of = |module: &str| {
            binaries
                .iter()
                .find(|(prefix, _)| module == prefix || module.starts_with(&format!("{prefix}::")))
                .map_or(String::new(), |(_, root)| root.clone())
        };
        let mut graph = Self::default();
        for (module, file) in &modules {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = code
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut targets = BTreeSet::new();
            for path in named_paths(module, &root_of(module), &code) {
                // The longest prefix that is a file's module.
                if let Some(target) = (1..=path.len())
                    .rev()
                    .map(|n| path[..n].join("::"))
                    .find(|candidate| modules.contains_key(candidate))
                    && target != *module
                    && !module.starts_with(&format!("{target}::"))
                {
                    targets.insert(target);
                }
            }
            graph.edges.insert(module.clone(), targets);
        }
        graph
    }

    /// Every cycle's modules (strongly connected components of more than
    /// one module), each sorted.
    pub(crate) fn cycles(&self) -> Vec<Vec<String>> {
        // Kosaraju: finish order on the graph, then components on its reverse.
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        for start in self.edges.keys() {
            self.finish(start, &mut seen, &mut order);
        }
        let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, targets) in &self.edges {
            for to in targets {
                reverse.entry(to.as_str()).or_default().push(from.as_str());
            }
        }
        let mut assigned = BTreeSet::new();
        let mut cycles = Vec::new();
        for start in order.iter().rev() {
            if assigned.contains(start.as_str()) {
                continue;
            }
            let mut component = Vec::new();
            let mut stack = vec![start.as_str()];
            assigned.insert(start.as_str());
            while let Some(node) = stack.pop() {
                component.push(node.to_owned());
                for next in reverse.get(node).into_iter().flatten() {
                    if assigned.insert(next) {
                        stack.push(next);
                    }
                }
            }
            if component.len() > 1 {
                component.sort();
                cycles.push(component);
            }
        }
        cycles
    }

    fn finish(&self, node: &str, seen: &mut BTreeSet<String>, order: &mut Vec<String>) {
        if !seen.insert(node.to_owned()) {
            return;
        }
        for next in self.edges.get(node).into_iter().flatten() {
            self.finish(next, seen, order);
        }
        order.push(node.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
    }

    #[test]
    fn paths_resolve_against_their_module() {
        assert_eq!(
            named_paths(
                "evm::db",
                "",
                "use super::magic::is_magic; use crate::vm::{A, B};"
            ),
            [
                vec!["vm".to_owned()],
                vec!["evm".to_owned(), "magic".to_owned(), "is_magic".to_owned()]
            ]
        );
    }

    #[test]
    fn a_cycle_is_found() {
        let mut graph = Graph::default();
        graph.edges.insert("a".into(), BTreeSet::from(["b".into()]));
        graph.edges.insert("b".into(), BTreeSet::from(["a".into()]));
        graph.edges.insert("c".into(), BTreeSet::from(["a".into()]));
        assert_eq!(graph.cycles(), [vec!["a".to_owned(), "b".to_owned()]]);
    }

    #[test]
    fn the_engine_and_the_app_have_no_import_cycles() {
        for root in ["engine/src", "app/src"] {
            let graph = Graph::of(&source(root));
            assert!(graph.edges.len() > 10, "{root}: read its files");
            assert_eq!(graph.cycles(), Vec::<Vec<String>>::new(), "{root}");
        }
    }

    #[test]
    fn each_app_room_imports_only_the_rooms_below_it() {
        let graph = Graph::of(&source("app/src"));
        let room = |module: &str| module.split("::").next().unwrap_or_default().to_owned();
        let mut wrong = Vec::new();
        for (from, targets) in &graph.edges {
            let Some((_, allowed)) = APP_ROOMS.iter().find(|(name, _)| *name == room(from)) else {
                continue;
            };
            for to in targets {
                let to_room = room(to);
                if to_room != room(from) && !allowed.contains(&to_room.as_str()) {
                    wrong.push(format!("{from} → {to}"));
                }
            }
        }
        assert_eq!(wrong, Vec::<String>::new());
        // Every file lives in a room.
        let homeless: Vec<_> = graph
            .edges
            .keys()
            .filter(|m| !m.is_empty() && !APP_ROOMS.iter().any(|(name, _)| room(m) == *name))
            .collect();
        assert_eq!(homeless, Vec::<&String>::new());
    }
}
