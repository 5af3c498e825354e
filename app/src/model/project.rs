//! The editor's Solidity project: files by path, one of them shown and
//! compiled (with the others there for its `import`s), as in Remix's file
//! explorer. Saved with the drafts; a program built from it keeps the
//! files it was compiled with in its source (session version 3).

use isc_engine::session::DEFAULT_SOURCE_PATH;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One file of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Its path, as imports name it (`Token.sol`, `lib/Math.sol`).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Files by path (unique, in the order they were added), one active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    files: Vec<ProjectFile>,
    active: usize,
}

/// Paths a project file may not take: the libraries the page supplies.
const RESERVED: [&str; 2] = ["@", "ISC.sol"];

impl Project {
    /// A project of one file, `Contract.sol`.
    pub fn single(text: String) -> Self {
        Self {
            files: vec![ProjectFile {
                path: DEFAULT_SOURCE_PATH.to_owned(),
                text,
            }],
            active: 0,
        }
    }

    /// A project of `files` with `active` shown; `None` if there are no
    /// files, a path is not one a project may hold, or one repeats.
    pub fn new(files: Vec<ProjectFile>, active: usize) -> Option<Self> {
        let mut project = Self {
            files: Vec::with_capacity(files.len()),
            active: 0,
        };
        for file in files {
            project.check_path(&file.path).ok()?;
            project.files.push(file);
        }
        (active < project.files.len()).then_some(Self { active, ..project })
    }

    /// Every file, in order.
    pub fn files(&self) -> &[ProjectFile] {
        &self.files
    }

    /// The active file's position.
    pub fn active_index(&self) -> usize {
        self.active
    }

    /// The active file.
    pub fn active(&self) -> &ProjectFile {
        // `active` is always in range: `new`, `select` and `remove` keep it so.
        &self.files[self.active.min(self.files.len() - 1)]
    }

    /// Replaces the active file's text.
    pub fn set_text(&mut self, text: String) {
        if let Some(file) = self.files.get_mut(self.active) {
            file.text = text;
        }
    }

    /// Shows file `index` (out of range: nothing changes).
    pub fn select(&mut self, index: usize) {
        if index < self.files.len() {
            self.active = index;
        }
    }

    /// Shows the file at `path`, if there is one.
    pub fn select_path(&mut self, path: &str) -> bool {
        match self.files.iter().position(|f| f.path == path) {
            Some(index) => {
                self.active = index;
                true
            }
            None => false,
        }
    }

    fn check_path(&self, path: &str) -> Result<(), String> {
        let parts: Vec<&str> = path.split('/').collect();
        if !path.ends_with(".sol") || path.len() <= 4 {
            return Err(format!("`{path}`: a Solidity file's name ends in .sol"));
        }
        if parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
            || path
                .chars()
                .any(|c| c.is_whitespace() || c == '\\' || c == '"' || c == '\'')
        {
            return Err(format!(
                "`{path}`: use a plain path such as `Token.sol` or `lib/Math.sol` (no spaces, quotes, `.` or `..` parts)"
            ));
        }
        if RESERVED.iter().any(|r| path.starts_with(r)) {
            return Err(format!(
                "`{path}`: that name is the page's own (ISC.sol, and @-paths for OpenZeppelin)"
            ));
        }
        if self.files.iter().any(|f| f.path == path) {
            return Err(format!("`{path}` is already in the project"));
        }
        Ok(())
    }

    /// Adds an empty-but-for-a-pragma file at `path` and shows it.
    ///
    /// # Errors
    /// A message if the path is not one a project may hold or is taken.
    pub fn add(&mut self, path: &str) -> Result<(), String> {
        let path = path.trim();
        self.check_path(path)?;
        self.files.push(ProjectFile {
            path: path.to_owned(),
            text: "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n\n".to_owned(),
        });
        self.active = self.files.len() - 1;
        Ok(())
    }

    /// Removes file `index`; the project keeps at least one.
    ///
    /// # Errors
    /// A message if it is the only file.
    pub fn remove(&mut self, index: usize) -> Result<(), String> {
        if self.files.len() <= 1 {
            return Err("a project keeps at least one file".into());
        }
        if index < self.files.len() {
            self.files.remove(index);
            if self.active >= index && self.active > 0 {
                self.active -= 1;
            }
        }
        Ok(())
    }

    /// The files other than the active one, by path.
    pub fn others(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.active)
            .map(|(_, f)| (f.path.clone(), f.text.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_added_shown_and_removed_with_clear_refusals() {
        let mut project = Project::single("contract A {}".into());
        assert_eq!(project.active().path, "Contract.sol");
        project.add("lib/Math.sol").expect("adds");
        assert_eq!(project.active().path, "lib/Math.sol");
        assert!(project.active().text.contains("pragma solidity"));
        project.set_text("library Math {}".into());
        assert_eq!(
            project.others(),
            BTreeMap::from([("Contract.sol".into(), "contract A {}".into())])
        );
        for (bad, why) in [
            ("Math", "ends in .sol"),
            ("lib/Math.sol", "already in the project"),
            ("../x.sol", "plain path"),
            ("a b.sol", "plain path"),
            ("/abs.sol", "plain path"),
            ("ISC.sol", "page's own"),
            ("@openzeppelin/x.sol", "page's own"),
            (".sol", "ends in .sol"),
        ] {
            let err = project.add(bad).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert_eq!(project.files().len(), 2);
        assert!(project.select_path("Contract.sol"));
        assert_eq!(project.active_index(), 0);
        project.select(7);
        assert_eq!(project.active_index(), 0);
        project.select(1);
        project.remove(1).expect("removes");
        assert_eq!(project.active().path, "Contract.sol");
        assert!(project.remove(0).is_err(), "the last file stays");
        // A project read back checks what it holds.
        let files = vec![
            ProjectFile {
                path: "A.sol".into(),
                text: String::new(),
            },
            ProjectFile {
                path: "A.sol".into(),
                text: String::new(),
            },
        ];
        assert_eq!(Project::new(files.clone(), 0), None);
        assert!(Project::new(files[..1].to_vec(), 0).is_some());
        assert_eq!(Project::new(files[..1].to_vec(), 1), None);
        assert_eq!(Project::new(Vec::new(), 0), None);
    }
}
