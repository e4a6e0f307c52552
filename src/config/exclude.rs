//! `exclude` globs (gitignore syntax): from `passrole.toml`, relative to its directory, and from
//! `--exclude`, relative to the current directory.

use super::selection::Origin;
use crate::source::InputError;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::{Path, PathBuf};

/// The exclusion globs of a scan; the default excludes nothing.
#[derive(Clone, Debug, Default)]
pub struct Excludes {
    sets: Vec<Gitignore>,
}

impl Excludes {
    /// Adds `globs` (gitignore lines, `!` negation included) anchored at `base`. A glob that does not
    /// parse is an error at its origin.
    pub fn add(&mut self, base: &Path, globs: &[(String, Origin)]) -> Result<(), InputError> {
        if globs.is_empty() {
            return Ok(());
        }
        let mut builder = GitignoreBuilder::new(absolute(base));
        for (glob, origin) in globs {
            builder
                .add_line(None, glob)
                .map_err(|e| origin.error(format!("bad exclude glob `{glob}`: {e}")))?;
        }
        let set = builder
            .build()
            .map_err(|e| Origin::flag("exclude").error(format!("exclude globs: {e}")))?;
        self.sets.push(set);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// True when `path` (a file, or a directory when `is_dir`) or one of its parent directories is
    /// excluded by one of the sets. Paths outside a set's base are not excluded by it.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let path = absolute(path);
        self.sets.iter().any(|set| {
            path.strip_prefix(set.path()).is_ok_and(|relative| {
                !relative.as_os_str().is_empty()
                    && set
                        .matched_path_or_any_parents(relative, is_dir)
                        .is_ignore()
            })
        })
    }
}

/// The absolute form of `path` with `.` and `..` removed, without resolving symlinks: globs match
/// the paths as the walk names them.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    crate::source::reader::lexical_normalize(
        &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(base: &str, globs: &[&str]) -> Excludes {
        let mut e = Excludes::default();
        let globs: Vec<(String, Origin)> = globs
            .iter()
            .map(|g| ((*g).to_string(), Origin::flag("--exclude")))
            .collect();
        e.add(Path::new(base), &globs).expect("valid globs");
        e
    }

    #[test]
    fn globs_follow_gitignore_rules() {
        let e = set(
            "/repo",
            &["legacy/", "/top.tf", "*.generated.tf", "!keep.generated.tf"],
        );
        assert!(e.excludes(Path::new("/repo/legacy/main.tf"), false));
        assert!(e.excludes(Path::new("/repo/a/legacy/b/main.tf"), false));
        assert!(e.excludes(Path::new("/repo/top.tf"), false));
        assert!(!e.excludes(Path::new("/repo/a/top.tf"), false));
        assert!(e.excludes(Path::new("/repo/a/x.generated.tf"), false));
        assert!(!e.excludes(Path::new("/repo/a/keep.generated.tf"), false));
        assert!(!e.excludes(Path::new("/elsewhere/legacy/main.tf"), false));
        assert!(e.excludes(Path::new("/repo/x/../legacy/main.tf"), false));
    }
}
